import type { Logger } from 'pino';
import { type GroupMessage, type MessageContent, ThreadType, type UserMessage } from 'zca-js';
import { type AdapterHooks, type AdapterStatus, type ChatAdapter, type ChatRef, type IncomingHandler, type Outbound, RateLimitedError, type Reply, type SentMessage } from '../chat.js';
import { incomingFromZalo } from './incoming.js';
import { renderZalo } from './render.js';
import { isRetryableZaloError, SendQueue } from './sendQueue.js';
import type { SessionSource, ZaloSessionSaver } from './sessionSaver.js';
import { type ConnectionLike, type ListenerLike, ZaloSupervisor } from './supervisor.js';

/** The part of zca-js's API the adapter uses; tests pass a fake with an EventEmitter listener. */
export interface ZaloApiLike extends ConnectionLike, SessionSource {
  listener: ListenerLike & {
    on(event: 'message', listener: (message: UserMessage | GroupMessage) => void): unknown;
    on(event: 'old_messages', listener: (messages: Array<UserMessage | GroupMessage>, type: ThreadType) => void): unknown;
    /** Zalo answers with its recent history through "old_messages". */
    requestOldMessages(type: ThreadType): void;
  };
  getOwnId(): string;
  /** The session's server settings; Zalo decides there how large a file may be sent. */
  getContext?(): { settings?: { features?: { sharefile?: { max_size_share_file_v3?: number } } } };
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
  /** The account was opened elsewhere and the bot stopped using it: tell the admins elsewhere. */
  onStopped: (code: number) => void | Promise<void>;
  queue?: SendQueue;
  /** Writes cookies the session refreshed back to the credentials file. */
  session?: ZaloSessionSaver;
  /** How often the session's cookies are checked for changes (also after each login and at stop). */
  sessionSaveEveryMs?: number;
  /** Tests: no real waiting between reconnects. */
  sleep?: (ms: number) => Promise<void>;
  /** Real time in ms, compared with Zalo's message timestamps (which are real time, never the demo clock). */
  now?: () => number;
}

/** After Zalo kept refusing for being too fast, wait this long before trying that send again. */
const ZALO_COOL_DOWN_MS = 10 * 60_000;

/** Recovery replays from this long before the last message seen live (or the start)… */
const RECOVERY_MARGIN_MS = 5 * 60_000;
/** …but never messages older than this, well inside the 3 days delivery keys are kept. */
const RECOVERY_HORIZON_MS = 24 * 60 * 60_000;

/**
 * The Zalo adapter over zca-js (a personal account). Every group message reaches the bot, so an
 * answer is simply the owner's next message; choices are numbered lists. All sends go through
 * one paced queue; the supervisor keeps the connection, and the adapter recovers group
 * messages missed while it was away (each message id handled once).
 */
export class ZaloAdapter implements ChatAdapter {
  readonly platform = 'zalo' as const;
  private readonly queue: SendQueue;
  private readonly supervisor: ZaloSupervisor<ZaloApiLike>;
  private readonly chains = new Map<string, Promise<void>>();
  private handler?: IncomingHandler;
  /** Zalo timestamp (ms) of the newest message seen; recovery replays nothing much older. */
  private seenUntil = 0;
  private sessionTimer?: NodeJS.Timeout;
  private finished?: () => void;

  constructor(private readonly options: ZaloOptions) {
    // Zalo blocks accounts that send fast: one message at a time, at least 1.2 s apart.
    this.queue = options.queue ?? new SendQueue({ minGapMs: 1200, backoffMs: [5_000, 30_000, 120_000], fileTimeoutMs: 60_000, log: options.log });
    this.supervisor = new ZaloSupervisor<ZaloApiLike>({
      login: options.login,
      log: options.log,
      sleep: options.sleep,
      now: options.now,
      onConnected: (api, reconnect) => this.listen(api, reconnect),
      onStopped: async (_reason, code) => {
        await options.onStopped(code);
        this.finished?.();
      },
    });
  }

  async start(handler: IncomingHandler): Promise<void> {
    this.handler = handler;
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    this.seenUntil = (this.options.now ?? Date.now)();
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
    await this.idle();
    this.finished?.();
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
    await Promise.all(this.chains.values());
  }

  send(chat: ChatRef, reply: Reply): Promise<SentMessage> {
    const api = this.supervisor.current;
    if (!api) return Promise.reject(new Error('zalo is not connected'));
    // The library sends to a person unless told otherwise: a group must say so every time.
    const type = chat.kind === 'group' ? ThreadType.Group : ThreadType.User;
    return this.deliver(api, chat.id, type, reply).catch((error: unknown) => {
      // Still limited after the queue's back-off: let the caller come back much later.
      if (isRetryableZaloError(error)) throw new RateLimitedError(ZALO_COOL_DOWN_MS);
      throw error;
    });
  }

  // -------------------------------------------------------------------------------------------

  private listen(api: ZaloApiLike, reconnect: boolean): void {
    const ownId = api.getOwnId();
    api.listener.on('message', (message) => this.receive(message, ownId, true));
    // Group messages sent while the bot was away (a dropped connection, or a restart of a few
    // minutes), where Zalo gives them back from its recent history. Only those from about the last
    // message seen onwards are replayed, oldest first, and never older than a day (delivery keys
    // live 3 days, so every replayed message the bot had already handled is dropped by its id).
    const now = (this.options.now ?? Date.now)();
    const since = Math.max(this.seenUntil - RECOVERY_MARGIN_MS, now - RECOVERY_HORIZON_MS);
    api.listener.on('old_messages', (messages, type) => {
      if (type !== ThreadType.Group) return;
      const missed = messages.filter((m) => Number(m.data.ts) >= since).sort((a, b) => Number(a.data.ts) - Number(b.data.ts));
      if (missed.length > 0) this.options.log.info({ count: missed.length, reconnect }, 'zalo: recovering group messages missed while away');
      for (const message of missed) this.receive(message, ownId, false);
    });
    // The request needs the socket open (the maintainers ask for it on "connected").
    api.listener.on('connected', () => api.listener.requestOldMessages(ThreadType.Group));
    this.saveSession();
  }

  private receive(message: UserMessage | GroupMessage, ownId: string, live: boolean): void {
    if (!this.options.hooks.firstDelivery('zalo', message.data.msgId)) return;
    const ts = Number(message.data.ts);
    if (live && Number.isFinite(ts)) this.seenUntil = Math.max(this.seenUntil, ts);
    const msg = incomingFromZalo(message, ownId);
    const handler = this.handler;
    if (!msg || !handler) return;
    // One chat's messages in order, different chats at once; a failure never stops the chain.
    const key = `${msg.chat.kind}:${msg.chat.id}`;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => handler(msg, this.outbound(msg.chat)))
      .catch((error: unknown) => this.options.log.error({ err: error, chat: msg.chat.id }, 'zalo: message failed'));
    this.chains.set(key, next);
  }

  private outbound(chat: ChatRef): Outbound {
    return { answerMode: 'next-message', maxFileBytes: this.maxFileBytes(), send: (reply) => this.send(chat, reply) };
  }

  /** Zalo's own file limit for this account (in MB in its settings); zca-js refuses larger files. */
  private maxFileBytes(): number | undefined {
    const mb = this.supervisor.current?.getContext?.().settings?.features?.sharefile?.max_size_share_file_v3;
    return typeof mb === 'number' && mb > 0 ? mb * 1024 * 1024 : undefined;
  }

  private async deliver(api: ZaloApiLike, threadId: string, type: ThreadType, reply: Reply): Promise<SentMessage> {
    let last = '';
    for (const piece of renderZalo(reply)) {
      if (piece.msg.trim() === '') continue;
      const sent = await this.queue.run(() => api.sendMessage({ msg: piece.msg, mentions: piece.mentions }, threadId, type), 'text');
      if (sent.message) last = String(sent.message.msgId);
    }
    for (const file of reply.files ?? []) {
      const source = {
        data: file.data,
        filename: file.fileName as `${string}.${string}`,
        metadata: { totalSize: file.data.length, width: file.width, height: file.height },
      };
      const sent = await this.queue.run(() => api.sendMessage({ msg: '', attachments: [source] }, threadId, type), 'file');
      const id = sent.attachment.at(-1)?.msgId ?? sent.message?.msgId;
      if (id !== undefined) last = String(id);
    }
    return { messageId: last };
  }
}
