import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';

/**
 * Queries built once per connection.
 *
 * drizzle turns a query's builder objects into SQL text on every call, which for the small
 * lookups the bot makes on each message takes longer than SQLite takes to run them. A query
 * made through `prepared(db, build)` is built (and compiled by SQLite) the first time and reused
 * after that, with `sql.placeholder(...)` for its values.
 *
 * The cache is keyed by drizzle's session, which a transaction shares with its database: with
 * better-sqlite3 there is one connection, so a statement prepared on the database runs inside
 * whatever transaction is open on it. Queries built from a transaction are reused by the database
 * and the next transactions in the same way.
 *
 * What is kept is drizzle's own prepared query (`.prepare()`), used through its public API only.
 *
 * `build` must be a function defined once at module level (its identity is the key): an inline
 * arrow would be a new key on each call. A guard throws if that mistake fills the cache.
 */
export function prepared<D extends object, Q>(db: D, build: (db: D) => Q): Q {
  const session = (db as { session?: object }).session ?? db;
  let queries = cache.get(session);
  if (!queries) cache.set(session, (queries = new Map()));
  let query = queries.get(build) as Q | undefined;
  if (query === undefined) {
    if (queries.size >= MAX_BUILDERS) throw new Error('prepared(): build functions must be defined once, at module level');
    query = build(db);
    queries.set(build, query);
  }
  return query;
}

/** Far more than the app's hand-written queries; only a builder made anew on each call gets here. */
const MAX_BUILDERS = 500;

const cache = new WeakMap<object, Map<(db: never) => unknown, unknown>>();

/**
 * `column in (…ids)` for a prepared query: a list of any length goes in one placeholder, as a
 * JSON array (`JSON.stringify(ids)`), so the SQL text — and the compiled statement — stays the
 * same whatever the number. SQLite still searches the column's index once per id.
 */
export function inJsonList(column: SQLWrapper, placeholder: string): SQL {
  return sql`${column} in (select value from json_each(${sql.placeholder(placeholder)}))`;
}
