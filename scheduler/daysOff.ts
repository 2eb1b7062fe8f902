import { createRequire } from 'node:module';
import type Holidays from 'date-holidays';
import { type IsoDay, addDays, compareDays, daysBetween, isIsoDay, isoDayOf, weekdayOf } from '../core/calendar.js';
import { PUBLIC_HOLIDAYS, type PublicHoliday } from './publicHolidays.js';

/**
 * Which days officials do not work: weekends, public holidays (date-holidays knows the lunar
 * ones), and breaks the government decides each year (the official Tết break, compensatory days).
 * Only `type === 'public'` holidays count: observances such as 08/03 are working days.
 */

/** A break decided yearly, e.g. the official Tết break; both ends inclusive. */
export interface ExtraDaysOff {
  from: IsoDay;
  to: IsoDay;
  name: string;
}

/**
 * A weekend day the government makes a working day, to make up for a day off it swapped (e.g.
 * Saturday 10/01/2026 for Friday 02/01/2026). date-holidays knows none of these.
 */
export interface WorkingDay {
  date: IsoDay;
  name: string;
}

/** Longer than any real break, short enough that a typo in the year is caught. */
const MAX_EXTRA_DAYS = 60;

export function validateExtraDaysOff(extra: ExtraDaysOff): string | undefined {
  if (!isIsoDay(extra.from) || !isIsoDay(extra.to)) return 'Ngày nghỉ không hợp lệ (cần dạng năm-tháng-ngày và là ngày có thật).';
  if (compareDays(extra.from, extra.to) > 0) return 'Ngày bắt đầu nghỉ phải trước hoặc trùng ngày kết thúc.';
  if (daysBetween(extra.from, extra.to) >= MAX_EXTRA_DAYS) return `Một đợt nghỉ không được dài quá ${MAX_EXTRA_DAYS} ngày.`;
  if (typeof extra.name !== 'string' || extra.name.trim() === '') return 'Đợt nghỉ cần có tên (ví dụ: Nghỉ Tết Nguyên Đán).';
  return undefined;
}

interface HolidayDay {
  name: string;
  /** Length of the holiday's span: the shortest wins where spans overlap. */
  span: number;
}

/**
 * Public holidays by day, shared by every DaysOff: the data is fixed for the process's lifetime
 * and computing a year's lunar dates is far slower than the lookups the planner does in loops.
 */
const holidayDays = new Map<IsoDay, HolidayDay>();
const loadedYears = new Set<number>();
let holidays: Holidays | undefined;
const require = createRequire(import.meta.url);

/**
 * Vietnam's public holidays of `year` as date-holidays computes them: [first day, days, name].
 * date-holidays is loaded on the first call only: with its lunar arithmetic it costs ~250 ms and
 * ~30 MB at start-up, for the same answer every time; the years of scheduler/publicHolidays.ts
 * are read from there instead (tests/scheduler/publicHolidays.test.ts keeps both equal).
 */
export function computePublicHolidays(year: number): PublicHoliday[] {
  holidays ??= new (require('date-holidays') as typeof Holidays)('VN');
  return (
    holidays
      .getHolidays(year, 'vi')
      .filter((h) => h.type === 'public')
      // `end` is exclusive; the instants are VN midnights, so their VN days bound the span.
      .map((h): PublicHoliday => {
        const first = isoDayOf(h.start);
        return [first, Math.max(1, daysBetween(first, isoDayOf(h.end))), h.name];
      })
  );
}

/** Mùng 1 Tết (the first day of the lunar year) in `year`, as date-holidays computes it. */
export function lunarNewYear(year: number): IsoDay | undefined {
  const spans = PUBLIC_HOLIDAYS[year] ?? computePublicHolidays(year);
  return spans.find(([, length, name]) => length === 1 && name === 'Tết Nguyên Đán')?.[0];
}

function loadYear(year: number): void {
  if (loadedYears.has(year)) return;
  loadedYears.add(year);
  const spans = (PUBLIC_HOLIDAYS[year] ?? computePublicHolidays(year)).map(([first, length, name]) => ({ first, length, name }));
  for (const span of spans) {
    // date-holidays names Tết's five-day span after its first day ("Giao thừa Tết Nguyên Đán");
    // the later days are named after the shorter holiday inside the span ("Tết Nguyên Đán").
    const inner = spans.find(
      (other) => other.length < span.length && daysBetween(span.first, other.first) >= 0 && daysBetween(span.first, other.first) < span.length,
    );
    for (let i = 0; i < span.length; i++) {
      const day = addDays(span.first, i);
      const name = i > 0 && inner ? inner.name : span.name;
      const known = holidayDays.get(day);
      // Where holidays overlap, the shorter one names its day more precisely.
      if (!known || span.length < known.span) holidayDays.set(day, { name, span: span.length });
    }
  }
}

function publicHoliday(day: IsoDay): string | undefined {
  const year = Number(day.slice(0, 4));
  // A span that starts late in December would spill into the next year.
  loadYear(year - 1);
  loadYear(year);
  return holidayDays.get(day)?.name;
}

/** No stretch of days off is anywhere near this long; hitting it means broken data, not a long holiday. */
const MAX_SEARCH_DAYS = 400;

export class DaysOff {
  private readonly extraDays = new Map<IsoDay, string>();
  private readonly workingDays = new Map<IsoDay, string>();

  constructor(extra: readonly ExtraDaysOff[] = [], working: readonly WorkingDay[] = []) {
    for (const e of extra) {
      const error = validateExtraDaysOff(e);
      if (error) throw new Error(error);
      for (let day = e.from; compareDays(day, e.to) <= 0; day = addDays(day, 1)) {
        if (!this.extraDays.has(day)) this.extraDays.set(day, e.name.trim());
      }
    }
    for (const w of working) {
      if (!isIsoDay(w.date)) throw new Error(`invalid working day: ${String(w.date)}`);
      if (this.extraDays.has(w.date)) throw new Error(`${w.date} is both a day off and a working day`);
      this.workingDays.set(w.date, w.name.trim());
    }
  }

  /**
   * Why `day` is not a working day, or undefined for a working day. A decided break is named
   * first (it is what officials were told), then a decided make-up working day (it turns a
   * weekend into work), then the holiday, and only then the weekend.
   */
  reason(day: IsoDay): string | undefined {
    if (!isIsoDay(day)) throw new Error(`invalid day: ${String(day)}`);
    const extra = this.extraDays.get(day);
    if (extra !== undefined) return extra;
    if (this.workingDays.has(day)) return undefined;
    const holiday = publicHoliday(day);
    if (holiday !== undefined) return holiday;
    const weekday = weekdayOf(day);
    if (weekday === 6) return 'Thứ Bảy';
    if (weekday === 0) return 'Chủ nhật';
    return undefined;
  }

  /** Whether a decided break (the file's daysOff) covers `day`: what the November check looks for. */
  isDecidedDayOff(day: IsoDay): boolean {
    return this.extraDays.has(day);
  }

  isWorkingDay(day: IsoDay): boolean {
    return this.reason(day) === undefined;
  }

  workingDayOnOrBefore(day: IsoDay): IsoDay {
    return this.walk(day, -1);
  }

  workingDayOnOrAfter(day: IsoDay): IsoDay {
    return this.walk(day, 1);
  }

  private walk(day: IsoDay, step: 1 | -1): IsoDay {
    let current = day;
    for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
      if (this.isWorkingDay(current)) return current;
      current = addDays(current, step);
    }
    throw new Error(`no working day within ${MAX_SEARCH_DAYS} days of ${day}`);
  }
}
