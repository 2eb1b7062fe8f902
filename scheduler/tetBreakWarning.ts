import type { Logger } from 'pino';
import { daysBetween, isoDayOf } from '../core/calendar.js';
import { formatIsoDay, vnParts } from '../core/clock.js';
import { lastTetBreakWarning, recordTetBreakWarning } from '../db/calendarWarnings.js';
import type { Db } from '../db/client.js';
import { type DaysOff, lunarNewYear } from './daysOff.js';
import type { QuietHours } from './reminderSlots.js';
import { isSendingTime } from './sendingTime.js';
import type { Job } from './ticker.js';

/**
 * The official Tết break is decided by the government each year, usually in the autumn before,
 * and date-holidays knows only the five days of the law: without the decided break in the
 * calendar file, the bot would remind units in the middle of Tết. So in November, on working days
 * within the reminder hours, the admins are told when next year's mùng 1 Tết is not inside any of
 * the file's `daysOff` — once a week at most (kept in the database across restarts), until it is.
 */

/** How many days pass before the admins are told again. */
const AGAIN_AFTER_DAYS = 7;

export interface TetBreakWarningDeps {
  db: Db;
  daysOff: DaysOff;
  quiet: QuietHours;
  /** The calendar file's path, as the admin will open it. */
  calendarPath: string;
  /** Tells every admin privately on every running platform. */
  alert: (text: string) => Promise<unknown>;
  log: Logger;
}

export function tetBreakWarningText(year: number, tet: string, calendarPath: string): string {
  return `📅 Lịch nghỉ Tết Nguyên Đán ${year} (mùng 1 Tết là ${formatIsoDay(tet)}) chưa có trong tệp lịch ${calendarPath}, nên bot sẽ coi các ngày nghỉ Tết ngoài 5 ngày luật định là ngày làm việc và có thể nhắc hạn trong kỳ nghỉ. Khi Chính phủ công bố lịch nghỉ, quản trị viên thêm một mục vào "daysOff" của tệp lịch (ví dụ {"from": "…", "to": "…", "name": "Nghỉ Tết Nguyên Đán ${year}"}) rồi khởi động lại bot.`;
}

export function tetBreakWarningJob(deps: TetBreakWarningDeps): Job {
  return {
    name: 'tet-break-warning',
    async run(now) {
      const p = vnParts(now);
      if (p.month !== 11) return;
      // When reminders may go out: a working day, within the sending hours.
      if (!isSendingTime(now, deps.daysOff, deps.quiet)) return;
      const today = isoDayOf(now);
      const year = p.year + 1;
      const tet = lunarNewYear(year);
      if (!tet || deps.daysOff.isDecidedDayOff(tet)) return;
      const last = lastTetBreakWarning(deps.db, year);
      if (last && daysBetween(last, today) < AGAIN_AFTER_DAYS) return;
      // Recorded first: an alert that fails is not tried again every minute of the day.
      recordTetBreakWarning(deps.db, year, today, now);
      deps.log.warn({ year, tet }, 'calendar: next year’s Tết break is not in the calendar file');
      await deps.alert(tetBreakWarningText(year, tet, deps.calendarPath));
    },
  };
}
