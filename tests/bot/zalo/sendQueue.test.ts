import { afterEach, describe, expect, it, vi } from 'vitest';
import { ZaloApiError } from 'zca-js';
import { silentLogger } from '../../../bot/logger.js';
import { isRecipientRefusedError, isRetryableZaloError, SendQueue } from '../../../bot/zalo/sendQueue.js';

/** A clock that only moves when the queue sleeps or a job says it took time. */
function fakeTime() {
  const state = { t: 0, waits: [] as number[] };
  return {
    state,
    now: () => state.t,
    sleep: async (ms: number) => {
      state.waits.push(ms);
      state.t += ms;
    },
  };
}

function makeQueue(overrides: Partial<{ minGapMs: number; backoffMs: number[]; fileTimeoutMs: number; textTimeoutMs: number }> = {}) {
  const time = fakeTime();
  const queue = new SendQueue({
    minGapMs: 1000,
    backoffMs: [5000, 15000, 60000],
    fileTimeoutMs: 120_000,
    sleep: time.sleep,
    now: time.now,
    log: silentLogger,
    ...overrides,
  });
  return { queue, time };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

afterEach(() => {
  vi.useRealTimers();
});

describe('SendQueue', () => {
  it('runs concurrent submissions one at a time, in submission order', async () => {
    const { queue } = makeQueue({ minGapMs: 0 });
    const events: string[] = [];
    const gate = deferred<void>();
    const job = (name: string, before?: Promise<void>) => async () => {
      events.push(`start ${name}`);
      if (before) await before;
      await flush();
      events.push(`end ${name}`);
      return name;
    };
    const results = [queue.run(job('a', gate.promise), 'text'), queue.run(job('b'), 'file'), queue.run(job('c'), 'text')];
    await flush();
    await flush();
    expect(events).toEqual(['start a']);
    gate.resolve();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('keeps at least minGapMs between the starts of consecutive sends', async () => {
    const { queue, time } = makeQueue({ minGapMs: 1000 });
    const starts: number[] = [];
    const job = (tookMs: number) => async () => {
      starts.push(time.state.t);
      time.state.t += tookMs;
    };
    await Promise.all([queue.run(job(300), 'text'), queue.run(job(1500), 'text'), queue.run(job(0), 'text'), queue.run(job(0), 'text')]);
    // 1st took 300ms → wait 700; 2nd took 1500ms → no wait; 3rd instant → full gap.
    expect(time.state.waits).toEqual([700, 1000]);
    expect(starts).toEqual([0, 1000, 2500, 3500]);
  });

  it('backs off and retries the same job after a 221', async () => {
    const { queue, time } = makeQueue();
    let calls = 0;
    const result = await queue.run(async () => {
      calls++;
      if (calls === 1) throw new ZaloApiError('Bạn đã gửi quá nhanh', 221);
      return 'sent';
    }, 'text');
    expect(result).toBe('sent');
    expect(calls).toBe(2);
    expect(time.state.waits).toEqual([5000]);
  });

  it('gives up after the back-off is exhausted on 221, rejects with that error, and goes on', async () => {
    const { queue, time } = makeQueue({ backoffMs: [5000, 15000] });
    let calls = 0;
    const blocked = new ZaloApiError('Gửi quá nhanh', 221);
    const failing = queue.run(async () => {
      calls++;
      throw blocked;
    }, 'text');
    const next = queue.run(async () => 'next', 'text');
    await expect(failing).rejects.toBe(blocked);
    expect(calls).toBe(3);
    expect(await next).toBe('next');
    // Two back-offs, then one pacing gap before the next job.
    expect(time.state.waits).toEqual([5000, 15000, 1000]);
  });

  it('123 (the recipient does not accept the account’s messages) is not “slow down”: rejected at once, no back-off', async () => {
    const { queue, time } = makeQueue();
    let calls = 0;
    const refused = new ZaloApiError('Không thể nhận tin nhắn từ bạn.', 123);
    await expect(
      queue.run(async () => {
        calls++;
        throw refused;
      }, 'text'),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
    expect(time.state.waits).toEqual([]);
    expect(isRetryableZaloError(refused)).toBe(false);
    expect(isRecipientRefusedError(refused)).toBe(true);
    expect(isRecipientRefusedError(new ZaloApiError('Gửi quá nhanh', 221))).toBe(false);
  });

  it('rejects other errors at once without retrying', async () => {
    const { queue, time } = makeQueue();
    let calls = 0;
    const other = new ZaloApiError('Không có quyền', 114);
    await expect(
      queue.run(async () => {
        calls++;
        throw other;
      }, 'text'),
    ).rejects.toBe(other);
    expect(calls).toBe(1);
    let plainCalls = 0;
    await expect(
      queue.run(async () => {
        plainCalls++;
        throw new Error('socket closed');
      }, 'file'),
    ).rejects.toThrow('socket closed');
    expect(plainCalls).toBe(1);
    // Only the pacing gap between the two sends: no back-off.
    expect(time.state.waits).toEqual([1000]);
  });

  it('times out a file send that never settles and runs the next job', async () => {
    vi.useFakeTimers();
    const { queue } = makeQueue({ fileTimeoutMs: 30_000 });
    const hung = queue.run(() => new Promise<never>(() => {}), 'file');
    const hungOutcome = hung.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    let nextRan = false;
    const next = queue.run(async () => {
      nextRan = true;
      return 'ok';
    }, 'text');
    await vi.advanceTimersByTimeAsync(29_999);
    expect(nextRan).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await hungOutcome).toBe('zalo file send timed out after 30000ms');
    expect(await next).toBe('ok');
    expect(nextRan).toBe(true);
  });

  it('a text send that never settles times out too (it may still arrive: DeliveryUncertainError), the next job runs, and its late failure is dropped', async () => {
    vi.useFakeTimers();
    const { queue } = makeQueue({ textTimeoutMs: 30_000 });
    let fail!: (error: Error) => void;
    const hung = queue.run(() => new Promise<never>((_resolve, reject) => (fail = reject)), 'text');
    const hungOutcome = hung.then(
      () => 'resolved',
      (error: Error) => [error.name, error.message],
    );
    const next = queue.run(async () => 'ok', 'text');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await hungOutcome).toEqual(['DeliveryUncertainError', 'zalo text send timed out after 30000ms']);
    expect(await next).toBe('ok');
    // The hung call fails much later: it lands on a settled promise, no unhandled rejection.
    fail(new Error('socket hang up'));
    await vi.advanceTimersByTimeAsync(1);
  });

  it('does not time out sends that finish in time', async () => {
    vi.useFakeTimers();
    const { queue } = makeQueue({ fileTimeoutMs: 1000 });
    const slowText = queue.run(() => new Promise<string>((r) => setTimeout(() => r('text'), 5000)), 'text');
    const quickFile = queue.run(() => new Promise<string>((r) => setTimeout(() => r('file'), 500)), 'file');
    await vi.advanceTimersByTimeAsync(5000);
    expect(await slowText).toBe('text');
    await vi.advanceTimersByTimeAsync(500);
    expect(await quickFile).toBe('file');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps throughput when some jobs fail', async () => {
    const { queue, time } = makeQueue({ minGapMs: 200 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        queue.run(async () => {
          if (i % 2 === 0) throw new ZaloApiError('Không có quyền', 114);
          return i;
        }, 'text'),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<number>).value)).toEqual([1, 3, 5]);
    // A failed job costs one pacing gap like any other send, nothing more.
    expect(time.state.waits).toEqual([200, 200, 200, 200, 200]);
  });
});
