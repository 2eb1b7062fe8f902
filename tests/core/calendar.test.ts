import { describe, expect, it } from 'vitest';
import {
  type Cutoff,
  type IsoDay,
  type Occurrence,
  type RuleSpec,
  addDays,
  compareDays,
  daysBetween,
  describeRule,
  isIsoDay,
  isoDayOf,
  nextOccurrences,
  occurrencesBetween,
  validateCutoff,
  validateRule,
  vnInstant,
  weekdayOf,
} from '../../core/calendar.js';

const dues = (occurrences: Occurrence[]) => occurrences.map((o) => o.due);
const periods = (occurrences: Occurrence[]) => occurrences.map((o) => `${o.period.from}..${o.period.to}`);

describe('day helpers', () => {
  it('adds days across month, year and leap-day boundaries', () => {
    expect(addDays('2027-12-31', 1)).toBe('2028-01-01');
    expect(addDays('2028-01-01', -1)).toBe('2027-12-31');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-02-13', 10)).toBe('2026-02-23');
    expect(addDays('2026-05-05', 0)).toBe('2026-05-05');
  });

  it('counts days between two days, signed', () => {
    expect(daysBetween('2027-12-31', '2028-03-01')).toBe(61); // 31 + 29 + 1: 2028 is a leap year
    expect(daysBetween('2026-12-31', '2027-03-01')).toBe(60);
    expect(daysBetween('2026-03-20', '2026-03-13')).toBe(-7);
    expect(daysBetween('2026-03-20', '2026-03-20')).toBe(0);
  });

  it('compares days chronologically', () => {
    expect(compareDays('2027-12-31', '2028-01-01')).toBe(-1);
    expect(compareDays('2028-01-01', '2027-12-31')).toBe(1);
    expect(compareDays('2028-02-29', '2028-02-29')).toBe(0);
    expect(['2028-01-01', '2026-12-31', '2027-06-15'].sort(compareDays)).toEqual(['2026-12-31', '2027-06-15', '2028-01-01']);
  });

  it('takes the calendar day in Vietnam, which starts at 17:00 UTC the day before', () => {
    expect(isoDayOf(new Date('2026-12-31T16:59:59Z'))).toBe('2026-12-31');
    expect(isoDayOf(new Date('2026-12-31T17:00:00Z'))).toBe('2027-01-01');
    expect(isoDayOf(new Date('2028-02-29T08:00:00+07:00'))).toBe('2028-02-29');
  });

  it('turns a Vietnamese wall-clock time into the UTC instant', () => {
    expect(vnInstant('2027-01-01', '08:00').toISOString()).toBe('2027-01-01T01:00:00.000Z');
    expect(vnInstant('2027-01-01', '00:30').toISOString()).toBe('2026-12-31T17:30:00.000Z');
    expect(vnInstant('2028-02-29', '17:00').toISOString()).toBe('2028-02-29T10:00:00.000Z');
    expect(isoDayOf(vnInstant('2027-01-01', '00:00'))).toBe('2027-01-01');
  });

  it('knows the weekday of a day', () => {
    expect(weekdayOf('2026-02-14')).toBe(6); // Saturday
    expect(weekdayOf('2026-02-15')).toBe(0); // Sunday
    expect(weekdayOf('2028-02-29')).toBe(2); // Tuesday
  });

  it('rejects days and times that do not exist', () => {
    expect(isIsoDay('2028-02-29')).toBe(true);
    expect(isIsoDay('2027-02-29')).toBe(false);
    expect(isIsoDay('2027-13-01')).toBe(false);
    expect(isIsoDay('2027-1-01')).toBe(false);
    expect(isIsoDay(20270101)).toBe(false);
    expect(() => addDays('2027-02-29', 1)).toThrow(/invalid day/);
    expect(() => daysBetween('2027-04-31', '2027-05-01')).toThrow(/invalid day/);
    expect(() => vnInstant('2027-01-01', '8:00')).toThrow(/invalid time/);
    expect(() => vnInstant('2027-01-01', '24:00')).toThrow(/invalid time/);
    expect(() => addDays('2027-01-01', 0.5)).toThrow(/invalid day count/);
  });
});

describe('occurrences without a cut-off', () => {
  it('monthly on the 31st clamps to each month end, across 2027→2028 and 29/02/2028', () => {
    const got = nextOccurrences({ rule: 'monthly', day: 31 }, null, '2027-11-01', 6);
    expect(dues(got)).toEqual(['2027-11-30', '2027-12-31', '2028-01-31', '2028-02-29', '2028-03-31', '2028-04-30']);
    // Each period starts the day after the previous due, including across the year end.
    expect(periods(got)).toEqual([
      '2027-11-01..2027-11-30',
      '2027-12-01..2027-12-31',
      '2028-01-01..2028-01-31',
      '2028-02-01..2028-02-29',
      '2028-03-01..2028-03-31',
      '2028-04-01..2028-04-30',
    ]);
  });

  it('monthly on the 30th falls on 28/02 in a common year', () => {
    const got = occurrencesBetween({ rule: 'monthly', day: 30 }, null, '2027-02-01', '2027-03-31');
    expect(dues(got)).toEqual(['2027-02-28', '2027-03-30']);
    expect(periods(got)).toEqual(['2027-01-31..2027-02-28', '2027-03-01..2027-03-30']);
  });

  it('monthly on the 15th: the January period starts in December of the year before', () => {
    const got = occurrencesBetween({ rule: 'monthly', day: 15 }, null, '2027-12-01', '2028-01-31');
    expect(got).toEqual([
      { due: '2027-12-15', period: { from: '2027-11-16', to: '2027-12-15' } },
      { due: '2028-01-15', period: { from: '2027-12-16', to: '2028-01-15' } },
    ]);
  });

  it('includes dues on both bounds and nothing outside them', () => {
    const spec: RuleSpec = { rule: 'monthly', day: 15 };
    expect(dues(occurrencesBetween(spec, null, '2026-03-15', '2026-05-15'))).toEqual(['2026-03-15', '2026-04-15', '2026-05-15']);
    expect(dues(occurrencesBetween(spec, null, '2026-03-16', '2026-05-14'))).toEqual(['2026-04-15']);
    expect(occurrencesBetween(spec, null, '2026-03-16', '2026-04-14')).toEqual([]);
    expect(occurrencesBetween(spec, null, '2026-05-01', '2026-04-01')).toEqual([]);
  });

  it('quarterly falls in the last month of each quarter, periods chained across the year end', () => {
    const got = occurrencesBetween({ rule: 'quarterly', day: 20 }, null, '2027-10-01', '2028-06-30');
    expect(got).toEqual([
      { due: '2027-12-20', period: { from: '2027-09-21', to: '2027-12-20' } },
      { due: '2028-03-20', period: { from: '2027-12-21', to: '2028-03-20' } },
      { due: '2028-06-20', period: { from: '2028-03-21', to: '2028-06-20' } },
    ]);
  });

  it('quarterly on the 31st clamps to 30/06 and 30/09, so the quarters are exactly the calendar quarters', () => {
    const got = nextOccurrences({ rule: 'quarterly', day: 31 }, null, '2028-01-01', 4);
    expect(periods(got)).toEqual(['2028-01-01..2028-03-31', '2028-04-01..2028-06-30', '2028-07-01..2028-09-30', '2028-10-01..2028-12-31']);
  });

  it('yearly on 29/02 is 28/02 in common years and 29/02 in 2028', () => {
    const got = occurrencesBetween({ rule: 'yearly', month: 2, day: 29 }, null, '2027-01-01', '2029-12-31');
    expect(got).toEqual([
      { due: '2027-02-28', period: { from: '2026-03-01', to: '2027-02-28' } },
      { due: '2028-02-29', period: { from: '2027-03-01', to: '2028-02-29' } },
      { due: '2029-02-28', period: { from: '2028-03-01', to: '2029-02-28' } },
    ]);
  });

  it('yearly on 30/06 covers the twelve months before', () => {
    expect(nextOccurrences({ rule: 'yearly', month: 6, day: 30 }, null, '2027-07-01', 1)).toEqual([
      { due: '2028-06-30', period: { from: '2027-07-01', to: '2028-06-30' } },
    ]);
  });

  it('half-yearly {6, 31} is 30/06 and 31/12, each period half a year', () => {
    const got = occurrencesBetween({ rule: 'half_yearly', month: 6, day: 31 }, null, '2027-01-01', '2028-06-30');
    expect(got).toEqual([
      { due: '2027-06-30', period: { from: '2027-01-01', to: '2027-06-30' } },
      { due: '2027-12-31', period: { from: '2027-07-01', to: '2027-12-31' } },
      { due: '2028-06-30', period: { from: '2028-01-01', to: '2028-06-30' } },
    ]);
  });

  it('half-yearly in February clamps only the February due, by leap year', () => {
    const got = occurrencesBetween({ rule: 'half_yearly', month: 2, day: 29 }, null, '2027-01-01', '2028-12-31');
    expect(dues(got)).toEqual(['2027-02-28', '2027-08-29', '2028-02-29', '2028-08-29']);
    expect(got[0]?.period.from).toBe('2026-08-30');
    expect(got[2]?.period.from).toBe('2027-08-30');
  });

  it('once: the period is the month before the due unless `from` says otherwise', () => {
    expect(nextOccurrences({ rule: 'once', date: '2027-03-05' }, null, '2027-01-01', 3)).toEqual([
      { due: '2027-03-05', period: { from: '2027-02-06', to: '2027-03-05' } },
    ]);
    expect(occurrencesBetween({ rule: 'once', date: '2027-03-05', from: '2027-01-01' }, null, '2027-03-05', '2027-03-05')).toEqual([
      { due: '2027-03-05', period: { from: '2027-01-01', to: '2027-03-05' } },
    ]);
    // "One month before" is clamped like the rules: 29/03/2027 → 28/02/2027, 31/03/2028 → 29/02/2028.
    expect(nextOccurrences({ rule: 'once', date: '2027-03-29' }, null, '2027-03-29', 1)[0]?.period.from).toBe('2027-03-01');
    expect(nextOccurrences({ rule: 'once', date: '2028-03-31' }, null, '2028-01-01', 1)[0]?.period.from).toBe('2028-03-01');
    expect(nextOccurrences({ rule: 'once', date: '2028-01-15' }, null, '2027-12-01', 1)[0]?.period.from).toBe('2027-12-16');
  });

  it('once: nothing before or after its single day', () => {
    const spec: RuleSpec = { rule: 'once', date: '2027-03-05' };
    expect(nextOccurrences(spec, null, '2027-03-06', 1)).toEqual([]);
    expect(occurrencesBetween(spec, null, '2027-03-06', '2030-12-31')).toEqual([]);
    expect(occurrencesBetween(spec, null, '2026-01-01', '2027-03-04')).toEqual([]);
    expect(dues(occurrencesBetween(spec, null, '2026-01-01', '2030-12-31'))).toEqual(['2027-03-05']);
  });

  it('nextOccurrences counts from the given day inclusively and honours the count', () => {
    const spec: RuleSpec = { rule: 'quarterly', day: 20 };
    expect(dues(nextOccurrences(spec, null, '2027-12-20', 2))).toEqual(['2027-12-20', '2028-03-20']);
    expect(dues(nextOccurrences(spec, null, '2027-12-21', 2))).toEqual(['2028-03-20', '2028-06-20']);
    expect(nextOccurrences(spec, null, '2027-12-21', 0)).toEqual([]);
    expect(nextOccurrences({ rule: 'yearly', month: 12, day: 31 }, null, '2027-01-01', 3).map((o) => o.due)).toEqual([
      '2027-12-31',
      '2028-12-31',
      '2029-12-31',
    ]);
    expect(() => nextOccurrences(spec, null, '2027-12-21', -1)).toThrow(/invalid count/);
  });
});

describe('occurrences with a Decree 09/2019 cut-off', () => {
  const period = (spec: RuleSpec, cutoff: Cutoff, due: IsoDay) => {
    const [occurrence] = occurrencesBetween(spec, cutoff, due, due);
    expect(occurrence?.due).toBe(due);
    return occurrence?.period;
  };

  it('monthly report due 16/03: data from 15/02 to 14/03', () => {
    expect(period({ rule: 'monthly', day: 16 }, { endDay: 14, months: 1 }, '2026-03-16')).toEqual({ from: '2026-02-15', to: '2026-03-14' });
  });

  it('monthly report due 16/01: the period starts in December of the year before', () => {
    expect(period({ rule: 'monthly', day: 16 }, { endDay: 14, months: 1 }, '2027-01-16')).toEqual({ from: '2026-12-15', to: '2027-01-14' });
  });

  it('quarterly report due 20/06: data from 15/03 to 14/06', () => {
    expect(period({ rule: 'quarterly', day: 20 }, { endDay: 14, months: 3 }, '2026-06-20')).toEqual({ from: '2026-03-15', to: '2026-06-14' });
  });

  it('first-quarter report due 20/03/2027: data from 15/12/2026', () => {
    expect(period({ rule: 'quarterly', day: 20 }, { endDay: 14, months: 3 }, '2027-03-20')).toEqual({ from: '2026-12-15', to: '2027-03-14' });
  });

  it('six-month report due 20/06: data from 15/12 of the year before to 14/06', () => {
    const spec: RuleSpec = { rule: 'half_yearly', month: 6, day: 20 };
    expect(period(spec, { endDay: 14, months: 6 }, '2026-06-20')).toEqual({ from: '2025-12-15', to: '2026-06-14' });
    expect(period(spec, { endDay: 14, months: 6 }, '2026-12-20')).toEqual({ from: '2026-06-15', to: '2026-12-14' });
  });

  it('annual report due 20/12: data from 15/12 of the year before to 14/12', () => {
    expect(period({ rule: 'yearly', month: 12, day: 20 }, { endDay: 14, months: 12 }, '2026-12-20')).toEqual({
      from: '2025-12-15',
      to: '2026-12-14',
    });
  });

  it('a cut-off day later in the month than the due ends the period in the month before', () => {
    expect(period({ rule: 'monthly', day: 10 }, { endDay: 14, months: 1 }, '2026-03-10')).toEqual({ from: '2026-01-15', to: '2026-02-14' });
    expect(period({ rule: 'monthly', day: 10 }, { endDay: 14, months: 1 }, '2027-01-10')).toEqual({ from: '2026-11-15', to: '2026-12-14' });
  });

  it('a cut-off on the due day itself ends the period on the due', () => {
    expect(period({ rule: 'monthly', day: 20 }, { endDay: 20, months: 1 }, '2026-05-20')).toEqual({ from: '2026-04-21', to: '2026-05-20' });
  });

  it('a cut-off on the 31st is clamped and its periods are whole months, February 2028 included', () => {
    const got = occurrencesBetween({ rule: 'monthly', day: 5 }, { endDay: 31, months: 1 }, '2028-03-01', '2028-05-31');
    expect(periods(got)).toEqual(['2028-02-01..2028-02-29', '2028-03-01..2028-03-31', '2028-04-01..2028-04-30']);
  });

  it('consecutive periods are contiguous: no day counted twice or missed, across the year end', () => {
    const got = nextOccurrences({ rule: 'monthly', day: 16 }, { endDay: 14, months: 1 }, '2026-10-01', 8);
    expect(got).toHaveLength(8);
    got.forEach((o, i) => {
      const previous = got[i - 1];
      if (previous) expect(o.period.from).toBe(addDays(previous.period.to, 1));
      expect(compareDays(o.period.to, o.due)).toBeLessThanOrEqual(0);
    });
  });

  it('applies to a one-off deadline too, ignoring its own `from`', () => {
    expect(occurrencesBetween({ rule: 'once', date: '2027-03-05', from: '2027-01-01' }, { endDay: 28, months: 1 }, '2027-01-01', '2027-12-31')).toEqual([
      { due: '2027-03-05', period: { from: '2027-01-29', to: '2027-02-28' } },
    ]);
  });
});

describe('describing rules in Vietnamese', () => {
  it('says each rule the way officials write it', () => {
    expect(describeRule({ rule: 'monthly', day: 15 })).toBe('ngày 15 hằng tháng');
    expect(describeRule({ rule: 'monthly', day: 5 })).toBe('ngày 05 hằng tháng');
    expect(describeRule({ rule: 'quarterly', day: 20 })).toBe('ngày 20 tháng cuối mỗi quý');
    expect(describeRule({ rule: 'yearly', month: 6, day: 30 })).toBe('ngày 30/06 hằng năm');
    expect(describeRule({ rule: 'half_yearly', month: 6, day: 30 })).toBe('ngày 30/06 và 30/12 hằng năm');
    expect(describeRule({ rule: 'half_yearly', month: 6, day: 31 })).toBe('ngày 30/06 và 31/12 hằng năm');
    expect(describeRule({ rule: 'once', date: '2027-03-05' })).toBe('ngày 05/03/2027');
  });

  it('warns where a rule moves in short months and common years', () => {
    expect(describeRule({ rule: 'monthly', day: 31 })).toBe('ngày 31 hằng tháng (tháng không đủ ngày thì lấy ngày cuối tháng)');
    expect(describeRule({ rule: 'quarterly', day: 31 })).toBe('ngày 31 tháng cuối mỗi quý (tháng không đủ ngày thì lấy ngày cuối tháng)');
    expect(describeRule({ rule: 'quarterly', day: 30 })).toBe('ngày 30 tháng cuối mỗi quý');
    expect(describeRule({ rule: 'yearly', month: 2, day: 29 })).toBe('ngày 29/02 hằng năm (năm không nhuận thì ngày 28/02)');
  });
});

describe('validating rules', () => {
  it('accepts sound rules, including ones that are clamped', () => {
    const sound: RuleSpec[] = [
      { rule: 'monthly', day: 31 },
      { rule: 'quarterly', day: 1 },
      { rule: 'yearly', month: 2, day: 29 },
      { rule: 'yearly', month: 12, day: 31 },
      { rule: 'half_yearly', month: 6, day: 31 },
      { rule: 'once', date: '2028-02-29' },
      { rule: 'once', date: '2027-03-05', from: '2027-03-05' },
    ];
    for (const spec of sound) expect(validateRule(spec), JSON.stringify(spec)).toBeUndefined();
  });

  it('explains in Vietnamese what is wrong', () => {
    expect(validateRule({ rule: 'monthly', day: 0 })).toBe('Ngày phải là số nguyên từ 1 đến 31.');
    expect(validateRule({ rule: 'quarterly', day: 32 })).toBe('Ngày phải là số nguyên từ 1 đến 31.');
    expect(validateRule({ rule: 'monthly', day: 1.5 })).toBe('Ngày phải là số nguyên từ 1 đến 31.');
    expect(validateRule({ rule: 'yearly', month: 13, day: 1 })).toBe('Tháng phải là số nguyên từ 1 đến 12.');
    expect(validateRule({ rule: 'yearly', month: 0, day: 1 })).toBe('Tháng phải là số nguyên từ 1 đến 12.');
    expect(validateRule({ rule: 'yearly', month: 4, day: 31 })).toBe('Tháng 4 không có ngày 31.');
    expect(validateRule({ rule: 'yearly', month: 2, day: 30 })).toBe('Tháng 2 không có ngày 30.');
    expect(validateRule({ rule: 'half_yearly', month: 7, day: 1 })).toMatch(/^Hạn nửa năm: tháng phải là số nguyên từ 1 đến 6/);
    expect(validateRule({ rule: 'half_yearly', month: 3, day: 32 })).toBe('Ngày phải là số nguyên từ 1 đến 31.');
    expect(validateRule({ rule: 'once', date: '2027-02-29' })).toMatch(/^Ngày hạn không hợp lệ/);
    expect(validateRule({ rule: 'once', date: '05/03/2027' })).toMatch(/^Ngày hạn không hợp lệ/);
    expect(validateRule({ rule: 'once', date: '2027-03-05', from: '2027-02-30' })).toMatch(/^Ngày bắt đầu kỳ không hợp lệ/);
    expect(validateRule({ rule: 'once', date: '2027-03-05', from: '2027-03-06' })).toBe('Ngày bắt đầu kỳ phải trước hoặc trùng ngày hạn.');
    expect(validateRule({ rule: 'weekly', day: 1 } as unknown as RuleSpec)).toMatch(/^Loại lịch hạn không hợp lệ/);
  });

  it('validates cut-offs', () => {
    expect(validateCutoff({ endDay: 14, months: 12 })).toBeUndefined();
    expect(validateCutoff({ endDay: 0, months: 1 })).toBe('Ngày chốt số liệu phải là số nguyên từ 1 đến 31.');
    expect(validateCutoff({ endDay: 14, months: 0 })).toBe('Số tháng của kỳ số liệu phải là số nguyên từ 1 đến 12.');
    expect(validateCutoff({ endDay: 14, months: 13 })).toBe('Số tháng của kỳ số liệu phải là số nguyên từ 1 đến 12.');
  });

  it('refuses to compute occurrences of an invalid rule or cut-off', () => {
    expect(() => occurrencesBetween({ rule: 'yearly', month: 4, day: 31 }, null, '2027-01-01', '2027-12-31')).toThrow('Tháng 4 không có ngày 31.');
    expect(() => nextOccurrences({ rule: 'monthly', day: 15 }, { endDay: 32, months: 1 }, '2027-01-01', 1)).toThrow(/Ngày chốt số liệu/);
  });
});
