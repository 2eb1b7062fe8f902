import { randomBytes } from 'node:crypto';
import { and, asc, eq, inArray, lte, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type ChatRef, type Deliver, DeliveryUncertainError, type Platform, RateLimitedError, type SendRate } from '../core/chat.js';
import type { Clock } from '../core/clock.js';
import { chatRefOf } from '../db/audience.js';
import type { Db } from '../db/client.js';
import { chats, deadlines, reminderOutbox } from '../db/schema.js';
import type { DaysOff } from './daysOff.js';
import { RateLimiter, type LimiterTime, realTime } from './rateLimiter.js';
import type { OutboxPayload } from './reminderPlanner.js';
import type { QuietHours } from './reminderSlots.js';
import { isSendingTime } from './sendingTime.js';

/**
 * The sender drains the reminder outbox through the adapters, inside each platform's limits.
 *
 * Exactly once, crash or not: a row is claimed (status 'claimed', this process's token) in a
 * batch, then marked 'sending' in its own commit just before the platform call, then 'sent' with
 * the platform's message id. If the process dies, what it left tells the next one what happened:
 *  - 'claimed': the call was never started → taken again and sent;
 *  - 'sending': the call was started and may have reached the platform (neither Telegram nor Zalo
 *    can be asked) → 'uncertain', never sent again, counted for the admins. That window is one
 *    network call long; everything else is safe.
 * A claim belongs to a process incarnation (pid + a random boot id), so a restarted container
 * with the same pid still recognises its predecessor's rows; claims older than the lease are
 * taken over whatever their owner.
 */

/**
 * The pace for a platform whose adapter declared none to this sender (tests delivering to a
 * fake): one send at a time, without waiting. Each adapter declares its own (`limits.sending`),
 * and bot/main.ts passes them all.
 */
const UNDECLARED_RATE: SendRate = { perSecond: 1000, perChatPerMinute: 1000, concurrency: 1 };

/** Waits before trying a failed send again (a platform error that was not "too fast"). */
const RETRY_AFTER_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];
const MAX_ATTEMPTS = RETRY_AFTER_MS.length + 1;
/** No send takes this long: a claim older than this is abandoned, whoever made it. */
const CLAIM_LEASE_MS = 15 * 60_000;
const BATCH = 500;

export interface SenderDeps {
  db: Db;
  deliver: Deliver;
  log: Logger;
  clock: Clock;
  daysOff: DaysOff;
  quiet: QuietHours;
  /** Each platform's pace, as its adapter declares it (`sendRatesOf(adapters)`). */
  limits?: Partial<Record<Platform, SendRate>>;
  /** Pacing time (real by default; the benchmark scales it). */
  time?: LimiterTime;
  /** Rows claimed at once (default 500); smaller batches let several processes share a backlog. */
  batchSize?: number;
}

export interface DrainResult {
  sent: number;
  retried: number;
  failed: number;
  cancelled: number;
  /** Sends the platform never answered in time: they may have arrived, and are not tried again. */
  uncertain: number;
  /** Outside working days and hours nothing is sent; rows wait. */
  outsideHours: boolean;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface ClaimedRow {
  id: number;
  chat: ChatRef;
  chatRowId: number;
  payload: OutboxPayload;
  attempts: number;
}

export class ReminderSender {
  /** This process incarnation; written into every claim. */
  readonly token = `${process.pid}:${randomBytes(6).toString('hex')}`;
  private readonly limiters = new Map<Platform, RateLimiter>();
  private running?: Promise<DrainResult>;
  private stopping = false;

  constructor(private readonly deps: SenderDeps) {}

  /** Sends every reminder due now; concurrent calls share one drain. */
  drain(): Promise<DrainResult> {
    this.running ??= this.drainOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Lets the sends in flight finish, starts no new one, and hands back what this process had claimed. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
    this.deps.db
      .update(reminderOutbox)
      .set({ status: 'pending', claimToken: null, claimedAt: null })
      .where(and(eq(reminderOutbox.status, 'claimed'), eq(reminderOutbox.claimToken, this.token)))
      .run();
  }

  /** Rows left by a dead process: claimed ones are free again, ones being sent become 'uncertain'. */
  recoverAbandoned(): { released: number; uncertain: number } {
    const { db } = this.deps;
    const now = this.deps.clock.now().getTime();
    const held = db
      .select({ id: reminderOutbox.id, status: reminderOutbox.status, token: reminderOutbox.claimToken, claimedAt: reminderOutbox.claimedAt })
      .from(reminderOutbox)
      .where(inArray(reminderOutbox.status, ['claimed', 'sending']))
      .all();
    const abandoned = held.filter((row) => {
      if (row.token === this.token) return false;
      if (row.claimedAt !== null && now - row.claimedAt > CLAIM_LEASE_MS) return true;
      const pid = Number(row.token?.split(':')[0]);
      // Same pid, other boot id: our predecessor (a container restarts with the same pid).
      return !Number.isInteger(pid) || pid === process.pid || !pidAlive(pid);
    });
    let released = 0;
    let uncertain = 0;
    for (const row of abandoned) {
      const next =
        row.status === 'claimed'
          ? { status: 'pending' as const, claimToken: null, claimedAt: null }
          : { status: 'uncertain' as const, lastError: 'the process died while sending' };
      const changed = db
        .update(reminderOutbox)
        .set(next)
        .where(and(eq(reminderOutbox.id, row.id), eq(reminderOutbox.status, row.status)))
        .run().changes;
      if (changed === 0) continue;
      if (row.status === 'claimed') released++;
      else uncertain++;
    }
    if (released + uncertain > 0) this.deps.log.warn({ released, uncertain }, 'reminders left by a stopped process recovered');
    return { released, uncertain };
  }

  private async drainOnce(): Promise<DrainResult> {
    const result: DrainResult = { sent: 0, retried: 0, failed: 0, cancelled: 0, uncertain: 0, outsideHours: false };
    this.recoverAbandoned();
    result.cancelled += this.cancelStale();
    while (!this.stopping) {
      if (!isSendingTime(this.deps.clock.now(), this.deps.daysOff, this.deps.quiet)) {
        result.outsideHours = true;
        return result;
      }
      const batch = this.claimBatch();
      if (batch.length === 0) return result;
      const byPlatform = new Map<Platform, ClaimedRow[]>();
      for (const row of batch) byPlatform.set(row.chat.platform, [...(byPlatform.get(row.chat.platform) ?? []), row]);
      await Promise.all([...byPlatform].map(([platform, rows]) => this.sendAll(platform, rows, result)));
    }
    return result;
  }

  /** Expired rows (a later reminder replaced them), rows of retired deadlines and of chats the bot left. */
  private cancelStale(): number {
    const { db } = this.deps;
    const now = this.deps.clock.now().getTime();
    const expired = db
      .update(reminderOutbox)
      .set({ status: 'cancelled', lastError: 'superseded before it could be sent' })
      .where(and(eq(reminderOutbox.status, 'pending'), lte(reminderOutbox.expiresAt, now)))
      .run().changes;
    const orphaned = db
      .update(reminderOutbox)
      .set({ status: 'cancelled', lastError: 'deadline retired or chat inactive' })
      .where(
        and(
          eq(reminderOutbox.status, 'pending'),
          or(
            sql`${reminderOutbox.deadlineId} in (select id from ${deadlines} where active = 0)`,
            sql`${reminderOutbox.chatId} in (select id from ${chats} where active = 0)`,
          ),
        ),
      )
      .run().changes;
    return expired + orphaned;
  }

  private claimBatch(): ClaimedRow[] {
    const { db } = this.deps;
    const now = this.deps.clock.now().getTime();
    return db.transaction(
      (tx) => {
        const due = tx
          .select({ row: reminderOutbox, chat: chats })
          .from(reminderOutbox)
          .innerJoin(chats, eq(chats.id, reminderOutbox.chatId))
          .where(and(eq(reminderOutbox.status, 'pending'), lte(reminderOutbox.notBefore, now), eq(chats.active, true)))
          .orderBy(asc(reminderOutbox.notBefore), asc(reminderOutbox.id))
          .limit(this.deps.batchSize ?? BATCH)
          .all();
        if (due.length === 0) return [];
        tx.update(reminderOutbox)
          .set({ status: 'claimed', claimToken: this.token, claimedAt: now })
          .where(
            and(
              inArray(
                reminderOutbox.id,
                due.map((d) => d.row.id),
              ),
              eq(reminderOutbox.status, 'pending'),
            ),
          )
          .run();
        return due.map(({ row, chat }) => ({
          id: row.id,
          chat: chatRefOf(chat),
          chatRowId: chat.id,
          payload: row.payload as unknown as OutboxPayload,
          attempts: row.attempts,
        }));
      },
      { behavior: 'immediate' },
    );
  }

  private limiter(platform: Platform): RateLimiter {
    let limiter = this.limiters.get(platform);
    if (!limiter) {
      limiter = new RateLimiter(this.deps.limits?.[platform] ?? UNDECLARED_RATE, this.deps.time ?? realTime);
      this.limiters.set(platform, limiter);
    }
    return limiter;
  }

  private async sendAll(platform: Platform, rows: ClaimedRow[], result: DrainResult): Promise<void> {
    const limiter = this.limiter(platform);
    let next = 0;
    const worker = async () => {
      while (next < rows.length && !this.stopping) {
        const row = rows[next++]!;
        await limiter.acquire(row.chat.id);
        await this.sendOne(row, limiter, result);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limiter.limits.concurrency, rows.length) }, worker));
  }

  private async sendOne(row: ClaimedRow, limiter: RateLimiter, result: DrainResult): Promise<void> {
    const { db, log } = this.deps;
    const mine = and(eq(reminderOutbox.id, row.id), eq(reminderOutbox.claimToken, this.token));
    // The commit that makes a crash from here on "uncertain" rather than "send again".
    const started = db
      .update(reminderOutbox)
      .set({ status: 'sending', attempts: row.attempts + 1 })
      .where(and(mine, eq(reminderOutbox.status, 'claimed')))
      .run().changes;
    if (started === 0) return;
    try {
      const sent = await this.deps.deliver(row.chat, { text: row.payload.parts });
      db.update(reminderOutbox)
        .set({ status: 'sent', sentAt: this.deps.clock.now().getTime(), sentMessageId: sent.messageId, lastError: null })
        .where(and(mine, eq(reminderOutbox.status, 'sending')))
        .run();
      result.sent++;
    } catch (error) {
      const now = this.deps.clock.now().getTime();
      const reason = error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300);
      if (error instanceof RateLimitedError) {
        // Nothing was delivered: back in the queue after the wait, and the attempt does not count.
        limiter.pause(error.retryAfterMs);
        db.update(reminderOutbox)
          .set({ status: 'pending', claimToken: null, claimedAt: null, attempts: row.attempts, notBefore: now + error.retryAfterMs, lastError: reason })
          .where(and(mine, eq(reminderOutbox.status, 'sending')))
          .run();
        result.retried++;
        return;
      }
      if (error instanceof DeliveryUncertainError) {
        // The platform never answered: the reminder may have arrived. Like a crash mid-send, it is
        // 'uncertain' and never sent again (a duplicate reminder is worse than a missing one, and
        // /trangthai counts these for the admins).
        db.update(reminderOutbox)
          .set({ status: 'uncertain', lastError: reason })
          .where(and(mine, eq(reminderOutbox.status, 'sending')))
          .run();
        log.warn({ outboxId: row.id, platform: row.chat.platform }, 'reminder may not have been sent (no answer in time); not sent again');
        result.uncertain++;
        return;
      }
      const chatActive = db.select({ active: chats.active }).from(chats).where(eq(chats.id, row.chatRowId)).get()?.active ?? false;
      const attempts = row.attempts + 1;
      const status = !chatActive ? 'cancelled' : attempts >= MAX_ATTEMPTS ? 'failed' : 'pending';
      db.update(reminderOutbox)
        .set({
          status,
          lastError: reason,
          ...(status === 'pending' ? { claimToken: null, claimedAt: null, notBefore: now + RETRY_AFTER_MS[attempts - 1]! } : {}),
        })
        .where(and(mine, eq(reminderOutbox.status, 'sending')))
        .run();
      log.warn({ err: error, outboxId: row.id, platform: row.chat.platform, status }, 'reminder not sent');
      if (status === 'pending') result.retried++;
      else if (status === 'failed') result.failed++;
      else result.cancelled++;
    }
  }
}
