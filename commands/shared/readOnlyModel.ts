import type { Db } from '../../db/client.js';
import type { ModelRow } from '../../db/models.js';
import type { Caller } from '../../db/people.js';
import { inScope, readScopeOf, scopeOf } from '../../db/scope.js';
import { unitById } from '../../db/units.js';

/**
 * Why the caller may read a model but not work on it: it belongs to a unit under theirs (an officer
 * of a ward reads its residential groups' models, db/scope.ts). The caller knows the model, so the
 * refusal says whose it is instead of "not found". Undefined when the caller may work on it, or
 * may not even read it (then the command answers as for a code that does not exist).
 */
export function readOnlyRefusal(db: Db, caller: Caller, model: ModelRow, work: string): string | undefined {
  if (inScope(scopeOf(db, caller), model.unitId) || !inScope(readScopeOf(db, caller), model.unitId)) return undefined;
  return readOnlySentence(db, model, `: ${work} do cán bộ đầu mối của đơn vị đó làm`);
}

/** "DVK-2026-0007 thuộc Tổ dân phố 3<whose>. Bạn chỉ xem được mô hình này …": whose a sub-unit's model is, and that it is only read. */
export function readOnlySentence(db: Db, model: ModelRow, whose: string): string {
  const unit = unitById(db, model.unitId)?.name ?? 'một đơn vị trực thuộc';
  return `${model.code} thuộc ${unit}${whose}. Bạn chỉ xem được mô hình này (gõ /mohinh ${model.code}); chưa có gì thay đổi.`;
}
