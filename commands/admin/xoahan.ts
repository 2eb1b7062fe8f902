import { formatIsoDay } from '../../core/clock.js';
import { activeDeadlines, type Deadline, removeOneOffDeadline } from '../../db/deadlines.js';
import type { Db } from '../../db/client.js';
import { actorOf } from '../../db/people.js';
import { unitById } from '../../db/units.js';
import type { Command } from '../shared/command.js';
import { defineFlow, type StepState } from '../shared/flow.js';
import { requireAdmin } from '../shared/requireAdmin.js';
import { unitLabel } from '../shared/unitNames.js';

/**
 * `/xoahan <số>`: an admin removes a one-off deadline added with /themhan, by the number /hanchot
 * shows. Like every decision it first says what goes and waits for "đồng ý"; any other answer
 * cancels. Recurring deadlines live in the calendar file and are refused here.
 */

const USAGE = 'Cách gõ: /xoahan <số>, ví dụ /xoahan 12. Số của hạn có trong /hanchot.';

/** The active deadline with this number, or why there is none to remove. */
function removable(db: Db, id: number): { deadline: Deadline } | { refusal: string } {
  const deadline = activeDeadlines(db).find((d) => d.id === id);
  if (!deadline) return { refusal: `Không có hạn riêng nào mang số ${id}. Gõ /hanchot để xem số của các hạn. Chưa có gì thay đổi.` };
  if (deadline.source === 'config') {
    return { refusal: `Hạn số ${id} là hạn định kỳ trong tệp lịch của hệ thống, không xóa được trong chat. Chưa có gì thay đổi.` };
  }
  return { deadline };
}

export const xoahan: Command = {
  name: 'xoahan',
  access: 'admin',
  summary: 'xóa một hạn riêng đã thêm bằng /themhan',
  usage: '/xoahan <số>',
  async run(ctx) {
    const id = /^\d{1,9}$/.test(ctx.args.trim()) ? Number(ctx.args.trim()) : undefined;
    if (id === undefined) {
      await ctx.reply(USAGE);
      return;
    }
    const found = removable(ctx.db, id);
    if ('refusal' in found) {
      await ctx.reply(found.refusal);
      return;
    }
    await ctx.conversations.start('xoahan', ctx, { deadlineId: id });
  },
};

function deadlineIdOf(s: StepState): number {
  return Number(s.context.deadlineId);
}

/** A flow with no question: its summary is the confirmation, its save the removal. */
export const xoahanFlow = defineFlow({
  id: 'xoahan',
  command: 'xoahan',
  title: 'việc xóa hạn',
  version: 1,
  strictConfirm: true,
  describe(s) {
    const found = removable(s.db, deadlineIdOf(s));
    if ('refusal' in found) return [`• ${found.refusal}`];
    const { deadline } = found;
    const unit = deadline.unitId === null ? undefined : unitById(s.db, deadline.unitId);
    const lines = [`• Hạn số ${deadline.id}: ${deadline.title}`];
    if (deadline.rule.rule === 'once') lines.push(`• Hạn chót: ${formatIsoDay(deadline.rule.date)}`);
    lines.push(`• Đơn vị: ${unit ? unitLabel(unit) : 'tất cả đơn vị'}`, '• Sau khi xóa: các nhắc nhở chưa gửi của hạn này sẽ không gửi nữa.');
    return lines;
  },
}).save((s) => {
  requireAdmin(s.caller);
  const id = deadlineIdOf(s);
  const outcome = removeOneOffDeadline(s.db, id, actorOf(s.caller), s.now);
  if ('removed' in outcome) return `✅ Đã xóa hạn số ${id}: ${outcome.removed.title}. Các nhắc nhở chưa gửi của hạn này sẽ không gửi nữa.`;
  // Removed by another admin, or the calendar file took it over, while this one read the summary.
  const found = removable(s.db, id);
  return 'refusal' in found ? found.refusal : `Chưa xóa được hạn số ${id}. Chưa có gì thay đổi.`;
});
