import type { Logger } from 'pino';
import type { AdapterStatus } from '../../core/chat.js';
import { retryDelayText, StatusTracker } from '../status.js';

/**
 * Keeps the Zalo connection alive without getting the account blocked. zca-js logs in as a
 * personal account (a session: cookies → session key) and listens on a websocket. When the socket
 * ends, two things can be redone, and they cost very different amounts:
 *
 * - reopening the socket on the same session: `listener.start()` again on the same API object (its
 *   `reset()` on close leaves it ready for that), no login. Zalo closes sockets about every minute
 *   (zca-js PR #371), so this is routine, and it is what Zalo's own web client does;
 * - logging in again from the saved cookies: a new session that Zalo sees. A bot that logs in
 *   every few seconds is the pattern behind blocked accounts and dead cookies (zca-js issues #333,
 *   #347), so logins are spaced out and capped per hour.
 *
 * Hence: a socket that ends after it came up (Zalo sent its cipher key, i.e. accepted the session
 * on it) is reopened on the same session; only one that does not come up means the session may be
 * gone and leads to a new login. Zalo refusing the saved login, too many logins in an hour, or the
 * account being opened elsewhere (the cmd-3000 frame, close codes 3000/3003: fighting that gets the
 * account blocked) stop the Zalo side for good, say so in the status, and report it once.
 *
 * A watchdog reopens a socket that claims to be open but has received nothing for a few of
 * zca-js's ping intervals (a half-open TCP connection can stay "open" for many minutes), and the
 * session is kept warm with zca-js's keepAlive on quiet days.
 */

/** The raw `ws` WebSocket under zca-js's Listener, as far as the supervisor uses it. */
export interface RawSocketLike {
  on(event: 'message', listener: (data: unknown) => void): unknown;
  on(event: 'ping' | 'pong', listener: () => void): unknown;
  terminate(): void;
}

/** The part of zca-js's listener the supervisor uses (an EventEmitter with start/stop). */
export interface ListenerLike {
  on(event: 'closed', listener: (code: number, reason: string) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'connected', listener: () => void): unknown;
  on(event: 'cipher_key', listener: (key: string) => void): unknown;
  start(options?: { retryOnClose?: boolean }): void;
  stop(): void;
  removeAllListeners(): unknown;
  /**
   * zca-js 2.2.0 keeps the socket of the running listener in `ws` (private in its types, null
   * between sockets) and emits no event for the cmd-3000 frame nor for frames it ignores (ping
   * answers). Listening on that socket is the only way to see them: a 'message' listener added
   * beside zca-js's own `onmessage` changes nothing for zca-js. The version is pinned; if a later
   * one renames it, the supervisor logs that it is blind to both and carries on.
   */
  readonly ws?: RawSocketLike | null;
}

/** The server settings zca-js got at login (context.d.ts), as far as the supervisor reads them. */
export interface ZaloSettingsLike {
  features?: { socket?: { ping_interval?: number }; sharefile?: { max_size_share_file_v3?: number } };
  keepalive?: { keepalive_duration?: number };
}

export interface ConnectionLike {
  listener: ListenerLike;
  getContext?(): { settings?: ZaloSettingsLike };
  /** zca-js's `api.keepAlive()`: GET chat/keepalive, a cheap call Zalo's web client makes too. */
  keepAlive?(): Promise<unknown>;
}

/** Zalo's close codes that mean "this account is now used somewhere else". */
export const OPENED_ELSEWHERE = [3000, 3003] as const;

/** zca-js 2.2.0's test for "another connection is opened" (listen.js): version 1, cmd 3000, subCmd 0. */
export function isOpenedElsewhereFrame(data: unknown): boolean {
  return Buffer.isBuffer(data) && data.length >= 4 && data[0] === 1 && data.readUInt16LE(1) === 3000 && data[3] === 0;
}

/**
 * Waits before reopening the socket on the same session, by how many sockets in a row ended less
 * than SOCKET_STEADY_MS after coming up. Capped at a minute: every missed minute is a minute of
 * messages the bot hears late (group ones are asked back on each reopen, private ones are not).
 */
export const REOPEN_BACKOFF_MS = [2_000, 5_000, 15_000, 30_000, 60_000];
/**
 * A socket up this long ended the ordinary way: the reopen ladder starts over. Zalo cycles sockets
 * about every minute, some after ~20 s (PR #371), and that must cost 2 s, not a growing wait.
 */
export const SOCKET_STEADY_MS = 20_000;
/** Waits before each new login (none before the first one of the process), then every 15 min. */
export const LOGIN_BACKOFF_MS = [5_000, 60_000, 5 * 60_000, 15 * 60_000];
/**
 * A session that has kept its sockets coming up this long since its login is sound: the login
 * ladder starts over. Measured on the session, not on one socket: Zalo ends every socket after
 * about a minute, so no single socket ever lasts this long (the soak benchmark found the ladder
 * stuck at 15 minutes for a whole week when it was measured per socket).
 */
export const SESSION_STEADY_MS = 5 * 60_000;
/**
 * At most this many logins Zalo answered in any LOGIN_WINDOW_MS; one more is not tried: the Zalo
 * side stops and says so. Logins that never reached Zalo (the network is down) do not count: Zalo
 * saw nothing, and an outage must not use the budget up. With LOGIN_BACKOFF_MS alone a failing
 * login is tried at most about 4 times an hour; the cap stops the other loop — sessions that come
 * up, last a few minutes and die — which the ladder resets would otherwise let run all day.
 */
export const LOGIN_BUDGET = 6;
export const LOGIN_WINDOW_MS = 60 * 60_000;

/** How often the watchdog and the keep-alive look at the connection. */
export const TICK_MS = 15_000;
/**
 * A socket that has received nothing — no message, no answer to zca-js's pings, no control — for
 * this many ping intervals (settings.features.socket.ping_interval) is taken as half-open, never
 * less than SILENCE_MIN_MS (Zalo's own cycling is about a minute) nor more than SILENCE_MAX_MS.
 */
export const SILENT_PINGS = 3;
export const SILENCE_MIN_MS = 90_000;
export const SILENCE_MAX_MS = 10 * 60_000;
/** keepAlive every settings.keepalive.keepalive_duration seconds, within these bounds; 10 min if absent. */
export const KEEPALIVE_DEFAULT_MS = 10 * 60_000;
export const KEEPALIVE_MIN_MS = 5 * 60_000;
export const KEEPALIVE_MAX_MS = 60 * 60_000;

export function silenceLimitMs(pingIntervalMs: number | undefined): number {
  const ping = typeof pingIntervalMs === 'number' && pingIntervalMs > 0 ? pingIntervalMs : 60_000;
  return Math.min(Math.max(SILENT_PINGS * ping, SILENCE_MIN_MS), SILENCE_MAX_MS);
}

export function keepAliveEveryMs(durationSeconds: number | undefined): number {
  if (!(typeof durationSeconds === 'number' && durationSeconds > 0)) return KEEPALIVE_DEFAULT_MS;
  return Math.min(Math.max(durationSeconds * 1000, KEEPALIVE_MIN_MS), KEEPALIVE_MAX_MS);
}

/**
 * Zalo answered the login and refused it (getServerInfo: "zpw_sek bị thiếu hoặc không đúng",
 * zca-js #315): the saved cookies are dead, and only a new QR login (`npm run zalo -- login`)
 * mends that. Trying them again is one more refused login Zalo sees.
 */
export class ZaloLoginRefusedError extends Error {
  override name = 'ZaloLoginRefusedError';
}

/** The login never got an answer from Zalo (no network, DNS): Zalo saw nothing. */
export class ZaloUnreachableError extends Error {
  override name = 'ZaloUnreachableError';
}

/** Why the supervisor let go of the account for good, and when; the admins are told once. */
export type ZaloStop =
  | { reason: 'opened-elsewhere'; code: number; at: Date }
  | { reason: 'login-refused'; at: Date }
  | { reason: 'login-budget'; logins: number; windowMs: number; at: Date };

export interface SupervisorOptions<C extends ConnectionLike> {
  /** Logs in from the saved credentials (zca-js `new Zalo(...).login(credentials)`). */
  login: () => Promise<C>;
  /** A new session is up (after a login, not after a reopened socket): wire its messages. */
  onConnected: (connection: C, reconnect: boolean) => void | Promise<void>;
  /** The supervisor gave up for good: tell the admins. Called once. Never throws. */
  onStopped: (stop: ZaloStop) => void | Promise<void>;
  log: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** Real time in ms: status times, how long a socket was up, the login budget's hour. */
  now?: () => number;
  /** Runs `fn` every `ms` until the returned function is called (default: an unref'd setInterval). */
  every?: (ms: number, fn: () => void) => () => void;
}

/** One socket of a session, from `listener.start()` to its close. */
interface Socket<C> {
  connection: C;
  /** Last time anything came in (a frame, a ws-level ping or pong, the open itself). */
  lastHeardAt: number;
  /** When Zalo sent the cipher key: the session was accepted on this socket. */
  upAt?: number;
  /** The watchdog ended it. */
  terminated: boolean;
}

const realEvery = (ms: number, fn: () => void) => {
  const timer = setInterval(fn, ms);
  // The watchdog never keeps a process alive on its own.
  timer.unref();
  return () => clearInterval(timer);
};

export class ZaloSupervisor<C extends ConnectionLike> {
  private connection?: C;
  private socket?: Socket<C>;
  private stopped = false;
  /** Index into REOPEN_BACKOFF_MS / LOGIN_BACKOFF_MS for the next wait. */
  private reopenStep = 0;
  private loginStep = 0;
  /** When each counted login was tried, oldest first, within the last LOGIN_WINDOW_MS. */
  private readonly loginTimes: number[] = [];
  private lastKeepAliveAt = 0;
  /** When the current session's login was answered. */
  private sessionStartedAt = 0;
  private cancelTick?: () => void;
  private blindLogged = false;
  private readonly tracker: StatusTracker;
  private readonly now: () => number;

  constructor(private readonly options: SupervisorOptions<C>) {
    this.now = options.now ?? Date.now;
    this.tracker = new StatusTracker(() => new Date(this.now()));
  }

  /** The session sends go through; none once the supervisor has stopped. */
  get current(): C | undefined {
    return this.stopped ? undefined : this.connection;
  }

  /** Where the connection stands, for /trangthai. */
  status(): AdapterStatus {
    return this.tracker.get();
  }

  /** Logs in and listens; a failed first login is retried on the login ladder. */
  async start(): Promise<void> {
    this.cancelTick ??= (this.options.every ?? realEvery)(TICK_MS, () => this.tick());
    await this.connect(false);
  }

  stop(): void {
    // A stop after "opened elsewhere" keeps that reason: it is what the admins need to read.
    if (!this.stopped) this.tracker.set('stopped', 'đã tắt');
    this.halt();
    const listener = this.connection?.listener;
    if (listener) {
      listener.stop();
      this.retire(listener);
    }
  }

  /** The watchdog and the keep-alive; `every` calls it each TICK_MS. */
  tick(): void {
    if (this.stopped) return;
    try {
      this.watchdog();
      this.keepWarm();
    } catch (error) {
      // A timer callback that throws would end the process.
      this.options.log.error({ err: error }, 'zalo: watchdog failed');
    }
  }

  // -- logging in -------------------------------------------------------------------------------

  /**
   * Logs in (waiting first, except for the very first login of the process) until a session is
   * up, Zalo refuses the cookies, or the hour's budget is spent. `waitDetail` says why in the
   * status while the first wait runs.
   */
  private async connect(reconnect: boolean, waitDetail?: (waitMs: number) => string): Promise<void> {
    let wait = reconnect;
    while (!this.stopped) {
      if (wait) {
        const delayMs = LOGIN_BACKOFF_MS[Math.min(this.loginStep++, LOGIN_BACKOFF_MS.length - 1)]!;
        if (waitDetail) this.tracker.set('connecting', waitDetail(delayMs));
        await this.sleep(delayMs);
        if (this.stopped) return;
      }
      wait = true;
      const at = this.now();
      while (this.loginTimes.length > 0 && this.loginTimes[0]! <= at - LOGIN_WINDOW_MS) this.loginTimes.shift();
      if (this.loginTimes.length >= LOGIN_BUDGET) {
        this.options.log.error(
          { logins: this.loginTimes.length, windowMs: LOGIN_WINDOW_MS },
          'zalo: too many logins within an hour; the bot stops using the account so that Zalo does not block it. Find out why sessions keep dying (network, proxy, another device), then restart the bot.',
        );
        this.giveUp(
          { reason: 'login-budget', logins: this.loginTimes.length, windowMs: LOGIN_WINDOW_MS, at: new Date(at) },
          `đã đăng nhập lại ${this.loginTimes.length} lần trong 1 giờ; bot ngừng để tránh bị Zalo khóa tài khoản, cần khởi động lại`,
        );
        return;
      }
      this.tracker.set('connecting', reconnect ? 'đang đăng nhập lại' : 'đang đăng nhập');
      let connection: C;
      try {
        connection = await this.options.login();
      } catch (error) {
        if (!(error instanceof ZaloUnreachableError)) this.loginTimes.push(at);
        if (this.stopped) return;
        if (error instanceof ZaloLoginRefusedError) {
          this.options.log.error(
            { err: error },
            'zalo: Zalo refused the saved login; the bot stops using it. Run `npm run zalo -- login` on the server (scan the QR code with the bot account’s phone), then restart the bot.',
          );
          this.giveUp(
            { reason: 'login-refused', at: new Date(this.now()) },
            'Zalo không nhận phiên đăng nhập đã lưu; cần chạy npm run zalo -- login rồi khởi động lại bot',
          );
          return;
        }
        const next = LOGIN_BACKOFF_MS[Math.min(this.loginStep, LOGIN_BACKOFF_MS.length - 1)]!;
        this.options.log.error({ err: error, retryInMs: next }, 'zalo: login failed');
        waitDetail = (ms) => `đăng nhập không được, thử lại sau ${retryDelayText(ms)}`;
        reconnect = true;
        continue;
      }
      this.loginTimes.push(at);
      if (this.stopped) {
        // stop() came while this login was on its way: its session is never listened to.
        this.retire(connection.listener);
        return;
      }
      const previous = this.connection;
      if (previous && previous !== connection) this.retire(previous.listener);
      this.connection = connection;
      this.sessionStartedAt = this.now();
      this.lastKeepAliveAt = this.now();
      this.watch(connection);
      this.open(connection, 'đã đăng nhập, đang mở kết nối');
      await this.options.onConnected(connection, reconnect);
      return;
    }
  }

  // -- the socket -------------------------------------------------------------------------------

  /** Starts a socket on `connection`'s listener (a new session's first, or a reopened one). */
  private open(connection: C, detail: string): void {
    const { listener } = connection;
    const socket: Socket<C> = { connection, lastHeardAt: this.now(), terminated: false };
    this.socket = socket;
    this.tracker.set('connecting', detail);
    try {
      // zca-js can retry by itself, but its retries ignore 3000/3003: the supervisor decides.
      listener.start({ retryOnClose: false });
    } catch (error) {
      // zca-js throws "Already started" if its last socket is still there; never expected, since
      // a reopen waits for the close that resets it. Handled as a socket that did not come up.
      this.options.log.error({ err: error }, 'zalo: the socket could not be started');
      this.socket = undefined;
      this.onSocketEnd(socket, 1006, 'start failed');
      return;
    }
    this.tap(listener, socket);
  }

  /** Listens on the raw socket: anything received counts as life, the cmd-3000 frame as the end. */
  private tap(listener: ListenerLike, socket: Socket<C>): void {
    const ws = listener.ws;
    if (!ws || typeof ws.on !== 'function') {
      if (!this.blindLogged) {
        this.blindLogged = true;
        this.options.log.warn('zalo: the listener’s socket cannot be observed: a cmd-3000 frame closed without echo and a half-open socket will go unnoticed');
      }
      return;
    }
    const heard = () => {
      if (this.socket === socket) socket.lastHeardAt = this.now();
    };
    ws.on('message', (data) => {
      heard();
      // zca-js has already answered it by closing with 3000, but Zalo may drop the socket without
      // echoing that close, and zca-js then reports 1006: the frame itself is the signal.
      if (this.socket === socket && isOpenedElsewhereFrame(data)) this.openedElsewhere(3000, 'cmd-3000 frame');
    });
    ws.on('ping', heard);
    ws.on('pong', heard);
  }

  /** Events of a listener, attached once: its socket may be reopened many times. */
  private watch(connection: C): void {
    const { listener } = connection;
    // A listener error never crashes the process: it is logged, and a close follows if it mattered.
    listener.on('error', (error) => this.options.log.error({ err: error }, 'zalo: listener error'));
    listener.on('connected', () => {
      const socket = this.socket;
      if (this.stopped || socket?.connection !== connection) return;
      socket.lastHeardAt = this.now();
      this.tracker.set('connected');
    });
    listener.on('cipher_key', () => {
      const socket = this.socket;
      if (this.stopped || socket?.connection !== connection) return;
      socket.upAt ??= this.now();
      socket.lastHeardAt = this.now();
    });
    listener.on('closed', (code, reason) => {
      const socket = this.socket;
      if (this.stopped || socket?.connection !== connection) return;
      this.socket = undefined;
      this.onSocketEnd(socket, code, reason);
    });
  }

  private onSocketEnd(socket: Socket<C>, code: number, reason: string): void {
    if ((OPENED_ELSEWHERE as readonly number[]).includes(code)) {
      this.openedElsewhere(code, reason);
      return;
    }
    if (socket.upAt === undefined) {
      // Zalo never accepted the session on this socket: the session may be gone. Log in again.
      this.options.log.warn({ code, reason }, 'zalo: the socket closed before Zalo accepted the session on it; logging in again');
      this.connect(true, (ms) => `mất kết nối (mã ${code}), đăng nhập lại sau ${retryDelayText(ms)}`).catch((error: unknown) =>
        this.options.log.error({ err: error }, 'zalo: reconnecting failed'),
      );
      return;
    }
    const upForMs = this.now() - socket.upAt;
    if (this.now() - this.sessionStartedAt >= SESSION_STEADY_MS) this.loginStep = 0;
    if (upForMs >= SOCKET_STEADY_MS) this.reopenStep = 0;
    const delayMs = REOPEN_BACKOFF_MS[Math.min(this.reopenStep++, REOPEN_BACKOFF_MS.length - 1)]!;
    this.tracker.set('connecting', `mất kết nối (mã ${code}), mở lại sau ${retryDelayText(delayMs)}`);
    this.options.log.warn(
      { code, reason, upForMs, retryInMs: delayMs, silenced: socket.terminated },
      'zalo: connection closed; reopening the socket on the same session',
    );
    const { connection } = socket;
    this.sleep(delayMs)
      .then(() => {
        if (!this.stopped && this.connection === connection) this.open(connection, 'đang mở lại kết nối');
      })
      .catch((error: unknown) => this.options.log.error({ err: error }, 'zalo: reopening the socket failed'));
  }

  // -- giving up --------------------------------------------------------------------------------

  private openedElsewhere(code: number, reason: string): void {
    if (this.stopped) return;
    this.options.log.fatal(
      { code, reason },
      'zalo: the account was opened elsewhere (Zalo Web or PC); the bot stops using it. Close the other session, then restart the bot.',
    );
    this.giveUp({ reason: 'opened-elsewhere', code, at: new Date(this.now()) }, `tài khoản đang được mở ở nơi khác (Zalo Web hoặc máy tính), mã ${code}`);
  }

  /** Stops for good: nothing is sent or received through the session any more; reported once. */
  private giveUp(stop: ZaloStop, detail: string): void {
    this.halt();
    this.tracker.set('stopped', detail);
    this.socket = undefined;
    if (this.connection) this.retire(this.connection.listener);
    Promise.resolve()
      .then(() => this.options.onStopped(stop))
      .catch((error: unknown) => this.options.log.error({ err: error }, 'zalo: could not report the stop'));
  }

  private halt(): void {
    this.stopped = true;
    this.cancelTick?.();
    this.cancelTick = undefined;
  }

  /**
   * A listener the bot no longer uses: its handlers go (no message of an old session is handled),
   * but an 'error' sink stays for good. zca-js emits 'error' from code that may run after the close
   * (its async frame handler's catch); an EventEmitter with no 'error' listener throws it, which in
   * that async handler becomes an unhandled rejection and would end the process.
   */
  private retire(listener: ListenerLike): void {
    listener.removeAllListeners();
    listener.on('error', (error) => this.options.log.warn({ err: error }, 'zalo: error from a listener no longer in use'));
  }

  // -- watchdog and keep-alive ------------------------------------------------------------------

  private watchdog(): void {
    const socket = this.socket;
    if (!socket || socket.terminated) return;
    const ws = socket.connection.listener.ws;
    if (!ws || typeof ws.terminate !== 'function') return;
    const limitMs = silenceLimitMs(socket.connection.getContext?.().settings?.features?.socket?.ping_interval);
    const silentForMs = this.now() - socket.lastHeardAt;
    if (silentForMs <= limitMs) return;
    this.options.log.warn({ silentForMs, limitMs }, 'zalo: nothing received on the socket for too long (half-open?); reopening it');
    socket.terminated = true;
    // terminate(), not listener.stop(): stop() resets the listener before the old socket's close
    // arrives, and that late close would then reset the new socket. terminate() ends in an
    // ordinary 1006 close, which reopens the socket on the same session.
    ws.terminate();
  }

  private keepWarm(): void {
    const connection = this.connection;
    if (!connection?.keepAlive) return;
    const everyMs = keepAliveEveryMs(connection.getContext?.().settings?.keepalive?.keepalive_duration);
    if (this.now() - this.lastKeepAliveAt < everyMs) return;
    this.lastKeepAliveAt = this.now();
    connection.keepAlive().then(
      () => this.options.log.debug('zalo: session kept warm'),
      (error: unknown) => this.options.log.warn({ err: error }, 'zalo: keepAlive failed'),
    );
  }

  private sleep(ms: number): Promise<void> {
    // Not unref'd: waiting to reconnect is what keeps a Zalo-only bot alive.
    return this.options.sleep ? this.options.sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));
  }
}
