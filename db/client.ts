import { chmodSync, closeSync, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { type Clock, fileStamp, systemClock } from '../core/clock.js';
/**
 * No schema is given to drizzle: the app uses no relational queries (`db.query`), and with a
 * schema drizzle builds a query builder per table for every transaction it opens (measured: a
 * few percent of a message's handling).
 */
export type Db = BetterSQLite3Database;

export interface AppDatabase {
  db: Db;
  sqlite: Database.Database;
  path: string;
  /** The copy made before migrations ran on an existing file, if any. */
  backupPath: string | null;
  close(): void;
}

export interface OpenOptions {
  clock?: Clock;
  /** Tests point this at a folder with extra migrations to play an upgrade. */
  migrationsFolder?: string;
  busyTimeoutMs?: number;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Opens (creating if needed) the database: pragmas, then — if migrations are pending on an
 * existing file — an online backup copy next to it, then the migrations.
 */
export async function openDatabase(path: string, options: OpenOptions = {}): Promise<AppDatabase> {
  const clock = options.clock ?? systemClock;
  const migrationsFolder = options.migrationsFolder ?? MIGRATIONS_FOLDER;
  const inMemory = path === ':memory:';
  const existed = !inMemory && existsSync(path) && statSync(path).size > 0;

  if (!inMemory) {
    // A folder made for it is private too (SQLite puts the -wal and -shm files next to it).
    mkdirSync(dirname(resolve(path)), { recursive: true, mode: 0o700 });
    // Create the file ourselves so it is private from its first byte (it holds people's data).
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  }

  const sqlite = new Database(path);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    sqlite.pragma('foreign_keys = ON');
    // Deleted rows are overwritten where that costs no extra I/O, so a removed person's name does
    // not linger in free pages of the file (Law 91/2025: deletion means deletion).
    sqlite.pragma('secure_delete = FAST');
    // WAL + NORMAL is durable across process crashes; only an OS crash may lose the last commit.
    sqlite.pragma('synchronous = NORMAL');

    let backupPath: string | null = null;
    if (existed && pendingMigrations(sqlite, migrationsFolder) > 0) {
      backupPath = `${path}.before-migration-${fileStamp(clock.now())}.bak`;
      // Created private before SQLite writes into it (it would create the file 0644, readable by
      // all for as long as the copy takes); SQLite keeps an existing file's mode.
      rmSync(backupPath, { force: true });
      closeSync(openSync(backupPath, 'wx', 0o600));
      try {
        await sqlite.backup(backupPath);
      } catch (error) {
        rmSync(backupPath, { force: true });
        throw error;
      }
      chmodSync(backupPath, 0o600);
    }

    const db = drizzle(withStatementCache(sqlite));
    migrate(db, { migrationsFolder });
    return { db, sqlite, path, backupPath, close: () => sqlite.close() };
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

/** How many migrations in the folder have not been applied to this database yet. */
export function pendingMigrations(sqlite: Database.Database, migrationsFolder = MIGRATIONS_FOLDER): number {
  const files = readMigrationFiles({ migrationsFolder });
  const hasTable = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
  if (!hasTable) return files.length;
  const last = sqlite.prepare('select max(created_at) as at from __drizzle_migrations').get() as { at: number | null };
  return files.filter((m) => m.folderMillis > (last.at ?? 0)).length;
}

/** Compiled statements kept per database; texts with inlined values vary, so the cache is bounded. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The connection as drizzle sees it: every transaction IMMEDIATE (see `transaction` below), and
 * the statements it compiles kept. drizzle asks SQLite to
 * compile every query anew (tens of microseconds for a join, on every message); the app repeats
 * the same few hundred texts, so each is compiled once. A statement still being iterated is not
 * shared, and one taken from the cache is back in row-object mode (drizzle switches raw mode on
 * for the queries whose rows it maps itself, and only then).
 */
function withStatementCache(sqlite: Database.Database): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = (source: string): Database.Statement => {
    const cached = cache.get(source);
    if (cached && !cached.busy) {
      if (cached.reader) cached.raw(false);
      // Least recently used goes first: a Map keeps insertion order.
      cache.delete(source);
      cache.set(source, cached);
      return cached;
    }
    const statement = sqlite.prepare(source);
    if (!cached) {
      cache.set(source, statement);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    return statement;
  };
  /**
   * `sqlite.transaction(fn)` whose plain call and `.deferred` begin IMMEDIATE, as `.immediate`
   * does: drizzle's `db.transaction` (deferred unless told) and reusableTransaction both come here.
   *
   * A deferred transaction that reads before it writes cannot wait for another process's write
   * lock: SQLite does not call the busy handler when a read transaction asks to become a write
   * one (and in WAL, a commit by another process since the read makes it fail regardless). It
   * fails at once with "database is locked" whenever another process is writing (a bot still
   * draining during a restart, an admin CLI, a second bot): at start-up (the calendar sync, the
   * demo seed), in a CLI (`admin add`), in the middle of a message. IMMEDIATE takes the write
   * lock at BEGIN, where busy_timeout applies, so the transaction waits its turn instead. With
   * one connection per process this costs nothing inside the process, and every transaction
   * here writes (a read-only snapshot belongs on a connection of its own, as the report thread's).
   */
  const transaction = (fn: (...args: never[]) => unknown) => {
    const native = sqlite.transaction(fn);
    const immediate = native.immediate;
    return Object.assign((...args: never[]) => immediate(...args), {
      default: immediate,
      deferred: immediate,
      immediate,
      exclusive: native.exclusive,
    });
  };
  return new Proxy(sqlite, {
    get(target, key) {
      if (key === 'prepare') return prepare;
      if (key === 'transaction') return transaction;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
