import { z } from 'zod';
import { expandAbbreviation } from './abbreviations.js';
import type { IsoDay } from './calendar.js';
import type { Choice } from './chat.js';
import { readPercent } from './percent.js';
import { decodeTelex, telexSuggestion } from './telex.js';
import { charLength, ellipsize, fold } from './text.js';
import { type DateOptions, readVietnameseDate } from './vietnameseDate.js';

export { wordValue } from './text.js';
export { parseVietnameseDate } from './vietnameseDate.js';

/**
 * Parsers for what people type in a conversation, as zod schemas over the raw (NFC) text.
 * Every failure message is Vietnamese, short, and says what would be accepted.
 */

/**
 * Free text with a length window; inner blank lines are kept, outer whitespace trimmed.
 * `suggestTelex` (for names) refuses text that is clearly Telex typed with the Vietnamese mode
 * off ("Nguyeenx Thij Huyeenf") and offers what was meant: such a name saved as typed would be
 * read by everyone after. Text without Telex marks, with or without diacritics, is never refused.
 */
export function textAnswer(options: { min?: number; max: number; suggestTelex?: boolean }) {
  const min = options.min ?? 1;
  return z.string().transform((raw, ctx) => {
    const value = raw.trim();
    if (charLength(value) === 0) {
      ctx.addIssue({ code: 'custom', message: 'Câu trả lời đang trống, bạn vui lòng nhập nội dung.' });
      return z.NEVER;
    }
    const meant = options.suggestTelex ? telexSuggestion(value) : undefined;
    if (meant !== undefined) {
      ctx.addIssue({ code: 'custom', message: telexQuestion(meant) });
      return z.NEVER;
    }
    const length = charLength(value);
    if (length < min) {
      ctx.addIssue({ code: 'custom', message: `Câu trả lời ngắn quá: cần ít nhất ${min} ký tự.` });
      return z.NEVER;
    }
    if (length > options.max) {
      ctx.addIssue({
        code: 'custom',
        message: `Câu trả lời dài quá: tối đa ${options.max} ký tự (bạn đã gửi ${length}). Bạn vui lòng rút gọn.`,
      });
      return z.NEVER;
    }
    return value;
  });
}

/** The gentle question for text typed in Telex with the Vietnamese mode off. */
export function telexQuestion(meant: string): string {
  return `Có phải bạn muốn gõ “${ellipsize(meant, 200)}”? Bàn phím có lẽ đang tắt tiếng Việt; bạn gõ lại (có dấu hay không dấu đều được).`;
}

/**
 * Finds the choice a person meant: its number, its label (with or without diacritics, any case,
 * NFC or NFD, quotes and dashes ignored), its value, an unambiguous beginning of its label
 * ("kinh" → "Kinh tế"), an unambiguous part of it ("dan van kheo" → 'Mô hình "Dân vận khéo"'), or
 * the one label holding all the words typed ("diem sang chinh quyen"). Failing that, an
 * abbreviation ("NTM", "CCHC": core/abbreviations.ts) read as its words, then the text with its
 * Telex leftovers decoded ("kinh tees" → "kinh tế").
 */
export function matchChoice(choices: readonly Choice[], raw: string): Choice | undefined {
  const typed = loose(raw).replace(/[.)]$/, '');
  if (typed === '') return undefined;
  if (/^\d+$/.test(typed)) return choices[Number(typed) - 1];
  const direct = matchWords(choices, typed);
  if (direct) return direct;
  // Not when a label has the letters as a word of its own: "DVK" at a list of model codes is a code begun.
  const asWord = choices.some((c) => namesOf(c).some((n) => n.split(' ').includes(typed)));
  const expanded = asWord ? undefined : expandAbbreviation(raw.replace(/[.)]$/, ''));
  const byAbbreviation = expanded === undefined ? undefined : matchWords(choices, expanded);
  if (byAbbreviation) return byAbbreviation;
  const decoded = loose(decodeTelex(raw)).replace(/[.)]$/, '');
  return decoded !== typed ? matchWords(choices, decoded) : undefined;
}

function matchWords(choices: readonly Choice[], typed: string): Choice | undefined {
  const exact = choices.find((c) => namesOf(c).some((n) => n === typed) || loose(c.value) === typed);
  if (exact) return exact;
  if (typed.length < 3) return undefined;
  const starts = choices.filter((c) => namesOf(c).some((n) => n.startsWith(typed)));
  if (starts.length === 1) return starts[0];
  if (typed.length < 4) return undefined;
  const within = choices.filter((c) => namesOf(c).some((n) => n.includes(typed)));
  if (within.length === 1) return within[0];
  // People drop the small words: "diem sang chinh quyen" → "Điểm sáng về dân vận chính quyền".
  const words = typed.split(' ');
  const allWords = choices.filter((c) =>
    namesOf(c).some((n) => {
      const label = new Set(n.split(' '));
      return words.every((w) => label.has(w));
    }),
  );
  return allWords.length === 1 ? allWords[0] : undefined;
}

/** A choice's label and its former names, loosened for matching. */
function namesOf(choice: Choice): string[] {
  return [choice.label, ...(choice.formerly ?? [])].map(loose);
}

/** fold, and punctuation that people leave out when typing ("“", "-", ",") treated as spaces. */
function loose(text: string): string {
  return fold(text.replace(/["“”'‘’\-–,;:()]/g, ' '));
}

export function choiceAnswer(choices: readonly Choice[]) {
  // A zod schema takes longer to build than to run, and a step's fixed choices come back at every answer.
  let schema = choiceSchemas.get(choices);
  if (!schema) choiceSchemas.set(choices, (schema = buildChoiceAnswer(choices)));
  return schema;
}

const choiceSchemas = new WeakMap<readonly Choice[], ReturnType<typeof buildChoiceAnswer>>();

function buildChoiceAnswer(choices: readonly Choice[]) {
  return z.string().transform((raw, ctx) => {
    const choice = matchChoice(choices, raw);
    if (!choice) {
      ctx.addIssue({
        code: 'custom',
        message: `Chưa rõ bạn chọn mục nào. ${choiceHelp(choices)}`,
      });
      return z.NEVER;
    }
    return choice.value;
  });
}

/**
 * How to answer a choice: the numbered labels when they are few enough to read in one line
 * ("Bạn gõ 1 (Tập thể) hoặc 2 (Cá nhân)."), the range of numbers otherwise.
 */
export function choiceHelp(choices: readonly Choice[]): string {
  if (choices.length > 4) return `Bạn hãy trả lời bằng số từ 1 đến ${choices.length} hoặc gõ tên mục.`;
  const items = choices.map((c, i) => `${i + 1} (${ellipsize(c.label, 50)})`);
  const last = items.pop();
  return items.length === 0 ? `Bạn gõ ${last}.` : `Bạn gõ ${items.join(', ')} hoặc ${last}.`;
}

/**
 * A date step (core/vietnameseDate.ts says what is read). `today` (from the flow's clock) lets
 * "hôm nay" be read; `monthAlone` says whether "tháng 3/2026" is its first day (a start) or its
 * last (an end); `notBefore` (ISO day) rejects a date before it, with the given explanation.
 */
export interface DateAnswerOptions extends DateOptions {
  notBefore?: { day: IsoDay; message: string };
}

export function dateAnswer(options: DateAnswerOptions) {
  // Built per answer from the state (the year, today): kept while the same options come back.
  const key = JSON.stringify(options);
  let schema = dateSchemas.get(key);
  if (!schema) {
    if (dateSchemas.size >= 64) dateSchemas.clear();
    dateSchemas.set(key, (schema = buildDateAnswer(options)));
  }
  return schema;
}

const dateSchemas = new Map<string, ReturnType<typeof buildDateAnswer>>();

function buildDateAnswer(options: DateAnswerOptions) {
  return z.string().transform((raw, ctx) => {
    const reading = readVietnameseDate(raw, options);
    if (!reading.ok) {
      ctx.addIssue({ code: 'custom', message: reading.error });
      return z.NEVER;
    }
    const value = reading.day;
    if (options.notBefore && value < options.notBefore.day) {
      ctx.addIssue({ code: 'custom', message: options.notBefore.message });
      return z.NEVER;
    }
    if (value < '2000-01-01' || value > '2100-12-31') {
      ctx.addIssue({ code: 'custom', message: 'Năm phải nằm trong khoảng 2000 đến 2100.' });
      return z.NEVER;
    }
    return value;
  });
}

/** A whole percentage 0–100, as core/percent.ts reads it: "70", "70%", "khoảng 60%", "một nửa", "bảy mươi". */
export function percentAnswer() {
  return PERCENT_ANSWER;
}

/** What a percentage step says to what it cannot read. */
export const PERCENT_HELP = 'Tiến độ là một số từ 0 đến 100, ví dụ 70 hoặc 70%.';

const PERCENT_ANSWER = z.string().transform((raw, ctx) => {
  const reading = readPercent(raw);
  if (reading.kind === 'over') {
    ctx.addIssue({ code: 'custom', message: overHundred(reading.typed) });
    return z.NEVER;
  }
  if (reading.kind !== 'percent') {
    ctx.addIssue({ code: 'custom', message: PERCENT_HELP });
    return z.NEVER;
  }
  return reading.percent;
});

/** A percentage above 100. */
export function overHundred(typed: number): string {
  return `Tiến độ tối đa là 100% (bạn gõ ${typed}). Bạn gõ một số từ 0 đến 100, ví dụ 70%.`;
}

/** Words that skip an optional step. */
export function isSkipWord(raw: string): boolean {
  return isOneOf(SKIP_WORDS, raw);
}

const SKIP_WORDS = new Set(['bo qua', 'bq', 'khong', 'khong co', '-', 'skip', 'k']);

/** Words that confirm a summary. */
export function isYesWord(raw: string): boolean {
  return isOneOf(YES_WORDS, raw);
}

const YES_WORDS = new Set(['co', 'dong y', 'xac nhan', 'ok', 'yes', 'y', 'luu', 'dung', 'chac chan']);

/** A short answer from a list of words, also with a full stop after it or typed in Telex with the Vietnamese mode off ("dongf ys"). */
function isOneOf(words: ReadonlySet<string>, raw: string): boolean {
  return words.has(shortReply(raw)) || words.has(shortReply(decodeTelex(raw)));
}

/** A short reply as compared with a list of words: folded, a full stop or "!" after it dropped. */
export function shortReply(raw: string): string {
  return fold(raw).replace(/[.!]+$/, '');
}
