import type { CallbackQuery, Message, MessageEntity, User } from 'grammy/types';
import type { ChatRef, IncomingAttachment, IncomingMention, IncomingMessage, PlatformUser } from '../../core/chat.js';
import { nfc, normalizeIncomingText, stripControls } from '../../core/text.js';
import { withoutBotAddress } from '../botAddress.js';

/**
 * Telegram updates as the chat contract. Ids become strings; texts are normalised to NFC (with
 * mention offsets moved along); the bot's own messages and other bots' are not for the core.
 */

export function chatRefOf(chat: Message['chat']): ChatRef | undefined {
  if (chat.type === 'private') return { platform: 'telegram', id: String(chat.id), kind: 'private', title: personName(chat) };
  if (chat.type === 'group' || chat.type === 'supergroup') {
    return { platform: 'telegram', id: String(chat.id), kind: 'group', title: normalizeIncomingText(chat.title) };
  }
  return undefined; // channels: the bot does not converse there
}

export function userOf(user: User): PlatformUser {
  return { id: String(user.id), displayName: personName(user), username: user.username };
}

function personName(user: { first_name: string; last_name?: string }): string {
  return normalizeIncomingText([user.first_name, user.last_name].filter(Boolean).join(' ')) || 'Không tên';
}

export function incomingFromMessage(message: Message, botId: number, botUsername?: string): IncomingMessage | undefined {
  const chat = chatRefOf(message.chat);
  // Sent on behalf of a chat (a linked channel's automatic forward comes "from" Telegram's
  // service account, an anonymous admin "from" a placeholder bot): there is no person to act for.
  if (!chat || !message.from || message.from.is_bot || message.sender_chat) return undefined;
  const typed = message.text ?? message.caption ?? '';
  // "@dvk_bot kinh tế" is the answer "kinh tế", addressed to the bot.
  const addressed = withoutBotAddress(typed, message.entities ?? message.caption_entities ?? [], (e) => ({
    offset: e.offset,
    length: e.length,
    bot: isBotMention(typed, e, botId, botUsername),
  }));
  const raw = addressed.text;
  const entities = addressed.marks.map(({ mark, offset }) => ({ ...mark, offset }));
  const reply = message.reply_to_message;
  return {
    chat,
    sender: userOf(message.from),
    messageId: String(message.message_id),
    text: normalizeIncomingText(raw),
    replyTo: reply ? { messageId: String(reply.message_id), fromBot: reply.from?.id === botId } : undefined,
    mentions: mentionsOf(raw, entities),
    // A sticker or a GIF carries nothing the bot can read: the engine says so by name.
    ...(message.sticker
      ? { unreadable: 'sticker' as const, attachments: [] }
      : message.animation
        ? { unreadable: 'gif' as const, attachments: [] }
        : { attachments: attachmentsOf(message) }),
    receivedAt: new Date(message.date * 1000),
  };
}

/** Whether an entity of `raw` mentions the bot itself: its @username, or a text mention of its user. */
function isBotMention(raw: string, entity: MessageEntity, botId: number, botUsername: string | undefined): boolean {
  if (entity.type === 'text_mention') return entity.user.id === botId;
  return (
    entity.type === 'mention' &&
    botUsername !== undefined &&
    raw.slice(entity.offset + 1, entity.offset + entity.length).toLowerCase() === botUsername.toLowerCase()
  );
}

/** A button press, as an answer carrying the pressed value and the prompt it belongs to. */
export function incomingFromCallback(query: CallbackQuery): IncomingMessage | undefined {
  const message = query.message;
  if (!message || query.data === undefined || query.from.is_bot) return undefined;
  const chat = chatRefOf(message.chat);
  if (!chat) return undefined;
  return {
    chat,
    sender: userOf(query.from),
    messageId: `callback:${query.id}`,
    text: '',
    mentions: [],
    attachments: [],
    choice: { value: query.data, promptMessageId: String(message.message_id) },
    receivedAt: new Date(message.date * 1000),
  };
}

/**
 * Mentions with offsets in the normalised text: what precedes a mention is normalised the same
 * way, so its length is where the mention now starts.
 */
function mentionsOf(raw: string, entities: readonly MessageEntity[]): IncomingMention[] {
  const normalisedPrefix = (end: number) => stripControls(nfc(raw.slice(0, end))).trimStart().length;
  const out: IncomingMention[] = [];
  for (const e of entities) {
    if (e.type !== 'mention' && e.type !== 'text_mention') continue;
    const offset = normalisedPrefix(e.offset);
    const length = normalisedPrefix(e.offset + e.length) - offset;
    if (e.type === 'text_mention') out.push({ userId: String(e.user.id), offset, length });
    else out.push({ username: raw.slice(e.offset + 1, e.offset + e.length), offset, length });
  }
  return out;
}

function attachmentsOf(message: Message): IncomingAttachment[] {
  if (message.photo && message.photo.length > 0) {
    // Telegram sends every size it made; the last is the largest.
    const photo = message.photo.at(-1)!;
    return [{ kind: 'photo', ref: photo.file_id, sizeBytes: photo.file_size, mimeType: 'image/jpeg' }];
  }
  const file = message.document ?? message.video ?? message.audio ?? message.voice;
  if (!file) return [];
  const kind = message.document ? 'document' : message.video ? 'video' : 'audio';
  return [
    {
      kind,
      ref: file.file_id,
      // Stored and shown back later: NFC like every other text.
      fileName: 'file_name' in file && file.file_name !== undefined ? normalizeIncomingText(file.file_name) : undefined,
      mimeType: file.mime_type,
      sizeBytes: file.file_size,
    },
  ];
}
