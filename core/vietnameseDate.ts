import { addDays, type IsoDay } from './calendar.js';
import { isoDay } from './clock.js';
import { fold, wordValue } from './text.js';

/**
 * Dates as officials type them: "15/1", "15/01/2026", "15-1-2026", "15.1.26", "2026-01-15",
 * "ngày 15 tháng 1 năm 2026", "cuối tháng 3", "đầu tháng 3/2026", "cuối năm", "tháng 3/2026",
 * "hôm nay", "ngày mai" (with or without diacritics, a trailing full stop allowed). A missing
 * year is the current one.
 */
export interface DateOptions {
  currentYear: number;
  /** Today, from the flow's clock: without it "hôm nay", "ngày mai" and "hôm qua" are not read. */
  today?: IsoDay;
  /**
   * What a month alone ("tháng 3/2026") means: its first day for a start, its last for an end.
   * Without it the person is asked for a day of that month, since either could be meant.
   */
  monthAlone?: 'first' | 'last';
}

export type DateReading = { ok: true; day: IsoDay } | { ok: false; error: string };

/** When nothing in the text reads as a date. */
export const DATE_HELP = 'Ngày chưa đúng. Bạn hãy gõ theo dạng 15/01/2026, 15-1-2026, "ngày 15 tháng 1 năm 2026" hoặc "cuối tháng 3".';

const RELATIVE: Readonly<Record<string, number>> = {
  'hom nay': 0,
  'ngay hom nay': 0,
  'ngay nay': 0,
  nay: 0,
  'ngay mai': 1,
  mai: 1,
  'hom qua': -1,
  'ngay hom qua': -1,
};

export function readVietnameseDate(raw: string, options: DateOptions): DateReading {
  const t = fold(raw)
    .replace(/[,]/g, ' ')
    .replace(/[.!]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  const { currentYear } = options;
  const relative = wordValue(RELATIVE, t);
  if (relative !== undefined) {
    return options.today ? { ok: true, day: addDays(options.today, relative) } : { ok: false, error: DATE_HELP };
  }
  let match = /^(dau|cuoi) nam(?: (\d{4}|\d{2}))?$/.exec(t);
  if (match) {
    const y = expandYear(match[2], currentYear);
    return { ok: true, day: match[1] === 'dau' ? isoDay(y, 1, 1) : isoDay(y, 12, 31) };
  }
  // "cuối tháng 3", "đầu tháng 3/2026", "tháng 3 năm 2026", "3/2026"
  match = /^(?:(dau|cuoi) )?thang ?(\d{1,2})(?:(?: ?(?:[/.-]|nam) ?| )(\d{4}|\d{2}))?$/.exec(t) ?? /^()(\d{1,2})[/.-](\d{4})$/.exec(t);
  if (match) {
    const m = Number(match[2]);
    const y = expandYear(match[3], currentYear);
    if (m < 1 || m > 12) return { ok: false, error: noSuchMonth(m) };
    const last = daysInMonth(y, m);
    const edge = match[1] === 'dau' ? 'first' : match[1] === 'cuoi' ? 'last' : options.monthAlone;
    if (edge === 'first') return { ok: true, day: isoDay(y, m, 1) };
    if (edge === 'last') return { ok: true, day: isoDay(y, m, last) };
    const mm = String(m).padStart(2, '0');
    return { ok: false, error: `Bạn gõ một ngày cụ thể trong tháng ${m}/${y}, ví dụ 01/${mm}/${y} hoặc ${last}/${mm}/${y}.` };
  }
  let d: number, m: number, y: number;
  if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t))) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2}|\d{4}))?$/.exec(t))) {
    [d, m] = [Number(match[1]), Number(match[2])];
    y = expandYear(match[3], currentYear);
  } else if ((match = /^(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})(?:\s*(?:nam\s*)?(\d{2}|\d{4}))?$/.exec(t))) {
    [d, m] = [Number(match[1]), Number(match[2])];
    y = expandYear(match[3], currentYear);
  } else {
    return { ok: false, error: DATE_HELP };
  }
  if (m < 1 || m > 12) return { ok: false, error: noSuchMonth(m) };
  if (d < 1 || d > daysInMonth(y, m)) return { ok: false, error: `Tháng ${m}/${y} không có ngày ${d}, bạn gõ lại ngày khác.` };
  return { ok: true, day: isoDay(y, m, d) };
}

/** The day the text names, or undefined (for callers that need no reason). */
export function parseVietnameseDate(raw: string, currentYear: number): IsoDay | undefined {
  const reading = readVietnameseDate(raw, { currentYear });
  return reading.ok ? reading.day : undefined;
}

function noSuchMonth(month: number): string {
  return `Không có tháng ${month}: tháng chỉ từ 1 đến 12, bạn gõ lại ngày khác.`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function expandYear(text: string | undefined, currentYear: number): number {
  if (text === undefined) return currentYear;
  const n = Number(text);
  return text.length === 2 ? 2000 + n : n;
}
