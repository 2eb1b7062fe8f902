import { ThreadType, type GroupMessage, type TAttachmentContent, type TMention, type UserMessage } from 'zca-js';
import type { IncomingAttachment, IncomingMention, IncomingMessage, UnreadableContent } from '../../core/chat.js';
import { nfc, normalizeIncomingText, stripControls } from '../../core/text.js';
import { withoutBotAddress } from '../botAddress.js';

/**
 * Zalo messages as the chat contract. Ids stay strings (they exceed 2^53); texts are normalised
 * to NFC with mention offsets moved along; the account's own messages are not for the core.
 *
 * A Zalo message is text (msgType "webchat", content a string) or one kind of object (see
 * tests/fixtures/zalo/README.md for where each shape comes from; none was captured live):
 * - "chat.recommended" / "chat.link" with an http(s) href: a text with a link in it, which Zalo
 *   turns into a link card. The words the person typed (URL included) are the text: commands and
 *   answers with a URL must work. The card has no file to keep, so no attachment.
 * - "chat.photo": a photo; its caption (content.title) is the text, as a Telegram caption is.
 * - "share.file": a document named by content.title; "chat.voice": audio; "chat.video.msg": video.
 * - "chat.sticker", "chat.gif": nothing to read or keep; marked `unreadable` so the engine can say
 *   so kindly where an answer is expected. Other objects (a contact card, a location…) likewise.
 */

export function incomingFromZalo(message: UserMessage | GroupMessage, ownId: string): IncomingMessage | undefined {
  const data = message.data;
  // zca-js marks what this account sent (from any of its devices) as its own: answering it
  // would make the bot talk to itself.
  if (message.isSelf || data.uidFrom === ownId) return undefined;
  const content = contentOf(data.msgType, data.content);
  const rawMentions = 'mentions' in data && Array.isArray(data.mentions) ? (data.mentions as TMention[]) : [];
  // "@Bot Dân vận khéo kinh tế" is the answer "kinh tế", addressed to the bot's account.
  const addressed = withoutBotAddress(content.text, rawMentions, (m) => ({ offset: m.pos, length: m.len, bot: m.type !== 1 && String(m.uid) === ownId }));
  const typed = addressed.text;
  const quote = data.quote;
  return {
    chat: {
      platform: 'zalo',
      id: String(message.threadId),
      kind: message.type === ThreadType.Group ? 'group' : 'private',
    },
    sender: { id: String(data.uidFrom), displayName: normalizeIncomingText(data.dName ?? '') || 'Không tên' },
    messageId: String(data.msgId),
    text: normalizeIncomingText(typed),
    replyTo: quote ? { messageId: String(quote.globalMsgId), fromBot: String(quote.ownerId) === ownId } : undefined,
    // Zalo counts mention positions in what the person typed, which is the text here.
    mentions: mentionsOf(
      typed,
      addressed.marks.map(({ mark, offset }) => ({ ...mark, pos: offset })),
    ),
    attachments: content.attachments,
    ...(content.unreadable ? { unreadable: content.unreadable } : {}),
    receivedAt: new Date(Number(data.ts)),
  };
}

/**
 * Mentions with offsets in the normalised text: what precedes a mention is normalised the same
 * way, so its length is where the mention now starts. "@All" (type 1) names no person.
 */
function mentionsOf(raw: string, mentions: readonly TMention[]): IncomingMention[] {
  const normalisedPrefix = (end: number) => stripControls(nfc(raw.slice(0, end))).trimStart().length;
  const out: IncomingMention[] = [];
  for (const m of mentions) {
    if (m.type === 1) continue;
    const offset = normalisedPrefix(m.pos);
    const length = normalisedPrefix(m.pos + m.len) - offset;
    if (length > 0) out.push({ userId: String(m.uid), offset, length });
  }
  return out;
}

interface ReadContent {
  /** Not yet normalised: mention positions count in it. */
  text: string;
  attachments: IncomingAttachment[];
  unreadable?: UnreadableContent;
}

function isAttachment(content: unknown): content is TAttachmentContent {
  return typeof content === 'object' && content !== null && typeof (content as { href?: unknown }).href === 'string';
}

const field = (value: unknown): string => (typeof value === 'string' ? value : '');

function contentOf(msgType: string, content: unknown): ReadContent {
  if (typeof content === 'string') return { text: content, attachments: [] };
  if (msgType === 'chat.sticker') return { text: '', attachments: [], unreadable: 'sticker' };
  if (msgType === 'chat.gif') return { text: '', attachments: [], unreadable: 'gif' };
  if (!isAttachment(content) || content.href === '') return { text: '', attachments: [], unreadable: 'other' };
  const { href } = content;
  switch (msgType) {
    case 'chat.recommended':
    case 'chat.link':
      // A contact card is a "chat.recommended" too ("recommened.user"): only a web link is text.
      return /^https?:\/\//i.test(href) ? { text: typedWithLink(content), attachments: [] } : { text: '', attachments: [], unreadable: 'other' };
    case 'chat.photo':
      // A photo has no file name; the caption is what the person wrote with it.
      return { text: field(content.title), attachments: [{ kind: 'photo', ref: href }] };
    case 'chat.voice':
      return { text: '', attachments: [withSize({ kind: 'audio', ref: href }, content.params)] };
    case 'chat.video.msg':
      return { text: '', attachments: [withSize({ kind: 'video', ref: href }, content.params)] };
    case 'share.file':
      return {
        text: '',
        attachments: [withSize({ kind: 'document', ref: href, fileName: normalizeIncomingText(field(content.title)) || undefined }, content.params)],
      };
    default:
      // A kind this code does not know, with something to fetch: kept as what it is, unnamed.
      return { text: '', attachments: [{ kind: 'other', ref: href }] };
  }
}

/**
 * The words the person typed with a link. Zalo's card has a title and a description, one of
 * which is the typed text and the other the page's own preview (which one depends on the client
 * that sent it; the payloads were not captured live). The typed text is the one that contains the
 * link itself, since Zalo makes a card only of a text with a URL in it; when neither does, only
 * the URL is certain to be the person's, and it alone is the text.
 */
function typedWithLink(content: TAttachmentContent): string {
  const core = linkCore(content.href);
  for (const candidate of [field(content.title), field(content.description)]) {
    if (core !== '' && candidate.toLowerCase().includes(core)) return candidate;
  }
  return content.href;
}

/** A URL as a person may have typed it: without the scheme, "www." or a trailing slash, lower case. */
function linkCore(href: string): string {
  return href
    .replace(/^https?:\/\/(www\.)?/i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

/** Zalo's params (a JSON string) give a file's size; a size that is not a whole number of bytes is left out. */
function withSize(attachment: IncomingAttachment, params: unknown): IncomingAttachment {
  let size: unknown;
  try {
    size = typeof params === 'string' && params !== '' ? (JSON.parse(params) as { fileSize?: unknown } | null)?.fileSize : undefined;
  } catch {
    return attachment;
  }
  const bytes = typeof size === 'string' && /^\d+$/.test(size) ? Number(size) : size;
  return typeof bytes === 'number' && Number.isSafeInteger(bytes) && bytes >= 0 ? { ...attachment, sizeBytes: bytes } : attachment;
}
