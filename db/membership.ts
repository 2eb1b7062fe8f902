import { and, asc, eq, gt, isNotNull } from 'drizzle-orm';
import { fold } from '../bot/text.js';
import { recordAudit } from './audit.js';
import type { Db } from './client.js';
import { actorOf, type Caller } from './people.js';
import { grantRole } from './roles.js';
import { auditLog, people, roles, units } from './schema.js';
import { type UnitRow, unitById } from './units.js';

/**
 * Joining a unit with its join code. Wrong codes are written to the audit log
 * ('unit.join_failed') and the lockout is counted there rather than in memory: it survives
 * restarts, holds across platforms and processes sharing the database, and the admin can see
 * who is guessing.
 */

export const JOIN_FAILED = 'unit.join_failed';
export const MAX_WRONG_CODES = 5;
export const WRONG_CODE_WINDOW_MS = 10 * 60_000;
export const LOCKOUT_MS = 10 * 60_000;

/** "k7mx 2p", "K7MX-2P" → "K7MX2P". */
export function normalizeJoinCode(raw: string): string {
  return fold(raw).replace(/[\s-]/g, '').toUpperCase();
}

/**
 * Until when the person may not try a code: the fifth wrong code within ten minutes locks for
 * ten minutes. Attempts during a lockout are not recorded, so waiting always ends it.
 */
export function joinLockedUntil(db: Pick<Db, 'select'>, personId: number, now: Date): Date | undefined {
  const failures = db
    .select({ at: auditLog.at })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.action, JOIN_FAILED),
        eq(auditLog.actorPersonId, personId),
        gt(auditLog.at, now.getTime() - WRONG_CODE_WINDOW_MS - LOCKOUT_MS),
      ),
    )
    .orderBy(asc(auditLog.at))
    .all()
    .map((r) => r.at);
  let until = 0;
  for (let i = MAX_WRONG_CODES - 1; i < failures.length; i++) {
    if (failures[i]! - failures[i - MAX_WRONG_CODES + 1]! < WRONG_CODE_WINDOW_MS) until = Math.max(until, failures[i]! + LOCKOUT_MS);
  }
  return until > now.getTime() ? new Date(until) : undefined;
}

export type JoinOutcome =
  | { kind: 'wrong'; locked: boolean }
  | { kind: 'inactive'; unit: UnitRow }
  | { kind: 'elsewhere'; current: UnitRow | undefined; unit: UnitRow }
  | { kind: 'already'; unit: UnitRow }
  | { kind: 'joined'; unit: UnitRow };

/** Joins the unit whose join code is `code`; everything it changes is audited in one transaction. */
export function joinUnit(db: Db, caller: Caller, code: string, now: Date): JoinOutcome {
  const actor = actorOf(caller);
  return db.transaction((tx): JoinOutcome => {
    const unit = code === '' ? undefined : tx.select().from(units).where(eq(units.joinCode, code)).get();
    if (!unit) {
      recordAudit(tx, actor, now, { action: JOIN_FAILED, entity: 'person', entityId: caller.personId });
      return { kind: 'wrong', locked: joinLockedUntil(tx, caller.personId, now) !== undefined };
    }
    if (!unit.active) return { kind: 'inactive', unit };

    const person = tx.select().from(people).where(eq(people.id, caller.personId)).get()!;
    const officerOf = tx
      .select({ unitId: roles.unitId })
      .from(roles)
      .where(and(eq(roles.personId, person.id), eq(roles.role, 'officer'), isNotNull(roles.unitId)))
      .all()
      .map((r) => r.unitId!);
    // An admin may have made someone an officer without setting their unit: that is their unit too.
    const current = person.unitId ?? (officerOf.includes(unit.id) ? unit.id : officerOf[0]) ?? null;
    if (current !== null && current !== unit.id) return { kind: 'elsewhere', current: unitById(tx, current), unit };

    const hasRole = officerOf.includes(unit.id);
    if (person.unitId === unit.id && hasRole) return { kind: 'already', unit };

    const at = now.getTime();
    if (person.unitId !== unit.id) {
      tx.update(people).set({ unitId: unit.id, updatedAt: at }).where(eq(people.id, person.id)).run();
      recordAudit(tx, actor, now, {
        action: 'person.join_unit',
        entity: 'person',
        entityId: person.id,
        before: { unitId: person.unitId },
        after: { unitId: unit.id, via: 'join_code' },
      });
    }
    if (!hasRole) grantRole(tx, { personId: person.id, role: 'officer', unitId: unit.id }, actor, now, 'join_code');
    return { kind: 'joined', unit };
  });
}

