import type { Chat, Message, MessageEntity, Update, User } from 'grammy/types';

/**
 * Telegram updates as the Bot API delivers them, for tests that feed the adapter (through a fake
 * Bot API server or `bot.handleUpdate`). Only types come from grammY: the shapes are checked
 * against Telegram's own schema, and nothing here runs grammY code.
 */

/** 2026-03-10 09:00 in Vietnam, the instant the tests' fixed clock shows. */
export const DEFAULT_DATE = Date.UTC(2026, 2, 10, 2, 0, 0) / 1000;

let updateSeq = 730_000_000;
let messageSeq = 5000;
let callbackSeq = 1;

/** Update ids only grow, as Telegram's do between restarts. */
export function nextUpdateId(): number {
  return ++updateSeq;
}

export function supergroup(id = -1001234567890, title = 'Dân vận khéo xã Cẩm Xuyên'): Chat.SupergroupChat {
  return { id, type: 'supergroup', title };
}

export function person(id: number, firstName: string, lastName?: string, username?: string): User {
  return {
    id,
    is_bot: false,
    first_name: firstName,
    ...(lastName ? { last_name: lastName } : {}),
    ...(username ? { username } : {}),
    language_code: 'vi',
  };
}

/** `/cmd` and `/cmd@bot` at the start of a word, as Telegram marks them (offsets in UTF-16 units). */
export function commandEntities(text: string): MessageEntity[] {
  const out: MessageEntity[] = [];
  for (const match of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{5,32})?)/g)) {
    out.push({ type: 'bot_command', offset: match.index + match[1]!.length, length: match[2]!.length });
  }
  return out;
}

export interface MessageOptions {
  messageId?: number;
  updateId?: number;
  /** Unix seconds. */
  date?: number;
  /** The message this one replies to (Telegram nests one level: its own reply is dropped). */
  replyTo?: Message | Record<string, unknown>;
  /** Defaults to the /commands found in the text. */
  entities?: MessageEntity[];
}

function textMessage(chat: Chat, from: User, text: string, options: MessageOptions): Message {
  const entities = options.entities ?? commandEntities(text);
  let replyTo: Message | undefined;
  if (options.replyTo) {
    const { reply_to_message: _nested, ...replied } = options.replyTo as Message;
    replyTo = replied as Message;
  }
  return {
    message_id: options.messageId ?? ++messageSeq,
    from,
    chat,
    date: options.date ?? DEFAULT_DATE,
    ...(replyTo ? { reply_to_message: replyTo as Message['reply_to_message'] } : {}),
    text,
    ...(entities.length > 0 ? { entities } : {}),
  } as Message;
}

export function groupMessage(chat: Chat.GroupChat | Chat.SupergroupChat, from: User, text: string, options: MessageOptions = {}): Update {
  return { update_id: options.updateId ?? nextUpdateId(), message: textMessage(chat, from, text, options) } as Update;
}

export function privateMessage(from: User, text: string, options: MessageOptions = {}): Update {
  const chat: Chat.PrivateChat = {
    id: from.id,
    type: 'private',
    first_name: from.first_name,
    ...(from.last_name ? { last_name: from.last_name } : {}),
    ...(from.username ? { username: from.username } : {}),
  };
  return { update_id: options.updateId ?? nextUpdateId(), message: textMessage(chat, from, text, options) } as Update;
}

/**
 * A press on an inline button of the bot's message. Pass the message as the bot sent it when the
 * test has it (Telegram includes the whole message); a bare id makes a minimal one from the bot.
 */
export function callbackQuery(
  chat: Chat,
  from: User,
  message: number | Message | Record<string, unknown>,
  data: string,
  options: { updateId?: number; id?: string; bot?: User } = {},
): Update {
  const bot: User = options.bot ?? { id: 777000111, is_bot: true, first_name: 'Dân vận khéo', username: 'dvk_test_bot' };
  const full = typeof message === 'number' ? ({ message_id: message, from: bot, chat, date: DEFAULT_DATE, text: '…' } as Message) : (message as Message);
  return {
    update_id: options.updateId ?? nextUpdateId(),
    callback_query: {
      id: options.id ?? `${from.id}${String(callbackSeq++).padStart(6, '0')}`,
      from,
      message: full,
      chat_instance: `-${String(Math.abs(chat.id)).slice(-12)}00${from.id % 1000}`,
      data,
    },
  } as Update;
}
