import { and, asc, eq } from 'drizzle-orm';
import type { Platform } from '../core/chat.js';
import { nfc } from '../core/text.js';
import { type Actor, recordAudit } from './audit.js';
import { JOIN_CODE_LENGTH, uniqueCode } from './codes.js';
import type { Db } from './client.js';
import { chats, settings, type UnitKind, unitQuotas, units } from './schema.js';
import { subtreeIds, type UnitRow, unitById } from './units.js';
import { vietnameseCollator } from '../core/vietnameseOrder.js';

/**
 * What administrators change about the deployment's structure: units, the groups they are served
 * in, who holds which role, and yearly quotas. Every write records its audit row in the caller's
 * transaction, so a change and its trail commit together.
 */

type Tx = Db;

// ---------------------------------------------------------------------------------------------
// Reads the admin commands share

/** Every unit, active or not, oldest first. */
export function allUnits(db: Pick<Db, 'select'>): UnitRow[] {
  return db.select().from(units).orderBy(asc(units.id)).all();
}

/** A unit by its short code, however it was typed ("camxuyen", " CAMXUYEN "). */
export function unitByCode(db: Pick<Db, 'select'>, code: string): UnitRow | undefined {
  const wanted = code.trim().toUpperCase();
  if (wanted === '') return undefined;
  return db.select().from(units).where(eq(units.shortCode, wanted)).get();
}

/** The chat row of a platform chat, if the bot has recorded it. */
export function chatRowOf(db: Pick<Db, 'select'>, platform: Platform, platformChatId: string) {
  return db
    .select()
    .from(chats)
    .where(and(eq(chats.platform, platform), eq(chats.platformChatId, platformChatId)))
    .get();
}

/** Units with their own quota for the year, by unit name. */
export function quotaOverrides(db: Pick<Db, 'select'>, year: number): { unit: UnitRow; required: number }[] {
  return db
    .select({ unit: units, required: unitQuotas.required })
    .from(unitQuotas)
    .innerJoin(units, eq(units.id, unitQuotas.unitId))
    .where(eq(unitQuotas.year, year))
    .all()
    .sort((a, b) => vietnameseCollator.compare(a.unit.name, b.unit.name));
}

// ---------------------------------------------------------------------------------------------
// Join codes

/** A fresh join code no unit uses; `pick` is for tests (see uniqueCode). */
export function generateJoinCode(db: Pick<Db, 'select'>, pick?: (n: number) => number): string {
  return uniqueCode(JOIN_CODE_LENGTH, (code) => db.select({ id: units.id }).from(units).where(eq(units.joinCode, code)).get() !== undefined, pick);
}

// ---------------------------------------------------------------------------------------------
// Units

export class DuplicateShortCode extends Error {
  constructor(readonly existing: UnitRow) {
    super(`short code ${existing.shortCode} is taken`);
  }
}

/** Moving a unit under itself or one of its descendants would detach a loop from the tree. */
export class UnitCycle extends Error {
  constructor(
    readonly unit: UnitRow,
    readonly parent: UnitRow,
  ) {
    super(`unit ${unit.shortCode} cannot move under ${parent.shortCode}`);
  }
}

export class UnknownUnit extends Error {
  constructor(readonly unitId: number) {
    super(`no unit ${unitId}`);
  }
}

export interface NewUnit {
  name: string;
  shortCode: string;
  kind: UnitKind;
  parentId: number | null;
}

export function createUnit(tx: Tx, input: NewUnit, actor: Actor, now: Date): UnitRow {
  const shortCode = input.shortCode.trim().toUpperCase();
  const taken = unitByCode(tx, shortCode);
  if (taken) throw new DuplicateShortCode(taken);
  if (input.parentId !== null && !unitById(tx, input.parentId)) throw new UnknownUnit(input.parentId);
  const at = now.getTime();
  const unit = tx
    .insert(units)
    .values({
      name: nfc(input.name.trim()),
      shortCode,
      kind: input.kind,
      parentId: input.parentId,
      joinCode: generateJoinCode(tx),
      active: true,
      createdAt: at,
      updatedAt: at,
    })
    .returning()
    .get();
  recordAudit(tx, actor, now, { action: 'unit.create', entity: 'unit', entityId: unit.id, after: unit });
  return unit;
}

export interface UnitChange {
  name?: string;
  shortCode?: string;
  kind?: UnitKind;
  parentId?: number | null;
  active?: boolean;
  /** Hand out a new join code; the old one stops working. */
  newJoinCode?: boolean;
}

/** Applies the change and returns the unit as it was and as it is now. */
export function updateUnit(tx: Tx, unitId: number, change: UnitChange, actor: Actor, now: Date): { before: UnitRow; after: UnitRow } {
  const before = unitById(tx, unitId);
  if (!before) throw new UnknownUnit(unitId);

  const set: Partial<typeof units.$inferInsert> = {};
  if (change.name !== undefined) set.name = nfc(change.name.trim());
  if (change.shortCode !== undefined) {
    const shortCode = change.shortCode.trim().toUpperCase();
    const taken = unitByCode(tx, shortCode);
    if (taken && taken.id !== unitId) throw new DuplicateShortCode(taken);
    set.shortCode = shortCode;
  }
  if (change.kind !== undefined) set.kind = change.kind;
  if (change.parentId !== undefined) {
    if (change.parentId !== null) {
      const parent = unitById(tx, change.parentId);
      if (!parent) throw new UnknownUnit(change.parentId);
      if (subtreeIds(tx, [unitId]).includes(parent.id)) throw new UnitCycle(before, parent);
    }
    set.parentId = change.parentId;
  }
  if (change.active !== undefined) set.active = change.active;
  if (change.newJoinCode) set.joinCode = generateJoinCode(tx);

  const keys = Object.keys(set) as (keyof typeof set)[];
  if (keys.length === 0) return { before, after: before };
  const after = tx
    .update(units)
    .set({ ...set, updatedAt: now.getTime() })
    .where(eq(units.id, unitId))
    .returning()
    .get();
  recordAudit(tx, actor, now, {
    action: 'unit.update',
    entity: 'unit',
    entityId: unitId,
    before: Object.fromEntries(keys.map((k) => [k, before[k]])),
    after: Object.fromEntries(keys.map((k) => [k, after[k]])),
  });
  return { before, after };
}

// ---------------------------------------------------------------------------------------------
// Group chats

/** Binds a group (by its chats.id) to the root of the unit subtree it serves; false if it already was. */
export function bindChat(tx: Tx, chatId: number, unitId: number | null, actor: Actor, now: Date): boolean {
  const chat = tx.select().from(chats).where(eq(chats.id, chatId)).get();
  if (!chat) throw new Error(`no chat ${chatId}`);
  if (chat.unitId === unitId) return false;
  if (unitId !== null && !unitById(tx, unitId)) throw new UnknownUnit(unitId);
  tx.update(chats).set({ unitId, updatedAt: now.getTime() }).where(eq(chats.id, chatId)).run();
  recordAudit(tx, actor, now, { action: 'chat.bind', entity: 'chat', entityId: chatId, before: { unitId: chat.unitId }, after: { unitId } });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Quotas

export const QUOTA_MAX = 20;

/** A unit's own quota for one year, or (target 'default') the deployment-wide default. */
export function setQuota(tx: Tx, target: { unitId: number; year: number } | 'default', required: number, actor: Actor, now: Date): void {
  if (!Number.isInteger(required) || required < 0 || required > QUOTA_MAX) throw new RangeError(`quota out of range: ${required}`);
  const at = now.getTime();
  if (target === 'default') {
    const before = tx.select({ value: settings.value }).from(settings).where(eq(settings.key, 'quota.default')).get();
    tx.insert(settings)
      .values({ key: 'quota.default', value: required, updatedAt: at })
      .onConflictDoUpdate({ target: settings.key, set: { value: required, updatedAt: at } })
      .run();
    recordAudit(tx, actor, now, {
      action: 'quota.set',
      entity: 'setting',
      entityId: 'quota.default',
      before: { required: before?.value ?? null },
      after: { required },
    });
    return;
  }
  if (!unitById(tx, target.unitId)) throw new UnknownUnit(target.unitId);
  const before = tx
    .select({ required: unitQuotas.required })
    .from(unitQuotas)
    .where(and(eq(unitQuotas.unitId, target.unitId), eq(unitQuotas.year, target.year)))
    .get();
  tx.insert(unitQuotas)
    .values({ unitId: target.unitId, year: target.year, required })
    .onConflictDoUpdate({ target: [unitQuotas.unitId, unitQuotas.year], set: { required } })
    .run();
  recordAudit(tx, actor, now, {
    action: 'quota.set',
    entity: 'unit_quota',
    entityId: `${target.unitId}:${target.year}`,
    before: { required: before?.required ?? null },
    after: { unitId: target.unitId, year: target.year, required },
  });
}
