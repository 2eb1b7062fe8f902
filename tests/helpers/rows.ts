import { and, asc, eq } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client.js';
import type { ModelRow, NewModel } from '../../db/models.js';
import { auditLog, fields, identities, models, units } from '../../db/schema.js';
import { fold } from '../../core/text.js';
import type { UnitRow } from '../../db/units.js';

/**
 * Rows a test reads back by the names it knows them by (a unit's short code, a person's platform
 * id), straight from the tables: exact matches, no case folding, so a test sees what was stored
 * and not what a command would have understood (db/unitAdmin's unitByCode folds the case).
 */

/** The unit with this short code, if there is one. */
export function findUnit(db: Db, shortCode: string): UnitRow | undefined {
  return db.select().from(units).where(eq(units.shortCode, shortCode)).get();
}

/** The unit with this short code, which the test knows is there. */
export function unitOf(db: Db, shortCode: string): UnitRow {
  const unit = findUnit(db, shortCode);
  if (!unit) throw new Error(`no unit with the short code ${shortCode}`);
  return unit;
}

/** The short code of a unit's parent (null for the root). */
export function parentCodeOf(db: Db, shortCode: string): string | null {
  const parentId = unitOf(db, shortCode).parentId;
  return parentId === null ? null : db.select().from(units).where(eq(units.id, parentId)).get()!.shortCode;
}

export function unitIdOf(db: Db, shortCode: string): number {
  return unitOf(db, shortCode).id;
}

/** A unit's models ordered by code; only those of `year` when given. */
export function modelsOf(db: Db, shortCode: string, year?: number): ModelRow[] {
  const unitId = unitIdOf(db, shortCode);
  return db
    .select()
    .from(models)
    .where(and(eq(models.unitId, unitId), year === undefined ? undefined : eq(models.year, year)))
    .orderBy(asc(models.code))
    .all();
}

/** A unit's first model by code (the demo gives most units one), read fresh. */
export function modelOf(db: Db, shortCode: string): ModelRow {
  const model = modelsOf(db, shortCode)[0];
  if (!model) throw new Error(`no model of the unit ${shortCode}`);
  return model;
}

/** The person behind an account (the simulator's account ids are people's names). */
export function personIdOf(db: Db, platformUserId: string): number {
  const identity = db.select().from(identities).where(eq(identities.platformUserId, platformUserId)).get();
  if (!identity) throw new Error(`no account ${platformUserId}`);
  return identity.personId;
}

/** The audit rows of one action, oldest first. */
export function auditsOf(db: Db, action: string) {
  return db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(asc(auditLog.id)).all();
}

/**
 * What /dangky would save for a collective "Dân vận khéo" model of `year` (2026 unless given) in
 * the first field, for registerModel; `changes` replace the defaults.
 */
export function newModel(db: Db, unitId: number, name: string, changes: Partial<NewModel> = {}): NewModel {
  const year = changes.year ?? 2026;
  return {
    year,
    unitId,
    kind: 'dan_van_kheo',
    holderType: 'collective',
    holderName: null,
    fieldId: db.select({ id: fields.id }).from(fields).get()!.id,
    name,
    nameKey: fold(name),
    content: 'Nội dung thử nghiệm của mô hình.',
    expectedResult: null,
    startDate: `${year}-03-01`,
    endDate: `${year}-12-31`,
    personInCharge: 'Người phụ trách',
    ...changes,
  };
}

/**
 * Every row of the given tables, and the audit log but first contacts: what a refused or mistyped
 * command must leave as it was (meeting a new person is recorded all the same).
 */
export function snapshotOf(db: Db, tables: Record<string, SQLiteTable>): Record<string, unknown[]> {
  const rows: Record<string, unknown[]> = {};
  for (const [name, table] of Object.entries(tables)) rows[name] = db.select().from(table).all();
  rows.audit = db
    .select()
    .from(auditLog)
    .all()
    .filter((a) => a.action !== 'person.first_contact');
  return rows;
}
