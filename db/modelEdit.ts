import { eq } from 'drizzle-orm';
import { type Actor, recordAudit } from './audit.js';
import type { Db } from './client.js';
import { DuplicateModelName, type ModelRow, type NewModel, sameNameModel } from './models.js';
import { type ModelState, models, modelStateHistory } from './schema.js';

/**
 * A unit fixing its own registration (/suamohinh): a returned model is sent again, a pending one
 * corrected before anyone decided on it. Nothing is deleted: the row is updated in place, the
 * audit row keeps it as it was, and a returned model's history gains the row that sends it back
 * to "chờ duyệt".
 */

/** The states a unit may still edit: nobody has approved the model yet. */
export const EDITABLE_STATES: readonly ModelState[] = ['pending', 'returned'];

/** Written on the history row of a returned model sent again. */
export const RESUBMIT_REASON = 'Đơn vị sửa và gửi lại';

export class ModelNotEditable extends Error {
  constructor(readonly state: ModelState) {
    super(`cannot edit a model in state ${state}`);
  }
}

/**
 * Replaces the registration's answers of `model` (its code, unit and year stay) and makes it
 * pending. Runs inside the caller's transaction; throws DuplicateModelName when another model of
 * the unit and year already has the name, ModelNotEditable when it was decided on meanwhile.
 */
export function editModel(tx: Db, model: ModelRow, input: NewModel, actor: Actor, now: Date): ModelRow {
  if (!EDITABLE_STATES.includes(model.state)) throw new ModelNotEditable(model.state);
  const taken = sameNameModel(tx, model.unitId, model.year, input.nameKey);
  if (taken && taken.id !== model.id) throw new DuplicateModelName(taken.code);
  const at = now.getTime();
  const after = tx
    .update(models)
    .set({
      kind: input.kind,
      holderType: input.holderType,
      holderName: input.holderName,
      fieldId: input.fieldId,
      name: input.name,
      nameKey: input.nameKey,
      content: input.content,
      expectedResult: input.expectedResult,
      startDate: input.startDate,
      endDate: input.endDate,
      personInCharge: input.personInCharge,
      state: 'pending',
      updatedAt: at,
    })
    .where(eq(models.id, model.id))
    .returning()
    .get();
  // A pending model stays pending: its history holds states, so the edit is kept in the audit
  // row alone (a pending→pending row would also move its place in /duyet's queue).
  if (model.state === 'returned') {
    tx.insert(modelStateHistory)
      .values({ modelId: model.id, fromState: 'returned', toState: 'pending', reason: RESUBMIT_REASON, actorPersonId: actor.personId, at })
      .run();
  }
  recordAudit(tx, actor, now, { action: 'model.edit', entity: 'model', entityId: model.id, before: model, after });
  return after;
}
