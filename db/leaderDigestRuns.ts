import { eq, lt } from 'drizzle-orm';
import type { IsoDay } from '../core/calendar.js';
import type { Db } from './client.js';
import { leaderDigestRuns } from './schema.js';

/**
 * Which groups had their leaders' digest decided on a day (scheduler/leaderDigest.ts). The row is
 * the lock: whoever inserts it sends that group's digest, so two processes, or a restart in the
 * middle of the morning, never send it twice.
 */

/** The groups (chats table rows) whose digest of `day` was decided. */
export function digestsDecidedOn(db: Db, day: IsoDay): Set<number> {
  return new Set(
    db
      .select({ chatRowId: leaderDigestRuns.chatRowId })
      .from(leaderDigestRuns)
      .where(eq(leaderDigestRuns.day, day))
      .all()
      .map((r) => r.chatRowId),
  );
}

/** Records the day's digest for the group; false when someone recorded it first. Call it inside the transaction that decides. */
export function recordDigest(db: Db, chatRowId: number, day: IsoDay, waiting: number, now: Date): boolean {
  const row = db
    .insert(leaderDigestRuns)
    .values({ chatRowId, day, waiting, decidedAt: now.getTime() })
    .onConflictDoNothing()
    .returning({ day: leaderDigestRuns.day })
    .get();
  return row !== undefined;
}

/**
 * Forgets the days before `day`: a day's rows matter only while that day runs, and the per-minute
 * question "which groups had today's digest" reads the whole table (its key starts with the group).
 */
export function forgetDigestsBefore(db: Db, day: IsoDay): number {
  return db.delete(leaderDigestRuns).where(lt(leaderDigestRuns.day, day)).run().changes;
}
