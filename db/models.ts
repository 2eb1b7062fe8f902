import { and, eq, sql } from 'drizzle-orm';
import { modelCode, yearCodeRange } from '../core/modelCode.js';
import { type Actor, recordAudit } from './audit.js';
import type { Conflict } from './scope.js';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { type HolderType, type ModelKind, type ModelState, models, modelStateHistory } from './schema.js';

export type ModelRow = typeof models.$inferSelect;

export interface NewModel {
  year: number;
  unitId: number;
  kind: ModelKind;
  holderType: HolderType;
  holderName: string | null;
  fieldId: number;
  name: string;
  nameKey: string;
  content: string;
  expectedResult: string | null;
  startDate: string;
  endDate: string;
  personInCharge: string;
}

export class DuplicateModelName extends Error {
  constructor(readonly existingCode: string) {
    super(`model name already registered as ${existingCode}`);
  }
}

/** The model this unit already registered under the same (folded) name this year, if any. */
export function sameNameModel(db: Pick<Db, 'select'>, unitId: number, year: number, nameKey: string): ModelRow | undefined {
  return prepared(db, prepareModelLookups).sameName.get({ unitId, year, nameKey });
}

/** Lookups of one model, asked at most steps of /dangky, /capnhat and /mohinh. */
function prepareModelLookups(db: Pick<Db, 'select'>) {
  const p = sql.placeholder;
  return {
    sameName: db
      .select()
      .from(models)
      .where(and(eq(models.unitId, p('unitId')), eq(models.year, p('year')), eq(models.nameKey, p('nameKey'))))
      .prepare(),
    byId: db
      .select()
      .from(models)
      .where(eq(models.id, p('id')))
      .prepare(),
    byCode: db
      .select()
      .from(models)
      .where(eq(models.code, p('code')))
      .prepare(),
  };
}

export function modelById(db: Pick<Db, 'select'>, id: number): ModelRow | undefined {
  return prepared(db, prepareModelLookups).byId.get({ id });
}

/** "DVK-2026-0007": the year's next number. Call inside the inserting transaction. */
export function nextModelCode(db: Pick<Db, 'get'>, year: number): string {
  // The year's codes read as a range of the codes' unique index: a LIKE can use no index here,
  // and a bound LIKE pattern makes SQLite re-plan the statement on every run.
  const { from, to, numberAt } = yearCodeRange(year);
  const row = db.get<{ n: number | null }>(
    sql`select max(cast(substr(${models.code}, ${numberAt}) as integer)) as n from ${models} where ${models.code} >= ${from} and ${models.code} < ${to}`,
  );
  return modelCode(year, (row.n ?? 0) + 1);
}

/**
 * Registers a model in state "chờ duyệt", with its first history row and an audit row.
 * Must run inside a transaction; throws DuplicateModelName when the unit already has that name
 * for the year (also when two officers confirm the same name at the same moment).
 */
export function registerModel(tx: Db, input: NewModel, actor: Actor, now: Date): ModelRow {
  const existing = sameNameModel(tx, input.unitId, input.year, input.nameKey);
  if (existing) throw new DuplicateModelName(existing.code);
  const at = now.getTime();
  let model: ModelRow;
  try {
    model = prepared(tx, prepareRegistration).model.get({ ...input, code: nextModelCode(tx, input.year), createdBy: actor.personId, at });
  } catch (error) {
    // Another writer got the same name in first (the unique index is the last word).
    const taken = isUniqueViolation(error) ? sameNameModel(tx, input.unitId, input.year, input.nameKey) : undefined;
    if (taken) throw new DuplicateModelName(taken.code);
    throw error;
  }
  prepared(tx, prepareRegistration).history.run({ modelId: model.id, actorPersonId: actor.personId, at });
  recordAudit(tx, actor, now, { action: 'model.register', entity: 'model', entityId: model.id, after: model });
  return model;
}

/** The two inserts of every /dangky saved: the model, pending, and the first line of its history. */
function prepareRegistration(db: Db) {
  const value = (key: keyof NewModel | 'code' | 'createdBy') => sql.placeholder(key);
  return {
    model: db
      .insert(models)
      .values({
        code: value('code'),
        year: value('year'),
        unitId: value('unitId'),
        kind: value('kind'),
        holderType: value('holderType'),
        holderName: value('holderName'),
        fieldId: value('fieldId'),
        name: value('name'),
        nameKey: value('nameKey'),
        content: value('content'),
        expectedResult: value('expectedResult'),
        startDate: value('startDate'),
        endDate: value('endDate'),
        personInCharge: value('personInCharge'),
        state: 'pending',
        createdBy: value('createdBy'),
        createdAt: sql.placeholder('at'),
        updatedAt: sql.placeholder('at'),
      })
      .returning()
      .prepare(),
    history: db
      .insert(modelStateHistory)
      .values({
        modelId: sql.placeholder('modelId'),
        fromState: null,
        toState: 'pending',
        actorPersonId: sql.placeholder('actorPersonId'),
        at: sql.placeholder('at'),
      })
      .prepare(),
  };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** What a leader or admin (or, for a proposal, the unit) can do to a model. */
export const MODEL_EVENTS = ['approve', 'return', 'propose', 'recognise', 'not_recognise', 'replicate', 'commend'] as const;
export type ModelEvent = (typeof MODEL_EVENTS)[number];

/**
 * The life of a model. `to: null` marks an after-life event (replicated, commended) that leaves
 * the state as it is and sets its timestamp instead.
 */
export const MODEL_TRANSITIONS: Record<ModelEvent, { from: readonly ModelState[]; to: ModelState | null; reasonRequired: boolean }> = {
  approve: { from: ['pending', 'returned'], to: 'in_progress', reasonRequired: false },
  return: { from: ['pending'], to: 'returned', reasonRequired: true },
  propose: { from: ['in_progress'], to: 'proposed', reasonRequired: false },
  recognise: { from: ['proposed', 'in_progress'], to: 'recognised', reasonRequired: false },
  not_recognise: { from: ['proposed'], to: 'not_recognised', reasonRequired: true },
  replicate: { from: ['recognised'], to: null, reasonRequired: false },
  commend: { from: ['recognised'], to: null, reasonRequired: false },
};

export class TransitionRefused extends Error {
  constructor(
    readonly event: ModelEvent,
    readonly state: ModelState,
  ) {
    super(`cannot ${event} a model in state ${state}`);
  }
}

/**
 * Applies one event to a model: new state (or after-life timestamp), a history row and an
 * audit row with before/after. Runs inside the caller's transaction; refuses events the model's
 * state does not allow, and after-life events already recorded.
 */
export function applyModelEvent(
  tx: Db,
  model: ModelRow,
  event: ModelEvent,
  reason: string | null,
  actor: Actor,
  now: Date,
  /** An admin deciding on their own work where the deployment allows it: marked in the audit row. */
  selfDecision?: Conflict,
): ModelRow {
  const rule = MODEL_TRANSITIONS[event];
  const already = (event === 'replicate' && model.replicatedAt !== null) || (event === 'commend' && model.commendedAt !== null);
  if (!rule.from.includes(model.state) || already) throw new TransitionRefused(event, model.state);
  const at = now.getTime();
  const patch =
    rule.to !== null ? { state: rule.to, updatedAt: at } : event === 'replicate' ? { replicatedAt: at, updatedAt: at } : { commendedAt: at, updatedAt: at };
  const after = tx.update(models).set(patch).where(eq(models.id, model.id)).returning().get();
  tx.insert(modelStateHistory)
    .values({
      modelId: model.id,
      fromState: model.state,
      toState: rule.to ?? (event === 'replicate' ? 'replicated' : 'commended'),
      reason,
      actorPersonId: actor.personId,
      at,
    })
    .run();
  recordAudit(tx, actor, now, {
    action: `model.${event}`,
    entity: 'model',
    entityId: model.id,
    before: model,
    after: selfDecision ? { ...after, selfDecision } : after,
  });
  return after;
}

export function modelByCode(db: Pick<Db, 'select'>, code: string): ModelRow | undefined {
  return prepared(db, prepareModelLookups).byCode.get({ code: code.trim().toUpperCase() });
}
