import type { Command } from './shared/command.js';
import { huongdan } from './huongdan.js';

/**
 * `/start`: what a private chat with the bot begins with. `/start <token>` comes from a
 * "continue in a private chat" link and moves the person's group conversation here; without a
 * token it is the help.
 */
export const start: Command = {
  name: 'start',
  access: 'anyone',
  summary: 'bắt đầu trò chuyện với bot',
  listed: false,
  async run(ctx) {
    if (ctx.args !== '' && ctx.msg.chat.kind === 'private') {
      await ctx.conversations.takeOver(ctx.args, ctx);
      return;
    }
    await huongdan.run(ctx);
  },
};
