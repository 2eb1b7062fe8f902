import { z } from 'zod';
import type { IncomingAttachment, IncomingMention, IncomingMessage, UnreadableContent } from '../../core/chat.js';
import { nfc, normalizeIncomingText, stripControls } from '../../core/text.js';
import { withoutBotAddress } from '../botAddress.js';
import type { WebhookEvent } from './webhook.js';

/**
 * A member's post in an OA group (a `user_send_group_*` webhook event) as the chat contract. The
 * shapes are those of docs/zalo-oa-api.md §1a; none was captured live.
 *
 * - The OA's own posts echo back as `oa_send_group_*` (also when a human admin posts from OA
 *   Manager): never for the core, nor a post whose sender is the OA. Lifecycle events (joins,
 *   leaves, a dissolved group) are not messages; the adapter reads them elsewhere.
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

export function incomingFromOaEvent(event: WebhookEvent, options: { oaId: string }): IncomingMessage | undefined {
  if (!event.event_name.startsWith('user_send_group_')) return undefined;
  const group = event.recipient?.id;
  const sender = event.sender?.id;
  if (!group || !sender || sender === options.oaId) return undefined;
  const parsed = messageSchema.safeParse(event.message);
  if (!parsed.success) return undefined;
  const message = parsed.data;
  const messageId = message.msg_id ?? message.message_id;
  if (!messageId) return undefined;
  // The request's time (ms, a string): the closest Zalo gives to when the member posted.
  const at = Number(event.timestamp);
  if (!Number.isFinite(at)) return undefined;

  const content = contentOf(event.event_name, message.text ?? '', message.attachments ?? []);
  const tokens = mentionTokens(content.text);
  // "[@<oa>] kinh tế" is the answer "kinh tế", addressed to the OA.
  const addressed = withoutBotAddress(content.text, tokens, (t) => ({ offset: t.offset, length: t.length, bot: t.userId === options.oaId }));
  return {
    chat: { platform: 'zalo-oa', id: group, kind: 'group' },
    sender: { id: sender, displayName: UNKNOWN_SENDER_NAME },
    messageId,
    text: normalizeIncomingText(addressed.text),
    mentions: mentionsIn(
      addressed.text,
      addressed.marks.map(({ mark, offset }) => ({ ...mark, offset })),
    ),
    attachments: content.attachments,
    ...(content.unreadable ? { unreadable: content.unreadable } : {}),
    receivedAt: new Date(at),
  };
}

interface Token {
  userId: string;
  offset: number;
  length: number;
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
function contentOf(eventName: string, typed: string, raw: readonly unknown[]): ReadContent {
  const kind = eventName.slice('user_send_group_'.length);
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
