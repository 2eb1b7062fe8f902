import { addDays, type IsoDay, nextOccurrences, vnInstant } from '../core/calendar.js';
import type { ReportPeriod } from '../core/period.js';
import type { Db } from './client.js';
import { activeDeadlines } from './deadlines.js';

/**
 * When a report period's progress updates are due: before that instant a unit with no update yet
 * is "not yet due" (chưa đến hạn), not late.
 *
 * Read from the reminders' own calendar (config/calendar.json, done = period_updates), the
 * deadline whose cadence is the period's:
 *  - a month: the first monthly due on or after the month's last day. The monthly reminder of the
 *    15th asks for the updates since the 16th of the month before, so a calendar month is only
 *    complete at the first monthly due after it (June's at 15/07), never on 15/06 with half the
 *    month to go;
 *  - a quarter, a year: the due in the period's last month or after it. The plans ask for those
 *    reports before the period ends ("before the 20th of the quarter's last month", "before 10/12").
 * With no such deadline configured (or a date range, which has no cadence), the end of the period.
 */

export interface UpdatesDeadline {
  /** The deadline's day (updates count until its end); null = no deadline configured, the period's end. */
  due: IsoDay | null;
  /** The instant after which a unit with no update in the period is late. */
  at: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function updatesDeadline(db: Pick<Db, 'select'>, period: ReportPeriod): UpdatesDeadline {
  const periodEnd = new Date(vnInstant(period.to, '00:00').getTime() + DAY_MS);
  const cadence = CADENCE[period.kind];
  if (cadence === null) return { due: null, at: periodEnd };
  const from = period.kind === 'month' ? period.to : `${period.to.slice(0, 8)}01`;
  let due: IsoDay | null = null;
  for (const deadline of activeDeadlines(db)) {
    if (deadline.done !== 'period_updates' || deadline.rule.rule !== cadence) continue;
    // A yearly rule of another month (the 6-month review on 29/06) is not the year's deadline.
    const [next] = nextOccurrences(deadline.rule, null, from, 1);
    if (next && (period.kind !== 'year' || next.due.slice(0, 4) === String(period.year)) && (due === null || next.due < due)) due = next.due;
  }
  return due === null ? { due: null, at: periodEnd } : { due, at: new Date(vnInstant(addDays(due, 1), '00:00').getTime()) };
}

const CADENCE: Record<ReportPeriod['kind'], 'monthly' | 'quarterly' | 'yearly' | null> = {
  month: 'monthly',
  quarter: 'quarterly',
  year: 'yearly',
  range: null,
};
