import { EventEmitter } from 'node:events';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { backoffFor, type ConnectionLike, decideOnClose, type ListenerLike, ZaloSupervisor } from '../../../bot/zalo/supervisor.js';

/** A stand-in for zca-js's API whose listener is an EventEmitter, as the library's is. */
class FakeListener extends EventEmitter implements ListenerLike {
  started: Array<{ retryOnClose?: boolean } | undefined> = [];
  stopped = 0;
  start(options?: { retryOnClose?: boolean }): void {
    this.started.push(options);
  }
  stop(): void {
    this.stopped++;
  }
}

interface FakeConnection extends ConnectionLike {
  listener: FakeListener;
  n: number;
}

function setup(loginResults: Array<'ok' | Error> = []) {
  const logs: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const waits: number[] = [];
  const connected: Array<[number, boolean]> = [];
  const stops: Array<[string, number]> = [];
  const connections: FakeConnection[] = [];
  let logins = 0;
  const supervisor = new ZaloSupervisor<FakeConnection>({
    login: async () => {
      logins++;
      const next = loginResults.shift() ?? 'ok';
      if (next instanceof Error) throw next;
      const connection = { listener: new FakeListener(), n: connections.length + 1 };
      connections.push(connection);
      return connection;
    },
    onConnected: (c, reconnect) => void connected.push([c.n, reconnect]),
    onStopped: (reason, code) => void stops.push([reason, code]),
    log,
    sleep: async (ms) => void waits.push(ms),
  });
  return { supervisor, logs, waits, connected, stops, connections, logins: () => logins };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the Zalo supervisor', () => {
  it('logs in, listens without the library’s own retries, and reports the connection', async () => {
    const t = setup();
    await t.supervisor.start();
    expect(t.connected).toEqual([[1, false]]);
    expect(t.connections[0]!.listener.started).toEqual([{ retryOnClose: false }]);
  });

  it('after an abnormal close (1006) logs in again from the saved cookies, waiting longer each time', async () => {
    const t = setup();
    await t.supervisor.start();
    t.connections[0]!.listener.emit('closed', 1006, 'abnormal');
    await settle();
    expect(t.waits).toEqual([2_000]);
    expect(t.connected).toEqual([[1, false], [2, true]]);
    t.connections[1]!.listener.emit('closed', 1006, 'abnormal');
    await settle();
    expect(t.waits).toEqual([2_000, 5_000]);
    // Once connected again, the back-off starts over.
    t.connections[2]!.listener.emit('connected');
    t.connections[2]!.listener.emit('closed', 1006, 'abnormal');
    await settle();
    expect(t.waits).toEqual([2_000, 5_000, 2_000]);
    expect(t.connected.at(-1)).toEqual([4, true]);
  });

  it.each([3000, 3003])('on %i (the account opened elsewhere) stops fighting, says so loudly, and reports it', async (code) => {
    const t = setup();
    await t.supervisor.start();
    t.connections[0]!.listener.emit('closed', code, 'opened elsewhere');
    await settle();
    expect(t.stops).toEqual([['opened-elsewhere', code]]);
    expect(t.logins()).toBe(1);
    expect(t.waits).toEqual([]);
    const fatal = t.logs.find((l) => l.level === 60)!;
    expect(fatal.msg).toContain('opened elsewhere');
  });

  it('a listener error never crashes: it is logged and the connection stays', async () => {
    const t = setup();
    await t.supervisor.start();
    expect(() => t.connections[0]!.listener.emit('error', new Error('bad frame'))).not.toThrow();
    expect(t.logs.some((l) => l.level === 50 && l.msg === 'zalo: listener error')).toBe(true);
    expect(t.logins()).toBe(1);
  });

  it('a failed login is retried with back-off until it works', async () => {
    const t = setup([new Error('network down'), new Error('network down'), 'ok']);
    await t.supervisor.start();
    expect(t.waits).toEqual([2_000, 5_000]);
    expect(t.connected).toEqual([[1, false]]);
  });

  it('after stop() a close does not log in again', async () => {
    const t = setup();
    await t.supervisor.start();
    t.supervisor.stop();
    expect(t.connections[0]!.listener.stopped).toBe(1);
    t.connections[0]!.listener.emit('closed', 1000, 'manual');
    await settle();
    expect(t.logins()).toBe(1);
  });

  it('decides by close code, with a back-off that grows to a ceiling', () => {
    expect(decideOnClose(3000, 0)).toEqual({ action: 'stop', reason: 'opened-elsewhere' });
    expect(decideOnClose(1006, 0)).toEqual({ action: 'reconnect', delayMs: 2_000 });
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(backoffFor)).toEqual([2_000, 5_000, 15_000, 60_000, 300_000, 900_000, 900_000, 900_000]);
  });
});
