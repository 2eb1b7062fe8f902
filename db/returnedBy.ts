import { and, desc, eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { modelStateHistory } from './schema.js';

/**
 * Who last sent the model back ("bị trả lại"): the actor of its latest move into 'returned', or
 * undefined when it never was or that person has been removed. A unit's own withdrawal (/rutlai)
 * is such a move too; callers that want the reviewing leader check the person may decide.
 */
export function lastReturner(db: Pick<Db, 'select'>, modelId: number): number | undefined {
  const row = db
    .select({ personId: modelStateHistory.actorPersonId })
    .from(modelStateHistory)
    .where(and(eq(modelStateHistory.modelId, modelId), eq(modelStateHistory.toState, 'returned')))
    .orderBy(desc(modelStateHistory.at), desc(modelStateHistory.id))
    .limit(1)
    .get();
  return row?.personId ?? undefined;
}
