import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { ownFigures, type ReportData, type ReportModel, type ReportUnit, reportData } from '../../db/reportData.js';
import { type ModelDetail, type ModelDetails, reportModelDetails } from '../../db/reportModelDetails.js';
import { seedDemo } from '../../db/seed/demo.js';
import { rangePeriod, yearPeriod } from '../../core/period.js';
import { reportXlsx, writeReportXlsx } from '../../reports/xlsx.js';

const NOW = new Date('2026-11-22T09:00:00+07:00');

const STATE_HEADERS = ['Chờ duyệt', 'Bị trả lại', 'Đang thực hiện', 'Đề nghị công nhận', 'Được công nhận', 'Không công nhận'];

const UNIT_HEADERS = [
  'STT',
  'Mã đơn vị',
  'Đơn vị',
  'Cấp',
  'Mã đơn vị cấp trên',
  'Số mô hình',
  ...STATE_HEADERS,
  'Chỉ tiêu',
  'Còn thiếu',
  'Mô hình phải cập nhật',
  'Chậm cập nhật',
  'Chưa đến hạn cập nhật',
  ...['Số mô hình', ...STATE_HEADERS, 'Chỉ tiêu', 'Còn thiếu', 'Mô hình phải cập nhật', 'Chậm cập nhật', 'Chưa đến hạn cập nhật'].map(
    (h) => `${h} (cả trực thuộc)`,
  ),
  'Đơn vị chưa đủ chỉ tiêu',
  'Đơn vị chậm cập nhật',
];

const MODEL_HEADERS = [
  'STT',
  'Mã',
  'Tên mô hình',
  'Năm',
  'Mã đơn vị',
  'Đơn vị',
  'Thuộc (từ cấp trên xuống)',
  'Loại',
  'Chủ thể',
  'Tên chủ thể',
  'Lĩnh vực',
  'Mục tiêu, nội dung',
  'Kết quả dự kiến',
  'Người phụ trách',
  'Bắt đầu',
  'Kết thúc',
  'Trạng thái',
  'Lý do trả lại, không công nhận',
  'Nhân rộng',
  'Biểu dương, khen thưởng',
  'Cập nhật trong kỳ',
  'Cập nhật gần nhất',
  '%',
  'Ngày cập nhật',
  'Người cập nhật',
];

/** The summary's last header row (a row of group titles above it); its data rows start below. */
const UNIT_HEADER_ROW = 5;
/** Unit sheet columns (1-based) the tests read: identity, the unit's own figures, then its subtree's. */
const U = {
  stt: 1,
  code: 2,
  name: 3,
  level: 4,
  parentCode: 5,
  models: 6,
  recognised: 11,
  required: 13,
  missing: 14,
  owedActive: 15,
  owedMissing: 16,
  owedWaiting: 17,
  subtree: 18,
  subtreeRequired: 25,
  subtreeBelowQuota: 30,
  subtreeLate: 31,
};
/** The own block's columns, and the subtree block's first columns in the same order. */
const OWN = { from: 6, to: 17 };
/** Offsets in the own block of "Còn thiếu" and "Chậm cập nhật". */
const OWN_MISSING = 8;
const OWN_OWED_MISSING = 10;
const SUBTREE = { from: 18, to: 31 };
/** Model sheet columns (1-based) the tests read. */
const M = {
  code: 2,
  name: 3,
  year: 4,
  unitCode: 5,
  unit: 6,
  path: 7,
  holder: 9,
  holderName: 10,
  content: 12,
  expected: 13,
  start: 15,
  end: 16,
  state: 17,
  reason: 18,
  replicated: 19,
  commended: 20,
  updates: 21,
  latest: 22,
  percent: 23,
  updatedAt: 24,
  author: 25,
};

let app: Awaited<ReturnType<typeof openDatabase>>;
let data: ReportData;
let details: ModelDetails;
let book: ExcelJS.Workbook;
let dir: string;

async function load(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  // exceljs types its input as an ArrayBuffer; a copy with the exact bounds is one.
  await workbook.xlsx.load(new Uint8Array(bytes).buffer);
  return workbook;
}

function sheet(workbook: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const found = workbook.getWorksheet(name);
  if (!found) throw new Error(`no sheet ${name}`);
  return found;
}

function rowValues(ws: ExcelJS.Worksheet, n: number): unknown[] {
  return (ws.getRow(n).values as unknown[]).slice(1);
}

/** The data row of the sheet whose column `column` holds `value`. */
function rowWith(ws: ExcelJS.Worksheet, column: number, value: string): ExcelJS.Row {
  for (let n = 5; n <= ws.rowCount; n++) if (ws.getRow(n).getCell(column).value === value) return ws.getRow(n);
  throw new Error(`no row with ${value}`);
}

/** The number next to a label on the "Thống kê" sheet, below a section title. */
function statistic(ws: ExcelJS.Worksheet, section: string, label: string): unknown {
  let inSection = false;
  for (let n = 1; n <= ws.rowCount; n++) {
    const first = ws.getRow(n).getCell(1).value;
    if (first === section) inSection = true;
    else if (inSection && first === label) return ws.getRow(n).getCell(2).value;
  }
  throw new Error(`no ${label} under ${section}`);
}

beforeAll(async () => {
  app = await openDatabase(':memory:');
  seedDemo(app.db, NOW);
  data = reportData(app.db, { rootUnitId: null, subtree: true }, yearPeriod(2026), NOW);
  details = reportModelDetails(app.db, data);
  book = await load(await reportXlsx(data, details));
  dir = mkdtempSync(join(tmpdir(), 'dvk-xlsx-'));
});

afterAll(() => {
  app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reportXlsx on the demo data', () => {
  it('has the summary, statistics and model sheets, each headed by the period, scope and date', () => {
    expect(book.worksheets.map((ws) => ws.name)).toEqual(['Tổng hợp', 'Thống kê', 'Mô hình']);
    for (const ws of book.worksheets) {
      expect(ws.getCell('A1').value).toBe('Báo cáo mô hình “Dân vận khéo” — năm 2026');
      // The whole deployment has one top unit, the province.
      expect(ws.getCell('A2').value).toBe('Phạm vi: Tỉnh Hà Tĩnh');
      expect(ws.getCell('A3').value).toBe('Ngày lập: 09:00 22/11/2026');
    }
  });

  it('gives the summary a bold, frozen, filtered header over one row per unit', () => {
    const ws = sheet(book, 'Tổng hợp');
    expect(rowValues(ws, UNIT_HEADER_ROW)).toEqual(UNIT_HEADERS);
    expect(ws.getRow(UNIT_HEADER_ROW).getCell(1).font?.bold).toBe(true);
    expect(ws.getRow(UNIT_HEADER_ROW).getCell(UNIT_HEADERS.length).font?.bold).toBe(true);
    // The group titles above: one over the unit's own figures, one over its subtree's.
    expect(ws.getRow(4).getCell(OWN.from).value).toBe('Riêng đơn vị');
    expect(ws.getRow(4).getCell(SUBTREE.from).value).toBe('Cả đơn vị và các đơn vị trực thuộc');
    expect(ws.getRow(4).getCell(SUBTREE.from).font?.bold).toBe(true);
    expect((ws.model as { merges: string[] }).merges).toEqual(['F4:Q4', 'R4:AE4']);
    // 24 demo units on rows 6–29; the totals row below stays out of the filter.
    expect(data.units).toHaveLength(24);
    expect(ws.autoFilter).toBe('A5:AE29');
    expect(ws.rowCount).toBe(5 + 24 + 1);
    data.units.forEach((unit, i) => {
      expect(ws.getRow(6 + i).getCell(U.stt).value).toBe(i + 1);
      expect(ws.getRow(6 + i).getCell(U.code).value).toBe(unit.shortCode);
    });
  });

  it('counts each unit as the demo seeds it', () => {
    const ws = sheet(book, 'Tổng hợp');
    // Công an tỉnh registered one model (Thiếu tá Trần Quốc Việt's), recognised; quota 1, nothing owed.
    const cat = rowWith(ws, U.code, 'CAT');
    expect(cat.getCell(U.name).value).toBe('Công an tỉnh');
    expect(cat.getCell(U.models).value).toBe(data.units.find((u) => u.shortCode === 'CAT')!.models);
    expect(cat.getCell(U.models).value).toBe(1);
    expect(cat.getCell(U.recognised).value).toBe(1);
    expect(cat.getCell(U.required).value).toBe(1);
    expect(cat.getCell(U.missing).value).toBe(0);
    expect(cat.getCell(U.owedActive).value).toBeNull();
    expect(cat.getCell(U.owedMissing).value).toBeNull();

    // Cẩm Xuyên was asked for 2 and has 1, with no unit under it.
    const camXuyen = rowWith(ws, U.code, 'CAMXUYEN');
    expect([
      camXuyen.getCell(U.models).value,
      camXuyen.getCell(U.required).value,
      camXuyen.getCell(U.missing).value,
      camXuyen.getCell(U.subtree).value,
    ]).toEqual([1, 2, 1, 1]);
    // The Mặt trận has 1 of its own (not recognised, so it still owes 1) and Tỉnh đoàn's under it.
    const front = rowWith(ws, U.code, 'MTTQ');
    expect([front.getCell(U.models).value, front.getCell(U.required).value, front.getCell(U.missing).value, front.getCell(U.subtree).value]).toEqual([
      1, 1, 1, 2,
    ]);

    // Cẩm Bình's model is under way, so it owes updates for the year; it sent them.
    const camBinh = rowWith(ws, U.code, 'CAMBINH');
    expect([camBinh.getCell(U.owedActive).value, camBinh.getCell(U.owedMissing).value]).toEqual([1, 0]);

    const province = rowWith(ws, U.code, 'HATINH');
    expect(province.getCell(U.subtree).value).toBe(9);
  });

  it('indents units by their depth in the tree', () => {
    const ws = sheet(book, 'Tổng hợp');
    expect(rowWith(ws, U.code, 'HATINH').getCell(U.name).alignment?.indent ?? 0).toBe(0);
    expect(rowWith(ws, U.code, 'CAMXUYEN').getCell(U.name).alignment?.indent).toBe(1);
    expect(rowWith(ws, U.code, 'MTTQ').getCell(U.name).alignment?.indent).toBe(1);
    expect(rowWith(ws, U.code, 'TINHDOAN').getCell(U.name).alignment?.indent).toBe(2);
  });

  it('ends the summary with a bold totals row', () => {
    const ws = sheet(book, 'Tổng hợp');
    const totals = ws.getRow(30);
    expect(totals.getCell(U.name).value).toBe('Tổng cộng');
    expect(totals.getCell(U.name).font?.bold).toBe(true);
    expect(totals.getCell(U.stt).value).toBeNull();
    expect(totals.getCell(U.models).value).toBe(data.totals.models);
    expect(totals.getCell(U.models).value).toBe(9);
    // pending 1 (Tỉnh đoàn), returned 1 (Đức Thọ), in progress 3, proposed 1 (Sở Y tế), recognised 2, not recognised 1 (Mặt trận).
    expect(rowValues(ws, 30).slice(U.models, U.models + 6)).toEqual([1, 1, 3, 1, 2, 1]);
    expect(totals.getCell(U.required).value).toBe(data.units.reduce((n, u) => n + u.quota.required, 0));
    expect(totals.getCell(U.subtree).value).toBe(9);
  });

  it('lists every model once, frozen and filtered, in the report order', () => {
    const ws = sheet(book, 'Mô hình');
    expect(rowValues(ws, 4)).toEqual(MODEL_HEADERS);
    expect(ws.getRow(4).getCell(M.name).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 4 });
    expect(ws.rowCount - 4).toBe(data.models.length);
    expect(data.models).toHaveLength(9);
    expect(ws.autoFilter).toBe('A4:Y13');
    expect(Array.from({ length: 9 }, (_, i) => ws.getRow(5 + i).getCell(M.code).value)).toEqual(data.models.map((m) => m.code));
  });

  it('keeps Vietnamese text exactly', () => {
    const row = rowWith(sheet(book, 'Mô hình'), M.name, 'Công an xã bám cơ sở, vận động nhân dân giao nộp vũ khí, vật liệu nổ');
    const name = row.getCell(M.name).value as string;
    expect(name.normalize('NFC')).toBe(name);
    expect(row.getCell(M.holder).value).toBe('Cá nhân');
    expect(row.getCell(M.holderName).value).toBe('Thiếu tá Trần Quốc Việt');
    expect(row.getCell(M.state).value).toBe('Được công nhận');
    expect(row.getCell(M.latest).value).toBe('Thu hồi 14 khẩu súng tự chế, 3,5 kg vật liệu nổ; không xảy ra tai nạn.');
    expect(row.getCell(M.author).value).toBe('Đặng Quốc Huy');
  });

  it('writes days and times as real Excel dates in Vietnam time', () => {
    const ws = sheet(book, 'Mô hình');
    const cat = rowWith(ws, M.name, 'Công an xã bám cơ sở, vận động nhân dân giao nộp vũ khí, vật liệu nổ');
    // Demo: 02-01 to 10-31, last update 08-28 17:00, 100%.
    expect(cat.getCell(M.start).value).toEqual(new Date(Date.UTC(2026, 1, 1)));
    expect(cat.getCell(M.start).numFmt).toBe('dd/mm/yyyy');
    expect(cat.getCell(M.end).value).toEqual(new Date(Date.UTC(2026, 9, 31)));
    expect(cat.getCell(M.updatedAt).value).toEqual(new Date(Date.UTC(2026, 7, 28, 17, 0)));
    expect(cat.getCell(M.percent).value).toBe(1);
    expect(cat.getCell(M.percent).numFmt).toBe('0%');
    expect(cat.getCell(M.replicated).value).toBeNull();

    // Cẩm Xuyên's model was replicated on 10/11 at 09:00, Vietnam time.
    const camXuyen = rowWith(ws, M.name, 'Dân vận khéo trong xây dựng khu dân cư nông thôn mới kiểu mẫu');
    expect(camXuyen.getCell(M.replicated).value).toEqual(new Date(Date.UTC(2026, 10, 10)));
    expect(camXuyen.getCell(M.updates).value).toBe(4);
  });

  it('leaves the update columns empty for a model without updates', () => {
    const ducTho = rowWith(sheet(book, 'Mô hình'), M.name, 'Chung tay xây dựng tuyến đường hoa, đường điện chiếu sáng khu dân cư');
    expect(ducTho.getCell(M.state).value).toBe('Bị trả lại');
    expect(ducTho.getCell(M.updates).value).toBe(0);
    for (const column of [M.latest, M.percent, M.updatedAt, M.author]) expect(ducTho.getCell(column).value).toBeNull();
  });

  it('breaks the totals down by field, kind, holder and result', () => {
    const ws = sheet(book, 'Thống kê');
    expect(statistic(ws, 'Tổng quan', 'Số mô hình')).toBe(9);
    for (const field of data.totals.byField) expect(statistic(ws, 'Theo lĩnh vực', field.label)).toBe(field.count);
    expect(statistic(ws, 'Theo lĩnh vực', 'Văn hóa - xã hội')).toBe(3);
    expect(statistic(ws, 'Theo loại mô hình', 'Mô hình “Dân vận khéo”')).toBe(6);
    expect(statistic(ws, 'Theo chủ thể', 'Cá nhân')).toBe(1);
    expect(statistic(ws, 'Kết quả', 'Được công nhận')).toBe(2);
    expect(statistic(ws, 'Kết quả', 'Được nhân rộng')).toBe(1);
    expect(statistic(ws, 'Kết quả', 'Được biểu dương, khen thưởng')).toBe(1);
  });

  it('names a unit report after its root unit', async () => {
    const frontId = data.units.find((u) => u.shortCode === 'MTTQ')!.id;
    const scoped = reportData(app.db, { rootUnitId: frontId, subtree: true }, yearPeriod(2026), NOW);
    const ws = sheet(await load(await reportXlsx(scoped, reportModelDetails(app.db, scoped))), 'Tổng hợp');
    expect(ws.getCell('A2').value).toBe('Phạm vi: Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh');
    // The Mặt trận and its two organisations; the Mặt trận is at the top, unindented, level 1,
    // with no unit above it in this report.
    expect(ws.rowCount).toBe(5 + 3 + 1);
    expect(ws.getRow(6).getCell(U.code).value).toBe('MTTQ');
    expect(ws.getRow(6).getCell(U.name).alignment?.indent ?? 0).toBe(0);
    expect([ws.getRow(6).getCell(U.level).value, ws.getRow(6).getCell(U.parentCode).value]).toEqual([1, null]);
    expect(rowWith(ws, U.code, 'TINHDOAN').getCell(U.level).value).toBe(2);
    expect(ws.getRow(9).getCell(U.models).value).toBe(2);
  });
});

describe('the models sheet, filtered by unit (issue 21, item 8)', () => {
  const TINHDOAN_MODEL = 'Đối thoại giữa lãnh đạo xã, phường với đoàn viên, thanh niên';

  it('carries the year, the unit’s code and its path through every unit above it', () => {
    const row = rowWith(sheet(book, 'Mô hình'), M.name, TINHDOAN_MODEL);
    expect(row.getCell(M.year).value).toBe(2026);
    expect(row.getCell(M.unitCode).value).toBe('TINHDOAN');
    expect(row.getCell(M.unit).value).toBe('Tỉnh đoàn Hà Tĩnh');
    expect(row.getCell(M.path).value).toBe('Tỉnh Hà Tĩnh › Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh › Tỉnh đoàn Hà Tĩnh');
    // A collective holder: its type, and no name of a person.
    expect(row.getCell(M.holder).value).toBe('Tập thể');
    expect(row.getCell(M.holderName).value).toBeNull();
  });

  it('lets a filter on a unit’s name keep its models and those of the units under it', () => {
    const ws = sheet(book, 'Mô hình');
    const front: string[] = [];
    for (let n = 5; n <= ws.rowCount; n++) {
      const path = ws.getRow(n).getCell(M.path).value as string;
      if (path.includes('Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh')) front.push(ws.getRow(n).getCell(M.unitCode).value as string);
    }
    expect(front.sort()).toEqual(['MTTQ', 'TINHDOAN']);
  });

  it('carries the content and the expected result as registered', () => {
    const row = rowWith(sheet(book, 'Mô hình'), M.name, TINHDOAN_MODEL);
    expect(row.getCell(M.content).value).toBe(
      'Tỉnh đoàn phối hợp UBND xã, phường tổ chức đối thoại trực tiếp với đoàn viên, thanh niên vào tuần cuối mỗi tháng.',
    );
    expect(row.getCell(M.expected).value).toBe('Kiến nghị của thanh niên được trả lời ngay tại buổi đối thoại hoặc bằng văn bản trong 15 ngày.');
  });

  it('gives the reason of a returned and of a not-recognised model, and none to the others', () => {
    const ws = sheet(book, 'Mô hình');
    const ducTho = rowWith(ws, M.unitCode, 'DUCTHO');
    expect(ducTho.getCell(M.state).value).toBe('Bị trả lại');
    expect(ducTho.getCell(M.reason).value).toBe('Nội dung trùng với mô hình năm trước; đề nghị bổ sung mục tiêu và kết quả dự kiến cụ thể.');
    const front = rowWith(ws, M.unitCode, 'MTTQ');
    expect(front.getCell(M.state).value).toBe('Không công nhận');
    expect(front.getCell(M.reason).value).toBe('Chưa có số liệu đánh giá kết quả ở từng xã, phường; đề nghị tiếp tục thực hiện và đăng ký lại năm sau.');
    const withReason = [];
    for (let n = 5; n <= ws.rowCount; n++) if (ws.getRow(n).getCell(M.reason).value !== null) withReason.push(n);
    expect(withReason).toHaveLength(2);
  });

  it('leaves out a reason the model no longer stands under', async () => {
    const only = unit(1, 'Xã Cẩm Duệ', 2);
    const corrected = { ...model(1, only, 'Sửa lại rồi được duyệt'), state: 'in_progress' as const };
    const returned = { ...model(2, only, 'Vẫn bị trả lại'), state: 'returned' as const };
    const verdict = { state: 'returned' as const, reason: 'Thiếu kết quả dự kiến.', at: NOW };
    const texts: ModelDetails = new Map<number, ModelDetail>([
      [1, { content: 'Nội dung một', expectedResult: null, verdict }],
      [2, { content: 'Nội dung hai', expectedResult: null, verdict }],
    ]);
    const ws = sheet(await load(await reportXlsx(report([only], [corrected, returned]), texts)), 'Mô hình');
    expect(ws.getRow(5).getCell(M.reason).value).toBeNull();
    expect(ws.getRow(6).getCell(M.reason).value).toBe('Thiếu kết quả dự kiến.');
  });
});

describe('the layout, on screen and on paper (issue 21, item 9)', () => {
  it('keeps the header rows, and the first columns of the tables, in view', () => {
    expect(sheet(book, 'Tổng hợp').views[0]).toMatchObject({ state: 'frozen', xSplit: 3, ySplit: 5 });
    expect(sheet(book, 'Thống kê').views[0]).toMatchObject({ state: 'frozen', xSplit: 0, ySplit: 3 });
    expect(sheet(book, 'Mô hình').views[0]).toMatchObject({ state: 'frozen', xSplit: 3, ySplit: 4 });
  });

  it('prints every sheet fitted to the page’s width, its header rows on every page', () => {
    const expected = {
      'Tổng hợp': { printTitlesRow: '4:5', orientation: 'landscape' },
      'Thống kê': { printTitlesRow: '1:3', orientation: 'portrait' },
      'Mô hình': { printTitlesRow: '4:4', orientation: 'landscape' },
    };
    for (const [name, page] of Object.entries(expected)) {
      expect(sheet(book, name).pageSetup).toMatchObject({ ...page, paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 });
    }
  });

  it('gives every column a width', () => {
    const columns = { 'Tổng hợp': UNIT_HEADERS.length, 'Thống kê': 2, 'Mô hình': MODEL_HEADERS.length };
    for (const [name, count] of Object.entries(columns)) {
      const ws = sheet(book, name);
      expect(ws.columnCount).toBe(count);
      for (let c = 1; c <= count; c++) expect(ws.getColumn(c).width, `${name}, column ${c}`).toBeGreaterThan(0);
    }
  });

  it('makes a row tall enough for its longest wrapped text', async () => {
    const only = unit(1, 'Xã Cẩm Duệ', 3);
    const sentence = 'Vận động nhân dân hiến đất, góp ngày công chỉnh trang đường làng, trồng hàng rào xanh. ';
    const texts: ModelDetails = new Map<number, ModelDetail>([
      [1, { content: 'Ngắn.', expectedResult: null, verdict: null }],
      [2, { content: sentence.repeat(3), expectedResult: null, verdict: null }],
      [3, { content: sentence.repeat(12), expectedResult: null, verdict: null }],
    ]);
    const ws = sheet(
      await load(
        await reportXlsx(
          report(
            [only],
            [1, 2, 3].map((id) => model(id, only, `Mô hình ${id}`)),
          ),
          texts,
        ),
      ),
      'Mô hình',
    );
    const [short, medium, long] = [5, 6, 7].map((n) => ws.getRow(n).height);
    // One line: the program's own height. 3 × 87 characters in a column of 50: at least 6 lines of 15 points.
    expect(short).toBeUndefined();
    expect(medium).toBeGreaterThanOrEqual(6 * 15);
    expect(long).toBeGreaterThan(medium!);
    expect(ws.getRow(7).getCell(M.content).alignment?.wrapText).toBe(true);
  });

  it('makes the header rows tall enough for their wrapped titles', () => {
    // "Mô hình phải cập nhật (cả trực thuộc)" in a column of 10 takes 4 lines.
    expect(sheet(book, 'Tổng hợp').getRow(UNIT_HEADER_ROW).height).toBeGreaterThanOrEqual(4 * 15);
    expect(sheet(book, 'Mô hình').getRow(4).height).toBeGreaterThanOrEqual(2 * 15);
  });

  it('keeps the statistics sheet’s title whole: merged over both columns, wrapped, as tall as its lines', async () => {
    const ws = sheet(book, 'Thống kê');
    expect((ws.model as { merges: string[] }).merges).toEqual(expect.arrayContaining(['A1:B1', 'A2:B2', 'A3:B3']));
    expect(ws.getCell('A1').alignment?.wrapText).toBe(true);
    expect(ws.getRow(1).height).toBeGreaterThanOrEqual(20);
    // A date range makes a title too long for one line at 14 points.
    const ranged = sheet(await load(await reportXlsx({ ...data, period: rangePeriod('2026-02-15', '2026-03-14') }, details)), 'Thống kê');
    expect(ranged.getCell('A1').value).toMatch(/15\/02\/2026/);
    expect(ranged.getRow(1).height).toBeGreaterThanOrEqual(2 * 19);
  });
});

describe('the summary keeps the tree (issue 21, items 4 and 9)', () => {
  /** A data row's cells from..to, by unit code. */
  function blocks(ws: ExcelJS.Worksheet): Map<string, { row: ExcelJS.Row; own: number[]; subtree: number[] }> {
    const result = new Map<string, { row: ExcelJS.Row; own: number[]; subtree: number[] }>();
    const numbers = (row: ExcelJS.Row, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => Number(row.getCell(from + i).value ?? 0));
    for (let n = UNIT_HEADER_ROW + 1; n < ws.rowCount; n++) {
      const row = ws.getRow(n);
      result.set(row.getCell(U.code).value as string, { row, own: numbers(row, OWN.from, OWN.to), subtree: numbers(row, SUBTREE.from, SUBTREE.to) });
    }
    return result;
  }

  it('gives each unit its level in the tree and the code of the unit above it', () => {
    const ws = sheet(book, 'Tổng hợp');
    const of = (code: string) => [rowWith(ws, U.code, code).getCell(U.level).value, rowWith(ws, U.code, code).getCell(U.parentCode).value];
    expect(of('HATINH')).toEqual([1, null]);
    expect(of('CAMXUYEN')).toEqual([2, 'HATINH']);
    expect(of('MTTQ')).toEqual([2, 'HATINH']);
    expect(of('TINHDOAN')).toEqual([3, 'MTTQ']);
    expect(rowWith(ws, U.code, 'TINHDOAN').getCell(U.level).alignment?.horizontal).toBe('center');
    expect(ws.getRow(ws.rowCount).getCell(U.level).value).toBeNull();
  });

  it('gives every unit its subtree’s figures beside its own: its own plus its children’s subtrees', () => {
    const ws = sheet(book, 'Tổng hợp');
    const rows = blocks(ws);
    expect(rows.size).toBe(24);
    for (const [code, { own, subtree }] of rows) {
      const children = [...rows.values()].filter((r) => r.row.getCell(U.parentCode).value === code);
      // The first 12 subtree columns mirror the own block; then units below quota and late.
      const expected = own.map((value, i) => value + children.reduce((n, c) => n + c.subtree[i]!, 0));
      const belowQuota = (own[OWN_MISSING]! > 0 ? 1 : 0) + children.reduce((n, c) => n + c.subtree[12]!, 0);
      const late = (own[OWN_OWED_MISSING]! > 0 ? 1 : 0) + children.reduce((n, c) => n + c.subtree[13]!, 0);
      expect(subtree, code).toEqual([...expected, belowQuota, late]);
    }
    // The Mặt trận: 1 model of its own (not recognised), Tỉnh đoàn's pending one under it.
    const front = rows.get('MTTQ')!.row;
    expect([front.getCell(U.models).value, front.getCell(U.subtree).value]).toEqual([1, 2]);
    expect([front.getCell(U.required).value, front.getCell(U.subtreeRequired).value]).toEqual([1, 3]);
    // The province's subtree is the whole report.
    const province = rows.get('HATINH')!.row;
    expect(province.getCell(U.subtree).value).toBe(9);
    expect(province.getCell(U.subtreeBelowQuota).value).toBe(data.totals.unitsBelowQuota);
    expect(province.getCell(U.subtreeLate).value).toBe(data.totals.unitsLate);
  });

  it('ends with totals whose roll-up equals the sum of the units’ own figures', () => {
    const ws = sheet(book, 'Tổng hợp');
    const totals = ws.getRow(ws.rowCount);
    const rows = [...blocks(ws).values()];
    for (let i = 0; i <= OWN.to - OWN.from; i++) {
      const sumOwn = rows.reduce((n, r) => n + r.own[i]!, 0);
      expect(Number(totals.getCell(OWN.from + i).value ?? 0)).toBe(sumOwn);
      expect(Number(totals.getCell(SUBTREE.from + i).value ?? 0)).toBe(sumOwn);
    }
    expect(totals.getCell(U.subtreeBelowQuota).value).toBe(data.totals.unitsBelowQuota);
    expect(totals.getCell(U.subtreeLate).value).toBe(data.totals.unitsLate);
  });
});

describe('writeReportXlsx', () => {
  it('writes the same cells to a file as reportXlsx returns', async () => {
    const path = join(dir, 'demo.xlsx');
    await writeReportXlsx(data, details, path);
    const fromFile = new ExcelJS.Workbook();
    await fromFile.xlsx.readFile(path);
    expect(fromFile.worksheets.map((ws) => ws.name)).toEqual(book.worksheets.map((ws) => ws.name));
    for (const ws of book.worksheets) {
      const other = sheet(fromFile, ws.name);
      expect(other.rowCount).toBe(ws.rowCount);
      for (let n = 1; n <= ws.rowCount; n++) expect(rowValues(other, n)).toEqual(rowValues(ws, n));
    }
    expect(sheet(fromFile, 'Mô hình').autoFilter).toBe('A4:Y13');
  });

  it('rejects when the file cannot be created', async () => {
    await expect(writeReportXlsx(data, details, join(dir, 'missing', 'demo.xlsx'))).rejects.toThrow(/ENOENT/);
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-built reports

function unit(id: number, name: string, models: number): ReportUnit {
  const own: Omit<ReportUnit, 'subtree'> = {
    id,
    name,
    shortCode: `U${id}`,
    kind: 'commune',
    parentId: null,
    depth: 0,
    byState: { pending: models, returned: 0, in_progress: 0, proposed: 0, recognised: 0, not_recognised: 0 },
    models,
    subtreeModels: models,
    quota: { required: 1, counted: models, missing: models > 0 ? 0 : 1 },
    updatesOwed: null,
  };
  return { ...own, subtree: ownFigures(own) };
}

function model(id: number, unitOf: ReportUnit, name: string): ReportModel {
  return {
    id,
    code: `DVK-2026-${String(id).padStart(4, '0')}`,
    name,
    year: 2026,
    unitId: unitOf.id,
    unitName: unitOf.name,
    kind: 'dan_van_kheo',
    holderType: 'collective',
    holderName: null,
    field: 'Kinh tế',
    state: 'pending',
    startDate: '2026-03-01',
    endDate: '2026-12-31',
    personInCharge: '+84 912 345 678',
    replicatedAt: null,
    commendedAt: null,
    updatesInPeriod: 0,
    latestUpdate: null,
  };
}

function report(units: ReportUnit[], models: ReportModel[]): ReportData {
  return {
    generatedAt: NOW,
    period: yearPeriod(2026),
    asOf: NOW,
    running: true,
    root: null,
    totals: { ...data.totals, units: units.length, models: models.length },
    units,
    models,
  };
}

describe('text that looks like a formula', () => {
  const NAMES = ['=HYPERLINK("http://x")', '+1+2', '-1', '@SUM(A1:A2)'];

  it('stays text in every cell', async () => {
    const first = unit(1, '=1+1', NAMES.length);
    const bytes = await reportXlsx(
      report(
        [first, unit(2, 'Xã Sơn Tây', 0)],
        NAMES.map((name, i) => model(i + 1, first, name)),
      ),
      // The registered texts too: the content and the expected result are typed by officers.
      new Map(NAMES.map((name, i) => [i + 1, { content: name, expectedResult: name, verdict: null }])),
    );
    const ws = sheet(await load(bytes), 'Mô hình');
    NAMES.forEach((name, i) => {
      for (const column of [M.name, M.content, M.expected]) {
        const cell = ws.getRow(5 + i).getCell(column);
        expect(cell.value).toBe(name);
        expect(cell.type).toBe(ExcelJS.ValueType.String);
        expect(cell.formula).toBeUndefined();
      }
    });
    expect(ws.getRow(5).getCell(14).value).toBe('+84 912 345 678');
    expect(
      sheet(await load(bytes), 'Tổng hợp')
        .getRow(6)
        .getCell(U.name).value,
    ).toBe('=1+1');

    // No formula element anywhere: what Excel itself would read.
    const zip = await JSZip.loadAsync(bytes);
    const sheets = Object.keys(zip.files).filter((path) => path.startsWith('xl/worksheets/sheet'));
    expect(sheets).toHaveLength(3);
    for (const path of sheets) expect(await zip.file(path)!.async('string')).not.toMatch(/<f[\s>]/);
  });

  it('heads a report with several top units as every unit', async () => {
    const first = unit(1, 'Xã Sơn Kim 1', 0);
    const ws = sheet(await load(await reportXlsx(report([first, unit(2, 'Xã Sơn Tây', 0)], []), new Map())), 'Mô hình');
    expect(ws.getCell('A2').value).toBe('Phạm vi: Tất cả đơn vị');
    // No models: the header alone, still filtered.
    expect(ws.rowCount).toBe(4);
    expect(ws.autoFilter).toBe('A4:Y4');
  });
});

describe('progress', () => {
  it('reports every thousand rows and once at the end', async () => {
    const only = unit(1, 'Xã Cẩm Duệ', 2500);
    const calls: [number, number][] = [];
    await reportXlsx(
      report(
        [only],
        Array.from({ length: 2500 }, (_, i) => model(i + 1, only, `Mô hình ${i + 1}`)),
      ),
      new Map(),
      { onProgress: (done, total) => calls.push([done, total]) },
    );
    expect(calls).toEqual([
      [1000, 2501],
      [2000, 2501],
      [2501, 2501],
    ]);
  });

  it('reports the end of the demo report once', async () => {
    const calls: [number, number][] = [];
    await reportXlsx(data, details, { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([[33, 33]]);
  });
});
