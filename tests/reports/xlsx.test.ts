import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { ownFigures, type ReportData, type ReportModel, type ReportUnit, reportData } from '../../db/reportData.js';
import { seedDemo } from '../../db/seed/demo.js';
import { yearPeriod } from '../../core/period.js';
import { reportXlsx, writeReportXlsx } from '../../reports/xlsx.js';

const NOW = new Date('2026-11-22T09:00:00+07:00');

const UNIT_HEADERS = [
  'STT',
  'Mã đơn vị',
  'Đơn vị',
  'Số mô hình',
  'Chờ duyệt',
  'Bị trả lại',
  'Đang thực hiện',
  'Đề nghị công nhận',
  'Được công nhận',
  'Không công nhận',
  'Chỉ tiêu',
  'Còn thiếu',
  'Mô hình phải cập nhật',
  'Chưa cập nhật',
  'Tổng cả đơn vị trực thuộc',
];

const MODEL_HEADERS = [
  'STT',
  'Mã',
  'Tên mô hình',
  'Đơn vị',
  'Loại',
  'Chủ thể',
  'Lĩnh vực',
  'Trạng thái',
  'Người phụ trách',
  'Bắt đầu',
  'Kết thúc',
  'Nhân rộng',
  'Khen thưởng',
  'Cập nhật trong kỳ',
  'Cập nhật gần nhất',
  '%',
  'Ngày cập nhật',
  'Người cập nhật',
];

/** Unit sheet columns (1-based) the tests read. */
const U = { stt: 1, code: 2, name: 3, models: 4, recognised: 9, required: 11, missing: 12, owedActive: 13, owedMissing: 14, subtree: 15 };
/** Model sheet columns (1-based) the tests read. */
const M = {
  code: 2,
  name: 3,
  holder: 6,
  state: 8,
  start: 10,
  end: 11,
  replicated: 12,
  commended: 13,
  updates: 14,
  latest: 15,
  percent: 16,
  updatedAt: 17,
  author: 18,
};

let app: Awaited<ReturnType<typeof openDatabase>>;
let data: ReportData;
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
  book = await load(await reportXlsx(data));
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
    expect(rowValues(ws, 4)).toEqual(UNIT_HEADERS);
    expect(ws.getRow(4).getCell(1).font?.bold).toBe(true);
    expect(ws.getRow(4).getCell(UNIT_HEADERS.length).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 4 });
    // 24 demo units on rows 5–28; the totals row below stays out of the filter.
    expect(data.units).toHaveLength(24);
    expect(ws.autoFilter).toBe('A4:O28');
    expect(ws.rowCount).toBe(4 + 24 + 1);
    data.units.forEach((unit, i) => {
      expect(ws.getRow(5 + i).getCell(U.stt).value).toBe(i + 1);
      expect(ws.getRow(5 + i).getCell(U.code).value).toBe(unit.shortCode);
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
    const totals = ws.getRow(29);
    expect(totals.getCell(U.name).value).toBe('Tổng cộng');
    expect(totals.getCell(U.name).font?.bold).toBe(true);
    expect(totals.getCell(U.stt).value).toBeNull();
    expect(totals.getCell(U.models).value).toBe(data.totals.models);
    expect(totals.getCell(U.models).value).toBe(9);
    // pending 1 (Tỉnh đoàn), returned 1 (Đức Thọ), in progress 3, proposed 1 (Sở Y tế), recognised 2, not recognised 1 (Mặt trận).
    expect(rowValues(ws, 29).slice(4, 10)).toEqual([1, 1, 3, 1, 2, 1]);
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
    expect(ws.autoFilter).toBe('A4:R13');
    expect(Array.from({ length: 9 }, (_, i) => ws.getRow(5 + i).getCell(M.code).value)).toEqual(data.models.map((m) => m.code));
  });

  it('keeps Vietnamese text exactly', () => {
    const row = rowWith(sheet(book, 'Mô hình'), M.name, 'Công an xã bám cơ sở, vận động nhân dân giao nộp vũ khí, vật liệu nổ');
    const name = row.getCell(M.name).value as string;
    expect(name.normalize('NFC')).toBe(name);
    expect(row.getCell(M.holder).value).toBe('Cá nhân: Thiếu tá Trần Quốc Việt');
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
    expect(statistic(ws, 'Kết quả', 'Được khen thưởng')).toBe(1);
  });

  it('names a unit report after its root unit', async () => {
    const frontId = data.units.find((u) => u.shortCode === 'MTTQ')!.id;
    const scoped = reportData(app.db, { rootUnitId: frontId, subtree: true }, yearPeriod(2026), NOW);
    const ws = sheet(await load(await reportXlsx(scoped)), 'Tổng hợp');
    expect(ws.getCell('A2').value).toBe('Phạm vi: Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh');
    // The Mặt trận and its two organisations; the Mặt trận is at the top, unindented.
    expect(ws.rowCount).toBe(4 + 3 + 1);
    expect(ws.getRow(5).getCell(U.code).value).toBe('MTTQ');
    expect(ws.getRow(5).getCell(U.name).alignment?.indent ?? 0).toBe(0);
    expect(ws.getRow(8).getCell(U.models).value).toBe(2);
  });
});

describe('writeReportXlsx', () => {
  it('writes the same cells to a file as reportXlsx returns', async () => {
    const path = join(dir, 'demo.xlsx');
    await writeReportXlsx(data, path);
    const fromFile = new ExcelJS.Workbook();
    await fromFile.xlsx.readFile(path);
    expect(fromFile.worksheets.map((ws) => ws.name)).toEqual(book.worksheets.map((ws) => ws.name));
    for (const ws of book.worksheets) {
      const other = sheet(fromFile, ws.name);
      expect(other.rowCount).toBe(ws.rowCount);
      for (let n = 1; n <= ws.rowCount; n++) expect(rowValues(other, n)).toEqual(rowValues(ws, n));
    }
    expect(sheet(fromFile, 'Mô hình').autoFilter).toBe('A4:R13');
  });

  it('rejects when the file cannot be created', async () => {
    await expect(writeReportXlsx(data, join(dir, 'missing', 'demo.xlsx'))).rejects.toThrow(/ENOENT/);
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
    );
    const ws = sheet(await load(bytes), 'Mô hình');
    NAMES.forEach((name, i) => {
      const cell = ws.getRow(5 + i).getCell(M.name);
      expect(cell.value).toBe(name);
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
    });
    expect(ws.getRow(5).getCell(9).value).toBe('+84 912 345 678');
    expect(
      sheet(await load(bytes), 'Tổng hợp')
        .getRow(5)
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
    const ws = sheet(await load(await reportXlsx(report([first, unit(2, 'Xã Sơn Tây', 0)], []))), 'Mô hình');
    expect(ws.getCell('A2').value).toBe('Phạm vi: Tất cả đơn vị');
    // No models: the header alone, still filtered.
    expect(ws.rowCount).toBe(4);
    expect(ws.autoFilter).toBe('A4:R4');
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
    await reportXlsx(data, { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls).toEqual([[33, 33]]);
  });
});
