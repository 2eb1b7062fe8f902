import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Core, createCore } from '../../bot/app.js';
import type { AnswerMode, ChatRef, IncomingMessage, Outbound, Reply } from '../../bot/chat.js';
import { plainText } from '../../bot/chat.js';
import { fixedClock } from '../../bot/clock.js';
import { CommandLimiter } from '../../bot/commandLimiter.js';
import { normalizeIncomingText } from '../../bot/text.js';
import type { Command } from '../../bot/command.js';
import type { Flow } from '../../bot/flow.js';
import { silentLogger } from '../../bot/logger.js';
import { COMMANDS, FLOWS } from '../../commands/index.js';
import { seedDemo } from '../../db/seed/demo.js';

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
}

export interface SayOptions {
  group?: string;
  private?: boolean;
  replyTo?: string;
  choice?: { value: string; promptMessageId: string };
  attachments?: IncomingMessage['attachments'];
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
      log: silentLogger,
      flowTtlMinutes: this.options.ttlMinutes ?? 60,
      commands: this.options.commands ?? COMMANDS,
      flows: this.options.flows ?? FLOWS,
      // A new limiter on each open: limits live in memory, so a restart forgets them.
      commandLimiter: this.options.limitCommands ? new CommandLimiter(this.clock) : undefined,
      busyTimeoutMs: this.options.busyTimeoutMs,
      // Notices to other chats are recorded like any other message the bot sends.
      deliver: (chat, reply) => this.outbound(chat).send(reply),
    });
  }

  async restart(): Promise<void> {
    this.core.close();
    await this.open();
  }

  chat(options: SayOptions = {}, person = ''): ChatRef {
    if (options.private) return { platform: 'console', id: `private:${person}`, kind: 'private', title: person };
    const group = options.group ?? 'Nhóm thử';
    return { platform: 'console', id: group, kind: 'group', title: group };
  }

  /** `person` says `text`; returns what the bot answered to this message. */
  async say(person: string, text: string, options: SayOptions = {}): Promise<SentReply[]> {
    const chat = this.chat(options, person);
    const msg: IncomingMessage = {
      chat,
      sender: { id: person, displayName: person },
      messageId: `u${this.nextId++}`,
      // As every adapter does before the core sees a text.
      text: normalizeIncomingText(text),
      mentions: [],
      attachments: options.attachments ?? [],
      replyTo: options.replyTo ? { messageId: options.replyTo, fromBot: true } : undefined,
      choice: options.choice,
      receivedAt: this.clock.now(),
    };
    const before = this.sent.length;
    await this.core.dispatcher.handle(msg, this.outbound(chat));
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

  close(): void {
    this.core.close();
    if (!this.options.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
