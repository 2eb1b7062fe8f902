import { and, desc, eq, gte, inArray, lte } from 'drizzle-orm';
import { type Actor, recordAudit } from './audit.js';
import type { Db } from './client.js';
import { UPDATABLE_STATES } from './modelQueries.js';
import { MODEL_EVENTS, MODEL_TRANSITIONS, type ModelEvent, type ModelRow, modelById } from './models.js';
import { auditLog, MODEL_STATES, type ModelState, models, modelStateHistory, people, progressUpdates } from './schema.js';

/**
 * Undoing a person's last decision on a model (/hoantac), derived from what the decision already
 * wrote: its audit row holds the model before and after, so nothing new is stored to undo it. The
 * undo is itself a decision: the model's state (or its replicated / commended mark) goes back, a
 * history row and an audit row "model.undo" say so, and nothing is deleted.
 */

/** How long a decision can be undone: long enough to notice a slip, short enough that nobody built on it. */
export const UNDO_WINDOW_MS = 10 * 60_000;

/**
 * How far back a person's last decision is looked for. Past the window, so someone a little late
 * hears that it is too late rather than that they decided nothing; bounded, so the audit log is read
 * through its time index and not whole.
 */
const LOOKBACK_MS = 24 * 60 * 60_000;

const DECISION_ACTIONS = MODEL_EVENTS.map((e) => `model.${e}`);
export const UNDO_ACTION = 'model.undo';
/** Removing a one-off deadline (/xoahan) is a decision too, but not one /hoantac brings back. */
export const DEADLINE_REMOVAL_ACTION = 'deadline.remove';

export interface PastDecision {
  auditId: number;
  at: number;
  event: ModelEvent;
  modelId: number;
  /** The model as the decision found it and as it left it (the audit row's before and after). */
  before: ModelRow;
  after: ModelRow;
}

/** What the person did last, of the things /hoantac looks at. */
export type LastAct =
  | { kind: 'decision'; decision: PastDecision }
  /** Their last act was an undo already: the decision it undid, and when. */
  | { kind: 'undone'; decision: PastDecision; undoneAt: number }
  | { kind: 'deadline'; deadlineId: number; title: string; at: number };

/** The person's latest decision, undo or deadline removal within the lookback; undefined if none. */
export function lastActOf(db: Db, personId: number, now: Date): LastAct | undefined {
  const row = db
    .select()
    .from(auditLog)
    .where(
      and(
        gte(auditLog.at, now.getTime() - LOOKBACK_MS),
        lte(auditLog.at, now.getTime()),
        eq(auditLog.actorPersonId, personId),
        inArray(auditLog.action, [...DECISION_ACTIONS, UNDO_ACTION, DEADLINE_REMOVAL_ACTION]),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(1)
    .get();
  if (!row) return undefined;
  if (row.action === DEADLINE_REMOVAL_ACTION) {
    const before = row.before as { title?: unknown } | null;
    return { kind: 'deadline', deadlineId: Number(row.entityId), title: typeof before?.title === 'string' ? before.title : '', at: row.at };
  }
  if (row.action === UNDO_ACTION) {
    const undoes = (row.after as { undoes?: unknown } | null)?.undoes;
    const undone = typeof undoes === 'number' ? decisionById(db, undoes) : undefined;
    return undone ? { kind: 'undone', decision: undone, undoneAt: row.at } : undefined;
  }
  const decision = pastDecision(row);
  return decision ? { kind: 'decision', decision } : undefined;
}

function decisionById(db: Db, auditId: number): PastDecision | undefined {
  const row = db.select().from(auditLog).where(eq(auditLog.id, auditId)).get();
  return row ? pastDecision(row) : undefined;
}

function pastDecision(row: typeof auditLog.$inferSelect): PastDecision | undefined {
  const event = row.action.slice('model.'.length) as ModelEvent;
  if (!MODEL_EVENTS.includes(event) || row.entityId === null) return undefined;
  const before = row.before as ModelRow | null;
  const after = row.after as ModelRow | null;
  if (!before || !after || !isState(before.state)) return undefined;
  return { auditId: row.id, at: row.at, event, modelId: Number(row.entityId), before, after };
}

function isState(value: unknown): value is ModelState {
  return typeof value === 'string' && (MODEL_STATES as readonly string[]).includes(value);
}

/** The state an undo takes the model back to. */
export function stateBefore(decision: PastDecision): ModelState {
  return decision.before.state;
}

/** Why an undo cannot be made: the model moved on since the decision. */
export type UndoRefusal =
  | { why: 'missing' }
  /** Someone (or something) changed the model after the decision; the latest state change, if one explains it. */
  | { why: 'changed'; since?: { toState: string; actorName: string | null; at: number } }
  /** A progress update arrived after the decision, and the state to go back to takes none. */
  | { why: 'updated'; at: number };

/**
 * Undoes a decision. Runs inside the caller's (immediate) transaction, so nothing moves between the
 * check and the change. `reason` is written on the history row, as a decision's reason is.
 */
export function undoDecision(tx: Db, decision: PastDecision, reason: string, actor: Actor, now: Date): { model: ModelRow } | UndoRefusal {
  const model = modelById(tx, decision.modelId);
  if (!model) return { why: 'missing' };
  const { after } = decision;
  // updatedAt moves with every write to the model (a state change, an edit): equal means untouched.
  const untouched =
    model.state === after.state && model.replicatedAt === after.replicatedAt && model.commendedAt === after.commendedAt && model.updatedAt === after.updatedAt;
  if (!untouched) return { why: 'changed', since: latestChange(tx, decision) };
  const back = stateBefore(decision);
  if (!UPDATABLE_STATES.includes(back)) {
    const update = tx
      .select({ at: progressUpdates.createdAt })
      .from(progressUpdates)
      .where(and(eq(progressUpdates.modelId, model.id), gte(progressUpdates.createdAt, decision.at)))
      .orderBy(desc(progressUpdates.createdAt))
      .limit(1)
      .get();
    if (update) return { why: 'updated', at: update.at };
  }

  const at = now.getTime();
  const afterLife = MODEL_TRANSITIONS[decision.event].to === null;
  const patch = !afterLife
    ? { state: back, updatedAt: at }
    : decision.event === 'replicate'
      ? { replicatedAt: null, updatedAt: at }
      : { commendedAt: null, updatedAt: at };
  const restored = tx.update(models).set(patch).where(eq(models.id, model.id)).returning().get();
  tx.insert(modelStateHistory).values({ modelId: model.id, fromState: model.state, toState: restored.state, reason, actorPersonId: actor.personId, at }).run();
  recordAudit(tx, actor, now, {
    action: UNDO_ACTION,
    entity: 'model',
    entityId: model.id,
    before: model,
    after: { ...restored, undoes: decision.auditId, undoneAction: `model.${decision.event}` },
  });
  return { model: restored };
}

/**
 * The last state change of a model after the decision, with who made it. Rows of the same instant
 * count (a clock does not always move between two decisions), so the decision's own row is found
 * among them and only the rows written after it are changes.
 */
function latestChange(db: Db, decision: PastDecision): { toState: string; actorName: string | null; at: number } | undefined {
  const rows = db
    .select({ toState: modelStateHistory.toState, actorName: people.displayName, at: modelStateHistory.at })
    .from(modelStateHistory)
    .leftJoin(people, eq(people.id, modelStateHistory.actorPersonId))
    .where(and(eq(modelStateHistory.modelId, decision.modelId), gte(modelStateHistory.at, decision.at)))
    .orderBy(desc(modelStateHistory.id))
    .all();
  const ownTo = MODEL_TRANSITIONS[decision.event].to ?? (decision.event === 'replicate' ? 'replicated' : 'commended');
  const own = rows.findIndex((r) => r.at === decision.at && r.toState === ownTo);
  return own === 0 ? undefined : rows[0];
}

/**
 * The reason of the last time the model entered `state` before an instant: an undo that takes a
 * model back to "bị trả lại" or "không công nhận" repeats why it was so, since reports read the
 * reason from the latest row into that state.
 */
export function reasonOfState(db: Db, modelId: number, state: ModelState, before: number): string | null {
  const row = db
    .select({ reason: modelStateHistory.reason })
    .from(modelStateHistory)
    .where(and(eq(modelStateHistory.modelId, modelId), eq(modelStateHistory.toState, state), lte(modelStateHistory.at, before)))
    .orderBy(desc(modelStateHistory.at), desc(modelStateHistory.id))
    .limit(1)
    .get();
  return row?.reason ?? null;
}
