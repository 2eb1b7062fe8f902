import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../core/clock.js';
import { openDatabase } from '../../../db/client.js';
import { seedDemo } from '../../../db/seed/demo.js';
import { cleanEnv, REPO_ROOT } from '../../helpers/processes.js';

/**
 * `npm run backup` as an operator types it. Spawned as `node --import tsx bot/cli/backup.ts`,
 * which is what the npm script runs (without npm's own start-up on top).
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-backup-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function backup(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bot/cli/backup.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), ...env }),
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run backup', { timeout: 120_000 }, () => {
  it('writes a verified copy beside the database, keeps the newest DVK_BACKUP_KEEP and says what it did', async () => {
    const database = await openDatabase(join(dir, 'dvk.sqlite'), { clock: fixedClock('2026-11-20T09:00:00+07:00') });
    seedDemo(database.db, new Date('2026-11-20T09:00:00+07:00'));
    const people = (database.sqlite.prepare('select count(*) as n from people').get() as { n: number }).n;
    database.close();
    const backups = join(dir, 'backups');

    const nights = ['2026-11-21T02:00:00+07:00', '2026-11-22T02:00:00+07:00', '2026-11-23T02:00:00+07:00'];
    const runs = nights.map((now) => backup({ DVK_NOW: now, DVK_BACKUP_KEEP: '2' }));
    expect(runs.map((r) => r.status)).toEqual([0, 0, 0]);
    expect(runs[0]!.stderr).toBe('');
    expect(runs[0]!.stdout).toBe(
      `Đã sao lưu cơ sở dữ liệu vào ${join(backups, 'dvk-20261121-020000.sqlite')}\nĐã xóa 0 bản sao lưu cũ (giữ 2 bản mới nhất).\n`,
    );
    expect(runs[2]!.stdout).toContain('Đã xóa 1 bản sao lưu cũ (giữ 2 bản mới nhất).');
    expect(readdirSync(backups).sort()).toEqual(['dvk-20261122-020000.sqlite', 'dvk-20261123-020000.sqlite']);

    const copy = join(backups, 'dvk-20261123-020000.sqlite');
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    const opened = new Database(copy, { readonly: true });
    expect((opened.prepare('select count(*) as n from people').get() as { n: number }).n).toBe(people);
    opened.close();
  });

  it('writes into DVK_BACKUP_DIR when it is set', async () => {
    (await openDatabase(join(dir, 'dvk.sqlite'))).close();
    const elsewhere = join(dir, 'sao-luu');
    const run = backup({ DVK_NOW: '2026-11-21T02:00:00+07:00', DVK_BACKUP_DIR: elsewhere });
    expect(run.status).toBe(0);
    expect(readdirSync(elsewhere)).toEqual(['dvk-20261121-020000.sqlite']);
    expect(existsSync(join(dir, 'backups'))).toBe(false);
  });

  it('refuses when there is no database, without creating one', () => {
    const run = backup({});
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`Không tìm thấy cơ sở dữ liệu ở ${join(dir, 'dvk.sqlite')} (DB_PATH): không có gì để sao lưu.`);
    expect(existsSync(join(dir, 'dvk.sqlite'))).toBe(false);
  });

  it('stops on a wrong DVK_BACKUP_KEEP with the one-line configuration error', () => {
    const run = backup({ DVK_BACKUP_KEEP: '0' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Cấu hình sai: DVK_BACKUP_KEEP phải là số bản sao lưu được giữ lại, từ 1 đến 365');
  });
});
