import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthPeriod, quarterPeriod, rangePeriod, type ReportPeriod, yearPeriod } from '../../core/period.js';
import { activeUnits } from '../../db/units.js';
import { makeReport } from '../../reports/reportJob.js';
import { SHEET } from '../../reports/xlsx.js';
import { type ReadDocx, readDocx } from '../helpers/docxXml.js';
import { buildHandCountDataset, FIELDS_Q1, FIELDS_YEAR, HAND_COUNT_NOW } from '../helpers/handCountDataset.js';
import { Harness } from '../helpers/harness.js';

/**
 * The Excel and Word files of the hand-count dataset (issue 21), made as the report thread makes
 * them (reports/reportJob.ts), read back and checked against the table counted by hand in
 * tests/helpers/handCountDataset.ts. The expected figures are written out here from that table,
 * never recomputed from reportData: the point is to catch a file that disagrees with the count.
 */

let h: Harness;
const files = new Map<string, { book: ExcelJS.Workbook; doc: ReadDocx }>();

// ---------------------------------------------------------------------------------------------
// The hand count, per period.

/** A unit's figures as the files show them, own or with every unit under it. */
interface Figures {
  models: number;
  /** [chờ duyệt, bị trả lại, đang thực hiện, được công nhận]; proposed and not recognised are 0 throughout. */
  states: [number, number, number, number];
  quota: { required: number; missing: number };
  /** Models carried out in the period, and of those the ones late and the ones not yet due; null: none owed. */
  owed: { active: number; late: number; waiting: number } | null;
}

const f = (
  models: number,
  states: Figures['states'],
  [required, missing]: [number, number],
  owed: [active: number, late: number, waiting?: number] | null,
): Figures => ({
  models,
  states,
  quota: { required, missing },
  owed: owed && { active: owed[0], late: owed[1], waiting: owed[2] ?? 0 },
});

/** A unit with units under it: its own figures, its subtree's, and the subtree's units short of quota and late. */
interface Parent {
  own: Figures;
  subtree: Figures;
  subtreeBelowQuota: number;
  subtreeLate: number;
}

/** [state as the spreadsheet writes it, updates in the period, latest update's % by the period's end]. */
type ModelRow = [state: string, updates: number, percent: number | null];

interface Expected {
  period: ReportPeriod;
  /** periodTitle, in the sheets' heading and the Word title. */
  title: string;
  asOf: string;
  overview: string;
  quotaSentence: string;
  models: number;
  states: Figures['states'];
  /** [recognised, replicated, commended]. */
  results: [number, number, number];
  updates: number;
  withoutModels: number;
  /** Per kind [tập thể, cá nhân]: dân vận khéo, điểm sáng chính quyền, điểm sáng dân chủ. */
  kinds: [[number, number], [number, number], [number, number]];
  fields: Record<string, number>;
  /** Units late, by name, in the tree's order. */
  late: string[];
  /** Units with models not updated while the updates are not yet due (the chat's "🕒"), and that deadline. */
  waiting: string[];
  due?: string;
  /** The lines under "Có n đơn vị chưa đăng ký đủ…". */
  belowQuota: string[];
  units: { HATINH: Parent; CAMXUYEN: Parent; TYTCX: Figures; DUCTHO: Figures };
  modelRows: Record<string, ModelRow>;
  /** Rows of the Word table of recognised models: [name, unit, note]. */
  recognised: [string, string, string][];
}

const ASOF_NOW = 'Số liệu trong báo cáo tính đến hôm nay (ngày 20/06/2026).';
const asOfEnd = (day: string) => `Số liệu trong báo cáo tính đến hết ngày ${day}.`;
const OVERVIEW_8 = 'Có 8 mô hình, điểm sáng đăng ký thực hiện năm 2026, trong đó: 1 chờ duyệt, 1 bị trả lại, 4 đang thực hiện, 2 được công nhận.';
const OVERVIEW_7 = 'Có 7 mô hình, điểm sáng đăng ký thực hiện năm 2026, trong đó: 1 chờ duyệt, 1 bị trả lại, 5 đang thực hiện.';
const OVERVIEW_6 = 'Có 6 mô hình, điểm sáng đăng ký thực hiện năm 2026, trong đó: 1 bị trả lại, 5 đang thực hiện.';
// Only approved models fill a quota (issue 22): from February on Xã Cẩm Bình's M8 waits, so it is
// short beside Trạm Y tế (M5 returned); in January it had no model at all.
const QUOTA_TWO_SHORT_ONE_WAITING =
  'Về chỉ tiêu đăng ký (chỉ tính mô hình, điểm sáng đã được duyệt): 7 đơn vị được giao chỉ tiêu; 5 đơn vị đã đủ, 2 đơn vị chưa đủ, trong đó 1 đơn vị có mô hình, điểm sáng đang chờ duyệt (danh sách tại Mục III).';
const QUOTA_TWO_SHORT_ONE_WITHOUT =
  'Về chỉ tiêu đăng ký (chỉ tính mô hình, điểm sáng đã được duyệt): 7 đơn vị được giao chỉ tiêu; 5 đơn vị đã đủ, 2 đơn vị chưa đủ, trong đó 1 đơn vị chưa đăng ký mô hình, điểm sáng nào (danh sách tại Mục III).';

// January has no Kinh tế: M8 came on 05/02 and M1 is of 2025.
const FIELDS_M1 = {
  'Văn hóa - xã hội': 2,
  'Quốc phòng - an ninh': 1,
  'Cải cách hành chính': 1,
  'Tiếp dân và giải quyết đơn thư': 1,
  'Xây dựng nông thôn mới': 1,
};

const TYTCX_SHORT = '- Trực thuộc Xã Cẩm Xuyên: Trạm Y tế xã Cẩm Xuyên (thiếu 1).';
const CAMBINH_WAITING = '- Trực thuộc Tỉnh Hà Tĩnh: Xã Cẩm Bình (thiếu 1; 1 mô hình đang chờ duyệt);';
const RECOGNISED: Expected['recognised'] = [
  ['Khu dân cư kiểu mẫu', 'Xã Cẩm Xuyên', ''],
  ['Lớp học tình thương', 'Trường Tiểu học Cẩm Xuyên (Nguyễn Thị Lý, giáo viên)', 'Đã nhân rộng; Đã biểu dương, khen thưởng'],
];

// Units whose figures do not change with the period (M5 returned on 12/01, M7 never updated).
const TYTCX = f(1, [0, 1, 0, 0], [1, 1], null);
const HATINH_NONE = f(0, [0, 0, 0, 0], [0, 0], null);

// The models' state, updates in the period and latest % as of the period's end.
const IP = 'Đang thực hiện';
const REC = 'Được công nhận';
const RET = 'Bị trả lại';
const PEND = 'Chờ duyệt';

const CASES: Record<string, Expected> = {
  'year 2026': {
    period: yearPeriod(2026),
    title: 'năm 2026',
    asOf: ASOF_NOW,
    overview: OVERVIEW_8,
    quotaSentence: QUOTA_TWO_SHORT_ONE_WAITING,
    models: 8,
    states: [1, 1, 4, 2],
    results: [2, 1, 1],
    updates: 10,
    withoutModels: 0,
    kinds: [
      [3, 2],
      [2, 0],
      [1, 0],
    ],
    fields: FIELDS_YEAR,
    late: [],
    waiting: ['Tỉnh Hà Tĩnh', 'Xã Đức Thọ'],
    due: '09/12/2026',
    belowQuota: [CAMBINH_WAITING, TYTCX_SHORT],
    units: {
      HATINH: { own: f(1, [0, 0, 1, 0], [0, 0], [1, 0, 1]), subtree: f(8, [1, 1, 4, 2], [7, 2], [4, 0, 2]), subtreeBelowQuota: 2, subtreeLate: 0 },
      CAMXUYEN: { own: f(1, [0, 0, 0, 1], [1, 0], null), subtree: f(3, [0, 1, 0, 2], [3, 1], null), subtreeBelowQuota: 1, subtreeLate: 0 },
      TYTCX,
      DUCTHO: f(1, [0, 0, 1, 0], [1, 0], [1, 0, 1]),
    },
    modelRows: {
      'DVK-2026-0001': [IP, 3, 60],
      'DVK-2026-0002': [REC, 3, 90],
      'DVK-2026-0003': [REC, 2, 50],
      'DVK-2026-0004': [RET, 0, null],
      'DVK-2026-0005': [IP, 2, 45],
      'DVK-2026-0006': [IP, 0, null],
      'DVK-2026-0007': [PEND, 0, null],
      'DVK-2026-0008': [IP, 0, null],
    },
    recognised: RECOGNISED,
  },
  'quarter I': {
    period: quarterPeriod(2026, 1),
    title: 'quý I năm 2026',
    asOf: asOfEnd('31/03/2026'),
    overview: OVERVIEW_7,
    quotaSentence: QUOTA_TWO_SHORT_ONE_WAITING,
    models: 7,
    states: [1, 1, 5, 0],
    results: [0, 0, 0],
    updates: 5,
    withoutModels: 0,
    kinds: [
      [3, 2],
      [1, 0],
      [1, 0],
    ],
    fields: FIELDS_Q1,
    late: ['Xã Đức Thọ'],
    waiting: [],
    belowQuota: [CAMBINH_WAITING, TYTCX_SHORT],
    units: {
      HATINH: { own: HATINH_NONE, subtree: f(7, [1, 1, 5, 0], [7, 2], [5, 1]), subtreeBelowQuota: 2, subtreeLate: 1 },
      CAMXUYEN: { own: f(1, [0, 0, 1, 0], [1, 0], [1, 0]), subtree: f(3, [0, 1, 2, 0], [3, 1], [2, 0]), subtreeBelowQuota: 1, subtreeLate: 0 },
      TYTCX,
      DUCTHO: f(1, [0, 0, 1, 0], [1, 0], [1, 1]),
    },
    modelRows: {
      'DVK-2026-0001': [IP, 1, 10],
      'DVK-2026-0002': [IP, 2, 30],
      'DVK-2026-0003': [IP, 1, 20],
      'DVK-2026-0004': [RET, 0, null],
      'DVK-2026-0005': [IP, 1, 15],
      'DVK-2026-0006': [IP, 0, null],
      'DVK-2026-0007': [PEND, 0, null],
    },
    recognised: [],
  },
  'quarter II': {
    period: quarterPeriod(2026, 2),
    title: 'quý II năm 2026',
    asOf: ASOF_NOW,
    overview: OVERVIEW_8,
    quotaSentence: QUOTA_TWO_SHORT_ONE_WAITING,
    models: 8,
    states: [1, 1, 4, 2],
    results: [2, 1, 1],
    updates: 5,
    withoutModels: 0,
    kinds: [
      [3, 2],
      [2, 0],
      [1, 0],
    ],
    fields: FIELDS_YEAR,
    late: ['Tỉnh Hà Tĩnh', 'Xã Đức Thọ'],
    waiting: [],
    belowQuota: [CAMBINH_WAITING, TYTCX_SHORT],
    units: {
      HATINH: { own: f(1, [0, 0, 1, 0], [0, 0], [1, 1]), subtree: f(8, [1, 1, 4, 2], [7, 2], [4, 2]), subtreeBelowQuota: 2, subtreeLate: 2 },
      CAMXUYEN: { own: f(1, [0, 0, 0, 1], [1, 0], null), subtree: f(3, [0, 1, 0, 2], [3, 1], null), subtreeBelowQuota: 1, subtreeLate: 0 },
      TYTCX,
      DUCTHO: f(1, [0, 0, 1, 0], [1, 0], [1, 1]),
    },
    modelRows: {
      'DVK-2026-0001': [IP, 2, 60],
      'DVK-2026-0002': [REC, 1, 90],
      'DVK-2026-0003': [REC, 1, 50],
      'DVK-2026-0004': [RET, 0, null],
      'DVK-2026-0005': [IP, 1, 45],
      'DVK-2026-0006': [IP, 0, null],
      'DVK-2026-0007': [PEND, 0, null],
      'DVK-2026-0008': [IP, 0, null],
    },
    recognised: RECOGNISED,
  },
  'month 1': {
    period: monthPeriod(2026, 1),
    title: 'tháng 1 năm 2026',
    asOf: asOfEnd('31/01/2026'),
    overview: OVERVIEW_6,
    quotaSentence: QUOTA_TWO_SHORT_ONE_WITHOUT,
    models: 6,
    states: [0, 1, 5, 0],
    results: [0, 0, 0],
    updates: 2,
    withoutModels: 1,
    kinds: [
      [3, 2],
      [1, 0],
      [0, 0],
    ],
    fields: FIELDS_M1,
    late: ['Trường Tiểu học Cẩm Xuyên', 'Xã Đức Thọ', 'Xã Thiên Cầm'],
    waiting: [],
    belowQuota: ['- Trực thuộc Tỉnh Hà Tĩnh: Xã Cẩm Bình (chưa đăng ký);', TYTCX_SHORT],
    units: {
      HATINH: { own: HATINH_NONE, subtree: f(6, [0, 1, 5, 0], [7, 2], [5, 3]), subtreeBelowQuota: 2, subtreeLate: 3 },
      CAMXUYEN: { own: f(1, [0, 0, 1, 0], [1, 0], [1, 0]), subtree: f(3, [0, 1, 2, 0], [3, 1], [2, 1]), subtreeBelowQuota: 1, subtreeLate: 1 },
      TYTCX,
      DUCTHO: f(1, [0, 0, 1, 0], [1, 0], [1, 1]),
    },
    modelRows: {
      'DVK-2026-0001': [IP, 1, 10],
      'DVK-2026-0002': [IP, 1, 10],
      'DVK-2026-0003': [IP, 0, null],
      'DVK-2026-0004': [RET, 0, null],
      'DVK-2026-0005': [IP, 0, null],
      'DVK-2026-0006': [IP, 0, null],
    },
    recognised: [],
  },
  'month 2': {
    period: monthPeriod(2026, 2),
    title: 'tháng 2 năm 2026',
    asOf: asOfEnd('28/02/2026'),
    overview: OVERVIEW_7,
    quotaSentence: QUOTA_TWO_SHORT_ONE_WAITING,
    models: 7,
    states: [1, 1, 5, 0],
    results: [0, 0, 0],
    updates: 2,
    withoutModels: 0,
    kinds: [
      [3, 2],
      [1, 0],
      [1, 0],
    ],
    fields: FIELDS_Q1,
    late: ['Sở Nội vụ', 'Xã Cẩm Xuyên', 'Xã Đức Thọ'],
    waiting: [],
    belowQuota: [CAMBINH_WAITING, TYTCX_SHORT],
    units: {
      HATINH: { own: HATINH_NONE, subtree: f(7, [1, 1, 5, 0], [7, 2], [5, 3]), subtreeBelowQuota: 2, subtreeLate: 3 },
      CAMXUYEN: { own: f(1, [0, 0, 1, 0], [1, 0], [1, 1]), subtree: f(3, [0, 1, 2, 0], [3, 1], [2, 1]), subtreeBelowQuota: 1, subtreeLate: 1 },
      TYTCX,
      DUCTHO: f(1, [0, 0, 1, 0], [1, 0], [1, 1]),
    },
    modelRows: {
      'DVK-2026-0001': [IP, 0, 10],
      'DVK-2026-0002': [IP, 0, 10],
      'DVK-2026-0003': [IP, 1, 20],
      'DVK-2026-0004': [RET, 0, null],
      'DVK-2026-0005': [IP, 1, 15],
      'DVK-2026-0006': [IP, 0, null],
      'DVK-2026-0007': [PEND, 0, null],
    },
    recognised: [],
  },
  'month 6': {
    period: monthPeriod(2026, 6),
    title: 'tháng 6 năm 2026',
    asOf: ASOF_NOW,
    overview: OVERVIEW_8,
    quotaSentence: QUOTA_TWO_SHORT_ONE_WAITING,
    models: 8,
    states: [1, 1, 4, 2],
    results: [2, 1, 1],
    updates: 2,
    withoutModels: 0,
    kinds: [
      [3, 2],
      [2, 0],
      [1, 0],
    ],
    fields: FIELDS_YEAR,
    late: [],
    waiting: ['Tỉnh Hà Tĩnh', 'Xã Đức Thọ', 'Xã Thiên Cầm'],
    due: '15/07/2026',
    belowQuota: [CAMBINH_WAITING, TYTCX_SHORT],
    units: {
      HATINH: { own: f(1, [0, 0, 1, 0], [0, 0], [1, 0, 1]), subtree: f(8, [1, 1, 4, 2], [7, 2], [4, 0, 3]), subtreeBelowQuota: 2, subtreeLate: 0 },
      CAMXUYEN: { own: f(1, [0, 0, 0, 1], [1, 0], null), subtree: f(3, [0, 1, 0, 2], [3, 1], null), subtreeBelowQuota: 1, subtreeLate: 0 },
      TYTCX,
      DUCTHO: f(1, [0, 0, 1, 0], [1, 0], [1, 0, 1]),
    },
    modelRows: {
      'DVK-2026-0001': [IP, 1, 60],
      'DVK-2026-0002': [REC, 1, 90],
      'DVK-2026-0003': [REC, 0, 50],
      'DVK-2026-0004': [RET, 0, null],
      'DVK-2026-0005': [IP, 0, 45],
      'DVK-2026-0006': [IP, 0, null],
      'DVK-2026-0007': [PEND, 0, null],
      'DVK-2026-0008': [IP, 0, null],
    },
    recognised: RECOGNISED,
  },
  '15/02–14/03': {
    period: rangePeriod('2026-02-15', '2026-03-14'),
    title: 'từ 15/02/2026 đến 14/03/2026',
    asOf: asOfEnd('14/03/2026'),
    overview: OVERVIEW_7,
    quotaSentence: QUOTA_TWO_SHORT_ONE_WAITING,
    models: 7,
    states: [1, 1, 5, 0],
    results: [0, 0, 0],
    updates: 1,
    withoutModels: 0,
    kinds: [
      [3, 2],
      [1, 0],
      [1, 0],
    ],
    fields: FIELDS_Q1,
    late: ['Sở Nội vụ', 'Xã Cẩm Xuyên', 'Trường Tiểu học Cẩm Xuyên', 'Xã Đức Thọ'],
    waiting: [],
    belowQuota: [CAMBINH_WAITING, TYTCX_SHORT],
    units: {
      HATINH: { own: HATINH_NONE, subtree: f(7, [1, 1, 5, 0], [7, 2], [5, 4]), subtreeBelowQuota: 2, subtreeLate: 4 },
      CAMXUYEN: { own: f(1, [0, 0, 1, 0], [1, 0], [1, 1]), subtree: f(3, [0, 1, 2, 0], [3, 1], [2, 2]), subtreeBelowQuota: 1, subtreeLate: 2 },
      TYTCX,
      DUCTHO: f(1, [0, 0, 1, 0], [1, 0], [1, 1]),
    },
    modelRows: {
      'DVK-2026-0001': [IP, 0, 10],
      'DVK-2026-0002': [IP, 0, 10],
      'DVK-2026-0003': [IP, 0, 20],
      'DVK-2026-0004': [RET, 0, null],
      'DVK-2026-0005': [IP, 1, 15],
      'DVK-2026-0006': [IP, 0, null],
      'DVK-2026-0007': [PEND, 0, null],
    },
    recognised: [],
  },
};

// Every period lists the units in the tree's order: the province, its children by name, each before its own.
const UNIT_ORDER = ['HATINH', 'SNV', 'CAMBINH', 'CAMXUYEN', 'TYTCX', 'THCX', 'DUCTHO', 'THIENCAM'];

// ---------------------------------------------------------------------------------------------
// Making and reading the files.

beforeAll(async () => {
  h = await Harness.create({ now: HAND_COUNT_NOW });
  await buildHandCountDataset(h);
  // Issued by the province, as the leader of Tỉnh Hà Tĩnh asking "/baocao excel word" would have it.
  const issuerUnitId = activeUnits(h.db).find((u) => u.shortCode === 'HATINH')!.id;
  for (const [name, e] of Object.entries(CASES)) {
    const made = await makeReport(h.db, {
      scope: { rootUnitId: null, subtree: true },
      period: e.period,
      now: h.clock.now(),
      formats: ['xlsx', 'docx'],
      issuerUnitId,
    });
    const [xlsx, docx] = made.files;
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(new Uint8Array(xlsx!.data).buffer);
    files.set(name, { book, doc: await readDocx(docx!.data) });
  }
}, 60_000);
afterAll(() => h?.close());

const fileOf = (name: string) => files.get(name)!;

function sheet(book: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const found = book.getWorksheet(name);
  if (!found) throw new Error(`no sheet ${name}`);
  return found;
}

/** A table sheet read by its headers: each data row as header → value. */
function tableRows(ws: ExcelJS.Worksheet): Record<string, unknown>[] {
  let headerRow = 0;
  for (let n = 1; n <= 6 && headerRow === 0; n++) if (ws.getRow(n).getCell(1).value === 'STT') headerRow = n;
  if (headerRow === 0) throw new Error(`no header row on ${ws.name}`);
  const headers = (ws.getRow(headerRow).values as unknown[]).slice(1) as string[];
  const rows: Record<string, unknown>[] = [];
  for (let n = headerRow + 1; n <= ws.rowCount; n++) {
    const row = ws.getRow(n);
    rows.push(Object.fromEntries(headers.map((header, i) => [header, row.getCell(i + 1).value ?? null])));
  }
  return rows;
}

const STATE_HEADERS = ['Chờ duyệt', 'Bị trả lại', 'Đang thực hiện', 'Đề nghị công nhận', 'Được công nhận', 'Không công nhận'];

/** One block of "Tổng hợp" (own, or with the suffix " (cả trực thuộc)") as the hand count says it. */
function sheetBlock(x: Figures, suffix: string): Record<string, unknown> {
  const [pending, returned, inProgress, recognised] = x.states;
  const states = [pending, returned, inProgress, 0, recognised, 0];
  return {
    [`Số mô hình${suffix}`]: x.models,
    ...Object.fromEntries(STATE_HEADERS.map((header, i) => [`${header}${suffix}`, states[i]])),
    [`Chỉ tiêu${suffix}`]: x.quota.required,
    [`Còn thiếu${suffix}`]: x.quota.missing,
    [`Mô hình phải cập nhật${suffix}`]: x.owed?.active ?? null,
    [`Chậm cập nhật${suffix}`]: x.owed?.late ?? null,
    [`Chưa đến hạn cập nhật${suffix}`]: x.owed?.waiting ?? null,
  };
}

const SUB = ' (cả trực thuộc)';
const parentRow = (p: Parent) => ({
  ...sheetBlock(p.own, ''),
  ...sheetBlock(p.subtree, SUB),
  'Đơn vị chưa đủ chỉ tiêu': p.subtreeBelowQuota,
  'Đơn vị chậm cập nhật': p.subtreeLate,
});
const leafRow = (x: Figures) => ({
  ...sheetBlock(x, ''),
  ...sheetBlock(x, SUB),
  'Đơn vị chưa đủ chỉ tiêu': x.quota.missing > 0 ? 1 : 0,
  'Đơn vị chậm cập nhật': (x.owed?.late ?? 0) > 0 ? 1 : 0,
});

/** The "Thống kê" sheet: section title → label → number. */
function statistics(ws: ExcelJS.Worksheet): Record<string, Record<string, unknown>> {
  const sections: Record<string, Record<string, unknown>> = {};
  let current: Record<string, unknown> | null = null;
  for (let n = 4; n <= ws.rowCount; n++) {
    const [label, value] = [ws.getRow(n).getCell(1).value, ws.getRow(n).getCell(2).value];
    if (typeof label !== 'string') continue;
    if (value === null) sections[label] = current = {};
    else if (typeof value === 'number' && current) current[label] = value;
  }
  return sections;
}

/** The Word file's top-level tables (the header block, the body's tables, the signature), as cell texts and row styles. */
function tables(doc: ReadDocx): { cells: string[]; bold: boolean; italics: boolean }[][] {
  const found: string[] = [];
  let depth = 0;
  let start = 0;
  for (const m of doc.xml.matchAll(/<w:tbl>|<\/w:tbl>/g)) {
    if (m[0] === '<w:tbl>') {
      if (depth++ === 0) start = m.index;
    } else if (--depth === 0) found.push(doc.xml.slice(start, m.index + m[0].length));
  }
  const textOf = (xml: string) =>
    [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]!.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ENTITIES[e]!)).join('');
  return found.map((table) =>
    [...table.matchAll(/<w:tr>[\s\S]*?<\/w:tr>|<w:tr [\s\S]*?<\/w:tr>/g)].map((r) => ({
      cells: [...r[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) => textOf(c[0])),
      bold: /<w:b\/>/.test(r[0]),
      italics: /<w:i\/>/.test(r[0]),
    })),
  );
}
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };

function tableWithHeader(doc: ReadDocx, header: string) {
  const found = tables(doc).find((t) => t[0]?.cells[1] === header);
  if (!found) throw new Error(`no table with header "${header}"`);
  return found.slice(1);
}

/** The body's paragraphs outside tables, from one heading up to the next. */
function section(doc: ReadDocx, from: string, to: string): string[] {
  const body = doc.paragraphs.filter((p) => !p.inTable).map((p) => p.text);
  const start = body.indexOf(from);
  const end = body.indexOf(to, start);
  if (start < 0 || end < 0) throw new Error(`no section ${from} … ${to}`);
  return body.slice(start + 1, end).filter((t) => t !== '');
}

/** A row of the Word unit table (part III) as the hand count says it. */
function docxCells(x: Figures): string[] {
  const [pending, returned, inProgress, recognised] = x.states;
  const { required, missing } = x.quota;
  return [
    String(x.models),
    String(pending),
    String(inProgress),
    '0',
    String(recognised),
    String(returned),
    required > 0 ? String(required) : '',
    required === 0 ? 'Không giao' : missing === 0 ? 'Đạt' : `Thiếu ${missing}`,
    x.owed ? String(x.owed.late) : '',
  ];
}

// ---------------------------------------------------------------------------------------------

describe('the Excel file on the hand-count dataset', () => {
  for (const [name, e] of Object.entries(CASES)) {
    it(`${name}: "Tổng hợp" per unit, own and with the units under it, and the totals row`, () => {
      const ws = sheet(fileOf(name).book, SHEET.units);
      expect(ws.getRow(1).getCell(1).value).toBe(`Báo cáo mô hình “Dân vận khéo” — ${e.title}`);
      const rows = tableRows(ws);
      const byCode = new Map(rows.map((r) => [r['Mã đơn vị'], r]));
      expect(rows.map((r) => r['Mã đơn vị'] ?? r['Đơn vị'])).toEqual([...UNIT_ORDER, 'Tổng cộng']);

      expect(byCode.get('HATINH')).toMatchObject({ 'Đơn vị': 'Tỉnh Hà Tĩnh', Cấp: 1, 'Mã đơn vị cấp trên': null, ...parentRow(e.units.HATINH) });
      expect(byCode.get('CAMXUYEN')).toMatchObject({ 'Đơn vị': 'Xã Cẩm Xuyên', Cấp: 2, 'Mã đơn vị cấp trên': 'HATINH', ...parentRow(e.units.CAMXUYEN) });
      expect(byCode.get('TYTCX')).toMatchObject({ 'Đơn vị': 'Trạm Y tế xã Cẩm Xuyên', Cấp: 3, 'Mã đơn vị cấp trên': 'CAMXUYEN', ...leafRow(e.units.TYTCX) });
      expect(byCode.get('DUCTHO')).toMatchObject({ 'Đơn vị': 'Xã Đức Thọ', Cấp: 2, ...leafRow(e.units.DUCTHO) });

      // The totals row is the whole deployment in both blocks: the province's subtree, every unit once.
      const whole = e.units.HATINH.subtree;
      expect(rows.at(-1)).toMatchObject({
        STT: null,
        'Đơn vị': 'Tổng cộng',
        ...sheetBlock(whole, ''),
        ...sheetBlock(whole, SUB),
        'Đơn vị chưa đủ chỉ tiêu': e.units.HATINH.subtreeBelowQuota,
        'Đơn vị chậm cập nhật': e.late.length,
      });
    });

    it(`${name}: "Mô hình" lists the models of the period, each in its state at the period's end`, () => {
      const rows = tableRows(sheet(fileOf(name).book, SHEET.models));
      const seen = Object.fromEntries(
        rows.map((r) => [r['Mã'], [r['Trạng thái'], r['Cập nhật trong kỳ'], r['%'] === null ? null : Math.round(Number(r['%']) * 100)]]),
      );
      expect(seen).toEqual(e.modelRows);
      const m4 = rows.find((r) => r['Mã'] === 'DVK-2026-0003')!;
      const after = e.results[1] > 0;
      expect([m4['Nhân rộng'], m4['Biểu dương, khen thưởng']]).toEqual(
        after ? [new Date('2026-05-15T00:00:00Z'), new Date('2026-05-25T00:00:00Z')] : [null, null],
      );
      const m5 = rows.find((r) => r['Mã'] === 'DVK-2026-0004')!;
      expect(m5['Lý do trả lại, không công nhận']).toBe('Chưa ghi rõ kết quả dự kiến');
    });

    it(`${name}: "Thống kê" counts by state, field, kind, holder and result`, () => {
      const stats = statistics(sheet(fileOf(name).book, SHEET.stats));
      const [pending, returned, inProgress, recognised] = e.states;
      const [[dvkC, dvkI], [cqC, cqI], [dcC, dcI]] = e.kinds;
      expect(stats['Tổng quan']).toEqual({
        'Số đơn vị': 8,
        'Số mô hình': e.models,
        'Đơn vị chưa có mô hình': e.withoutModels,
        // The province's subtree is every unit.
        'Đơn vị chưa đủ chỉ tiêu': e.units.HATINH.subtreeBelowQuota,
        'Đơn vị chậm cập nhật tiến độ': e.late.length,
        'Lượt cập nhật tiến độ trong kỳ': e.updates,
      });
      expect(stats['Theo trạng thái']).toEqual({
        'Chờ duyệt': pending,
        'Bị trả lại': returned,
        'Đang thực hiện': inProgress,
        'Đề nghị công nhận': 0,
        'Được công nhận': recognised,
        'Không công nhận': 0,
      });
      const fields = Object.fromEntries(Object.entries(stats['Theo lĩnh vực']!).filter(([, n]) => n !== 0));
      expect(fields).toEqual(e.fields);
      expect(stats['Theo loại mô hình']).toEqual({
        'Mô hình “Dân vận khéo”': dvkC + dvkI,
        'Điểm sáng về dân vận chính quyền': cqC + cqI,
        'Điểm sáng về thực hiện dân chủ ở cơ sở': dcC + dcI,
      });
      expect(stats['Theo chủ thể']).toEqual({ 'Tập thể': dvkC + cqC + dcC, 'Cá nhân': dvkI + cqI + dcI });
      expect(stats['Kết quả']).toEqual({ 'Được công nhận': e.results[0], 'Được nhân rộng': e.results[1], 'Được biểu dương, khen thưởng': e.results[2] });
    });
  }

  it('never lists a 2025 model, nor DVK-2026-0008 before its registration on 10/04, nor DVK-2026-0007 in January', () => {
    for (const [name] of Object.entries(CASES)) {
      const codes = tableRows(sheet(fileOf(name).book, SHEET.models)).map((r) => String(r['Mã']));
      expect(
        codes.filter((c) => c.startsWith('DVK-2025-')),
        name,
      ).toEqual([]);
    }
    const codesOf = (name: string) => tableRows(sheet(fileOf(name).book, SHEET.models)).map((r) => r['Mã']);
    expect(codesOf('quarter I')).not.toContain('DVK-2026-0008');
    expect(codesOf('15/02–14/03')).not.toContain('DVK-2026-0008');
    expect(codesOf('month 1')).not.toContain('DVK-2026-0007');
    expect(codesOf('quarter II')).toContain('DVK-2026-0008');
  });
});

describe('the Word file on the hand-count dataset', () => {
  for (const [name, e] of Object.entries(CASES)) {
    it(`${name}: the title, the general part and the closing "./."`, () => {
      const { doc } = fileOf(name);
      const texts = doc.texts();
      expect(texts).toContain(`Kết quả thực hiện phong trào thi đua “Dân vận khéo” ${e.title}`);
      expect(section(doc, 'I. TÌNH HÌNH CHUNG', 'II. KẾT QUẢ CỤ THỂ')).toEqual([
        'Phạm vi báo cáo gồm 8 đơn vị tham gia phong trào thi đua “Dân vận khéo”.',
        `${e.asOf} ${e.overview}`,
        e.quotaSentence,
      ]);
      // The body's last words, right before the signature block (a table; the appendix follows it).
      const all = doc.paragraphs;
      const signature = all.findIndex((p, i) => p.inTable && i > all.findIndex((q) => q.text === 'IV. ĐỀ XUẤT, KIẾN NGHỊ'));
      const body = all.slice(0, signature).filter((p) => !p.inTable && p.text !== '');
      expect(all[signature]!.text).toBe('Nơi nhận:');
      expect(body.at(-1)!.text).toBe(`Trên đây là báo cáo kết quả thực hiện phong trào thi đua “Dân vận khéo” ${e.title}./.`);
      for (const text of texts) {
        expect(text).not.toMatch(/trong đó:? 0 /);
        expect(text).not.toContain('gửi 0 lượt');
      }
    });

    it(`${name}: the tables by field and by kind and holder`, () => {
      const { doc } = fileOf(name);
      const fieldRows = tableWithHeader(doc, 'Lĩnh vực');
      const total = fieldRows.at(-1)!;
      expect(total.cells.slice(1, 4)).toEqual(['Tổng cộng', String(e.models), '100']);
      const counted = Object.fromEntries(
        fieldRows
          .slice(0, -1)
          .filter((r) => r.cells[2] !== '0')
          .map((r) => [r.cells[1], Number(r.cells[2])]),
      );
      expect(counted).toEqual(e.fields);
      const [[dvkC, dvkI], [cqC, cqI], [dcC, dcI]] = e.kinds;
      expect(tableWithHeader(doc, 'Loại hình').map((r) => r.cells)).toEqual([
        ['1', 'Mô hình “Dân vận khéo”', String(dvkC), String(dvkI), String(dvkC + dvkI)],
        ['2', 'Điểm sáng về dân vận chính quyền', String(cqC), String(cqI), String(cqC + cqI)],
        ['3', 'Điểm sáng về thực hiện dân chủ ở cơ sở', String(dcC), String(dcI), String(dcC + dcI)],
        ['', 'Tổng cộng', String(dvkC + cqC + dcC), String(dvkI + cqI + dcI), String(e.models)],
      ]);
    });

    it(`${name}: recognition, and the units late with their updates`, () => {
      const { doc } = fileOf(name);
      const [recognised, replicated, commended] = e.results;
      const phrase = (n: number, what: string) => (n > 0 ? `${n} mô hình, điểm sáng ${what}` : `chưa có mô hình, điểm sáng nào ${what}`);
      const recognition = section(doc, '5. Công nhận, nhân rộng, biểu dương, khen thưởng', '6. Cập nhật tiến độ thực hiện');
      expect(recognition[0]).toBe(
        `Năm 2026: ${phrase(recognised, 'được công nhận')}; ${phrase(replicated, 'được nhân rộng')}; ${phrase(commended, 'được biểu dương, khen thưởng')}.`,
      );
      if (e.recognised.length === 0) {
        expect(recognition).toHaveLength(1);
        expect(tables(doc).some((t) => t[0]?.cells[1] === 'Tên mô hình, điểm sáng')).toBe(false);
      } else {
        expect(recognition[1]).toBe('Danh sách mô hình, điểm sáng được công nhận:');
        expect(tableWithHeader(doc, 'Tên mô hình, điểm sáng').map((r) => r.cells)).toEqual(e.recognised.map((r, i) => [String(i + 1), ...r]));
      }

      const updates = section(doc, '6. Cập nhật tiến độ thực hiện', 'III. KẾT QUẢ THEO ĐƠN VỊ');
      expect(updates[0]).toBe(`Trong kỳ báo cáo, các đơn vị đã gửi ${e.updates} lượt cập nhật tiến độ thực hiện mô hình, điểm sáng.`);
      if (e.late.length > 0) {
        expect(updates.slice(1)).toEqual([
          `Có ${e.late.length} đơn vị chưa gửi cập nhật tiến độ trong kỳ đối với mô hình đang thực hiện: ${e.late.map((n) => `${n} (1 mô hình)`).join(', ')}.`,
        ]);
      } else {
        // Nobody is late before the deadline; but the units still owing an update have not sent
        // it, so the file must not say that every unit has (the chat summary lists them, "🕒").
        const said = updates.slice(1).join(' ');
        expect(said).not.toContain('chưa gửi cập nhật tiến độ trong kỳ đối với mô hình đang thực hiện');
        expect(said).not.toContain('đều đã gửi cập nhật tiến độ');
        for (const unit of e.waiting) expect(said).toContain(unit);
        if (e.due) expect(said).toContain(e.due);
      }
    });

    it(`${name}: the table by unit (the province and Xã Cẩm Xuyên with their own rows) and the units short of quota`, () => {
      const { doc } = fileOf(name);
      const rows = tableWithHeader(doc, 'Đơn vị');
      expect(rows.map((r) => r.cells.slice(0, 2))).toEqual([
        ['1', 'Tỉnh Hà Tĩnh'],
        ['', '– Của riêng đơn vị'],
        ['2', 'Sở Nội vụ'],
        ['3', 'Xã Cẩm Bình'],
        ['4', 'Xã Cẩm Xuyên'],
        ['', '– Của riêng đơn vị'],
        ['5', 'Xã Đức Thọ'],
        ['6', 'Xã Thiên Cầm'],
      ]);
      const { HATINH, CAMXUYEN, DUCTHO } = e.units;
      expect(rows[0]).toEqual({ cells: ['1', 'Tỉnh Hà Tĩnh', ...docxCells(HATINH.subtree)], bold: true, italics: false });
      expect(rows[1]).toEqual({ cells: ['', '– Của riêng đơn vị', ...docxCells(HATINH.own)], bold: false, italics: true });
      expect(rows[4]).toEqual({ cells: ['4', 'Xã Cẩm Xuyên', ...docxCells(CAMXUYEN.subtree)], bold: true, italics: false });
      expect(rows[5]).toEqual({ cells: ['', '– Của riêng đơn vị', ...docxCells(CAMXUYEN.own)], bold: false, italics: true });
      expect(rows[6]!.cells).toEqual(['5', 'Xã Đức Thọ', ...docxCells(DUCTHO)]);

      const part = section(doc, 'III. KẾT QUẢ THEO ĐƠN VỊ', 'IV. ĐỀ XUẤT, KIẾN NGHỊ');
      const short = part.indexOf(`Có ${e.belowQuota.length} đơn vị chưa đủ mô hình, điểm sáng được duyệt theo chỉ tiêu, gồm:`);
      expect(short).toBeGreaterThan(-1);
      expect(part.slice(short + 1)).toEqual(e.belowQuota);
    });
  }
});
