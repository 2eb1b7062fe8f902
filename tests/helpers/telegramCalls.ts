import { and, eq } from 'drizzle-orm';
import type { InlineKeyboardButton, User } from 'grammy/types';
import type { Db } from '../../db/client.js';
import { conversations } from '../../db/schema.js';
import type { ApiCall } from './telegramBot.js';

/** Reading what the bot sent to FakeTelegram (tests/helpers/telegramBot.ts), and the conversation it keeps. */

/** A basic group and the supergroup Telegram made of it ("group chat was upgraded to a supergroup chat"). */
export const BASIC = { id: -4012345678, type: 'group' as const, title: 'Dân vận khéo xã Cẩm Bình' };
export const UPGRADED = { id: -1009876543210, type: 'supergroup' as const, title: 'Dân vận khéo xã Cẩm Bình' };

export function messageIdOf(call: ApiCall): number {
  return (call.response.result as { message_id: number }).message_id;
}

/** The choice buttons of a prompt (not the link to continue in a private chat). */
export function buttonsOf(call: ApiCall): InlineKeyboardButton.CallbackButton[] {
  const markup = call.payload.reply_markup as { inline_keyboard?: InlineKeyboardButton[][] } | undefined;
  return (markup?.inline_keyboard ?? []).flat().filter((b): b is InlineKeyboardButton.CallbackButton => 'callback_data' in b);
}

/** The conversation row a Telegram user has in a chat, if any. */
export function telegramConversation(db: Db, chatId: number, user: User) {
  return db
    .select()
    .from(conversations)
    .where(and(eq(conversations.platform, 'telegram'), eq(conversations.chatId, String(chatId)), eq(conversations.userId, String(user.id))))
    .get();
}
