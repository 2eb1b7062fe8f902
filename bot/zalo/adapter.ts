import type { Logger } from 'pino';
import { type GroupEvent, type GroupMessage, type MessageContent, ThreadType, type UserMessage } from 'zca-js';
import {
  type AdapterHooks,
  type AdapterStatus,
  type ChatAdapter,
  ChatGoneError,
  type ChatRef,
  DeliveryUncertainError,
  type IncomingHandler,
  type Outbound,
  type PlatformLimits,
  RateLimitedError,
  type Reply,
  type SentMessage,
} from '../../core/chat.js';
import { ChatChains } from '../chatChains.js';
import { type FileAttempt, type FileDoneData, FileDoneLostError, FileDoneRelay } from './fileDone.js';
import { onGroupEvent } from './groupEvents.js';
import { incomingFromZalo } from './incoming.js';
import { MissedMessages, type ZaloMessage } from './missed.js';
import { MESSAGE_LIMIT, renderZalo } from './render.js';
import { isRecipientRefusedError, isRetryableZaloError, SendQueue } from './sendQueue.js';
import type { SessionSource, ZaloSessionSaver } from './sessionSaver.js';
import { type ConnectionLike, type ListenerLike, type ZaloSettingsLike, type ZaloStop, ZaloSupervisor } from './supervisor.js';

/** The part of zca-js's API the adapter uses; tests pass a fake with an EventEmitter listener. */
export interface ZaloApiLike extends ConnectionLike, SessionSource {
  listener: ListenerLike & {
    on(event: 'message', listener: (message: UserMessage | GroupMessage) => void): unknown;
    on(event: 'old_messages', listener: (messages: Array<UserMessage | GroupMessage>, type: ThreadType) => void): unknown;
    on(event: 'group_event', listener: (event: GroupEvent) => void): unknown;
    /** zca-js emits every `file_done` it reads (after looking up its callback). */
    on(event: 'upload_attachment', listener: (data: FileDoneData) => void): unknown;
    /** Zalo answers with its recent history through "old_messages"; `lastMsgId` asks for older ones. */
    requestOldMessages(type: ThreadType, lastMsgId?: string | null): void;
  };
  getOwnId(): string;
  /** The session's server settings; Zalo decides there how large a file may be sent. */
  getContext?(): { settings?: ZaloSettingsLike };
  sendMessage(
    message: MessageContent | string,
    threadId: string,
    type?: ThreadType,
  ): Promise<{ message: { msgId: number | string } | null; attachment: Array<{ msgId: number | string }> }>;
}

export interface ZaloOptions {
  /** Logs in from the saved credentials. */
  login: () => Promise<ZaloApiLike>;
  hooks: AdapterHooks;
  log: Logger;
  /**
   * The bot let go of the account for good (opened elsewhere, Zalo refused the saved login, too
   * many logins in an hour): tell the admins. Called once; start() returns after it.
   */
  onStopped: (stop: ZaloStop) => void | Promise<void>;
  queue?: SendQueue;
  /** Writes cookies the session refreshed back to the credentials file. */
  session?: ZaloSessionSaver;
  /** How often the session's cookies are checked for changes (also after each login and at stop). */
  sessionSaveEveryMs?: number;
  /** Tests: no real waiting between reconnects. */
  sleep?: (ms: number) => Promise<void>;
  /** Real time in ms, compared with Zalo's message timestamps (which are real time, never the demo clock). */
  now?: () => number;
  /** How long an accepted upload waits for its `file_done` (default FILE_DONE_WAIT_MS). */
  fileDoneWaitMs?: number;
  /** Tests: the supervisor's watchdog and keep-alive timer (default: an unref'd setInterval). */
  every?: (ms: number, fn: () => void) => () => void;
  /**
   * Tests: runs `fn` once after `ms` unless cancelled — how long Zalo has to answer a history
   * request, and the pause between writes of the last handled time (default: an unref'd setTimeout).
   */
  after?: (ms: number, fn: () => void) => () => void;
}

/** The bot holds no Zalo session it may send through (not logged in yet, or stopped for good). */
export class ZaloNotConnectedError extends Error {
  override name = 'ZaloNotConnectedError';
  constructor() {
    super('zalo is not connected');
  }
}

/**
 * A file that was not posted to the chat (its `file_done` never came, or it was given up before
 * Zalo had it): nothing reached the group, and the caller may say so.
 */
export class FileNotSentError extends Error {
  override name = 'FileNotSentError';
}

/** A file whose `file_done` was lost is uploaded at most this many times in all. */
const FILE_ATTEMPTS = 2;

/** Zalo blocks accounts that send fast: one message at a time, at least this far apart. */
const ZALO_SEND_GAP_MS = 1200;

/**
 * What Zalo lets the account send, but the file size: that is Zalo's own setting for the account,
 * known once logged in (`ZaloAdapter.limits`).
 */
export const ZALO_LIMITS: PlatformLimits = {
  messageChars: MESSAGE_LIMIT,
  // The send queue spaces every send ZALO_SEND_GAP_MS apart itself; this only keeps the queue short.
  sending: { perSecond: 0.8, perChatPerMinute: 10, concurrency: 1 },
};

/** After Zalo kept refusing for being too fast, wait this long before trying that send again. */
const ZALO_COOL_DOWN_MS = 10 * 60_000;

/**
 * The Zalo adapter over zca-js (a personal account). Every group message reaches the bot, so an
 * answer is simply the owner's next message; choices are numbered lists. All sends go through
 * one paced queue; the supervisor keeps the connection, and the adapter recovers the messages of
 * groups and private chats missed while it was away, even across restarts (missed.ts; each
 * message id handled once).
 */
export class ZaloAdapter implements ChatAdapter {
  readonly platform = 'zalo' as const;
  private readonly queue: SendQueue;
  private readonly supervisor: ZaloSupervisor<ZaloApiLike>;
  /** Called only after construction, when this.options is set. */
  private readonly chains = new ChatChains((error, chat) => this.options.log.error({ err: error, chat }, 'zalo: message failed'));
  /** Each session's file_done relay (a new login brings a new context). */
  private readonly relays = new WeakMap<ZaloApiLike, FileDoneRelay>();
  private handler?: IncomingHandler;
  /** Messages missed while away: asked back on each socket open, replayed before live ones. */
  private readonly missed: MissedMessages;
  /** The account's own uid (the same for every login of the account). */
  private ownId = '';
  private sessionTimer?: NodeJS.Timeout;
  private finished?: () => void;

  constructor(private readonly options: ZaloOptions) {
    this.queue =
      options.queue ??
      new SendQueue({ minGapMs: ZALO_SEND_GAP_MS, backoffMs: [5_000, 30_000, 120_000], fileTimeoutMs: 60_000, textTimeoutMs: 30_000, log: options.log });
    const { hooks } = options;
    this.missed = new MissedMessages({
      log: options.log,
      now: options.now ?? Date.now,
      after: options.after ?? afterUnref,
      load: hooks.handledUntil && (() => hooks.handledUntil!('zalo')),
      save: hooks.saveHandledUntil && ((at) => hooks.saveHandledUntil!('zalo', at)),
      handle: (message) => this.receive(message),
    });
    this.supervisor = new ZaloSupervisor<ZaloApiLike>({
      login: options.login,
      log: options.log,
      sleep: options.sleep,
      now: options.now,
      every: options.every,
      onConnected: (api, reconnect) => {
        this.relayFileDone(api);
        this.listen(api, reconnect);
      },
      onStopped: async (stop) => {
        try {
          await options.onStopped(stop);
        } finally {
          // Nothing more comes in: the last handled time is written now, while the database is
          // open (main closes it once start() returns, without calling stop()).
          clearInterval(this.sessionTimer);
          this.missed.stop();
          this.finished?.();
        }
      },
    });
  }

  async start(handler: IncomingHandler): Promise<void> {
    this.handler = handler;
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    this.missed.start();
    if (this.options.session) {
      this.sessionTimer = setInterval(() => this.saveSession(), this.options.sessionSaveEveryMs ?? 15 * 60_000);
      this.sessionTimer.unref();
    }
    await this.supervisor.start();
    await done;
  }

  async stop(): Promise<void> {
    clearInterval(this.sessionTimer);
    this.saveSession();
    this.supervisor.stop();
    this.missed.stop();
    await this.idle();
    this.finished?.();
  }

  /** Zalo's limits, with the file size this account's settings give once logged in. */
  get limits(): PlatformLimits {
    const fileBytes = this.maxFileBytes();
    return fileBytes === undefined ? ZALO_LIMITS : { ...ZALO_LIMITS, fileBytes };
  }

  /** The supervisor knows the connection: logging in, connected, waiting to reconnect, stopped. */
  status(): AdapterStatus {
    return this.supervisor.status();
  }

  /** Saves the current session's cookies if they changed since the file was written. */
  saveSession(): void {
    const api = this.supervisor.current;
    if (api) this.options.session?.save(api);
  }

  /** Settles when every message received so far has been handled. */
  async idle(): Promise<void> {
    await this.chains.idle();
  }

  send(chat: ChatRef, reply: Reply): Promise<SentMessage> {
    if (!this.supervisor.current) return Promise.reject(new ZaloNotConnectedError());
    // The library sends to a person unless told otherwise: a group must say so every time.
    const type = chat.kind === 'group' ? ThreadType.Group : ThreadType.User;
    return this.deliver(chat.id, type, reply).catch((error: unknown) => {
      // Still limited after the queue's back-off: let the caller come back much later.
      if (isRetryableZaloError(error)) throw new RateLimitedError(ZALO_COOL_DOWN_MS);
      // 123: this chat or person does not take the account's messages. Marked as Telegram's 403
      // marks a chat: reminders to it are dropped, no apology is sent, /trangthai lists it.
      if (isRecipientRefusedError(error)) {
        this.options.hooks.chatGone('zalo', chat.id, 'refused');
        throw new ChatGoneError({ platform: 'zalo', id: chat.id }, `${error.code} ${error.message}`, { cause: error, reason: 'refused' });
      }
      throw error;
    });
  }

  // -------------------------------------------------------------------------------------------

  private listen(api: ZaloApiLike, reconnect: boolean): void {
    const ownId = api.getOwnId();
    this.ownId = ownId;
    // Live messages go through `missed`: while their kind's history is still coming, they wait.
    api.listener.on('message', (message) => this.missed.live(message));
    // The bot removed from a group, or the group disbanded: stop writing there (groupEvents.ts).
    api.listener.on('group_event', (event) => onGroupEvent(event, ownId, this.options.hooks, this.options.log));
    // Messages of groups and private chats sent while the bot was away (a dropped socket, a
    // restart), from Zalo's recent history: asked for each time the socket opens — one session may
    // last for days of reopened sockets — since the last message handled (missed.ts).
    api.listener.on('old_messages', (messages, type) => this.missed.batch(messages, type));
    // The request needs the socket open (the maintainers ask for it on "connected").
    api.listener.on('connected', () => {
      this.options.log.debug({ reconnect }, 'zalo: asking for the messages missed while away');
      this.missed.opened((type, lastMsgId) => api.listener.requestOldMessages(type, lastMsgId));
    });
    this.saveSession();
  }

  /** A message, live or replayed: handled once per id, in order within its chat. False: seen before. */
  private receive(message: ZaloMessage): boolean {
    if (!this.options.hooks.firstDelivery('zalo', message.data.msgId)) return false;
    this.missed.handled(Number(message.data.ts));
    const msg = incomingFromZalo(message, this.ownId);
    const handler = this.handler;
    if (!msg || !handler) return true;
    void this.chains.run(`${msg.chat.kind}:${msg.chat.id}`, () => handler(msg, this.outbound(msg.chat)));
    return true;
  }

  private outbound(chat: ChatRef): Outbound {
    return { answerMode: 'next-message', maxFileBytes: this.limits.fileBytes, send: (reply) => this.send(chat, reply) };
  }

  /** Zalo's own file limit for this account (in MB in its settings); zca-js refuses larger files. */
  private maxFileBytes(): number | undefined {
    const mb = this.supervisor.current?.getContext?.().settings?.features?.sharefile?.max_size_share_file_v3;
    return typeof mb === 'number' && mb > 0 ? mb * 1024 * 1024 : undefined;
  }

  /**
   * The session a send goes out through, looked up when the queue gets to it: a reply queued
   * behind others must not go out through a session the bot has let go of meanwhile (the account
   * opened elsewhere: sending then is fighting for it), and after a new login it takes the new one.
   */
  private sendingSession(): ZaloApiLike {
    const api = this.supervisor.current;
    if (!api) throw new ZaloNotConnectedError();
    return api;
  }

  private async deliver(threadId: string, type: ThreadType, reply: Reply): Promise<SentMessage> {
    let last = '';
    for (const piece of renderZalo(reply, this.limits.messageChars)) {
      if (piece.msg.trim() === '') continue;
      const sent = await this.queue.run(() => this.sendingSession().sendMessage({ msg: piece.msg, mentions: piece.mentions }, threadId, type), 'text');
      if (sent.message) last = String(sent.message.msgId);
    }
    for (const file of reply.files ?? []) {
      const sent = await this.sendFile(threadId, type, file);
      const id = sent.attachment.at(-1)?.msgId ?? sent.message?.msgId;
      if (id !== undefined) last = String(id);
    }
    return { messageId: last };
  }

  /**
   * One file, through zca-js's upload and its `file_done` wait (fileDone.ts). A file whose
   * `file_done` never came (it went out on a socket that was reopening) was not posted, and its
   * zca-js call can no longer post it: the upload is tried once more, so the group gets the file
   * once. A file that still fails was not posted either, and the caller says so once. Only an image
   * (no `file_done`: zca-js posts it right after the upload) or a file whose message was already
   * on its way when time ran out is "uncertain".
   */
  private async sendFile(
    threadId: string,
    type: ThreadType,
    file: NonNullable<Reply['files']>[number],
  ): Promise<Awaited<ReturnType<ZaloApiLike['sendMessage']>>> {
    const source = {
      data: file.data,
      filename: file.fileName as `${string}.${string}`,
      metadata: { totalSize: file.data.length, width: file.width, height: file.height },
    };
    for (let attemptNo = 1; ; attemptNo++) {
      let attempt: FileAttempt | undefined;
      try {
        return await this.queue.run(() => {
          const api = this.sendingSession();
          attempt = this.relays.get(api)?.begin();
          const sending = api.sendMessage({ msg: '', attachments: [source] }, threadId, type);
          return attempt ? Promise.race([sending, attempt.lost]) : sending;
        }, 'file');
      } catch (error) {
        const posted = attempt?.posting ?? false;
        if (error instanceof FileDoneLostError && attemptNo < FILE_ATTEMPTS) {
          this.options.log.warn({ file: file.fileName, attempt: attemptNo }, 'zalo: the upload’s file_done never came; uploading the file again');
          continue;
        }
        if (error instanceof FileDoneLostError || (error instanceof DeliveryUncertainError && attempt && !posted && !isZaloImage(file.fileName))) {
          throw new FileNotSentError(`zalo: file ${file.fileName} was not posted`, { cause: error });
        }
        throw error;
      } finally {
        // Whatever happened, this attempt's zca-js call can no longer post anything.
        attempt?.end();
      }
    }
  }

  /** The session's `file_done` relay, in place of zca-js's own callback map (fileDone.ts). */
  private relayFileDone(api: ZaloApiLike): void {
    const context = api.getContext?.() as { uploadCallbacks?: unknown } | undefined;
    if (!context || !('uploadCallbacks' in context)) {
      this.options.log.warn('zalo: the session’s upload callbacks cannot be reached; files depend on file_done arriving after the upload');
      return;
    }
    const relay = new FileDoneRelay(this.options.log, { now: this.options.now, waitMs: this.options.fileDoneWaitMs });
    context.uploadCallbacks = relay;
    api.listener.on('upload_attachment', (data) => relay.fileDone(data));
    this.relays.set(api, relay);
  }
}

/** zca-js sends these as images: posted right after the upload, with no `file_done` (uploadAttachment.js). */
function isZaloImage(fileName: string): boolean {
  return /\.(jpe?g|png|webp)$/i.test(fileName);
}

/** setTimeout that never keeps the process alive, cancelled by the function it returns. */
function afterUnref(ms: number, fn: () => void): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
