import { type IsoDay, addDays, compareDays, daysBetween, isValidTime, vnInstant } from '../core/calendar.js';
import type { DaysOff } from './daysOff.js';
import { type ReminderPolicy, validatePolicy } from '../core/reminderPolicy.js';

/**
 * When reminders for one deadline occurrence go out. Each slot is a window: it opens at the start
 * of the working day and closes when the next reminder for the same people opens, so a reminder
 * missed while the bot was down is still sent late rather than never, and never twice.
 */

/** 'HH:MM' in Vietnam: reminders only go out inside this window. */
export interface QuietHours {
  start: string;
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '08:00', end: '17:00' };

export type SlotAudience = 'late-units' | 'leaders';

export interface Slot {
  kind: string;
  audience: SlotAudience;
  day: IsoDay;
  startsAt: Date;
  expiresAt: Date;
  /** 0 or negative before the due. */
  daysOverdue: number;
}

export function validateQuietHours(q: QuietHours): string | undefined {
  if (!isValidTime(q.start) || !isValidTime(q.end)) return 'Giờ gửi nhắc phải có dạng GG:PP, ví dụ 08:00.';
  // Fixed-width 'HH:MM' strings order like the times they name.
  if (q.start >= q.end) return 'Giờ bắt đầu gửi nhắc phải sớm hơn giờ kết thúc.';
  return undefined;
}

interface Candidate {
  kind: string;
  audience: SlotAudience;
  day: IsoDay;
  /** How far past the due the reminder was meant for: on one day, the most urgent one is kept. */
  urgency: number;
}

/** Reminder slots for a deadline due on `due`, ascending by startsAt; never on a day off. */
export function reminderSlots(due: IsoDay, policy: ReminderPolicy, daysOff: DaysOff, quiet: QuietHours): Slot[] {
  const error = validatePolicy(policy) ?? validateQuietHours(quiet);
  if (error) throw new Error(error);

  const candidates: Candidate[] = [];
  for (const n of policy.before) {
    candidates.push({ kind: `before-${n}`, audience: 'late-units', day: daysOff.workingDayOnOrBefore(addDays(due, -n)), urgency: -n });
  }
  if (policy.onDay) {
    candidates.push({ kind: 'on-day', audience: 'late-units', day: daysOff.workingDayOnOrBefore(due), urgency: 0 });
  }
  for (let k = 1; k <= policy.afterDays; k++) {
    const day = addDays(due, k);
    // Moving it back would only repeat the previous reminder; the next working day has its own.
    if (daysOff.isWorkingDay(day)) candidates.push({ kind: `overdue-${k}`, audience: 'late-units', day, urgency: k });
  }
  for (const k of policy.escalateAfterDays) {
    candidates.push({ kind: `escalation-${k}`, audience: 'leaders', day: daysOff.workingDayOnOrAfter(addDays(due, k)), urgency: k });
  }

  const slots: Slot[] = [];
  for (const audience of ['late-units', 'leaders'] as const) {
    // One message per audience per day: the most urgent says everything the others would.
    const byDay = new Map<IsoDay, Candidate>();
    for (const c of candidates) {
      if (c.audience !== audience) continue;
      const kept = byDay.get(c.day);
      if (!kept || c.urgency > kept.urgency) byDay.set(c.day, c);
    }
    const chosen = [...byDay.values()].sort((a, b) => compareDays(a.day, b.day));
    chosen.forEach((c, i) => {
      const next = chosen[i + 1];
      const startsAt = vnInstant(c.day, quiet.start);
      const expiresAt = next ? vnInstant(next.day, quiet.start) : vnInstant(daysOff.workingDayOnOrAfter(addDays(c.day, 1)), quiet.end);
      slots.push({ kind: c.kind, audience, day: c.day, startsAt, expiresAt, daysOverdue: daysBetween(due, c.day) });
    });
  }
  // Stable sort: on a shared morning the units' reminder is listed before the leaders' report.
  return slots.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
}
