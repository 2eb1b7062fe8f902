import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type RateLimit, ZaloOaApiError } from '../../../bot/zalo-oa/api.js';
import { OaSendQueue } from '../../../bot/zalo-oa/sendQueue.js';

/** A queue on a clock that only moves when the queue sleeps: every wait is recorded, none is real. */
function queue(options: { perMinute?: number; reserve?: number; rate?: () => RateLimit | undefined; start?: number } = {}) {
  let now = options.start ?? Date.parse('2026-03-10T02:00:10Z');
  const waits: number[] = [];
  const q = new OaSendQueue({
    perMinute: options.perMinute,
    reserve: options.reserve,
    rateLimit: options.rate ?? (() => undefined),
    log: pino({ level: 'silent' }),
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  });
  return { q, waits, now: () => now };
}

describe('the OA’s paced queue', () => {
  it('runs calls one at a time, in order, each result to its caller', async () => {
    const { q } = queue();
    const order: string[] = [];
    let inFlight = 0;
    const call = (name: string) => async () => {
      inFlight++;
      expect(inFlight).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1));
      order.push(name);
      inFlight--;
      return name;
    };
    const results = await Promise.all(['a', 'b', 'c'].map((n) => q.run(call(n))));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('keeps to its own limit per minute: the call past it waits until the oldest is a minute old', async () => {
    const { q, waits } = queue({ perMinute: 3 });
    for (let i = 0; i < 4; i++) await q.run(async () => i);
    expect(waits).toEqual([60_000]);
  });

  it('waits for the next minute when Zalo reports few calls left, then goes on', async () => {
    let remain = 100;
    const { q, waits } = queue({ reserve: 5, rate: () => ({ limit: 100, remain }), start: Date.parse('2026-03-10T02:00:10Z') });
    await q.run(async () => 'first');
    remain = 4;
    await q.run(async () => 'second');
    // 50 s to the next minute, and a second's margin.
    expect(waits).toEqual([51_000]);
  });

  it('-32 waits as long as the error says and tries again; a refusal of another kind is not retried', async () => {
    const { q, waits } = queue();
    let calls = 0;
    const result = await q.run(async () => {
      calls++;
      if (calls < 3) throw new ZaloOaApiError(-32, 'Your application reached limit call api', '/v3.0/oa/group/message', 'rate', 20_000);
      return 'sent';
    });
    expect(result).toBe('sent');
    expect(waits).toEqual([20_000, 20_000]);

    let refused = 0;
    await expect(
      q.run(async () => {
        refused++;
        throw new ZaloOaApiError(-237, 'The group is disabled', '/v3.0/oa/group/message');
      }),
    ).rejects.toMatchObject({ code: -237 });
    expect(refused).toBe(1);
  });

  it('gives the rate error to the caller after three tries, and the next call still runs', async () => {
    const { q } = queue();
    let calls = 0;
    await expect(
      q.run(async () => {
        calls++;
        throw new ZaloOaApiError(-32, 'limit', '/v3.0/oa/group/message', 'rate', 1000);
      }),
    ).rejects.toMatchObject({ kind: 'rate' });
    expect(calls).toBe(3);
    expect(await q.run(async () => 'next')).toBe('next');
    expect(q.length).toBe(0);
  });
});
