import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  type ConnectionLike,
  isOpenedElsewhereFrame,
  keepAliveEveryMs,
  type ListenerLike,
  LOGIN_BUDGET,
  type RawSocketLike,
  silenceLimitMs,
  ZaloLoginRefusedError,
  type ZaloStop,
  ZaloSupervisor,
  ZaloUnreachableError,
} from '../../../bot/zalo/supervisor.js';

/**
 * The supervisor's policy, against a stand-in for zca-js's API whose listener is an EventEmitter as
 * the library's is (the same policy through the real zca-js: fakeZaloConnection.test.ts).
 */

class FakeSocket extends EventEmitter implements RawSocketLike {
  terminated = 0;
  terminate(): void {
    this.terminated++;
  }
}

class FakeListener extends EventEmitter implements ListenerLike {
  started: Array<{ retryOnClose?: boolean } | undefined> = [];
  stopped = 0;
  ws: FakeSocket | null = null;
  start(options?: { retryOnClose?: boolean }): void {
    this.started.push(options);
    this.ws = new FakeSocket();
  }
  stop(): void {
    this.stopped++;
  }
  /** zca-js: the socket opened, then Zalo's cipher key came. */
  up(): void {
    this.emit('connected');
    this.emit('cipher_key', 'key');
  }
  /** zca-js: the socket closed (reset, then "closed"). */
  close(code: number): void {
    this.ws = null;
    this.emit('closed', code, '');
  }
}

interface FakeConnection extends ConnectionLike {
  listener: FakeListener;
  n: number;
  keepAlives: number;
}

function setup(loginResults: Array<'ok' | Error | Promise<'ok'>> = []) {
  const logs: Array<{ level: number; msg: string; [key: string]: unknown }> = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const waits: number[] = [];
  const connected: Array<[number, boolean]> = [];
  const stops: ZaloStop[] = [];
  const connections: FakeConnection[] = [];
  const ticks: Array<() => void> = [];
  const clock = { now: 1_000_000 };
  let logins = 0;
  const supervisor = new ZaloSupervisor<FakeConnection>({
    login: async () => {
      logins++;
      const next = await (loginResults.shift() ?? 'ok');
      if (next instanceof Error) throw next;
      const connection: FakeConnection = {
        listener: new FakeListener(),
        n: connections.length + 1,
        keepAlives: 0,
        getContext: () => ({ settings: { features: { socket: { ping_interval: 20_000 } }, keepalive: { keepalive_duration: 600 } } }),
        keepAlive: async () => {
          connection.keepAlives++;
          if (connection.keepAlives === 2) throw new Error('keepalive refused');
          return { config_vesion: 1 };
        },
      };
      connections.push(connection);
      return connection;
    },
    onConnected: (c, reconnect) => void connected.push([c.n, reconnect]),
    onStopped: (stop) => void stops.push(stop),
    log,
    sleep: async (ms) => {
      waits.push(ms);
      clock.now += ms;
    },
    now: () => clock.now,
    every: (_ms, fn) => {
      ticks.push(fn);
      return () => ticks.splice(ticks.indexOf(fn), 1);
    },
  });
  const last = () => connections.at(-1)!;
  return { supervisor, logs, waits, connected, stops, connections, last, ticks, clock, logins: () => logins };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the Zalo supervisor', () => {
  it('logs in, listens without the library’s own retries, and is connected once the socket opens', async () => {
    const t = setup();
    await t.supervisor.start();
    expect(t.connected).toEqual([[1, false]]);
    expect(t.last().listener.started).toEqual([{ retryOnClose: false }]);
    expect(t.supervisor.status()).toMatchObject({ state: 'connecting', detail: 'đã đăng nhập, đang mở kết nối' });
    t.last().listener.up();
    expect(t.supervisor.status()).toMatchObject({ state: 'connected' });
  });

  it('a socket that came up and closed is started again on the same listener: no login', async () => {
    const t = setup();
    await t.supervisor.start();
    const { listener } = t.last();
    listener.up();
    t.clock.now += 60_000;
    listener.close(1006);
    await settle();
    expect(t.waits).toEqual([2_000]);
    expect(t.logins()).toBe(1);
    expect(listener.started).toHaveLength(2);
    expect(t.connected).toEqual([[1, false]]);
    expect(t.supervisor.status()).toMatchObject({ state: 'connecting', detail: 'đang mở lại kết nối' });
  });

  it('a socket that closed before its cipher key came means a new login, on the login ladder', async () => {
    const t = setup();
    await t.supervisor.start();
    t.last().listener.emit('connected');
    t.last().listener.close(1006);
    await settle();
    expect(t.waits).toEqual([5_000]);
    expect(t.connected).toEqual([
      [1, false],
      [2, true],
    ]);
    // The old listener is let go of: its handlers are gone, an error sink stays.
    expect(t.connections[0]!.listener.listenerCount('closed')).toBe(0);
    expect(() => t.connections[0]!.listener.emit('error', new Error('late'))).not.toThrow();
    t.last().listener.close(1006);
    await settle();
    expect(t.waits).toEqual([5_000, 60_000]);
  });

  it.each([3000, 3003])('on %i (the account opened elsewhere) stops fighting, says so loudly, and reports it once', async (code) => {
    const t = setup();
    await t.supervisor.start();
    t.last().listener.up();
    t.last().listener.close(code);
    await settle();
    expect(t.stops).toEqual([{ reason: 'opened-elsewhere', code, at: new Date(t.clock.now) }]);
    expect(t.logins()).toBe(1);
    expect(t.waits).toEqual([]);
    expect(t.supervisor.current).toBeUndefined();
    expect(t.logs.find((l) => l.level === 60)!.msg).toContain('opened elsewhere');
    expect(t.ticks).toEqual([]);
  });

  it('the cmd-3000 frame on the raw socket stops everything at once, whatever close follows', async () => {
    const t = setup();
    await t.supervisor.start();
    const { listener } = t.last();
    listener.up();
    const frame = Buffer.from([1, 0xb8, 0x0b, 0, 0x7b, 0x7d]); // version 1, cmd 3000 (LE), subCmd 0, "{}"
    expect(isOpenedElsewhereFrame(frame)).toBe(true);
    listener.ws!.emit('message', frame);
    expect(t.supervisor.current).toBeUndefined();
    listener.close(1006);
    await settle();
    expect(t.stops).toMatchObject([{ reason: 'opened-elsewhere', code: 3000 }]);
    expect(t.logins()).toBe(1);
    expect(t.waits).toEqual([]);
  });

  it('reads only zca-js’s own cmd-3000 frame as "opened elsewhere"', () => {
    expect(isOpenedElsewhereFrame(Buffer.from([1, 0xb8, 0x0b, 1]))).toBe(false);
    expect(isOpenedElsewhereFrame(Buffer.from([2, 0xb8, 0x0b, 0]))).toBe(false);
    expect(isOpenedElsewhereFrame(Buffer.from([1, 0x09, 0x02, 0]))).toBe(false);
    expect(isOpenedElsewhereFrame(Buffer.from([1, 0xb8]))).toBe(false);
    expect(isOpenedElsewhereFrame('3000')).toBe(false);
  });

  it('a refused login stops at once and is reported; a login that never reached Zalo is tried again and not counted', async () => {
    const unreached = Array.from({ length: 10 }, () => new ZaloUnreachableError('Zalo could not be reached'));
    const t = setup([...unreached, new ZaloLoginRefusedError('Zalo refused the saved login')]);
    await t.supervisor.start();
    // Ten logins Zalo never saw: not held against the budget of six.
    expect(t.logins()).toBe(11);
    expect(t.waits).toEqual([5_000, 60_000, 300_000, 900_000, 900_000, 900_000, 900_000, 900_000, 900_000, 900_000]);
    expect(t.stops).toEqual([{ reason: 'login-refused', at: new Date(t.clock.now) }]);
    expect(t.supervisor.status()).toMatchObject({ state: 'stopped', detail: expect.stringContaining('npm run zalo -- login') });
  });

  it(`the budget: the login after ${LOGIN_BUDGET} within an hour is not tried`, async () => {
    const refused = Array.from({ length: 10 }, () => new Error('HTTP 502'));
    const t = setup(refused);
    await t.supervisor.start();
    expect(t.logins()).toBe(LOGIN_BUDGET);
    expect(t.stops).toMatchObject([{ reason: 'login-budget', logins: LOGIN_BUDGET }]);
  });

  it('stop() while a login is on its way: the session it brings is never listened to', async () => {
    let answer!: (value: 'ok') => void;
    const t = setup([new Promise<'ok'>((resolve) => (answer = resolve))]);
    const started = t.supervisor.start();
    await settle();
    t.supervisor.stop();
    answer('ok');
    await started;
    expect(t.last().listener.started).toEqual([]);
    expect(t.connected).toEqual([]);
    expect(t.supervisor.status()).toMatchObject({ state: 'stopped', detail: 'đã tắt' });
  });

  it('after stop() a close does nothing, and a listener error stays harmless', async () => {
    const t = setup();
    await t.supervisor.start();
    t.last().listener.up();
    t.supervisor.stop();
    expect(t.last().listener.stopped).toBe(1);
    t.last().listener.close(1000);
    expect(() => t.last().listener.emit('error', new Error('late'))).not.toThrow();
    await settle();
    expect(t.logins()).toBe(1);
    expect(t.stops).toEqual([]);
  });

  it('the watchdog ends a socket silent past its limit (terminate → 1006 → reopened); the keep-alive runs every 10 min, a failure only logged', async () => {
    const t = setup();
    await t.supervisor.start();
    const { listener } = t.last();
    listener.up();
    const socket = listener.ws!;
    t.clock.now += 90_000;
    t.ticks[0]!();
    expect(socket.terminated).toBe(0);
    t.clock.now += 1;
    t.ticks[0]!();
    expect(socket.terminated).toBe(1);
    t.ticks[0]!();
    expect(socket.terminated).toBe(1);
    listener.close(1006);
    await settle();
    expect(listener.started).toHaveLength(2);

    t.clock.now += 10 * 60_000;
    t.ticks[0]!();
    t.clock.now += 10 * 60_000;
    t.ticks[0]!();
    await settle();
    expect(t.last().keepAlives).toBe(2);
    expect(t.logs.filter((l) => l.msg === 'zalo: keepAlive failed')).toHaveLength(1);
  });

  it('limits from the session’s settings, within bounds', () => {
    expect([undefined, 0, 10_000, 30_000, 60_000, 600_000].map(silenceLimitMs)).toEqual([180_000, 180_000, 90_000, 90_000, 180_000, 600_000]);
    expect([undefined, -1, 60, 600, 1_200, 86_400].map(keepAliveEveryMs)).toEqual([600_000, 600_000, 300_000, 600_000, 1_200_000, 3_600_000]);
  });
});
