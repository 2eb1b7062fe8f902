import { vietnameseCli } from './vietnameseCli.js';
import { eq } from 'drizzle-orm';
import { chats } from '../../db/schema.js';
import { syncCalendarDeadlines, UnknownDeadlineUnit } from '../../db/deadlines.js';
import { isoDayOf } from '../../core/calendar.js';
import { CalendarConfigError, loadCalendar } from '../../scheduler/calendarConfig.js';
import { DaysOff } from '../../scheduler/daysOff.js';
import { dryRun } from '../../scheduler/reminderPlanner.js';
import { dayWithWeekday } from '../../scheduler/reminderText.js';
import { isSendingTime } from '../../scheduler/sendingTime.js';
import { slotLabel } from '../../scheduler/slotLabel.js';
import { plainText } from '../../core/chat.js';
import { formatVnDateTime } from '../../core/clock.js';
import { loadConfig } from '../config.js';
import { exitWith, runWithDatabase } from './database.js';

/**
 * `npm run reminders -- [--now <ISO>]`: a dry run for admins — which reminders the bot would send
 * at that instant (default: DVK_NOW, else now), to which groups, with their text. Nothing is
 * written: the calendar file is applied inside a transaction that is rolled back.
 */

class DryRunDone extends Error {}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$/;

async function main(argv: string[]): Promise<number> {
  const cli = vietnameseCli('reminders')
    .description('Xem trước các nhắc nhở bot sẽ gửi (không gửi, không ghi gì)')
    .option('--now <thời-điểm>', 'thời điểm giả định, ví dụ 2027-01-22T08:00:00+07:00')
    .showHelpAfterError('(gõ --help để xem cách dùng)')
    .parse(argv);
  const { now: nowText } = cli.opts<{ now?: string }>();
  if (nowText !== undefined && (!ISO_WITH_OFFSET.test(nowText) || Number.isNaN(Date.parse(nowText)))) {
    process.stderr.write('--now phải là thời điểm ISO có múi giờ, ví dụ 2027-01-22T08:00:00+07:00\n');
    return 2;
  }
  let calendar;
  try {
    calendar = loadCalendar(loadConfig().DVK_CALENDAR);
  } catch (error) {
    if (error instanceof CalendarConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error; // a ConfigError is reported by runWithDatabase below with the same line
  }
  const daysOff = new DaysOff(calendar.daysOff, calendar.workingDays);

  return runWithDatabase(
    (db, configuredNow) => {
      const now = nowText ? new Date(nowText) : configuredNow;
      let out = '';
      try {
        db.transaction((tx) => {
          syncCalendarDeadlines(tx, calendar.deadlines, now);
          const open = dryRun({ db: tx, daysOff, quiet: calendar.quietHours }, now);
          const chatName = (id: number) => {
            const chat = tx.select().from(chats).where(eq(chats.id, id)).get();
            return chat ? `${chat.title ?? chat.platformChatId} (${chat.platform})` : `#${id}`;
          };
          out = render(open, now, daysOff, calendar.quietHours, chatName);
          throw new DryRunDone();
        });
      } catch (error) {
        if (!(error instanceof DryRunDone)) throw error;
      }
      return out;
    },
    (error) => (error instanceof UnknownDeadlineUnit ? `${error.message}\n` : undefined),
  );
}

function render(open: ReturnType<typeof dryRun>, now: Date, daysOff: DaysOff, quiet: { start: string; end: string }, chatName: (id: number) => string): string {
  const lines = [`Thời điểm: ${formatVnDateTime(now)} (${dayWithWeekday(isoDayOf(now))}).`];
  const dayOff = daysOff.reason(isoDayOf(now));
  if (dayOff) lines.push(`Hôm nay là ngày nghỉ (${dayOff}): bot không gửi nhắc nhở.`);
  else if (!isSendingTime(now, daysOff, quiet)) lines.push(`Ngoài giờ gửi (${quiet.start}–${quiet.end}): nhắc nhở chờ đến giờ gửi.`);
  if (open.length === 0) {
    lines.push('Không có lượt nhắc nào đến giờ vào lúc này.');
    return `${lines.join('\n')}\n`;
  }
  for (const slot of open) {
    const status = slot.planned ? ' (đã lập trước đó, không lập lại)' : '';
    lines.push(
      '',
      `• ${slot.deadline.title} — hạn ${dayWithWeekday(slot.occurrence.due)}, ${slotLabel(slot.slot.kind)}${status}: ${slot.late.length} đơn vị chưa xong, ${slot.rows.length} tin nhắn.`,
    );
    for (const row of slot.rows) {
      lines.push(
        `  → ${chatName(row.chatRowId)}:`,
        ...plainText(row.payload.parts)
          .split('\n')
          .map((l) => `     ${l}`),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

exitWith('reminders', () => main(process.argv));
