import type { Mention } from 'zca-js';
import type { Reply } from '../../core/chat.js';
import { packAtoms } from '../chunking.js';
import { nfc } from '../../core/text.js';
import { numberedChoices } from '../numberedChoices.js';

/**
 * A Reply as Zalo plain text with mentions. Zalo places a mention by UTF-16 position and length
 * in the sent text, so positions are measured on the final NFC text of each piece; choices become
 * numbered lines because Zalo has no buttons.
 */

/** How long one Zalo message may be, in UTF-16 units; longer texts go as several messages. */
export const MESSAGE_LIMIT = 2000;

export interface ZaloText {
  msg: string;
  mentions: Mention[];
}

/** One piece of text that must not be cut: a character, or a whole mention. */
interface Atom {
  text: string;
  uid?: string;
}

function atomsOf(reply: Reply): Atom[] {
  const parts = typeof reply.text === 'string' ? [reply.text] : reply.text;
  const atoms: Atom[] = [];
  let run = '';
  // Adjacent strings are normalised together: a mark split from its letter across parts still composes.
  const flushRun = () => {
    for (const ch of nfc(run)) atoms.push({ text: ch });
    run = '';
  };
  for (const part of parts) {
    if (typeof part === 'string') {
      run += part;
      continue;
    }
    flushRun();
    atoms.push({ text: `@${nfc(part.mention.displayName)}`, uid: part.mention.platformUserId });
  }
  if (reply.choices && reply.choices.length > 0) {
    run += `${atoms.length > 0 || run !== '' ? '\n\n' : ''}${numberedChoices(reply.choices)}`;
  }
  flushRun();
  return atoms;
}

/**
 * The reply as one or more Zalo messages of at most `limit` UTF-16 units, cut at line ends; a
 * single longer line is cut at its last space that fits (the space is dropped), or hard for a
 * line without one. A mention is never cut, and its position is relative to its own piece.
 */
export function renderZalo(reply: Reply, limit = MESSAGE_LIMIT): ZaloText[] {
  const pieces = packAtoms(atomsOf(reply), limit, (a) => a.uid !== undefined);
  const out = pieces.map(contentOf).filter((p) => p.msg.trim() !== '');
  return out.length > 0 ? out : [{ msg: '', mentions: [] }];
}

/** A piece's text, and its mentions measured in it. */
function contentOf(lines: Atom[][]): ZaloText {
  let msg = '';
  const mentions: Mention[] = [];
  lines.forEach((line, i) => {
    if (i > 0) msg += '\n';
    for (const atom of line) {
      if (atom.uid !== undefined) mentions.push({ pos: msg.length, len: atom.text.length, uid: atom.uid });
      msg += atom.text;
    }
  });
  return { msg, mentions };
}
