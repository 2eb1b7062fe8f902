import { describe, expect, it } from 'vitest';
import { dateAnswer } from '../../core/answers.js';
import { type DateOptions, readVietnameseDate } from '../../core/vietnameseDate.js';

const YEAR: DateOptions = { currentYear: 2026 };

function day(typed: string, options: DateOptions = YEAR): string {
  const reading = readVietnameseDate(typed, options);
  if (!reading.ok) throw new Error(`“${typed}”: ${reading.error}`);
  return reading.day;
}

function error(typed: string, options: DateOptions = YEAR): string {
  const reading = readVietnameseDate(typed, options);
  if (reading.ok) throw new Error(`“${typed}” was read as ${reading.day}`);
  return reading.error;
}

describe('dates officials type (issue 22)', () => {
  it.each([
    ['15/1/2026.', '2026-01-15'],
    ['15/01/2026!', '2026-01-15'],
    ['15.1.', '2026-01-15'],
    ['cuối tháng 3', '2026-03-31'],
    ['cuoi thang 2', '2026-02-28'],
    ['cuối tháng 2/2028', '2028-02-29'],
    ['cuối tháng 4 năm 2027', '2027-04-30'],
    ['đầu tháng 3', '2026-03-01'],
    ['cuối năm', '2026-12-31'],
    ['cuối năm 2027', '2027-12-31'],
    ['đầu năm 2027', '2027-01-01'],
  ])('%j is %s', (typed, iso) => {
    expect(day(typed)).toBe(iso);
  });

  it('reads a month alone as its first day for a start, its last for an end, and asks otherwise', () => {
    for (const typed of ['tháng 3/2026', 'tháng 3 năm 2026', 'thang 03-2026', '3/2026', 'tháng 3']) {
      expect(day(typed, { ...YEAR, monthAlone: 'first' }), typed).toBe('2026-03-01');
      expect(day(typed, { ...YEAR, monthAlone: 'last' }), typed).toBe('2026-03-31');
      expect(error(typed), typed).toBe('Bạn gõ một ngày cụ thể trong tháng 3/2026, ví dụ 01/03/2026 hoặc 31/03/2026.');
    }
    expect(day('tháng 2/2028', { ...YEAR, monthAlone: 'last' })).toBe('2028-02-29');
  });

  it('reads “hôm nay”, “ngày mai” and “hôm qua” from the flow’s day, and only with it', () => {
    const today = { ...YEAR, today: '2026-12-31' };
    expect(day('hôm nay', today)).toBe('2026-12-31');
    expect(day('Hom nay.', today)).toBe('2026-12-31');
    expect(day('ngày mai', today)).toBe('2027-01-01');
    expect(day('hôm qua', today)).toBe('2026-12-30');
    expect(error('hôm nay')).toContain('Ngày chưa đúng');
  });

  it('says what is wrong with an impossible date', () => {
    expect(error('31/2/2027')).toBe('Tháng 2/2027 không có ngày 31, bạn gõ lại ngày khác.');
    expect(error('29/2/2026')).toBe('Tháng 2/2026 không có ngày 29, bạn gõ lại ngày khác.');
    expect(error('ngày 31 tháng 4')).toBe('Tháng 4/2026 không có ngày 31, bạn gõ lại ngày khác.');
    expect(error('15/13')).toBe('Không có tháng 13: tháng chỉ từ 1 đến 12, bạn gõ lại ngày khác.');
    expect(error('cuối tháng 13')).toBe('Không có tháng 13: tháng chỉ từ 1 đến 12, bạn gõ lại ngày khác.');
    expect(error('tháng sau')).toBe('Ngày chưa đúng. Bạn hãy gõ theo dạng 15/01/2026, 15-1-2026, "ngày 15 tháng 1 năm 2026" hoặc "cuối tháng 3".');
  });

  it('a date step passes the options on and still keeps its year window', () => {
    const end = dateAnswer({ currentYear: 2026, today: '2026-03-10', monthAlone: 'last' });
    expect(end.safeParse('tháng 6').data).toBe('2026-06-30');
    expect(end.safeParse('hôm nay').data).toBe('2026-03-10');
    expect(end.safeParse('cuối tháng 3/1999').error!.issues[0]!.message).toBe('Năm phải nằm trong khoảng 2000 đến 2100.');
    expect(dateAnswer({ currentYear: 2026 }).safeParse('tháng 6').error!.issues[0]!.message).toContain('Bạn gõ một ngày cụ thể trong tháng 6/2026');
  });
});
