import type { ChatRef } from '../../core/chat.js';
import type { Answers } from '../../commands/shared/flow.js';
import type { AnswerInput, FlowState } from '../../commands/shared/flowEngine.js';
import type { Db } from '../../db/client.js';
import type { Caller } from '../../db/people.js';

/**
 * A flow state for testing the step logic on its own: no database (the state's `db` throws if
 * anything touches it), no clock (the state carries `NOW`), a group chat, one caller.
 */

const untouchable = new Proxy({} as Db, {
  get(_, key) {
    throw new Error(`the step logic touched the database (${String(key)})`);
  },
});

export const GROUP: ChatRef = { platform: 'console', id: 'Nhóm thử', kind: 'group', title: 'Nhóm thử' };
export const CALLER: Caller = { personId: 1, displayName: 'Lan', platform: 'console', platformUserId: 'Lan', unitId: null, grants: [] };
export const NOW = new Date('2026-03-10T09:00:00+07:00');

export function stepState(answers: Answers = {}, context: Record<string, unknown> = {}): FlowState {
  return { answers, context, now: NOW, db: untouchable, caller: CALLER, chat: GROUP };
}

/** A message typed in answer. */
export function typed(text: string, more: Partial<AnswerInput> = {}): AnswerInput {
  return { text, attachments: [], ...more };
}
