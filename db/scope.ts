import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import type { Db } from './client.js';
import type { Caller } from './people.js';
import { people, roles } from './schema.js';
import { ancestorIds, subtreeIds } from './units.js';

/** A set of units: all of them, or those listed. */
export interface Scope {
  all: boolean;
  unitIds: ReadonlySet<number>;
}

/**
 * The WORK scope: the units a caller may work on (register, update, propose, edit, withdraw, undo)
 * — an admin (or a leader of the whole deployment) all of them; a leader the subtree of their
 * unit; a unit officer exactly their own unit, never a neighbour's nor a unit under theirs (those
 * have their own officers). Several roles give the union of what each gives alone, which is safe
 * here because each alone already allows it on its part. Reading is wider (readScopeOf); deciding
 * is another matter (decisionScopeOf).
 */
export function scopeOf(db: Db, caller: Pick<Caller, 'grants'>): Scope {
  if (caller.grants.some((g) => g.role === 'admin' || (g.role === 'leader' && g.unitId === null))) {
    return { all: true, unitIds: new Set() };
  }
  const led = caller.grants.filter((g) => g.role === 'leader' && g.unitId !== null).map((g) => g.unitId!);
  const own = caller.grants.filter((g) => g.role === 'officer' && g.unitId !== null).map((g) => g.unitId!);
  return { all: false, unitIds: new Set([...subtreeIds(db, led), ...own]) };
}

/**
 * The READ scope: the units whose models, evidence and reports the caller may read — the work
 * scope, and the subtree of every unit the caller is an officer of (issue 22: a ward's officer
 * follows its residential groups, a department's its sub-units, without working for them). Still
 * a union of what each role gives alone: an officer's part only ever adds that officer's subtree.
 */
export function readScopeOf(db: Db, caller: Pick<Caller, 'grants'>): Scope {
  const work = scopeOf(db, caller);
  if (work.all) return work;
  const own = caller.grants.filter((g) => g.role === 'officer' && g.unitId !== null).map((g) => g.unitId!);
  return { all: false, unitIds: new Set([...work.unitIds, ...subtreeIds(db, own)]) };
}

/**
 * The units whose models the caller may decide on (approve, return, recognise, replicate,
 * commend), from the roles that decide alone: admin, and leader over a subtree. Being a unit's
 * officer gives no say over any model, so an officer's unit is never added — a leader of one unit
 * who is the officer of another cannot approve that other unit's models.
 */
export function decisionScopeOf(db: Db, caller: Pick<Caller, 'grants'>): Scope {
  if (caller.grants.some((g) => g.role === 'admin' || (g.role === 'leader' && g.unitId === null))) {
    return { all: true, unitIds: new Set() };
  }
  const led = caller.grants.filter((g) => g.role === 'leader' && g.unitId !== null).map((g) => g.unitId!);
  return { all: false, unitIds: new Set(subtreeIds(db, led)) };
}

export function inScope(scope: Scope, unitId: number): boolean {
  return scope.all || scope.unitIds.has(unitId);
}

/** Whether the caller may decide on models (approve, recognise): leaders and admins, in scope. */
export function mayDecide(caller: Caller): boolean {
  return caller.grants.some((g) => g.role === 'admin' || g.role === 'leader');
}

/**
 * Why a person may not decide on a model even inside their decision scope: nobody judges their
 * own work. 'registered': they registered it; 'officer': they are an officer of its unit.
 */
export type Conflict = 'registered' | 'officer';

export function conflictOf(caller: Pick<Caller, 'personId' | 'grants'>, model: { unitId: number; createdBy: number | null }): Conflict | undefined {
  if (model.createdBy !== null && model.createdBy === caller.personId) return 'registered';
  if (caller.grants.some((g) => g.role === 'officer' && g.unitId === model.unitId)) return 'officer';
  return undefined;
}

export interface Decider {
  personId: number;
  displayName: string;
  role: 'admin' | 'leader';
}

/**
 * Who may decide on a model other than `exceptPersonId`: leaders of its unit or of a unit above
 * it, deployment-wide leaders, and admins — leaving out anyone in conflict over this model.
 * Leaders first (they are whom a unit should ask), then admins; each person once.
 */
export function decidersFor(db: Db, model: { unitId: number; createdBy: number | null }, exceptPersonId: number): Decider[] {
  const above = ancestorIds(db, model.unitId);
  const rows = db
    .select({ personId: roles.personId, role: roles.role, unitId: roles.unitId, displayName: people.displayName })
    .from(roles)
    .innerJoin(people, eq(people.id, roles.personId))
    .where(or(eq(roles.role, 'admin'), and(eq(roles.role, 'leader'), or(isNull(roles.unitId), inArray(roles.unitId, above)))))
    .orderBy(roles.id)
    .all();
  const officers = new Set(
    db
      .select({ personId: roles.personId })
      .from(roles)
      .where(and(eq(roles.role, 'officer'), eq(roles.unitId, model.unitId)))
      .all()
      .map((r) => r.personId),
  );
  const out = new Map<number, Decider>();
  for (const role of ['leader', 'admin'] as const) {
    for (const row of rows) {
      if (row.role !== role || out.has(row.personId) || row.personId === exceptPersonId) continue;
      if (row.personId === model.createdBy || officers.has(row.personId)) continue;
      out.set(row.personId, { personId: row.personId, displayName: row.displayName, role });
    }
  }
  return [...out.values()];
}
