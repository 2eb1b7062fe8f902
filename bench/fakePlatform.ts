import { type ChatRef, type Deliver, plainText, RateLimitedError, type Reply, type SentMessage } from '../core/chat.js';
import type { LimiterTime } from '../scheduler/rateLimiter.js';
import { seededRandom } from './seededRandom.js';

/**
 * A Telegram-like platform at the adapter boundary (a `Deliver`), strict about its limits: at most
 * `perSecond` messages in any second overall and `perChatPerMinute` in any minute per chat, judged
 * when the request reaches it. A violation is refused the way the Telegram adapter reports a 429
 * that survived its retries: nothing is delivered and RateLimitedError carries retry_after, the
 * time until the window frees rounded up to whole seconds as Telegram does. Windows, latency and
 * retry_after are all in the injected (scaled) time. Every delivery and every refusal is kept, so
 * duplicates and losses can be counted afterwards.
 */

export interface FakePlatformOptions {
  time: LimiterTime;
  perSecond?: number;
  perChatPerMinute?: number;
  /** Round trip of one call, uniformly drawn in [min, max] ms; half before the platform sees it. */
  latencyMs?: { min: number; max: number };
  /** Seed of the latency draws, so two runs see the same network. */
  seed?: number;
}

export interface Delivered {
  messageId: string;
  at: number;
  text: string;
}

export interface TooFast {
  chatId: string;
  at: number;
  scope: 'overall' | 'chat';
  retryAfterMs: number;
}

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;

/** Requests reach the platform nearly, not exactly, in the order of their instants (latencies differ). */
const REORDER_MS = 1000;

/**
 * Whether one more request at `at` would put more than `limit` into some window of `windowMs`
 * (any window containing `at`, including ones ending at a request that arrived earlier but
 * carries a later instant); if so, in how many ms the fullest such window frees.
 */
function overflow(sorted: readonly number[], from: number, at: number, windowMs: number, limit: number): number | undefined {
  const ends = [at];
  for (let i = sorted.length - 1; i >= from && sorted[i]! > at; i--) if (sorted[i]! < at + windowMs) ends.push(sorted[i]!);
  for (const end of ends) {
    let count = 1;
    let oldest = at;
    for (let i = sorted.length - 1; i >= from; i--) {
      const t = sorted[i]!;
      if (t <= end - windowMs) break;
      if (t > end) continue;
      count++;
      oldest = Math.min(oldest, t);
    }
    if (count > limit) return oldest + windowMs - at;
  }
  return undefined;
}

function insertSorted(sorted: number[], value: number): void {
  let i = sorted.length;
  while (i > 0 && sorted[i - 1]! > value) i--;
  sorted.splice(i, 0, value);
}

/** Seconds Telegram would put in retry_after for a window that frees in `ms`. */
function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / SECOND_MS));
}

export class FakePlatform {
  /** Every message delivered, by chat id. */
  readonly delivered = new Map<string, Delivered[]>();
  /** Every refusal (429), in order. */
  readonly tooFast: TooFast[] = [];
  private readonly perSecond: number;
  private readonly perChatPerMinute: number;
  private readonly latency: { min: number; max: number };
  private readonly random: () => number;
  /** Accepted instants over all chats; entries before `head` are older than the window. */
  private readonly overall: number[] = [];
  private head = 0;
  private readonly perChat = new Map<string, number[]>();
  private nextMessageId = 1;
  private inFlight = 0;
  /** The most calls waiting on the platform at once, for the report. */
  maxInFlight = 0;

  constructor(private readonly options: FakePlatformOptions) {
    this.perSecond = options.perSecond ?? 30;
    this.perChatPerMinute = options.perChatPerMinute ?? 20;
    this.latency = options.latencyMs ?? { min: 30, max: 80 };
    this.random = seededRandom(options.seed ?? 1);
  }

  readonly deliver: Deliver = async (chat: ChatRef, reply: Reply): Promise<SentMessage> => {
    const { time } = this.options;
    const roundTrip = this.latency.min + this.random() * (this.latency.max - this.latency.min);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // The request reaches the platform half a round trip after it was sent, whenever this
      // process's timers get to run: the network is another machine, and a stall here (GC, the
      // CPU lent to another process) must not bunch requests that left evenly spaced.
      const at = time.now() + roundTrip / 2;
      await time.sleep(roundTrip / 2);
      const refusal = this.admit(chat.id, at);
      if (refusal) {
        this.tooFast.push(refusal);
        await time.sleep(roundTrip / 2);
        throw new RateLimitedError(refusal.retryAfterMs);
      }
      const messageId = String(this.nextMessageId++);
      const list = this.delivered.get(chat.id) ?? [];
      list.push({ messageId, at, text: plainText(reply.text) });
      this.delivered.set(chat.id, list);
      await time.sleep(roundTrip / 2);
      return { messageId };
    } finally {
      this.inFlight--;
    }
  };

  /** Records the message in both windows, or says why it is refused. */
  private admit(chatId: string, at: number): TooFast | undefined {
    while (this.head < this.overall.length && this.overall[this.head]! <= at - SECOND_MS - REORDER_MS) this.head++;
    // Keep the array from growing without bound over a long run.
    if (this.head > 4096) {
      this.overall.splice(0, this.head);
      this.head = 0;
    }
    const overall = overflow(this.overall, this.head, at, SECOND_MS, this.perSecond);
    if (overall !== undefined) return { chatId, at, scope: 'overall', retryAfterMs: retryAfterSeconds(overall) * SECOND_MS };
    const times = this.perChat.get(chatId) ?? [];
    while (times.length > 0 && times[0]! <= at - MINUTE_MS - REORDER_MS) times.shift();
    const chat = overflow(times, 0, at, MINUTE_MS, this.perChatPerMinute);
    if (chat !== undefined) return { chatId, at, scope: 'chat', retryAfterMs: retryAfterSeconds(chat) * SECOND_MS };
    insertSorted(times, at);
    this.perChat.set(chatId, times);
    insertSorted(this.overall, at);
    return undefined;
  }

  /** Messages delivered in all. */
  get deliveredCount(): number {
    let n = 0;
    for (const list of this.delivered.values()) n += list.length;
    return n;
  }

  /** Messages beyond the first in each chat (a reminder is one message per group). */
  get duplicates(): number {
    let n = 0;
    for (const list of this.delivered.values()) n += Math.max(0, list.length - 1);
    return n;
  }

  /** Chats among `expected` that received nothing. */
  lost(expected: Iterable<string>): string[] {
    return [...expected].filter((id) => !this.delivered.has(id));
  }

  /** The most deliveries accepted in any window of `windowMs` (the peak rate the platform saw). */
  peakIn(windowMs: number): number {
    const all = [...this.delivered.values()].flatMap((list) => list.map((d) => d.at)).sort((a, b) => a - b);
    let peak = 0;
    let lo = 0;
    for (let hi = 0; hi < all.length; hi++) {
      while (all[lo]! <= all[hi]! - windowMs) lo++;
      peak = Math.max(peak, hi - lo + 1);
    }
    return peak;
  }
}
