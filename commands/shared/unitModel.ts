import type { Db } from '../../db/client.js';
import { type ModelRow, modelByCode } from '../../db/models.js';
import type { Caller } from '../../db/people.js';
import { registrableUnits } from '../dangky.js';
import { readOnlyRefusal } from './readOnlyModel.js';

/**
 * A model the caller works on for their unit (/suamohinh, /rutlai): one of a unit they may
 * register for. A sub-unit's model the caller can read is refused as such (readOnlyModel.ts);
 * otherwise the same answer whether the model exists or not, so nobody learns other units' codes.
 */
export function unitModelOrRefusal(db: Db, caller: Caller, code: string, work: string): { model: ModelRow } | { refusal: string } {
  const model = modelByCode(db, code);
  if (model && registrableUnits(db, caller).some((u) => u.id === model.unitId)) return { model };
  const readOnly = model && readOnlyRefusal(db, caller, model, work);
  if (readOnly) return { refusal: readOnly };
  return {
    refusal: `Không có mô hình ${code} hoặc mô hình không thuộc đơn vị bạn phụ trách. Bạn kiểm tra lại mã (gõ /mohinh để xem mô hình của đơn vị).`,
  };
}
