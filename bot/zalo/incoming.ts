import { ThreadType, type GroupMessage, type TAttachmentContent, type TMention, type UserMessage } from 'zca-js';
import type { IncomingAttachment, IncomingMention, IncomingMessage } from '../chat.js';
import { nfc, normalizeIncomingText, stripControls } from '../text.js';

/**
 * Zalo messages as the chat contract. Ids stay strings (they exceed 2^53); texts are normalised
 * to NFC with mention offsets moved along; the account's own messages are not for the core.
 */

export function incomingFromZalo(message: UserMessage | GroupMessage, ownId: string): IncomingMessage | undefined {
  const data = message.data;
  // zca-js marks what this account sent (from any of its devices) as its own: answering it
  // would make the bot talk to itself.
  if (message.isSelf || data.uidFrom === ownId) return undefined;
  const raw = typeof data.content === 'string' ? data.content : '';
  const rawMentions = 'mentions' in data && Array.isArray(data.mentions) ? (data.mentions as TMention[]) : [];
  const quote = data.quote;
  return {
    chat: {
      platform: 'zalo',
      id: String(message.threadId),
      kind: message.type === ThreadType.Group ? 'group' : 'private',
    },
    sender: { id: String(data.uidFrom), displayName: normalizeIncomingText(data.dName ?? '') || 'Không tên' },
    messageId: String(data.msgId),
    text: normalizeIncomingText(raw),
    replyTo: quote ? { messageId: String(quote.globalMsgId), fromBot: String(quote.ownerId) === ownId } : undefined,
    mentions: mentionsOf(raw, rawMentions),
    attachments: attachmentsOf(data.msgType, data.content),
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

function isAttachment(content: unknown): content is TAttachmentContent {
  return typeof content === 'object' && content !== null && typeof (content as { href?: unknown }).href === 'string';
}

function attachmentsOf(msgType: string, content: TAttachmentContent | unknown): IncomingAttachment[] {
  if (!isAttachment(content) || content.href === '') return [];
  const fileName = typeof content.title === 'string' ? normalizeIncomingText(content.title) : '';
  return [
    {
      kind: msgType === 'chat.photo' ? 'photo' : 'document',
      ref: content.href,
      fileName: fileName || undefined,
    },
  ];
}
