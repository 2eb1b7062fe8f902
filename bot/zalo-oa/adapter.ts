import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import type { Logger } from 'pino';
import {
  type AdapterHooks,
  type AdapterStatus,
  type ChatAdapter,
  ChatGoneError,
  type ChatRef,
  DeliveryUncertainError,
  type IncomingHandler,
  type IncomingMessage,
  type Outbound,
  type OutgoingFile,
  type PlatformLimits,
  RateLimitedError,
  type Reply,
  type SentMessage,
} from '../../core/chat.js';
import { StatusTracker } from '../status.js';
import { type ImageSource, MAX_FILE_UPLOAD_BYTES, MAX_IMAGE_UPLOAD_BYTES, type ZaloOaApi, ZaloOaApiError, ZaloOaUploadRefused } from './api.js';
import { type RenewalWarning, renewalWarning } from './groupRenewal.js';
import { fitImageInChild } from './imageFitRunner.js';
import { incomingFromHistory, incomingFromOaEvent, isPrivateMessageEvent } from './incoming.js';
import { MemberNames } from './memberNames.js';
import { UserNames } from './userNames.js';
import { missedMessages, recoverySince } from './recovery.js';
import { OA_MESSAGE_LIMIT, renderOa } from './render.js';
import { OaSendQueue } from './sendQueue.js';
import { type TokenKeeper, ZaloOaNeedsReauthorisation } from './tokens.js';
import { type WebhookEvent, ZaloOaWebhook } from './webhook.js';

/**
 * The official Zalo route: a verified Official Account in the group chats it owns (GMF), and in
 * its 1:1 chats with the people who write to it, over Zalo's OpenAPI (api.ts) and its webhook
 * (webhook.ts). docs/zalo-oa.md is the operator's side.
 *
 * - Receiving: Zalo posts every event of the OA's groups and 1:1 chats to the bot's HTTP server;
 *   the webhook answers at once and hands each event here, one group (or one person) at a time in
 *   order. A message is handled once (its msg_id through the delivery keys: Zalo posts a failed
 *   delivery again), named (the event names nobody: a group's member list, a person's user
 *   detail), and given to the core.
 * - After downtime, each group's recent history is read back to the last handled message (at most
 *   a day) before that group's live events (recovery.ts).
 * - Sending: texts of at most 2,000 characters, numbered choices, `[@uid]` mentions (render.ts);
 *   PDF/DOC/DOCX up to 5 MB and JPG/PNG images up to 1 MB (larger ones downscaled) go through
 *   Zalo's uploads; anything else (spreadsheets, large files, any file once Zalo's upload quota is
 *   out) is served by the bot at a link that expires (fileLinks.ts). Every call goes through one
 *   paced queue (sendQueue.ts). A private chat gets the same, as Zalo's customer-service ("tư vấn")
 *   messages, which Zalo allows within 7 days of the person's last interaction with the OA.
 * - Errors: an expired token is refreshed once and the call tried again; -237/-403 mark the group
 *   gone (the core stops writing there) and alert; -221/-223/-224 mean the OA itself may not use
 *   groups: the adapter stops sending anywhere and alerts. A refused refresh token is the
 *   TokenKeeper's alert; /trangthai shows the route as stopped until an operator loads a new one.
 *   In a private chat, -213/-227/-244 (the person does not take the OA's messages) mark the chat
 *   gone as refused; -230/-232 (over 7 days since the person last wrote) are a ZaloOaOutsideWindowError:
 *   the chat is not gone, the person only has to write to the OA again (docs/zalo-oa-api.md §8).
 */

/** What the adapter needs of the file links (FileLinks): a link to a file, and the line that says it. */
export interface FileLinkOffer {
  offer(file: OutgoingFile, chat: ChatRef): Promise<{ url: string; expiresAt: Date }>;
  handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): boolean;
}

export interface ZaloOaAdapterOptions {
  appId: string;
  oaId: string;
  /** The OA Secret Key that signs the webhook posts. */
  secretKey: string;
  api: ZaloOaApi;
  tokens: TokenKeeper;
  hooks: AdapterHooks;
  log: Logger;
  /** Where the HTTP server listens (behind the operator's HTTPS proxy); port 0 picks one (tests). */
  listen: { host: string; port: number };
  /** The webhook's path (the path of `<public url>/zalo-oa/webhook`). */
  webhookPath?: string;
  links: FileLinkOffer;
  /** The line a group reads for a file sent by link. */
  linkNotice: (file: OutgoingFile, link: { url: string; expiresAt: Date }) => string;
  /** OA-scoped user ids the bot holds a `zalo-oa` identity for: only they are mentioned as `[@uid]`. */
  knownUser: (userId: string) => boolean;
  /** Tells the admins on the other routes (and the log) about something an operator must act on. */
  alert: (text: string, options?: AlertOptions) => void | Promise<void>;
  /** Real time in ms (Zalo's timestamps are real time, never the demo clock). */
  now?: () => number;
  queue?: OaSendQueue;
}

/** `oaCanSend`: the alert is not about the OA failing to send, so the OA's own private chats may carry it. */
export interface AlertOptions {
  oaCanSend?: boolean;
}

export const ZALO_OA_WEBHOOK_PATH = '/zalo-oa/webhook';

/**
 * What the OA may send: 2,000 characters a message (Zalo's cap for captions and 1:1 texts, kept
 * for groups too); the largest file is the bot's own (a link carries any size the bot keeps), so
 * none is declared. The pace keeps reminders well inside the 100 calls a minute of the smallest
 * package, which every other call shares.
 */
export const ZALO_OA_LIMITS: PlatformLimits = {
  messageChars: OA_MESSAGE_LIMIT,
  sending: { perSecond: 1, perChatPerMinute: 20, concurrency: 1 },
};

/**
 * Zalo refused a 1:1 message because the person's last interaction with the OA is over 7 days old
 * (-230/-232). The chat is not gone: the next message the person sends to the OA opens it again.
 * Nothing was delivered.
 */
export class ZaloOaOutsideWindowError extends Error {
  override name = 'ZaloOaOutsideWindowError';
  constructor(
    readonly userId: string,
    readonly code: number,
    options?: ErrorOptions,
  ) {
    super(`zalo-oa: ${userId} has not written to the OA in the last 7 days (${code}); they must write to it again first`, options);
  }
}

/** Zalo says the OA may not use groups (not verified, no package, permission not granted): nothing is sent until a restart. */
export class ZaloOaRefusedError extends Error {
  override name = 'ZaloOaRefusedError';
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);
const UPLOAD_EXTENSIONS = new Set(['.pdf', '.doc', '.docx']);
/** -211: the upload API's monthly quota (5,000) is spent; files then go by link. */
const OUT_OF_QUOTA = -211;

export class ZaloOaAdapter implements ChatAdapter {
  readonly platform = 'zalo-oa' as const;
  readonly limits = ZALO_OA_LIMITS;
  private readonly webhook: ZaloOaWebhook;
  private readonly queue: OaSendQueue;
  private readonly names: MemberNames;
  private readonly userNames: UserNames;
  private readonly tracker: StatusTracker;
  private readonly now: () => number;
  private server?: Server;
  private handler?: IncomingHandler;
  private finished?: () => void;
  /** Each known group's recovery, awaited by that group's first live event. */
  private recoveries: Promise<Map<string, Promise<void>>> = Promise.resolve(new Map());
  /** Set once Zalo said the OA may not use groups: the reason, in Vietnamese. */
  private refused?: string;
  private readonly alertedGroups = new Set<string>();
  private warnings = new Map<string, RenewalWarning>();
  private newestHandled = 0;
  private savedAt = 0;
  private markListening!: () => void;
  /** Settles once the server takes posts (the benchmark and the tests post after it). */
  readonly listening = new Promise<void>((resolve) => (this.markListening = resolve));

  constructor(private readonly options: ZaloOaAdapterOptions) {
    this.now = options.now ?? Date.now;
    this.tracker = new StatusTracker(() => new Date(this.now()));
    this.queue = options.queue ?? new OaSendQueue({ rateLimit: () => options.api.rateLimit, log: options.log });
    this.names = new MemberNames(
      { members: (...a) => this.call(() => options.api.members(...a)), conversation: (...a) => this.call(() => options.api.conversation(...a)) },
      options.log,
      this.now,
    );
    this.userNames = new UserNames({ userDetail: (userId) => this.call(() => options.api.userDetail(userId)) }, options.log, this.now);
    this.webhook = new ZaloOaWebhook({
      path: options.webhookPath ?? ZALO_OA_WEBHOOK_PATH,
      appId: options.appId,
      oaId: options.oaId,
      secretKey: options.secretKey,
      log: options.log,
      onEvent: (event) => this.onEvent(event),
    });
  }

  async start(handler: IncomingHandler): Promise<void> {
    this.handler = handler;
    const done = new Promise<void>((resolve) => (this.finished = resolve));
    this.tracker.set('connecting', 'đang mở cổng nhận webhook');
    const { log } = this.options;
    this.server = createServer((req, res) => {
      if (this.webhook.handle(req, res)) return;
      if (this.options.links.handle(req, res)) return;
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Không có gì ở địa chỉ này.');
    });
    // Zalo gives a webhook 2 s; a request that trickles in must not hold a socket for long.
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 5_000;
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.listen.port, this.options.listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => log.error({ err: error }, 'zalo-oa: HTTP server error'));
    log.info({ address: this.address }, 'zalo-oa: listening for the webhook');
    // Live events wait for their group's recovery, which needs the token and the list of groups.
    this.recoveries = this.recoverAll();
    this.markListening();
    await this.recoveries;
    this.checkToken();
    await done;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    }
    await this.idle();
    this.saveHandled(true);
    this.tracker.set('stopped', 'bot dừng');
    this.finished?.();
  }

  /** host:port the server listens on (the port Node picked when given 0). */
  get address(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? `${address.address}:${address.port}` : '';
  }

  status(): AdapterStatus {
    const warnings = [...this.warnings.values()].map((w) => w.text);
    return { ...this.tracker.get(), ...(warnings.length > 0 ? { warnings } : {}) };
  }

  /** Settles when every event received so far has been handled. */
  async idle(): Promise<void> {
    await this.recoveries.then((m) => Promise.allSettled(m.values()));
    await this.webhook.idle();
  }

  send(chat: ChatRef, reply: Reply): Promise<SentMessage> {
    if (this.refused) return Promise.reject(new ZaloOaRefusedError(this.refused));
    return this.deliver(chat, reply);
  }

  /**
   * Reads each group's package dates and keeps the warnings /trangthai shows; alerts once for each
   * group entering the window. For the scheduler's daily run (jobs.ts zaloOaJob), which also runs at its first tick.
   */
  async checkRenewals(now: Date): Promise<RenewalWarning[]> {
    const warnings = new Map<string, RenewalWarning>();
    for (const groupId of await this.groupIds()) {
      try {
        const warning = renewalWarning(await this.call(() => this.options.api.groupInfo(groupId)), now);
        if (warning) warnings.set(groupId, warning);
      } catch (error) {
        this.options.log.warn({ err: error, groupId }, 'zalo-oa: the group’s package dates could not be read');
        const kept = this.warnings.get(groupId);
        if (kept) warnings.set(groupId, kept);
      }
    }
    for (const warning of warnings.values()) {
      const key = `${warning.groupId}:${warning.kind}`;
      if (this.alertedGroups.has(key)) continue;
      this.alertedGroups.add(key);
      // The OA itself still works: its admins who wrote to it privately can hear this there too.
      await this.tell(`⚠️ ${warning.text}`, { oaCanSend: true });
    }
    this.warnings = warnings;
    return [...warnings.values()];
  }

  /** The token store refused the refresh token: the route waits for an operator (called by TokenKeeper's onRefused). */
  needsReauthorisation(): void {
    this.tracker.set('stopped', REAUTHORISE);
  }

  // ---- receiving -------------------------------------------------------------------------------

  private async onEvent(event: WebhookEvent): Promise<void> {
    const name = event.event_name;
    if (isPrivateMessageEvent(name)) {
      // A 1:1 chat has no history to recover (recovery is groups-only), so nothing to wait for.
      const oaName = this.names.ownName;
      const message = incomingFromOaEvent(event, { oaId: this.options.oaId, ...(oaName ? { oaName } : {}) });
      if (message) await this.receive(message, Number(event.timestamp));
      return;
    }
    if (name.startsWith('oa_send_')) return;
    if (name === 'follow' || name === 'unfollow') {
      this.onFollow(event);
      return;
    }
    const group = event.recipient?.id ?? event.group_id;
    if (group) await (await this.recoveries).get(group)?.catch(() => undefined);
    if (name.startsWith('user_send_group_')) {
      // An event without its group is not one the core can answer (incomingFromOaEvent drops it).
      const oaName = group ? await this.names.ownNameVia(group) : undefined;
      const message = incomingFromOaEvent(event, { oaId: this.options.oaId, oaName });
      if (message) await this.receive(message, Number(event.timestamp));
      return;
    }
    // Lifecycle events carry their group flat (docs/zalo-oa-api.md §1b); each handled once.
    if (!group || !this.options.hooks.firstDelivery('zalo-oa', `${name}:${group}:${event.timestamp}`)) return;
    switch (name) {
      case 'delete_group':
        this.options.hooks.chatGone('zalo-oa', group, 'disbanded');
        return;
      case 'user_join_group':
      case 'accept_request_join_group':
      case 'update_group_info':
        this.names.forget(group);
        return;
      default:
        this.options.log.debug({ event: name, group }, 'zalo-oa: group event not acted on');
    }
  }

  /**
   * Someone followed or unfollowed the OA. Their name is read again next time. An unfollow does not
   * mark their 1:1 chat gone: Zalo lets the OA answer people who do not follow it, within 7 days of
   * their last message (docs/zalo-oa-api.md §8); a send it refuses says so itself.
   */
  private onFollow(event: WebhookEvent): void {
    const userId = event.follower?.id;
    if (!userId) return;
    this.userNames.forget(userId);
    this.options.log.info({ event: event.event_name, userId }, 'zalo-oa: a person followed or unfollowed the OA');
  }

  /** A member's or a person's message, live or recovered: handled once, named, then given to the core. */
  private async receive(message: IncomingMessage, at: number): Promise<void> {
    if (!this.options.hooks.firstDelivery('zalo-oa', message.messageId)) return;
    if (Number.isFinite(at) && at > this.newestHandled) this.newestHandled = at;
    const known = await (message.chat.kind === 'private'
      ? this.userNames.nameOf(message.sender.id)
      : this.names.nameOf(message.chat.id, message.sender.id)
    ).catch(() => undefined);
    const named: IncomingMessage = known && message.sender.displayName !== known ? { ...message, sender: { ...message.sender, displayName: known } } : message;
    try {
      await this.handler?.(named, this.outbound(named.chat));
    } catch (error) {
      this.options.log.error({ err: error, chat: named.chat.id }, 'zalo-oa: message failed');
    }
    this.saveHandled(false);
  }

  private outbound(chat: ChatRef): Outbound {
    return { answerMode: 'next-message', send: (reply) => this.send(chat, reply) };
  }

  /** The newest handled message's time, kept for the next start's recovery (at most once a second). */
  private saveHandled(force: boolean): void {
    const save = this.options.hooks.saveHandledUntil;
    if (!save || this.newestHandled === 0) return;
    const now = this.now();
    if (!force && now - this.savedAt < 1000) return;
    this.savedAt = now;
    save('zalo-oa', this.newestHandled);
  }

  /** Recovery is groups-only: Zalo's 1:1 history API is not used, so a person's message sent while the bot was down is not answered. */
  private async recoverAll(): Promise<Map<string, Promise<void>>> {
    const { hooks, log } = this.options;
    const since = recoverySince(hooks.handledUntil?.('zalo-oa'), this.now());
    let groups: string[];
    try {
      groups = await this.groupIds();
      this.tracker.set('connected', `${groups.length} nhóm`);
    } catch (error) {
      log.error({ err: error }, 'zalo-oa: the OA’s groups could not be listed; nothing recovered');
      this.trackFailure(error);
      return new Map();
    }
    if (since === undefined) return new Map();
    return new Map(groups.map((groupId) => [groupId, this.recover(groupId, since)]));
  }

  private async recover(groupId: string, since: number): Promise<void> {
    try {
      const identity = { oaId: this.options.oaId, oaName: await this.names.ownNameVia(groupId) };
      const missed = await missedMessages({ conversation: (...a) => this.call(() => this.options.api.conversation(...a)) }, groupId, since, this.options.log);
      let handled = 0;
      for (const item of missed) {
        if (!item.fromOa && item.fromDisplayName) this.names.remember(groupId, item.fromId, item.fromDisplayName);
        const message = incomingFromHistory(item, identity);
        if (!message) continue;
        handled++;
        await this.receive(message, item.at.getTime());
      }
      if (handled > 0) this.options.log.info({ groupId, handled }, 'zalo-oa: messages missed while away handled');
    } catch (error) {
      this.options.log.error({ err: error, groupId }, 'zalo-oa: the group’s missed messages could not be read');
    }
  }

  private async groupIds(): Promise<string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; ) {
      const page = await this.call(() => this.options.api.groupsOfOa(offset, 50));
      ids.push(...page.items.map((g) => g.groupId));
      offset += page.items.length;
      if (page.items.length === 0 || offset >= page.total) return ids;
    }
  }

  private checkToken(): void {
    const state = this.options.tokens.state();
    if (state.kind === 'missing') this.tracker.set('stopped', 'chưa nạp mã làm mới (refresh token): chạy npm run zalo-oa -- nap-token');
    else if (state.kind === 'needs_reauthorisation') this.tracker.set('stopped', REAUTHORISE);
  }

  // ---- sending ---------------------------------------------------------------------------------

  private async deliver(chat: ChatRef, reply: Reply): Promise<SentMessage> {
    const to = this.outlet(chat);
    // Zalo documents `[@uid]` mentions for groups only: in a private chat everyone is a plain name.
    const identities = chat.kind === 'private' ? { has: () => false } : { has: this.options.knownUser };
    let last = '';
    for (const text of renderOa(reply, { identities })) {
      if (text.trim() === '') continue;
      last = (await this.sendTo(chat, () => to.text(text))).messageId;
    }
    for (const file of reply.files ?? []) last = (await this.sendFile(chat, file)).messageId;
    return { messageId: last };
  }

  /** Where a chat's sends go: a group's message API, or the 1:1 customer-service one (docs/zalo-oa-api.md §8). */
  private outlet(chat: ChatRef): Outlet {
    const api = this.options.api;
    if (chat.kind === 'private') {
      return {
        text: (text) => api.sendPrivateText(chat.id, text),
        image: (image) => api.sendPrivateImage(chat.id, image),
        file: (token) => api.sendPrivateFile(chat.id, token),
      };
    }
    return {
      text: (text) => api.sendText(chat.id, text),
      image: (image) => api.sendImage(chat.id, image, ''),
      file: (token) => api.sendFile(chat.id, token),
    };
  }

  /**
   * A file as Zalo can carry it, or as a link. An upload Zalo refuses for its type or size, or
   * with its quota spent, falls back to the link; the chat gets the file once either way.
   */
  private async sendFile(chat: ChatRef, file: OutgoingFile): Promise<{ messageId: string }> {
    const to = this.outlet(chat);
    const ext = extname(file.fileName).toLowerCase();
    try {
      if (IMAGE_EXTENSIONS.has(ext) || file.mimeType.startsWith('image/')) {
        const fitted =
          file.data.length <= MAX_IMAGE_UPLOAD_BYTES && IMAGE_EXTENSIONS.has(ext)
            ? file
            : await fitImageInChild(file, MAX_IMAGE_UPLOAD_BYTES, { log: this.options.log });
        if (fitted) {
          const { attachmentId } = await this.sendTo(chat, () => this.options.api.uploadImage(fitted.data, fitted.fileName));
          return await this.sendTo(chat, () => to.image({ attachmentId }));
        }
      } else if (UPLOAD_EXTENSIONS.has(ext) && file.data.length <= MAX_FILE_UPLOAD_BYTES) {
        const { token } = await this.sendTo(chat, () => this.options.api.uploadFile(file.data, file.fileName));
        return await this.sendTo(chat, () => to.file(token));
      }
    } catch (error) {
      const quota = error instanceof ZaloOaApiError && error.code === OUT_OF_QUOTA;
      if (!(error instanceof ZaloOaUploadRefused) && !quota) throw error;
      this.options.log.warn(
        { file: file.fileName, reason: error instanceof ZaloOaUploadRefused ? error.reason : 'quota' },
        'zalo-oa: Zalo does not take the file; sending a link instead',
      );
    }
    const link = await this.options.links.offer(file, chat);
    return this.sendTo(chat, () => to.text(this.options.linkNotice(file, link)));
  }

  /** One call for `chat`, with its errors turned into what the core understands. */
  private async sendTo<T>(chat: ChatRef, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.call(fn);
    } catch (error) {
      if (error instanceof ZaloOaApiError) {
        if (chat.kind === 'private' && error.outsideWindow) throw new ZaloOaOutsideWindowError(chat.id, error.code, { cause: error });
        if (chat.kind === 'private' && error.userRefused) {
          // One person declining the OA is theirs to decide: no alert. Their next message revives the chat.
          this.options.hooks.chatGone('zalo-oa', chat.id, 'refused');
          throw new ChatGoneError({ platform: 'zalo-oa', id: chat.id }, `${error.code} ${error.message}`, { cause: error, reason: 'refused' });
        }
        if (error.groupGone) {
          const reason = error.code === -237 ? 'expired' : 'removed';
          this.options.hooks.chatGone('zalo-oa', chat.id, reason);
          if (!this.alertedGroups.has(`${chat.id}:gone`)) {
            this.alertedGroups.add(`${chat.id}:gone`);
            await this.tell(
              reason === 'expired'
                ? `⚠️ Zalo OA: gói dịch vụ của nhóm ${chat.title ? `“${chat.title}”` : chat.id} đã hết hạn (mã ${error.code}); bot thôi gửi vào nhóm này. Gia hạn gói nhóm trên trang quản lý OA; khi có người nhắn lại trong nhóm, bot gửi lại bình thường.`
                : `⚠️ Zalo OA: nhóm ${chat.title ? `“${chat.title}”` : chat.id} không thuộc OA (mã ${error.code}); bot thôi gửi vào nhóm này.`,
            );
          }
          throw new ChatGoneError({ platform: 'zalo-oa', id: chat.id }, `${error.code} ${error.message}`, { cause: error, reason });
        }
        if (error.retryable) throw new RateLimitedError(error.retryAfterMs ?? 60_000);
        throw error;
      }
      if (error instanceof ZaloOaNeedsReauthorisation || error instanceof ZaloOaUploadRefused || error instanceof ZaloOaRefusedError) throw error;
      // The request left and no answer came back (a timeout, a reset connection): Zalo may have posted it.
      throw new DeliveryUncertainError(`zalo-oa: no answer from Zalo for chat ${chat.id}`, { cause: error });
    }
  }

  /**
   * One OpenAPI call through the paced queue; an access token Zalo calls expired is refreshed once
   * and the call made again. A refusal of the OA itself stops the route.
   */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.refused) throw new ZaloOaRefusedError(this.refused);
    try {
      const result = await this.queue.run(async () => {
        try {
          return await fn();
        } catch (error) {
          if (!(error instanceof ZaloOaApiError) || !error.tokenExpired) throw error;
          const rejected = await this.options.tokens.accessToken();
          this.options.log.warn({ code: error.code }, 'zalo-oa: Zalo called the access token expired; refreshing it once');
          await this.options.tokens.refreshAfterRejection(rejected);
          return await fn();
        }
      });
      // An operator loaded a new token (the CLI writes the same database): the route works again.
      if (this.tracker.get().state !== 'connected') this.tracker.set('connected');
      return result;
    } catch (error) {
      this.trackFailure(error);
      throw error;
    }
  }

  private trackFailure(error: unknown): void {
    if (error instanceof ZaloOaNeedsReauthorisation) {
      this.tracker.set('stopped', REAUTHORISE);
      return;
    }
    if (error instanceof ZaloOaApiError && error.oaRefused && !this.refused) {
      this.refused = `Zalo không cho OA dùng nhóm (mã ${error.code}: ${OA_REFUSED_REASON[error.code] ?? error.message})`;
      this.tracker.set('stopped', `${this.refused}; bot thôi gửi qua Zalo OA cho đến khi khởi động lại`);
      void this.tell(
        `⚠️ ${this.refused}. Bot thôi gửi qua Zalo OA. Khắc phục trên trang quản lý OA và developers.zalo.me (xem docs/zalo-oa.md), rồi khởi động lại bot.`,
      );
    }
  }

  private async tell(text: string, options?: AlertOptions): Promise<void> {
    try {
      await this.options.alert(text, options);
    } catch (error) {
      this.options.log.error({ err: error }, 'zalo-oa: the admins could not be alerted');
    }
  }
}

/** The three kinds of send, bound to one chat. */
interface Outlet {
  text(text: string): Promise<{ messageId: string }>;
  image(image: ImageSource): Promise<{ messageId: string }>;
  file(token: string): Promise<{ messageId: string }>;
}

const REAUTHORISE = 'cần cấp quyền lại: Zalo không nhận mã làm mới (refresh token); chạy npm run zalo-oa -- cap-quyen hoặc nap-token';

const OA_REFUSED_REASON: Record<number, string> = {
  [-221]: 'OA chưa được xác thực',
  [-223]: 'OA chưa cấp quyền cho ứng dụng',
  [-224]: 'gói OA không có tính năng nhóm GMF',
};
