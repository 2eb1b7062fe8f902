import type { Logger } from 'pino';
import type { RateLimit } from './api.js';
import { ZaloOaApiError } from './api.js';

/**
 * Every call the OA makes to Zalo (sends, uploads, reads) goes through one queue, one call at a
 * time, under two limits:
 * - the one the bot keeps itself: at most `perMinute` calls in any 60 s. Zalo states 4,000 a
 *   minute per app, but the packages sold since 2026-06-01 are reported to allow 100 a minute per
 *   OA (Growth), so 100 is the default (docs/zalo-oa-api.md §3d);
 * - the one Zalo reports: when X-RateLimit-Remain falls to `reserve`, the queue waits for the next
 *   minute, when Zalo's count starts over.
 * A call Zalo refuses for the rate (-32) or that finds no Zalo behind the gateway (429/5xx) waits
 * as long as the error says and is tried again, up to `attempts` times in all; then the error goes
 * to the caller. Nothing else is retried here: a send that may have reached Zalo is not repeated.
 */

export interface OaSendQueueOptions {
  perMinute?: number;
  /** Calls kept back from what Zalo reports remaining (for the operator's CLI, a second copy…). */
  reserve?: number;
  attempts?: number;
  /** The rate headers of the latest answer (ZaloOaApi.rateLimit). */
  rateLimit: () => RateLimit | undefined;
  log: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class OaSendQueue {
  private tail: Promise<unknown> = Promise.resolve();
  /** When the calls of the last 60 s started. */
  private readonly started: number[] = [];
  private readonly perMinute: number;
  private readonly reserve: number;
  private readonly attempts: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private waiting = 0;

  constructor(private readonly options: OaSendQueueOptions) {
    this.perMinute = options.perMinute ?? 100;
    this.reserve = options.reserve ?? 5;
    this.attempts = options.attempts ?? 3;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Calls queued and not yet finished. */
  get length(): number {
    return this.waiting;
  }

  run<T>(call: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(() => this.attempt(call));
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => {
      this.waiting--;
    });
  }

  private async attempt<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.pace();
      this.started.push(this.now());
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof ZaloOaApiError) || !error.retryable || attempt >= this.attempts) throw error;
        const wait = Math.max(error.retryAfterMs ?? 0, 1000 * attempt);
        this.options.log.warn({ code: error.code, attempt, waitMs: wait }, 'zalo-oa: Zalo asked to slow down; trying again');
        await this.sleep(wait);
      }
    }
  }

  /** Waits until a call may start under both limits. */
  private async pace(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.started.length > 0 && now - this.started[0]! >= 60_000) this.started.shift();
      if (this.started.length >= this.perMinute) {
        await this.sleep(this.started[0]! + 60_000 - now);
        continue;
      }
      const reported = this.options.rateLimit();
      if (reported && reported.remain <= this.reserve && this.started.length > 0) {
        // Zalo counts by the minute: its count starts over at the next one (a second's margin for the clocks).
        const wait = 60_000 - (now % 60_000) + 1000;
        this.options.log.warn({ remain: reported.remain, limit: reported.limit, waitMs: wait }, 'zalo-oa: near Zalo’s rate limit; waiting for the next minute');
        await this.sleep(wait);
        // The header describes the past minute; the next call reads a fresh one.
        this.started.length = 0;
        return;
      }
      return;
    }
  }
}
