import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from './client.js';
import { people } from './schema.js';

/**
 * The one showing of the privacy notice (Law 91/2025/QH15) a person gets. Claimed with a single
 * conditional UPDATE, so two commands of the same person handled at once cannot both see the
 * column empty and both show it: only the one whose UPDATE changed the row does.
 */

/** True when this call is the person's first showing (the column was empty and now holds `now`). */
export function claimPrivacyNotice(db: Pick<Db, 'update'>, personId: number, now: Date): boolean {
  return (
    db
      .update(people)
      .set({ privacyNoticeAt: now.getTime() })
      .where(and(eq(people.id, personId), isNull(people.privacyNoticeAt)))
      .run().changes === 1
  );
}

/**
 * Gives the showing back when the message carrying the notice could not be sent, so the next
 * /thamgia or /start shows it; only the claim made at `claimedAt` is undone, never a later one.
 */
export function releasePrivacyNotice(db: Pick<Db, 'update'>, personId: number, claimedAt: Date): void {
  db.update(people)
    .set({ privacyNoticeAt: null })
    .where(and(eq(people.id, personId), eq(people.privacyNoticeAt, claimedAt.getTime())))
    .run();
}
