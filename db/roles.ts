import { and, eq, isNull, ne } from 'drizzle-orm';
import { type Actor, recordAudit } from './audit.js';
import type { Db } from './client.js';
import type { Platform } from '../core/chat.js';
import { identities, joinBlocks, people, type Role, roles } from './schema.js';

/** Who holds which role, where: the one place roles are given and taken, with their audit rows. */

export interface RoleSpec {
  personId: number;
  role: Role;
  /** null = the whole deployment (always so for admins). */
  unitId: number | null;
}

export class LastAdmin extends Error {
  constructor() {
    super('the last admin cannot be revoked');
  }
}

export function findRole(db: Pick<Db, 'select'>, spec: RoleSpec) {
  return db
    .select()
    .from(roles)
    .where(and(eq(roles.personId, spec.personId), eq(roles.role, spec.role), spec.unitId === null ? isNull(roles.unitId) : eq(roles.unitId, spec.unitId)))
    .get();
}

/**
 * Grants a role; 'already' when the person holds it. A new officer without a unit of their own
 * is taken to work for the unit they are an officer of. `via` says how, in the audit row
 * ("join_code" for /thamgia).
 */
export function grantRole(tx: Db, spec: RoleSpec, actor: Actor, now: Date, via?: string): { result: 'granted' | 'already'; personUnitSet: boolean } {
  if (findRole(tx, spec)) return { result: 'already', personUnitSet: false };
  const at = now.getTime();
  // An admin making someone an officer again is the one way back after a revocation.
  if (spec.role === 'officer' && spec.unitId !== null && via !== 'join_code') {
    tx.delete(joinBlocks)
      .where(and(eq(joinBlocks.personId, spec.personId), eq(joinBlocks.unitId, spec.unitId)))
      .run();
  }
  tx.insert(roles).values({ personId: spec.personId, role: spec.role, unitId: spec.unitId, grantedBy: actor.personId, createdAt: at }).run();
  let personUnitSet = false;
  if (spec.role === 'officer' && spec.unitId !== null) {
    const person = tx.select({ unitId: people.unitId }).from(people).where(eq(people.id, spec.personId)).get();
    if (person && person.unitId === null) {
      tx.update(people).set({ unitId: spec.unitId, updatedAt: at }).where(eq(people.id, spec.personId)).run();
      personUnitSet = true;
    }
  }
  recordAudit(tx, actor, now, {
    action: 'role.grant',
    entity: 'person',
    entityId: spec.personId,
    after: { personId: spec.personId, role: spec.role, unitId: spec.unitId, ...(personUnitSet ? { personUnitId: spec.unitId } : {}), ...(via ? { via } : {}) },
  });
  return { result: 'granted', personUnitSet };
}

/**
 * Takes a role back; 'absent' when the person did not hold it. Throws LastAdmin rather than leave
 * nobody in charge. Taking back an officer's role also takes them out of the unit and blocks the
 * unit's join code for them: they know the code, and without the block `/thamgia` would simply
 * make them officer again.
 */
export function revokeRole(tx: Db, spec: RoleSpec, actor: Actor, now: Date): 'revoked' | 'absent' {
  const row = findRole(tx, spec);
  if (!row) return 'absent';
  if (spec.role === 'admin') {
    const other = tx
      .select({ id: roles.id })
      .from(roles)
      .where(and(eq(roles.role, 'admin'), ne(roles.personId, spec.personId)))
      .get();
    if (!other) throw new LastAdmin();
  }
  tx.delete(roles).where(eq(roles.id, row.id)).run();
  let personUnitCleared = false;
  if (spec.role === 'officer' && spec.unitId !== null) {
    const at = now.getTime();
    const person = tx.select({ unitId: people.unitId }).from(people).where(eq(people.id, spec.personId)).get();
    if (person?.unitId === spec.unitId) {
      tx.update(people).set({ unitId: null, updatedAt: at }).where(eq(people.id, spec.personId)).run();
      personUnitCleared = true;
    }
    tx.insert(joinBlocks).values({ personId: spec.personId, unitId: spec.unitId, blockedBy: actor.personId, createdAt: at }).onConflictDoNothing().run();
  }
  recordAudit(tx, actor, now, {
    action: 'role.revoke',
    entity: 'person',
    entityId: spec.personId,
    before: {
      personId: row.personId,
      role: row.role,
      unitId: row.unitId,
      grantedBy: row.grantedBy,
      ...(personUnitCleared ? { personUnitId: spec.unitId } : {}),
    },
    ...(spec.role === 'officer' && spec.unitId !== null
      ? { after: { joinBlockedUnitId: spec.unitId, ...(personUnitCleared ? { personUnitId: null } : {}) } }
      : {}),
  });
  return 'revoked';
}

/** The platform accounts of every administrator: where to warn them when something needs a person. */
export function adminAccounts(db: Pick<Db, 'selectDistinct'>, platform: Platform): string[] {
  return db
    .selectDistinct({ id: identities.platformUserId })
    .from(roles)
    .innerJoin(identities, and(eq(identities.personId, roles.personId), eq(identities.platform, platform)))
    .where(eq(roles.role, 'admin'))
    .all()
    .map((r) => r.id);
}
