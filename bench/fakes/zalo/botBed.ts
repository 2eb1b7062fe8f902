import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, isNull } from 'drizzle-orm';
import pino from 'pino';
import { afterEach, beforeEach, vi } from 'vitest';
import { type Core, createCore } from '../../../bot/app.js';
import { reportZaloStopped } from '../../../bot/adminAlert.js';
import type { ChatRef, Deliver, IncomingMessage, Reply } from '../../../core/chat.js';
import { fixedClock } from '../../../core/clock.js';
import { zaloAttachmentFetcher } from '../../../bot/zalo/download.js';
import { ZaloAdapter, type ZaloApiLike } from '../../../bot/zalo/adapter.js';
import { writeCredentials } from '../../../bot/zalo/credentials.js';
import { loginFromCredentials } from '../../../bot/zalo/login.js';
import { SendQueue } from '../../../bot/zalo/sendQueue.js';
import { ZaloSessionSaver } from '../../../bot/zalo/sessionSaver.js';
import type { ZaloStop } from '../../../bot/zalo/supervisor.js';
import { SYSTEM_ACTOR } from '../../../db/audit.js';
import { resolveCaller } from '../../../db/people.js';
import { grantRole } from '../../../db/roles.js';
import { units } from '../../../db/schema.js';
import { seedDemo } from '../../../db/seed/demo.js';
import { FakeZalo, type FakeZaloOptions, type Person } from './index.js';
import { untilChange } from './until.js';

/**
 * The bot's real Zalo route over the fake network, wired as bot/main.ts wires it: zca-js logs in
 * from the credentials file (`loginFromCredentials`, with the fake's fetch as its polyfill), the
 * real ZaloAdapter (supervisor, send queue, session saver) feeds the core's dispatcher over the
 * demo deployment. Things differ from main.ts for speed only: the send queue does not pace
 * (main: 1.2 s between sends), and time is the bed's: the supervisor's back-off waits are recorded
 * (and move the bed's clock on) instead of slept, and its watchdog/keep-alive timer runs only when
 * a test calls `tick()` (after `advance()`-ing the clock). A stop of the Zalo side is reported as
 * main reports it (reportZaloStopped), to a Telegram admin when `telegramAdmin` is set.
 */

/** The Telegram admin the bed alerts with `telegramAdmin` (a private chat id). */
export const HOA_TELEGRAM = '512345678';

export const GROUP_ID = '6543210987654321098';
export const CHAU: Person = { id: '7234567890123456789', name: 'Lê Minh Châu' };
export const THU: Person = { id: '7345678901234567890', name: 'Trần Thị Thu' };
export const BINH: Person = { id: '7456789012345678901', name: 'Trần Văn Bình' };

export interface BotBedOptions {
  zalo?: FakeZaloOptions;
  /** SendQueue's file timeout (main.ts: 60 s). */
  fileTimeoutMs?: number;
  /** SendQueue's text timeout (main.ts: 30 s). */
  textTimeoutMs?: number;
  /** How long an accepted upload waits for its file_done (the adapter's default: 20 s). */
  fileDoneWaitMs?: number;
  /** Seed a Telegram admin and report a stop of the Zalo side to Telegram too, as main does when Telegram runs. */
  telegramAdmin?: boolean;
  /** Hold each supervisor back-off wait until `releaseWait()` (default: return at once). */
  holdWaits?: boolean;
  /** Set the fake up before the adapter starts (e.g. `zalo.refuseLogin()`). */
  beforeStart?: (zalo: FakeZalo) => void;
  /** `restart()`: the same Zalo, data dir and database, the clock where the last bed left it. */
  reuse?: { zalo: FakeZalo; dir: string; now: number };
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export class BotBed {
  /** What the core received from the adapter, in order (the dispatcher handles each after). */
  readonly incoming: IncomingMessage[] = [];
  /** The supervisor's back-off waits, in ms, in order. */
  readonly reconnectWaits: number[] = [];
  /** What the adapter reported through `onStopped`. */
  readonly stops: ZaloStop[] = [];
  /** Every API object zca-js's login produced, in order (the same object = the same session). */
  readonly apis: ZaloApiLike[] = [];
  /** The bed's clock (ms) at each login zca-js completed or refused. */
  readonly loginTimes: number[] = [];
  /** The bed's clock, in ms: the adapter's and supervisor's "now". Starts at the real time. */
  now = Date.now();
  adapter!: ZaloAdapter;
  running!: Promise<void>;

  private readonly heldWaits: Array<() => void> = [];
  private readonly ticks: Array<() => void> = [];
  /** The adapter's one-off timers (`after`): a history request's wait, the watermark's write. */
  private readonly timers: Array<{ ms: number; fn: () => void }> = [];
  private readonly events = new EventEmitter();
  private stopped = false;

  private constructor(
    readonly zalo: FakeZalo,
    readonly core: Core,
    readonly dir: string,
    readonly credentialsPath: string,
    /** Everything the bot logged (pino lines, parsed). */
    readonly logs: LogLine[],
    /** What the bot sent on Telegram (the admins' alerts, with `telegramAdmin`). */
    readonly telegramSent: Array<{ chat: ChatRef; reply: Reply }>,
    private readonly options: BotBedOptions,
  ) {}

  static async start(options: BotBedOptions = {}): Promise<BotBed> {
    const { reuse } = options;
    const zalo = reuse?.zalo ?? (await FakeZalo.start(options.zalo));
    const dir = reuse?.dir ?? mkdtempSync(join(tmpdir(), 'dvk-fakezalo-'));
    const credentialsPath = join(dir, 'zalo-credentials.json');
    if (!reuse) writeCredentials(credentialsPath, zalo.credentials);
    const clock = fixedClock('2026-03-10T09:00:00+07:00');
    const logs: LogLine[] = [];
    let logged: EventEmitter | undefined;
    const log = pino(
      { level: 'trace' },
      {
        write: (line: string) => {
          logs.push(JSON.parse(line) as LogLine);
          logged?.emit('change');
        },
      },
    );
    let adapter: ZaloAdapter | undefined;
    const telegramSent: Array<{ chat: ChatRef; reply: Reply }> = [];
    const deliver: Deliver = async (chat, reply) => {
      if (chat.platform === 'zalo' && adapter) return adapter.send(chat, reply);
      if (chat.platform === 'telegram' && options.telegramAdmin) {
        telegramSent.push({ chat, reply });
        return { messageId: String(telegramSent.length) };
      }
      throw new Error(`no adapter for ${chat.platform}`);
    };
    const core = await createCore({
      dbPath: join(dir, 'dvk.sqlite'),
      clock,
      log,
      flowTtlMinutes: 60,
      deliver,
      // Evidence comes from the fake's CDN, through the fetcher main uses.
      evidence: { fetchers: { zalo: zaloAttachmentFetcher(zalo.fetch) } },
    });
    if (!reuse) seedDemo(core.database.db, clock.now());
    const bed = new BotBed(zalo, core, dir, credentialsPath, logs, telegramSent, options);
    logged = bed.events;
    if (reuse) bed.now = reuse.now;

    // Lê Minh Châu (Zalo) is the officer of Xã Cẩm Xuyên; Trần Văn Bình a leader of the province.
    const db = core.database.db;
    const grant = (who: Person, role: 'officer' | 'leader', unitId: number) => {
      const caller = resolveCaller(db, 'zalo', { id: who.id, displayName: who.name }, clock.now());
      db.transaction((tx) => grantRole(tx, { personId: caller.personId, role, unitId }, SYSTEM_ACTOR, clock.now()));
    };
    if (!reuse) grant(CHAU, 'officer', db.select().from(units).where(eq(units.shortCode, 'CAMXUYEN')).get()!.id);
    if (!reuse) grant(BINH, 'leader', db.select().from(units).where(isNull(units.parentId)).get()!.id);
    if (options.telegramAdmin && !reuse) {
      const hoa = resolveCaller(db, 'telegram', { id: HOA_TELEGRAM, displayName: 'Nguyễn Thị Hoa' }, clock.now());
      db.transaction((tx) => grantRole(tx, { personId: hoa.personId, role: 'admin', unitId: null }, SYSTEM_ACTOR, clock.now()));
    }

    options.beforeStart?.(zalo);
    adapter = new ZaloAdapter({
      login: async () => {
        try {
          const api = await loginFromCredentials(credentialsPath, { polyfill: zalo.fetch });
          bed.apis.push(api);
          return api;
        } finally {
          bed.loginTimes.push(bed.now);
        }
      },
      hooks: core.hooks,
      log,
      session: new ZaloSessionSaver(credentialsPath, log),
      fileDoneWaitMs: options.fileDoneWaitMs,
      // As main.ts wires it.
      onStopped: async (stop) => {
        bed.stops.push(stop);
        bed.events.emit('change');
        await reportZaloStopped({ db, deliver, log }, stop, { telegram: options.telegramAdmin ?? false, credentialsPath });
      },
      queue: new SendQueue({
        minGapMs: 0,
        backoffMs: [5_000, 30_000, 120_000],
        fileTimeoutMs: options.fileTimeoutMs ?? 60_000,
        textTimeoutMs: options.textTimeoutMs ?? 30_000,
        log,
        sleep: async () => {},
      }),
      sleep: (ms) => bed.wait(ms),
      now: () => bed.now,
      every: (_ms, fn) => {
        bed.ticks.push(fn);
        return () => bed.ticks.splice(bed.ticks.indexOf(fn) >>> 0, 1);
      },
      after: (ms, fn) => {
        const timer = { ms, fn };
        bed.timers.push(timer);
        return () => bed.timers.splice(bed.timers.indexOf(timer) >>> 0, 1);
      },
    });
    bed.adapter = adapter;
    bed.running = adapter.start(async (message, outbound) => {
      bed.incoming.push(message);
      bed.events.emit('change');
      await core.dispatcher.handle(message, outbound);
    });
    return bed;
  }

  /** Close codes of "opened elsewhere" stops. */
  get stoppedCodes(): number[] {
    return this.stops.flatMap((s) => (s.reason === 'opened-elsewhere' ? [s.code] : []));
  }

  /** Moves the bed's clock on by `ms`. */
  advance(ms: number): void {
    this.now += ms;
  }

  /** Runs the adapter's pending one-off timers of length `ms` (all with none), as if that time had passed. */
  fireTimers(ms?: number): number {
    const due = this.timers.filter((t) => ms === undefined || t.ms === ms);
    for (const timer of due) {
      this.timers.splice(this.timers.indexOf(timer) >>> 0, 1);
      timer.fn();
    }
    return due.length;
  }

  /** Resolves once the bot has logged `count` lines containing `text`; returns them. */
  untilLogged(text: string, count = 1): Promise<LogLine[]> {
    return this.until(() => {
      const lines = this.logged(text);
      return lines.length >= count ? lines : undefined;
    }, `${count} log line(s) "${text}"`);
  }

  /**
   * The bot process ends (the adapter stopped as main stops it, the database closed) and a new one
   * starts `downMs` later over the same data dir and database, logging in to the same Zalo again.
   * Returns the new bed (it owns the fake and the dir now; this one is done).
   */
  async restart(downMs = 0): Promise<BotBed> {
    this.stopped = true;
    await this.adapter.stop();
    for (const wake of this.heldWaits.splice(0)) wake();
    await this.running;
    await this.core.reports?.idle();
    this.core.close();
    return BotBed.start({ ...this.options, beforeStart: undefined, reuse: { zalo: this.zalo, dir: this.dir, now: this.now + downMs } });
  }

  /** Runs the supervisor's watchdog and keep-alive once, as its timer would. */
  tick(): void {
    for (const fn of [...this.ticks]) fn();
  }

  /** Resolves once the adapter reported its `n`-th stop (1-based). */
  nthStop(n: number): Promise<ZaloStop> {
    return this.until(() => this.stops[n - 1], `stop ${n}`);
  }

  /** Resolves with the `n`-th message (1-based) the core received. */
  nthIncoming(n: number): Promise<IncomingMessage> {
    return this.until(() => this.incoming[n - 1], `message ${n} at the core`);
  }

  /** Lets the oldest held back-off wait end (with `holdWaits`). */
  releaseWait(): void {
    const next = this.heldWaits.shift();
    if (!next) throw new Error('bot bed: no back-off wait is held');
    next();
  }

  /** Resolves once the supervisor has started its `n`-th back-off wait (1-based); returns its length. */
  nthWait(n: number): Promise<number> {
    return this.until(() => this.reconnectWaits[n - 1], `back-off wait ${n}`);
  }

  /**
   * Waits until the adapter, on the n-th socket, has asked for the history (it is fully listening)
   * and zca-js has read the cipher key sent before (so the supervisor knows the socket came up).
   */
  async listeningOn(n: number): Promise<void> {
    const { zalo } = this;
    await zalo.until(() => zalo.oldMessagesRequests.find((r) => r.connection === n), `old-messages request on socket ${n}`);
    await zalo.connections[n - 1]!.settle();
  }

  /** Delivers a message, waits until the bot handled it, and returns what the bot sent meanwhile. */
  async exchange(deliver: () => Promise<unknown>): Promise<string> {
    const before = this.zalo.sent.length;
    const n = this.incoming.length + 1;
    await deliver();
    await this.nthIncoming(n);
    await this.adapter.idle();
    return this.zalo.sent
      .slice(before)
      .map((s) => s.text)
      .join('\n');
  }

  /** Log lines whose message contains `text`. */
  logged(text: string): LogLine[] {
    return this.logs.filter((l) => l.msg.includes(text));
  }

  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.adapter.stop();
    // A held back-off keeps the supervisor's loop (and so start()) waiting: once let go, it sees the stop.
    for (const wake of this.heldWaits.splice(0)) wake();
    await this.running;
    await this.core.reports?.idle();
    await this.zalo.stop();
    this.core.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Like FakeZalo.until, over what the bed sees (messages at the core, back-off waits). */
  private until<T>(probe: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
    return untilChange(this.events, probe, `bot bed: ${what}`, timeoutMs);
  }

  private wait(ms: number): Promise<void> {
    this.reconnectWaits.push(ms);
    this.now += ms;
    this.events.emit('change');
    // Through the event loop, never a bare resolved promise: a retry loop that should have stopped
    // then fails its test on the timeout instead of spinning in microtasks and hanging the run.
    if (!this.options.holdWaits || this.stopped) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => this.heldWaits.push(resolve));
  }
}

/**
 * For a file of bed tests: the network stubbed out for every test (zca-js falls back to the global
 * fetch when it has no polyfill) and the bed a test put in `slot.bed` closed after it.
 */
export function botBedPerTest(): { bed?: BotBed; start(options?: BotBedOptions): Promise<BotBed> } {
  const slot: { bed?: BotBed; start(options?: BotBedOptions): Promise<BotBed> } = {
    // A bed listening on its first socket.
    async start(options: BotBedOptions = {}) {
      const bed = (slot.bed = await BotBed.start(options));
      await bed.listeningOn(1);
      return bed;
    },
  };
  beforeEach(() => {
    vi.stubGlobal('fetch', () => Promise.reject(new Error('tests never use the network')));
  });
  afterEach(async () => {
    await slot.bed?.close();
    slot.bed = undefined;
    vi.unstubAllGlobals();
  });
  return slot;
}

/** Lets zca-js and the supervisor handle what is already under way (sockets closing, frames). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}
