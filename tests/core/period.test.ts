import { describe, expect, it } from 'vitest';
import { parsePeriod, periodTitle, type ReportPeriod } from '../../core/period.js';

const NOW = new Date('2026-11-22T09:00:00+07:00');

function period(args: string): ReportPeriod & { rest: string[] } {
  const parsed = parsePeriod(args, NOW);
  if (!parsed.ok) throw new Error(parsed.error);
  return { ...parsed.period, rest: parsed.rest };
}

function error(args: string): string {
  const parsed = parsePeriod(args, NOW);
  if (parsed.ok) throw new Error(`“${args}” was accepted`);
  return parsed.error;
}

describe('parsePeriod', () => {
  it('defaults to the current year in Vietnam', () => {
    expect(period('')).toMatchObject({ kind: 'year', year: 2026, from: '2026-01-01', to: '2026-12-31' });
    // 31/12 17:30 UTC is already 1/1 in Vietnam.
    const parsed = parsePeriod('', new Date('2026-12-31T17:30:00Z'));
    expect(parsed.ok && parsed.period.year).toBe(2027);
  });

  it('reads years, quarters and months as people type them', () => {
    expect(period('2025')).toMatchObject({ kind: 'year', year: 2025 });
    expect(period('năm 2025')).toMatchObject({ kind: 'year', year: 2025 });
    for (const typed of ['quy 1', 'quý 1', 'Quý 1', 'quy1', 'QUÝ 1', 'quý 1'.normalize('NFD')]) {
      expect(period(typed), typed).toMatchObject({ kind: 'quarter', quarter: 1, from: '2026-01-01', to: '2026-03-31' });
    }
    expect(period('quý 4 2025')).toMatchObject({ kind: 'quarter', year: 2025, from: '2025-10-01', to: '2025-12-31' });
    expect(period('quý 4 năm 2025')).toMatchObject({ kind: 'quarter', year: 2025, quarter: 4 });
    expect(period('2025 quý 4')).toMatchObject({ kind: 'quarter', year: 2025, quarter: 4 });
    expect(period('tháng 2')).toMatchObject({ kind: 'month', month: 2, from: '2026-02-01', to: '2026-02-28' });
    expect(period('thang 2 2028')).toMatchObject({ from: '2028-02-01', to: '2028-02-29' });
    expect(period('thang12')).toMatchObject({ from: '2026-12-01', to: '2026-12-31' });
  });

  it('reads quarters in Roman numerals and the two halves of a year (issue 22)', () => {
    for (const typed of ['quý I', 'quy i', 'Quý I', 'QUÝ I']) {
      expect(period(typed), typed).toMatchObject({ kind: 'quarter', quarter: 1, year: 2026, from: '2026-01-01', to: '2026-03-31' });
    }
    expect(period('quý IV 2025')).toMatchObject({ kind: 'quarter', quarter: 4, year: 2025, from: '2025-10-01', to: '2025-12-31' });
    expect(period('quý III năm 2025')).toMatchObject({ quarter: 3, year: 2025 });
    expect(period('quý II')).toMatchObject({ quarter: 2 });
    for (const typed of ['6 tháng đầu năm', '6 thang dau nam', 'sáu tháng đầu năm', '6 tháng đầu']) {
      expect(period(typed), typed).toMatchObject({ kind: 'range', half: 1, year: 2026, from: '2026-01-01', to: '2026-06-30' });
    }
    expect(period('6 tháng cuối năm')).toMatchObject({ kind: 'range', half: 2, year: 2026, from: '2026-07-01', to: '2026-12-31' });
    expect(period('6 tháng đầu năm 2025 excel')).toMatchObject({ half: 1, year: 2025, from: '2025-01-01', to: '2025-06-30', rest: ['excel'] });
    expect(period('CAMXUYEN quý II').rest).toEqual(['CAMXUYEN']);
    expect(error('6 tháng')).toBe('Xin ghi rõ 6 tháng đầu năm hay 6 tháng cuối năm, ví dụ: /baocao 6 tháng đầu năm');
    expect(error('6 tháng đầu năm quý 1')).toContain('chỉ một kỳ');
    expect(error('quý I 6 tháng cuối năm')).toContain('chỉ một kỳ');
  });

  it('reads a date range, the way the Decree 09/2019 periods are asked for', () => {
    for (const typed of ['15/2/2026-14/3/2026', '15/02/2026 - 14/03/2026', '15-2-2026 đến 14-3-2026', '15.2.2026 den 14.3.2026']) {
      expect(period(typed), typed).toMatchObject({ kind: 'range', year: 2026, from: '2026-02-15', to: '2026-03-14' });
    }
    expect(period('15/12/2025-14/12/2026')).toMatchObject({ year: 2026, from: '2025-12-15', to: '2026-12-14' });
  });

  it('hands back the words it does not use, as typed', () => {
    expect(period('SNV quý 1 excel').rest).toEqual(['SNV', 'excel']);
    expect(period('bieudo donvi 2025').rest).toEqual(['bieudo', 'donvi']);
  });

  it('refuses what cannot be a period, kindly and in Vietnamese', () => {
    expect(error('quý 5')).toContain('Không có quý 5');
    expect(error('tháng 13')).toContain('Không có tháng 13');
    expect(error('quý')).toContain('quý mấy');
    expect(error('tháng')).toContain('tháng mấy');
    expect(error('1999')).toContain('không hợp lệ');
    expect(error('31/2/2026-1/3/2026')).toContain('ngày/tháng/năm');
    expect(error('14/3/2026-15/2/2026')).toContain('ngày/tháng/năm');
    expect(error('quý 1 tháng 2')).toContain('chỉ một kỳ');
    expect(error('2025 2026')).toContain('chỉ một kỳ');
    expect(error('2026 15/2/2026-14/3/2026')).toContain('chỉ một kỳ');
  });
});

describe('periodTitle', () => {
  it('says the period as a report title does', () => {
    expect(periodTitle(period('2026'))).toBe('năm 2026');
    expect(periodTitle(period('quý 3'))).toBe('quý III năm 2026');
    expect(periodTitle(period('tháng 3'))).toBe('tháng 3 năm 2026');
    expect(periodTitle(period('15/2/2026-14/3/2026'))).toBe('từ 15/02/2026 đến 14/03/2026');
    expect(periodTitle(period('quý IV 2025'))).toBe('quý IV năm 2025');
    expect(periodTitle(period('6 tháng đầu năm'))).toBe('6 tháng đầu năm 2026');
    expect(periodTitle(period('6 tháng cuối năm 2025'))).toBe('6 tháng cuối năm 2025');
  });
});
