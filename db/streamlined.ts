import type Database from 'better-sqlite3';
import { Column, is, noopDecoder, Param, Placeholder, SQL, Subquery } from 'drizzle-orm';

/**
 * drizzle's prepared queries, run without the reflection drizzle does on every call.
 *
 * A prepared drizzle query still, at each run, walks its parameters asking each what it is
 * (`is(p, Placeholder)`, an `instanceof` and a prototype walk) and maps each row column by column
 * the same way. For the few small queries every message makes, that was about a twentieth of a
 * message's handling (measured). Everything it decides depends only on the query, so it is
 * decided once here, and the query's `run`, `get`, `all` and `values` are replaced by functions
 * that only bind values and copy columns, with drizzle's own encoders and decoders (JSON, booleans).
 *
 * This reads the internals of drizzle-orm's better-sqlite3 prepared query (`stmt`, `query.params`,
 * `fields`, `joinsNotNullableMap`, `customResultMapper`; drizzle-orm is pinned). A query that does
 * not look like one is returned as it is, and tests/db/streamlined.test.ts fails if the pinned
 * drizzle stops being streamlined, and compares every shape of query the app uses with drizzle's
 * own results. drizzle's query logger is skipped: the app configures none.
 */
export function streamlined<Q>(query: Q): Q {
  const q = query as unknown as DrizzlePrepared;
  if (!looksPrepared(q)) return query;
  const fill = compileParams(q.query.params);
  if (!fill) return query;
  const { stmt } = q;
  q.run = (values) => stmt.run(...fill(values));
  q.values = (values) => stmt.raw(true).all(...fill(values));
  if (q.customResultMapper) return query; // drizzle's own mapping (not used by the app's queries)
  if (!q.fields) {
    q.get = (values) => stmt.raw(false).get(...fill(values));
    q.all = (values) => stmt.raw(false).all(...fill(values));
    return query;
  }
  // A left join may turn a joined table's columns into one null: drizzle's mapping handles it.
  const map = nullableJoins(q.joinsNotNullableMap) ? undefined : compileRow(q.fields);
  if (!map) return query;
  q.get = (values) => {
    const row = stmt.raw(true).get(...fill(values)) as unknown[] | undefined;
    return row === undefined ? undefined : map(row);
  };
  q.all = (values) => (stmt.raw(true).all(...fill(values)) as unknown[][]).map(map);
  return query;
}

/** Whether this is a drizzle prepared query `streamlined` can take over. */
export function isStreamlinable(query: unknown): boolean {
  return looksPrepared(query as DrizzlePrepared);
}

/** Whether `streamlined` took this query over (tests ask, so a drizzle upgrade cannot silently undo it). */
export function isStreamlined(query: unknown): boolean {
  return looksPrepared(query as DrizzlePrepared) && Object.hasOwn(query as object, 'run');
}

type Values = Record<string, unknown> | undefined;

interface Field {
  path: string[];
  field: unknown;
}

interface DrizzlePrepared {
  stmt: Database.Statement;
  query: { sql: string; params: unknown[] };
  fields?: Field[];
  joinsNotNullableMap?: Record<string, boolean>;
  customResultMapper?: unknown;
  run(values?: Values): unknown;
  get(values?: Values): unknown;
  all(values?: Values): unknown;
  values(values?: Values): unknown;
}

function looksPrepared(q: DrizzlePrepared | undefined): q is DrizzlePrepared {
  return (
    typeof q === 'object' &&
    q !== null &&
    typeof q.stmt?.run === 'function' &&
    typeof q.stmt.raw === 'function' &&
    Array.isArray(q.query?.params) &&
    (q.fields === undefined || Array.isArray(q.fields))
  );
}

/** Each parameter decided once: a constant, a placeholder's value, or its value through the column's encoder. */
function compileParams(params: unknown[]): ((values: Values) => unknown[]) | undefined {
  const slots: Array<(values: Record<string, unknown>) => unknown> = [];
  for (const p of params) {
    if (is(p, Placeholder)) {
      slots.push(valueOf(p.name));
    } else if (is(p, Param) && is(p.value, Placeholder)) {
      const read = valueOf(p.value.name);
      const encoder = p.encoder as { mapToDriverValue(v: unknown): unknown } | undefined;
      if (!encoder) return undefined;
      slots.push((values) => encoder.mapToDriverValue(read(values)));
    } else if (is(p, Param) || is(p, SQL)) {
      return undefined; // not what drizzle leaves in a built query's params: leave it to drizzle
    } else {
      slots.push(() => p);
    }
  }
  const n = slots.length;
  return (values) => {
    const given = values ?? {};
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = slots[i]!(given);
    return out;
  };
}

function valueOf(name: string): (values: Record<string, unknown>) => unknown {
  return (values) => {
    if (!(name in values)) throw new Error(`No value for placeholder "${name}" was provided`);
    return values[name];
  };
}

function nullableJoins(map: Record<string, boolean> | undefined): boolean {
  return map !== undefined && Object.values(map).some((notNull) => !notNull);
}

/** A row (array of column values) to the object drizzle would build, decoders picked once. */
function compileRow(fields: Field[]): ((row: unknown[]) => Record<string, unknown>) | undefined {
  const columns: Array<{ path: string[]; decode: ((v: unknown) => unknown) | undefined }> = [];
  for (const { path, field } of fields) {
    if (path.length === 0) return undefined;
    const decoder = decoderOf(field);
    if (!decoder) return undefined;
    columns.push({ path, decode: isIdentity(decoder) ? undefined : (v) => decoder.mapFromDriverValue(v) });
  }
  return (row) => {
    const result: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const { path, decode } = columns[i]!;
      const raw = row[i];
      const value = raw === null ? null : decode ? decode(raw) : raw;
      let node = result;
      for (let k = 0; k < path.length - 1; k++) node = (node[path[k]!] ??= {}) as Record<string, unknown>;
      node[path[path.length - 1]!] = value;
    }
    return result;
  };
}

type Decoder = { mapFromDriverValue(value: unknown): unknown };

/** The decoder drizzle's mapResultRow would use for this selected field. */
function decoderOf(field: unknown): Decoder | undefined {
  if (is(field, Column)) return field as unknown as Decoder;
  // `decoder` is internal to drizzle's SQL (set by .mapWith), hence not in its type.
  const decoderOfSql = (s: SQL) => (s as unknown as { decoder: Decoder }).decoder;
  if (is(field, SQL)) return decoderOfSql(field);
  if (is(field, Subquery)) return decoderOfSql((field as unknown as { _: { sql: SQL } })._.sql);
  const aliased = (field as { sql?: unknown }).sql;
  return is(aliased, SQL) ? decoderOfSql(aliased) : undefined;
}

/** drizzle's base column and its no-op decoder return the driver value as it is. */
function isIdentity(decoder: Decoder): boolean {
  return decoder.mapFromDriverValue === Column.prototype.mapFromDriverValue || decoder.mapFromDriverValue === noopDecoder.mapFromDriverValue;
}
