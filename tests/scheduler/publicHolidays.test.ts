import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DaysOff, computePublicHolidays } from '../../scheduler/daysOff.js';
import { PUBLIC_HOLIDAYS } from '../../scheduler/publicHolidays.js';

/**
 * scheduler/publicHolidays.ts is date-holidays' answer written down, so that the bot does not load
 * date-holidays at start-up. Upgrading date-holidays (or a new holiday in its data) makes this
 * test fail; `UPDATE_HOLIDAYS=1 npx vitest run tests/scheduler/publicHolidays.test.ts` rewrites
 * the table (then `npx biome format --write scheduler/publicHolidays.ts`).
 */

const FIRST_YEAR = 2020;
const LAST_YEAR = 2050;
const TABLE = fileURLToPath(new URL('../../scheduler/publicHolidays.ts', import.meta.url));

function source(): string {
  const head = readFileSync(TABLE, 'utf8').split('export const PUBLIC_HOLIDAYS')[0];
  const years: string[] = [];
  for (let year = FIRST_YEAR; year <= LAST_YEAR; year++) years.push(`  ${year}: ${JSON.stringify(computePublicHolidays(year))},`);
  return `${head}export const PUBLIC_HOLIDAYS: Readonly<Record<number, readonly PublicHoliday[]>> = {\n${years.join('\n')}\n};\n`;
}

describe('the table of public holidays', () => {
  if (process.env.UPDATE_HOLIDAYS) writeFileSync(TABLE, source());

  it(`holds every year from ${FIRST_YEAR} to ${LAST_YEAR}, as date-holidays computes it`, () => {
    const years = Object.keys(PUBLIC_HOLIDAYS).map(Number);
    expect(years).toEqual(Array.from({ length: LAST_YEAR - FIRST_YEAR + 1 }, (_, i) => FIRST_YEAR + i));
    for (const year of years) expect(PUBLIC_HOLIDAYS[year], String(year)).toEqual(computePublicHolidays(year));
  });

  it('lists Tết 2026 as five days from Monday 16/02', () => {
    expect(PUBLIC_HOLIDAYS[2026]).toContainEqual(['2026-02-16', 5, 'Giao thừa Tết Nguyên Đán']);
  });

  it('computes a year outside the table with date-holidays', () => {
    expect(PUBLIC_HOLIDAYS[2019]).toBeUndefined();
    const off = new DaysOff();
    expect(off.reason('2019-02-04')).toBe('Giao thừa Tết Nguyên Đán');
    expect(off.reason('2019-02-06')).toBe('Tết Nguyên Đán');
    expect(off.reason('2019-02-11')).toBeUndefined();
  });
});
