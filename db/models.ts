import { and, eq, like, sql } from 'drizzle-orm';
import { type Actor, recordAudit } from './audit.js';
import type { Db } from './client.js';
import { type HolderType, type ModelKind, models, modelStateHistory } from './schema.js';

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
  return db
    .select()
    .from(models)
    .where(and(eq(models.unitId, unitId), eq(models.year, year), eq(models.nameKey, nameKey)))
    .get();
}

/** "DVK-2026-0007": the year's next number. Call inside the inserting transaction. */
export function nextModelCode(db: Pick<Db, 'get'>, year: number): string {
  const prefix = `DVK-${year}-`;
  const row = db.get<{ n: number | null }>(
    sql`select max(cast(substr(${models.code}, ${prefix.length + 1}) as integer)) as n from ${models} where ${like(models.code, `${prefix}%`)}`,
  );
  return `${prefix}${String((row.n ?? 0) + 1).padStart(4, '0')}`;
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
    model = tx
      .insert(models)
      .values({ ...input, code: nextModelCode(tx, input.year), state: 'pending', createdBy: actor.personId, createdAt: at, updatedAt: at })
      .returning()
      .get();
  } catch (error) {
    // Another writer got the same name in first (the unique index is the last word).
    const taken = isUniqueViolation(error) ? sameNameModel(tx, input.unitId, input.year, input.nameKey) : undefined;
    if (taken) throw new DuplicateModelName(taken.code);
    throw error;
  }
  tx.insert(modelStateHistory)
    .values({ modelId: model.id, fromState: null, toState: 'pending', actorPersonId: actor.personId, at })
    .run();
  recordAudit(tx, actor, now, { action: 'model.register', entity: 'model', entityId: model.id, after: model });
  return model;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}
