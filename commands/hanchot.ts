import { type Command, mayRun } from './shared/command.js';
import { activeDeadlines, type Deadline } from '../db/deadlines.js';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { concernsUnit, lateUnits, updatesOwedByUnit } from '../db/deadlineProgress.js';
import { unitById } from '../db/units.js';
import { daysBetween, describeRule, type IsoDay, isoDayOf, nextOccurrences, type Occurrence } from '../core/calendar.js';
import { dayWithWeekday, periodLabel } from '../scheduler/reminderText.js';

/**
 * `/hanchot`: the coming deadlines, for anyone — soonest first, with what counts as done; an
 * officer also sees where their own unit stands. Admins see the numbers of one-off deadlines
 * (to remove one with /xoahan).
 */

const DONE_LABEL: Record<Deadline['done'], string> = {
  quota_registered: 'đơn vị đăng ký đủ chỉ tiêu mô hình của năm',
  period_updates: 'mọi mô hình đang thực hiện có cập nhật tiến độ trong kỳ',
  none: 'chỉ nhắc, không kiểm tra',
};

const MAX_LISTED = 12;

function remaining(days: number): string {
  if (days === 0) return 'hôm nay';
  return days === 1 ? 'ngày mai' : `còn ${days} ngày`;
}

export const hanchot: Command = {
  name: 'hanchot',
  access: 'anyone',
  summary: 'xem các hạn báo cáo sắp tới',
  async run(ctx) {
    const today = isoDayOf(ctx.now);
    const coming: Array<{ deadline: Deadline; occurrence: Occurrence }> = [];
    for (const deadline of activeDeadlines(ctx.db)) {
      const [occurrence] = nextOccurrences(deadline.rule, deadline.cutoff, today, 1);
      if (occurrence) coming.push({ deadline, occurrence });
    }
    if (coming.length === 0) {
      await ctx.reply('Hiện chưa có hạn báo cáo nào sắp tới.');
      return;
    }
    coming.sort((a, b) => a.occurrence.due.localeCompare(b.occurrence.due) || a.deadline.id - b.deadline.id);
    const admin = mayRun(ctx.caller, 'admin');
    const ownUnits = ctx.caller.grants.filter((g) => g.role === 'officer' && g.unitId !== null).map((g) => g.unitId!);
    // Read once, not once per deadline.
    const own = ownUnits.map((id) => unitById(ctx.db, id)).filter((u) => u !== undefined);
    const lines = [`Các hạn sắp tới (hôm nay ${dayWithWeekday(today)}):`];
    for (const { deadline, occurrence } of coming.slice(0, MAX_LISTED)) {
      const number = admin && deadline.source === 'chat' ? ` [số ${deadline.id}]` : '';
      lines.push('', `📅 ${dayWithWeekday(occurrence.due)} (${remaining(daysBetween(today, occurrence.due))}) — ${deadline.title}${number}`);
      const repeat = deadline.rule.rule === 'once' ? '' : `Lặp lại: ${describeRule(deadline.rule)}. `;
      const period = deadline.done === 'period_updates' ? ` Kỳ: ${periodLabel(occurrence.period)}.` : '';
      lines.push(`${repeat}Hoàn thành khi: ${DONE_LABEL[deadline.done]}.${period}`);
      if (deadline.done !== 'none') {
        // Only the asker's own units are shown: only they are checked.
        const late = new Set(lateUnits(ctx.db, deadline, occurrence, ownUnits).map((u) => u.unitId));
        for (const unit of own) {
          // A deadline for other units says nothing about this one.
          if (!concernsUnit(ctx.db, deadline, unit.id)) continue;
          if (late.has(unit.id)) lines.push(`→ ${unit.name}: chưa xong.`);
          // "Done" for a unit with nothing to report would praise it for nothing (issue 22).
          else if (deadline.done === 'period_updates' && owesNothing(ctx.db, unit.id, occurrence.period))
            lines.push(`→ ${unit.name}: không có mô hình phải báo cáo kỳ này.`);
          else lines.push(`→ ${unit.name}: đã xong ✅`);
        }
      }
    }
    if (coming.length > MAX_LISTED) lines.push('', `… và ${coming.length - MAX_LISTED} hạn khác.`);
    if (admin) lines.push('', `Thêm hạn riêng: /themhan. Xóa hạn riêng: /xoahan <số>. Các hạn định kỳ được đặt trong tệp lịch của hệ thống.`);
    await ctx.reply(lines.join('\n'));
  },
};

/** Whether the unit carries out no model of the period's year during it: no update is asked of it. */
function owesNothing(db: Db, unitId: number, period: { from: IsoDay; to: IsoDay }): boolean {
  return updatesOwedByUnit(db, sql`u.id = ${unitId}`, period, Number(period.to.slice(0, 4))).length === 0;
}
