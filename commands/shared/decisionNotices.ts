import type { ChatRef, Notice, PersonRef } from '../../core/chat.js';
import { unitAudience } from '../../db/audience.js';
import type { Db } from '../../db/client.js';
import { findCaller, type Caller } from '../../db/people.js';
import { withMentions } from './unitNotices.js';

/**
 * Who hears of a decision on a model, and of its undo: the unit's officers, in the groups where
 * they are. The chat the decision was made in gets no notice (the answer there mentions them);
 * the person who decided is never mentioned about their own act, on any of their accounts, though
 * the notice still goes to their unit's group for the others in it.
 */
export function decisionNotices(db: Db, unitId: number, body: string, here: ChatRef, actor: Caller): { mentionHere: PersonRef[]; notices: Notice[] } {
  let mentionHere: PersonRef[] = [];
  const notices: Notice[] = [];
  for (const { chat, officers } of unitAudience(db, unitId)) {
    const others = officers.filter((p) => !isActor(db, chat, p, actor));
    if (chat.platform === here.platform && chat.id === here.id) {
      mentionHere = others;
      continue;
    }
    notices.push({ chat, reply: { text: withMentions(others, body) } });
  }
  return { mentionHere, notices };
}

function isActor(db: Db, chat: ChatRef, person: PersonRef, actor: Caller): boolean {
  if (chat.platform === actor.platform && person.platformUserId === actor.platformUserId) return true;
  // The same person through another account linked to them (/lienket).
  return findCaller(db, chat.platform, person.platformUserId)?.personId === actor.personId;
}
