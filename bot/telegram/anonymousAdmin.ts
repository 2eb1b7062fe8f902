import type { Message } from 'grammy/types';
import { parseCommand } from '../dispatch.js';

/**
 * A group administrator who "remains anonymous" posts as the group itself: `sender_chat` is the
 * group and `from` is Telegram's placeholder GroupAnonymousBot (1087968824), the same for every
 * such admin. The bot cannot tell who is writing, so it cannot check a role or keep a
 * conversation for them; it says so instead of staying silent, once a minute per group at most
 * (every anonymous admin of a group is the same sender to the bot, so nothing else limits them).
 */

/** How long after telling a group about anonymous admins the bot stays quiet about it there. */
export const ANONYMOUS_NOTICE_GAP_MS = 60_000;

export function anonymousAdminNotice(botUsername: string): string {
  return (
    'Bạn đang gửi với tư cách quản trị viên ẩn danh nên bot không biết ai đang gõ và chưa làm theo lệnh này. ' +
    `Bạn tắt chế độ ẩn danh (Remain anonymous) trong quyền quản trị của mình rồi gõ lại, hoặc nhắn riêng cho bot @${botUsername}.`
  );
}

/**
 * Whether the message is an anonymous admin's command for this bot, or their reply to the bot:
 * what the bot would have acted on from anyone else (in privacy mode it sees little more).
 */
export function isAnonymousAdminCall(message: Message, botId: number, botUsername: string): boolean {
  const group = message.chat.type === 'group' || message.chat.type === 'supergroup';
  if (!group || message.sender_chat?.id !== message.chat.id) return false;
  const command = parseCommand(message.text ?? message.caption ?? '');
  if (command) return command.addressedTo === undefined || command.addressedTo.toLowerCase() === botUsername.toLowerCase();
  return message.reply_to_message?.from?.id === botId;
}

/** When each group was last told, so a burst of anonymous commands gets one answer. */
export class AnonymousNotices {
  private readonly toldAt = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether to tell the group now; if so, it counts as told. */
  take(chatId: string): boolean {
    const now = this.now();
    const last = this.toldAt.get(chatId);
    if (last !== undefined && now - last < ANONYMOUS_NOTICE_GAP_MS) return false;
    this.toldAt.set(chatId, now);
    return true;
  }
}
