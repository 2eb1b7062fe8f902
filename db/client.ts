import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { type Clock, fileStamp, systemClock } from '../bot/clock.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

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
    mkdirSync(dirname(resolve(path)), { recursive: true });
    // Create the file ourselves so it is private from its first byte (it holds people's data).
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  }

  const sqlite = new Database(path);
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    sqlite.pragma('foreign_keys = ON');
    // WAL + NORMAL is durable across process crashes; only an OS crash may lose the last commit.
    sqlite.pragma('synchronous = NORMAL');

    let backupPath: string | null = null;
    if (existed && pendingMigrations(sqlite, migrationsFolder) > 0) {
      backupPath = `${path}.before-migration-${fileStamp(clock.now())}.bak`;
      await sqlite.backup(backupPath);
      chmodSync(backupPath, 0o600);
    }

    const db = drizzle(sqlite, { schema });
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
  const hasTable = sqlite
    .prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'")
    .get();
  if (!hasTable) return files.length;
  const last = sqlite.prepare('select max(created_at) as at from __drizzle_migrations').get() as { at: number | null };
  return files.filter((m) => m.folderMillis > (last.at ?? 0)).length;
}
