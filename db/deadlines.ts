import { and, eq, notInArray } from 'drizzle-orm';
import type { Cutoff, RuleSpec } from '../core/calendar.js';
import { DEFAULT_POLICY, type ReminderPolicy } from '../core/reminderPolicy.js';
import { type Actor, recordAudit, SYSTEM_ACTOR } from './audit.js';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { type DoneCriterion, deadlines, type UnitKind, units } from './schema.js';

export type DeadlineRow = typeof deadlines.$inferSelect;

/** A deadline as the planner and /hanchot use it: the row with its rule, cut-off and policy typed. */
export interface Deadline {
  id: number;
  key: string | null;
  title: string;
  rule: RuleSpec;
  cutoff: Cutoff | null;
  unitId: number | null;
  unitKinds: string[] | null;
  done: DoneCriterion;
  policy: ReminderPolicy;
  source: 'config' | 'chat';
}

export function deadlineOf(row: DeadlineRow): Deadline {
  return {
    id: row.id,
    key: row.key,
    title: row.title,
    rule: { rule: row.rule, ...row.params } as RuleSpec,
    cutoff: (row.cutoff as Cutoff | null) ?? null,
    unitId: row.unitId,
    unitKinds: row.unitKinds ?? null,
    done: row.doneCriterion,
    policy: { ...DEFAULT_POLICY, ...(row.policy as Partial<ReminderPolicy>) },
    source: row.source,
  };
}

export function activeDeadlines(db: Pick<Db, 'select'>): Deadline[] {
  return prepared(db, prepareActive).all().map(deadlineOf);
}

/** /hanchot and every scheduler tick read the calendar. */
function prepareActive(db: Pick<Db, 'select'>) {
  return db.select().from(deadlines).where(eq(deadlines.active, true)).orderBy(deadlines.id).prepare();
}

/** A calendar entry names a unit that does not exist: the file is wrong, nothing is changed. */
export class UnknownDeadlineUnit extends Error {
  override name = 'UnknownDeadlineUnit';
}

/** A deadline as the calendar file states it (scheduler/calendarConfig.ts parses and checks the file). */
export interface DeadlineSpec {
  key: string;
  title: string;
  rule: RuleSpec;
  cutoff?: Cutoff;
  /** The unit's short code; all units when absent. */
  unit?: string;
  unitKinds?: UnitKind[];
  done: DoneCriterion;
  policy: ReminderPolicy;
  active: boolean;
}

/**
 * Makes the table match the calendar file: entries are inserted or updated by key, and deadlines
 * that came from the file but are no longer in it are retired (kept for their history, inactive).
 * One-off deadlines added in chat are never touched. All or nothing; changes go to the audit log.
 */
export function syncCalendarDeadlines(db: Db, specs: readonly DeadlineSpec[], now: Date): { inserted: number; updated: number; retired: number } {
  return db.transaction((tx) => {
    const at = now.getTime();
    let inserted = 0;
    let updated = 0;
    for (const spec of specs) {
      let unitId: number | null = null;
      if (spec.unit) {
        const unit = tx.select({ id: units.id }).from(units).where(eq(units.shortCode, spec.unit.toUpperCase())).get();
        if (!unit) throw new UnknownDeadlineUnit(`Hạn “${spec.key}” ghi đơn vị ${spec.unit}, nhưng không có đơn vị nào mang mã này.`);
        unitId = unit.id;
      }
      const { rule, ...params } = spec.rule;
      const values = {
        title: spec.title,
        rule,
        params: params as Record<string, unknown>,
        cutoff: (spec.cutoff ?? null) as Record<string, unknown> | null,
        unitId,
        unitKinds: spec.unitKinds ?? null,
        doneCriterion: spec.done,
        policy: { ...spec.policy } as Record<string, unknown>,
        active: spec.active,
      };
      const existing = tx.select().from(deadlines).where(eq(deadlines.key, spec.key)).get();
      if (!existing) {
        const row = tx
          .insert(deadlines)
          .values({ key: spec.key, ...values, source: 'config', createdAt: at, updatedAt: at })
          .returning()
          .get();
        recordAudit(tx, SYSTEM_ACTOR, now, { action: 'deadline.config', entity: 'deadline', entityId: row.id, after: row });
        inserted++;
        continue;
      }
      const after = { ...existing, ...values };
      if (JSON.stringify(comparable(existing)) === JSON.stringify(comparable(after))) continue;
      tx.update(deadlines)
        .set({ ...values, updatedAt: at })
        .where(eq(deadlines.id, existing.id))
        .run();
      recordAudit(tx, SYSTEM_ACTOR, now, { action: 'deadline.config', entity: 'deadline', entityId: existing.id, before: existing, after });
      updated++;
    }
    const keys = specs.map((s) => s.key);
    const retired = tx
      .update(deadlines)
      .set({ active: false, updatedAt: at })
      .where(and(eq(deadlines.source, 'config'), eq(deadlines.active, true), keys.length > 0 ? notInArray(deadlines.key, keys) : undefined))
      .returning({ id: deadlines.id })
      .all();
    for (const { id } of retired) recordAudit(tx, SYSTEM_ACTOR, now, { action: 'deadline.retire', entity: 'deadline', entityId: id });
    return { inserted, updated, retired: retired.length };
  });
}

function comparable(row: DeadlineRow) {
  const { createdAt: _c, updatedAt: _u, ...rest } = row;
  return rest;
}

export interface OneOffInput {
  title: string;
  date: string;
  done: DoneCriterion;
  unitId: number | null;
}

/** A one-off deadline an admin adds in chat ("nộp báo cáo chuyên đề trước 05/12"). */
export function addOneOffDeadline(db: Db, input: OneOffInput, actor: Actor, now: Date): DeadlineRow {
  return db.transaction((tx) => {
    const at = now.getTime();
    const row = tx
      .insert(deadlines)
      .values({
        key: null,
        title: input.title,
        rule: 'once',
        params: { date: input.date },
        cutoff: null,
        unitId: input.unitId,
        unitKinds: null,
        doneCriterion: input.done,
        policy: { ...DEFAULT_POLICY } as Record<string, unknown>,
        active: true,
        source: 'chat',
        createdBy: actor.personId,
        createdAt: at,
        updatedAt: at,
      })
      .returning()
      .get();
    recordAudit(tx, actor, now, { action: 'deadline.add', entity: 'deadline', entityId: row.id, after: row });
    return row;
  });
}

/** Retires a one-off deadline (its planned, unsent reminders are cancelled). Recurring ones live in the calendar file. */
export function removeOneOffDeadline(db: Db, id: number, actor: Actor, now: Date): { removed: DeadlineRow } | { refused: 'missing' | 'config' } {
  return db.transaction((tx) => {
    const row = tx
      .select()
      .from(deadlines)
      .where(and(eq(deadlines.id, id), eq(deadlines.active, true)))
      .get();
    if (!row) return { refused: 'missing' as const };
    if (row.source === 'config') return { refused: 'config' as const };
    tx.update(deadlines).set({ active: false, updatedAt: now.getTime() }).where(eq(deadlines.id, id)).run();
    recordAudit(tx, actor, now, { action: 'deadline.remove', entity: 'deadline', entityId: id, before: row });
    return { removed: row };
  });
}
