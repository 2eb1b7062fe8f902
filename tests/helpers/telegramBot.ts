import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageEntity, Update, User } from 'grammy/types';
import type { Logger } from 'pino';
import { type Core, type CoreOptions, createCore } from '../../bot/app.js';
import type { Deliver, IncomingMessage, Outbound } from '../../core/chat.js';
import { fixedClock } from '../../core/clock.js';
import type { Command } from '../../commands/shared/command.js';
import type { Flow } from '../../commands/shared/flow.js';
import { silentLogger } from '../../bot/logger.js';
import { TelegramAdapter, type TelegramOptions } from '../../bot/telegram/adapter.js';
import { userOf } from '../../bot/telegram/incoming.js';
import { COMMANDS } from '../../commands/index.js';
import { SYSTEM_ACTOR } from '../../db/audit.js';
import type { Db } from '../../db/client.js';
import { resolveCaller } from '../../db/people.js';
import { grantRole } from '../../db/roles.js';
import type { Role } from '../../db/schema.js';
import { seedDemo } from '../../db/seed/demo.js';
import { BOT_INFO, botApiFetch, type UploadedFile, visibleText } from '../../bench/fakes/telegram.js';

export { BOT_INFO, visibleText };
import { unitByCode } from '../../db/unitAdmin.js';
import type { FakeBotApi } from './fakeBotApi.js';

/**
 * What the Telegram tests share: Update fixtures as Telegram sends them (tests/fixtures/telegram),
 * a fake Bot API behind grammY's own client (its `fetch` option, so the adapter's transformers —
 * gone detection, auto-retry — run exactly as in production), and the real core over SQLite.
 */

export const NOW = '2026-03-10T09:00:00+07:00';
export const NOW_UNIX = Date.parse(NOW) / 1000;

// ---------------------------------------------------------------------------------------------
// Fixtures

const FIXTURES = new URL('../fixtures/telegram/', import.meta.url);

/** A fresh copy of a fixture file: tests change ids and texts without touching the others. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as T;
}

type Chat = { id: number; type: 'group' | 'supergroup' | 'private' | 'channel'; title?: string; first_name?: string };

/** The supergroup of the fixtures. */
export const SUPERGROUP: Chat = { id: -1001234567890, title: 'Dân vận khéo xã Cẩm Xuyên', type: 'supergroup' };

/** People as Telegram describes them. The officer is the fixtures' own sender. */
export const CHAU: User = fixture<{ message: { from: User } }>('group-command').message.from;
export const DUNG: User = { id: 6234567890, is_bot: false, first_name: 'Dung', last_name: 'Phạm Thị', language_code: 'vi' };
export const STRANGER: User = { id: 5987654321, is_bot: false, first_name: 'An', last_name: 'Nguyễn Văn', username: 'nguyenvanan', language_code: 'vi' };
export const ADMIN: User = { id: 5000000001, is_bot: false, first_name: 'Hoa', last_name: 'Nguyễn Thị', username: 'hoa_snv', language_code: 'vi' };
export const LEADER: User = { id: 5000000002, is_bot: false, first_name: 'Bình', last_name: 'Trần Văn', language_code: 'vi' };

let updateSeq = 918300000;
let messageSeq = 3000;
let querySeq = 1;

export function privateChat(user: User): Chat {
  return { id: user.id, type: 'private', first_name: user.first_name };
}

/** A text message in a chat (a command gets its bot_command entity), optionally replying to the bot. */
export function textUpdate(from: User, text: string, options: { chat?: Chat; replyTo?: number; updateId?: number; entities?: MessageEntity[] } = {}): Update {
  const update = fixture<{ update_id: number; message: Record<string, unknown> }>('group-reply');
  const chat = options.chat ?? SUPERGROUP;
  const message = update.message;
  update.update_id = options.updateId ?? updateSeq++;
  message.message_id = messageSeq++;
  message.from = from;
  message.chat = chat;
  message.date = NOW_UNIX;
  message.text = text;
  const command = /^\/\S+/.exec(text);
  const entities: MessageEntity[] = [...(command ? [{ offset: 0, length: command[0].length, type: 'bot_command' as const }] : []), ...(options.entities ?? [])];
  if (entities.length > 0) message.entities = entities;
  if (options.replyTo === undefined) {
    delete message.reply_to_message;
  } else {
    const prompt = message.reply_to_message as Record<string, unknown>;
    prompt.message_id = options.replyTo;
    prompt.chat = chat;
    delete prompt.reply_to_message;
  }
  return update as unknown as Update;
}

/** A press of a button with `data` on the bot's message `promptMessageId`. */
export function pressUpdate(from: User, promptMessageId: number, data: string, options: { chat?: Chat } = {}): Update {
  const update = fixture<{ update_id: number; callback_query: Record<string, unknown> }>('callback-query');
  const query = update.callback_query;
  const message = query.message as Record<string, unknown>;
  update.update_id = updateSeq++;
  query.id = `22004567890${querySeq++}`;
  query.from = from;
  message.message_id = promptMessageId;
  message.chat = options.chat ?? SUPERGROUP;
  query.data = data;
  return update as unknown as Update;
}

// ---------------------------------------------------------------------------------------------
// The fake Bot API

export interface ApiResponse {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export interface ApiCall {
  method: string;
  payload: Record<string, any>;
  /** Files uploaded with the call (sendDocument, sendPhoto), byte for byte. */
  files: UploadedFile[];
  response: ApiResponse;
  at: number;
}

type Scripted = ApiResponse | ((call: Omit<ApiCall, 'response'>) => ApiResponse | undefined);

/**
 * Answers grammY's calls like the Bot API would and records them, uploads included. Scripted
 * answers are used once each, in order, per method; everything else succeeds with Telegram's
 * recorded answer (tests/fixtures/telegram). In memory: grammY's transformers and auto-retry run
 * as in production, and an update reaches the bot through `bot.handleUpdate`, without polling
 * (tests/helpers/fakeBotApi.ts is the HTTP server for what needs a real connection).
 */
export class FakeTelegram {
  readonly calls: ApiCall[] = [];
  private nextMessageId = 5001;
  private readonly scripts = new Map<string, Scripted[]>();
  private readonly always: Array<(call: Omit<ApiCall, 'response'>) => ApiResponse | undefined> = [];

  /** The next calls of `method` get these answers, one each. */
  script(method: string, ...responses: Scripted[]): void {
    this.scripts.set(method, [...(this.scripts.get(method) ?? []), ...responses]);
  }

  /** Every call gets this answer when `respond` returns one (e.g. "this chat is gone"). */
  rule(respond: (call: Omit<ApiCall, 'response'>) => ApiResponse | undefined): void {
    this.always.push(respond);
  }

  readonly fetch = botApiFetch(({ method, payload, files }) => {
    const call = { method, payload, files, at: Date.now() };
    const response = this.answer(call);
    this.calls.push({ ...call, response });
    return response;
  });

  /** Successful calls of one method, in order. */
  ok(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method && c.response.ok);
  }

  /** The messages the bot managed to send, in order. */
  get sent(): ApiCall[] {
    return this.ok('sendMessage');
  }

  /** Calls made since `mark` (an index from `calls.length`). */
  since(mark: number, method?: string): ApiCall[] {
    return this.calls.slice(mark).filter((c) => method === undefined || c.method === method);
  }

  private answer(call: Omit<ApiCall, 'response'>): ApiResponse {
    const queue = this.scripts.get(call.method);
    while (queue && queue.length > 0) {
      const next = queue.shift()!;
      const response = typeof next === 'function' ? next(call) : next;
      if (response) return response;
    }
    for (const respond of this.always) {
      const response = respond(call);
      if (response) return response;
    }
    if (call.method === 'sendMessage' || call.method === 'sendPhoto' || call.method === 'sendDocument') {
      const sent = fixture<{ ok: true; result: Record<string, unknown> }>('response-send-message');
      sent.result.message_id = this.nextMessageId++;
      sent.result.chat = { id: call.payload.chat_id, type: Number(call.payload.chat_id) < 0 ? 'supergroup' : 'private' };
      sent.result.text = visibleText(String(call.payload.text ?? ''));
      return sent;
    }
    return { ok: true, result: true };
  }
}

// ---------------------------------------------------------------------------------------------
// The bot: the real core and the real adapter, fed with updates

export interface TelegramBot {
  core: Core;
  db: Db;
  adapter: TelegramAdapter;
  api: FakeTelegram;
  clock: ReturnType<typeof fixedClock>;
  feed(update: Update): Promise<void>;
  close(): void;
}

export interface BotOptions {
  maxRetryDelaySeconds?: number;
  /** Where the core and the adapter log (silent unless a test reads the lines). */
  log?: Logger;
  demo?: boolean;
  commands?: readonly Command[];
  flows?: readonly Flow[];
  /** Sees every message the adapter hands the core, before the core does. */
  tap?: (message: IncomingMessage, outbound: Outbound) => void;
}

export async function telegramBot(options: BotOptions = {}): Promise<TelegramBot> {
  const dir = mkdtempSync(join(tmpdir(), 'dvk-telegram-'));
  const clock = fixedClock(NOW);
  const api = new FakeTelegram();
  let adapter: TelegramAdapter | undefined;
  const core = await createCore({
    dbPath: join(dir, 'dvk.sqlite'),
    clock,
    log: options.log ?? silentLogger,
    flowTtlMinutes: 60,
    commands: options.commands,
    flows: options.flows,
    // As main wires it: a chat goes to its own platform's adapter (the demo's console chats have none here).
    deliver: (chat, reply) => (chat.platform === 'telegram' ? adapter!.send(chat, reply) : Promise.reject(new Error(`no adapter for ${chat.platform}`))),
  });
  adapter = new TelegramAdapter({
    token: '7000111222:AAH-test-token-not-real',
    hooks: core.hooks,
    log: options.log ?? silentLogger,
    commands: (options.commands ?? COMMANDS).filter((c) => c.listed !== false),
    botInfo: BOT_INFO,
    client: { fetch: api.fetch },
    maxRetryDelaySeconds: options.maxRetryDelaySeconds,
  });
  const tap = options.tap;
  await adapter.prepare(
    tap
      ? async (message, outbound) => {
          tap(message, outbound);
          await core.dispatcher.handle(message, outbound);
        }
      : core.dispatcher.handle,
  );
  const db = core.database.db;
  if (options.demo !== false) seedDemo(db, clock.now());
  const bot = adapter.bot;
  return {
    core,
    db,
    adapter,
    api,
    clock,
    feed: (update) => bot.handleUpdate(update),
    close: () => {
      core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The bot polling a FakeBotApi over HTTP

export interface PollingBot {
  core: Core;
  adapter: TelegramAdapter;
  /** The adapter's run: settles when it stops (rejects when it gave up). */
  running: Promise<void>;
  /** Stops the adapter, closes the core and the fake, removes the temp folder. */
  stop(): Promise<void>;
}

export interface PollingBotOptions {
  token: string;
  log: Logger;
  now?: string;
  flowTtlMinutes?: number;
  /** What the database holds before the bot starts (the demo, an admin…); empty by default. */
  prepare?: (db: Db, now: Date) => void;
  evidence?: CoreOptions['evidence'];
  /** Where notices to other chats go; by default Telegram's through the adapter, others nowhere (as main wires it without their adapters). */
  deliver?: Deliver;
  adapter?: Pick<TelegramOptions, 'pollRetryMs' | 'client'>;
}

/**
 * The real core and the real adapter long-polling `api` over HTTP (TelegramAdapter's apiRoot), in
 * this process: grammY's runner, auto-retry and downloads as in production.
 */
export async function pollingBot(api: FakeBotApi, options: PollingBotOptions): Promise<PollingBot> {
  const dir = mkdtempSync(join(tmpdir(), 'dvk-telegram-polling-'));
  const clock = fixedClock(options.now ?? NOW);
  let adapter: TelegramAdapter | undefined;
  const core = await createCore({
    dbPath: join(dir, 'dvk.sqlite'),
    clock,
    log: options.log,
    flowTtlMinutes: options.flowTtlMinutes ?? 60,
    deliver:
      options.deliver ??
      ((chat, reply) => (chat.platform === 'telegram' ? adapter!.send(chat, reply) : Promise.reject(new Error(`no adapter for ${chat.platform}`)))),
    evidence: options.evidence,
  });
  options.prepare?.(core.database.db, clock.now());
  adapter = new TelegramAdapter({
    token: options.token,
    apiRoot: api.root,
    hooks: core.hooks,
    log: options.log,
    commands: COMMANDS.filter((c) => c.listed !== false),
    ...options.adapter,
  });
  const running = adapter.start(core.dispatcher.handle);
  const started = adapter;
  return {
    core,
    adapter,
    running,
    async stop() {
      await started.stop();
      await running.catch(() => undefined);
      core.close();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Gives a Telegram user a role, as an admin would (`unitCode` null: the whole deployment). */
export function grant(db: Db, user: User, role: Role, unitCode: string | null, now = new Date(NOW)): number {
  const caller = resolveCaller(db, 'telegram', userOf(user), now);
  const unitId = unitCode === null ? null : unitByCode(db, unitCode)!.id;
  db.transaction((tx) => grantRole(tx, { personId: caller.personId, role, unitId }, SYSTEM_ACTOR, now));
  return caller.personId;
}
