import { and, asc, count, desc, eq, exists, inArray, isNotNull, isNull, not, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { attachmentsOfUpdates } from './evidence.js';
import { inJsonList, prepared } from './prepared.js';
import type { ModelRow } from './models.js';
import { fields, type ModelState, MODEL_STATES, models, modelStateHistory, people, progressUpdates, units } from './schema.js';
import type { Scope } from './scope.js';
import type { UnitRow } from './units.js';
import type { AttachmentRow } from './updates.js';

/** Read-only questions about models: what /mohinh and the decision commands show. */

export type UpdateRow = typeof progressUpdates.$inferSelect;
export type HistoryRow = typeof modelStateHistory.$inferSelect;

export interface ModelWithLatest {
  model: ModelRow;
  /** The most recent progress update, if any was sent. */
  latest: UpdateRow | undefined;
}

/** The unit's own models of the year, in code order, each with its latest progress update. */
export function unitYearModels(db: Db, unitId: number, year: number): ModelWithLatest[] {
  const rows = prepared(db, prepareUnitYear).all({ unitId, year });
  const latest = latestUpdates(
    db,
    rows.map((m) => m.id),
  );
  return rows.map((model) => ({ model, latest: latest.get(model.id) }));
}

/** /mohinh's list of a unit. */
function prepareUnitYear(db: Db) {
  return db
    .select()
    .from(models)
    .where(and(eq(models.unitId, sql.placeholder('unitId')), eq(models.year, sql.placeholder('year'))))
    .orderBy(asc(models.code))
    .prepare();
}

/** The latest update of each model; the later id wins when two share an instant. */
export function latestUpdates(db: Db, modelIds: readonly number[]): Map<number, UpdateRow> {
  const found = new Map<number, UpdateRow>();
  if (modelIds.length === 0) return found;
  const rows = prepared(db, prepareLatestOfEach).all({ modelIds: JSON.stringify(modelIds) });
  for (const row of rows) if (!found.has(row.modelId)) found.set(row.modelId, row);
  return found;
}

function prepareLatestOfEach(db: Db) {
  return db
    .select()
    .from(progressUpdates)
    .where(inJsonList(progressUpdates.modelId, 'modelIds'))
    .orderBy(desc(progressUpdates.createdAt), desc(progressUpdates.id))
    .prepare();
}

export interface HistoryEntry {
  row: HistoryRow;
  /** Who made the change; null for the system or a deleted person. */
  actorName: string | null;
}

export interface UpdateEntry {
  row: UpdateRow;
  authorName: string | null;
  /** The photos and files sent with it, and whether the bot kept a copy (db/evidence.ts). */
  files: AttachmentRow[];
}

export interface ModelCard {
  model: ModelRow;
  unit: UnitRow;
  fieldLabel: string;
  /** Most recent first. */
  history: HistoryEntry[];
  /** Most recent first, at most the limit asked for. */
  updates: UpdateEntry[];
  /** All updates of the model, to say how many were left out. */
  updateCount: number;
}

/** Everything a model's card shows. */
export function modelCard(db: Db, modelId: number, updateLimit: number): ModelCard | undefined {
  const queries = prepared(db, prepareCard);
  const head = queries.head.get({ modelId });
  if (!head) return undefined;
  const history = queries.history.all({ modelId });
  // A model gets an update a month or so: all of them are read, and the card keeps the newest.
  // (A bound LIMIT would also make SQLite re-plan the statement on every run.)
  const updates = queries.updates.all({ modelId });
  const shown = updates.slice(0, updateLimit);
  const files = attachmentsOfUpdates(
    db,
    shown.map((u) => u.row.id),
  );
  return {
    ...head,
    history,
    updates: shown.map((u) => ({ ...u, files: files.filter((f) => f.updateId === u.row.id) })),
    updateCount: updates.length,
  };
}

/** /mohinh <mã> and the buttons of a unit's list open cards. */
function prepareCard(db: Db) {
  const modelId = sql.placeholder('modelId');
  return {
    head: db
      .select({ model: models, unit: units, fieldLabel: fields.label })
      .from(models)
      .innerJoin(units, eq(units.id, models.unitId))
      .innerJoin(fields, eq(fields.id, models.fieldId))
      .where(eq(models.id, modelId))
      .prepare(),
    history: db
      .select({ row: modelStateHistory, actorName: people.displayName })
      .from(modelStateHistory)
      .leftJoin(people, eq(people.id, modelStateHistory.actorPersonId))
      .where(eq(modelStateHistory.modelId, modelId))
      .orderBy(desc(modelStateHistory.at), desc(modelStateHistory.id))
      .prepare(),
    updates: db
      .select({ row: progressUpdates, authorName: people.displayName })
      .from(progressUpdates)
      .leftJoin(people, eq(people.id, progressUpdates.authorPersonId))
      .where(eq(progressUpdates.modelId, modelId))
      .orderBy(desc(progressUpdates.createdAt), desc(progressUpdates.id))
      .prepare(),
  };
}

export interface ScopeCounts {
  total: number;
  byState: Record<ModelState, number>;
  replicated: number;
  commended: number;
}

/** How many models of the year the scope holds, per state, and how many were replicated or commended. */
export function scopeYearCounts(db: Db, scope: Scope, year: number): ScopeCounts {
  const byState = Object.fromEntries(MODEL_STATES.map((s) => [s, 0])) as Record<ModelState, number>;
  const result: ScopeCounts = { total: 0, byState, replicated: 0, commended: 0 };
  const unitFilter = scopeFilter(scope);
  if (unitFilter === null) return result;
  const inYear = and(eq(models.year, year), unitFilter);
  for (const row of db.select({ state: models.state, n: count() }).from(models).where(inYear).groupBy(models.state).all()) {
    byState[row.state] = row.n;
    result.total += row.n;
  }
  result.replicated =
    db
      .select({ n: count() })
      .from(models)
      .where(and(inYear, isNotNull(models.replicatedAt)))
      .get()?.n ?? 0;
  result.commended =
    db
      .select({ n: count() })
      .from(models)
      .where(and(inYear, isNotNull(models.commendedAt)))
      .get()?.n ?? 0;
  return result;
}

export interface AwaitingModel {
  model: ModelRow;
  unitName: string;
  /** When it entered the state it waits in (sent for review, proposed, recognised): epoch ms. */
  waitingSince: number;
}

/** Models a person may not decide on: those they registered, those of units they are officer of. */
export interface OwnWork {
  personId: number;
  officerUnitIds: readonly number[];
}

/**
 * Models of the scope, of any year, in the given states and (optionally) not yet replicated or
 * commended: what a decision is waiting on. Oldest first by the time each entered the state it
 * waits in (a returned model sent again waits from then), since they have waited longest; at
 * most `limit`, with the full count. The decision commands number this order (/duyet 2). With
 * `leaveOut`, the person's own work is not listed (someone else decides on it) and only counted,
 * as `leftOut`.
 */
export function modelsAwaiting(
  db: Db,
  scope: Scope,
  filter: { states: readonly ModelState[]; notYet?: 'replicated' | 'commended' },
  limit: number,
  leaveOut?: OwnWork,
): { items: AwaitingModel[]; total: number; leftOut: number } {
  const unitFilter = scopeFilter(scope);
  if (unitFilter === null || filter.states.length === 0) return { items: [], total: 0, leftOut: 0 };
  const conditions: (SQL | undefined)[] = [inArray(models.state, [...filter.states]), unitFilter];
  if (filter.notYet === 'replicated') conditions.push(isNull(models.replicatedAt));
  if (filter.notYet === 'commended') conditions.push(isNull(models.commendedAt));
  let leftOut = 0;
  if (leaveOut) {
    // "created_by = ?" is NULL, not false, for a model registered by no one (the CLI, a deleted
    // person): without the guard, NOT (NULL) would drop it from every list and every count.
    const own = or(and(isNotNull(models.createdBy), eq(models.createdBy, leaveOut.personId)), inArray(models.unitId, [...leaveOut.officerUnitIds]));
    leftOut =
      db
        .select({ n: count() })
        .from(models)
        .where(and(...conditions, own))
        .get()?.n ?? 0;
    conditions.push(not(own!));
  }
  const where = and(...conditions);
  // Models older than the history table have no row for their state: their registration counts.
  const waitingSince = sql<number>`coalesce((select max(${modelStateHistory.at}) from ${modelStateHistory} where ${modelStateHistory.modelId} = ${models.id} and ${modelStateHistory.toState} = ${models.state}), ${models.createdAt})`;
  const items = db
    .select({ model: models, unitName: units.name, waitingSince })
    .from(models)
    .innerJoin(units, eq(units.id, models.unitId))
    .where(where)
    .orderBy(asc(waitingSince), asc(models.id))
    .limit(limit)
    .all();
  const total = db.select({ n: count() }).from(models).where(where).get()?.n ?? 0;
  return { items, total, leftOut };
}

/** The SQL condition for "a model of a unit in scope"; undefined = no restriction, null = nothing. */
function scopeFilter(scope: Scope): SQL | undefined | null {
  if (scope.all) return undefined;
  if (scope.unitIds.size === 0) return null;
  return inArray(models.unitId, [...scope.unitIds]);
}

/** Approved and not yet closed: the states in which a unit reports progress. */
export const UPDATABLE_STATES: readonly ModelState[] = ['in_progress', 'proposed', 'recognised'];

/** The year's models of the scope that may receive a progress update now (/capnhat's list), in code order. */
export function updatableModels(db: Db, scope: Scope, year: number): ModelRow[] {
  if (!scope.all && scope.unitIds.size === 0) return [];
  // An officer's scope is a unit or two: asked in SQL, not by reading the province's models.
  if (scope.all) return prepared(db, prepareUpdatable).all.all({ year });
  return prepared(db, prepareUpdatable).inUnits.all({ year, unitIds: JSON.stringify([...scope.unitIds]) });
}

/** Asked at each answer to /capnhat's model question. A stopped unit's models take no update. */
function prepareUpdatable(db: Db) {
  const updatable = and(
    eq(models.year, sql.placeholder('year')),
    inArray(models.state, [...UPDATABLE_STATES]),
    // Correlated, so it is a primary-key lookup per model found, not a scan of every unit.
    exists(
      db
        .select({ one: sql`1` })
        .from(units)
        .where(and(eq(units.id, models.unitId), eq(units.active, true))),
    ),
  );
  return {
    all: db.select().from(models).where(updatable).orderBy(asc(models.code)).prepare(),
    inUnits: db
      .select()
      .from(models)
      .where(and(updatable, inJsonList(models.unitId, 'unitIds')))
      .orderBy(asc(models.code))
      .prepare(),
  };
}
