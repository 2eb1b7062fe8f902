import { type SQL, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { type ModelState, MODEL_STATES } from './schema.js';

/**
 * Each model's state as it was at an instant, replayed from model_state_history: a report on
 * quarter I made in November must count a model recognised in May as still being carried out.
 *
 * One query over the history of the models asked about (the year's, in the report's units), read
 * in order and replayed here: a report of a province reads a few thousand rows, and SQLite
 * picking "the latest row per model up to t" would cost a correlated subquery per model instead.
 */

const STATES = new Set<string>(MODEL_STATES);

/**
 * Model id → its state at `atMs` (epoch ms, inclusive), for the models of `year` matching
 * `modelWhere` (a condition on alias `m`) that have a state row up to then. A model with no
 * history row at all (data older than the history) is absent: the caller keeps its current state.
 * Rows "replicated" / "commended" are after-life events and leave the state as it is.
 */
export function modelStatesAt(db: Pick<Db, 'all'>, year: number, modelWhere: SQL, atMs: number): Map<number, ModelState> {
  const rows = db.all<{ modelId: number; toState: string }>(sql`
    select h.model_id as modelId, h.to_state as toState
    from models m join model_state_history h on h.model_id = m.id
    where m.year = ${year} and ${modelWhere} and h.at <= ${atMs}
    order by h.model_id, h.at, h.id`);
  const states = new Map<number, ModelState>();
  // Ordered by model then time: the last state row of each model wins.
  for (const row of rows) if (STATES.has(row.toState)) states.set(row.modelId, row.toState as ModelState);
  return states;
}
