import { and, eq, inArray } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { PersonRef, TextPart } from '../core/chat.js';
import { unitAudience } from '../db/audience.js';
import type { Db } from '../db/client.js';
import { type LateUnit, lateUnits } from '../db/deadlineProgress.js';
import { activeDeadlines, type Deadline } from '../db/deadlines.js';
import { leaderChats } from '../db/leaderAudience.js';
import { reminderOutbox, reminderRuns } from '../db/schema.js';
import { addDays, daysBetween, isoDayOf, type Occurrence, occurrencesBetween } from '../core/calendar.js';
import type { DaysOff } from './daysOff.js';
import { type QuietHours, reminderSlots, type Slot } from './reminderSlots.js';
import { escalationText, reminderText } from './reminderText.js';
import { isSendingTime } from './sendingTime.js';

/**
 * The planner: every minute, for each deadline occurrence whose reminder slot is open now, it works
 * out who is late and writes one outbox row per group — once per slot, recorded in reminder_runs
 * in the same transaction, so a second run (or a second process) adds nothing. Nothing is sent
 * here; the sender drains the outbox. Because only open slots are planned, a process that was down
 * catches up on start with the reminder that is still useful and skips the ones a later one replaced.
 */

/** What an outbox row carries: the text, and the units it is about (to drop it once they are done). */
export interface OutboxPayload {
  parts: TextPart[];
  unitIds: number[];
}

export interface PlannedRow {
  deadlineId: number;
  occurrence: string;
  kind: string;
  chatRowId: number;
  payload: OutboxPayload;
  notBefore: number;
  expiresAt: number;
}

export interface PlannerDeps {
  db: Db;
  daysOff: DaysOff;
  quiet: QuietHours;
  log: Logger;
}

/** Slot kinds look ahead at most this far (before-60) and back (60 days overdue), plus room for days off. */
const LOOK_AHEAD_DAYS = 75;
const LOOK_BACK_DAYS = 75;

export interface OpenSlot {
  deadline: Deadline;
  occurrence: Occurrence;
  slot: Slot;
}

/**
 * The reminder slots open at `now` (started, not yet superseded), for every active deadline; none
 * outside the sending hours, so what is written counts the days from when it goes out.
 */
export function openSlots(deps: Pick<PlannerDeps, 'db' | 'daysOff' | 'quiet'>, now: Date): OpenSlot[] {
  if (!isSendingTime(now, deps.daysOff, deps.quiet)) return [];
  const today = isoDayOf(now);
  const open: OpenSlot[] = [];
  for (const deadline of activeDeadlines(deps.db)) {
    for (const occurrence of occurrencesBetween(deadline.rule, deadline.cutoff, addDays(today, -LOOK_BACK_DAYS), addDays(today, LOOK_AHEAD_DAYS))) {
      for (const slot of reminderSlots(occurrence.due, deadline.policy, deps.daysOff, deps.quiet)) {
        if (slot.startsAt.getTime() <= now.getTime() && now.getTime() < slot.expiresAt.getTime()) open.push({ deadline, occurrence, slot });
      }
    }
  }
  return open;
}

/** The outbox rows one slot produces: a reminder per group of late units' officers, or an escalation per leaders' group. */
export function rowsForSlot(db: Db, { deadline, occurrence, slot }: OpenSlot, late: readonly LateUnit[], now: Date): PlannedRow[] {
  if (late.length === 0) return [];
  // Counted to the day it is planned (normally the slot's own day; later when catching up after downtime).
  const daysOverdue = daysBetween(occurrence.due, isoDayOf(new Date(Math.max(now.getTime(), slot.startsAt.getTime()))));
  const base = {
    deadlineId: deadline.id,
    occurrence: occurrence.due,
    kind: slot.kind,
    notBefore: slot.startsAt.getTime(),
    expiresAt: slot.expiresAt.getTime(),
  };
  const unitIds = late.map((u) => u.unitId);
  if (slot.audience === 'leaders') {
    // An announcement ('none') has nobody late to escalate.
    if (deadline.done === 'none') return [];
    const text = escalationText({ title: deadline.title, due: occurrence.due, daysOverdue, period: occurrence.period, units: late });
    return leaderChats(db, deadline.unitId).map(({ rowId }) => ({ ...base, chatRowId: rowId, payload: { parts: [text], unitIds } }));
  }
  // Group the late units by the chats where their officers are; one message per chat.
  const byChat = new Map<number, { units: LateUnit[]; officers: Map<string, PersonRef> }>();
  for (const unit of late) {
    for (const audience of unitAudience(db, unit.unitId)) {
      const entry = byChat.get(audience.rowId) ?? { units: [], officers: new Map<string, PersonRef>() };
      entry.units.push(unit);
      for (const officer of audience.officers) entry.officers.set(officer.platformUserId, officer);
      byChat.set(audience.rowId, entry);
    }
  }
  return [...byChat].map(([chatRowId, { units, officers }]) => ({
    ...base,
    chatRowId,
    payload: {
      parts: reminderText({ title: deadline.title, due: occurrence.due, daysOverdue, period: occurrence.period, units, officers: [...officers.values()] }),
      unitIds: units.map((u) => u.unitId),
    },
  }));
}

export interface PlanResult {
  slots: number;
  rows: number;
  cancelled: number;
}

export function planReminders(deps: PlannerDeps, now: Date): PlanResult {
  const { db } = deps;
  const result: PlanResult = { slots: 0, rows: 0, cancelled: 0 };
  const lateCache = new Map<string, LateUnit[]>();
  const lateFor = (deadline: Deadline, occurrence: Occurrence) => {
    const key = `${deadline.id}:${occurrence.due}`;
    let late = lateCache.get(key);
    if (!late) lateCache.set(key, (late = lateUnits(db, deadline, occurrence)));
    return late;
  };

  for (const open of openSlots(deps, now)) {
    const { deadline, occurrence, slot } = open;
    const already = db
      .select({ id: reminderRuns.id })
      .from(reminderRuns)
      .where(and(eq(reminderRuns.deadlineId, deadline.id), eq(reminderRuns.occurrence, occurrence.due), eq(reminderRuns.kind, slot.kind)))
      .get();
    if (already) continue;
    const late = lateFor(deadline, occurrence);
    const rows = rowsForSlot(db, open, late, now);
    const written = db.transaction(
      (tx) => {
        // The run row is the lock: whoever inserts it plans the slot; a concurrent planner gets nothing back and stops.
        const run = tx
          .insert(reminderRuns)
          .values({
            deadlineId: deadline.id,
            occurrence: occurrence.due,
            kind: slot.kind,
            lateUnits: late.length,
            messages: rows.length,
            plannedAt: now.getTime(),
          })
          .onConflictDoNothing()
          .returning({ id: reminderRuns.id })
          .get();
        if (!run) return 0;
        let count = 0;
        for (const row of rows) {
          const inserted = tx
            .insert(reminderOutbox)
            .values({
              deadlineId: row.deadlineId,
              occurrence: row.occurrence,
              chatId: row.chatRowId,
              kind: row.kind,
              payload: row.payload as unknown as Record<string, unknown>,
              status: 'pending',
              notBefore: row.notBefore,
              expiresAt: row.expiresAt,
              createdAt: now.getTime(),
            })
            .onConflictDoNothing()
            .returning({ id: reminderOutbox.id })
            .get();
          if (inserted) count++;
        }
        return count;
      },
      { behavior: 'immediate' },
    );
    result.slots++;
    result.rows += written;
    deps.log.info(
      { deadline: deadline.key ?? deadline.id, occurrence: occurrence.due, kind: slot.kind, late: late.length, rows: written },
      'reminders planned',
    );
  }

  result.cancelled = cancelDone(db, lateFor);
  return result;
}

/** Pending reminders about units that have all become done since they were planned are dropped. */
function cancelDone(db: Db, lateFor: (deadline: Deadline, occurrence: Occurrence) => LateUnit[]): number {
  const pending = db
    .select({ id: reminderOutbox.id, deadlineId: reminderOutbox.deadlineId, occurrence: reminderOutbox.occurrence, payload: reminderOutbox.payload })
    .from(reminderOutbox)
    .where(eq(reminderOutbox.status, 'pending'))
    .all();
  if (pending.length === 0) return 0;
  const deadlines = new Map(activeDeadlines(db).map((d) => [d.id, d]));
  const done: number[] = [];
  const lateSets = new Map<string, Set<number>>();
  for (const row of pending) {
    const deadline = deadlines.get(row.deadlineId);
    if (!deadline || deadline.done === 'none') continue;
    const occurrence = occurrencesBetween(deadline.rule, deadline.cutoff, row.occurrence, row.occurrence)[0];
    if (!occurrence) continue;
    const key = `${deadline.id}:${occurrence.due}`;
    let stillLate = lateSets.get(key);
    if (!stillLate) lateSets.set(key, (stillLate = new Set(lateFor(deadline, occurrence).map((u) => u.unitId))));
    const { unitIds } = row.payload as unknown as OutboxPayload;
    if (!unitIds.some((id) => stillLate.has(id))) done.push(row.id);
  }
  if (done.length === 0) return 0;
  return db
    .update(reminderOutbox)
    .set({ status: 'cancelled', lastError: 'the units became done' })
    .where(and(inArray(reminderOutbox.id, done), eq(reminderOutbox.status, 'pending')))
    .run().changes;
}

/** Rows a dry run would plan at `now`, without writing anything (the slots already planned are marked). */
export function dryRun(
  deps: Pick<PlannerDeps, 'db' | 'daysOff' | 'quiet'>,
  now: Date,
): Array<OpenSlot & { planned: boolean; late: LateUnit[]; rows: PlannedRow[] }> {
  return openSlots(deps, now).map((open) => {
    const planned = Boolean(
      deps.db
        .select({ id: reminderRuns.id })
        .from(reminderRuns)
        .where(and(eq(reminderRuns.deadlineId, open.deadline.id), eq(reminderRuns.occurrence, open.occurrence.due), eq(reminderRuns.kind, open.slot.kind)))
        .get(),
    );
    const late = lateUnits(deps.db, open.deadline, open.occurrence);
    return { ...open, planned, late, rows: rowsForSlot(deps.db, open, late, now) };
  });
}
