import { isoDay, isRealDay, vnParts } from './clock.js';
import { fold } from './text.js';
import { addDays, compareDays, type IsoDay } from './calendar.js';

/**
 * The period a report covers, and how people ask for it in a chat: "2026", "quy 1", "quý IV 2025",
 * "thang 3", "6 tháng đầu năm", "15/2/2026-14/3/2026". Calendar months and quarters: the Decree
 * 09/2019 cut-offs (15th → 14th) can be asked for as a date range.
 */
export interface ReportPeriod {
  kind: 'year' | 'quarter' | 'month' | 'range';
  /** The year the period ends in: the year whose models and quotas the report counts. */
  year: number;
  quarter?: number;
  month?: number;
  from: IsoDay;
  to: IsoDay;
  /**
   * Six months of a year (1: January–June, 2: July–December): a date range, so every report and
   * file name already reads it, with a title of its own.
   */
  half?: 1 | 2;
}

export function yearPeriod(year: number): ReportPeriod {
  return { kind: 'year', year, from: isoDay(year, 1, 1), to: isoDay(year, 12, 31) };
}

export function quarterPeriod(year: number, quarter: number): ReportPeriod {
  const first = (quarter - 1) * 3 + 1;
  return { kind: 'quarter', year, quarter, from: isoDay(year, first, 1), to: lastDayOfMonth(year, first + 2) };
}

export function monthPeriod(year: number, month: number): ReportPeriod {
  return { kind: 'month', year, month, from: isoDay(year, month, 1), to: lastDayOfMonth(year, month) };
}

/** "6 tháng đầu năm" (1/1–30/6) or "6 tháng cuối năm" (1/7–31/12). */
export function halfYearPeriod(year: number, half: 1 | 2): ReportPeriod {
  return half === 1
    ? { kind: 'range', year, half, from: isoDay(year, 1, 1), to: isoDay(year, 6, 30) }
    : { kind: 'range', year, half, from: isoDay(year, 7, 1), to: isoDay(year, 12, 31) };
}

export function rangePeriod(from: IsoDay, to: IsoDay): ReportPeriod {
  return { kind: 'range', year: Number(to.slice(0, 4)), from, to };
}

function lastDayOfMonth(year: number, month: number): IsoDay {
  const next = month === 12 ? isoDay(year + 1, 1, 1) : isoDay(year, month + 1, 1);
  return addDays(next, -1);
}

/**
 * How the period reads in a title: "năm 2026", "quý I năm 2026", "tháng 3 năm 2026",
 * "6 tháng đầu năm 2026", "từ 15/02/2026 đến 14/03/2026".
 */
export function periodTitle(period: ReportPeriod): string {
  switch (period.kind) {
    case 'year':
      return `năm ${period.year}`;
    case 'quarter':
      return `quý ${ROMAN[period.quarter! - 1]} năm ${period.year}`;
    case 'month':
      return `tháng ${period.month} năm ${period.year}`;
    case 'range':
      if (period.half) return `6 tháng ${period.half === 1 ? 'đầu' : 'cuối'} năm ${period.year}`;
      return `từ ${dmy(period.from)} đến ${dmy(period.to)}`;
  }
}

const ROMAN = ['I', 'II', 'III', 'IV'];

function dmy(day: IsoDay): string {
  return `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
}

export type PeriodParse = { ok: true; period: ReportPeriod; rest: string[] } | { ok: false; error: string };

/**
 * Reads the period out of a command's arguments; words it does not use (a unit code, "excel") are
 * handed back in `rest`. Without a period the report covers the current year. Quarters and months
 * without a year are of the current year.
 */
export function parsePeriod(args: string, now: Date): PeriodParse {
  // "15/2/2026 - 14/3/2026" and "15/2/2026 đến 14/3/2026" become one word; so do "năm 2025",
  // "quý 1" and "tháng 3", whichever way they were typed. Quarters in Roman numerals, as reports
  // write them ("quý IV"), become "quy4"; "6 tháng đầu năm" and "6 tháng cuối năm" become "nua1"
  // and "nua2" (the year typed after them stays a word of its own).
  const folded = fold(args);
  if (/(?:\b6|\bsau)\s*thang\b(?!\s*(?:dau|cuoi))/.test(folded)) return { ok: false, error: HALF_HELP };
  const words = folded
    .replace(/(\d{4})\s*(?:-|–|den)\s*(?=\d{1,2}[/.-]\d)/g, '$1-')
    .replace(/\bquy\s*(iv|iii|ii|i)\b/g, (_, roman: string) => `quy${ROMAN.indexOf(roman.toUpperCase()) + 1}`)
    .replace(/(?:\b6|\bsau)\s*thang\s+(dau|cuoi)(?:\s+nam)?\b/g, (_, edge: string) => (edge === 'dau' ? ' nua1 ' : ' nua2 '))
    .replace(/\b(nam|quy|thang)\s+(?=\d)/g, '$1')
    .split(/\s+/)
    .filter((w) => w !== '');
  const originals = args.split(/\s+/).filter((w) => w !== '');
  const rest: string[] = [];
  let year: number | undefined;
  let quarter: number | undefined;
  let month: number | undefined;
  let range: ReportPeriod | undefined;
  let half: 1 | 2 | undefined;
  const ONE_PERIOD = 'Mỗi báo cáo chỉ một kỳ: một năm, 6 tháng, một quý, một tháng hoặc một khoảng ngày.';
  for (const word of words) {
    if (word === 'nua1' || word === 'nua2') {
      if (half !== undefined || quarter !== undefined || month !== undefined) return { ok: false, error: ONE_PERIOD };
      half = word === 'nua1' ? 1 : 2;
      continue;
    }
    const part = /^(nam|quy|thang)?(\d+)$/.exec(word);
    if (part && (part[1] !== undefined || part[2]!.length === 4)) {
      const n = Number(part[2]);
      if (part[1] === 'quy') {
        if (quarter !== undefined || month !== undefined) return { ok: false, error: ONE_PERIOD };
        if (n < 1 || n > 4) return { ok: false, error: `Không có quý ${n}. Một năm có quý 1 đến quý 4.` };
        quarter = n;
      } else if (part[1] === 'thang') {
        if (quarter !== undefined || month !== undefined) return { ok: false, error: ONE_PERIOD };
        if (n < 1 || n > 12) return { ok: false, error: `Không có tháng ${n}. Xin ghi tháng từ 1 đến 12.` };
        month = n;
      } else {
        if (year !== undefined) return { ok: false, error: ONE_PERIOD };
        if (!validYear(n)) return { ok: false, error: yearError(n) };
        year = n;
      }
    } else if (word === 'quy' || word === 'thang') {
      return { ok: false, error: word === 'quy' ? 'Xin ghi rõ quý mấy, ví dụ: /baocao quy 1' : 'Xin ghi rõ tháng mấy, ví dụ: /baocao thang 3' };
    } else if (/^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}/.test(word)) {
      if (range) return { ok: false, error: ONE_PERIOD };
      range = parseRange(word);
      if (!range) return { ok: false, error: RANGE_HELP };
    } else {
      // Unused words go back as typed (a unit code keeps its case).
      rest.push(originals.find((w) => fold(w) === word) ?? word);
    }
  }
  if (range) {
    if (year !== undefined || quarter !== undefined || month !== undefined || half !== undefined) return { ok: false, error: ONE_PERIOD };
    return { ok: true, period: range, rest };
  }
  if (half !== undefined) {
    if (quarter !== undefined || month !== undefined) return { ok: false, error: ONE_PERIOD };
    return { ok: true, period: halfYearPeriod(year ?? vnParts(now).year, half), rest };
  }
  // A quarter or month without a year is of the current year.
  const y = year ?? vnParts(now).year;
  const period = quarter !== undefined ? quarterPeriod(y, quarter) : month !== undefined ? monthPeriod(y, month) : yearPeriod(y);
  return { ok: true, period, rest };
}

const HALF_HELP = 'Xin ghi rõ 6 tháng đầu năm hay 6 tháng cuối năm, ví dụ: /baocao 6 tháng đầu năm';

const RANGE_HELP = 'Khoảng ngày ghi theo mẫu ngày/tháng/năm-ngày/tháng/năm, ví dụ: /baocao 15/2/2026-14/3/2026';

function parseRange(word: string): ReportPeriod | undefined {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:-|–|den)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(word);
  if (!m) return undefined;
  const [d1, m1, y1, d2, m2, y2] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (!isRealDay(y1, m1, d1) || !isRealDay(y2, m2, d2) || !validYear(y1) || !validYear(y2)) return undefined;
  const from = isoDay(y1, m1, d1);
  const to = isoDay(y2, m2, d2);
  if (compareDays(from, to) > 0) return undefined;
  return rangePeriod(from, to);
}

function validYear(year: number): boolean {
  return year >= 2000 && year <= 2100;
}

function yearError(year: number): string {
  return `Năm ${year} không hợp lệ. Xin ghi năm có 4 chữ số, ví dụ: /baocao 2026`;
}
