import type { Mention } from 'zca-js';
import type { Reply } from '../../core/chat.js';
import { packLines } from '../chunking.js';
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
  const lines: Atom[][] = [[]];
  for (const atom of atomsOf(reply)) {
    if (atom.uid === undefined && atom.text === '\n') lines.push([]);
    else lines.at(-1)!.push(atom);
  }

  const pieces = packLines(lines, limit, (a) => a.text.length, cutPoint);
  const out = pieces.map(contentOf).filter((p) => p.msg.trim() !== '');
  return out.length > 0 ? out : [{ msg: '', mentions: [] }];
}

/** Where a too-long line ends in this piece and where the next piece starts. */
function cutPoint(line: readonly Atom[], limit: number): { end: number; next: number } {
  let length = 0;
  let lastSpace = -1;
  let i = 0;
  for (; i < line.length; i++) {
    if (length + line[i]!.text.length > limit) break;
    length += line[i]!.text.length;
    if (line[i]!.uid === undefined && line[i]!.text === ' ') lastSpace = i;
  }
  if (lastSpace > 0) return { end: lastSpace, next: lastSpace + 1 };
  const end = Math.max(i, 1);
  return { end, next: end };
}

/** A piece's text, without blank lines at its edges, and its mentions measured in it. */
function contentOf(lines: Atom[][]): ZaloText {
  let first = 0;
  let last = lines.length;
  while (first < last && lines[first]!.length === 0) first++;
  while (last > first && lines[last - 1]!.length === 0) last--;
  let msg = '';
  const mentions: Mention[] = [];
  lines.slice(first, last).forEach((line, i) => {
    if (i > 0) msg += '\n';
    for (const atom of line) {
      if (atom.uid !== undefined) mentions.push({ pos: msg.length, len: atom.text.length, uid: atom.uid });
      msg += atom.text;
    }
  });
  return { msg, mentions };
}
