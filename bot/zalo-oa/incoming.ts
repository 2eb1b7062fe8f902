import { z } from 'zod';
import type { ChatRef, IncomingAttachment, IncomingMention, IncomingMessage, UnreadableContent } from '../../core/chat.js';
import { nfc, normalizeIncomingText, stripControls } from '../../core/text.js';
import { withoutBotAddress } from '../botAddress.js';
import type { HistoryMessage } from './api.js';
import type { WebhookEvent } from './webhook.js';

/**
 * A member's post in an OA group (a `user_send_group_*` webhook event), or a person's message to
 * the OA itself (`user_send_*`: the 1:1 chat, whose id is the person's OA-scoped user id), as the
 * chat contract. The shapes are those of docs/zalo-oa-api.md §1a and §8; none was captured live.
 * Both carry the same message and attachments, so one reading serves both.
 *
 * - The OA's own posts echo back as `oa_send_group_*` / `oa_send_*` (also when a human admin
 *   writes from OA Manager): never for the core, nor a post whose sender is the OA. Lifecycle
 *   events (joins, leaves, a dissolved group, follows) are not messages; the adapter reads them
 *   elsewhere. A message to the OA from an anonymous visitor (`anonymous_send_*`) carries no
 *   user id the OA can answer through its 1:1 API and is not read.
 * - The event does not name the sender. `UNKNOWN_SENDER_NAME` stands in until the adapter has
 *   looked the member up (group/listmember): it must replace it before the core sees the message,
 *   or the person's stored name would be overwritten with it.
 * - The quoted message (`quote_msg_id`) is ignored: the OA cannot quote-reply in a group, so a
 *   member's "Trả lời" never answers one of the bot's prompts in a way the engine needs.
 */

/** What the sender is called until the adapter knows their name (the same words as the Zalo adapter's). */
export const UNKNOWN_SENDER_NAME = 'Không tên';

const zaloId = z.union([z.string(), z.number()]).transform(String);
const text = z.string().catch('');

const attachmentSchema = z
  .object({
    type: z.string().catch(''),
    payload: z
      .object({
        url: text.optional(),
        name: text.optional(),
        /** Zalo sends a file's size as a string of digits. */
        size: z.union([z.string(), z.number()]).optional().catch(undefined),
      })
      .passthrough()
      .catch({}),
  })
  .passthrough();

const messageSchema = z
  .object({
    msg_id: zaloId.optional(),
    message_id: zaloId.optional(),
    text: text.optional(),
    attachments: z.array(z.unknown()).catch([]).optional(),
  })
  .passthrough();

export interface OaIdentity {
  oaId: string;
  /** The OA's name as members see it, once known (the member list names it): "@<name> …" addresses the bot. */
  oaName?: string;
}

const GROUP_EVENT = 'user_send_group_';
const PRIVATE_EVENT = 'user_send_';

/** A person's 1:1 message to the OA (`user_send_text`…), as opposed to a post in one of its groups. */
export function isPrivateMessageEvent(eventName: string): boolean {
  return eventName.startsWith(PRIVATE_EVENT) && !eventName.startsWith(GROUP_EVENT);
}

export function incomingFromOaEvent(event: WebhookEvent, options: OaIdentity): IncomingMessage | undefined {
  const name = event.event_name;
  const isPrivate = isPrivateMessageEvent(name);
  if (!isPrivate && !name.startsWith(GROUP_EVENT)) return undefined;
  const recipient = event.recipient?.id;
  const sender = event.sender?.id;
  if (!recipient || !sender || sender === options.oaId) return undefined;
  // A 1:1 message is addressed to the OA; one to anyone else is not this OA's to answer.
  if (isPrivate && recipient !== options.oaId) return undefined;
  const chat: ChatRef = isPrivate ? { platform: 'zalo-oa', id: sender, kind: 'private' } : { platform: 'zalo-oa', id: recipient, kind: 'group' };
  const parsed = messageSchema.safeParse(event.message);
  if (!parsed.success) return undefined;
  const message = parsed.data;
  const messageId = message.msg_id ?? message.message_id;
  if (!messageId) return undefined;
  // The request's time (ms, a string): the closest Zalo gives to when the member posted.
  const at = Number(event.timestamp);
  if (!Number.isFinite(at)) return undefined;

  const content = contentOf(name.slice(isPrivate ? PRIVATE_EVENT.length : GROUP_EVENT.length), message.text ?? '', message.attachments ?? []);
  return messageOf({ chat, sender, senderName: UNKNOWN_SENDER_NAME, messageId, at, content }, options);
}

/** What both a webhook event and a history item become. */
function messageOf(
  m: { chat: ChatRef; sender: string; senderName: string; messageId: string; at: number; content: ReadContent },
  identity: OaIdentity,
): IncomingMessage {
  const tokens = [...mentionTokens(m.content.text), ...nameAddress(m.content.text, identity)];
  // "[@<oa>] kinh tế" (or "@<OA name> kinh tế") is the answer "kinh tế", addressed to the OA.
  const addressed = withoutBotAddress(m.content.text, tokens, (t) => ({ offset: t.offset, length: t.length, bot: t.userId === identity.oaId }));
  return {
    chat: m.chat,
    sender: { id: m.sender, displayName: m.senderName },
    messageId: m.messageId,
    text: normalizeIncomingText(addressed.text),
    mentions: mentionsIn(
      addressed.text,
      addressed.marks.filter(({ mark }) => !mark.byName).map(({ mark, offset }) => ({ ...mark, offset })),
    ),
    attachments: m.content.attachments,
    ...(m.content.unreadable ? { unreadable: m.content.unreadable } : {}),
    receivedAt: new Date(m.at),
  };
}

/**
 * A member's post the bot missed, read back from the group's history (api.ts `conversation`;
 * docs/zalo-oa-api.md §4a): its `type` is one of text, photo, GIF, link, links, sticker,
 * location, voice. The OA's own posts (src 0) are not messages for the core.
 */
export function incomingFromHistory(item: HistoryMessage, identity: OaIdentity): IncomingMessage | undefined {
  if (item.fromOa || item.fromId === identity.oaId) return undefined;
  const typed = item.text ?? '';
  const url = item.url ?? '';
  let content: ReadContent;
  switch (item.type.toLowerCase()) {
    case 'text':
      content = typed.trim() === '' ? { text: '', attachments: [] } : { text: typed, attachments: [] };
      break;
    case 'photo':
      content = url ? { text: typed, attachments: [{ kind: 'photo', ref: url }] } : { text: '', attachments: [], unreadable: 'other' };
      break;
    case 'voice':
      content = url ? { text: '', attachments: [{ kind: 'audio', ref: url }] } : { text: '', attachments: [], unreadable: 'other' };
      break;
    case 'link':
    case 'links':
      content =
        typed.trim() !== ''
          ? { text: typed, attachments: [] }
          : /^https?:\/\//i.test(url)
            ? { text: url, attachments: [] }
            : { text: '', attachments: [], unreadable: 'other' };
      break;
    case 'sticker':
      content = { text: '', attachments: [], unreadable: 'sticker' };
      break;
    case 'gif':
      content = { text: '', attachments: [], unreadable: 'gif' };
      break;
    default:
      content = { text: '', attachments: [], unreadable: 'other' };
  }
  if (content.text === '' && content.attachments.length === 0 && !content.unreadable) return undefined;
  const senderName = normalizeIncomingText(item.fromDisplayName ?? '') || UNKNOWN_SENDER_NAME;
  return messageOf(
    {
      chat: { platform: 'zalo-oa', id: item.groupId, kind: 'group' },
      sender: item.fromId,
      senderName,
      messageId: item.messageId,
      at: item.at.getTime(),
      content,
    },
    identity,
  );
}

/**
 * "@<OA name>" at the start of the text: how a member addresses the OA when Zalo delivers the
 * mention as its name (how a member's mention arrives in the webhook is not documented). Only the
 * leading one is an address; the same words later are text.
 */
function nameAddress(raw: string, identity: OaIdentity): Token[] {
  const name = identity.oaName ? nfc(identity.oaName).trim() : '';
  if (name === '') return [];
  const start = raw.length - raw.trimStart().length;
  // Most messages address nobody: the comparisons below (normalising, Vietnamese case folding) are
  // not cheap, and the webhook's thread has better things to do.
  if (raw[start] !== '@') return [];
  const wanted = `@${name}`.toLocaleLowerCase('vi');
  // Typed in NFD the name is longer than in NFC: the end is found by normalising each candidate.
  for (let end = start + wanted.length; end <= Math.min(raw.length, start + 3 * wanted.length); end++) {
    if (/^\p{M}/u.test(raw.slice(end))) continue;
    if (nfc(raw.slice(start, end)).toLocaleLowerCase('vi') === wanted) return [{ userId: identity.oaId, offset: start, length: end - start, byName: true }];
  }
  return [];
}

interface Token {
  userId: string;
  offset: number;
  length: number;
  /** An address by the OA's name, not a mention token: never passed on as a mention. */
  byName?: true;
}

/**
 * `[@user_id]` tokens in a member's text. Zalo documents that syntax for what an OA sends
 * (docs/zalo-oa-api.md §3b); how a member's mention arrives in the webhook is not documented, so
 * this reads the same tokens when they are there and nothing otherwise. Ids are digits (OA-scoped
 * user ids); anything else between the brackets is ordinary text.
 */
function mentionTokens(raw: string): Token[] {
  return [...raw.matchAll(/\[@(\d+)\]/g)].map((m) => ({ userId: m[1]!, offset: m.index, length: m[0].length }));
}

/** Offsets moved into the normalised text, as the Zalo adapter does: the prefix is normalised the same way. */
function mentionsIn(raw: string, tokens: readonly Token[]): IncomingMention[] {
  const normalisedPrefix = (end: number) => stripControls(nfc(raw.slice(0, end))).trimStart().length;
  const out: IncomingMention[] = [];
  for (const t of tokens) {
    const offset = normalisedPrefix(t.offset);
    const length = normalisedPrefix(t.offset + t.length) - offset;
    if (length > 0) out.push({ userId: t.userId, offset, length });
  }
  return out;
}

interface ReadContent {
  /** Not yet normalised: token offsets count in it. */
  text: string;
  attachments: IncomingAttachment[];
  unreadable?: UnreadableContent;
}

/**
 * The text and what came with it. As on the personal route: a photo's text is its caption; a link
 * is the text the member typed (the card has no file to keep); a file, a voice note or a video is
 * kept for later; a sticker, a GIF, a location or a contact card is named as unreadable. Zalo sends
 * a contact card as a `link` attachment, so the event's name tells it apart.
 */
function contentOf(kind: string, typed: string, raw: readonly unknown[]): ReadContent {
  if (kind === 'business_card') return { text: '', attachments: [], unreadable: 'other' };
  const attachments: IncomingAttachment[] = [];
  let unreadable: UnreadableContent | undefined;
  let linkText = '';
  for (const item of raw) {
    const parsed = attachmentSchema.safeParse(item);
    if (!parsed.success) continue;
    const { type, payload } = parsed.data;
    const url = payload.url ?? '';
    switch (type) {
      case 'sticker':
        unreadable ??= 'sticker';
        continue;
      case 'gif':
        unreadable ??= 'gif';
        continue;
      case 'location':
        unreadable ??= 'other';
        continue;
      case 'link':
        if (/^https?:\/\//i.test(url)) linkText ||= url;
        else unreadable ??= 'other';
        continue;
    }
    if (url === '') {
      unreadable ??= 'other';
      continue;
    }
    switch (type) {
      case 'image':
        attachments.push({ kind: 'photo', ref: url });
        break;
      case 'file':
        attachments.push(withSize({ kind: 'document', ref: url, fileName: normalizeIncomingText(payload.name ?? '') || undefined }, payload.size));
        break;
      case 'audio':
        attachments.push({ kind: 'audio', ref: url });
        break;
      case 'video':
        attachments.push({ kind: 'video', ref: url });
        break;
      default:
        // A kind this code does not know, with something to fetch: kept as what it is, unnamed.
        attachments.push({ kind: 'other', ref: url });
    }
  }
  // The words typed with a link are the text; a bare link card is its URL, so an answer that is
  // a link still reads as one.
  const text = typed.trim() !== '' ? typed : linkText;
  if (text.trim() !== '' || attachments.length > 0) return { text, attachments };
  return { text: '', attachments: [], unreadable: unreadable ?? (kind === 'text' ? undefined : 'other') };
}

/** A size that is not a whole number of bytes is left out. */
function withSize(attachment: IncomingAttachment, size: string | number | undefined): IncomingAttachment {
  const bytes = typeof size === 'string' && /^\d+$/.test(size) ? Number(size) : size;
  return typeof bytes === 'number' && Number.isSafeInteger(bytes) && bytes >= 0 ? { ...attachment, sizeBytes: bytes } : attachment;
}
