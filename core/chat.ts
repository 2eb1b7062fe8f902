/**
 * The chat contract: the only shapes commands, the dispatcher and the conversation engine see.
 * Adapters (Telegram, Zalo, the console simulator) translate their platform into these and back.
 *
 * Platform ids stay strings everywhere: Zalo ids exceed 2^53 and Telegram chat ids are negative.
 */

export type Platform = 'telegram' | 'zalo' | 'zalo-oa' | 'console';
export const PLATFORMS: readonly Platform[] = ['telegram', 'zalo', 'zalo-oa', 'console'];

export type ChatKind = 'group' | 'private';

export interface ChatRef {
  platform: Platform;
  /** The platform's chat id, as text. */
  id: string;
  kind: ChatKind;
  title?: string;
}

/** A person as a platform knows them. */
export interface PlatformUser {
  id: string;
  displayName: string;
  /** Telegram @username, when the person has one. */
  username?: string;
}

/**
 * A mention found in an incoming text; offsets are in UTF-16 units of the NFC text. A platform
 * gives the person's id (a Telegram text mention, a Zalo mention) or only a @username.
 */
export interface IncomingMention {
  userId?: string;
  username?: string;
  offset: number;
  length: number;
}

export interface IncomingAttachment {
  kind: 'photo' | 'document' | 'video' | 'audio' | 'other';
  /** What the platform needs to fetch it later (Telegram file_id, Zalo URL, a console path). */
  ref: string;
  fileName?: string;
  mimeType?: string;
  sizeBytes?: number;
}

/**
 * Something a person sent that is neither text nor a file worth keeping, so the bot cannot take it
 * as an answer: a sticker, a GIF, or another kind it does not read (a contact card, a location).
 * Named so the person is told what the bot could not read instead of a puzzling "answer missing".
 */
export type UnreadableContent = 'sticker' | 'gif' | 'other';

export interface IncomingMessage {
  chat: ChatRef;
  sender: PlatformUser;
  /** Platform message id, as text. */
  messageId: string;
  /** Already NFC-normalised and trimmed by the adapter (see `normalizeIncomingText`). */
  text: string;
  /** The message this one answers, when the platform says so. */
  replyTo?: { messageId: string; fromBot: boolean };
  mentions: IncomingMention[];
  attachments: IncomingAttachment[];
  /** Set when the message carried something the bot cannot read (then text and attachments are empty). */
  unreadable?: UnreadableContent;
  /** Set when the person pressed a button of an earlier prompt instead of typing. */
  choice?: { value: string; promptMessageId: string };
  receivedAt: Date;
}

/** A person to mention in an outgoing text; each adapter renders it its own way. */
export interface PersonRef {
  platformUserId: string;
  displayName: string;
  username?: string;
}

/** Outgoing text: plain strings (never pre-escaped) and mentions, rendered by the adapter. */
export type TextPart = string | { mention: PersonRef };

export interface Choice {
  /** What is sent back when the button is pressed; short, so it fits Telegram's 64 bytes. */
  value: string;
  /** What the person reads (Vietnamese, with diacritics). */
  label: string;
  /** Names the option went by before (never shown): what people used to them still type, and are understood. */
  formerly?: readonly string[];
}

export interface OutgoingFile {
  fileName: string;
  mimeType: string;
  data: Buffer;
  /** Images only: Zalo wants the size of a picture it is given. */
  width?: number;
  height?: number;
}

export interface Reply {
  text: string | TextPart[];
  /** Options the person can press or answer by number. */
  choices?: Choice[];
  files?: OutgoingFile[];
  /**
   * This reply asks `answerFrom` a question: adapters that need it make the answer easy to give
   * (Telegram: reply to their message with a selective force_reply).
   */
  prompt?: {
    answerFrom: PlatformUser;
    inReplyTo?: string;
    /**
     * A one-time token to continue this conversation in a private chat with the bot; adapters
     * that can link there with it (Telegram: t.me/<bot>?start=<token>) offer it.
     */
    handoff?: string;
  };
  /**
   * A short notice meant only for the person who triggered it (a stale or foreign button):
   * adapters that can show it privately do (Telegram: a callback alert), others send it.
   */
  ephemeral?: boolean;
}

export interface SentMessage {
  messageId: string;
}

/** How answers reach the bot on a platform. */
export type AnswerMode =
  /** The person's next message in the chat is the answer (Zalo, the simulator). */
  | 'next-message'
  /** Only a reply to the bot's latest prompt is the answer (Telegram groups in privacy mode). */
  | 'reply-to-prompt';

/** What a handler may do back on the chat a message came from. */
export interface Outbound {
  send(reply: Reply): Promise<SentMessage>;
  answerMode: AnswerMode;
  /** The bot's own username on this platform, to recognise `/cmd@botname`. */
  botUsername?: string;
  /** The largest file the platform lets the bot send here, when known: the adapter's `limits.fileBytes`. */
  maxFileBytes?: number;
}

export type IncomingHandler = (message: IncomingMessage, outbound: Outbound) => Promise<void>;

/** Sends to any chat on any running platform (notices to a unit's group, reminders). */
export type Deliver = (chat: ChatRef, reply: Reply) => Promise<SentMessage>;

/** A message for another chat than the one being answered. */
export interface Notice {
  chat: ChatRef;
  reply: Reply;
}

/**
 * What an adapter tells the core about the platform's own life: duplicates, chats that moved
 * or are gone. Implemented over the database by the core (bot/app.ts).
 */
export interface AdapterHooks {
  /** False when this delivery was seen before (the platform delivered it twice). */
  firstDelivery(platform: Platform, key: string): boolean;
  /** A group got a new id (Telegram: upgraded to a supergroup); its data follows it. */
  chatMigrated(platform: Platform, fromId: string, toId: string): void;
  /** The bot can no longer write there (removed, chat deleted): stop sending to it. */
  chatGone(platform: Platform, chatId: string, reason?: ChatGoneReason): void;
  /**
   * The platform's timestamp (ms, real time) of the newest message handled before, kept across
   * restarts: where an adapter that can ask for missed messages (Zalo) starts asking from.
   */
  handledUntil?(platform: Platform): number | undefined;
  /** Keeps `at` as that time (the adapter calls it every few seconds at most, and at stop). */
  saveHandledUntil?(platform: Platform, at: number): void;
}

/**
 * Why the bot can no longer write in a chat, when the platform says: `removed` (the bot was
 * removed from the group or left it), `disbanded` (the group no longer exists), `refused` (the
 * recipient does not accept messages from the bot's account: Zalo 123), `expired` (the group's paid
 * service lapsed: a Zalo OA's GMF group, -237; it comes back once renewed and someone writes). Kept with the chat's
 * audit row so /trangthai can tell the admins.
 */
export type ChatGoneReason = 'removed' | 'disbanded' | 'refused' | 'expired';

/**
 * The platform refused a send because the bot sent too much (Telegram 429 after the adapter's own
 * retries, Zalo 221 after its back-off). Nothing was delivered; try again after `retryAfterMs`.
 */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(readonly retryAfterMs: number) {
    super(`rate limited; retry after ${retryAfterMs} ms`);
  }
}

/**
 * The platform call was made but never answered in time, so whether it was delivered is unknown:
 * the request may still reach the platform (Zalo's send is an HTTP call that cannot be taken back).
 * Sending it again could show it twice; callers do not retry it blindly (a reminder becomes
 * 'uncertain', a person is told the answer may not have arrived).
 */
export class DeliveryUncertainError extends Error {
  override name = 'DeliveryUncertainError';
}

/**
 * The platform says the bot can no longer write in this chat (Telegram: 403, the bot was removed
 * or blocked; 400 "chat not found"; Zalo: 123, the recipient does not accept messages from the
 * bot's account). Nothing was delivered, and the adapter has already reported
 * the chat through `AdapterHooks.chatGone`: nobody there can read an apology either, so the
 * dispatcher sends none and does not count it as a failure of the bot.
 */
export class ChatGoneError extends Error {
  override name = 'ChatGoneError';
  /** Why, when the platform says (Zalo 123: `refused`). */
  readonly reason?: ChatGoneReason;
  constructor(
    readonly chat: { platform: Platform; id: string },
    /** The platform's own words (a code and a description, never a URL). */
    detail: string,
    options?: ErrorOptions & { reason?: ChatGoneReason },
  ) {
    super(`the bot can no longer write in ${chat.platform} chat ${chat.id}: ${detail}`, options);
    if (options?.reason) this.reason = options.reason;
  }
}

/**
 * The platform refuses the bot itself, so the process should end and tell its supervisor why:
 * `credentials` (Telegram 401: the token is wrong or was revoked; a restart cannot mend it) or
 * `conflict` (Telegram 409: another process is taking this bot's updates; worth a restart
 * after a pause, the other may be an old copy shutting down). bot/main.ts turns it into an
 * exit code and one line on stderr.
 */
export class PlatformRefusedError extends Error {
  override name = 'PlatformRefusedError';
  constructor(
    readonly platform: Platform,
    readonly reason: 'credentials' | 'conflict',
    /** The platform's code (401, 409). */
    readonly code: number,
    options?: ErrorOptions,
  ) {
    super(`${platform} refused the bot (${code}: ${reason})`, options);
  }
}

/** Where an adapter's link to its platform stands: what /trangthai shows the admins. */
export type AdapterState = 'connected' | 'connecting' | 'stopped';

export interface AdapterStatus {
  state: AdapterState;
  /** When it entered this state. */
  since: Date;
  /** Why, in Vietnamese, when there is something to say (a close code, a retry). */
  detail?: string;
  /** What an admin must act on soon although the link works (a Zalo OA group whose package runs out), in Vietnamese. */
  warnings?: string[];
}

/** How fast the bot may send on a platform: the pace of reminder fan-outs (scheduler/rateLimiter.ts). */
export interface SendRate {
  /** Sends started per second, over all chats. */
  perSecond: number;
  /** Sends started per chat in any 60 s. */
  perChatPerMinute: number;
  /** Sends waiting on the platform at once. */
  concurrency: number;
}

/**
 * What a platform lets the bot send, declared by its adapter: nothing below bot/ keeps a table of
 * platforms. The adapter splits and checks by these; the reminder sender paces by `sending`
 * (bot/main.ts hands it every running adapter's, through `sendRatesOf`).
 */
export interface PlatformLimits {
  /** The longest text one message may carry, in UTF-16 units; a longer reply goes as several. Infinity: none. */
  messageChars: number;
  /** The largest file the bot may send, in bytes; undefined while not known (Zalo: until its settings are read). */
  fileBytes?: number;
  sending: SendRate;
}

/** What every platform adapter implements. */
export interface ChatAdapter {
  readonly platform: Platform;
  /** What the platform lets the bot send (read when needed: a platform may learn its own, as Zalo does). */
  readonly limits: PlatformLimits;
  /** Starts receiving; resolves when the adapter stops on its own (end of input, shutdown). */
  start(handler: IncomingHandler): Promise<void>;
  /** Sends to any chat, outside a conversation (reminders, notifications). */
  send(chat: ChatRef, reply: Reply): Promise<SentMessage>;
  stop(): Promise<void>;
  /** The connection as the adapter knows it now. */
  status?(): AdapterStatus;
}

/** The send rates the running adapters declare, by platform: what the reminder sender paces by. */
export function sendRatesOf(adapters: Iterable<ChatAdapter>): Partial<Record<Platform, SendRate>> {
  const rates: Partial<Record<Platform, SendRate>> = {};
  for (const adapter of adapters) rates[adapter.platform] = adapter.limits.sending;
  return rates;
}

/** Plain text of a reply, mentions shown as @Name: for logs, tests and the simulator. */
export function plainText(text: Reply['text']): string {
  if (typeof text === 'string') return text;
  return text.map((p) => (typeof p === 'string' ? p : `@${p.mention.displayName}`)).join('');
}
