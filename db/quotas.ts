import { and, count, eq, notInArray, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { DEFAULT_SETTINGS } from './defaults.js';
import { type ModelState, models, settings, unitQuotas } from './schema.js';

/**
 * Yearly quotas: how many models a unit must build in a year. Plans count per year and "not
 * cumulated from earlier years", so only models registered for that year count, and a model that
 * was returned or not recognised does not fill the quota.
 */

/** States whose models do not count toward a quota. */
export const NOT_COUNTED: readonly ModelState[] = ['returned', 'not_recognised'];

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

/** The unit's own models of that year that fill its quota. */
export function countedModels(db: Pick<Db, 'select'>, unitId: number, year: number): number {
  const row = prepared(db, prepareQuotaQueries).counted.get({ unitId, year });
  return row?.n ?? 0;
}

/** Asked at each /dangky (the unit's quota is shown) and each registration. */
function prepareQuotaQueries(db: Pick<Db, 'select'>) {
  return {
    defaultQuota: db.select({ value: settings.value }).from(settings).where(eq(settings.key, 'quota.default')).prepare(),
    required: db
      .select({ required: unitQuotas.required })
      .from(unitQuotas)
      .where(and(eq(unitQuotas.unitId, sql.placeholder('unitId')), eq(unitQuotas.year, sql.placeholder('year'))))
      .prepare(),
    counted: db
      .select({ n: count() })
      .from(models)
      .where(and(eq(models.unitId, sql.placeholder('unitId')), eq(models.year, sql.placeholder('year')), notInArray(models.state, [...NOT_COUNTED])))
      .prepare(),
  };
}

export interface QuotaStatus {
  year: number;
  required: number;
  counted: number;
  /** How many more the unit needs this year; 0 once the quota is met. */
  missing: number;
}

export function quotaStatus(db: Pick<Db, 'select'>, unitId: number, year: number): QuotaStatus {
  const required = requiredModels(db, unitId, year);
  const counted = countedModels(db, unitId, year);
  return { year, required, counted, missing: Math.max(0, required - counted) };
}

export function countsTowardQuota(state: ModelState): boolean {
  return !NOT_COUNTED.includes(state);
}

function validQuota(value: unknown): number | undefined {
  // A hand-edited setting ("2", 1.5, -1) must not break every /mohinh.
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}
