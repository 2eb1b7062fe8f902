import type { Db } from './client.js';
import type { Caller } from './people.js';
import { subtreeIds } from './units.js';

/**
 * The units a caller may act on: an admin (or a leader of the whole deployment) all of them; a
 * leader the subtree of their unit; a unit officer exactly their own unit — never a neighbour's.
 */
export interface Scope {
  all: boolean;
  unitIds: ReadonlySet<number>;
}

export function scopeOf(db: Db, caller: Caller): Scope {
  if (caller.grants.some((g) => g.role === 'admin' || (g.role === 'leader' && g.unitId === null))) {
    return { all: true, unitIds: new Set() };
  }
  const led = caller.grants.filter((g) => g.role === 'leader' && g.unitId !== null).map((g) => g.unitId!);
  const own = caller.grants.filter((g) => g.role === 'officer' && g.unitId !== null).map((g) => g.unitId!);
  return { all: false, unitIds: new Set([...subtreeIds(db, led), ...own]) };
}

export function inScope(scope: Scope, unitId: number): boolean {
  return scope.all || scope.unitIds.has(unitId);
}

/** Whether the caller may decide on models (approve, recognise): leaders and admins, in scope. */
export function mayDecide(caller: Caller): boolean {
  return caller.grants.some((g) => g.role === 'admin' || g.role === 'leader');
}
