import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { type Core, createCore } from '../../bot/app.js';
import type { AttachmentFetchers } from '../../bot/attachmentFetch.js';
import type { AnswerMode, ChatRef, IncomingMention, IncomingMessage, Outbound, Platform, Reply } from '../../core/chat.js';
import { plainText } from '../../core/chat.js';
import { fixedClock } from '../../core/clock.js';
import { CommandLimiter } from '../../bot/commandLimiter.js';
import { normalizeIncomingText } from '../../core/text.js';
import type { Command, DecisionPolicy } from '../../commands/shared/command.js';
import type { Flow } from '../../commands/shared/flow.js';
import type { StatusSource } from '../../commands/shared/status.js';
import { silentLogger } from '../../bot/logger.js';
import { COMMANDS, FLOWS } from '../../commands/index.js';
import { seedDemo } from '../../db/seed/demo.js';
import { type AppDatabase, openDatabase } from '../../db/client.js';

export interface SentReply {
  chat: ChatRef;
  messageId: string;
  reply: Reply;
  text: string;
}

export interface HarnessOptions {
  now?: string;
  commands?: readonly Command[];
  flows?: readonly Flow[];
  answerMode?: AnswerMode;
  /** The platform's file limit the fake outbound declares. */
  maxFileBytes?: number;
  ttlMinutes?: number;
  dir?: string;
  /** Per-person command limit as on the chat platforms, over the harness clock (off by default). */
  limitCommands?: boolean;
  busyTimeoutMs?: number;
  /** Where the core logs (silent unless a test reads the lines). */
  log?: Logger;
  /** Reports of this weight or more are heavy, as a national one is (1: every file report of the demo). */
  heavyReportRows?: number;
  /** Deployment rules (an admin deciding alone); the defaults when left out. */
  policy?: DecisionPolicy;
  /** How the evidence keeper downloads on each platform (none by default: attachments wait). */
  fetchers?: AttachmentFetchers;
  /** The largest evidence file kept (default 20 MB). */
  evidenceMaxBytes?: number;
  /** What /trangthai reads about the process (made again at each open); the database alone when left out. */
  status?: (h: Harness) => StatusSource;
}

export interface SayOptions {
  group?: string;
  private?: boolean;
  /** The platform the message comes from (the simulator's by default); the person's id is their name. */
  platform?: Platform;
  replyTo?: string;
  choice?: { value: string; promptMessageId: string };
  attachments?: IncomingMessage['attachments'];
  /** Mentions the platform found in the text (none by default). */
  mentions?: IncomingMessage['mentions'];
  /** The sender's @username, as Telegram gives it. */
  username?: string;
  /**
   * false: return once the handler has answered, while report files are still being made on the
   * report thread (they are recorded in `sent` when they come). By default `say` also waits for
   * them, so a file request returns its file.
   */
  waitForReports?: boolean;
}

/**
 * The core over a real SQLite file in a temp folder, with a fake outbound that records what the
 * bot says. `restart()` drops every object and builds new ones over the same file.
 */
export class Harness {
  core!: Core;
  readonly sent: SentReply[] = [];
  readonly clock;
  readonly dir: string;
  private nextId = 1;
  private closed = false;

  private constructor(private readonly options: HarnessOptions) {
    this.clock = fixedClock(options.now ?? '2026-03-10T09:00:00+07:00');
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'dvk-test-'));
  }

  /** A harness over the demo deployment (db/seed/demo.ts), seeded at the harness's "now". */
  static async demo(options: HarnessOptions = {}): Promise<Harness> {
    const h = await Harness.create(options);
    seedDemo(h.db, h.clock.now());
    return h;
  }

  static async create(options: HarnessOptions = {}): Promise<Harness> {
    const h = new Harness(options);
    await h.open();
    return h;
  }

  get dbPath(): string {
    return join(this.dir, 'dvk.sqlite');
  }

  get db() {
    return this.core.database.db;
  }

  async open(): Promise<void> {
    this.core = await createCore({
      dbPath: this.dbPath,
      clock: this.clock,
      log: this.options.log ?? silentLogger,
      flowTtlMinutes: this.options.ttlMinutes ?? 60,
      commands: this.options.commands ?? COMMANDS,
      flows: this.options.flows ?? FLOWS,
      // A new limiter on each open: limits live in memory, so a restart forgets them.
      commandLimiter: this.options.limitCommands ? new CommandLimiter(this.clock) : undefined,
      busyTimeoutMs: this.options.busyTimeoutMs,
      policy: this.options.policy,
      heavyReportRows: this.options.heavyReportRows,
      evidence: { fetchers: this.options.fetchers, maxBytes: this.options.evidenceMaxBytes },
      status: this.options.status?.(this),
      // Notices to other chats are recorded like any other message the bot sends.
      deliver: (chat, reply) => this.outbound(chat).send(reply),
    });
  }

  /** Writes a file into the harness's temp folder (removed on close); returns its path. */
  writeFile(name: string, content: string | Buffer): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }

  async restart(): Promise<void> {
    this.core.close();
    await this.open();
  }

  chat(options: SayOptions = {}, person = ''): ChatRef {
    const platform = options.platform ?? 'console';
    if (options.private) return { platform, id: `private:${person}`, kind: 'private', title: person };
    const group = options.group ?? 'Nhóm thử';
    return { platform, id: group, kind: 'group', title: group };
  }

  /** `person` says `text`; returns what the bot answered to this message. */
  async say(person: string, text: string, options: SayOptions = {}): Promise<SentReply[]> {
    const chat = this.chat(options, person);
    const msg: IncomingMessage = {
      chat,
      sender: { id: person, displayName: person, ...(options.username !== undefined && { username: options.username }) },
      messageId: `u${this.nextId++}`,
      // As every adapter does before the core sees a text.
      text: normalizeIncomingText(text),
      mentions: options.mentions ?? [],
      attachments: options.attachments ?? [],
      replyTo: options.replyTo ? { messageId: options.replyTo, fromBot: true } : undefined,
      choice: options.choice,
      receivedAt: this.clock.now(),
    };
    const before = this.sent.length;
    await this.core.dispatcher.handle(msg, this.outbound(chat));
    if (options.waitForReports !== false) await this.core.reports?.idle();
    return this.sent.slice(before);
  }

  /** Same as say, returning the bot's answer as one text. */
  async text(person: string, text: string, options: SayOptions = {}): Promise<string> {
    return (await this.say(person, text, options)).map((s) => s.text).join('\n---\n');
  }

  lastTo(person: string): SentReply | undefined {
    return [...this.sent].reverse().find((s) => s.reply.prompt?.answerFrom.id === person);
  }

  outbound(chat: ChatRef): Outbound {
    return {
      answerMode: this.options.answerMode ?? 'next-message',
      botUsername: 'dvk_bot',
      maxFileBytes: this.options.maxFileBytes,
      send: async (reply) => {
        const messageId = `b${this.nextId++}`;
        this.sent.push({ chat, messageId, reply, text: plainText(reply.text) });
        return { messageId };
      },
    };
  }

  /** Ends the core and removes the temp folder; closing again does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.core.close();
    if (!this.options.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The demo deployment for the tests of a file: `const demo = demoPerTest({ now })` once, then
 * `h = await demo()` in each test (its options added to the file's). Every harness opened this
 * way is closed after its test.
 */
export function demoPerTest(defaults: HarnessOptions = {}): (options?: HarnessOptions) => Promise<Harness> {
  return perTest((options) => Harness.demo(options), defaults);
}

/** The same over an empty database (no units, no people). */
export function emptyPerTest(defaults: HarnessOptions = {}): (options?: HarnessOptions) => Promise<Harness> {
  return perTest((options) => Harness.create(options), defaults);
}

/**
 * Only the demo's database (no core, no chats), in memory, for the query tests of a file: fresh
 * before each test and closed after it. `const app = demoDatabasePerTest(NOW)`, then `app().db`.
 */
export function demoDatabasePerTest(now: Date): () => AppDatabase {
  let app: AppDatabase | undefined;
  beforeEach(async () => {
    app = await openDatabase(':memory:');
    seedDemo(app.db, now);
  });
  afterEach(() => {
    app?.close();
    app = undefined;
  });
  return () => {
    if (!app) throw new Error('demoDatabasePerTest: the database is opened for each test only');
    return app;
  };
}

function perTest(open: (options: HarnessOptions) => Promise<Harness>, defaults: HarnessOptions): (options?: HarnessOptions) => Promise<Harness> {
  const opened: Harness[] = [];
  afterEach(() => {
    for (const h of opened.splice(0)) h.close();
  });
  return async (options = {}) => {
    const h = await open({ ...defaults, ...options });
    opened.push(h);
    return h;
  };
}

/**
 * A mention as an adapter reports it, over `token` (e.g. "@An") where it first stands in `text`:
 * naming an account by its id, or only by a @username, as Telegram's plain mentions do.
 */
export function mentionIn(text: string, token: string, who: { userId: string } | { username: string }): IncomingMention {
  return { ...who, offset: text.indexOf(token), length: token.length };
}
