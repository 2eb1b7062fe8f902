import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Core, createCore } from '../../bot/app.js';
import { fixedClock } from '../../core/clock.js';
import { silentLogger } from '../../bot/logger.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES } from '../../db/checkpointer.js';

/**
 * The write-ahead log is copied into the database file by a worker thread. The database file
 * itself only grows when a checkpoint copies pages into it, and the bot's own connection does
 * not checkpoint before 10,000 pages: so a file that grows while the bot writes ~6,000 pages of
 * log is the thread's work, and one that does not grow (the same writes, no thread) is the control.
 */

let dir: string;
let core: Core | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-ckpt-'));
});
afterEach(() => {
  core?.close();
  core = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function start(backgroundCheckpoints: boolean): Promise<Core> {
  return createCore({
    dbPath: join(dir, 'dvk.sqlite'),
    clock: fixedClock('2026-11-23T08:30:00+07:00'),
    log: silentLogger,
    flowTtlMinutes: 60,
    deliver: () => Promise.reject(new Error('not used')),
    backgroundCheckpoints,
  });
}

/**
 * About 4 MiB of new rows, one commit each as the bot writes (in audit_log, which nothing reads
 * here). Each commit logs the row's pages and both indexes' again: some 6,000 pages in the log,
 * under the 10,000 at which the bot's own connection would checkpoint.
 */
function writePages(c: Core): void {
  const insert = c.database.sqlite.prepare("insert into audit_log (at, actor_label, action, entity, after) values (?, 'test', 'test.write', 'test', ?)");
  for (let i = 0; i < ROWS; i++) insert.run(i, JSON.stringify({ i, text: 'Mô hình dân vận khéo '.repeat(150) }));
}

const ROWS = 1000;

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('background checkpoints', () => {
  it('copy the log into the database file while the bot writes, and the bot itself waits for 10,000 pages', async () => {
    core = await start(true);
    expect(core.database.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    const file = core.database.path;
    const before = statSync(file).size;
    writePages(core);
    // The rows hold ~4 MiB: the file takes them once they are checkpointed.
    expect(await waitFor(() => statSync(file).size - before > 3 * 1024 * 1024, 10_000)).toBe(true);
  });

  it('without the thread (as tests and tools run), the same writes stay in the log', async () => {
    core = await start(false);
    core.database.sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    const file = core.database.path;
    const before = statSync(file).size;
    writePages(core);
    await new Promise((r) => setTimeout(r, 500));
    expect(statSync(file).size).toBe(before);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(3 * 1024 * 1024);
  });

  it('stop before the bot closes: its close is the last, the log is folded in and removed, and the data is whole', async () => {
    core = await start(true);
    const file = core.database.path;
    writePages(core);
    core.close();
    core = undefined;
    expect(existsSync(`${file}-wal`)).toBe(false);
    const check = new Database(file, { readonly: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(check.prepare("select count(*) as n from audit_log where action = 'test.write'").get()).toEqual({ n: ROWS });
    } finally {
      check.close();
    }
  });

  it('an in-memory database (the core in some tests) starts no thread and keeps the default', async () => {
    core = await createCore({
      dbPath: ':memory:',
      clock: fixedClock('2026-11-23T08:30:00+07:00'),
      log: silentLogger,
      flowTtlMinutes: 60,
      deliver: () => Promise.reject(new Error('not used')),
      backgroundCheckpoints: true,
    });
    expect(core.database.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
