import { eq } from 'drizzle-orm';
import { type Actor, recordAudit } from './audit.js';
import type { Db } from './client.js';
import type { ModelRow } from './models.js';
import { models, modelStateHistory } from './schema.js';

/**
 * A unit withdrawing its pending registration (/rutlai). There is no "withdrawn" state: one would
 * need a migration and a column in every report. The model is marked "bị trả lại" with the unit's
 * reason instead, so its history and code stay, reports read it as they read any returned model
 * (with the reason shown), and the unit can still fix it and send it again (/suamohinh).
 */

/** How the reason reads on the history row, apart from a leader's return. */
export function withdrawReason(reason: string): string {
  return `Đơn vị rút lại: ${reason}`;
}

export class ModelNotPending extends Error {
  constructor(readonly state: ModelRow['state']) {
    super(`cannot withdraw a model in state ${state}`);
  }
}

/** Marks a pending model returned with the unit's reason; runs inside the caller's transaction. */
export function withdrawModel(tx: Db, model: ModelRow, reason: string, actor: Actor, now: Date): ModelRow {
  if (model.state !== 'pending') throw new ModelNotPending(model.state);
  const at = now.getTime();
  const after = tx.update(models).set({ state: 'returned', updatedAt: at }).where(eq(models.id, model.id)).returning().get();
  tx.insert(modelStateHistory)
    .values({ modelId: model.id, fromState: 'pending', toState: 'returned', reason: withdrawReason(reason), actorPersonId: actor.personId, at })
    .run();
  // Its own action, not "model.return": it is no leader's decision, and /hoantac leaves it alone.
  recordAudit(tx, actor, now, { action: 'model.withdraw', entity: 'model', entityId: model.id, before: model, after: { ...after, reason } });
  return after;
}
