import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { type AppDatabase, MIGRATIONS_FOLDER, openDatabase } from '../../db/client.js';

/**
 * A copy of the real migrations in `dir` plus one more (`tag`, running `statement`), as the next
 * release would ship: opening an existing file with it makes the pre-migration copy.
 */
export function migrationsWithOneMore(dir: string, tag: string, statement: string): string {
  const folder = join(dir, 'migrations');
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
  const last = journal.entries.at(-1);
  journal.entries.push({ idx: last.idx + 1, version: last.version, when: last.when + 1000, tag, breakpoints: true });
  writeFileSync(journalPath, JSON.stringify(journal));
  writeFileSync(join(folder, `${tag}.sql`), statement);
  return folder;
}

/** A copy of the real migrations in `dir` up to and including `tag`: a database as an older release left it. */
export function migrationsUpTo(dir: string, tag: string): string {
  const folder = join(dir, 'migrations-old');
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
  const at = journal.entries.findIndex((e: { tag: string }) => e.tag === tag);
  if (at < 0) throw new Error(`no migration ${tag}`);
  journal.entries = journal.entries.slice(0, at + 1);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

/**
 * A database file made by the release that ended with migration `before`, then opened by this one:
 * the upgraded database (the caller closes it) and whether `table` was there before the upgrade.
 */
export async function upgradedFrom(
  dir: string,
  path: string,
  before: string,
  table: string,
  clock: Clock,
): Promise<{ upgraded: AppDatabase; hadTable: boolean }> {
  const hasTable = (a: AppDatabase) => a.sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(table) !== undefined;
  const old = await openDatabase(path, { clock, migrationsFolder: migrationsUpTo(dir, before) });
  const hadTable = hasTable(old);
  old.close();
  const upgraded = await openDatabase(path, { clock });
  if (!hasTable(upgraded)) {
    upgraded.close();
    throw new Error(`the upgrade did not create ${table}`);
  }
  return { upgraded, hadTable };
}
