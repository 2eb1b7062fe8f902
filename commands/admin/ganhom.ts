import type { Command } from '../shared/command.js';
import { ellipsize } from '../../core/text.js';
import { recordChatPresence } from '../../db/chats.js';
import { actorOf } from '../../db/people.js';
import { bindChat, chatRowOf } from '../../db/unitAdmin.js';
import { unitById } from '../../db/units.js';
import { unitFromArgs, unitLabel } from '../shared/unitNames.js';

/**
 * `/ganhom <mã>`: binds the group it is typed in to the unit subtree the group serves, so
 * notices for units whose officers were never seen in a group still reach someone.
 */
export const ganhom: Command = {
  name: 'ganhom',
  access: 'admin',
  summary: 'gắn nhóm chat này với đơn vị (và các đơn vị trực thuộc) mà nhóm phục vụ',
  usage: '/ganhom [mã đơn vị]',
  async run(ctx) {
    const { msg } = ctx;
    if (msg.chat.kind !== 'group') {
      await ctx.reply('Lệnh này dùng trong nhóm: bạn gõ /ganhom <mã đơn vị> trong nhóm chat cần gắn.');
      return;
    }
    // The dispatcher records every chat it acts in; this only covers a row removed by hand.
    const row = chatRowOf(ctx.db, msg.chat.platform, msg.chat.id);
    const chatId = row?.id ?? recordChatPresence(ctx.db, msg.chat, ctx.caller.personId, ctx.now);
    const current = row?.unitId ?? null;
    const bound = current === null ? undefined : unitById(ctx.db, current);

    if (ctx.args === '') {
      await ctx.reply(
        bound
          ? `Nhóm này đang gắn với ${unitLabel(bound)} và các đơn vị trực thuộc. Gõ /ganhom <mã đơn vị> để gắn với đơn vị khác.`
          : 'Nhóm này chưa gắn với đơn vị nào. Gõ /ganhom <mã đơn vị> để gắn, ví dụ /ganhom CAMXUYEN.',
      );
      return;
    }
    const unit = unitFromArgs(ctx.db, ctx.args);
    if (!unit) {
      await ctx.reply(`Không có đơn vị mã “${ellipsize(ctx.args, 40)}”. Gõ /donvi để xem các mã.`);
      return;
    }
    if (!unit.active) {
      await ctx.reply(`${unitLabel(unit)} đã ngừng hoạt động nên không gắn nhóm được.`);
      return;
    }
    const changed = ctx.db.transaction((tx) => bindChat(tx, chatId, unit.id, actorOf(ctx.caller), ctx.now));
    if (!changed) {
      await ctx.reply(`Nhóm này đã gắn với ${unitLabel(unit)} rồi; không có gì thay đổi.`);
      return;
    }
    const was = bound ? ` (trước đây: ${unitLabel(bound)})` : '';
    await ctx.reply(`✅ Đã gắn nhóm này với ${unitLabel(unit)} và các đơn vị trực thuộc${was}.`);
  },
};
