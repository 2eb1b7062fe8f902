import type Database from 'better-sqlite3';
import type { Db } from './client.js';

/**
 * A transaction made once and called many times, for the paths every message takes.
 *
 * `db.transaction(fn)` in drizzle builds, on each call, a transaction object and four
 * better-sqlite3 wrapper functions (one per BEGIN kind) before running anything: a few percent
 * of a message's handling, measured. better-sqlite3's own `transaction(fn)` builds them once.
 * `fn` queries through `db` itself: with better-sqlite3 there is one connection, so whatever runs
 * inside `fn` runs in the open transaction (and drizzle's `db.transaction` inside becomes a
 * savepoint). Build it once (a field, a module constant), not per call, or nothing is gained.
 * Every call begins IMMEDIATE, as every transaction of the app's connection does (db/client.ts).
 */
export function reusableTransaction<A extends unknown[], R>(db: Db, fn: (...args: A) => R): Database.Transaction<(...args: A) => R> {
  const client = (db as { $client?: Database.Database }).$client;
  if (typeof client?.transaction !== 'function') throw new Error('reusableTransaction needs the database, not a transaction');
  return client.transaction(fn);
}
