import type { ScopeUnit } from '../db/reportData.js';

/**
 * Each unit's place in the report's tree as one line of text, from the report's top down to the
 * unit itself: "Tỉnh Hà Tĩnh › Ủy ban MTTQ tỉnh › Tỉnh đoàn". A spreadsheet filtered on "contains
 * Tỉnh đoàn" then keeps the models of Tỉnh đoàn and of every unit under it, which a column of the
 * unit's own name alone cannot do.
 *
 * Built from the report's units (each parent before its children), so a unit report starts at its
 * root: the units above it are not in the report.
 */

export const PATH_SEPARATOR = ' › ';

export function unitPaths(units: readonly ScopeUnit[]): Map<number, string> {
  const paths = new Map<number, string>();
  for (const unit of units) {
    const above = unit.parentId === null ? undefined : paths.get(unit.parentId);
    paths.set(unit.id, above === undefined ? unit.name : `${above}${PATH_SEPARATOR}${unit.name}`);
  }
  return paths;
}
