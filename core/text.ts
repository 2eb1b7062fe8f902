/**
 * Vietnamese text helpers shared by every layer.
 *
 * People type with or without diacritics, in NFC or NFD (macOS and some Android keyboards send
 * decomposed text), so anything we compare goes through `fold`, and anything we store goes
 * through `nfc` first.
 */

/** Canonical composed form; every incoming text is stored and compared in this form. */
export function nfc(text: string): string {
  return text.normalize('NFC');
}

const COMBINING_MARKS = /[\u0300-\u036f]/g;

/**
 * A comparison key: no diacritics, lower case, đ→d, inner whitespace collapsed.
 * "Kinh tế", "kinh te" and "KINH  TẾ" (in NFD) all fold to "kinh te".
 */
export function fold(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARKS, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Control and invisible characters, except newlines and tabs: C0 and C1 controls, the soft
 * hyphen, zero-width spaces and joiners (U+200B–U+200D, U+2060), the direction marks,
 * embeddings, overrides and isolates (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069),
 * the other invisible format characters (U+180E, U+2061–U+206F), line and paragraph separators,
 * and the byte-order mark. They garble a chat or a log, and in a name they make two people look
 * the same or turn the text around it (an RTL override shows "abc" as "cba"). A zero-width
 * joiner inside an emoji sequence goes too: the emoji then shows as its parts, still readable.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;

/** Removes control and invisible characters (keeping newlines and tabs) that would garble a chat or a log. */
export function stripControls(text: string): string {
  return text.replace(INVISIBLE, '');
}

/** Shortens a text for an echo in a message, never cutting a surrogate pair. */
export function ellipsize(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/** Number of user-perceived characters (code points), which is what a length limit means to a person. */
export function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** What adapters do to every incoming text before it enters the core. */
export function normalizeIncomingText(text: string): string {
  return stripControls(nfc(text)).trim();
}

/**
 * The value a table of typed words gives a word, own keys only: a person typing "constructor" or
 * "__proto__" must not find what every JavaScript object inherits.
 */
export function wordValue<T>(table: Readonly<Record<string, T>>, word: string | undefined): T | undefined {
  return word !== undefined && Object.hasOwn(table, word) ? table[word] : undefined;
}

/** "điểm sáng" → "Điểm sáng": a phrase starting a sentence. */
export function capitalized(phrase: string): string {
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}
