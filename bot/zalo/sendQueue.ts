import type { Logger } from 'pino';
import { ZaloApiError } from 'zca-js';
import { DeliveryUncertainError } from '../../core/chat.js';

/**
 * Every send to Zalo goes through one serialized queue. Zalo's personal-account API punishes
 * bursts (error 221 "rate limited") and can block the account, so sends are paced and backed
 * off, one at a time. The bot only answers and posts to the chats it
 * serves; it never sends bulk direct messages, and this queue is not a way to do so.
 *
 * zca-js can wait forever on an upload, and its text sends have no timeout either (an HTTP call
 * to a server that stopped answering waits for minutes), so every send is bounded by a timeout;
 * the hung promise is left behind (it cannot be cancelled) and the queue goes on. The call may
 * still reach Zalo after that, so the timeout is a DeliveryUncertainError and is never retried.
 */

export type SendKind = 'text' | 'file';

export interface SendQueueOptions {
  /** Least time between the starts of two consecutive sends. */
  minGapMs: number;
  /** Waits before each retry after a 221; its length is the number of retries. */
  backoffMs: number[];
  /** A file send not settled after this long is given up. */
  fileTimeoutMs: number;
  /** A text send not settled after this long is given up (default 30 s; a text normally takes well under 2 s). */
  textTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  log: Logger;
}

/** Zalo's "slow down" answers: worth waiting and trying again, unlike any other failure. */
const RETRYABLE_CODES: ReadonlySet<number> = new Set([221]);

export function isRetryableZaloError(error: unknown): error is ZaloApiError {
  return error instanceof ZaloApiError && error.code !== null && RETRYABLE_CODES.has(error.code);
}

/**
 * Zalo 123, "Không thể nhận tin nhắn từ bạn": the recipient (a person, or a group) does not accept
 * messages from this account. Not "slow down": waiting changes nothing (zca-js issues #94, #229,
 * #336: it stays until the other side writes to the account), and retrying a refused send is one
 * more thing Zalo sees of an automated account. So no retry, no cool-down: the adapter marks the
 * chat and the send fails at once.
 */
export const RECIPIENT_REFUSED_CODE = 123;

export function isRecipientRefusedError(error: unknown): error is ZaloApiError {
  return error instanceof ZaloApiError && error.code === RECIPIENT_REFUSED_CODE;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SendQueue {
  private readonly minGapMs: number;
  private readonly backoffMs: readonly number[];
  private readonly fileTimeoutMs: number;
  private readonly textTimeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly log: Logger;
  /** Settles when every job submitted so far has settled; never rejects. */
  private tail: Promise<void> = Promise.resolve();
  private lastStart: number | undefined;

  constructor(options: SendQueueOptions) {
    const { minGapMs, backoffMs, fileTimeoutMs } = options;
    if (!(minGapMs >= 0)) throw new Error(`minGapMs must be >= 0, got ${minGapMs}`);
    if (!(fileTimeoutMs > 0)) throw new Error(`fileTimeoutMs must be > 0, got ${fileTimeoutMs}`);
    const textTimeoutMs = options.textTimeoutMs ?? 30_000;
    if (!(textTimeoutMs > 0)) throw new Error(`textTimeoutMs must be > 0, got ${textTimeoutMs}`);
    this.textTimeoutMs = textTimeoutMs;
    if (!backoffMs.every((ms) => ms >= 0)) throw new Error(`backoffMs must all be >= 0, got ${backoffMs.join(',')}`);
    this.minGapMs = minGapMs;
    this.backoffMs = [...backoffMs];
    this.fileTimeoutMs = fileTimeoutMs;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.log = options.log;
  }

  /** Runs `job` after every job submitted before it has settled; its outcome is the job's. */
  run<T>(job: () => Promise<T>, kind: SendKind): Promise<T> {
    const result = this.tail.then(() => this.execute(job, kind));
    // A failed send must not stop the ones behind it.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async execute<T>(job: () => Promise<T>, kind: SendKind): Promise<T> {
    for (let retry = 0; ; retry++) {
      await this.pace();
      try {
        return await this.attempt(job, kind);
      } catch (error) {
        const wait = this.backoffMs[retry];
        if (!isRetryableZaloError(error) || wait === undefined) {
          if (isRetryableZaloError(error)) {
            this.log.error({ code: error.code, kind, retries: retry }, 'zalo still rate limited after all retries; send dropped');
          }
          throw error;
        }
        this.log.warn({ code: error.code, kind, retry: retry + 1, waitMs: wait }, 'zalo rate limited; backing off');
        await this.sleep(wait);
      }
    }
  }

  /** Waits until minGapMs has passed since the previous send started, then marks this start. */
  private async pace(): Promise<void> {
    if (this.lastStart !== undefined) {
      const wait = this.lastStart + this.minGapMs - this.now();
      if (wait > 0) await this.sleep(wait);
    }
    this.lastStart = this.now();
  }

  private attempt<T>(job: () => Promise<T>, kind: SendKind): Promise<T> {
    let started: Promise<T>;
    try {
      started = job();
    } catch (error) {
      return Promise.reject(error);
    }
    const limit = kind === 'file' ? this.fileTimeoutMs : this.textTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        this.log.warn({ kind, timeoutMs: limit }, 'zalo send timed out; moving on (it may still be delivered)');
        reject(new DeliveryUncertainError(`zalo ${kind} send timed out after ${limit}ms`));
      }, limit);
      // A late outcome of the hung send lands on an already-settled promise and is dropped (a late
      // failure included: handled here, it never becomes an unhandled rejection); what it was is logged.
      started.then(
        (value) => {
          clearTimeout(timer);
          if (timedOut) this.log.warn({ kind, timeoutMs: limit }, 'zalo send answered after its timeout: it was delivered');
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          if (timedOut) this.log.info({ kind, err: error }, 'zalo send failed after its timeout');
          reject(error);
        },
      );
    });
  }
}
