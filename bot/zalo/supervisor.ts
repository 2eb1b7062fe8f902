import type { Logger } from 'pino';
import type { AdapterStatus } from '../chat.js';
import { retryDelayText, StatusTracker } from '../status.js';

/**
 * Keeps the Zalo connection alive. zca-js logs in as a personal account over an unofficial
 * websocket that drops now and then: a drop is answered by logging in again from the saved
 * cookies, waiting longer each time; but when Zalo closes with 3000 or 3003 the account was
 * opened elsewhere (Zalo Web or PC), and fighting that gets the account blocked — so the
 * supervisor stops and says so loudly instead.
 */

/** The part of zca-js's listener the supervisor uses (an EventEmitter with start/stop). */
export interface ListenerLike {
  on(event: 'closed', listener: (code: number, reason: string) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'connected', listener: () => void): unknown;
  start(options?: { retryOnClose?: boolean }): void;
  stop(): void;
  removeAllListeners(): unknown;
}

export interface ConnectionLike {
  listener: ListenerLike;
}

/** Zalo's close codes that mean "this account is now used somewhere else". */
export const OPENED_ELSEWHERE = [3000, 3003] as const;

/** Waits before each new login after a drop: 2 s, 5 s, 15 s, 1 min, 5 min, then every 15 min. */
export const RECONNECT_BACKOFF_MS = [2_000, 5_000, 15_000, 60_000, 300_000, 900_000];

export type CloseDecision = { action: 'reconnect'; delayMs: number } | { action: 'stop'; reason: 'opened-elsewhere' };

export function backoffFor(failures: number): number {
  return RECONNECT_BACKOFF_MS[Math.min(failures, RECONNECT_BACKOFF_MS.length - 1)]!;
}

/** What to do when the connection closed with `code`, after `failures` reconnects in a row. */
export function decideOnClose(code: number, failures: number): CloseDecision {
  if ((OPENED_ELSEWHERE as readonly number[]).includes(code)) return { action: 'stop', reason: 'opened-elsewhere' };
  return { action: 'reconnect', delayMs: backoffFor(failures) };
}

export interface SupervisorOptions<C extends ConnectionLike> {
  /** Logs in from the saved credentials (zca-js `new Zalo(...).login(credentials)`). */
  login: () => Promise<C>;
  /** A fresh connection is up: wire its messages (and recover what was missed). */
  onConnected: (connection: C, reconnect: boolean) => void | Promise<void>;
  /** The supervisor gave up: tell the admins on another platform. Never throws. */
  onStopped: (reason: 'opened-elsewhere', code: number) => void | Promise<void>;
  log: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** Real time in ms, for when the connection changed state (default Date.now). */
  now?: () => number;
}

export class ZaloSupervisor<C extends ConnectionLike> {
  private connection?: C;
  private failures = 0;
  private stopped = false;
  private readonly tracker: StatusTracker;

  constructor(private readonly options: SupervisorOptions<C>) {
    const now = options.now ?? Date.now;
    this.tracker = new StatusTracker(() => new Date(now()));
  }

  get current(): C | undefined {
    return this.connection;
  }

  /** Where the connection stands, for /trangthai. */
  status(): AdapterStatus {
    return this.tracker.get();
  }

  /** Logs in and listens; a failed first login is retried like a drop. */
  async start(): Promise<void> {
    await this.connect(false);
  }

  stop(): void {
    // A stop after "opened elsewhere" keeps that reason: it is what the admins need to read.
    if (!this.stopped) this.tracker.set('stopped', 'đã tắt');
    this.stopped = true;
    this.connection?.listener.stop();
  }

  private async connect(reconnect: boolean): Promise<void> {
    while (!this.stopped) {
      this.tracker.set('connecting', reconnect ? 'đang đăng nhập lại' : 'đang đăng nhập');
      try {
        const connection = await this.options.login();
        this.connection = connection;
        this.watch(connection);
        this.tracker.set('connecting', 'đã đăng nhập, đang mở kết nối');
        // zca-js can retry by itself, but its retries ignore 3000/3003: the supervisor decides.
        connection.listener.start({ retryOnClose: false });
        await this.options.onConnected(connection, reconnect);
        return;
      } catch (error) {
        const delayMs = backoffFor(this.failures++);
        this.options.log.error({ err: error, retryInMs: delayMs }, 'zalo: login failed');
        this.tracker.set('connecting', `đăng nhập không được, thử lại sau ${retryDelayText(delayMs)}`);
        await this.sleep(delayMs);
      }
    }
  }

  private watch(connection: C): void {
    const { listener } = connection;
    // A listener error never crashes the process: it is logged, and a close follows if it mattered.
    listener.on('error', (error) => this.options.log.error({ err: error }, 'zalo: listener error'));
    listener.on('connected', () => {
      this.failures = 0;
      if (!this.stopped && connection === this.connection) this.tracker.set('connected');
    });
    listener.on('closed', (code, reason) => {
      if (this.stopped || connection !== this.connection) return;
      listener.removeAllListeners();
      const decision = decideOnClose(code, this.failures);
      if (decision.action === 'stop') {
        this.stopped = true;
        this.tracker.set('stopped', `tài khoản đang được mở ở nơi khác (Zalo Web hoặc máy tính), mã ${code}`);
        this.options.log.fatal(
          { code, reason },
          'zalo: the account was opened elsewhere (Zalo Web or PC); the bot stops using it. Close the other session, then restart the bot.',
        );
        void Promise.resolve(this.options.onStopped(decision.reason, code)).catch((error: unknown) =>
          this.options.log.error({ err: error }, 'zalo: could not report the stop'),
        );
        return;
      }
      this.failures++;
      this.tracker.set('connecting', `mất kết nối (mã ${code}), thử lại sau ${retryDelayText(decision.delayMs)}`);
      this.options.log.warn({ code, reason, retryInMs: decision.delayMs }, 'zalo: connection closed; logging in again');
      void this.sleep(decision.delayMs).then(() => this.connect(true));
    });
  }

  private sleep(ms: number): Promise<void> {
    // Not unref'd: waiting to reconnect is what keeps a Zalo-only bot alive.
    return this.options.sleep ? this.options.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));
  }
}
