import type { PersonRef, Reply } from '../../core/chat.js';
import { nfc } from '../../core/text.js';
import { packAtoms } from '../chunking.js';
import { numberedChoices } from '../numberedChoices.js';

/**
 * A Reply as the texts an OA posts in a group. Zalo has no mention objects for groups: a mention
 * is `[@user_id]` written in the text (docs/zalo-oa-api.md §3b), which Zalo shows as the person's
 * name. So:
 * - only a person the bot knows by an OA-scoped id (a `zalo-oa` identity) is mentioned that way;
 *   anyone else is named in plain text (their id elsewhere means nothing to Zalo here);
 * - the same pattern in any other text (a label, a unit's name, what a member typed and the bot
 *   repeats) would become a mention nobody meant, so `[@` there is written `[ @`: visible, but
 *   unlike an invisible character it cannot be undone by a client that strips those;
 * - a token is never cut between two messages, where it would show as broken brackets;
 * - choices are numbered lines, as on the personal route, since groups have no buttons.
 * Files are not rendered here.
 */

/**
 * The longest text sent at once, in UTF-16 units of the NFC text (never fewer than the characters
 * Zalo may count). Zalo states 2,000 for image captions and 1:1 texts, nothing for group texts.
 */
export const OA_MESSAGE_LIMIT = 2000;

export interface OaRenderOptions {
  /** OA-scoped user ids the bot holds a `zalo-oa` identity for (a Set will do). */
  identities: { has(platformUserId: string): boolean };
  limit?: number;
}

/** Characters Zalo might drop between `[` and `@` (zero-width and other invisible marks). */
const FORGED_MENTION = /\[[\u00ad\u034f\u180e\u200b-\u200f\u2060-\u206f\ufeff]*@/g;

/** A text that cannot contain a mention token. */
export function neutraliseMentions(text: string): string {
  return text.replace(FORGED_MENTION, '[ @');
}

/** One piece of text that must not be cut: a character, or a whole mention token. */
interface Atom {
  text: string;
  mention?: true;
}

function tokenOf(person: PersonRef, identities: OaRenderOptions['identities']): string | undefined {
  const uid = person.platformUserId;
  // Digits only: an id is written inside the brackets as it is, so nothing else may reach them.
  return /^\d+$/.test(uid) && identities.has(uid) ? `[@${uid}]` : undefined;
}

function atomsOf(reply: Reply, identities: OaRenderOptions['identities']): Atom[] {
  const parts = typeof reply.text === 'string' ? [reply.text] : reply.text;
  const atoms: Atom[] = [];
  let run = '';
  // A run is normalised and neutralised whole: "[" and "@" from two parts (a plain name after a
  // "[") must not meet unseen, and a mark split from its letter still composes.
  const flushRun = () => {
    for (const ch of neutraliseMentions(nfc(run))) atoms.push({ text: ch });
    run = '';
  };
  for (const part of parts) {
    if (typeof part === 'string') {
      run += part;
      continue;
    }
    const token = tokenOf(part.mention, identities);
    if (token === undefined) {
      run += part.mention.displayName;
      continue;
    }
    flushRun();
    atoms.push({ text: token, mention: true });
  }
  if (reply.choices && reply.choices.length > 0) {
    run += `${atoms.length > 0 || run !== '' ? '\n\n' : ''}${numberedChoices(reply.choices)}`;
  }
  flushRun();
  return atoms;
}

/**
 * The reply as one or more texts of at most `limit` UTF-16 units, cut at line ends; a single
 * longer line is cut at its last space that fits (the space is dropped), or hard for a line
 * without one, but never inside a mention token. Blank pieces are left out; an empty reply is one
 * empty text.
 */
export function renderOa(reply: Reply, options: OaRenderOptions): string[] {
  const pieces = packAtoms(atomsOf(reply, options.identities), options.limit ?? OA_MESSAGE_LIMIT, (a) => a.mention === true);
  const out = pieces.map((lines) => lines.map((line) => line.map((a) => a.text).join('')).join('\n')).filter((p) => p.trim() !== '');
  return out.length > 0 ? out : [''];
}
