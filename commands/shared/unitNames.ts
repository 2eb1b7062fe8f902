import { fold } from '../../core/text.js';
import type { Db } from '../../db/client.js';
import { allUnits, unitByCode } from '../../db/unitAdmin.js';
import type { UnitRow } from '../../db/units.js';

/** How commands name a unit and find one from what a person typed; one place, so every command agrees. */

/** "Xã Cẩm Xuyên (CAMXUYEN)": how a unit is named in every admin reply. */
export function unitLabel(unit: Pick<UnitRow, 'name' | 'shortCode'>): string {
  return `${unit.name} (${unit.shortCode})`;
}

/** A unit typed by its short code or its name, among all units (active or not). */
export function unitFromArgs(db: Db, typed: string): UnitRow | undefined {
  return unitByCode(db, typed) ?? findUnit(allUnits(db), typed).unit;
}

/** A unit typed by its short code or (part of) its name, among the allowed ones. */
export function findUnit(allowed: readonly UnitRow[], raw: string): { unit?: UnitRow; candidates: UnitRow[] } {
  const typed = fold(raw);
  const byCode = allowed.find((u) => u.shortCode.toLowerCase() === typed.replace(/\s+/g, ''));
  if (byCode) return { unit: byCode, candidates: [] };
  const byName = allowed.find((u) => fold(u.name) === typed);
  if (byName) return { unit: byName, candidates: [] };
  const candidates = typed.length >= 3 ? allowed.filter((u) => fold(u.name).includes(typed)) : [];
  return candidates.length === 1 ? { unit: candidates[0], candidates: [] } : { candidates };
}

/** What findUnit's several candidates are told: a few of them, and to type the code. */
export function ambiguousUnits(candidates: readonly UnitRow[]): string {
  return `Có ${candidates.length} đơn vị khớp, ví dụ: ${candidates.slice(0, 5).map(unitLabel).join('; ')}. Bạn gõ mã đơn vị cho chắc.`;
}
