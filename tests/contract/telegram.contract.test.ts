import type { MessageEntity, Update, User } from 'grammy/types';
import type { ChatRef, IncomingMessage, Outbound, PlatformUser } from '../../core/chat.js';
import { BOT_INFO, fixture, SUPERGROUP, telegramBot, textUpdate, visibleText } from '../helpers/telegramBot.js';
import { adapterContract, type BotMessage, type Delivery, type PlatformDriver, type PlatformWorld, type Typed } from './adapterContract.js';

/**
 * The Telegram adapter under the contract: the kit's bot (tests/helpers/telegramBot.ts: the real
 * TelegramAdapter and grammY's own client against FakeTelegram), fed Updates as Telegram sends them. The group is
 * in privacy mode: an answer is a reply to the bot's question. FakeTelegram keeps uploads byte for
 * byte, so a file can be checked.
 */

const GROUP: ChatRef = { platform: 'telegram', id: String(SUPERGROUP.id), kind: 'group', title: SUPERGROUP.title };

async function telegramWorld(): Promise<PlatformWorld> {
  let last: { message: IncomingMessage; outbound: Outbound } | undefined;
  const { core, adapter, api, close } = await telegramBot({ tap: (message, outbound) => (last = { message, outbound }) });

  const users = new Map<string, User>();
  let nextUserId = 6_100_000_001;
  const person = (displayName: string): PlatformUser => {
    const name = displayName.normalize('NFC');
    let user = users.get(name);
    if (!user) {
      user = { id: nextUserId++, is_bot: false, first_name: name, language_code: 'vi' };
      users.set(name, user);
    }
    return { id: String(user.id), displayName: name };
  };
  const userOf = (p: PlatformUser) => [...users.values()].find((u) => String(u.id) === p.id)!;

  const sent = (): BotMessage[] =>
    api.calls.flatMap((call) => {
      if (!['sendMessage', 'sendDocument', 'sendPhoto'].includes(call.method) || !call.response.ok) return [];
      const upload = call.files[0];
      const file = upload && { name: upload.filename!, data: upload.data };
      const text = visibleText(String(call.payload.text ?? call.payload.caption ?? ''));
      return [{ chatId: String(call.payload.chat_id), text, ...(file ? { file } : {}) }];
    });

  const updates = new Map<string, Update>();
  let nextUpdateId = 918_400_000;
  const feed = async (update: Update): Promise<Delivery> => {
    const before = sent().length;
    last = undefined;
    await adapter.bot.handleUpdate(update);
    const id = String(update.update_id);
    updates.set(id, update);
    return { id, replies: sent().slice(before), ...last! };
  };

  /** The raw text and its mention entities (UTF-16 offsets in the text as typed, NFD included). */
  const compose = (typed: Typed): { text: string; entities: MessageEntity[] } => {
    if (typeof typed === 'string') return { text: typed, entities: [] };
    let text = '';
    const entities: MessageEntity[] = [];
    for (const part of typed) {
      if (typeof part === 'string') {
        text += part;
      } else if ('mentionBot' in part) {
        // The bot has a @username: a plain mention.
        const at = `@${BOT_INFO.username}`;
        entities.push({ type: 'mention', offset: text.length, length: at.length });
        text += at;
      } else {
        // A person without a @username is mentioned by a text mention carrying their user.
        entities.push({ type: 'text_mention', offset: text.length, length: part.as.length, user: userOf(part.mention) });
        text += part.as;
      }
    }
    return { text, entities };
  };

  /** The bot's latest question in the group: its last message there with a reply box or buttons. */
  const latestPrompt = (): number => {
    for (const call of [...api.calls].reverse()) {
      const markup = call.payload.reply_markup as { force_reply?: boolean; inline_keyboard?: unknown[] } | undefined;
      if (
        call.method === 'sendMessage' &&
        call.response.ok &&
        String(call.payload.chat_id) === GROUP.id &&
        (markup?.force_reply || markup?.inline_keyboard?.length)
      ) {
        return (call.response.result as { message_id: number }).message_id;
      }
    }
    throw new Error('the bot asked nothing in the group');
  };

  return {
    adapter,
    core,
    group: GROUP,
    person,
    say: (from, typed) => {
      const { text, entities } = compose(typed);
      return feed(textUpdate(userOf(from), text, { chat: SUPERGROUP, entities }));
    },
    // Privacy mode: the bot reads a member's plain text only when it replies to the bot.
    answer: (from, typed) => {
      const { text, entities } = compose(typed);
      return feed(textUpdate(userOf(from), text, { chat: SUPERGROUP, entities, replyTo: latestPrompt() }));
    },
    sent,
    async redeliver(delivery) {
      return (await feed(updates.get(delivery.id)!)).replies;
    },
    refuseSends(chat) {
      api.script('sendMessage', (call) =>
        String(call.payload.chat_id) === chat.id ? fixture<{ ok: false; error_code: number; description: string }>('response-403-kicked') : undefined,
      );
    },
    async removeBot(chat) {
      const update = fixture<{ update_id: number; my_chat_member: { chat: { id: number } } }>('my-chat-member-kicked');
      update.update_id = nextUpdateId++;
      update.my_chat_member.chat.id = Number(chat.id);
      await feed(update as unknown as Update);
    },
    async close() {
      await adapter.stop();
      close();
    },
  };
}

const telegramDriver: PlatformDriver = {
  name: 'Telegram (grammY, fake Bot API)',
  start: telegramWorld,
};

adapterContract(telegramDriver);
