import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { Caller } from '../../db/people.js';
import type { ReportScope } from '../../db/reportData.js';
import { units } from '../../db/schema.js';
import { ellipsize } from '../../core/text.js';
import { allUnits } from '../../db/unitAdmin.js';
import { activeUnits, ancestorIds, subtreeIds, type UnitRow } from '../../db/units.js';
import { ambiguousUnits, findUnit } from './unitNames.js';

/**
 * Which units a /baocao covers. Admins and deployment-wide leaders: anything, by default the whole
 * deployment (its top unit when there is one, so the report is titled "Tỉnh Hà Tĩnh"). A leader:
 * the subtree they lead. A unit officer: their own unit only, never the units under it (those have
 * their own officers and leaders). A unit the caller may not see is "not found", whether it exists or
 * not, so the command does not reveal other provinces' units.
 */

export type ScopeResult = { ok: true; scope: ReportScope } | { ok: false; error: string };

export function resolveReportScope(db: Db, caller: Caller, typed: string): ScopeResult {
  const everything = caller.grants.some((g) => g.role === 'admin' || (g.role === 'leader' && g.unitId === null));
  const led = caller.grants.filter((g) => g.role === 'leader' && g.unitId !== null).map((g) => g.unitId!);
  const own = caller.grants.filter((g) => g.role === 'officer' && g.unitId !== null).map((g) => g.unitId!);
  const ledSubtree = new Set(subtreeIds(db, led));
  // A stopped unit stays readable by its own people (commands/stoppedUnit.ts).
  const visible = everything ? activeUnits(db) : allUnits(db).filter((u) => ledSubtree.has(u.id) || own.includes(u.id));

  if (typed !== '') {
    const { unit, candidates } = findUnit(visible, typed);
    if (unit) return { ok: true, scope: { rootUnitId: unit.id, subtree: everything || ledSubtree.has(unit.id) } };
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
  const ledTops = visible.filter(
    (u) =>
      led.includes(u.id) &&
      !ancestorIds(db, u.id)
        .slice(1)
        .some((a) => led.includes(a)),
  );
  if (ledTops.length === 1) return { ok: true, scope: { rootUnitId: ledTops[0]!.id, subtree: true } };
  if (ledTops.length > 1) return { ok: false, error: several(ledTops) };
  const ownUnits = visible.filter((u) => own.includes(u.id));
  if (ownUnits.length === 1) return { ok: true, scope: { rootUnitId: ownUnits[0]!.id, subtree: false } };
  if (ownUnits.length > 1) return { ok: false, error: several(ownUnits) };
  return { ok: false, error: 'Bạn chưa thuộc đơn vị nào nên chưa có báo cáo để xem. Gõ /thamgia <mã> để tham gia đơn vị của mình.' };
}

function several(list: readonly UnitRow[]): string {
  return `Bạn phụ trách nhiều đơn vị: ${list.map((u) => `${u.name} (${u.shortCode})`).join('; ')}. Gõ /baocao kèm mã đơn vị, ví dụ /baocao ${list[0]!.shortCode}.`;
}
