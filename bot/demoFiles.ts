import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The demo's own files. `npm start -- --demo` rebuilds its sample for the instant it runs at:
 * a database seeded once and replayed later (or with DVK_NOW set earlier) would show history
 * "in the future". So before each run the demo's database and its evidence copies are removed,
 * and only those: the real database (./data/dvk.sqlite), its evidence (./data/evidence) and its
 * backups (./data/backups) sit in the same folder and are never touched.
 */

/** Where the demo lives when DB_PATH is not set. */
export const DEMO_DB_PATH = './data/demo.sqlite';

/**
 * The demo's evidence folder, beside its database but not the real one's `evidence/`: the
 * default folder is derived from the database's folder, which the real database shares.
 */
export function demoEvidenceDir(dbPath: string): string {
  return join(dirname(resolve(dbPath)), 'demo-evidence');
}

/** SQLite's companion files of a database: the write-ahead log, its index, a rollback journal. */
const COMPANIONS = ['', '-wal', '-shm', '-journal'];

/** Removes the demo's database (with its companions) and, when given, its evidence folder. */
export function removeDemoFiles(dbPath: string, evidenceDir: string | undefined): void {
  for (const suffix of COMPANIONS) rmSync(`${dbPath}${suffix}`, { force: true });
  if (evidenceDir) rmSync(evidenceDir, { recursive: true, force: true });
}
