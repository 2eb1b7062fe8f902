import { PLATFORM_LABEL } from '../../core/labels.js';
import { charLength, ellipsize } from '../../core/text.js';
import type { Db } from '../../db/client.js';
import { actorOf } from '../../db/people.js';
import { findPersonRef } from '../../db/personRef.js';
import { PersonRemovalRefused, type RemovalPreview, removalPreview, removedPersonName, removePerson } from '../../db/personRemoval.js';
import { unitById } from '../../db/units.js';
import type { Command, CommandContext } from '../shared/command.js';
import { defineFlow, type StepState } from '../shared/flow.js';
import { requireAdmin } from '../shared/requireAdmin.js';
import { unitLabel } from '../shared/unitNames.js';
import { roleLabel } from './phanquyen.js';

/**
 * `/xoanguoi #<số> [lý do]`: an admin removes a person's personal data (Law 91/2025: deletion on
 * request, or someone who has left). The person is named by number, as /nhatky and /phanquyen show
 * it, or by a mention; a name typed by hand could not be told from the reason after it. The admin
 * first reads what will go and what stays, then types "đồng ý"; any other answer cancels, since
 * nothing brings the data back. db/personRemoval.ts does the work.
 */

const MAX_REASON = 200;

const USAGE =
  'Cách gõ: /xoanguoi #<số của người> [lý do], ví dụ /xoanguoi #12 nghỉ hưu, theo yêu cầu của người này. ' +
  'Số của một người có trong /nhatky (ví dụ “Nguyễn Văn An (#12)”); bạn cũng có thể nhắc tên (@) người đó thay cho số.';

type Target = { personId: number; reason: string | null } | { error: string };

/** The person (by "#12", "12" or a mention) and the reason after it. */
function understand(ctx: CommandContext): Target {
  const args = ctx.args.trim();
  if (args === '') return { error: USAGE };
  const mention = ctx.msg.mentions[0];
  let personId: number;
  let rest: string;
  if (mention) {
    const found = findPersonRef(ctx.db, ctx.msg, '', ctx.now);
    if (found.kind !== 'found') return { error: 'Bot chưa chắc người được nhắc tên là ai. Bạn gõ lại với số của người đó, ví dụ /xoanguoi #12.' };
    personId = found.person.personId;
    const token = ctx.msg.text.slice(mention.offset, mention.offset + mention.length);
    rest = args.replace(token, '');
  } else {
    const number = /^#?\s*(\d{1,9})(?=\s|$)/.exec(args);
    if (!number) return { error: `Chưa rõ người cần xóa. ${USAGE}` };
    personId = Number(number[1]);
    rest = args.slice(number[0].length);
  }
  const reason = rest.replace(/\s+/g, ' ').trim();
  if (charLength(reason) > MAX_REASON) return { error: `Lý do dài quá (tối đa ${MAX_REASON} ký tự).` };
  return { personId, reason: reason === '' ? null : reason };
}

export const xoanguoi: Command = {
  name: 'xoanguoi',
  access: 'admin',
  summary: 'xóa thông tin cá nhân của một người (theo yêu cầu của họ, hoặc người đã nghỉ); mô hình của đơn vị vẫn được giữ',
  usage: '/xoanguoi #<số> [lý do]',
  async run(ctx) {
    const target = understand(ctx);
    if ('error' in target) {
      await ctx.reply(target.error);
      return;
    }
    try {
      removalPreview(ctx.db, target.personId, actorOf(ctx.caller));
    } catch (error) {
      if (!(error instanceof PersonRemovalRefused)) throw error;
      await ctx.reply(error.message);
      return;
    }
    await ctx.conversations.start('xoanguoi', ctx, { personId: target.personId, reason: target.reason });
  },
};

function personIdOf(s: StepState): number {
  return Number(s.context.personId);
}

function reasonOf(s: StepState): string | null {
  return typeof s.context.reason === 'string' ? s.context.reason : null;
}

/** What goes and what stays, as the admin reads it before agreeing. */
function previewLines(db: Db, seen: RemovalPreview, reason: string | null): string[] {
  const unit = seen.unitId === null ? undefined : unitById(db, seen.unitId);
  const roles = seen.roles.map((r) => roleLabel(db, r.role, r.unitId));
  const accounts = seen.platforms.map((p) => PLATFORM_LABEL[p] ?? p);
  return [
    `• Người: #${seen.personId} ${seen.displayName}`,
    `• Đơn vị: ${unit ? unitLabel(unit) : 'chưa có'}`,
    `• Vai trò sẽ bị thu hồi: ${roles.length > 0 ? roles.join('; ') : 'không có'}`,
    `• Tài khoản sẽ bị xóa: ${accounts.length > 0 ? accounts.join(', ') : 'không có'}; cùng nhóm chat riêng với bot và những gì đang làm dở`,
    `• Vẫn giữ: ${seen.modelsKept} mô hình và ${seen.updatesKept} cập nhật tiến độ người này đã gửi, vẫn thuộc đơn vị và vẫn được tính trong báo cáo; ` +
      `người gửi sẽ hiện là “${removedPersonName(seen.personId)}”`,
    `• Lý do: ${reason === null ? '(không ghi)' : ellipsize(reason, MAX_REASON)}`,
    '• Nếu người này nhắn bot lại, bot xem họ là người mới, chưa có vai trò.',
  ];
}

/** A flow with no question: its summary is the confirmation, its save the removal. */
export const xoanguoiFlow = defineFlow({
  id: 'xoanguoi',
  command: 'xoanguoi',
  title: 'xóa người dùng',
  version: 1,
  strictConfirm: true,
  describe(s) {
    try {
      return previewLines(s.db, removalPreview(s.db, personIdOf(s), actorOf(s.caller)), reasonOf(s));
    } catch (error) {
      if (!(error instanceof PersonRemovalRefused)) throw error;
      return [`• ${error.message}`];
    }
  },
}).save((s) => {
  requireAdmin(s.caller);
  const personId = personIdOf(s);
  let removed;
  try {
    removed = removePerson(s.db, personId, actorOf(s.caller), s.now, reasonOf(s));
  } catch (error) {
    // Removed by someone else, or made the last admin, while the admin read the summary.
    if (!(error instanceof PersonRemovalRefused)) throw error;
    return error.message;
  }
  return (
    `✅ Đã xóa thông tin cá nhân của #${personId}: tài khoản, vai trò, đơn vị, nhóm chat riêng với bot và những gì đang làm dở. ` +
    `${removed.modelsKept} mô hình và ${removed.updatesKept} cập nhật tiến độ vẫn được giữ ở đơn vị, ghi là “${removedPersonName(personId)}”.`
  );
});
