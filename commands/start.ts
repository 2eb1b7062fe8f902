import type { Command } from './shared/command.js';
import { helpText } from './huongdan.js';
import { replyWithFirstNotice } from './shared/privacyNotice.js';

/**
 * `/start`: what a private chat with the bot begins with. `/start <token>` comes from a
 * "continue in a private chat" link and moves the person's group conversation here; without a
 * token it is the help, carrying the whole privacy notice the first time the person sees it.
 */
export const start: Command = {
  name: 'start',
  access: 'anyone',
  summary: 'bắt đầu trò chuyện với bot',
  listed: false,
  async run(ctx) {
    if (ctx.args !== '' && ctx.msg.chat.kind === 'private') {
      // No notice here: the next message must be the conversation's question, and the person
      // sees the notice on their next /start or /thamgia.
      await ctx.conversations.takeOver(ctx.args, ctx);
      return;
    }
    await replyWithFirstNotice(ctx, (first) => helpText(ctx, first));
  },
};
