import { formatVnTime } from '../core/clock.js';
import { isoDayOf } from '../core/calendar.js';
import type { DaysOff } from './daysOff.js';
import type { QuietHours } from './reminderSlots.js';

/**
 * Whether reminders may go out at `now`: a working day, inside the sending hours (Vietnam time).
 * The planner also waits for it, so a reminder written after downtime says how many days are left
 * on the day it is actually sent, not on a Saturday nobody reads it.
 */
export function isSendingTime(now: Date, daysOff: DaysOff, quiet: QuietHours): boolean {
  if (!daysOff.isWorkingDay(isoDayOf(now))) return false;
  const hhmm = formatVnTime(now);
  return hhmm >= quiet.start && hhmm < quiet.end;
}
