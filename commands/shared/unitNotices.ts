import type { ChatRef, Notice, PersonRef, TextPart } from '../../core/chat.js';
import { unitAudience } from '../../db/audience.js';
import type { Db } from '../../db/client.js';

/**
 * Notices telling a unit's officers about a change, mentioning them. The chat the change was
 * made in gets none (the person there already saw the answer); its officers are returned so
 * that answer can mention them instead.
 */
export function unitNotices(db: Db, unitId: number, body: string, here: ChatRef): { mentionHere: PersonRef[]; notices: Notice[] } {
  let mentionHere: PersonRef[] = [];
  const notices: Notice[] = [];
  for (const { chat, officers } of unitAudience(db, unitId)) {
    if (chat.platform === here.platform && chat.id === here.id) {
      mentionHere = officers;
      continue;
    }
    notices.push({ chat, reply: { text: withMentions(officers, body) } });
  }
  return { mentionHere, notices };
}

/** "@A, @B: body" — or just the body when there is nobody to mention. */
export function withMentions(people: readonly PersonRef[], body: string): TextPart[] {
  if (people.length === 0) return [body];
  const parts: TextPart[] = [];
  people.forEach((person, i) => {
    if (i > 0) parts.push(', ');
    parts.push({ mention: person });
  });
  parts.push(`: ${body}`);
  return parts;
}
