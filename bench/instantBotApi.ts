import type { Message, UserFromGetMe } from 'grammy/types';
import { botApiFetch, visibleText } from './fakes/telegram.js';

/**
 * The Bot API as grammY's `fetch` sees it, answering at once and in memory: no network, no HTTP,
 * so a benchmark measures the bot and not the wire. Sent messages get ids from one counter per
 * chat (people's messages and the bot's share it, as in Telegram) and come back as Telegram's
 * Message JSON: the visible text, the inline keyboard, the message replied to. It records no
 * call, only counts them (the tests' FakeTelegram in tests/helpers/telegramBot.ts keeps every call,
 * which over a benchmark's hundreds of thousands would weigh on what is measured).
 */

export interface SentMessage {
  chatId: number;
  message: Message;
  /** force_reply or an inline keyboard, as the bot asked. */
  markup?: Record<string, unknown>;
}

export class InstantBotApi {
  /** Every call, by method: what each side of a benchmark cost in API calls. */
  readonly callsByMethod = new Map<string, number>();
  /** Messages the bot sent since the last `takeSent()`. */
  private sent: SentMessage[] = [];
  private readonly nextIds = new Map<number, number>();
  private readonly chats = new Map<number, Record<string, unknown>>();
  private readonly botUser: Message['from'];

  constructor(
    bot: UserFromGetMe,
    private readonly clock: () => number,
  ) {
    this.botUser = { id: bot.id, is_bot: true, first_name: bot.first_name, username: bot.username };
  }

  /** A chat as Telegram describes it in the messages it returns. */
  addChat(chat: { id: number; type: string; title?: string }): void {
    this.chats.set(chat.id, chat);
  }

  /** The next message id in a chat. */
  nextMessageId(chatId: number): number {
    const id = (this.nextIds.get(chatId) ?? 1000) + 1;
    this.nextIds.set(chatId, id);
    return id;
  }

  /** The messages the bot sent since the previous call, oldest first. */
  takeSent(): SentMessage[] {
    const out = this.sent;
    this.sent = [];
    return out;
  }

  get calls(): number {
    let n = 0;
    for (const count of this.callsByMethod.values()) n += count;
    return n;
  }

  readonly fetch = botApiFetch(({ method, payload }) => {
    this.callsByMethod.set(method, (this.callsByMethod.get(method) ?? 0) + 1);
    return method === 'sendMessage' ? { ok: true, result: this.send(payload) } : { ok: true, result: true };
  });

  private send(payload: Record<string, unknown>): Message {
    const chatId = Number(payload.chat_id);
    const markup = payload.reply_markup as Record<string, unknown> | undefined;
    const replyTo = (payload.reply_parameters as { message_id?: number } | undefined)?.message_id;
    const message = {
      message_id: this.nextMessageId(chatId),
      from: this.botUser,
      chat: this.chats.get(chatId) ?? { id: chatId, type: chatId < 0 ? 'supergroup' : 'private' },
      date: Math.floor(this.clock() / 1000),
      text: visibleText(String(payload.text ?? '')),
      ...(replyTo !== undefined
        ? { reply_to_message: { message_id: replyTo, chat: this.chats.get(chatId) ?? { id: chatId, type: 'supergroup' }, date: 0 } }
        : {}),
      ...(markup && 'inline_keyboard' in markup ? { reply_markup: markup } : {}),
    } as unknown as Message;
    this.sent.push({ chatId, message, markup });
    return message;
  }
}
