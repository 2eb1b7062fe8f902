import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import Database from 'better-sqlite3';
import { fileStamp } from '../core/clock.js';
import type { AppDatabase } from './client.js';

/**
 * Online backups: a consistent copy of the live database, taken while the bot keeps running.
 *
 * A backup is `<db name>-<stamp>.sqlite` (dvk.sqlite → dvk-20261121-020000.sqlite), one
 * self-contained file: restoring it is copying it over DB_PATH with the bot stopped. It is
 * written under a temporary name and only renamed once SQLite has checked it, so a file with
 * the backup name is always a whole, verified copy.
 */

export interface BackupOptions {
  /** The backup folder; created (private) if missing. */
  dir: string;
  /** How many backups to keep; older ones of the same database are deleted. */
  keep: number;
  /** The instant the backup is named after (the injected clock). */
  now: Date;
}

export interface BackupResult {
  /** The backup written. */
  file: string;
  /** Older backups deleted to keep only the newest `keep`. */
  removed: string[];
  /** Temporary files of a backup that crashed, cleaned up. */
  cleaned: string[];
}

/** The copy failed SQLite's own check: nothing was kept under a backup name. */
export class BackupCheckError extends Error {
  constructor(readonly problems: string[]) {
    super(`backup copy failed integrity_check: ${problems.slice(0, 3).join('; ')}`);
    this.name = 'BackupCheckError';
  }
}

const PARTIAL = '.partial';
/** The temporary file and what SQLite may keep beside it while it works on it. */
const SIDECARS = ['', '-journal', '-wal', '-shm'];

/** A temporary file this old is a leftover of a crashed backup, not one still being written. */
const STALE_PARTIAL_MS = 60 * 60 * 1000;

/**
 * One step copies every page: in WAL mode a step reads one snapshot, while a copy in small
 * steps starts over whenever another process commits between two steps, and under steady
 * writes might never finish. The price is the event loop waiting for the copy: a few
 * milliseconds per megabyte, at night.
 */
const ALL_PAGES = 0x7fffffff;

export async function backupDatabase(source: Pick<AppDatabase, 'sqlite' | 'path'>, options: BackupOptions): Promise<BackupResult> {
  if (!Number.isInteger(options.keep) || options.keep < 1) throw new Error(`keep must be a positive integer: ${options.keep}`);
  const names = backupNames(source.path);
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const cleaned = cleanPartials(options.dir, names);

  const file = join(options.dir, names.backup(options.now));
  const partial = `${file}${PARTIAL}`;
  // Created by us, private from its first byte; SQLite keeps the mode of a file it is given.
  closeSync(openSync(partial, 'wx', 0o600));
  try {
    await source.sqlite.backup(partial, { progress: () => ALL_PAGES });
    selfContainedAndChecked(partial);
    syncToDisk(partial);
    renameSync(partial, file);
    // The rename itself is only durable once the folder is synced too (a power cut right after).
    syncToDisk(options.dir);
  } catch (error) {
    for (const suffix of SIDECARS) rmSync(`${partial}${suffix}`, { force: true });
    throw error;
  }

  const removed: string[] = [];
  for (const old of listBackups(options.dir, source.path).slice(options.keep)) {
    if (old === file) continue; // a clock set in the past must not make the new copy the first to go
    rmSync(old);
    removed.push(old);
  }
  return { file, removed, cleaned };
}

/**
 * The backup folder: DVK_BACKUP_DIR, else `backups` beside the database (./data/backups for the
 * default DB_PATH), so a database in a test's or a demo's folder never backs up into the real one.
 */
export function backupDir(dbPath: string, configured?: string): string {
  return configured ?? join(dirname(dbPath), 'backups');
}

/** This database's backups in the folder, newest first (by the stamp in their name). */
export function listBackups(dir: string, dbPath: string): string[] {
  const names = backupNames(dbPath);
  return readdirOrEmpty(dir)
    .filter((name) => names.isBackup(name))
    .sort()
    .reverse()
    .map((name) => join(dir, name));
}

/** Whether a backup of this database was taken at or after `since` (its stamp says so). */
export function hasBackupSince(dir: string, dbPath: string, since: Date): boolean {
  const names = backupNames(dbPath);
  const first = names.backup(since);
  // Stamps are fixed-width local times in a zone without daylight saving: text order is time order.
  return readdirOrEmpty(dir).some((name) => names.isBackup(name) && name >= first);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function backupNames(dbPath: string) {
  if (dbPath === ':memory:' || dbPath === '') throw new Error('an in-memory database has no file to back up');
  const base = basename(dbPath, extname(dbPath));
  const backup = new RegExp(`^${escape(base)}-\\d{8}-\\d{6}\\.sqlite$`);
  const partial = new RegExp(`^${escape(base)}-\\d{8}-\\d{6}\\.sqlite${escape(PARTIAL)}(-journal|-wal|-shm)?$`);
  return {
    backup: (instant: Date) => `${base}-${fileStamp(instant)}.sqlite`,
    isBackup: (name: string) => backup.test(name),
    isPartial: (name: string) => partial.test(name),
  };
}

/**
 * The copy carries the source's WAL flag; switching it to a rollback journal makes it one file
 * (no -wal/-shm beside it, in the folder or after a restore), then SQLite checks every page.
 */
function selfContainedAndChecked(path: string): void {
  const copy = new Database(path, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    let rows: { integrity_check: string }[];
    try {
      rows = copy.pragma('integrity_check') as { integrity_check: string }[];
    } catch (error) {
      // Damage bad enough that SQLite stops reading is a failed check too, not an I/O error.
      if (error instanceof Database.SqliteError && /^SQLITE_(CORRUPT|NOTADB)/.test(error.code)) throw new BackupCheckError([error.message]);
      throw error;
    }
    const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    if (problems.length > 0) throw new BackupCheckError(problems);
  } finally {
    copy.close();
  }
}

/** Temporary files a crashed backup left behind (an hour old, so never one being written now). */
function cleanPartials(dir: string, names: ReturnType<typeof backupNames>): string[] {
  const cleaned: string[] = [];
  for (const name of readdirOrEmpty(dir)) {
    if (!names.isPartial(name)) continue;
    const path = join(dir, name);
    if (Date.now() - statSync(path).mtimeMs < STALE_PARTIAL_MS) continue;
    rmSync(path, { force: true });
    cleaned.push(path);
  }
  return cleaned;
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function syncToDisk(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
