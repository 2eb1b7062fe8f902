import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { Caller } from '../../db/people.js';
import type { ReportScope } from '../../db/reportData.js';
import { units } from '../../db/schema.js';
import { readScopeOf, scopeOf } from '../../db/scope.js';
import { ellipsize } from '../../core/text.js';
import { allUnits } from '../../db/unitAdmin.js';
import { activeUnits, ancestorIds, type UnitRow } from '../../db/units.js';
import { ambiguousUnits, findUnit } from './unitNames.js';

/**
 * Which units a /baocao covers. Admins and deployment-wide leaders: anything, by default the whole
 * deployment (its top unit when there is one, so the report is titled "Tỉnh Hà Tĩnh"). A leader:
 * the subtree they lead. A unit officer: their unit with the units under it (issue 22: a ward's
 * officer follows its residential groups), titled as their unit; any unit of that subtree when
 * typed. Reading only: the units under it keep their own officers, and the report is issued only
 * in the name of a unit the caller works for (resolveReportIssuer). A unit the caller may not see
 * is "not found", whether it exists or not, so the command does not reveal other provinces' units.
 */

export type ScopeResult = { ok: true; scope: ReportScope } | { ok: false; error: string };

export function resolveReportScope(db: Db, caller: Caller, typed: string): ScopeResult {
  const { everything, led, own, readable, visible } = reportUnitsOf(db, caller);

  if (typed !== '') {
    const { unit, candidates } = findUnit(visible, typed);
    if (unit) return { ok: true, scope: { rootUnitId: unit.id, subtree: everything || readable.has(unit.id) } };
    if (candidates.length > 1) return { ok: false, error: ambiguousUnits(candidates) };
    return {
      ok: false,
      error: `Đơn vị ${ellipsize(typed, 40)} không có hoặc ở ngoài phạm vi bạn được xem báo cáo. Gõ đúng mã đơn vị (ví dụ /baocao SNV), hoặc chỉ /baocao để xem báo cáo của phạm vi bạn phụ trách.`,
    };
  }

  if (everything) {
    const tops = db
      .select()
      .from(units)
      .where(and(isNull(units.parentId), eq(units.active, true)))
      .all();
    return { ok: true, scope: { rootUnitId: tops.length === 1 ? tops[0]!.id : null, subtree: true } };
  }
  // The units a leader leads that are not inside another unit they lead.
  const ledTops = topsAmong(db, visible, led);
  if (ledTops.length === 1) return { ok: true, scope: { rootUnitId: ledTops[0]!.id, subtree: true } };
  if (ledTops.length > 1) return { ok: false, error: several(ledTops) };
  // Likewise an officer's units, each with the units under it.
  const ownTops = topsAmong(db, visible, own);
  if (ownTops.length === 1) return { ok: true, scope: { rootUnitId: ownTops[0]!.id, subtree: true } };
  if (ownTops.length > 1) return { ok: false, error: several(ownTops) };
  return { ok: false, error: 'Bạn chưa thuộc đơn vị nào nên chưa có báo cáo để xem. Gõ /thamgia <mã> để tham gia đơn vị của mình.' };
}

/** The units of `list` that are in `roots` and not inside another of `roots`. */
function topsAmong(db: Db, list: readonly UnitRow[], roots: readonly number[]): UnitRow[] {
  return list.filter(
    (u) =>
      roots.includes(u.id) &&
      !ancestorIds(db, u.id)
        .slice(1)
        .some((a) => roots.includes(a)),
  );
}

/**
 * The units a caller's report may cover (`visible`: the read scope of db/scope.ts), those they
 * may issue one for (`speaksFor`: the work scope — not the units under an officer's unit, which
 * speak for themselves), and the grants that make them so.
 */
function reportUnitsOf(db: Db, caller: Caller) {
  const everything = caller.grants.some((g) => g.role === 'admin' || (g.role === 'leader' && g.unitId === null));
  const led = caller.grants.filter((g) => g.role === 'leader' && g.unitId !== null).map((g) => g.unitId!);
  const own = caller.grants.filter((g) => g.role === 'officer' && g.unitId !== null).map((g) => g.unitId!);
  const readable = readScopeOf(db, caller).unitIds;
  const works = scopeOf(db, caller).unitIds;
  // A stopped unit stays readable by its own people (commands/stoppedUnit.ts).
  const visible = everything ? activeUnits(db) : allUnits(db).filter((u) => readable.has(u.id));
  const speaksFor = everything ? visible : visible.filter((u) => works.has(u.id));
  return { everything, led, own, readable, visible, speaksFor };
}

export type IssuerResult = { ok: true; unitId: number | null } | { ok: false; error: string };

/**
 * Which unit issues a Word report (reports/issuer.ts lays its header out). By default the unit
 * the caller works for; none for a person of no unit (an operator), whose report the root unit
 * issues as before. A unit typed after "banhanh" must be one the caller may speak for: their
 * own, one they are an officer of (not the units under it), one they lead (with the units under
 * it), any for an admin. Another is "not found", as for a report's scope, so the command does not
 * reveal other units.
 */
export function resolveReportIssuer(db: Db, caller: Caller, typed: string): IssuerResult {
  if (typed === '') return { ok: true, unitId: caller.unitId };
  const { speaksFor: visible } = reportUnitsOf(db, caller);
  const mine = caller.unitId === null || visible.some((u) => u.id === caller.unitId) ? [] : allUnits(db).filter((u) => u.id === caller.unitId);
  const { unit, candidates } = findUnit([...visible, ...mine], typed);
  if (unit) return { ok: true, unitId: unit.id };
  if (candidates.length > 1) return { ok: false, error: ambiguousUnits(candidates) };
  const example = [...mine, ...visible].find((u) => u.id === caller.unitId)?.shortCode ?? visible[0]?.shortCode ?? 'SNV';
  return {
    ok: false,
    error:
      `Đơn vị ${ellipsize(typed, 40)} không có hoặc không phải đơn vị bạn thuộc hay phụ trách, nên bot chưa ghi được đơn vị đó là cơ quan ban hành báo cáo. ` +
      `Bạn gõ mã một đơn vị của mình (ví dụ /baocao word banhanh ${example}), hoặc bỏ phần “banhanh” để bot ghi đơn vị của bạn.`,
  };
}

function several(list: readonly UnitRow[]): string {
  return `Bạn phụ trách nhiều đơn vị: ${list.map((u) => `${u.name} (${u.shortCode})`).join('; ')}. Gõ /baocao kèm mã đơn vị, ví dụ /baocao ${list[0]!.shortCode}.`;
}
