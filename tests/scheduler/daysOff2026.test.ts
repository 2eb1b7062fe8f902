import { describe, expect, it } from 'vitest';
import { addDays, type IsoDay, weekdayOf } from '../../core/calendar.js';
import { loadCalendar, parseCalendar } from '../../scheduler/calendarConfig.js';
import { DaysOff } from '../../scheduler/daysOff.js';

/**
 * The civil servants' days off of 2026 as the government decided them (../shared/DOMAIN.md, "Days
 * off in 2026"), walked day by day against the shipped calendar file: 1–4/1 (Friday 2/1 swapped,
 * Saturday 10/1 worked), Tết Bính Ngọ 14/2–22/2, Giỗ Tổ on Sunday 26/4 so Monday 27/4 off,
 * 30/4–3/5, Quốc khánh 29/8–2/9 (Monday 31/8 swapped, Saturday 22/8 worked). 24/11 is not a day
 * off in law (not confirmed): a working Tuesday.
 */
const OFFICIAL_2026: Array<[IsoDay, IsoDay]> = [
  ['2026-01-01', '2026-01-04'],
  ['2026-02-14', '2026-02-22'],
  ['2026-04-25', '2026-04-27'],
  ['2026-04-30', '2026-05-03'],
  ['2026-08-29', '2026-09-02'],
];
const MAKE_UP_SATURDAYS: IsoDay[] = ['2026-01-10', '2026-08-22'];

function officialDayOff(day: IsoDay): boolean {
  if (MAKE_UP_SATURDAYS.includes(day)) return false;
  if (OFFICIAL_2026.some(([from, to]) => from <= day && day <= to)) return true;
  const weekday = weekdayOf(day);
  return weekday === 0 || weekday === 6;
}

describe('2026 in the shipped calendar', () => {
  const calendar = loadCalendar('./config/calendar.json');
  const daysOff = new DaysOff(calendar.daysOff, calendar.workingDays);

  it('matches the government’s days off and make-up working days, every day of the year', () => {
    const wrong: string[] = [];
    let count = 0;
    for (let day: IsoDay = '2026-01-01'; day <= '2026-12-31'; day = addDays(day, 1)) {
      count++;
      const expected = officialDayOff(day);
      if (daysOff.isWorkingDay(day) === expected)
        wrong.push(`${day}: ${expected ? 'nghỉ' : 'làm việc'} theo quy định, lịch nói ${daysOff.reason(day) ?? 'làm việc'}`);
    }
    expect(count).toBe(365);
    expect(wrong).toEqual([]);
  });

  it('names the decided days as officials were told them', () => {
    expect(daysOff.reason('2026-01-02')).toContain('Tết Dương lịch');
    expect(daysOff.reason('2026-04-27')).toContain('Nghỉ bù Giỗ Tổ');
    expect(daysOff.reason('2026-09-01')).toContain('Quốc khánh');
    expect(daysOff.reason('2026-01-10')).toBeUndefined();
    expect(daysOff.reason('2026-01-17')).toBe('Thứ Bảy');
    // A reminder due on the make-up Saturday is not moved to Friday.
    expect(daysOff.workingDayOnOrBefore('2026-08-22')).toBe('2026-08-22');
  });

  it('refuses a make-up working day inside a break, and a day that does not exist', () => {
    const base = { deadlines: [], daysOff: [{ from: '2026-08-29', to: '2026-09-02', name: 'Quốc khánh' }] };
    expect(() => parseCalendar({ ...base, workingDays: [{ date: '2026-08-31', name: 'Làm bù' }] })).toThrow(/vừa là ngày nghỉ vừa là ngày làm bù/);
    expect(() => parseCalendar({ ...base, workingDays: [{ date: '2026-02-30', name: 'Làm bù' }] })).toThrow(/ngày không có thật/);
    expect(parseCalendar({ deadlines: [] }).workingDays).toEqual([]);
  });
});
