import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { DEFAULT_SETTINGS } from './defaults.js';
import { type ModelState, MODEL_STATES, models, settings, unitQuotas } from './schema.js';

/**
 * Yearly quotas: how many models a unit must build in a year. Plans count per year and "not
 * cumulated from earlier years", so only models registered for that year count. Only approved
 * models fill the quota (issue 22): a registration still waiting for its leader is shown apart,
 * or a unit that registers something weak would look "đủ chỉ tiêu" before anyone has looked at it.
 * A returned or not-recognised model fills nothing.
 */

/** Approved models: the only ones that fill a quota. */
export const COUNTED_STATES: readonly ModelState[] = ['in_progress', 'proposed', 'recognised'];

/** States whose models do not fill a quota (pending ones are shown apart, as waiting). */
export const NOT_COUNTED: readonly ModelState[] = MODEL_STATES.filter((state) => !COUNTED_STATES.includes(state));

/**
 * Registered for the registration deadline: approved or still waiting for approval. The deadline
 * asks units to register on time; whether their leader has decided yet is not theirs to hurry.
 */
export const REGISTERED_STATES: readonly ModelState[] = [...COUNTED_STATES, 'pending'];

/** The deployment-wide default ('quota.default'), falling back to the built-in one. */
export function defaultQuota(db: Pick<Db, 'select'>): number {
  const row = prepared(db, prepareQuotaQueries).defaultQuota.get();
  return validQuota(row?.value) ?? DEFAULT_SETTINGS['quota.default'];
}

/** Models the unit must build in the year: its own row for that year, else the default. */
export function requiredModels(db: Pick<Db, 'select'>, unitId: number, year: number): number {
  const row = prepared(db, prepareQuotaQueries).required.get({ unitId, year });
  return validQuota(row?.required) ?? defaultQuota(db);
}

/** The unit's own models of that year that fill its quota (approved), and those waiting for approval. */
export function countedModels(db: Pick<Db, 'select'>, unitId: number, year: number): { counted: number; pending: number } {
  const rows = prepared(db, prepareQuotaQueries).byState.all({ unitId, year });
  let counted = 0;
  let pending = 0;
  for (const row of rows) {
    if (countsTowardQuota(row.state)) counted += row.n;
    else if (awaitsApproval(row.state)) pending += row.n;
  }
  return { counted, pending };
}

/** Asked at each /mohinh list (the unit's quota heads it). */
function prepareQuotaQueries(db: Pick<Db, 'select'>) {
  return {
    defaultQuota: db.select({ value: settings.value }).from(settings).where(eq(settings.key, 'quota.default')).prepare(),
    required: db
      .select({ required: unitQuotas.required })
      .from(unitQuotas)
      .where(and(eq(unitQuotas.unitId, sql.placeholder('unitId')), eq(unitQuotas.year, sql.placeholder('year'))))
      .prepare(),
    byState: db
      .select({ state: models.state, n: sql<number>`count(*)` })
      .from(models)
      .where(and(eq(models.unitId, sql.placeholder('unitId')), eq(models.year, sql.placeholder('year')), inArray(models.state, [...REGISTERED_STATES])))
      .groupBy(models.state)
      .prepare(),
  };
}

export interface QuotaStatus {
  year: number;
  required: number;
  /** Approved models of the year: what fills the quota. */
  counted: number;
  /** Registered, waiting for approval: shown apart, not yet in `counted` nor taken off `missing`. */
  pending: number;
  /** How many more approved models the unit needs this year; 0 once the quota is met. */
  missing: number;
}

export function quotaStatus(db: Pick<Db, 'select'>, unitId: number, year: number): QuotaStatus {
  const required = requiredModels(db, unitId, year);
  const { counted, pending } = countedModels(db, unitId, year);
  return { year, required, counted, pending, missing: Math.max(0, required - counted) };
}

/** Whether a model in this state fills its unit's quota: approved, whatever came after. */
export function countsTowardQuota(state: ModelState): boolean {
  return COUNTED_STATES.includes(state);
}

/** Whether a model in this state is a registration waiting for approval (shown apart from the quota). */
export function awaitsApproval(state: ModelState): boolean {
  return state === 'pending';
}

function validQuota(value: unknown): number | undefined {
  // A hand-edited setting ("2", 1.5, -1) must not break every /mohinh.
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}
