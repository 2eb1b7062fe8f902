import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { monthPeriod, quarterPeriod, rangePeriod, type ReportPeriod, yearPeriod } from '../../core/period.js';
import { type ReportData, reportData } from '../../db/reportData.js';
import { reportSummary } from '../../reports/chatSummary.js';
import { Harness } from '../helpers/harness.js';
import { buildHandCountDataset, FIELDS_Q1, FIELDS_YEAR, HAND_COUNT_ADMIN, HAND_COUNT_GROUP, HAND_COUNT_NOW } from '../helpers/handCountDataset.js';

/**
 * Every figure of reportData and of the chat summary on the hand-count dataset (issue 21), against
 * the table counted by hand in tests/helpers/handCountDataset.ts.
 */

let h: Harness;
beforeAll(async () => {
  h = await Harness.create({ now: HAND_COUNT_NOW });
  await buildHandCountDataset(h);
}, 60_000);
afterAll(() => h?.close());

const ALL = { rootUnitId: null, subtree: true } as const;
const data = (period: ReportPeriod): ReportData => reportData(h.db, ALL, period, h.clock.now());
const vn = (local: string) => new Date(`${local}+07:00`);
const codesWith = (d: ReportData, test: (u: ReportData['units'][number]) => boolean) => d.units.filter(test).map((u) => u.shortCode);
const late = (d: ReportData) => codesWith(d, (u) => (u.updatesOwed?.missing ?? 0) > 0);
const waiting = (d: ReportData) => codesWith(d, (u) => (u.updatesOwed?.waiting ?? 0) > 0);

interface Expected {
  period: ReportPeriod;
  asOf: Date;
  running: boolean;
  due: { day: string | null; at: Date; passed: boolean };
  models: number;
  byState: [pending: number, returned: number, inProgress: number, recognised: number];
  replicated: number;
  commended: number;
  updates: number;
  late: string[];
  waiting: string[];
  belowQuota: string[];
  /** Units with a model waiting for approval at the period's end: shown apart, not in the quota. */
  awaitingApproval: string[];
  withoutModels: number;
  byField: Record<string, number>;
}

const NOW = vn('2026-06-20T09:00');

// Tree order: the province, then its children by name (Vietnamese collation), each before its own.
const CASES: Record<string, Expected> = {
  'year 2026': {
    period: yearPeriod(2026),
    asOf: NOW,
    running: true,
    due: { day: '2026-12-09', at: vn('2026-12-10T00:00'), passed: false },
    models: 8,
    byState: [1, 1, 4, 2],
    replicated: 1,
    commended: 1,
    updates: 10,
    late: [],
    waiting: ['HATINH', 'DUCTHO'],
    belowQuota: ['CAMBINH', 'TYTCX'],
    awaitingApproval: ['CAMBINH'],
    withoutModels: 0,
    byField: FIELDS_YEAR,
  },
  'quarter I': {
    period: quarterPeriod(2026, 1),
    asOf: vn('2026-04-01T00:00'),
    running: false,
    due: { day: '2026-03-19', at: vn('2026-03-20T00:00'), passed: true },
    models: 7,
    byState: [1, 1, 5, 0],
    replicated: 0,
    commended: 0,
    updates: 5,
    late: ['DUCTHO'],
    waiting: [],
    belowQuota: ['CAMBINH', 'TYTCX'],
    awaitingApproval: ['CAMBINH'],
    withoutModels: 0,
    byField: FIELDS_Q1,
  },
  'quarter II': {
    period: quarterPeriod(2026, 2),
    asOf: NOW,
    running: true,
    due: { day: '2026-06-19', at: vn('2026-06-20T00:00'), passed: true },
    models: 8,
    byState: [1, 1, 4, 2],
    replicated: 1,
    commended: 1,
    updates: 5,
    late: ['HATINH', 'DUCTHO'],
    waiting: [],
    belowQuota: ['CAMBINH', 'TYTCX'],
    awaitingApproval: ['CAMBINH'],
    withoutModels: 0,
    byField: FIELDS_YEAR,
  },
  'month 1': {
    period: monthPeriod(2026, 1),
    asOf: vn('2026-02-01T00:00'),
    running: false,
    due: { day: '2026-02-15', at: vn('2026-02-16T00:00'), passed: true },
    models: 6,
    byState: [0, 1, 5, 0],
    replicated: 0,
    commended: 0,
    updates: 2,
    late: ['THCX', 'DUCTHO', 'THIENCAM'],
    waiting: [],
    belowQuota: ['CAMBINH', 'TYTCX'],
    awaitingApproval: [],
    withoutModels: 1,
    byField: { ...FIELDS_Q1, 'Kinh tế': 0 },
  },
  'month 2': {
    period: monthPeriod(2026, 2),
    asOf: vn('2026-03-01T00:00'),
    running: false,
    due: { day: '2026-03-15', at: vn('2026-03-16T00:00'), passed: true },
    models: 7,
    byState: [1, 1, 5, 0],
    replicated: 0,
    commended: 0,
    updates: 2,
    late: ['SNV', 'CAMXUYEN', 'DUCTHO'],
    waiting: [],
    belowQuota: ['CAMBINH', 'TYTCX'],
    awaitingApproval: ['CAMBINH'],
    withoutModels: 0,
    byField: FIELDS_Q1,
  },
  'month 6': {
    period: monthPeriod(2026, 6),
    asOf: NOW,
    running: true,
    due: { day: '2026-07-15', at: vn('2026-07-16T00:00'), passed: false },
    models: 8,
    byState: [1, 1, 4, 2],
    replicated: 1,
    commended: 1,
    updates: 2,
    late: [],
    waiting: ['HATINH', 'DUCTHO', 'THIENCAM'],
    belowQuota: ['CAMBINH', 'TYTCX'],
    awaitingApproval: ['CAMBINH'],
    withoutModels: 0,
    byField: FIELDS_YEAR,
  },
  '15/02–14/03': {
    period: rangePeriod('2026-02-15', '2026-03-14'),
    asOf: vn('2026-03-15T00:00'),
    running: false,
    due: { day: null, at: vn('2026-03-15T00:00'), passed: true },
    models: 7,
    byState: [1, 1, 5, 0],
    replicated: 0,
    commended: 0,
    updates: 1,
    late: ['SNV', 'CAMXUYEN', 'THCX', 'DUCTHO'],
    waiting: [],
    belowQuota: ['CAMBINH', 'TYTCX'],
    awaitingApproval: ['CAMBINH'],
    withoutModels: 0,
    byField: FIELDS_Q1,
  },
};

describe('reportData on the hand-count dataset', () => {
  for (const [name, e] of Object.entries(CASES)) {
    it(`${name}: every total, and the units late, not yet due and short of quota`, () => {
      const d = data(e.period);
      expect(d.asOf).toEqual(e.asOf);
      expect(d.running).toBe(e.running);
      expect(d.updatesDue).toEqual(e.due);
      const t = d.totals;
      expect(t.units).toBe(8);
      expect(t.models).toBe(e.models);
      const [pending, returned, in_progress, recognised] = e.byState;
      expect(t.byState).toEqual({ pending, returned, in_progress, proposed: 0, recognised, not_recognised: 0 });
      expect([t.recognised, t.replicated, t.commended]).toEqual([recognised, e.replicated, e.commended]);
      expect(t.updatesInPeriod).toBe(e.updates);
      expect(late(d)).toEqual(e.late);
      expect(t.unitsLate).toBe(e.late.length);
      expect(waiting(d)).toEqual(e.waiting);
      expect(t.unitsWaiting).toBe(e.waiting.length);
      expect(codesWith(d, (u) => u.quota.missing > 0)).toEqual(e.belowQuota);
      expect(t.unitsBelowQuota).toBe(e.belowQuota.length);
      expect(codesWith(d, (u) => (u.quota.pending ?? 0) > 0)).toEqual(e.awaitingApproval);
      expect(t.unitsWithoutModels).toBe(e.withoutModels);
      expect(Object.fromEntries(t.byField.filter((f) => f.count > 0).map((f) => [f.label, f.count]))).toEqual(
        Object.fromEntries(Object.entries(e.byField).filter(([, n]) => n > 0)),
      );
      // The roll-up: the province's subtree is the report's totals, for every column.
      const top = d.units[0]!;
      expect(top.shortCode).toBe('HATINH');
      expect(top.subtree.byState).toEqual(t.byState);
      expect(top.subtree.models).toBe(t.models);
      expect(top.subtree.unitsLate).toBe(t.unitsLate);
      expect(top.subtree.unitsBelowQuota).toBe(t.unitsBelowQuota);
      // One model at most waits in each unit: the roll-up's pending is the number of those units.
      expect(top.subtree.quota.pending).toBe(e.awaitingApproval.length);
      expect(top.subtree.quota.counted).toBe(d.models.filter((m) => ['in_progress', 'proposed', 'recognised'].includes(m.state)).length);
    });
  }

  it('keeps the 2025 model out of 2026: Xã Cẩm Bình owes nothing, though that model still runs', () => {
    for (const e of Object.values(CASES)) {
      const d = data(e.period);
      expect(d.units.find((u) => u.shortCode === 'CAMBINH')!.updatesOwed).toBeNull();
      expect(d.models.some((m) => m.year !== 2026)).toBe(false);
    }
    // Its year counts it, with its one update.
    const y2025 = reportData(h.db, ALL, yearPeriod(2025), h.clock.now());
    expect([y2025.totals.models, y2025.totals.byState.in_progress, y2025.totals.updatesInPeriod]).toEqual([1, 1, 1]);
  });

  it('gives Q1 the states of 31/03: the models recognised in May in progress, no nhân rộng or biểu dương', () => {
    const q1 = data(quarterPeriod(2026, 1));
    const byCode = new Map(q1.models.map((m) => [m.code, m]));
    expect(byCode.get('DVK-2026-0002')!.state).toBe('in_progress');
    expect(byCode.get('DVK-2026-0003')).toMatchObject({ state: 'in_progress', replicatedAt: null, commendedAt: null });
    // Registered on 10/04: not yet in Q1.
    expect(byCode.has('DVK-2026-0008')).toBe(false);
    const q2 = data(quarterPeriod(2026, 2));
    const m4 = q2.models.find((m) => m.code === 'DVK-2026-0003')!;
    expect(m4.state).toBe('recognised');
    expect(m4.replicatedAt).toEqual(vn('2026-05-15T10:00'));
    expect(m4.commendedAt).toEqual(vn('2026-05-25T10:00'));
  });

  it('counts a quota with the states at a closed period’s end: M9 waited for approval on 10/04, not in Q2', () => {
    // M9 (the province's, quota 0) registered 10/04 09:00, approved 11/04 10:00.
    const tenth = data(rangePeriod('2026-04-01', '2026-04-10'));
    expect(tenth.running).toBe(false);
    const province = (d: ReportData) => d.units.find((u) => u.shortCode === 'HATINH')!;
    expect(province(tenth).quota).toEqual({ required: 0, counted: 0, pending: 1, missing: 0 });
    // With M8 (Xã Cẩm Bình's, never approved) the province's tree has two waiting, five approved (M2, M3, M4, M6, M7).
    expect(province(tenth).subtree.quota).toEqual({ required: 7, counted: 5, pending: 2, missing: 2 });
    const q2 = data(quarterPeriod(2026, 2));
    expect(province(q2).quota).toEqual({ required: 0, counted: 1, pending: 0, missing: 0 });
    expect(province(q2).subtree.quota).toEqual({ required: 7, counted: 6, pending: 1, missing: 2 });
  });

  it('counts 30/04 23:30 in April and 01/06 00:30 in June, neither in May', () => {
    expect(data(monthPeriod(2026, 4)).totals.updatesInPeriod).toBe(2);
    expect(data(monthPeriod(2026, 5)).totals.updatesInPeriod).toBe(1);
    const june = data(monthPeriod(2026, 6));
    expect(june.models.find((m) => m.code === 'DVK-2026-0002')!.updatesInPeriod).toBe(1);
  });

  it('calls June late once its deadline has passed, not before', () => {
    const after = reportData(h.db, ALL, monthPeriod(2026, 6), vn('2026-07-16T08:00'));
    expect(after.running).toBe(false);
    expect(late(after)).toEqual(['HATINH', 'DUCTHO', 'THIENCAM']);
    expect(waiting(after)).toEqual([]);
    const lastDay = reportData(h.db, ALL, monthPeriod(2026, 6), vn('2026-07-15T23:59'));
    expect(late(lastDay)).toEqual([]);
  });
});

describe('the chat summary on the hand-count dataset', () => {
  // The whole summary: every list and breakdown is checked (the short one is tested in tests/commands/baocao.test.ts).
  const summary = (args: string) => h.text(HAND_COUNT_ADMIN, `/baocao ${args} chitiet`.trim(), HAND_COUNT_GROUP);

  it('the year, still running: "đến hôm nay", the units not yet due, the province’s own line', async () => {
    const text = await summary('');
    expect(text.split('\n').slice(0, 7)).toEqual([
      '📊 Báo cáo “Dân vận khéo” năm 2026',
      'Tỉnh Hà Tĩnh · 8 đơn vị · số liệu tính đến hôm nay (09:00 20/06/2026)',
      '',
      '• Mô hình đăng ký năm 2026: 8 (tập thể 6 · cá nhân 2)',
      '• Trạng thái: chờ duyệt 1 · bị trả lại 1 · đang thực hiện 4 · được công nhận 2',
      '• Được công nhận 2 · nhân rộng 1 · biểu dương, khen thưởng 1',
      '• Cập nhật tiến độ trong kỳ: 10',
    ]);
    // Xã Cẩm Bình's only model (M8) waits for approval: short, and said why.
    expect(text).toContain('⚠️ Chưa đủ chỉ tiêu (2 đơn vị): Xã Cẩm Bình (0/1, 1 chờ duyệt); Trạm Y tế xã Cẩm Xuyên (0/1).');
    expect(text).not.toContain('⏰');
    expect(text).toContain(
      '🕒 Chưa đến hạn cập nhật (hạn hết ngày 09/12/2026), 2 đơn vị chưa gửi: Tỉnh Hà Tĩnh (chưa có 1/1 mô hình); Xã Đức Thọ (chưa có 1/1 mô hình).',
    );
    expect(text).toContain(
      'Theo đơn vị (kể cả đơn vị trực thuộc):\n- Xã Cẩm Xuyên: 3\n- Tỉnh Hà Tĩnh (riêng đơn vị): 1\n- Sở Nội vụ: 1\n- Xã Cẩm Bình: 1\n- Xã Đức Thọ: 1\n- Xã Thiên Cầm: 1\n',
    );
    expect(text.match(/số liệu tính đến/g)).toHaveLength(1);
  });

  it('quarter I: the figures of 31/03, the late unit, no recognition yet', async () => {
    const text = await summary('quy 1');
    expect(text).toContain('Tỉnh Hà Tĩnh · 8 đơn vị · số liệu tính đến hết ngày 31/03/2026');
    expect(text).toContain('• Mô hình đăng ký năm 2026: 7 (tập thể 5 · cá nhân 2)');
    expect(text).toContain('• Trạng thái: chờ duyệt 1 · bị trả lại 1 · đang thực hiện 5\n');
    expect(text).toContain('• Được công nhận 0 · nhân rộng 0 · biểu dương, khen thưởng 0');
    expect(text).toContain('• Cập nhật tiến độ trong kỳ: 5');
    expect(text).toContain('⏰ Chậm cập nhật trong kỳ (1 đơn vị): Xã Đức Thọ (thiếu 1/1 mô hình).');
    expect(text).not.toContain('🕒');
    expect(text).not.toContain('riêng đơn vị');
    expect(text).toContain('▪️ DVK-2026-0002 Khu dân cư kiểu mẫu — Xã Cẩm Xuyên (đang thực hiện)');
  });

  it('quarter II: running but past its deadline of 19/06, so the units without an update are late', async () => {
    const text = await summary('quy 2');
    expect(text).toContain('số liệu tính đến hôm nay (09:00 20/06/2026)');
    expect(text).toContain('• Cập nhật tiến độ trong kỳ: 5');
    expect(text).toContain('⏰ Chậm cập nhật trong kỳ (2 đơn vị): Tỉnh Hà Tĩnh (thiếu 1/1 mô hình); Xã Đức Thọ (thiếu 1/1 mô hình).');
  });

  it('months 1 and 2, and a date range: the units late for each', async () => {
    const january = await summary('thang 1');
    expect(january).toContain('số liệu tính đến hết ngày 31/01/2026');
    expect(january).toContain('• Mô hình đăng ký năm 2026: 6 (tập thể 4 · cá nhân 2)');
    expect(january).toContain('⚠️ Chưa đủ chỉ tiêu (2 đơn vị): Xã Cẩm Bình (0/1); Trạm Y tế xã Cẩm Xuyên (0/1).');
    expect(january).toContain(
      '⏰ Chậm cập nhật trong kỳ (3 đơn vị): Trường Tiểu học Cẩm Xuyên (thiếu 1/1 mô hình); Xã Đức Thọ (thiếu 1/1 mô hình); Xã Thiên Cầm (thiếu 1/1 mô hình).',
    );
    const february = await summary('thang 2');
    expect(february).toContain(
      '⏰ Chậm cập nhật trong kỳ (3 đơn vị): Sở Nội vụ (thiếu 1/1 mô hình); Xã Cẩm Xuyên (thiếu 1/1 mô hình); Xã Đức Thọ (thiếu 1/1 mô hình).',
    );
    const range = await summary('15/2/2026-14/3/2026');
    expect(range).toContain('số liệu tính đến hết ngày 14/03/2026');
    expect(range).toContain('• Cập nhật tiến độ trong kỳ: 1');
    expect(range).toContain('⏰ Chậm cập nhật trong kỳ (4 đơn vị): Sở Nội vụ');
  });

  it('June on 20/06: not late before its deadline of 15/07, "chưa đến hạn"', async () => {
    const text = await summary('thang 6');
    expect(text).toContain('số liệu tính đến hôm nay (09:00 20/06/2026)');
    expect(text).not.toContain('⏰');
    expect(text).not.toContain('✅ Không đơn vị nào chậm');
    expect(text).toContain(
      '🕒 Chưa đến hạn cập nhật (hạn hết ngày 15/07/2026), 3 đơn vị chưa gửi: Tỉnh Hà Tĩnh (chưa có 1/1 mô hình); Xã Đức Thọ (chưa có 1/1 mô hình); Xã Thiên Cầm (chưa có 1/1 mô hình).',
    );
  });

  it('"Theo đơn vị" adds up to the total in every period', () => {
    for (const e of Object.values(CASES)) {
      const d = data(e.period);
      const text = reportSummary(d, { detail: true });
      const block = text.split('Theo đơn vị (kể cả đơn vị trực thuộc):\n')[1]!.split('\n\n')[0]!;
      const sum = block
        .split('\n')
        .map((line) => Number(/: (\d+)$/.exec(line)![1]))
        .reduce((a, b) => a + b, 0);
      expect(sum).toBe(d.totals.models);
    }
  });
});
