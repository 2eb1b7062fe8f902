import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import { BackupCheckError, backupDatabase, backupDir, hasBackupSince, listBackups } from '../../db/backup.js';
import { openDatabase, pendingMigrations } from '../../db/client.js';
import { units } from '../../db/schema.js';
import { seedDemo } from '../../db/seed/demo.js';

const NOW = '2026-03-10T09:00:00+07:00';
const at = (iso: string) => new Date(iso);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-backup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function demoDatabase(path = join(dir, 'dvk.sqlite')) {
  const database = await openDatabase(path, { clock: fixedClock(NOW) });
  seedDemo(database.db, at(NOW));
  return database;
}

const countOf = (sqlite: Database.Database, table: string) => (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;

/**
 * Another connection, on its own thread, committing without pause. Each commit adds one row to
 * two tables, so a copy that caught half a commit (or pages from two moments) has unequal counts.
 * Shared counters: [0] stop flag, [1] commits so far.
 */
function startWriter(path: string) {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.path);
    db.pragma('busy_timeout = 5000');
    db.exec('create table if not exists ledger_a (n integer); create table if not exists ledger_b (n integer)');
    const a = db.prepare('insert into ledger_a values (?)');
    const b = db.prepare('insert into ledger_b values (?)');
    const commit = db.transaction((n) => { a.run(n); b.run(n); });
    let n = 0;
    while (Atomics.load(workerData.shared, 0) === 0) {
      commit(++n);
      Atomics.store(workerData.shared, 1, n);
    }
    db.close();
    parentPort.postMessage(n);
  `;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(code, { eval: true, workerData: { path, driver, shared } });
  const finished = new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const commits = () => Atomics.load(shared, 1);
  const until = async (atLeast: number) => {
    while (commits() < atLeast) await new Promise((r) => setTimeout(r, 5));
  };
  const stop = () => {
    Atomics.store(shared, 0, 1);
    return finished;
  };
  return { commits, until, stop };
}

describe('online backup', () => {
  it('copies a database that another connection keeps writing to: consistent, complete, private, one file', async () => {
    const database = await demoDatabase();
    const unitCount = countOf(database.sqlite, 'units');
    const writer = startWriter(database.path);
    await writer.until(50);
    const before = writer.commits();

    const { file, removed } = await backupDatabase(database, { dir: join(dir, 'backups'), keep: 14, now: at(NOW) });

    // The writer was still going after the copy: make sure it commits some more, then stop it.
    const after = writer.commits();
    await writer.until(after + 10);
    const total = await writer.stop();
    database.close();

    expect(basename(file)).toBe('dvk-20260310-090000.sqlite');
    expect(removed).toEqual([]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Self-contained: no -wal/-shm/-journal beside it, no temporary file left.
    expect(readdirSync(join(dir, 'backups'))).toEqual(['dvk-20260310-090000.sqlite']);

    const copy = new Database(file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    const [a, b] = [countOf(copy, 'ledger_a'), countOf(copy, 'ledger_b')];
    expect(a).toBe(b);
    expect(a).toBeGreaterThanOrEqual(before);
    expect(a).toBeLessThan(total);
    expect(countOf(copy, 'units')).toBe(unitCount);
    copy.close();
  });

  it('keeps the newest N backups of this database and never touches anything else in the folder', async () => {
    const database = await demoDatabase();
    const backups = join(dir, 'backups');
    mkdirSync(backups);
    const others = [
      'ghi-chu.txt',
      'demo-20260101-020000.sqlite', // another database's backup
      'dvk-20260101-020000.sqlite.bak', // not our name
      'dvk-2026-01-01.sqlite',
      'dvk-20260101-020000.sqlite.partial', // a backup being written right now (fresh)
    ];
    for (const name of others) writeFileSync(join(backups, name), 'x');

    const nights = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'];
    const results = [];
    for (const day of nights) results.push(await backupDatabase(database, { dir: backups, keep: 3, now: at(`${day}T02:00:00+07:00`) }));
    database.close();

    expect(results.map((r) => r.removed.map((f) => basename(f)))).toEqual([[], [], [], ['dvk-20260301-020000.sqlite'], ['dvk-20260302-020000.sqlite']]);
    expect(listBackups(backups, join(dir, 'dvk.sqlite')).map((f) => basename(f))).toEqual([
      'dvk-20260305-020000.sqlite',
      'dvk-20260304-020000.sqlite',
      'dvk-20260303-020000.sqlite',
    ]);
    expect(readdirSync(backups).sort()).toEqual([...others, 'dvk-20260303-020000.sqlite', 'dvk-20260304-020000.sqlite', 'dvk-20260305-020000.sqlite'].sort());
  });

  it('never deletes the backup it just wrote, even when the clock is behind the newest ones', async () => {
    const database = await demoDatabase();
    const backups = join(dir, 'backups');
    await backupDatabase(database, { dir: backups, keep: 1, now: at('2026-03-05T02:00:00+07:00') });
    const { file, removed } = await backupDatabase(database, { dir: backups, keep: 1, now: at('2026-03-01T02:00:00+07:00') });
    database.close();
    expect(removed).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });

  it('ignores what a crashed backup left behind, and cleans it up once it is clearly stale', async () => {
    const database = await demoDatabase();
    const backups = join(dir, 'backups');
    mkdirSync(backups);
    const crashed = ['dvk-20260310-020000.sqlite.partial', 'dvk-20260310-020000.sqlite.partial-journal'];
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const name of crashed) {
      writeFileSync(join(backups, name), 'half a page');
      utimesSync(join(backups, name), twoHoursAgo, twoHoursAgo);
    }

    // Not a backup: the nightly job would still make tonight's.
    expect(listBackups(backups, database.path)).toEqual([]);
    expect(hasBackupSince(backups, database.path, at('2026-03-10T02:00:00+07:00'))).toBe(false);

    const { cleaned } = await backupDatabase(database, { dir: backups, keep: 14, now: at(NOW) });
    database.close();
    expect(cleaned.map((f) => basename(f)).sort()).toEqual(crashed);
    expect(readdirSync(backups)).toEqual(['dvk-20260310-090000.sqlite']);
  });

  it('keeps no copy that fails SQLite’s integrity check', async () => {
    // A source whose index no longer matches its table (as a bad disk could leave it).
    const path = join(dir, 'hong.sqlite');
    const damaged = new Database(path);
    damaged.exec('create table t (x integer, y integer); create index i on t (x)');
    const insert = damaged.prepare('insert into t values (?, ?)');
    damaged.transaction(() => {
      for (let k = 0; k < 20; k++) insert.run(k, 100 + k);
    })();
    damaged.unsafeMode(true);
    damaged.pragma('writable_schema = ON');
    damaged.exec("update sqlite_master set sql = 'CREATE INDEX i ON t (y)' where name = 'i'");
    damaged.close();

    const source = new Database(path);
    const backups = join(dir, 'backups');
    const attempt = backupDatabase({ sqlite: source, path }, { dir: backups, keep: 14, now: at(NOW) });
    await expect(attempt).rejects.toBeInstanceOf(BackupCheckError);
    await expect(attempt).rejects.toThrow(/row 1 missing from index i/);
    source.close();
    expect(readdirSync(backups)).toEqual([]);
  });

  it('counts damage that stops SQLite reading as a failed check as well', async () => {
    const path = join(dir, 'hong.sqlite');
    const damaged = new Database(path);
    damaged.exec('create table t (x integer); create index i on t (x)');
    const insert = damaged.prepare('insert into t values (?)');
    damaged.transaction(() => {
      for (let k = 0; k < 200; k++) insert.run(k);
    })();
    const { rootpage } = damaged.prepare("select rootpage from sqlite_master where name = 'i'").get() as { rootpage: number };
    const pageSize = damaged.pragma('page_size', { simple: true }) as number;
    damaged.close();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.from([0]), 0, 1, (rootpage - 1) * pageSize); // the index page's type byte
    closeSync(fd);

    const source = new Database(path);
    const backups = join(dir, 'backups');
    await expect(backupDatabase({ sqlite: source, path }, { dir: backups, keep: 14, now: at(NOW) })).rejects.toBeInstanceOf(BackupCheckError);
    source.close();
    expect(readdirSync(backups)).toEqual([]);
  });

  it('restores as the README says: stop, put the backup in place of DB_PATH, start — the data of that night comes back', async () => {
    const path = join(dir, 'dvk.sqlite');
    const database = await demoDatabase(path);
    const nightUnits = database.db.select().from(units).all();
    const { file } = await backupDatabase(database, { dir: backupDir(path), keep: 14, now: at('2026-03-10T02:00:00+07:00') });
    // The day goes on (and goes wrong): a unit is renamed after the backup.
    database.sqlite.prepare("update units set name = 'Đã đổi tên nhầm' where id = ?").run(nightUnits[0]!.id);
    database.close(); // 1. stop the bot

    // 2. remove the WAL files a crash may have left, put the backup in place.
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    copyFileSync(file, path);

    // 3. start: openDatabase as the bot does, migrations and all.
    const restored = await openDatabase(path, { clock: fixedClock('2026-03-10T10:00:00+07:00') });
    expect(restored.backupPath).toBeNull(); // the backup was already up to date: no migration ran
    expect(pendingMigrations(restored.sqlite)).toBe(0);
    expect(restored.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(restored.sqlite.pragma('foreign_key_check')).toEqual([]);
    expect(restored.db.select().from(units).all()).toEqual(nightUnits);
    restored.close();
    expect(statSync(path).mode & 0o777).toBe(0o600); // still private: the backup was 0600 too
  });

  it('names backups after the database and puts them beside it unless told otherwise', () => {
    expect(backupDir('./data/dvk.sqlite')).toBe('data/backups');
    expect(backupDir('/var/lib/dvk-bot/dvk.sqlite', '/srv/sao-luu')).toBe('/srv/sao-luu');
    expect(() => listBackups(dir, ':memory:')).toThrow(/in-memory/);
  });
});
