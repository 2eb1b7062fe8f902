import { autoRetry } from '@grammyjs/auto-retry';
import { run, type RunnerHandle, sequentialize } from '@grammyjs/runner';
import { Api, Bot, type Context, GrammyError, HttpError, InputFile, type Transformer } from 'grammy';
import type { ApiClientOptions } from 'grammy';
import type { InlineKeyboardMarkup, Message, UserFromGetMe } from 'grammy/types';
import type { Logger } from 'pino';
import type {
  AdapterHooks,
  AdapterStatus,
  ChatAdapter,
  ChatGoneReason,
  ChatRef,
  IncomingHandler,
  IncomingMessage,
  Outbound,
  PlatformLimits,
  Reply,
  SentMessage,
} from '../../core/chat.js';
import { ChatGoneError, PlatformRefusedError, plainText, RateLimitedError } from '../../core/chat.js';
import { StatusTracker } from '../status.js';
import { parseCommand } from '../dispatch.js';
import { AnonymousNotices, anonymousAdminNotice, isAnonymousAdminCall } from './anonymousAdmin.js';
import { incomingFromCallback, incomingFromMessage } from './incoming.js';
import { NOT_YOURS } from '../conversation.js';
import { alreadyPressed, isOwner, PASSED_QUESTION, PromptBook } from './promptBook.js';
import { callbackDataOf, escapeHtml, keyboardOf, MESSAGE_LIMIT, renderHtmlChunks } from './render.js';

export interface TelegramOptions {
  token: string;
  /** A self-hosted Bot API server (TELEGRAM_API_ROOT); tests point it at a fake one. */
  apiRoot?: string;
  hooks: AdapterHooks;
  log: Logger;
  /** Shown in Telegram's command menu: Vietnamese descriptions, for groups and private chats. */
  commands: ReadonlyArray<{ name: string; summary: string }>;
  /** Tests: skip getMe, and pass their own fetch. */
  botInfo?: UserFromGetMe;
  client?: ApiClientOptions;
  /** The longest wait honoured for a 429 before giving up on that call (seconds). */
  maxRetryDelaySeconds?: number;
  /** The pause after a failed poll before the next one (tests shorten it). */
  pollRetryMs?: number;
}

/**
 * After a failed poll, the next one comes this much later, however long Telegram has been out
 * of reach: the bot answers again within seconds of it coming back (an outage of a whole
 * weekend included), and an unanswered poll every few seconds costs nothing.
 */
const POLL_RETRY_MS = 3000;

/** The calls that make the bot listen: the start's getMe and every poll. Paced by pollWatcher, not auto-retry. */
const CONNECTING: ReadonlySet<string> = new Set(['getMe', 'getUpdates']);

const HANDOFF_LABEL = 'Tiếp tục trong tin nhắn riêng';
/** The Bot API takes documents up to 50 MB from a bot (photos up to 10 MB; charts are far below). */
export const TELEGRAM_MAX_FILE_BYTES = 50 * 1024 * 1024;

/** What Telegram lets a bot send: the adapter splits and checks by it, the reminder sender paces by it. */
export const TELEGRAM_LIMITS: PlatformLimits = {
  messageChars: MESSAGE_LIMIT,
  fileBytes: TELEGRAM_MAX_FILE_BYTES,
  // Telegram allows about 30 messages a second overall and 20 a minute in one group: just under both.
  sending: { perSecond: 28, perChatPerMinute: 19, concurrency: 8 },
};

function handoffKeyboard(keyboard: InlineKeyboardMarkup, url: string | undefined): InlineKeyboardMarkup {
  return url ? { inline_keyboard: [...keyboard.inline_keyboard, [{ text: `↪ ${HANDOFF_LABEL}`, url }]] } : keyboard;
}

/** What a button press is told back: nothing (accepted) or a short alert. */
interface PressState {
  notice?: string;
  /** Keyboards already taken off while handling the press (not to be edited twice). */
  removed: Set<number>;
}

/** What the bot sent the person while handling one of their messages or presses. */
interface Handling {
  /** A question for them. */
  asked: boolean;
  /** Anything else that reached the chat (not a press's alert). */
  said: boolean;
}

/** A message sent, and the chat it went to (another than asked for when the group had moved). */
interface Delivered extends SentMessage {
  chatId: number;
}

/**
 * The Telegram adapter: long polling through grammY's runner (updates of one chat in order,
 * different chats at once), prompts as replies with a selective force_reply so answers reach the
 * bot under privacy mode, choices as inline keyboards, HTML with every user string escaped.
 */
export class TelegramAdapter implements ChatAdapter {
  readonly platform = 'telegram' as const;
  readonly limits = TELEGRAM_LIMITS;
  readonly bot: Bot;
  /** The client for `send` (reminders, notices): see the constructor. */
  private readonly deliveries: Api;
  private runner?: RunnerHandle;
  private readonly starting = new AbortController();
  /** The last prompt with a keyboard sent to a person in a chat: removed once they answered. */
  private readonly openKeyboards = new Map<string, { chatId: number; messageId: number }>();
  /** The questions asked in groups: whose they are, and each person's latest. */
  private readonly book = new PromptBook();
  /** Groups upgraded to supergroups: old id → new id (message ids of one mean nothing in the other). */
  private readonly moved = new Map<string, string>();
  private readonly anonymousNotices = new AnonymousNotices();
  /** Updates being handled now: a stop lets them finish before the core closes the database. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Real time: when polling last changed between working and failing. */
  private readonly tracker = new StatusTracker(() => new Date());
  private stopping = false;

  constructor(private readonly options: TelegramOptions) {
    const client = { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}), ...options.client };
    this.bot = new Bot(options.token, { botInfo: options.botInfo, client });
    this.bot.api.config.use(this.goneDetector());
    this.bot.api.config.use(this.pollWatcher());
    // Flood control: wait as Telegram asks, but never longer than the cap, then let it fail.
    // Replies also wait out a Telegram that cannot be reached: the person's answer arrives late
    // rather than never.
    const maxDelaySeconds = options.maxRetryDelaySeconds ?? 60;
    // Not the polls, nor the getMe that starts them: auto-retry backs off without end on a network
    // error (3 s, 6 s, … up to an hour), so after a long outage the bot would stay deaf for as
    // long again. They are tried again at a steady pace instead (pollWatcher; prepare, start).
    const retry = autoRetry({ maxRetryAttempts: 3, maxDelaySeconds });
    this.bot.api.config.use((prev, method, payload, signal) => (CONNECTING.has(method) ? prev(method, payload, signal) : retry(prev, method, payload, signal)));
    // Sends to other chats (reminders, notices) fail at once when Telegram cannot be reached or
    // answers 5xx: their callers have their own plan (the outbox tries again later; a notice is
    // logged as lost), and a call waiting for Telegram would hold up work on the other platform —
    // the reminder drain all platforms share, a Zalo conversation that notifies a Telegram group.
    this.deliveries = new Api(options.token, client);
    this.deliveries.config.use(this.goneDetector());
    this.deliveries.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds, rethrowHttpErrors: true, rethrowInternalServerErrors: true }));
  }

  get username(): string {
    return this.bot.botInfo.username;
  }

  /** Installs the update handling; `start` also begins polling. Tests feed `bot.handleUpdate` directly. */
  async prepare(handler: IncomingHandler): Promise<void> {
    if (!this.stopping) this.tracker.set('connecting', 'đang kết nối tới Telegram');
    if (!(await this.connect())) return; // stopped before Telegram could be reached
    const { hooks, log } = this.options;
    const bot = this.bot;

    // First of all, so an update waiting behind another of its chat counts as being handled too.
    bot.use((_ctx, next) => this.track(next()));
    bot.use(sequentialize((ctx: Context) => (ctx.chat ? String(ctx.chat.id) : undefined)));
    bot.use(async (ctx, next) => {
      if (!hooks.firstDelivery('telegram', String(ctx.update.update_id))) return;
      await next();
    });
    bot.on('message:migrate_to_chat_id', (ctx) => {
      this.chatMoved(String(ctx.chat.id), String(ctx.message.migrate_to_chat_id));
    });
    bot.on('my_chat_member', (ctx) => {
      const status = ctx.myChatMember.new_chat_member.status;
      if (status === 'left' || status === 'kicked') hooks.chatGone('telegram', String(ctx.chat.id), 'removed');
    });
    bot.on('message', async (ctx) => {
      const message = ctx.message;
      if (message.migrate_from_chat_id !== undefined) this.moved.set(String(message.migrate_from_chat_id), String(message.chat.id));
      const msg = incomingFromMessage(message, ctx.me.id, ctx.me.username);
      if (!msg) {
        if (isAnonymousAdminCall(message, ctx.me.id, ctx.me.username) && this.anonymousNotices.take(String(message.chat.id))) {
          await this.notice(message, anonymousAdminNotice(ctx.me.username));
        }
        return;
      }
      const chatId = msg.chat.id;
      this.book.acted(chatId, msg.sender.id);
      // In privacy mode a reply to one of the person's earlier questions reaches the bot, but the
      // core takes only the latest one: told once how to correct, instead of silence.
      const repliedTo = msg.replyTo?.fromBot ? msg.replyTo.messageId : undefined;
      if (msg.chat.kind === 'group' && repliedTo !== undefined && !parseCommand(msg.text) && this.book.passedQuestion(chatId, repliedTo, msg.sender.id)) {
        await this.notice(message, PASSED_QUESTION);
        return;
      }
      const handling: Handling = { asked: false, said: false };
      await handler(msg, this.outbound(msg.chat, msg.sender.id, handling));
      if (handling.said && !handling.asked) this.book.settled(this.currentId(chatId), msg.sender.id);
    });
    bot.on('callback_query', async (ctx) => {
      const query = ctx.callbackQuery;
      const msg = incomingFromCallback(query);
      const press: PressState = { removed: new Set() };
      const message = query.message;
      if (msg && message && query.data !== undefined) await this.pressed(msg, message as Message, query.data, press, handler);
      // Every press is answered, or the person's client keeps spinning.
      await ctx.answerCallbackQuery(press.notice ? { text: press.notice.slice(0, 200), show_alert: true } : undefined);
      if (msg && !press.notice && message && !press.removed.has(message.message_id)) {
        await this.removeKeyboard(message.chat.id, message.message_id);
      }
    });
    bot.catch((error) => log.error({ err: error.error, update: error.ctx.update.update_id }, 'telegram update failed'));

    await this.publishCommands();
  }

  /**
   * getMe (unless the bot's identity was given), tried again at the polls' pace while Telegram
   * cannot be reached or answers 5xx or 429 (a server booting before its network, an office line
   * down): the bot starts listening within seconds of Telegram coming back. pollWatcher logs the
   * outage and makes the pause. A refusal (401: the token is wrong or revoked) is thrown: no retry
   * can mend it. False when stop() came first.
   */
  private async connect(): Promise<boolean> {
    const signal = this.starting.signal;
    if (this.bot.isInited()) return !signal.aborted;
    for (;;) {
      try {
        // Not bot.init(): it retries by itself with a delay doubling up to 20 minutes.
        this.bot.botInfo = await this.bot.api.getMe(signal as Parameters<Api['getMe']>[0]);
        return true;
      } catch (error) {
        if (signal.aborted) return false;
        const unreachable = error instanceof HttpError || (error instanceof GrammyError && (error.error_code >= 500 || error.error_code === 429));
        if (!unreachable) {
          this.tracker.set('stopped', error instanceof GrammyError ? pollRefusal(error.error_code) : 'dừng vì lỗi khi kết nối');
          throw refusedOr(error);
        }
      }
    }
  }

  async start(handler: IncomingHandler): Promise<void> {
    await this.prepare(handler);
    if (this.starting.signal.aborted) return; // stopped while preparing
    this.options.log.info({ bot: this.username }, 'telegram: long polling');
    this.runner = run(this.bot, {
      runner: {
        fetch: { allowed_updates: ['message', 'callback_query', 'my_chat_member'] },
        // pollWatcher paces the polls after a failure (a pause that stop() can cut short, which
        // the runner's own is not); the runner adds none, and never gives up on an unreachable
        // Telegram (its default stops after 15 hours).
        retryInterval: 0,
        maxRetryTime: Number.POSITIVE_INFINITY,
        // The runner would print each failure with console.error, outside the logs and with
        // the request URL, which holds the token; pollWatcher logs them instead.
        silent: true,
      },
    });
    try {
      await this.runner.task();
      // The runner's task ends as soon as it stops fetching, with updates still being handled
      // (a reply on its way, the write that follows it): main closes the database when this
      // returns, so it returns once they are done.
      await this.idle();
      if (!this.stopping) this.tracker.set('stopped', 'đã dừng nhận tin');
    } catch (error) {
      // The runner gives up at once on 401 and 409: the reason is what the admins need to read.
      if (!this.stopping) this.tracker.set('stopped', error instanceof GrammyError ? pollRefusal(error.error_code) : 'dừng vì lỗi khi nhận tin');
      // main ends the process on this (and closes the database): the updates taken go first.
      await this.idle();
      throw refusedOr(error);
    } finally {
      this.stopping = true;
    }
  }

  async stop(): Promise<void> {
    if (!this.stopping) this.tracker.set('stopped', 'đã tắt');
    this.stopping = true;
    this.starting.abort();
    if (this.runner?.isRunning()) await this.runner.stop();
    await this.idle();
  }

  /** Settles when every update taken so far has been handled (failures are logged by bot.catch). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Polling as it last went: each getUpdates answered means connected, each failure connecting. */
  status(): AdapterStatus {
    return this.tracker.get();
  }

  send(chat: ChatRef, reply: Reply): Promise<SentMessage> {
    return this.deliver(this.deliveries, Number(chat.id), chat.kind, reply).then(
      (sent) => ({ messageId: sent.messageId }),
      (error: unknown) => {
        // Still 429 after auto-retry: the caller (the reminder sender) reschedules instead of failing.
        if (error instanceof GrammyError && error.error_code === 429) {
          throw new RateLimitedError((error.parameters.retry_after ?? 60) * 1000);
        }
        throw goneOr(error, chat);
      },
    );
  }

  // -------------------------------------------------------------------------------------------

  /**
   * A button press. One on another person's question is refused here: it could change nothing,
   * and the core, which knows only each person's latest question, would call it "old". The rest
   * go to the core, and its alert is made precise for a second tap on the button that just ended
   * the person's conversation ("Đã lưu rồi.").
   */
  private async pressed(msg: IncomingMessage, message: Message, data: string, press: PressState, handler: IncomingHandler): Promise<void> {
    const chatId = msg.chat.id;
    const messageId = String(message.message_id);
    const person = msg.sender.id;
    if (msg.chat.kind === 'group') {
      const owner = this.book.ownerOf(chatId, messageId, message, this.bot.botInfo.id);
      if (owner && !isOwner(owner, msg.sender)) {
        press.notice = NOT_YOURS;
        return;
      }
    }
    // A tap again on the button that ended the conversation keeps it the last thing they did.
    const endedBy = this.book.endingPress(chatId, messageId, person);
    if (endedBy === undefined) this.book.acted(chatId, person);
    const handling: Handling = { asked: false, said: false };
    await handler(msg, this.outbound(msg.chat, person, handling, press));
    if (press.notice) {
      // An alert means the core changed nothing: after a press that ended the conversation, the
      // same button pressed again found it gone (a double tap), not "someone else's" or "old".
      if (endedBy !== undefined) press.notice = alreadyPressed(endedBy);
      return;
    }
    if (handling.said && !handling.asked) {
      this.book.settled(this.currentId(chatId), person);
      this.book.endedBy(chatId, messageId, person, data);
    }
  }

  private outbound(chat: ChatRef, senderId: string, handling?: Handling, press?: PressState): Outbound {
    return {
      answerMode: 'reply-to-prompt',
      botUsername: this.username,
      maxFileBytes: this.limits.fileBytes,
      send: async (reply) => {
        if (reply.ephemeral && press) {
          press.notice = plainText(reply.text);
          return { messageId: '' };
        }
        // The person moved on: the keyboard of their previous prompt is spent.
        const key = `${this.currentId(chat.id)}:${senderId}`;
        const open = this.openKeyboards.get(key);
        if (open !== undefined) {
          this.openKeyboards.delete(key);
          press?.removed.add(open.messageId);
          await this.removeKeyboard(open.chatId, open.messageId);
        }
        const sent = await this.deliver(this.bot.api, Number(chat.id), chat.kind, reply).catch((error: unknown) => {
          throw goneOr(error, chat);
        });
        if (handling) {
          if (reply.prompt?.answerFrom.id === senderId) handling.asked = true;
          else handling.said = true;
        }
        if (reply.prompt && reply.choices && reply.choices.length > 0) {
          this.openKeyboards.set(`${sent.chatId}:${senderId}`, { chatId: sent.chatId, messageId: Number(sent.messageId) });
        }
        return { messageId: sent.messageId };
      },
    };
  }

  /**
   * Sends a reply. To a group known to have moved (upgraded to a supergroup), or that Telegram
   * says has moved, it goes to the new chat, where a message id of the old one means nothing or
   * another message: a question there names its person instead of replying to them.
   */
  private async deliver(api: Api, chatId: number, kind: ChatRef['kind'], reply: Reply): Promise<Delivered> {
    const inReplyTo = reply.prompt?.inReplyTo;
    const replyTo = inReplyTo && /^\d+$/.test(inReplyTo) ? Number(inReplyTo) : undefined;
    const moved = this.moved.get(String(chatId));
    if (moved !== undefined) return this.deliverTo(api, Number(moved), kind, reply, undefined);
    try {
      return await this.deliverTo(api, chatId, kind, reply, replyTo);
    } catch (error) {
      // goneDetector has moved the chat's data, but does not repeat a reply in the new chat.
      const movedTo = error instanceof GrammyError ? error.parameters.migrate_to_chat_id : undefined;
      if (movedTo === undefined) throw error;
      return this.deliverTo(api, movedTo, kind, reply, undefined);
    }
  }

  private async deliverTo(api: Api, chatId: number, kind: ChatRef['kind'], reply: Reply, replyTo: number | undefined): Promise<Delivered> {
    const prompt = reply.prompt;
    // A selective force_reply reaches only the person replied to or mentioned, and in a group a
    // question must say whose it is (two people may be answering at once). Without a message of
    // theirs to reply to (after a button press, in a group that moved), the question names them.
    const person = prompt?.answerFrom;
    const aimed =
      person && kind === 'group' && replyTo === undefined
        ? [
            { mention: { platformUserId: person.id, displayName: person.displayName, username: person.username } },
            ' ',
            ...(typeof reply.text === 'string' ? [reply.text] : reply.text),
          ]
        : reply.text;
    // "Continue in a private chat": a button beside the choices, or a link under a typed question.
    const handoff = prompt?.handoff ? `https://t.me/${this.username}?start=${encodeURIComponent(prompt.handoff)}` : undefined;
    const withChoices = reply.choices !== undefined && reply.choices.length > 0;
    const limit = this.limits.messageChars;
    const chunks = renderHtmlChunks(aimed, handoff && !withChoices ? limit - HANDOFF_LABEL.length - 1 : limit);
    let last = 0;
    for (const [i, chunk] of chunks.entries()) {
      const isLast = i === chunks.length - 1;
      const html = isLast && handoff && !withChoices ? `${chunk}\n<a href="${escapeHtml(handoff)}">${HANDOFF_LABEL}</a>` : chunk;
      const markup =
        isLast && withChoices
          ? handoffKeyboard(keyboardOf(reply.choices!), handoff)
          : // In a group, a question without buttons is asked with a reply box aimed at the person.
            isLast && prompt && kind === 'group'
            ? { force_reply: true as const, selective: true }
            : undefined;
      const message = await api.sendMessage(chatId, html, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: markup,
        ...(i === 0 && replyTo !== undefined ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
      });
      last = message.message_id;
    }
    for (const file of reply.files ?? []) {
      const input = new InputFile(file.data, file.fileName);
      const sent = file.mimeType.startsWith('image/') ? await api.sendPhoto(chatId, input) : await api.sendDocument(chatId, input);
      last = sent.message_id;
    }
    if (person && kind === 'group') {
      const labels = new Map((reply.choices ?? []).map((choice, i) => [callbackDataOf(choice, i), choice.label]));
      this.book.recordQuestion(String(chatId), String(last), person.id, labels);
    }
    return { messageId: String(last), chatId };
  }

  /** A short answer to a message the core is not given (see its callers), as a reply to it. */
  private async notice(message: Message, text: string): Promise<void> {
    try {
      await this.bot.api.sendMessage(message.chat.id, escapeHtml(text), {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
      });
    } catch (error) {
      // The chat is gone (goneDetector marked it) or Telegram refused: there is nobody to tell.
      this.options.log.warn({ code: errorCode(error), chat: message.chat.id }, 'telegram: notice not sent');
    }
  }

  /** A group moved to a new id (upgraded to a supergroup): its data follows, and so do later sends. */
  private chatMoved(from: string, to: string): void {
    this.moved.set(from, to);
    this.options.hooks.chatMigrated('telegram', from, to);
  }

  /** The id a chat goes by now. */
  private currentId(chatId: string): string {
    return this.moved.get(chatId) ?? chatId;
  }

  private track(handling: Promise<void>): Promise<void> {
    this.inFlight.add(handling);
    const done = () => void this.inFlight.delete(handling);
    handling.then(done, done);
    return handling;
  }

  private async removeKeyboard(chatId: number, messageId: number): Promise<void> {
    try {
      await this.bot.api.editMessageReplyMarkup(chatId, messageId, { reply_markup: { inline_keyboard: [] } });
    } catch (error) {
      // Already edited, or too old to edit: the keyboard is harmless either way (presses are checked).
      this.options.log.debug({ err: error, chatId, messageId }, 'keyboard not removed');
    }
  }

  private async publishCommands(): Promise<void> {
    const commands = this.options.commands.map((c) => ({ command: c.name, description: c.summary.slice(0, 256) }));
    try {
      await this.bot.api.setMyCommands(commands, { scope: { type: 'all_group_chats' } });
      await this.bot.api.setMyCommands(commands, { scope: { type: 'all_private_chats' } });
    } catch (error) {
      this.options.log.warn({ err: error }, 'telegram: command menu not published');
    }
  }

  /**
   * Follows the long poll (and the getMe before it): the runner retries a failed getUpdates by
   * itself, and connect() a failed getMe, so this is the one place that sees Telegram unreachable
   * (or refusing: 401 a revoked token, 409 another process polling with the same token) and back
   * again. Only codes go into the detail, never a message that could carry a URL.
   */
  private pollWatcher(): Transformer {
    return async (prev, method, payload, signal) => {
      if (!CONNECTING.has(method)) return prev(method, payload, signal);
      let result: Awaited<ReturnType<typeof prev>>;
      try {
        result = await prev(method, payload, signal);
      } catch (error) {
        if (!this.stopping) {
          this.pollFailed('không kết nối được tới máy chủ Telegram, đang thử lại', errorCode(error));
          await this.pollPause(signal);
        }
        throw error;
      }
      if (!this.stopping) {
        if (result.ok) this.pollSucceeded();
        // 401 and 409 are not an outage to wait out: polling ends at once (the runner gives up on
        // them, and main ends the process), and start() says why.
        else if (result.error_code !== 401 && result.error_code !== 409) {
          this.pollFailed(`${pollRefusal(result.error_code)}, đang thử lại`, String(result.error_code));
          await this.pollPause(signal);
        }
      }
      return result;
    };
  }

  /** The steady pause after a failed poll; stopping the bot ends it at once. */
  private pollPause(signal: PollSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.options.pollRetryMs ?? POLL_RETRY_MS);
      signal?.addEventListener('abort', done);
    });
  }

  /** When polls began to fail, while they do: an outage is logged once, and its end once. */
  private pollFailingSince?: number;

  private pollFailed(detail: string, code: string): void {
    this.tracker.set('connecting', detail);
    if (this.pollFailingSince !== undefined) return;
    this.pollFailingSince = Date.now();
    this.options.log.warn({ code, retryMs: this.options.pollRetryMs ?? POLL_RETRY_MS }, 'telegram: polling failed, trying again');
  }

  private pollSucceeded(): void {
    this.tracker.set('connected');
    if (this.pollFailingSince === undefined) return;
    this.options.log.info({ failedForMs: Date.now() - this.pollFailingSince }, 'telegram: polling again');
    this.pollFailingSince = undefined;
  }

  /**
   * 403 (the bot was removed or blocked) and "chat not found" mean the chat is gone for the bot:
   * it is marked inactive instead of being retried. A group upgraded to a supergroup answers
   * with its new id: the chat's data moves there and the call is made again to the new id.
   */
  private goneDetector(): Transformer {
    return async (prev, method, payload, signal) => {
      let result = await prev(method, payload, signal);
      let chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
      const movedTo = result.ok ? undefined : result.parameters?.migrate_to_chat_id;
      if (movedTo !== undefined && chatId !== undefined && String(movedTo) !== String(chatId)) {
        this.chatMoved(String(chatId), String(movedTo));
        // Message ids are per chat: a call naming a message of the old group (a reply, an edit)
        // would name another message, or none, in the new one. deliver() asks a question again
        // there by naming the person; a keyboard left in the old group stays (presses are checked).
        if (namesMessage(payload)) return result;
        result = await prev(method, { ...payload, chat_id: movedTo } as typeof payload, signal);
        chatId = movedTo;
      }
      if (!result.ok && chatId !== undefined && isGone(result.error_code, result.description)) {
        this.options.hooks.chatGone('telegram', String(chatId), goneReason(result.error_code, result.description));
      }
      return result;
    };
  }
}

/** What pollPause needs of the signal grammY hands transformers (its own AbortSignal type). */
interface PollSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A failed request's code (ECONNREFUSED, ETIMEDOUT…), never its message: that may hold the URL and its token. */
function errorCode(error: unknown): string {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = (e as { error?: unknown }).error ?? e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return error instanceof Error ? error.name : 'unknown';
}

/** Whether a call's parameters point at a message of its chat (a reply to it, an edit of it). */
function namesMessage(payload: unknown): boolean {
  const p = payload as { reply_parameters?: unknown; reply_to_message_id?: unknown; message_id?: unknown } | undefined;
  return p?.reply_parameters !== undefined || p?.reply_to_message_id !== undefined || p?.message_id !== undefined;
}

/** What Telegram answers when the bot can no longer write in a chat (see goneDetector). */
function isGone(code: number, description: string): boolean {
  return code === 403 || /chat not found/i.test(description);
}

/**
 * What /trangthai says about a chat Telegram refuses: a person who blocked the bot refuses it
 * ("bot was blocked by the user"); a group the bot was kicked from, or that is gone, removed it.
 */
function goneReason(code: number, description: string): ChatGoneReason {
  return code === 403 && /blocked by the user|user is deactivated/i.test(description) ? 'refused' : 'removed';
}

/** A send refused because the chat is gone, as the platform-neutral error (the chat already marked by goneDetector). */
function goneOr(error: unknown, chat: ChatRef): unknown {
  if (!(error instanceof GrammyError) || !isGone(error.error_code, error.description)) return error;
  return new ChatGoneError({ platform: 'telegram', id: chat.id }, `${error.error_code} ${error.description}`, { cause: error });
}

/** 401 and 409 as what they mean for the process (bot/main.ts ends it); anything else as it came. */
function refusedOr(error: unknown): unknown {
  if (!(error instanceof GrammyError) || (error.error_code !== 401 && error.error_code !== 409)) return error;
  return new PlatformRefusedError('telegram', error.error_code === 401 ? 'credentials' : 'conflict', error.error_code, { cause: error });
}

function pollRefusal(code: number): string {
  if (code === 401) return 'Telegram không nhận mã bot (lỗi 401): kiểm tra TELEGRAM_BOT_TOKEN';
  if (code === 409) return 'một tiến trình khác đang nhận tin bằng cùng mã bot (lỗi 409)';
  return `Telegram báo lỗi ${code}`;
}
