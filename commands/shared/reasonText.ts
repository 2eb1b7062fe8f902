/**
 * The reason typed after a model on one line (/tralai, /duyet … trả lại, /congnhan … không,
 * /rutlai): the words before it taken off, its own spacing kept (a reason may span lines).
 */

/** A reason shorter than this says nothing; longer than the max, it does not fit a notice. */
export const REASON_MIN = 5;
export const REASON_MAX = 500;

/** The text after its first `n` words, its own spacing kept. */
export function afterWords(text: string, n: number): string {
  let rest = text.trim();
  for (let i = 0; i < n; i++) rest = rest.replace(/^\S+\s*/, '');
  return rest;
}

/** Without the punctuation people type between a command's words and the reason ("trả lại: …"). */
export function stripLead(text: string): string {
  return text.replace(/^[\s:,;.\-–—]+/, '').trim();
}
