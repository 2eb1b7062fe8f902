import { z } from 'zod';
import type { Choice } from './chat.js';
import { isoDay, isRealDay } from './clock.js';
import { charLength, fold } from './text.js';

/**
 * Parsers for what people type in a conversation, as zod schemas over the raw (NFC) text.
 * Every failure message is Vietnamese, short, and says what would be accepted.
 */

/** Free text with a length window; inner blank lines are kept, outer whitespace trimmed. */
export function textAnswer(options: { min?: number; max: number }) {
  const min = options.min ?? 1;
  return z.string().transform((raw, ctx) => {
    const value = raw.trim();
    if (charLength(value) === 0) {
      ctx.addIssue({ code: 'custom', message: 'Câu trả lời đang trống, bạn vui lòng nhập nội dung.' });
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

/**
 * Finds the choice a person meant: its number, its label (with or without diacritics, any case,
 * NFC or NFD, quotes and dashes ignored), its value, an unambiguous beginning of its label
 * ("kinh" → "Kinh tế"), an unambiguous part of it ("dan van kheo" → 'Mô hình "Dân vận khéo"'), or
 * the one label holding all the words typed ("diem sang chinh quyen").
 */
export function matchChoice(choices: readonly Choice[], raw: string): Choice | undefined {
  const typed = loose(raw).replace(/[.)]$/, '');
  if (typed === '') return undefined;
  if (/^\d+$/.test(typed)) return choices[Number(typed) - 1];
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
        message: `Chưa rõ bạn chọn mục nào. Bạn hãy trả lời bằng số từ 1 đến ${choices.length} hoặc gõ tên mục.`,
      });
      return z.NEVER;
    }
    return choice.value;
  });
}

/**
 * Vietnamese dates: "15/1", "15/01/2026", "15-1-2026", "15.1.26", "2026-01-15",
 * "ngày 15 tháng 1 năm 2026" (also without diacritics). A missing year is the current one.
 * Returns an ISO day "2026-01-15".
 */
export function parseVietnameseDate(raw: string, currentYear: number): string | undefined {
  const t = fold(raw).replace(/[,]/g, ' ').replace(/\s+/g, ' ').trim();
  let d: number, m: number, y: number;
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (match) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2}|\d{4}))?$/.exec(t))) {
    [d, m] = [Number(match[1]), Number(match[2])];
    y = expandYear(match[3], currentYear);
  } else if ((match = /^(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})(?:\s*(?:nam\s*)?(\d{2}|\d{4}))?$/.exec(t))) {
    [d, m] = [Number(match[1]), Number(match[2])];
    y = expandYear(match[3], currentYear);
  } else {
    return undefined;
  }
  return isRealDay(y, m, d) ? isoDay(y, m, d) : undefined;
}

function expandYear(text: string | undefined, currentYear: number): number {
  if (text === undefined) return currentYear;
  const n = Number(text);
  return text.length === 2 ? 2000 + n : n;
}

/** A date step; `after` (ISO day) rejects a date before it, with the given explanation. */
export function dateAnswer(options: { currentYear: number; notBefore?: { day: string; message: string } }) {
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

function buildDateAnswer(options: { currentYear: number; notBefore?: { day: string; message: string } }) {
  return z.string().transform((raw, ctx) => {
    const value = parseVietnameseDate(raw, options.currentYear);
    if (!value) {
      ctx.addIssue({
        code: 'custom',
        message: 'Ngày chưa đúng. Bạn hãy gõ theo dạng 15/01/2026, 15-1-2026 hoặc "ngày 15 tháng 1 năm 2026" (ngày phải có thật).',
      });
      return z.NEVER;
    }
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

/** A whole percentage 0–100: "70", "70%", "70 %", "70 phần trăm". */
export function percentAnswer() {
  return PERCENT_ANSWER;
}

const PERCENT_ANSWER = z.string().transform((raw, ctx) => {
  const match = /^(\d{1,3})(?:[.,]\d+)?\s*(?:%|phan tram)?$/.exec(fold(raw));
  const n = match ? Math.round(Number(match[1])) : NaN;
  if (!match || n > 100) {
    ctx.addIssue({ code: 'custom', message: 'Tiến độ là một số từ 0 đến 100, ví dụ 70 hoặc 70%.' });
    return z.NEVER;
  }
  return n;
});

/** Words that skip an optional step. */
export function isSkipWord(raw: string): boolean {
  return ['bo qua', 'bq', 'khong', 'khong co', '-', 'skip', 'k'].includes(fold(raw));
}

/** Words that confirm a summary. */
export function isYesWord(raw: string): boolean {
  return ['co', 'dong y', 'xac nhan', 'ok', 'yes', 'y', 'luu', 'dung', 'chac chan'].includes(fold(raw));
}

/**
 * The value a table of typed words gives a word, own keys only: a person typing "constructor" or
 * "__proto__" must not find what every JavaScript object inherits.
 */
export function wordValue<T>(table: Readonly<Record<string, T>>, word: string): T | undefined {
  return Object.hasOwn(table, word) ? table[word] : undefined;
}
