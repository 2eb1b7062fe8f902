import type { Command } from '../bot/command.js';
import { ownerKey } from '../bot/conversation.js';

/** `/huy`: cancel the asker's conversation in this chat. */
export const huy: Command = {
  name: 'huy',
  aliases: ['cancel', 'thoat'],
  access: 'anyone',
  summary: 'hủy thao tác đang làm dở (chưa có gì được lưu)',
  async run(ctx) {
    const row = ctx.conversations.find(ownerKey(ctx.msg));
    if (!row) {
      await ctx.reply('Bạn không có thao tác nào đang dở ở nhóm này.');
      return;
    }
    await ctx.conversations.cancel(row, ctx);
  },
};
