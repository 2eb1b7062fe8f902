import { fold } from './text.js';

/**
 * The one reader of model codes as people type them. Codes are `DVK-<year>-<n>`, n zero-padded to
 * four digits and growing past them (db/models.ts nextModelCode: DVK-2026-10000 follows
 * DVK-2026-9999), so the canonical form of a number is "at least four digits, no other leading
 * zeros": "dvk 2026 7" → DVK-2026-0007, "DVK-2026-010001" → DVK-2026-10001.
 */

/** "DVK-2026-0007": the code of a year's n-th model. */
export function modelCode(year: number, n: number): string {
  return `DVK-${year}-${String(n).padStart(4, '0')}`;
}

/**
 * A year's codes as a range of text, [from, to) (the prefix, and the prefix with its "-" bumped to
 * "."), so the codes' unique index can read them; `numberAt` is where their number starts (1-based,
 * as SQL's substr counts). The numbers are to be compared as numbers: DVK-2026-10000 follows 9999.
 */
export function yearCodeRange(year: number): { from: string; to: string; numberAt: number } {
  const from = `DVK-${year}-`;
  return { from, to: `DVK-${year}.`, numberAt: from.length + 1 };
}

/** The most digits a typed number may have (leading zeros included): a million models a year is far away. */
const MAX_DIGITS = 6;

const TYPED_CODE = new RegExp(`^dvk[\\s_-]*(\\d{4})[\\s_-]*(\\d{1,${MAX_DIGITS}})$`);

/** "dvk-2026-7", "DVK 2026 0007", "Dvk20260007" → "DVK-2026-0007"; undefined if it is not a model code. */
export function parseModelCode(raw: string): string | undefined {
  const match = TYPED_CODE.exec(fold(raw));
  if (!match) return undefined;
  return modelCode(Number(match[1]), Number(match[2]));
}

/**
 * A model code at the start of a list of words, typed as one word ("DVK-2026-0001") or with
 * spaces, in up to three ("dvk 2026 1"); with how many words it took. Every command that reads a
 * code among other words (/duyet …, /nhatky …) reads it so, and they all agree.
 */
export function leadingModelCode(words: readonly string[]): { code: string; words: number } | undefined {
  for (const n of [3, 2, 1]) {
    if (n > words.length) continue;
    const code = parseModelCode(words.slice(0, n).join(' '));
    if (code) return { code, words: n };
  }
  return undefined;
}
