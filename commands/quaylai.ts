import { onConversation } from './shared/onConversation.js';

/** `/quaylai`: go back one step in the asker's conversation in this chat. */
export const quaylai = onConversation({ name: 'quaylai', aliases: ['back', 'sua'], summary: 'quay lại câu hỏi trước để sửa' }, (row, ctx) =>
  ctx.conversations.back(row, ctx),
);
