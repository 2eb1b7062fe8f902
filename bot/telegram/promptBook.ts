import type { Message } from 'grammy/types';
import type { PlatformUser } from '../../core/chat.js';

/**
 * What the adapter remembers of the questions it asked in groups: whose each one is, which one is
 * a person's latest, and which press of theirs just ended a conversation. Telegram tells the bot
 * only which message a press or a reply was on, and the core knows only each person's latest
 * question, so on its own it can say no more than "an old question" about any other message.
 * With this the adapter tells the truth: a button of someone else's, a second tap on "Lưu", a
 * reply to a question already answered.
 *
 * Memory only, and bounded: after a restart the adapter knows the owner of a question only from
 * the message itself (whom it replies to or names first), and the core's answers stand otherwise.
 */

/** A person a question is for: by id (a reply to them, a text mention) or only by @username. */
export interface Owner {
  id?: string;
  username?: string;
}

interface Asked {
  owner: string;
  /** Each button's callback data and its label, to say which button was pressed. */
  labels: ReadonlyMap<string, string>;
  /** A reply to this question, no longer the latest, was already told how to correct: once is enough. */
  hinted?: boolean;
}

/** How many questions are remembered; the oldest are forgotten first (a day of a busy deployment). */
const CAPACITY = 5000;

export class PromptBook {
  private readonly asked = new Map<string, Asked>();
  /** The person's latest question in a chat, while their conversation there is open as far as the adapter saw. */
  private readonly latest = new Map<string, string>();
  /** The press that just ended a person's conversation in a chat, until they do anything else there. */
  private readonly ended = new Map<string, { messageId: string; label: string }>();

  /** The bot asked `owner` a question in a group: message `messageId` of chat `chatId`. */
  recordQuestion(chatId: string, messageId: string, owner: string, labels: ReadonlyMap<string, string>): void {
    remember(this.asked, `${chatId}:${messageId}`, { owner, labels });
    remember(this.latest, `${chatId}:${owner}`, messageId);
  }

  /** Whose question message `messageId` is, from memory or else from the message itself. */
  ownerOf(chatId: string, messageId: string, message?: Message, botId?: number): Owner | undefined {
    const asked = this.asked.get(`${chatId}:${messageId}`);
    if (asked) return { id: asked.owner };
    return message ? ownerInMessage(message, botId) : undefined;
  }

  /**
   * Whether a reply of `person` to message `messageId` answers a question of theirs that is no
   * longer the latest while their conversation is open, and has not been told so yet. It counts as
   * told from now on.
   */
  passedQuestion(chatId: string, messageId: string, person: string): boolean {
    const asked = this.asked.get(`${chatId}:${messageId}`);
    const latest = this.latest.get(`${chatId}:${person}`);
    if (!asked || asked.owner !== person || latest === undefined || latest === messageId || asked.hinted) return false;
    asked.hinted = true;
    return true;
  }

  /** The bot answered the person without a new question: as far as the adapter can tell, their conversation is over. */
  settled(chatId: string, person: string): void {
    this.latest.delete(`${chatId}:${person}`);
  }

  /** The person did something in the chat: a press that ended their conversation is no longer the last thing they did. */
  acted(chatId: string, person: string): void {
    this.ended.delete(`${chatId}:${person}`);
  }

  /** The person's press of `data` on message `messageId` was taken and ended their conversation. */
  endedBy(chatId: string, messageId: string, person: string, data: string): void {
    const label = this.asked.get(`${chatId}:${messageId}`)?.labels.get(data);
    if (label !== undefined) remember(this.ended, `${chatId}:${person}`, { messageId, label });
  }

  /** The label of the button whose press just ended the person's conversation, if it was on message `messageId`. */
  endingPress(chatId: string, messageId: string, person: string): string | undefined {
    const ended = this.ended.get(`${chatId}:${person}`);
    return ended?.messageId === messageId ? ended.label : undefined;
  }
}

export function isOwner(owner: Owner, person: PlatformUser): boolean {
  if (owner.id !== undefined) return owner.id === person.id;
  return owner.username !== undefined && owner.username.toLowerCase() === person.username?.toLowerCase();
}

/**
 * The person a question of the bot is for, read from the message: a question replies to the
 * person's own message or, when there is none (after a press), names them first.
 */
function ownerInMessage(message: Message, botId: number | undefined): Owner | undefined {
  const repliedTo = message.reply_to_message?.from;
  if (repliedTo && !repliedTo.is_bot && repliedTo.id !== botId) return { id: String(repliedTo.id) };
  const first = message.entities?.find((e) => e.offset === 0);
  if (first?.type === 'text_mention') return { id: String(first.user.id) };
  if (first?.type === 'mention' && message.text) return { username: message.text.slice(1, first.length) };
  return undefined;
}

/** Sets a key as the newest, forgetting the oldest beyond CAPACITY. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > CAPACITY) map.delete(map.keys().next().value!);
}

/** Said to a second tap on the button that ended the person's conversation a moment ago. */
export function alreadyPressed(label: string): string {
  // The summary's "Lưu" saved: said in its own word.
  return label === 'Lưu' ? 'Đã lưu rồi.' : `Bạn đã bấm “${label}” rồi.`;
}

/** Said to a reply to one of the person's earlier questions while a later one waits. */
export const PASSED_QUESTION =
  'Câu hỏi này đã qua nên bot chưa ghi câu trả lời vừa rồi. Bot chỉ nhận câu trả lời cho câu hỏi mới nhất gửi bạn; muốn sửa câu đã trả lời trước, bạn gõ /quaylai.';
