import type { Command, CommandContext } from './command.js';
import { type ConversationRow, ownerKey } from '../../db/conversations.js';

/** A command that acts on the asker's own conversation in this chat (there is at most one). */
export function onConversation(
  spec: Pick<Command, 'name' | 'aliases' | 'summary'>,
  act: (row: ConversationRow, ctx: CommandContext) => Promise<void>,
): Command {
  return {
    ...spec,
    access: 'anyone',
    async run(ctx) {
      const row = ctx.conversations.find(ownerKey(ctx.msg));
      if (!row) {
        await ctx.reply('Bạn không có thao tác nào đang dở ở đây.');
        return;
      }
      await act(row, ctx);
    },
  };
}
