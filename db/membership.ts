import { and, eq, isNotNull } from 'drizzle-orm';
import { fold } from '../core/text.js';
import { recordAudit } from './audit.js';
import type { Db } from './client.js';
import { actorOf, type Caller } from './people.js';
import { grantRole } from './roles.js';
import { joinBlocks, people, roles, units } from './schema.js';
import { wrongCodesLockedUntil } from './wrongCodes.js';
import { type UnitRow, unitById } from './units.js';

/**
 * Joining a unit with its join code. Wrong codes are written to the audit log
 * ('unit.join_failed') and slow the person down (db/wrongCodes.ts).
 */

export const JOIN_FAILED = 'unit.join_failed';
export { LOCKOUT_MS, MAX_WRONG_CODES } from './wrongCodes.js';

/** "k7mx 2p", "K7MX-2P" → "K7MX2P". */
export function normalizeJoinCode(raw: string): string {
  return fold(raw).replace(/[\s-]/g, '').toUpperCase();
}

/** Until when the person may not try a join code (five wrong ones in ten minutes lock ten minutes). */
export function joinLockedUntil(db: Pick<Db, 'select'>, personId: number, now: Date): Date | undefined {
  return wrongCodesLockedUntil(db, JOIN_FAILED, personId, now);
}

export type JoinOutcome =
  | { kind: 'wrong'; locked: boolean }
  | { kind: 'inactive'; unit: UnitRow }
  /** The person's officer role on this unit was taken back: only an admin can give it again. */
  | { kind: 'blocked'; unit: UnitRow }
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
    const blocked = tx
      .select({ unitId: joinBlocks.unitId })
      .from(joinBlocks)
      .where(and(eq(joinBlocks.personId, caller.personId), eq(joinBlocks.unitId, unit.id)))
      .get();
    if (blocked) {
      recordAudit(tx, actor, now, { action: 'unit.join_blocked', entity: 'person', entityId: caller.personId, after: { unitId: unit.id } });
      return { kind: 'blocked', unit };
    }

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
