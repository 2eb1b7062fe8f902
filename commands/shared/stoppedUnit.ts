import type { Db } from '../../db/client.js';
import type { Caller } from '../../db/people.js';
import { type UnitRow, unitById } from '../../db/units.js';

/**
 * A unit an admin stopped (/suadonvi → ngừng hoạt động) does no more work: nobody registers,
 * updates, corrects an update or proposes for it. What its people can still do is read, and the
 * refusal says so, in the same words wherever it is met.
 */
export function stoppedUnit(unitName: string): string {
  return `${unitName} đã ngừng hoạt động nên không đăng ký, cập nhật hay đề nghị công nhận mô hình được nữa. Bạn vẫn xem được mô hình (/mohinh) và báo cáo (/baocao) của đơn vị.`;
}

/** A stopped unit the caller holds a role in: why they found nothing to do, when they found nothing. */
export function stoppedUnitOf(db: Db, caller: Caller): UnitRow | undefined {
  for (const grant of caller.grants) {
    const unit = grant.unitId === null ? undefined : unitById(db, grant.unitId);
    if (unit && !unit.active) return unit;
  }
  return undefined;
}
