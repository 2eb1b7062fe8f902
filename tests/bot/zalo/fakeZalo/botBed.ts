import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, isNull } from 'drizzle-orm';
import pino from 'pino';
import { type Core, createCore } from '../../../../bot/app.js';
import type { IncomingMessage } from '../../../../bot/chat.js';
import { fixedClock } from '../../../../bot/clock.js';
import { ZaloAdapter } from '../../../../bot/zalo/adapter.js';
import { writeCredentials } from '../../../../bot/zalo/credentials.js';
import { loginFromCredentials } from '../../../../bot/zalo/login.js';
import { SendQueue } from '../../../../bot/zalo/sendQueue.js';
import { ZaloSessionSaver } from '../../../../bot/zalo/sessionSaver.js';
import { SYSTEM_ACTOR } from '../../../../db/audit.js';
import { resolveCaller } from '../../../../db/people.js';
import { grantRole } from '../../../../db/roles.js';
import { units } from '../../../../db/schema.js';
import { seedDemo } from '../../../../db/seed/demo.js';
import { FakeZalo, type FakeZaloOptions, type Person } from './index.js';
import { untilChange } from './until.js';

/**
 * The bot's real Zalo route over the fake network, wired as bot/main.ts wires it: zca-js logs in
 * from the credentials file (`loginFromCredentials`, with the fake's fetch as its polyfill), the
 * real ZaloAdapter (supervisor, send queue, session saver) feeds the core's dispatcher over the
 * demo deployment. Two things differ from main.ts, for speed only: the send queue does not pace
 * (main: 1.2 s between sends) and the supervisor's back-off waits are recorded instead of slept.
 */

export const GROUP_ID = '6543210987654321098';
export const CHAU: Person = { id: '7234567890123456789', name: 'Lê Minh Châu' };
export const THU: Person = { id: '7345678901234567890', name: 'Trần Thị Thu' };
export const BINH: Person = { id: '7456789012345678901', name: 'Trần Văn Bình' };

export interface BotBedOptions {
  zalo?: FakeZaloOptions;
  /** SendQueue's file timeout (main.ts: 60 s). */
  fileTimeoutMs?: number;
  /** Hold each supervisor back-off wait until `releaseWait()` (default: return at once). */
  holdWaits?: boolean;
  /** Set the fake up before the adapter starts (e.g. `zalo.refuseLogin()`). */
  beforeStart?: (zalo: FakeZalo) => void;
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
  /** Close codes the adapter reported through `onStopped`. */
  readonly stoppedCodes: number[] = [];
  adapter!: ZaloAdapter;
  running!: Promise<void>;

  private readonly heldWaits: Array<() => void> = [];
  private readonly events = new EventEmitter();
  private stopped = false;

  private constructor(
    readonly zalo: FakeZalo,
    readonly core: Core,
    readonly dir: string,
    readonly credentialsPath: string,
    /** Everything the bot logged (pino lines, parsed). */
    readonly logs: LogLine[],
    private readonly options: BotBedOptions,
  ) {}

  static async start(options: BotBedOptions = {}): Promise<BotBed> {
    const zalo = await FakeZalo.start(options.zalo);
    const dir = mkdtempSync(join(tmpdir(), 'dvk-fakezalo-'));
    const credentialsPath = join(dir, 'zalo-credentials.json');
    writeCredentials(credentialsPath, zalo.credentials);
    const clock = fixedClock('2026-03-10T09:00:00+07:00');
    const logs: LogLine[] = [];
    const log = pino({ level: 'trace' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
    let adapter: ZaloAdapter | undefined;
    const core = await createCore({
      dbPath: join(dir, 'dvk.sqlite'),
      clock,
      log,
      flowTtlMinutes: 60,
      deliver: (chat, reply) => (chat.platform === 'zalo' && adapter ? adapter.send(chat, reply) : Promise.reject(new Error(`no adapter for ${chat.platform}`))),
    });
    seedDemo(core.database.db, clock.now());
    const bed = new BotBed(zalo, core, dir, credentialsPath, logs, options);

    // Lê Minh Châu (Zalo) is the officer of Huyện Cẩm Xuyên; Trần Văn Bình a leader of the province.
    const db = core.database.db;
    const grant = (who: Person, role: 'officer' | 'leader', unitId: number) => {
      const caller = resolveCaller(db, 'zalo', { id: who.id, displayName: who.name }, clock.now());
      db.transaction((tx) => grantRole(tx, { personId: caller.personId, role, unitId }, SYSTEM_ACTOR, clock.now()));
    };
    grant(CHAU, 'officer', db.select().from(units).where(eq(units.shortCode, 'CAMXUYEN')).get()!.id);
    grant(BINH, 'leader', db.select().from(units).where(isNull(units.parentId)).get()!.id);

    options.beforeStart?.(zalo);
    adapter = new ZaloAdapter({
      login: () => loginFromCredentials(credentialsPath, { polyfill: zalo.fetch }),
      hooks: core.hooks,
      log,
      session: new ZaloSessionSaver(credentialsPath, log),
      onStopped: (code) => void bed.stoppedCodes.push(code),
      queue: new SendQueue({ minGapMs: 0, backoffMs: [5_000, 30_000, 120_000], fileTimeoutMs: options.fileTimeoutMs ?? 60_000, log, sleep: async () => {} }),
      sleep: (ms) => bed.wait(ms),
    });
    bed.adapter = adapter;
    bed.running = adapter.start(async (message, outbound) => {
      bed.incoming.push(message);
      bed.events.emit('change');
      await core.dispatcher.handle(message, outbound);
    });
    return bed;
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
    this.events.emit('change');
    if (!this.options.holdWaits || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.heldWaits.push(resolve));
  }
}
