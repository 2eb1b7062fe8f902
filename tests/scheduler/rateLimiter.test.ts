import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../scheduler/rateLimiter.js';

/** A virtual clock: sleeping moves it on; `stall` makes time pass without anyone running (a GC, a long tick). */
function virtualTime() {
  let now = 0;
  const waiters: Array<{ at: number; resolve: () => void }> = [];
  return {
    now: () => now,
    sleep: (ms: number) => new Promise<void>((resolve) => waiters.push({ at: now + ms, resolve })),
    /** Runs the waiters in time order until none is left. */
    async run() {
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        waiters.sort((a, b) => a.at - b.at);
        const next = waiters.shift();
        if (!next) return;
        now = Math.max(now, next.at);
        next.resolve();
      }
    },
    stall(ms: number) {
      now += ms;
    },
  };
}

/** Most starts within any 1,000 ms window. */
function peakPerSecond(starts: number[]): number {
  return Math.max(...starts.map((t) => starts.filter((s) => s >= t && s < t + 1000).length));
}

describe('the reminder rate limiter', () => {
  it('spaces starts evenly for the overall rate and caps each chat per minute', async () => {
    const time = virtualTime();
    const limiter = new RateLimiter({ perSecond: 10, perChatPerMinute: 3, concurrency: 4 }, time);
    const starts: Array<[string, number]> = [];
    const sends = ['a', 'b', 'c', 'a', 'a', 'a', 'b'].map(async (chat) => {
      await limiter.acquire(chat);
      starts.push([chat, time.now()]);
    });
    await Promise.all([time.run(), ...sends]);
    const times = starts.map(([, t]) => t).sort((x, y) => x - y);
    expect(peakPerSecond(times)).toBeLessThanOrEqual(10);
    const a = starts
      .filter(([c]) => c === 'a')
      .map(([, t]) => t)
      .sort((x, y) => x - y);
    // The fourth message to chat a waits until a minute after its first.
    expect(a[3]! - a[0]!).toBeGreaterThanOrEqual(60_000);
  });

  it('after a stall the turns reserved meanwhile do not go out in a burst, and nothing starts during a pause', async () => {
    const time = virtualTime();
    const limiter = new RateLimiter({ perSecond: 28, perChatPerMinute: 19, concurrency: 8 }, time);
    const starts: number[] = [];
    let n = 0;
    const worker = async () => {
      for (let i = 0; i < 20; i++) {
        await limiter.acquire(`chat-${n++}`);
        starts.push(time.now());
        if (starts.length === 40) time.stall(1_500); // the process froze for 1.5 s
        if (starts.length === 80) limiter.pause(2_000); // the platform said 429, retry after 2 s
      }
    };
    await Promise.all([time.run(), ...Array.from({ length: 8 }, worker)]);
    expect(starts).toHaveLength(160);
    expect(peakPerSecond(starts)).toBeLessThanOrEqual(28);
    const pausedAt = starts[79]!;
    expect(starts.filter((t) => t > pausedAt && t < pausedAt + 2_000)).toEqual([]);
  });
});
