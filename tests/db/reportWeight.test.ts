import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { demoDatabasePerTest } from '../helpers/harness.js';
import { unitIdOf } from '../helpers/rows.js';
import { reportData, type ReportScope } from '../../db/reportData.js';
import { reportWeight } from '../../db/reportWeight.js';
import { units } from '../../db/schema.js';
import { yearPeriod } from '../../core/period.js';

/**
 * A report's weight is the rows of its spreadsheet (units + models), counted before the report is
 * made: it must agree with what reportData then reads, for every kind of scope.
 */

const NOW = new Date('2026-11-22T09:00:00+07:00');
const database = demoDatabasePerTest(NOW);
const idOf = (code: string) => unitIdOf(database().db, code);

function rows(scope: ReportScope, year: number): number {
  const data = reportData(database().db, scope, yearPeriod(year), NOW);
  return data.units.length + data.models.length;
}

describe('reportWeight', () => {
  it('is the number of unit and model rows the report will hold', () => {
    const scopes: Array<[string, ReportScope]> = [
      ['the whole deployment', { rootUnitId: null, subtree: true }],
      ['the province', { rootUnitId: idOf('HATINH'), subtree: true }],
      ['a unit with units under it', { rootUnitId: idOf('MTTQ'), subtree: true }],
      ['a unit alone', { rootUnitId: idOf('CAMXUYEN'), subtree: false }],
    ];
    for (const [what, scope] of scopes) {
      for (const year of [2026, 2025]) expect(reportWeight(database().db, scope, year), `${what}, ${year}`).toBe(rows(scope, year));
    }
    // The demo, by hand: 24 units and 9 models in 2026; Cẩm Xuyên alone has one of them; the Mặt
    // trận with its two organisations has two.
    expect(reportWeight(database().db, { rootUnitId: null, subtree: true }, 2026)).toBe(33);
    expect(reportWeight(database().db, { rootUnitId: idOf('CAMXUYEN'), subtree: false }, 2026)).toBe(2);
    expect(reportWeight(database().db, { rootUnitId: idOf('MTTQ'), subtree: true }, 2026)).toBe(5);
  });

  it('agrees with the report for a stopped unit: the root is counted, the stopped units under it are not', () => {
    database().db.update(units).set({ active: false }).where(eq(units.shortCode, 'TINHDOAN')).run();
    const front = { rootUnitId: idOf('MTTQ'), subtree: true };
    expect(reportWeight(database().db, front, 2026)).toBe(rows(front, 2026));
    database().db.update(units).set({ active: false }).where(eq(units.shortCode, 'MTTQ')).run();
    for (const subtree of [true, false]) {
      const stopped = { rootUnitId: idOf('MTTQ'), subtree };
      expect(reportWeight(database().db, stopped, 2026), `subtree ${subtree}`).toBe(rows(stopped, 2026));
      expect(rows(stopped, 2026)).toBeGreaterThan(0);
    }
  });

  it('stops counting at the limit it is given', () => {
    for (const scope of [
      { rootUnitId: null, subtree: true },
      { rootUnitId: idOf('HATINH'), subtree: true },
    ]) {
      expect(reportWeight(database().db, scope, 2026, 10)).toBe(10);
      expect(reportWeight(database().db, scope, 2026, 1000)).toBe(reportWeight(database().db, scope, 2026));
    }
  });
});
