import { describe, expect, it } from 'vitest';
import { type IsoDay, addDays } from '../../core/calendar.js';
import { DaysOff, validateExtraDaysOff } from '../../scheduler/daysOff.js';

const daysFrom = (from: IsoDay, count: number) => Array.from({ length: count }, (_, i) => addDays(from, i));

describe('days off', () => {
  const off = new DaysOff();

  it('names weekends in Vietnamese and treats weekdays as working days', () => {
    expect(off.reason('2026-03-14')).toBe('Thứ Bảy');
    expect(off.reason('2026-03-15')).toBe('Chủ nhật');
    expect(off.reason('2026-03-16')).toBeUndefined();
    expect(off.isWorkingDay('2026-03-13')).toBe(true);
    expect(off.isWorkingDay('2026-03-14')).toBe(false);
    expect(off.isWorkingDay('2028-02-29')).toBe(true); // a Tuesday
  });

  it('takes Tết 2026 off from Monday 16/02 to Friday 20/02, named after the holiday', () => {
    expect(off.reason('2026-02-13')).toBeUndefined();
    expect(off.reason('2026-02-16')).toBe('Giao thừa Tết Nguyên Đán');
    for (const day of ['2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']) expect(off.reason(day), day).toBe('Tết Nguyên Đán');
    expect(off.reason('2026-02-21')).toBe('Thứ Bảy');
    expect(off.reason('2026-02-23')).toBeUndefined();
  });

  it('takes Tết 2027 off from Friday 05/02 to Tuesday 09/02, naming the holiday even on the weekend', () => {
    expect(off.reason('2027-02-04')).toBeUndefined();
    expect(off.reason('2027-02-05')).toBe('Giao thừa Tết Nguyên Đán');
    for (const day of daysFrom('2027-02-06', 4)) expect(off.reason(day), day).toBe('Tết Nguyên Đán');
    expect(off.reason('2027-02-10')).toBeUndefined(); // Chiến thắng Ngọc Hồi - Đống Đa is only an observance
  });

  it('knows the other public holidays', () => {
    expect(off.reason('2026-04-26')).toBe('Giỗ tổ Hùng Vương'); // a Sunday
    expect(off.reason('2027-04-16')).toBe('Giỗ tổ Hùng Vương'); // a Friday
    expect(off.reason('2028-04-04')).toBe('Giỗ tổ Hùng Vương');
    expect(off.reason('2026-04-30')).toBe('Ngày Giải phóng miền Nam');
    expect(off.reason('2026-05-01')).toBe('Quốc tế Lao động');
    expect(off.reason('2026-09-02')).toBe('Quốc khánh');
    expect(off.reason('2027-01-01')).toBe('Tết Dương lịch');
  });

  it('does not take observances off', () => {
    expect(off.isWorkingDay('2026-03-03')).toBe(true); // Tết Nguyên Tiêu, a Tuesday
    expect(off.isWorkingDay('2026-11-20')).toBe(true); // Ngày Nhà giáo Việt Nam, a Friday
    expect(off.isWorkingDay('2026-02-03')).toBe(true); // Ngày thành lập Đảng, a Tuesday
  });

  it('gives no compensatory day unless one is configured', () => {
    // Giỗ Tổ 2026 is a Sunday; whether Monday 27/04 is off is decided yearly (see the extras).
    expect(off.isWorkingDay('2026-04-27')).toBe(true);
    expect(new DaysOff([{ from: '2026-04-27', to: '2026-04-27', name: 'Nghỉ bù Giỗ tổ Hùng Vương' }]).reason('2026-04-27')).toBe('Nghỉ bù Giỗ tổ Hùng Vương');
  });

  it('finds the nearest working day on either side, across Tết and the year end', () => {
    expect(off.workingDayOnOrBefore('2026-02-20')).toBe('2026-02-13');
    expect(off.workingDayOnOrAfter('2026-02-16')).toBe('2026-02-23');
    expect(off.workingDayOnOrBefore('2027-02-09')).toBe('2027-02-04');
    expect(off.workingDayOnOrAfter('2027-02-05')).toBe('2027-02-10');
    expect(off.workingDayOnOrBefore('2027-01-01')).toBe('2026-12-31');
    expect(off.workingDayOnOrAfter('2027-01-01')).toBe('2027-01-04');
    expect(off.workingDayOnOrBefore('2026-05-02')).toBe('2026-04-29'); // Sat, then 01/05 and 30/04
    expect(off.workingDayOnOrBefore('2026-03-18')).toBe('2026-03-18');
    expect(off.workingDayOnOrAfter('2026-03-18')).toBe('2026-03-18');
  });

  it('agrees between instances and over repeated lookups (the holiday cache is shared)', () => {
    const other = new DaysOff();
    const days = daysFrom('2025-12-01', 800);
    const first = days.map((d) => off.reason(d));
    expect(days.map((d) => other.reason(d))).toEqual(first);
    expect(days.map((d) => off.reason(d))).toEqual(first);
    // 01/12/2025–08/02/2028: 228 weekend days, plus the holidays on weekdays: 9 in 2026
    // (01/01, Tết ×5, 30/04, 01/05, 02/09), 7 in 2027 (01/01, Tết ×3, 16/04, 30/04, 02/09) and
    // Tết 2028 on Tuesday–Friday 25–28/01.
    expect(days.at(-1)).toBe('2028-02-08');
    expect(first.filter((r) => r !== undefined)).toHaveLength(228 + 9 + 7 + 4);
  });

  it('rejects days that do not exist', () => {
    expect(() => off.reason('2027-02-29')).toThrow(/invalid day/);
    expect(() => off.isWorkingDay('29/02/2028')).toThrow(/invalid day/);
  });
});

describe('extra days off', () => {
  const tet2026 = new DaysOff([{ from: '2026-02-14', to: '2026-02-22', name: 'Nghỉ Tết Nguyên Đán Bính Ngọ' }]);

  it('names every day of a configured break after the break, weekends and holidays included', () => {
    for (const day of daysFrom('2026-02-14', 9)) expect(tet2026.reason(day), day).toBe('Nghỉ Tết Nguyên Đán Bính Ngọ');
    expect(tet2026.reason('2026-02-13')).toBeUndefined();
    expect(tet2026.reason('2026-02-23')).toBeUndefined();
  });

  it('takes weekdays off too, moving the nearest working day', () => {
    const withCompensation = new DaysOff([{ from: '2027-02-10', to: '2027-02-11', name: 'Nghỉ bù Tết Nguyên Đán' }]);
    expect(withCompensation.reason('2027-02-10')).toBe('Nghỉ bù Tết Nguyên Đán');
    expect(withCompensation.isWorkingDay('2027-02-11')).toBe(false);
    expect(withCompensation.workingDayOnOrAfter('2027-02-05')).toBe('2027-02-12');
    expect(withCompensation.workingDayOnOrBefore('2027-02-11')).toBe('2027-02-04');
    // The default calendar is untouched by another instance's extras.
    expect(new DaysOff().isWorkingDay('2027-02-10')).toBe(true);
  });

  it('lets the first of two overlapping breaks name the shared days', () => {
    const both = new DaysOff([
      { from: '2026-08-31', to: '2026-09-01', name: 'Nghỉ Quốc khánh' },
      { from: '2026-09-01', to: '2026-09-03', name: 'Đợt nghỉ khác' },
    ]);
    expect(both.reason('2026-08-31')).toBe('Nghỉ Quốc khánh');
    expect(both.reason('2026-09-01')).toBe('Nghỉ Quốc khánh');
    expect(both.reason('2026-09-03')).toBe('Đợt nghỉ khác');
  });

  it('refuses breaks that cannot be right, in Vietnamese', () => {
    expect(validateExtraDaysOff({ from: '2026-02-14', to: '2026-02-22', name: 'Nghỉ Tết' })).toBeUndefined();
    expect(validateExtraDaysOff({ from: '2026-02-22', to: '2026-02-14', name: 'Nghỉ Tết' })).toBe('Ngày bắt đầu nghỉ phải trước hoặc trùng ngày kết thúc.');
    expect(validateExtraDaysOff({ from: '2026-02-30', to: '2026-03-02', name: 'Nghỉ Tết' })).toMatch(/^Ngày nghỉ không hợp lệ/);
    expect(validateExtraDaysOff({ from: '2026-02-14', to: '2026-02-22', name: '  ' })).toMatch(/^Đợt nghỉ cần có tên/);
    expect(validateExtraDaysOff({ from: '2026-02-14', to: '2027-02-22', name: 'Nghỉ Tết' })).toBe('Một đợt nghỉ không được dài quá 60 ngày.');
    expect(() => new DaysOff([{ from: '2026-02-22', to: '2026-02-14', name: 'Nghỉ Tết' }])).toThrow('Ngày bắt đầu nghỉ phải trước hoặc trùng ngày kết thúc.');
  });
});
