import { eq } from 'drizzle-orm';
import { SYSTEM_ACTOR } from '../../db/audit.js';
import type { Db } from '../../db/client.js';
import { resolveCaller } from '../../db/people.js';
import { grantRole } from '../../db/roles.js';
import { people, type Role, type UnitKind } from '../../db/schema.js';
import { createUnit } from '../../db/unitAdmin.js';

/**
 * A small province after 1/7/2025 for the tests of who issues a Word report: state bodies (the
 * province, two departments, a commune and a school of it) and Party bodies (the Tỉnh ủy's Ban,
 * the Đảng ủy of the provincial People's Committee, a commune's Đảng ủy and a cell under it).
 * Built here rather than from the demo, whose unit codes are being changed elsewhere.
 */

/** [shortCode, name, kind, parent shortCode] in creation order. */
export const ISSUER_TREE: readonly (readonly [string, string, UnitKind, string | null])[] = [
  ['HATINH', 'Tỉnh Hà Tĩnh', 'province', null],
  ['SNV', 'Sở Nội vụ', 'department', 'HATINH'],
  ['SYT', 'Sở Y tế', 'department', 'HATINH'],
  ['BTGDVTU', 'Ban Tuyên giáo và Dân vận Tỉnh ủy', 'party', 'HATINH'],
  ['DUUBND', 'Đảng ủy UBND tỉnh', 'party', 'HATINH'],
  ['CAMBINH', 'Xã Cẩm Bình', 'commune', 'HATINH'],
  ['THCAMBINH', 'Trường Tiểu học Cẩm Bình', 'school', 'CAMBINH'],
  ['DUCAMBINH', 'Đảng ủy xã Cẩm Bình', 'party', 'HATINH'],
  ['CBTHON1', 'Chi bộ thôn 1', 'party', 'DUCAMBINH'],
];

/** Creates the tree; returns each unit's id by its short code. */
export function buildIssuerTree(db: Db, now: Date): Record<string, number> {
  const ids: Record<string, number> = {};
  db.transaction((tx) => {
    for (const [shortCode, name, kind, parent] of ISSUER_TREE) {
      ids[shortCode] = createUnit(tx, { name, shortCode, kind, parentId: parent === null ? null : ids[parent]! }, SYSTEM_ACTOR, now).id;
    }
  });
  return ids;
}

/**
 * A person of the simulator (the account id is the name, as the harness sends it) with these
 * roles (`unit` null: the whole deployment) and, when given, the unit they work for.
 */
export function addPerson(
  db: Db,
  name: string,
  roles: ReadonlyArray<{ role: Role; unit: string | null }>,
  ids: Record<string, number>,
  now: Date,
  worksFor?: string,
): number {
  const caller = resolveCaller(db, 'console', { id: name, displayName: name }, now);
  db.transaction((tx) => {
    for (const { role, unit } of roles) grantRole(tx, { personId: caller.personId, role, unitId: unit === null ? null : ids[unit]! }, SYSTEM_ACTOR, now);
    if (worksFor !== undefined) tx.update(people).set({ unitId: ids[worksFor]! }).where(eq(people.id, caller.personId)).run();
  });
  return caller.personId;
}
