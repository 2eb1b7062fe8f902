import type { Db } from './client.js';
import { type AwaitingModel, modelsAwaiting } from './modelQueries.js';
import type { Scope } from './scope.js';

/**
 * What waits for the leaders of a decision scope: registrations to approve or return ("chờ
 * duyệt": new ones, and returned ones fixed and sent again) and proposals to recognise ("đề nghị
 * công nhận"). Each kind oldest first by when the model entered the state it waits in, the order
 * /duyet and /congnhan number their lists in, so the codes a digest names come first there too.
 */
export interface WaitingKind {
  /** The first `limit`, oldest first. */
  items: AwaitingModel[];
  total: number;
}

export interface ReviewQueue {
  pending: WaitingKind;
  proposed: WaitingKind;
}

export function reviewQueue(db: Db, scope: Scope, limit: number): ReviewQueue {
  const kind = (state: 'pending' | 'proposed'): WaitingKind => {
    const { items, total } = modelsAwaiting(db, scope, { states: [state] }, limit);
    return { items, total };
  };
  return { pending: kind('pending'), proposed: kind('proposed') };
}

/** Every model the queue holds, both kinds. */
export function waitingCount(queue: ReviewQueue): number {
  return queue.pending.total + queue.proposed.total;
}
