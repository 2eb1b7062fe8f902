import type { InlineKeyboardMarkup } from 'grammy/types';
import type { Choice, PersonRef, Reply } from '../../core/chat.js';
import { packLines } from '../chunking.js';
import { ellipsize } from '../../core/text.js';

/**
 * A Reply as Telegram HTML. Every user-supplied string is escaped here and nowhere earlier;
 * mentions become @username or a tg://user link; long texts are split for Telegram's limit.
 */

/** Telegram's limit on a message's text, counted after entity parsing, in UTF-16 units. */
export const MESSAGE_LIMIT = 4096;
/** Telegram's limit on callback_data, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;

const HTML_SPECIAL = /[&<>"]/g;
const HTML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function escapeHtml(text: string): string {
  return text.replace(HTML_SPECIAL, (ch) => HTML_ENTITY[ch]!);
}

export function mentionHtml(person: PersonRef): string {
  if (person.username) return `@${escapeHtml(person.username)}`;
  return `<a href="tg://user?id=${encodeURIComponent(person.platformUserId)}">${escapeHtml(person.displayName)}</a>`;
}

/** One piece of rendered HTML that must not be cut, and how long it reads. */
interface Atom {
  html: string;
  length: number;
}

function atomsOf(text: Reply['text']): Atom[] {
  const parts = typeof text === 'string' ? [text] : text;
  const atoms: Atom[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      for (const ch of part) atoms.push({ html: escapeHtml(ch), length: ch.length });
    } else {
      const visible = part.mention.username ? `@${part.mention.username}` : part.mention.displayName;
      atoms.push({ html: mentionHtml(part.mention), length: visible.length });
    }
  }
  return atoms;
}

/**
 * The reply's text as one or more HTML messages of at most `limit` visible characters, cut at
 * line ends; a single line longer than that is cut at its last space that fits (or hard, for a
 * line without spaces). A mention or an escaped character is never cut in half.
 */
export function renderHtmlChunks(text: Reply['text'], limit = MESSAGE_LIMIT): string[] {
  // Nearly every reply fits one message: rendered whole, without an atom per character.
  if (visibleLength(text) <= limit) {
    const html = (typeof text === 'string' ? [text] : text).map((part) => (typeof part === 'string' ? escapeHtml(part) : mentionHtml(part.mention))).join('');
    return [html.trim() === '' ? '' : html];
  }
  const lines: Atom[][] = [[]];
  for (const atom of atomsOf(text)) {
    if (atom.html === '\n') lines.push([]);
    else lines.at(-1)!.push(atom);
  }

  const chunks = packLines(
    lines,
    limit,
    (a) => a.length,
    (line, max) => {
      const at = cutPoint(line, max);
      return { end: at, next: at };
    },
  ).map((chunk) => chunk.map((line) => line.map((a) => a.html).join('')).join('\n'));
  // A cut right at a blank line leaves a chunk with nothing to read: Telegram refuses those.
  const readable = chunks.filter((c) => c.trim() !== '');
  return readable.length > 0 ? readable : [''];
}

/** What a reader sees of the text, in UTF-16 units as Telegram counts: strings, and mentions as shown. */
function visibleLength(text: Reply['text']): number {
  if (typeof text === 'string') return text.length;
  let length = 0;
  for (const part of text)
    length += typeof part === 'string' ? part.length : (part.mention.username ? `@${part.mention.username}` : part.mention.displayName).length;
  return length;
}

/** How many atoms of a too-long line go into one message: up to its last space that fits. */
function cutPoint(line: Atom[], limit: number): number {
  let length = 0;
  let lastSpace = -1;
  let i = 0;
  for (; i < line.length; i++) {
    if (length + line[i]!.length > limit) break;
    length += line[i]!.length;
    if (line[i]!.html === ' ') lastSpace = i;
  }
  return lastSpace > 0 ? lastSpace + 1 : Math.max(i, 1);
}

/**
 * The value a button sends back. Values that would not fit Telegram's 64 bytes send the
 * choice's number instead, which every choice step understands the same way. So do values that
 * are numbers themselves (database ids): a pressed value is read like a typed answer, where a
 * bare number is a position in the list, so "28" would mean the 28th choice, not the unit #28.
 */
export function callbackDataOf(choice: Choice, index: number): string {
  const fits = Buffer.byteLength(choice.value, 'utf8') <= CALLBACK_DATA_LIMIT;
  return fits && !/^\W*\d+\W*$/.test(choice.value) ? choice.value : String(index + 1);
}

export function keyboardOf(choices: readonly Choice[]): InlineKeyboardMarkup {
  return {
    inline_keyboard: choices.map((choice, i) => [{ text: ellipsize(choice.label, 60), callback_data: callbackDataOf(choice, i) }]),
  };
}
