import type { Command } from '../bot/command.js';
import { ownerKey } from '../bot/conversation.js';

/** `/quaylai`: go back one step in the asker's conversation. */
export const quaylai: Command = {
  name: 'quaylai',
  aliases: ['back', 'sua'],
  access: 'anyone',
  summary: 'quay lại câu hỏi trước để sửa',
  async run(ctx) {
    const row = ctx.conversations.find(ownerKey(ctx.msg));
    if (!row) {
      await ctx.reply('Bạn không có thao tác nào đang dở ở nhóm này.');
      return;
    }
    await ctx.conversations.back(row, ctx);
  },
};
