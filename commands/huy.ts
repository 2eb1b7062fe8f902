import { onConversation } from './shared/onConversation.js';

/** `/huy`: cancel the asker's conversation in this chat; nothing of it is saved. */
export const huy = onConversation({ name: 'huy', aliases: ['cancel', 'thoat'], summary: 'hủy thao tác đang làm dở (chưa có gì được lưu)' }, (row, ctx) =>
  ctx.conversations.cancel(row, ctx),
);
