import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/logger.js';
import { type AppDatabase, openDatabase } from '../../db/client.js';
import { DaysOff, lunarNewYear } from '../../scheduler/daysOff.js';
import { tetBreakWarningJob, tetBreakWarningText } from '../../scheduler/tetBreakWarning.js';

const vn = (at: string) => new Date(`${at}+07:00`);
const QUIET = { start: '08:00', end: '17:00' };

let app: AppDatabase;
beforeEach(async () => {
  app = await openDatabase(':memory:');
});
afterEach(() => app.close());

function job(daysOff: DaysOff, told: string[]) {
  return tetBreakWarningJob({
    db: app.db,
    daysOff,
    quiet: QUIET,
    calendarPath: './config/calendar.json',
    log: silentLogger,
    alert: async (t) => void told.push(t),
  });
}

describe('the November warning about next year’s Tết break', () => {
  it('knows mùng 1 Tết Đinh Mùi: Saturday 06/02/2027', () => {
    expect(lunarNewYear(2027)).toBe('2027-02-06');
    expect(lunarNewYear(2026)).toBe('2026-02-17');
  });

  it('tells the admins on a November working day within the hours, then not again for a week', async () => {
    const told: string[] = [];
    const run = job(new DaysOff(), told).run;
    await run(vn('2026-10-30T09:00')); // October
    await run(vn('2026-11-01T09:00')); // Sunday
    await run(vn('2026-11-02T07:59')); // before the hours
    expect(told).toEqual([]);
    await run(vn('2026-11-02T08:00'));
    expect(told).toEqual([tetBreakWarningText(2027, '2027-02-06', './config/calendar.json')]);
    expect(told[0]).toContain('mùng 1 Tết là 06/02/2027');
    for (const at of ['2026-11-02T08:01', '2026-11-03T09:00', '2026-11-06T16:00']) await run(vn(at));
    expect(told).toHaveLength(1);
    await run(vn('2026-11-09T08:00'));
    expect(told).toHaveLength(2);
    await run(vn('2026-12-07T09:00')); // December: no longer
    expect(told).toHaveLength(2);
  });

  it('a restart does not tell them again the same week', async () => {
    const told: string[] = [];
    await job(new DaysOff(), told).run(vn('2026-11-02T08:00'));
    await job(new DaysOff(), told).run(vn('2026-11-03T08:00'));
    expect(told).toHaveLength(1);
  });

  it('says nothing once the break covering mùng 1 is in the file', async () => {
    const told: string[] = [];
    const decided = new DaysOff([{ from: '2027-02-04', to: '2027-02-12', name: 'Nghỉ Tết Nguyên Đán Đinh Mùi 2027' }]);
    await job(decided, told).run(vn('2026-11-02T08:00'));
    expect(told).toEqual([]);
  });
});
