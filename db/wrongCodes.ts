import { and, asc, eq, gt } from 'drizzle-orm';
import type { Db } from './client.js';
import { auditLog } from './schema.js';

/**
 * Guessing codes (a unit's join code, another person's link code) is slowed the same way
 * everywhere: each wrong code is an audit row of its own action, and the fifth within ten minutes
 * locks further tries for ten minutes. Counted in the database rather than in memory, it survives
 * restarts, holds across platforms and processes sharing the database, and the admin sees who is
 * guessing.
 */

export const MAX_WRONG_CODES = 5;
export const WRONG_CODE_WINDOW_MS = 10 * 60_000;
export const LOCKOUT_MS = 10 * 60_000;

/**
 * Until when the person may not try a code of this kind (`action`: the audit action of a wrong
 * try). Tries during a lockout are not recorded, so waiting always ends it.
 */
export function wrongCodesLockedUntil(db: Pick<Db, 'select'>, action: string, personId: number, now: Date): Date | undefined {
  const failures = db
    .select({ at: auditLog.at })
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.actorPersonId, personId), gt(auditLog.at, now.getTime() - WRONG_CODE_WINDOW_MS - LOCKOUT_MS)))
    .orderBy(asc(auditLog.at))
    .all()
    .map((r) => r.at);
  let until = 0;
  for (let i = MAX_WRONG_CODES - 1; i < failures.length; i++) {
    if (failures[i]! - failures[i - MAX_WRONG_CODES + 1]! < WRONG_CODE_WINDOW_MS) until = Math.max(until, failures[i]! + LOCKOUT_MS);
  }
  return until > now.getTime() ? new Date(until) : undefined;
}
