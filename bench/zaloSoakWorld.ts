import { AsyncLocalStorage } from 'node:async_hooks';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Core, createCore } from '../bot/app.js';
import type { ChatRef, Deliver, IncomingHandler, Reply, SentMessage } from '../core/chat.js';
import type { Clock } from '../core/clock.js';
import { CommandLimiter } from '../bot/commandLimiter.js';
import { createLogger } from '../bot/logger.js';
import { FileNotSentError, ZaloAdapter, type ZaloApiLike } from '../bot/zalo/adapter.js';
import { writeCredentials } from '../bot/zalo/credentials.js';
import { loginFromCredentials } from '../bot/zalo/login.js';
import { type SendKind, SendQueue, type SendQueueOptions } from '../bot/zalo/sendQueue.js';
import { ZaloSessionSaver } from '../bot/zalo/sessionSaver.js';
import type { ZaloStop } from '../bot/zalo/supervisor.js';
import { SYSTEM_ACTOR } from '../db/audit.js';
import { resolveCaller } from '../db/people.js';
import { grantRole } from '../db/roles.js';
import { models, units } from '../db/schema.js';
import { seedDemo } from '../db/seed/demo.js';
import type { ReportQueue } from '../reports/reportQueue.js';
import { FakeZalo } from './fakes/zalo/index.js';
import { SimTime } from './simTime.js';
import { type FileTiming, GROUP_ID, type PlannedMessage, REGISTRANTS, type SoakEvent } from './zaloSoakPlan.js';

/**
 * The world of the Zalo soak: the fake Zalo network (tests/bot/zalo/fakeZalo) with zca-js 2.2.0's
 * real login, listener, sendMessage and upload running against it, and the bot as bot/main.ts
 * wires it — createCore over a SQLite file, the ZaloAdapter with its supervisor, the production
 * send queue (1.2 s between sends, 5/30/120 s back-offs, 30/60 s timeouts), a command limiter —
 * all on simulated time (bench/simTime.ts): the supervisor's back-offs, the queue's pacing, the
 * missed-message waits and the watchdog tick are simulated timers the driver fires in order.
 *
 * The driver (`play`) moves the clock only when the process has nothing left to do but wait for
 * a simulated timer: sockets opening or closing, HTTP calls, history requests Zalo has not answered
 * and frames still being decrypted all hold it (`settle`). Some work takes real time whatever the
 * clock says — a report made on its thread, a file send waiting for its file_done — and while it
 * runs the week goes on at most GATE_WINDOW_MS of simulated time past where it began, then waits.
 *
 * "Opened elsewhere" ends the bot for good by design; main then returns (reports stopped, the
 * database closed) and the process exits. The operator's restart is a new core and a new adapter
 * over the same database file and credentials, as a new process would be.
 *
 * What is counted: every message the fake delivered (live, or kept for Zalo's history while no
 * socket was open) against what reached the core's handler, per message id; each send's simulated
 * time at the fake; each login's time; each file reply's uploads and the file messages that name
 * them.
 */

/**
 * While real work runs (a report being made, a send under way), the week goes on up to this far
 * past where that work began, then waits for it: the upload's file_done wait (20 s in production,
 * FileDoneRelay's real timer here) is the longest such wait, and a socket reopening within it
 * must be seen by the retry, as in production.
 */
export const GATE_WINDOW_MS = 20_000;
/** Real work that takes longer than this is a harness problem: counted, and the week goes on. */
const GATE_REAL_LIMIT_MS = 120_000;
/** Rounds of (a loop turn and a WebCrypto round trip) with nothing changing: the process is quiet. */
const QUIET_ROUNDS = 3;
const SETTLE_REAL_LIMIT_MS = 30_000;

export interface SoakWorldOptions {
  /** Simulated epoch ms the world starts at. */
  start: number;
  /**
   * How long an accepted upload waits for its file_done, in real ms (the adapter's FileDoneRelay
   * uses a real timer; production waits 20 s). Meanwhile the week goes on GATE_WINDOW_MS at most.
   */
  fileDoneWaitMs: number;
}

interface Delivered {
  plan: PlannedMessage;
  at: number;
  /** Pushed on an open socket (else only kept for Zalo's history). */
  live: boolean;
  /** Sent while the bot had stopped for good (before the operator's restart). */
  whileStopped: boolean;
}

interface Reception {
  generation: number;
  /** Simulated time the handler got it. */
  at: number;
  /** The process's database was still open when its handler got the message. */
  coreOpen: boolean;
}

/** One reply with a file (a report), and the uploads its file sends made. */
interface FileDelivery {
  /** The /baocao message it answers. */
  requestId?: string;
  chatId: string;
  timing: FileTiming;
  attempts: number;
  uploads: number[];
  outcome: 'pending' | 'sent' | 'not-sent' | 'failed';
}

interface BotProcess {
  generation: number;
  core: Core;
  adapter: ZaloAdapter;
  /** The newest session zca-js logged in. */
  api?: ZaloApiLike;
  running: Promise<void>;
  stop?: ZaloStop;
  /** The process ended as main ends it (reports stopped, database closed). */
  closed: boolean;
}

export interface SoakFigures {
  delivered: number;
  deliveredLive: number;
  deliveredWhileAway: number;
  /** Sent while the bot had stopped for good, and of those, handled by the restarted bot. */
  deliveredWhileStopped: number;
  handledAfterRestart: number;
  privateMessages: number;
  received: number;
  lostNeverReceived: string[];
  lostToClosedProcess: string[];
  handledTwice: string[];
  /** From the message to its handler, simulated ms: the longest, the 99th percentile, and how many waited over a minute. */
  longestWaitMs: number;
  p99WaitMs: number;
  waitedOverAMinute: number;
  awayMs: number;
  longestAwayMs: number;
  sends: number;
  minSendGapMs: number;
  logins: number;
  mostLoginsInAnHour: number;
  sockets: number;
  refusedSockets: number;
  keepAlives: number;
  restarts: number;
  stops: ZaloStop['reason'][];
  fileRequests: number;
  fileDeliveries: number;
  filesPosted: number;
  filesNotSent: number;
  duplicateFiles: number;
  filesByTiming: Record<FileTiming, number>;
  registrationsSaved: number;
  drops: number;
  extra1006: number;
  scriptedDrops: number;
  skippedDrops: number;
  deferredKicks: number;
  historyRequests: number;
  historyUnanswered: number;
  possiblyLostSpans: number;
  handlerFailures: number;
  gateOverruns: number;
  settleOverruns: number;
  protocolErrors: number;
  unknownRequests: number;
  warnings: Record<string, number>;
  logLinesWithCookie: number;
  cookieLoggedBy: Record<string, number>;
  reconnectWaits: Record<string, number>;
}

/** The send queue main's ZaloAdapter builds, on simulated time, telling the world what runs. */
class TrackedSendQueue extends SendQueue {
  constructor(
    private readonly world: SoakWorld,
    options: SendQueueOptions,
  ) {
    super(options);
  }

  override run<T>(job: () => Promise<T>, kind: SendKind): Promise<T> {
    return super.run(() => this.world.runJob(job, kind), kind);
  }
}

/** Warnings every socket cycle brings: counted, not traced. */
const ROUTINE = new Set(['zalo: connection closed; reopening the socket on the same session']);

const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));
const ONE_BYTE = new Uint8Array(1);

export class SoakWorld {
  readonly sim: SimTime;
  /** Simulated times of each message send at the fake (zalo.sent, same order). */
  readonly sendTimes: number[] = [];
  readonly loginTimes: number[] = [];
  readonly delivered = new Map<string, Delivered>();
  readonly received = new Map<string, Reception[]>();
  readonly fileDeliveries: FileDelivery[] = [];
  readonly processes: BotProcess[] = [];
  readonly warnings = new Map<string, number>();
  /** The supervisor's waits before reopening a socket or logging in again: how many of each length. */
  readonly reconnectWaits = new Map<number, number>();
  /** The first warnings and errors, with the simulated time (for looking into a run). */
  readonly trace: string[] = [];
  drops = 0;
  extra1006 = 0;
  scriptedDrops = 0;
  skippedDrops = 0;
  deferredKicks = 0;
  registrationsSaved = -1;
  gateOverruns = 0;
  settleOverruns = 0;
  /** Simulated time with no open socket the bot listens on: in all, and the longest stretch. */
  awayMs = 0;
  longestAwayMs = 0;
  private awayStretchMs = 0;

  private pendingFetches = 0;
  private fetches = 0;
  private loginsInFlight = 0;
  private jobsInFlight = 0;
  private reportsMaking = 0;
  private logLines = 0;
  /** Log lines holding the Zalo session cookie, and by which message. */
  private cookieLines = 0;
  private readonly cookieMessages = new Map<string, number>();
  private receptions = 0;
  private gate?: { sim: number; real: number };
  /** Per socket (the fake's connection id): history answers zca-js has emitted. */
  private readonly historyRead = new Map<number, number>();
  /** Real ms spent waiting for the process to go quiet (most of a run's wall time). */
  settleMs = 0;
  /** The message whose handling is running (reports submitted from it are its). */
  private readonly handling = new AsyncLocalStorage<{ messageId: string }>();
  /** The file reply being delivered (its file sends are its). */
  private readonly delivering = new AsyncLocalStorage<{ requestId?: string; record?: FileDelivery }>();
  private readonly log: Logger;

  private constructor(
    readonly zalo: FakeZalo,
    private readonly dir: string,
    private readonly options: SoakWorldOptions,
  ) {
    this.sim = new SimTime(options.start);
    // main's logger (its serializers and redaction), at debug; each line is read as it is written.
    this.log = createLogger('debug', { write: (line: string) => this.logged(line) });
  }

  static async create(options: SoakWorldOptions): Promise<SoakWorld> {
    const zalo = await FakeZalo.start();
    const dir = mkdtempSync(join(tmpdir(), 'dvk-zalo-soak-'));
    writeCredentials(join(dir, 'zalo-credentials.json'), zalo.credentials);
    const world = new SoakWorld(zalo, dir, options);
    await world.startProcess();
    return world;
  }

  get current(): BotProcess {
    return this.processes.at(-1)!;
  }

  private get dbPath(): string {
    return join(this.dir, 'dvk.sqlite');
  }

  private get credentialsPath(): string {
    return join(this.dir, 'zalo-credentials.json');
  }

  // -- the bot, as main runs it -----------------------------------------------------------------

  private async startProcess(): Promise<void> {
    const generation = this.processes.length + 1;
    const clock: Clock = { now: () => new Date(this.sim.now) };
    let bot: BotProcess | undefined;
    const deliver: Deliver = (chat, reply) => this.deliverReply(bot!, chat, reply);
    const core = await createCore({
      dbPath: this.dbPath,
      clock,
      log: this.log,
      flowTtlMinutes: 24 * 60,
      deliver,
      // main limits commands per person on the chat platforms (on real time; here the week's).
      commandLimiter: new CommandLimiter(clock),
    });
    if (generation === 1) this.seed(core);
    this.trackReports(core.reports);
    const adapter = new ZaloAdapter({
      login: () => this.login(bot!),
      hooks: core.hooks,
      log: this.log,
      session: new ZaloSessionSaver(this.credentialsPath, this.log),
      onStopped: (stop) => {
        bot!.stop = stop;
      },
      // What ZaloAdapter builds when given none (bot/zalo/adapter.ts), on the week's clock.
      queue: new TrackedSendQueue(this, {
        minGapMs: 1200,
        backoffMs: [5_000, 30_000, 120_000],
        fileTimeoutMs: 60_000,
        textTimeoutMs: 30_000,
        log: this.log,
        now: () => this.sim.now,
        sleep: this.sim.sleep,
      }),
      sleep: (ms) => {
        this.reconnectWaits.set(ms, (this.reconnectWaits.get(ms) ?? 0) + 1);
        return this.sim.sleep(ms);
      },
      now: () => this.sim.now,
      every: this.sim.every,
      after: this.sim.after,
      fileDoneWaitMs: this.options.fileDoneWaitMs,
    });
    const handler: IncomingHandler = async (message, outbound) => {
      const list = this.received.get(message.messageId) ?? [];
      list.push({ generation, at: this.sim.now, coreOpen: !bot!.closed });
      this.received.set(message.messageId, list);
      this.receptions++;
      await this.handling.run({ messageId: message.messageId }, () => core.dispatcher.handle(message, outbound));
    };
    const started: BotProcess = { generation, core, adapter, running: Promise.resolve(), closed: false };
    bot = started;
    this.processes.push(started);
    // As main.ts: once the adapter's start() returns (the Zalo side stopped for good), reports are
    // stopped (each asker told), the database closed, and the process exits.
    started.running = adapter.start(handler).then(async () => {
      await core.reports?.stop();
      core.close();
      started.closed = true;
    });
  }

  private seed(core: Core): void {
    const db = core.database.db;
    const now = core.clock.now();
    seedDemo(db, now);
    for (const { person, role, unit } of REGISTRANTS) {
      const row =
        role === 'leader' ? db.select().from(units).where(isNull(units.parentId)).get() : db.select().from(units).where(eq(units.shortCode, unit)).get();
      if (!row) throw new Error(`soak: no unit ${unit} in the demo data`);
      const caller = resolveCaller(db, 'zalo', { id: person.id, displayName: person.name }, now);
      db.transaction((tx) => grantRole(tx, { personId: caller.personId, role, unitId: row.id }, SYSTEM_ACTOR, now));
    }
  }

  private async login(bot: BotProcess): Promise<ZaloApiLike> {
    this.loginsInFlight++;
    try {
      const api = await loginFromCredentials(this.credentialsPath, { polyfill: this.fetch });
      this.loginTimes.push(this.sim.now);
      // History answers zca-js has read (each is one "old_messages"), on the socket they came on.
      const seen = () => {
        const id = this.zalo.connections.at(-1)?.id ?? 0;
        this.historyRead.set(id, (this.historyRead.get(id) ?? 0) + 1);
      };
      api.listener.on('old_messages', seen);
      bot.api = api;
      return api;
    } finally {
      this.loginsInFlight--;
    }
  }

  /** zca-js's network: the fake's fetch, with each send's simulated time noted at the fake. */
  private readonly fetch: typeof fetch = async (input, init) => {
    const at = this.sim.now;
    this.pendingFetches++;
    this.fetches++;
    try {
      return await this.zalo.fetch(input, init);
    } finally {
      this.pendingFetches--;
      while (this.sendTimes.length < this.zalo.sent.length) this.sendTimes.push(at);
    }
  };

  /** The core's deliveries to other chats, and the report files (sent when made). */
  private deliverReply(bot: BotProcess, chat: ChatRef, reply: Reply): Promise<SentMessage> {
    if (!reply.files?.length) return bot.adapter.send(chat, reply);
    const requestId = this.delivering.getStore()?.requestId;
    const timing = (requestId !== undefined ? this.delivered.get(requestId)?.plan.fileTiming : undefined) ?? 'after';
    const record: FileDelivery = { requestId, chatId: chat.id, timing, attempts: 0, uploads: [], outcome: 'pending' };
    this.fileDeliveries.push(record);
    return this.delivering.run({ requestId, record }, async () => {
      try {
        const sent = await bot.adapter.send(chat, reply);
        record.outcome = 'sent';
        return sent;
      } catch (error) {
        record.outcome = error instanceof FileNotSentError ? 'not-sent' : 'failed';
        throw error;
      }
    });
  }

  /** Each send job as the queue runs it: the file's file_done timing is set for its upload. */
  async runJob<T>(job: () => Promise<T>, kind: SendKind): Promise<T> {
    const record = kind === 'file' ? this.delivering.getStore()?.record : undefined;
    const from = this.zalo.uploads.length;
    this.jobsInFlight++;
    if (record) {
      record.attempts++;
      // 'lost': the first upload's file_done is due while the socket is being dropped; the retry's comes.
      this.zalo.fileDone(record.timing === 'lost' ? (record.attempts === 1 ? 'never' : 'after') : record.timing);
      if (record.timing === 'lost' && record.attempts === 1) void this.dropUnderUpload(from);
    }
    try {
      return await job();
    } finally {
      this.jobsInFlight--;
      if (record) {
        for (let i = from; i < this.zalo.uploads.length; i++) record.uploads.push(i);
        this.zalo.fileDone('after');
      }
    }
  }

  /** Once the upload is answered (its file_done will not come), the socket drops. */
  private async dropUnderUpload(from: number): Promise<void> {
    try {
      await this.zalo.until(() => this.zalo.uploads.slice(from).some((u) => u.fileId), 'the upload answered', 30_000);
      if (!this.socketOpen()) return;
      this.scriptedDrops++;
      await this.zalo.drop();
    } catch (error) {
      this.note(`soak: no drop under the upload: ${String(error)}`);
    }
  }

  /** Reports made on the report thread: real work, during which the week goes on GATE_WINDOW_MS at most. */
  private trackReports(reports: ReportQueue | undefined): void {
    if (!reports) return;
    const submit = reports.submit.bind(reports);
    reports.submit = (request) => {
      const requestId = this.handling.getStore()?.messageId;
      let making = true;
      const made = () => {
        if (!making) return;
        making = false;
        this.reportsMaking--;
      };
      this.reportsMaking++;
      const submitted = submit({
        ...request,
        done: (report) => {
          made();
          return this.delivering.run({ requestId }, () => request.done(report));
        },
        failed: (error) => {
          made();
          return request.failed(error);
        },
        dropped: () => {
          made();
          return request.dropped();
        },
      });
      if (submitted.status !== 'started' && submitted.status !== 'queued') made();
      return submitted;
    };
  }

  // -- the week -------------------------------------------------------------------------------

  /** Plays `events` (sorted by time) and the bot's own timers, in time order, until `end`. */
  async play(events: readonly SoakEvent[], end: number): Promise<void> {
    const queue = [...events];
    let i = 0;
    for (;;) {
      const step = await this.step(queue[i]?.at ?? Infinity, end);
      if (step === 'end') break;
      if (step !== 'event') continue;
      const event = queue[i++]!;
      this.moveClock(() => this.sim.advanceTo(event.at));
      const later = await this.apply(event);
      if (later) {
        // Put back in time order among the events still to come.
        let at = i;
        while (at < queue.length && queue[at]!.at <= later.at) at++;
        queue.splice(at, 0, later);
      }
    }
    this.moveClock(() => this.sim.advanceTo(end));
  }

  /**
   * Once the process is quiet: fires the bot's next timer if it comes before `eventAt`, or says
   * the event is due ('event'), or that nothing comes before `end`. While real work runs, only the
   * bot's timers within GATE_WINDOW_MS fire; otherwise it waits a real millisecond ('waited').
   */
  private async step(eventAt: number, end: number): Promise<'timer' | 'event' | 'waited' | 'end'> {
    await this.settle();
    const timerAt = this.sim.nextAt() ?? Infinity;
    const nextAt = Math.min(timerAt, eventAt);
    if (this.gated()) {
      const gate = (this.gate ??= { sim: this.sim.now, real: performance.now() });
      if (nextAt > gate.sim + GATE_WINDOW_MS || nextAt >= end) {
        if (performance.now() - gate.real < GATE_REAL_LIMIT_MS) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          return 'waited';
        }
        this.gateOverruns++;
        this.note(`soak: real work still running after ${GATE_REAL_LIMIT_MS} ms (jobs ${this.jobsInFlight}, reports ${this.reportsMaking}); the week goes on`);
        this.gate = { sim: this.sim.now, real: performance.now() };
      }
    } else {
      this.gate = undefined;
    }
    if (nextAt >= end) return 'end';
    if (timerAt <= eventAt) {
      this.moveClock(() => this.sim.fireNext());
      return 'timer';
    }
    return 'event';
  }

  /** Moves the clock (through `move`), adding the time passed without an open socket. */
  private moveClock(move: () => void): void {
    const before = this.sim.now;
    const open = this.socketOpen();
    move();
    if (open) {
      this.awayStretchMs = 0;
      return;
    }
    this.awayMs += this.sim.now - before;
    this.awayStretchMs += this.sim.now - before;
    this.longestAwayMs = Math.max(this.longestAwayMs, this.awayStretchMs);
  }

  /** Stops the running bot as a signal would (adapter.stop), letting its sends finish. */
  async finish(): Promise<void> {
    const bot = this.current;
    this.registrationsSaved = bot.closed
      ? -1
      : bot.core.database.db
          .select()
          .from(models)
          .all()
          .filter((m) => m.createdAt >= this.options.start).length;
    if (!bot.closed) await this.drive(bot.adapter.stop());
    await this.drive(Promise.all(this.processes.map((p) => p.running)).then(() => undefined));
  }

  async close(): Promise<void> {
    for (const p of this.processes) if (!p.closed) p.core.close();
    await this.zalo.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Keeps the bot's timers firing until `promise` settles. */
  private async drive(promise: Promise<unknown>): Promise<void> {
    let done = false;
    const watched = promise.finally(() => (done = true));
    watched.catch(() => undefined);
    const started = performance.now();
    while (!done) {
      if ((await this.step(Infinity, Infinity)) === 'end') await new Promise((resolve) => setTimeout(resolve, 1));
      if (performance.now() - started > GATE_REAL_LIMIT_MS) throw new Error('soak: what the driver waited for never came');
    }
    await watched;
  }

  /** One event of the week; returns one to play later instead (a kick while the socket reopens). */
  private async apply(event: SoakEvent): Promise<SoakEvent | undefined> {
    switch (event.type) {
      case 'message':
        await this.deliverMessage(event.message);
        return undefined;
      case 'drop':
      case 'extra-1006':
        if (!this.socketOpen()) {
          this.skippedDrops++;
          return undefined;
        }
        if (event.type === 'drop') {
          this.drops++;
          if (event.refuse > 0) this.zalo.refuseSockets(event.refuse);
        } else {
          this.extra1006++;
        }
        await this.zalo.drop();
        return undefined;
      case 'kick':
        if (!this.socketOpen()) {
          this.deferredKicks++;
          return { ...event, at: this.sim.now + 1_000 };
        }
        await this.zalo.kickElsewhere({ echo: event.echo });
        return undefined;
      case 'restart':
        if (!this.current.stop) {
          this.note('soak: restart planned but the bot had not stopped');
          return undefined;
        }
        // The operator starts the bot again once the old process has exited.
        await this.drive(this.current.running);
        await this.startProcess();
        return undefined;
    }
  }

  private socketOpen(): boolean {
    return Boolean(this.zalo.connections.at(-1)?.open) && !this.current.stop;
  }

  /**
   * A person's message at the current simulated time: kept for Zalo's history (what an
   * old-messages request is answered from), and pushed live if a socket is open.
   */
  private async deliverMessage(plan: PlannedMessage): Promise<void> {
    const ts = this.sim.now;
    const wire = plan.thread === 'group' ? this.zalo.groupMessage(GROUP_ID, plan.from, plan.text, { ts }) : this.zalo.userMessage(plan.from, plan.text, { ts });
    this.zalo.keepHistory(plan.thread, [wire]);
    const entry: Delivered = { plan, at: ts, live: this.socketOpen(), whileStopped: Boolean(this.current.stop) };
    this.delivered.set(wire.msgId, entry);
    if (!entry.live) return;
    try {
      if (plan.thread === 'group') await this.zalo.deliverGroup(wire);
      else await this.zalo.deliverPrivateText(plan.from, plan.text, { msgId: wire.msgId, ts });
    } catch {
      // The socket went while the frame was on its way: Zalo's history still has it.
      entry.live = false;
    }
  }

  // -- when the process is quiet --------------------------------------------------------------

  private gated(): boolean {
    return this.jobsInFlight > 0 || this.reportsMaking > 0;
  }

  /** Something is under way that a moved clock would misjudge. */
  private busy(): boolean {
    if (this.pendingFetches > 0 || this.loginsInFlight > 0) return true;
    const ws = (this.current.api?.listener as { ws?: { readyState?: number } | null } | undefined)?.ws;
    // CONNECTING or CLOSING.
    if (ws && (ws.readyState === 0 || ws.readyState === 2)) return true;
    const connection = this.zalo.connections.at(-1);
    if (connection?.open) {
      // A history request not answered yet, or an answer zca-js has not read yet (the adapter
      // gives Zalo HISTORY_ANSWER_MS of simulated time: the clock must not run past it meanwhile).
      const requests = this.zalo.oldMessagesRequests;
      let answered = 0;
      for (let i = requests.length - 1; i >= 0 && requests[i]!.connection === connection.id; i--) {
        if (requests[i]!.answered === undefined) return true;
        answered++;
      }
      if ((this.historyRead.get(connection.id) ?? 0) < answered) return true;
    }
    return false;
  }

  private fingerprint(): number {
    const z = this.zalo;
    return (
      this.sim.scheduled +
      this.sim.pending * 7 +
      z.sent.length +
      z.uploads.length +
      z.connections.length +
      z.oldMessagesRequests.length +
      z.keepAlives.length +
      this.fetches +
      this.logLines +
      this.receptions +
      this.jobsInFlight * 13 +
      this.reportsMaking * 17
    );
  }

  /**
   * Waits until nothing changes over a few rounds of the event loop and of the thread pool
   * (zca-js decrypts each frame with WebCrypto, off the main thread) and nothing is under way.
   */
  private async settle(): Promise<void> {
    const started = performance.now();
    let quiet = 0;
    let last = this.fingerprint();
    while (quiet < QUIET_ROUNDS) {
      await immediate();
      await webcrypto.subtle.digest('SHA-256', ONE_BYTE);
      const now = this.fingerprint();
      if (now !== last || this.busy()) {
        quiet = 0;
        last = now;
      } else {
        quiet++;
      }
      if (performance.now() - started > SETTLE_REAL_LIMIT_MS) {
        this.settleOverruns++;
        this.note('soak: the process did not go quiet within 30 s; moving on');
        return;
      }
    }
    this.settleMs += performance.now() - started;
  }

  // -- records ---------------------------------------------------------------------------------

  private logged(line: string): void {
    this.logLines++;
    if (line.includes(this.zalo.credentials.cookie[0]!.value)) {
      this.cookieLines++;
      const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? '?';
      this.cookieMessages.set(msg, (this.cookieMessages.get(msg) ?? 0) + 1);
    }
    // Levels 40+ (warn, error, fatal) are tallied by message.
    if (!/"level":(4|5|6)\d/.test(line)) return;
    const entry = JSON.parse(line) as { level: number; msg: string };
    this.warnings.set(entry.msg, (this.warnings.get(entry.msg) ?? 0) + 1);
    if (this.trace.length < 500 && !ROUTINE.has(entry.msg)) this.trace.push(`${new Date(this.sim.now).toISOString()} ${line.trim().slice(0, 600)}`);
  }

  private note(text: string): void {
    this.warnings.set(text, (this.warnings.get(text) ?? 0) + 1);
  }

  private warned(prefix: string): number {
    let n = 0;
    for (const [msg, count] of this.warnings) if (msg.startsWith(prefix)) n += count;
    return n;
  }

  /** Counts once the week is over (after finish()). */
  figures(): SoakFigures {
    const lostNeverReceived: string[] = [];
    const lostToClosedProcess: string[] = [];
    const handledTwice: string[] = [];
    let deliveredLive = 0;
    let privateMessages = 0;
    let deliveredWhileStopped = 0;
    let handledAfterRestart = 0;
    const waits: number[] = [];
    for (const [id, d] of this.delivered) {
      if (d.live) deliveredLive++;
      if (d.plan.thread === 'user') privateMessages++;
      const got = this.received.get(id) ?? [];
      if (got.length === 0) lostNeverReceived.push(id);
      else if (!got.some((r) => r.coreOpen)) lostToClosedProcess.push(id);
      if (got.length > 1) handledTwice.push(id);
      if (got.length > 0) waits.push(got[0]!.at - d.at);
      if (d.whileStopped) {
        deliveredWhileStopped++;
        if (got.some((r) => r.coreOpen && r.generation > 1)) handledAfterRestart++;
      }
    }
    waits.sort((a, b) => a - b);
    let minSendGapMs = Infinity;
    for (let i = 1; i < this.sendTimes.length; i++) minSendGapMs = Math.min(minSendGapMs, this.sendTimes[i]! - this.sendTimes[i - 1]!);
    const fileIdsOf = (d: FileDelivery) => new Set(d.uploads.map((i) => this.zalo.uploads[i]?.fileId).filter((id): id is string => id !== undefined));
    const fileMessages = this.zalo.sent.filter((s) => s.kind === 'file');
    let filesPosted = 0;
    let duplicateFiles = 0;
    let filesNotSent = 0;
    const filesByTiming: Record<FileTiming, number> = { after: 0, before: 0, lost: 0 };
    for (const d of this.fileDeliveries) {
      filesByTiming[d.timing]++;
      const ids = fileIdsOf(d);
      const posted = fileMessages.filter((s) => ids.has(String(s.params.fileId))).length;
      filesPosted += Math.min(posted, 1);
      duplicateFiles += Math.max(0, posted - 1);
      if (d.outcome === 'not-sent') filesNotSent++;
    }
    const fileRequests = [...this.delivered.values()].filter((d) => d.plan.part === 'report').length;
    return {
      delivered: this.delivered.size,
      deliveredLive,
      deliveredWhileAway: this.delivered.size - deliveredLive,
      deliveredWhileStopped,
      handledAfterRestart,
      privateMessages,
      received: this.receptions,
      lostNeverReceived,
      lostToClosedProcess,
      handledTwice,
      longestWaitMs: waits.at(-1) ?? 0,
      p99WaitMs: waits[Math.floor(0.99 * (waits.length - 1))] ?? 0,
      waitedOverAMinute: waits.filter((w) => w > 60_000).length,
      awayMs: this.awayMs,
      longestAwayMs: this.longestAwayMs,
      sends: this.zalo.sent.length,
      minSendGapMs,
      logins: this.loginTimes.length,
      mostLoginsInAnHour: mostInAnyWindow(this.loginTimes, 60 * 60_000),
      sockets: this.zalo.connections.length,
      refusedSockets: this.zalo.refusedSockets,
      keepAlives: this.zalo.keepAlives.length,
      restarts: this.processes.length - 1,
      stops: this.processes.flatMap((p) => (p.stop ? [p.stop.reason] : [])),
      fileRequests,
      fileDeliveries: this.fileDeliveries.length,
      filesPosted,
      filesNotSent,
      duplicateFiles,
      filesByTiming,
      registrationsSaved: this.registrationsSaved,
      drops: this.drops,
      extra1006: this.extra1006,
      scriptedDrops: this.scriptedDrops,
      skippedDrops: this.skippedDrops,
      deferredKicks: this.deferredKicks,
      historyRequests: this.zalo.oldMessagesRequests.length,
      historyUnanswered: this.warned('zalo: Zalo did not answer the request for missed messages in time'),
      possiblyLostSpans: [...this.warnings.keys()].filter((m) => / may be lost \(/.test(m)).reduce((n, m) => n + this.warnings.get(m)!, 0),
      handlerFailures: this.warned('handler failed') + this.warned('zalo: message failed'),
      gateOverruns: this.gateOverruns,
      settleOverruns: this.settleOverruns,
      protocolErrors: this.zalo.protocolErrors.length,
      unknownRequests: this.zalo.unknownRequests.length,
      warnings: Object.fromEntries(this.warnings),
      logLinesWithCookie: this.cookieLines,
      cookieLoggedBy: Object.fromEntries(this.cookieMessages),
      reconnectWaits: Object.fromEntries([...this.reconnectWaits].sort((a, b) => a[0] - b[0])),
    };
  }
}

/** The most timestamps in any window of `windowMs` (times in order). */
export function mostInAnyWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  let from = 0;
  for (let to = 0; to < times.length; to++) {
    while (times[to]! - times[from]! >= windowMs) from++;
    most = Math.max(most, to - from + 1);
  }
  return most;
}
