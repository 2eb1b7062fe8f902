import type { SendRate } from '../core/chat.js';

/**
 * Keeps reminder fan-outs inside a platform's limits so it never has to say 429: sends are spaced
 * evenly for the overall rate (Telegram: about 30 a second) and counted per chat over a sliding
 * minute (Telegram: 20 a minute in a group). Concurrent senders reserve their turn, so several
 * can wait on the network at once while the starts stay evenly spaced. Time is injected, so the
 * benchmark can run a 5,000-group fan-out in scaled time.
 */

export interface LimiterTime {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTime: LimiterTime = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const MINUTE_MS = 60_000;

export class RateLimiter {
  private readonly intervalMs: number;
  private nextStart = 0;
  private pausedUntil = 0;
  private lastStart = -Infinity;
  /** When the sends of the last second really started. */
  private readonly started: number[] = [];
  private readonly recent = new Map<string, number[]>();

  constructor(
    readonly limits: SendRate,
    private readonly time: LimiterTime = realTime,
  ) {
    if (!(limits.perSecond > 0) || !(limits.perChatPerMinute >= 1) || !(limits.concurrency >= 1)) {
      throw new Error(`invalid limits ${JSON.stringify(limits)}`);
    }
    this.intervalMs = 1000 / limits.perSecond;
  }

  /** Waits until a send to `chat` may start, and counts it. */
  async acquire(chat: string): Promise<void> {
    for (;;) {
      const now = this.time.now();
      const chatWait = this.chatWait(chat, now);
      // Reserve the overall slot only once the chat may send, so a busy chat never holds up others.
      if (chatWait > 0) {
        await this.time.sleep(chatWait);
        continue;
      }
      const start = Math.max(now, this.nextStart);
      this.nextStart = start + this.intervalMs;
      this.remember(chat, start);
      if (start > now) await this.time.sleep(start - now);
      break;
    }
    // Turns are reserved ahead, but the platform counts when sends really start: a stall (GC, a long
    // synchronous job) wakes several reserved turns at once, and turns reserved before a pause()
    // must not go out during it. So the start itself is checked against the last second, and late
    // turns catch up at most twice as fast as the even pace.
    for (;;) {
      const at = this.time.now();
      const wait = Math.max(this.pausedUntil - at, this.windowWait(at), this.lastStart + this.intervalMs / 2 - at);
      if (wait <= 0) {
        this.started.push(at);
        this.lastStart = at;
        return;
      }
      await this.time.sleep(wait);
    }
  }

  /** The platform said "slow down for `ms`": nobody starts before that. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.time.now() + ms);
    this.nextStart = Math.max(this.nextStart, this.pausedUntil);
  }

  /** How long until fewer than perSecond sends started in the last second. */
  private windowWait(at: number): number {
    while (this.started.length > 0 && this.started[0]! <= at - 1000) this.started.shift();
    return this.started.length < this.limits.perSecond ? 0 : this.started[0]! + 1000 - at;
  }

  private chatWait(chat: string, now: number): number {
    const times = this.recent.get(chat);
    if (!times) return 0;
    while (times.length > 0 && times[0]! <= now - MINUTE_MS) times.shift();
    if (times.length === 0) {
      this.recent.delete(chat);
      return 0;
    }
    return times.length < this.limits.perChatPerMinute ? 0 : times[0]! + MINUTE_MS - now;
  }

  private remember(chat: string, at: number): void {
    const times = this.recent.get(chat) ?? [];
    times.push(at);
    this.recent.set(chat, times);
  }
}
