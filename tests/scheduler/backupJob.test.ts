import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { capturingLogger } from '../helpers/logs.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import { backupDatabase, listBackups } from '../../db/backup.js';
import { type AppDatabase, openDatabase } from '../../db/client.js';
import { backupJob } from '../../scheduler/backupJob.js';

let dir: string;
let database: AppDatabase;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-backup-job-'));
  database = await openDatabase(join(dir, 'dvk.sqlite'), { clock: fixedClock('2026-03-09T09:00:00+07:00') });
});
afterEach(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A logger whose lines the test reads. */
const backupsDir = () => join(dir, 'backups');
const names = () => listBackups(backupsDir(), database.path).map((f) => basename(f));

describe('the nightly backup job', () => {
  it('runs once at 02:00 Vietnam time, not again that day, and again the next night', async () => {
    const { log, lines } = capturingLogger();
    const job = backupJob({ database, dir: backupsDir(), keep: 14, at: '02:00', log });
    const clock = fixedClock('2026-03-10T01:58:00+07:00');
    const minute = 60 * 1000;

    await job.run(clock.now());
    clock.advance(minute); // 01:59
    await job.run(clock.now());
    expect(names()).toEqual([]);

    clock.advance(minute); // 02:00
    await job.run(clock.now());
    expect(names()).toEqual(['dvk-20260310-020000.sqlite']);

    // Every minute until the next night: nothing more.
    for (let i = 0; i < 24 * 60 - 1; i++) {
      clock.advance(minute);
      await job.run(clock.now());
    }
    expect(names()).toEqual(['dvk-20260310-020000.sqlite']);

    clock.advance(minute); // 02:00 on the 11th
    await job.run(clock.now());
    expect(names()).toEqual(['dvk-20260311-020000.sqlite', 'dvk-20260310-020000.sqlite']);
    expect(lines.filter((l) => l.msg === 'nightly backup written')).toHaveLength(2);
  });

  it('takes the backup on the first tick after a night the bot was down, once, even across restarts', async () => {
    const { log } = capturingLogger();
    const deps = { database, dir: backupsDir(), keep: 14, at: '02:00', log };

    await backupJob(deps).run(new Date('2026-03-10T08:15:00+07:00'));
    expect(names()).toEqual(['dvk-20260310-081500.sqlite']);

    // A restart: a new job with no memory sees today's file and does nothing.
    const restarted = backupJob(deps);
    await restarted.run(new Date('2026-03-10T08:20:00+07:00'));
    await restarted.run(new Date('2026-03-10T23:59:00+07:00'));
    expect(names()).toEqual(['dvk-20260310-081500.sqlite']);
  });

  it('counts an admin’s manual backup after the night’s time, not one taken before it', async () => {
    const { log } = capturingLogger();
    const job = backupJob({ database, dir: backupsDir(), keep: 14, at: '02:00', log });
    await backupDatabase(database, { dir: backupsDir(), keep: 14, now: new Date('2026-03-10T01:30:00+07:00') });

    await job.run(new Date('2026-03-10T02:00:00+07:00'));
    expect(names()).toEqual(['dvk-20260310-020000.sqlite', 'dvk-20260310-013000.sqlite']);

    await backupDatabase(database, { dir: backupsDir(), keep: 14, now: new Date('2026-03-11T01:45:00+07:00') });
    await backupDatabase(database, { dir: backupsDir(), keep: 14, now: new Date('2026-03-11T02:10:00+07:00') });
    await job.run(new Date('2026-03-11T02:11:00+07:00'));
    expect(names()[0]).toBe('dvk-20260311-021000.sqlite');
    expect(names()).toHaveLength(4);
  });

  it('follows the configured time', async () => {
    const { log } = capturingLogger();
    const job = backupJob({ database, dir: backupsDir(), keep: 14, at: '23:30', log });
    await job.run(new Date('2026-03-10T23:29:00+07:00'));
    expect(names()).toEqual([]);
    await job.run(new Date('2026-03-10T23:30:00+07:00'));
    expect(names()).toEqual(['dvk-20260310-233000.sqlite']);
  });

  it('logs a failure instead of throwing, waits an hour before trying again, then succeeds', async () => {
    const { log, lines } = capturingLogger();
    // The backup folder's path is taken by a file: nothing can be written there.
    writeFileSync(backupsDir(), 'không phải thư mục');
    const job = backupJob({ database, dir: backupsDir(), keep: 14, at: '02:00', log });

    await expect(job.run(new Date('2026-03-10T02:00:00+07:00'))).resolves.toBeUndefined();
    const errors = () => lines.filter((l) => l.level === 50);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toMatchObject({ msg: 'nightly backup failed', err: { message: expect.stringMatching(/ENOTDIR|EEXIST/) } });

    // Not every minute of the night.
    await job.run(new Date('2026-03-10T02:01:00+07:00'));
    await job.run(new Date('2026-03-10T02:59:00+07:00'));
    expect(errors()).toHaveLength(1);

    rmSync(backupsDir());
    await job.run(new Date('2026-03-10T03:00:00+07:00'));
    expect(names()).toEqual(['dvk-20260310-030000.sqlite']);
    expect(errors()).toHaveLength(1);
  });
});
