import { eq } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { demoDatabasePerTest } from '../helpers/harness.js';
import { unitIdOf } from '../helpers/rows.js';
import { lateUnits } from '../../db/deadlineProgress.js';
import { activeDeadlines, syncCalendarDeadlines } from '../../db/deadlines.js';
import { reportData, UnknownReportUnit } from '../../db/reportData.js';
import { units } from '../../db/schema.js';
import { monthPeriod, quarterPeriod, rangePeriod, yearPeriod } from '../../core/period.js';
import { loadCalendar } from '../../scheduler/calendarConfig.js';

/**
 * The numbers of the demo (db/seed/demo.ts), worked out by hand from its nine 2026 models:
 *   CAMXUYEN    dân vận khéo, tập thể, Xây dựng nông thôn mới  recognised + replicated; updates 14/3 13/5 14/7 20/8
 *   CAMBINH     dân vận khéo, tập thể, Kinh tế                 in_progress; updates 10/4 12/9 12/11
 *   SYT         điểm sáng chính quyền, tập thể, Cải cách HC     proposed;    updates 12/6 10/10
 *   CAT         dân vận khéo, cá nhân, Quốc phòng - an ninh     recognised + commended; updates 14/4 28/8
 *   THANHSEN    điểm sáng dân chủ, tập thể, Xây dựng Đảng        in_progress; update 14/6
 *   DUCTHO      dân vận khéo, tập thể, Văn hóa - xã hội          returned
 *   TINHDOAN    điểm sáng dân chủ, tập thể, Tiếp dân             pending (under MTTQ)
 *   SGDDT       dân vận khéo, tập thể, Văn hóa - xã hội          in_progress; update 14/9
 *   MTTQ        dân vận khéo, tập thể, Văn hóa - xã hội          not_recognised; updates 15/4 30/8
 * 24 units, all directly under the province but Tỉnh đoàn and Hội Phụ nữ (under MTTQ); quota 1 each, CAMXUYEN 2.
 */

const NOW = new Date('2026-11-22T09:00:00+07:00');
/** All but Tỉnh đoàn's, registered on 18/11. */
const MODELS_BY_END_OF_MARCH = 8;
const ALL = { rootUnitId: null, subtree: true } as const;
const database = demoDatabasePerTest(NOW);
const idOf = (code: string) => unitIdOf(database().db, code);

describe('reportData on the demo, counted by hand', () => {
  it('counts the year by state, kind, holder and field', () => {
    const data = reportData(database().db, ALL, yearPeriod(2026), NOW);
    expect(data.root?.shortCode).toBeUndefined();
    expect(data.totals.units).toBe(24);
    expect(data.totals.models).toBe(9);
    expect(data.totals.byState).toEqual({ pending: 1, returned: 1, in_progress: 3, proposed: 1, recognised: 2, not_recognised: 1 });
    expect(data.totals.byKind).toEqual({ dan_van_kheo: 6, diem_sang_chinh_quyen: 1, diem_sang_qcdc: 2 });
    expect(data.totals.byHolder).toEqual({ collective: 8, individual: 1 });
    expect(Object.fromEntries(data.totals.byField.map((f) => [f.label, f.count]))).toEqual({
      'Kinh tế': 1,
      'Văn hóa - xã hội': 3,
      'Quốc phòng - an ninh': 1,
      'Xây dựng Đảng và hệ thống chính trị': 1,
      'Cải cách hành chính': 1,
      'Tiếp dân và giải quyết đơn thư': 1,
      'Xây dựng nông thôn mới': 1,
    });
    expect([data.totals.recognised, data.totals.replicated, data.totals.commended]).toEqual([2, 1, 1]);
    // Every update of 2026: 4 + 3 + 2 + 2 + 1 + 1 + 2.
    expect(data.totals.updatesInPeriod).toBe(15);
  });

  it('gives each unit its quota and the tree its roll-up', () => {
    const data = reportData(database().db, ALL, yearPeriod(2026), NOW);
    const unit = (code: string) => data.units.find((u) => u.shortCode === code)!;
    expect(unit('CAMXUYEN').quota).toEqual({ required: 2, counted: 1, pending: 0, missing: 1 });
    // Only approved models fill the quota (issue 22): not a returned one, nor one not recognised,
    // nor one still waiting for approval (counted apart as pending).
    expect(unit('DUCTHO').quota).toEqual({ required: 1, counted: 0, pending: 0, missing: 1 });
    expect(unit('MTTQ').quota).toEqual({ required: 1, counted: 0, pending: 0, missing: 1 });
    expect(unit('TINHDOAN').quota).toEqual({ required: 1, counted: 0, pending: 1, missing: 1 });
    expect(unit('HUONGSON').models).toBe(0);
    // Meeting the quota: CAMBINH, SYT, CAT, THANHSEN, SGDDT (approved); the 19 others are short.
    expect(data.totals.unitsBelowQuota).toBe(19);
    expect(data.totals.unitsWithoutModels).toBe(15);
    // The roll-up: the Mặt trận counts Tỉnh đoàn's model with its own.
    expect(unit('CAMXUYEN').subtreeModels).toBe(1);
    expect(unit('MTTQ').subtreeModels).toBe(2);
    expect(unit('TINHDOAN').subtreeModels).toBe(1);
    expect(unit('HOILHPN').subtreeModels).toBe(0);
    expect(unit('HATINH').subtreeModels).toBe(9);
    expect(unit('HATINH').depth).toBe(0);
    expect(unit('CAMXUYEN').depth).toBe(1);
    expect(unit('MTTQ').depth).toBe(1);
    expect(unit('TINHDOAN').depth).toBe(2);
    // Tree order: every unit comes after its parent.
    const position = new Map(data.units.map((u, i) => [u.id, i]));
    for (const u of data.units) if (u.parentId !== null) expect(position.get(u.parentId)!).toBeLessThan(position.get(u.id)!);
  });

  it('rolls every column up, not only the count: states, quota, units below quota', () => {
    const data = reportData(database().db, ALL, yearPeriod(2026), NOW);
    const unit = (code: string) => data.units.find((u) => u.shortCode === code)!;
    // The Mặt trận (not recognised, quota 0/1) with Tỉnh đoàn (pending, 0/1 and 1 waiting) and Hội Phụ nữ (none, 0/1).
    expect(unit('MTTQ').subtree).toEqual({
      byState: { pending: 1, returned: 0, in_progress: 0, proposed: 0, recognised: 0, not_recognised: 1 },
      models: 2,
      quota: { required: 3, counted: 0, pending: 1, missing: 3 },
      updatesOwed: null,
      unitsBelowQuota: 3,
      unitsLate: 0,
    });
    // A leaf's roll-up is its own figures.
    expect(unit('CAMXUYEN').subtree.quota).toEqual(unit('CAMXUYEN').quota);
    // The province's roll-up is the report's totals.
    expect(unit('HATINH').subtree.byState).toEqual(data.totals.byState);
    expect(unit('HATINH').subtree.models).toBe(data.totals.models);
    expect(unit('HATINH').subtree.unitsBelowQuota).toBe(data.totals.unitsBelowQuota);
    expect(unit('HATINH').subtree.unitsLate).toBe(data.totals.unitsLate);
  });

  it('names the units late with updates for a quarter, as the reminders do', () => {
    const period = quarterPeriod(2026, 4);
    // Asked once the quarter is over (issue 21: while it runs, before its deadline, nobody is late).
    const data = reportData(database().db, ALL, period, new Date('2027-01-05T09:00:00+07:00'));
    expect(data.running).toBe(false);
    // Carried out in Q4 without an update since 1/10: THANHSEN (14/6) and SGDDT (14/9).
    const late = data.units.filter((u) => (u.updatesOwed?.missing ?? 0) > 0).map((u) => u.shortCode);
    expect(late.sort()).toEqual(['SGDDT', 'THANHSEN']);
    expect(data.totals.unitsLate).toBe(2);
    expect(data.units.find((u) => u.shortCode === 'CAMBINH')!.updatesOwed).toEqual({ active: 1, missing: 0, waiting: 0 });
    expect(data.units.find((u) => u.shortCode === 'CAT')!.updatesOwed).toBeNull();
    expect(data.totals.updatesInPeriod).toBe(2);
    // The same rule as a reminder for the same period names the same units.
    const occurrence = { due: '2026-12-19', period: { from: period.from, to: period.to } };
    const deadline = {
      id: 0,
      key: null,
      title: 't',
      rule: { rule: 'once', date: '2026-12-19' },
      cutoff: null,
      unitId: null,
      unitKinds: null,
      done: 'period_updates',
      policy: {},
      source: 'chat',
    } as never;
    expect(
      lateUnits(database().db, deadline, occurrence as never)
        .map((u) => u.shortCode)
        .sort(),
    ).toEqual(late.sort());
  });

  it('names no unit late in a quarter still running before its deadline: they are not yet due', () => {
    const data = reportData(database().db, ALL, quarterPeriod(2026, 4), NOW);
    expect(data.running).toBe(true);
    expect(data.updatesDue).toEqual({ day: null, at: new Date('2027-01-01T00:00:00+07:00'), passed: false });
    expect(data.totals.unitsLate).toBe(0);
    expect(data.totals.unitsWaiting).toBe(2);
    const waiting = data.units.filter((u) => (u.updatesOwed?.waiting ?? 0) > 0).map((u) => u.shortCode);
    expect(waiting.sort()).toEqual(['SGDDT', 'THANHSEN']);
  });

  it('counts a month: only its updates, and the units without one', () => {
    const data = reportData(database().db, ALL, monthPeriod(2026, 3), NOW);
    expect(data.totals.updatesInPeriod).toBe(1);
    // The year's models registered by the end of March (issue 21: not those registered later).
    expect(data.totals.models).toBe(MODELS_BY_END_OF_MARCH);
    const late = data.units.filter((u) => (u.updatesOwed?.missing ?? 0) > 0).map((u) => u.shortCode);
    // In March every approved model was being carried out (issue 21: the states of then, not of
    // today): CAT (recognised in October) and MTTQ (not recognised in October) owed March too.
    expect(late.sort()).toEqual(['CAMBINH', 'CAT', 'MTTQ', 'SGDDT', 'SYT', 'THANHSEN']);
  });

  it('gives each model its latest update up to the end of the period', () => {
    const year = reportData(database().db, ALL, yearPeriod(2026), NOW);
    const cambinh = year.models.find((m) => m.unitName === 'Xã Cẩm Bình')!;
    expect(cambinh.latestUpdate?.text).toContain('đổ bê tông đoạn cuối');
    expect(cambinh.latestUpdate?.percent).toBe(80);
    expect(cambinh.latestUpdate?.author).toBe('Phạm Thị Dung');
    expect(cambinh.updatesInPeriod).toBe(3);
    // At the end of June the latest was April's.
    const june = reportData(database().db, ALL, rangePeriod('2026-01-01', '2026-06-30'), NOW);
    expect(june.models.find((m) => m.id === cambinh.id)!.latestUpdate?.percent).toBe(40);
    expect(year.models.find((m) => m.unitName === 'Xã Đức Thọ')!.latestUpdate).toBeNull();
  });

  it('reports a subtree, or one unit alone', () => {
    const front = reportData(database().db, { rootUnitId: idOf('MTTQ'), subtree: true }, yearPeriod(2026), NOW);
    expect(front.root?.name).toBe('Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh');
    expect(front.totals.units).toBe(3);
    expect(front.totals.models).toBe(2);
    expect(front.units[0]!.shortCode).toBe('MTTQ');
    expect(front.units[0]!.depth).toBe(0);
    const own = reportData(database().db, { rootUnitId: idOf('MTTQ'), subtree: false }, yearPeriod(2026), NOW);
    expect(own.totals.units).toBe(1);
    expect(own.models.map((m) => m.unitName)).toEqual(['Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh']);
    expect(() => reportData(database().db, { rootUnitId: 99_999, subtree: true }, yearPeriod(2026), NOW)).toThrow(UnknownReportUnit);
  });

  it('counts the quota with the states at a closed period’s end: in January every registration still waited', () => {
    // By 31/01 the eight models then registered were all "chờ duyệt" (approved from 05/02 on,
    // Đức Thọ's returned on 12/02): none filled a quota yet, each was pending.
    const january = reportData(database().db, ALL, monthPeriod(2026, 1), NOW);
    expect(january.running).toBe(false);
    const unit = (code: string) => january.units.find((u) => u.shortCode === code)!;
    expect(unit('CAMXUYEN').quota).toEqual({ required: 2, counted: 0, pending: 1, missing: 2 });
    expect(unit('DUCTHO').quota).toEqual({ required: 1, counted: 0, pending: 1, missing: 1 });
    expect(unit('MTTQ').quota).toEqual({ required: 1, counted: 0, pending: 1, missing: 1 });
    // Tỉnh đoàn registered only on 18/11: nothing at all in January.
    expect(unit('TINHDOAN').quota).toEqual({ required: 1, counted: 0, pending: 0, missing: 1 });
    expect(january.totals.unitsBelowQuota).toBe(24);
    expect(unit('HATINH').subtree.quota).toEqual({ required: 25, counted: 0, pending: 8, missing: 25 });
    // The same units today: the approved ones fill their quota, Tỉnh đoàn's waits.
    const now = reportData(database().db, ALL, yearPeriod(2026), NOW);
    const today = (code: string) => now.units.find((u) => u.shortCode === code)!;
    expect(today('CAMXUYEN').quota).toEqual({ required: 2, counted: 1, pending: 0, missing: 1 });
    // 25 asked (24 units, Cẩm Xuyên 2); 6 approved (Cẩm Xuyên 1 of its 2, five units 1 each): 19 missing.
    expect(today('HATINH').subtree.quota).toEqual({ required: 25, counted: 6, pending: 1, missing: 19 });
  });

  it('counts nothing from another year', () => {
    const data = reportData(database().db, ALL, yearPeriod(2025), NOW);
    expect(data.totals.models).toBe(0);
    expect(data.totals.updatesInPeriod).toBe(0);
    expect(data.totals.byField.every((f) => f.count === 0)).toBe(true);
    expect(data.totals.byField.length).toBeGreaterThanOrEqual(7);
  });

  it('leaves the province out of the quota once the shipped calendar says so', () => {
    const calendar = loadCalendar(fileURLToPath(new URL('../../config/calendar.json', import.meta.url)));
    syncCalendarDeadlines(database().db, calendar.deadlines, NOW);
    expect(activeDeadlines(database().db).some((d) => d.done === 'quota_registered')).toBe(true);
    const data = reportData(database().db, ALL, yearPeriod(2026), NOW);
    expect(data.units.find((u) => u.shortCode === 'HATINH')!.quota.required).toBe(0);
    // The 19 short units of the year but the province (no model, now not asked): 18.
    expect(data.totals.unitsBelowQuota).toBe(18);
    expect(data.totals.unitsWithoutModels).toBe(14);
  });

  it('leaves a deactivated unit and its models out', () => {
    database().db.update(units).set({ active: false }).where(eq(units.shortCode, 'SYT')).run();
    const data = reportData(database().db, ALL, yearPeriod(2026), NOW);
    expect(data.totals.units).toBe(23);
    expect(data.totals.models).toBe(8);
    expect(data.totals.byState.proposed).toBe(0);
  });
});
