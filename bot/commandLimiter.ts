import type { Clock } from '../core/clock.js';

/**
 * A token bucket per person (platform + user id), so one person firing commands in a loop
 * cannot take the bot — or a group's share of the platform's send budget — away from everyone
 * else. What makes the bot run a command is charged, and so is what it posts in reply to a wrong
 * answer (a re-ask); a correct answer is not. See the dispatcher.
 *
 * The default policy: a burst of 5, then one command every 3 s (20 a minute). A person who types
 * by hand never gets near it — they read each answer before the next command — while a stuck
 * key, a script or a paste of 50 lines is cut to what Telegram itself lets a bot post in one
 * group (about 20 messages a minute), so the flood no longer spills over onto other people.
 */
export interface LimitPolicy {
  /** Commands a rested person may send at once. */
  burst: number;
  /** One command comes back every this many ms. */
  refillMs: number;
  /** Above this many remembered people, the least recently seen are forgotten first. */
  maxPeople: number;
  /**
   * After a notice, no other notice for this long (ms), even if a let-through command started a
   * new streak in between. 0: every new streak is told. At most `burst * refillMs`, the time after
   * which an untouched bucket is forgotten (and with it when its last notice was).
   */
  noticeGapMs: number;
}

export const DEFAULT_LIMIT: LimitPolicy = { burst: 5, refillMs: 3_000, maxPeople: 10_000, noticeGapMs: 0 };

/**
 * What the bot posts in a group because of a person's wrong answers (re-asks, notices about
 * buttons, steps back), on top of the command budget they also draw from: a burst of 3, then one
 * every 20 s, and one "slow down" notice a minute. The command budget alone (20 a minute) is
 * Telegram's whole budget for one group (about 20 bot messages a minute), so a person answering
 * wrongly in a loop would still spend all of it, and everyone's answers in that group would wait
 * on Telegram's 429s. With this, a flood of wrong answers costs the group 6 messages in its first
 * minute and 4 a minute after that, leaving most of the group's budget to the others. A person
 * typing by hand, who reads each "⚠️" before answering again, is not slowed; a correct answer is
 * never charged, so it moves the flow even while the person is limited.
 */
export const REASK_LIMIT: LimitPolicy = { burst: 3, refillMs: 20_000, maxPeople: 10_000, noticeGapMs: 60_000 };

export type LimitDecision =
  | { allowed: true }
  /**
   * `notify` is true on the first refusal of a limited streak only: the person hears once how long
   * to wait, then the rest of the flood is dropped silently (answering each would be the flood).
   */
  | { allowed: false; notify: boolean; waitMs: number };

/**
 * The bucket holds time rather than tokens: `credit` ms, one command costing `refillMs`. With
 * whole milliseconds everything stays an integer, so no rounding ever refuses a command that is due.
 */
interface Bucket {
  credit: number;
  /** When `credit` was last brought up to date (ms). */
  at: number;
  /** A refusal was already announced in the current limited streak. */
  noticed: boolean;
  /** When the last refusal was announced (ms; -Infinity: never). */
  noticedAt: number;
}

const ALLOWED: LimitDecision = { allowed: true };

export class CommandLimiter {
  private readonly policy: LimitPolicy;
  /** Map order is recency order: a touched bucket is moved to the end. */
  private readonly buckets = new Map<string, Bucket>();
  /**
   * A full bucket's credit; also how long a bucket left alone takes to be full again, the same as
   * no bucket at all: then it can be forgotten.
   */
  private readonly idleMs: number;
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    policy: Partial<LimitPolicy> = {},
  ) {
    this.policy = { ...DEFAULT_LIMIT, ...policy };
    const { burst, refillMs, maxPeople, noticeGapMs } = this.policy;
    this.idleMs = burst * refillMs;
    if (
      ![burst, refillMs, maxPeople].every((n) => Number.isInteger(n) && n >= 1) ||
      !Number.isInteger(noticeGapMs) ||
      noticeGapMs < 0 ||
      noticeGapMs > this.idleMs
    ) {
      throw new Error(`invalid command limit: ${JSON.stringify(this.policy)}`);
    }
  }

  /** Another limiter over the same clock (the re-ask limit runs on the command limit's clock). */
  sibling(policy: Partial<LimitPolicy>): CommandLimiter {
    return new CommandLimiter(this.clock, policy);
  }

  /** Takes one command from `person`'s bucket, or says how long until one is back. */
  take(person: string): LimitDecision {
    const now = this.clock.now().getTime();
    this.sweep(now);
    const { refillMs } = this.policy;
    let bucket = this.buckets.get(person);
    if (bucket) {
      this.buckets.delete(person);
      // A clock set back refills nothing rather than draining the bucket.
      bucket.credit = Math.min(this.idleMs, bucket.credit + Math.max(0, now - bucket.at));
      bucket.at = now;
    } else {
      bucket = { credit: this.idleMs, at: now, noticed: false, noticedAt: Number.NEGATIVE_INFINITY };
    }
    this.buckets.set(person, bucket);
    this.evictOverflow();

    if (bucket.credit >= refillMs) {
      bucket.credit -= refillMs;
      bucket.noticed = false;
      return ALLOWED;
    }
    const waitMs = refillMs - bucket.credit;
    const notify = !bucket.noticed && now - bucket.noticedAt >= this.policy.noticeGapMs;
    bucket.noticed = true;
    if (notify) bucket.noticedAt = now;
    return { allowed: false, notify, waitMs };
  }

  /** How many people are remembered (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  /** Forgets every bucket that has refilled, at most once per idle period (amortised O(1)). */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.idleMs && now >= this.lastSweep) return;
    this.lastSweep = now;
    for (const [person, bucket] of this.buckets) {
      if (now - bucket.at >= this.idleMs) this.buckets.delete(person);
    }
  }

  /** Even a burst of distinct people (thousands joining at once) keeps the map bounded. */
  private evictOverflow(): void {
    while (this.buckets.size > this.policy.maxPeople) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
  }
}

/** The key of a person across chats: the same account flooding two groups is one person. */
export function personKey(platform: string, userId: string): string {
  return `${platform}:${userId}`;
}
