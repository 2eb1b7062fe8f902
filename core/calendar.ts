import { VN_OFFSET_MS, isRealDay, isoDay, vnParts } from './clock.js';

/**
 * Deadline rules turned into concrete due days, with the reporting period each due covers.
 *
 * Everything here works on calendar days in Vietnam ('YYYY-MM-DD'), not instants: a deadline is
 * "the 15th", whatever hour it is, and day arithmetic on strings cannot be shifted by a time zone.
 */

/** 'YYYY-MM-DD', a calendar day in Asia/Ho_Chi_Minh. */
export type IsoDay = string;

const DAY_MS = 24 * 60 * 60 * 1000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

interface Ymd {
  year: number;
  month: number;
  day: number;
}

function parse(day: IsoDay): Ymd {
  const m = ISO_DAY.exec(day);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const d = Number(m[3]);
    // Date.UTC maps years 0-99 to 1900-1999, so such years would silently become other days.
    if (year >= 1900 && isRealDay(year, month, d)) return { year, month, day: d };
  }
  throw new Error(`invalid day: ${String(day)}`);
}

export function isIsoDay(value: unknown): value is IsoDay {
  if (typeof value !== 'string') return false;
  try {
    parse(value);
    return true;
  } catch {
    return false;
  }
}

function epochDay(day: IsoDay): number {
  const { year, month, day: d } = parse(day);
  return Date.UTC(year, month - 1, d) / DAY_MS;
}

function fromEpochDay(n: number): IsoDay {
  const date = new Date(n * DAY_MS);
  return isoDay(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

export function addDays(day: IsoDay, n: number): IsoDay {
  if (!Number.isInteger(n)) throw new Error(`invalid day count: ${n}`);
  return fromEpochDay(epochDay(day) + n);
}

/** The Vietnamese calendar day an instant falls on. */
export function isoDayOf(instant: Date): IsoDay {
  const p = vnParts(instant);
  return isoDay(p.year, p.month, p.day);
}

/** The instant at which Vietnam's wall clock shows `time` ('HH:MM') on `day`. */
export function vnInstant(day: IsoDay, time: string): Date {
  const m = HH_MM.exec(time);
  if (!m) throw new Error(`invalid time: ${time}`);
  const { year, month, day: d } = parse(day);
  return new Date(Date.UTC(year, month - 1, d, Number(m[1]), Number(m[2])) - VN_OFFSET_MS);
}

/** b − a in days: positive when b is later. */
export function daysBetween(a: IsoDay, b: IsoDay): number {
  return epochDay(b) - epochDay(a);
}

export function compareDays(a: IsoDay, b: IsoDay): number {
  return Math.sign(daysBetween(b, a));
}

/** 0 = Sunday … 6 = Saturday, like LocalParts.weekday. */
export function weekdayOf(day: IsoDay): number {
  return new Date(epochDay(day) * DAY_MS).getUTCDay();
}

export function isValidTime(time: string): boolean {
  return HH_MM.test(time);
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Rules say "the 31st" and mean "the end of the month" in shorter months. */
function clampedDay(year: number, month: number, day: number): IsoDay {
  return isoDay(year, month, Math.min(day, lastDayOfMonth(year, month)));
}

function shiftMonth(year: number, month: number, delta: number): { year: number; month: number } {
  const index = year * 12 + (month - 1) + delta;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

export type RuleSpec =
  | { rule: 'yearly'; month: number; day: number }
  | { rule: 'monthly'; day: number }
  /** `day` of the quarter's last month (3, 6, 9, 12). */
  | { rule: 'quarterly'; day: number }
  /** `month` is 1..6; the rule occurs in `month` and `month + 6`. */
  | { rule: 'half_yearly'; month: number; day: number }
  | { rule: 'once'; date: IsoDay; from?: IsoDay };

/**
 * Decree 09/2019 data cut-offs: the period ends on `endDay` (the latest such day on or before the
 * due) and starts the day after the same day `months` months earlier.
 */
export interface Cutoff {
  endDay: number;
  months: number;
}

export interface Occurrence {
  due: IsoDay;
  period: { from: IsoDay; to: IsoDay };
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);

/** The longest a month can be in any year, so "29/02" is accepted and "31/04" is caught as a typo. */
function longestMonth(month: number): number {
  return lastDayOfMonth(2000, month); // 2000 is a leap year
}

/** Why `spec` cannot be scheduled, in words an official can act on; undefined when it can. */
export function validateRule(spec: RuleSpec): string | undefined {
  // Specs arrive from the database and admin commands, so the union type is not trusted here.
  const s = spec as unknown as Record<string, unknown> | null;
  if (typeof s !== 'object' || s === null) return 'Lịch hạn không hợp lệ.';
  const dayError = (day: unknown) => (isInt(day) && day >= 1 && day <= 31 ? undefined : 'Ngày phải là số nguyên từ 1 đến 31.');
  switch (s.rule) {
    case 'monthly':
    case 'quarterly':
      return dayError(s.day);
    case 'yearly': {
      if (!isInt(s.month) || s.month < 1 || s.month > 12) return 'Tháng phải là số nguyên từ 1 đến 12.';
      const error = dayError(s.day);
      if (error) return error;
      if ((s.day as number) > longestMonth(s.month)) return `Tháng ${s.month} không có ngày ${s.day as number}.`;
      return undefined;
    }
    case 'half_yearly': {
      if (!isInt(s.month) || s.month < 1 || s.month > 6) {
        return 'Hạn nửa năm: tháng phải là số nguyên từ 1 đến 6 (hạn thứ hai rơi vào 6 tháng sau).';
      }
      const error = dayError(s.day);
      if (error) return error;
      if ((s.day as number) > Math.max(longestMonth(s.month), longestMonth(s.month + 6))) {
        return `Tháng ${s.month} và tháng ${s.month + 6} đều không có ngày ${s.day as number}.`;
      }
      return undefined;
    }
    case 'once': {
      if (!isIsoDay(s.date)) return 'Ngày hạn không hợp lệ (cần dạng năm-tháng-ngày, ví dụ 2027-03-05, và là ngày có thật).';
      if (s.from !== undefined) {
        if (!isIsoDay(s.from)) return 'Ngày bắt đầu kỳ không hợp lệ (cần dạng năm-tháng-ngày, ví dụ 2027-02-06, và là ngày có thật).';
        if (compareDays(s.from, s.date) > 0) return 'Ngày bắt đầu kỳ phải trước hoặc trùng ngày hạn.';
      }
      return undefined;
    }
    default:
      return 'Loại lịch hạn không hợp lệ (hằng năm, hằng tháng, hằng quý, nửa năm hoặc một lần).';
  }
}

export function validateCutoff(cutoff: Cutoff): string | undefined {
  if (!isInt(cutoff.endDay) || cutoff.endDay < 1 || cutoff.endDay > 31) return 'Ngày chốt số liệu phải là số nguyên từ 1 đến 31.';
  if (!isInt(cutoff.months) || cutoff.months < 1 || cutoff.months > 12) return 'Số tháng của kỳ số liệu phải là số nguyên từ 1 đến 12.';
  return undefined;
}

function assertValid(spec: RuleSpec, cutoff: Cutoff | null): void {
  const error = validateRule(spec) ?? (cutoff ? validateCutoff(cutoff) : undefined);
  if (error) throw new Error(error);
}

/** Every due of `spec` in one calendar year, ascending (empty only for a `once` in another year). */
function duesInYear(spec: RuleSpec, year: number): IsoDay[] {
  switch (spec.rule) {
    case 'yearly':
      return [clampedDay(year, spec.month, spec.day)];
    case 'monthly':
      return Array.from({ length: 12 }, (_, i) => clampedDay(year, i + 1, spec.day));
    case 'quarterly':
      return [3, 6, 9, 12].map((month) => clampedDay(year, month, spec.day));
    case 'half_yearly':
      return [spec.month, spec.month + 6].map((month) => clampedDay(year, month, spec.day));
    case 'once':
      return parse(spec.date).year === year ? [spec.date] : [];
  }
}

/** The due before `due` under a recurring rule; the previous year always has one. */
function previousDue(spec: RuleSpec, due: IsoDay): IsoDay {
  const year = parse(due).year;
  const earlier = duesInYear(spec, year).filter((d) => compareDays(d, due) < 0);
  const candidates = earlier.length > 0 ? earlier : duesInYear(spec, year - 1);
  const last = candidates[candidates.length - 1];
  if (last === undefined) throw new Error(`no occurrence before ${due}`);
  return last;
}

function cutoffPeriod(due: IsoDay, cutoff: Cutoff): { from: IsoDay; to: IsoDay } {
  const d = parse(due);
  let to = clampedDay(d.year, d.month, cutoff.endDay);
  if (compareDays(to, due) > 0) {
    const prev = shiftMonth(d.year, d.month, -1);
    to = clampedDay(prev.year, prev.month, cutoff.endDay);
  }
  const t = parse(to);
  // Shifting from the cut-off day itself (not from a clamped `to`) keeps consecutive periods
  // contiguous: with endDay 31, April's period starts 01/04, not 31/03.
  const start = shiftMonth(t.year, t.month, -cutoff.months);
  return { from: addDays(clampedDay(start.year, start.month, cutoff.endDay), 1), to };
}

function occurrence(spec: RuleSpec, cutoff: Cutoff | null, due: IsoDay): Occurrence {
  if (cutoff) return { due, period: cutoffPeriod(due, cutoff) };
  if (spec.rule === 'once') {
    if (spec.from !== undefined) return { due, period: { from: spec.from, to: due } };
    const d = parse(due);
    const monthBefore = shiftMonth(d.year, d.month, -1);
    return { due, period: { from: addDays(clampedDay(monthBefore.year, monthBefore.month, d.day), 1), to: due } };
  }
  return { due, period: { from: addDays(previousDue(spec, due), 1), to: due } };
}

/** Occurrences whose due lies within [from, to] (both inclusive), ascending. */
export function occurrencesBetween(spec: RuleSpec, cutoff: Cutoff | null, from: IsoDay, to: IsoDay): Occurrence[] {
  assertValid(spec, cutoff);
  if (compareDays(from, to) > 0) return [];
  const result: Occurrence[] = [];
  for (let year = parse(from).year; year <= parse(to).year; year++) {
    for (const due of duesInYear(spec, year)) {
      if (compareDays(due, from) >= 0 && compareDays(due, to) <= 0) result.push(occurrence(spec, cutoff, due));
    }
  }
  return result;
}

/** The first `count` occurrences due on or after `onOrAfter`, ascending. */
export function nextOccurrences(spec: RuleSpec, cutoff: Cutoff | null, onOrAfter: IsoDay, count: number): Occurrence[] {
  assertValid(spec, cutoff);
  if (!isInt(count) || count < 0) throw new Error(`invalid count: ${count}`);
  const result: Occurrence[] = [];
  let year = parse(onOrAfter).year;
  // A `once` rule has nothing after its own year; recurring rules have dues every year.
  const lastYear = spec.rule === 'once' ? parse(spec.date).year : Infinity;
  while (result.length < count && year <= lastYear) {
    for (const due of duesInYear(spec, year)) {
      if (result.length < count && compareDays(due, onOrAfter) >= 0) result.push(occurrence(spec, cutoff, due));
    }
    year++;
  }
  return result;
}

const pad = (n: number) => String(n).padStart(2, '0');
const SHORT_MONTH_NOTE = ' (tháng không đủ ngày thì lấy ngày cuối tháng)';
const LEAP_NOTE = ' (năm không nhuận thì ngày 28/02)';

/** The rule as an official would say it: "ngày 15 hằng tháng". */
export function describeRule(spec: RuleSpec): string {
  switch (spec.rule) {
    case 'monthly':
      return `ngày ${pad(spec.day)} hằng tháng${spec.day > 28 ? SHORT_MONTH_NOTE : ''}`;
    case 'quarterly':
      return `ngày ${pad(spec.day)} tháng cuối mỗi quý${spec.day > 30 ? SHORT_MONTH_NOTE : ''}`;
    case 'yearly': {
      const day = Math.min(spec.day, longestMonth(spec.month));
      return `ngày ${pad(day)}/${pad(spec.month)} hằng năm${spec.month === 2 && day === 29 ? LEAP_NOTE : ''}`;
    }
    case 'half_yearly': {
      const months = [spec.month, spec.month + 6];
      // Show the day each month actually gets ("30/06 và 31/12"), as officials would write it.
      const parts = months.map((month) => `${pad(Math.min(spec.day, longestMonth(month)))}/${pad(month)}`);
      const leap = spec.month === 2 && spec.day >= 29;
      return `ngày ${parts.join(' và ')} hằng năm${leap ? LEAP_NOTE : ''}`;
    }
    case 'once': {
      const { year, month, day } = parse(spec.date);
      return `ngày ${pad(day)}/${pad(month)}/${year}`;
    }
  }
}
