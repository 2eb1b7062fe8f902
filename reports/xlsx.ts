import { createWriteStream } from 'node:fs';
import { PassThrough, type Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { formatVnDateTime, VN_OFFSET_MS } from '../core/clock.js';
import { HOLDER_LABEL, MODEL_KIND_LABEL, MODEL_STATE_LABEL } from '../core/labels.js';
import { ownFigures, type ReportData, type ReportModel, type ReportUnit } from '../db/reportData.js';
import { HOLDER_TYPES, MODEL_KINDS, MODEL_STATES } from '../db/schema.js';
import type { IsoDay } from '../core/calendar.js';
import { periodTitle } from '../core/period.js';

/**
 * The report as an Excel workbook: "Tổng hợp" (one row per unit, then a totals row), "Thống kê"
 * (the breakdowns by state, field, kind and holder) and "Mô hình" (one row per model).
 *
 * The breakdowns get a sheet of their own rather than sitting under the unit table: a
 * national report has 10,000 unit rows, and tables below them would never be found.
 *
 * One writer makes both outputs: `reportXlsx` a Buffer for the chat bot, `writeReportXlsx` a file
 * for the CLI's national-scale runs.
 */

export interface XlsxOptions {
  /** Called as rows are written (units then models), and once at the end with done === total. */
  onProgress?: (done: number, total: number) => void;
}

export async function reportXlsx(data: ReportData, options: XlsxOptions = {}): Promise<Buffer> {
  const out = new PassThrough();
  const [bytes] = await Promise.all([buffer(out), writeWorkbook(data, out, options)]);
  return bytes;
}

export async function writeReportXlsx(data: ReportData, path: string, options: XlsxOptions = {}): Promise<void> {
  const out = new PassThrough();
  // The pipeline rejects when the file cannot be written, instead of an unhandled stream error.
  // A new file is the admin's alone (it names officials and units); an existing one keeps its mode.
  await Promise.all([pipeline(out, createWriteStream(path, { mode: 0o600 })), writeWorkbook(data, out, options)]);
}

/**
 * exceljs's streaming writer, for the bot as well as the CLI. On 10,000 units and 30,000 models
 * the in-memory Workbook took 6.6–8.2 s and 1 GB; this one 1.5–2.5 s and about 60 MB over the
 * data itself. (Not a flat 60 MB: exceljs pushes rows to the compressor without waiting for it,
 * so the backlog grows with the rows, some 1.7 MB per 1,000 models.)
 */
async function writeWorkbook(data: ReportData, out: Writable, options: XlsxOptions): Promise<void> {
  // Inline strings: shared strings would keep every text of the report in memory until the end.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  try {
    await buildWorkbook(workbook, data, options);
    await workbook.commit();
  } catch (error) {
    // Ends the reader of `out` too, instead of leaving it waiting for bytes that never come.
    out.destroy(error as Error);
    throw error;
  }
}

export const SHEET = {
  units: 'Tổng hợp',
  stats: 'Thống kê',
  models: 'Mô hình',
} as const;

/** The table sheets' header row, under the title, the scope and the date. */
export const HEADER_ROW = 4;

/** One column of a table sheet: its header, how wide, and what a row puts in it. */
interface Column<Row> {
  header: string;
  /** In characters, as Excel counts them. */
  width: number;
  /** `position` is the row's 1-based number in the table, absent on the totals row. */
  value: (row: Row, position?: number) => ExcelJS.CellValue;
  numFmt?: string;
  /** Long texts wrap inside their column instead of running across the next ones. */
  wrap?: boolean;
  /** Indent levels (Excel's alignment indent), for a tree shown in one column. */
  indent?: (row: Row) => number;
}

const DATE = 'dd/mm/yyyy';
const DATE_TIME = 'dd/mm/yyyy hh:mm';
// A font named in full: one with only "bold" leaves its face and size to each spreadsheet program.
const BOLD: Partial<ExcelJS.Font> = { name: 'Calibri', family: 2, size: 11, bold: true };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
/** Excel's limit on alignment indent levels; deeper units stay at the deepest level. */
const MAX_INDENT = 15;

const position: Column<unknown> = { header: 'STT', width: 6, value: (_row, n) => n ?? null };

const UNIT_COLUMNS: readonly Column<ReportUnit>[] = [
  position,
  { header: 'Mã đơn vị', width: 14, value: (u) => u.shortCode || null },
  { header: 'Đơn vị', width: 40, value: (u) => u.name, wrap: true, indent: (u) => Math.min(u.depth, MAX_INDENT) },
  { header: 'Số mô hình', width: 10, value: (u) => u.models },
  ...MODEL_STATES.map((state): Column<ReportUnit> => ({ header: capitalised(MODEL_STATE_LABEL[state]), width: 12, value: (u) => u.byState[state] })),
  { header: 'Chỉ tiêu', width: 9, value: (u) => u.quota.required },
  { header: 'Còn thiếu', width: 9, value: (u) => u.quota.missing },
  { header: 'Mô hình phải cập nhật', width: 12, value: (u) => u.updatesOwed?.active ?? null },
  { header: 'Chưa cập nhật', width: 11, value: (u) => u.updatesOwed?.missing ?? null },
  { header: 'Tổng cả đơn vị trực thuộc', width: 14, value: (u) => u.subtreeModels },
];

const MODEL_COLUMNS: readonly Column<ReportModel>[] = [
  position,
  { header: 'Mã', width: 15, value: (m) => m.code },
  { header: 'Tên mô hình', width: 45, value: (m) => m.name, wrap: true },
  { header: 'Đơn vị', width: 28, value: (m) => m.unitName, wrap: true },
  { header: 'Loại', width: 26, value: (m) => MODEL_KIND_LABEL[m.kind], wrap: true },
  { header: 'Chủ thể', width: 24, value: (m) => (m.holderName ? `${HOLDER_LABEL[m.holderType]}: ${m.holderName}` : HOLDER_LABEL[m.holderType]), wrap: true },
  { header: 'Lĩnh vực', width: 22, value: (m) => m.field, wrap: true },
  { header: 'Trạng thái', width: 16, value: (m) => capitalised(MODEL_STATE_LABEL[m.state]), wrap: true },
  { header: 'Người phụ trách', width: 28, value: (m) => m.personInCharge, wrap: true },
  { header: 'Bắt đầu', width: 11, value: (m) => dayDate(m.startDate), numFmt: DATE },
  { header: 'Kết thúc', width: 11, value: (m) => dayDate(m.endDate), numFmt: DATE },
  { header: 'Nhân rộng', width: 11, value: (m) => vnDay(m.replicatedAt), numFmt: DATE },
  { header: 'Khen thưởng', width: 11, value: (m) => vnDay(m.commendedAt), numFmt: DATE },
  { header: 'Cập nhật trong kỳ', width: 10, value: (m) => m.updatesInPeriod },
  { header: 'Cập nhật gần nhất', width: 50, value: (m) => m.latestUpdate?.text ?? null, wrap: true },
  { header: '%', width: 7, value: (m) => (m.latestUpdate?.percent == null ? null : m.latestUpdate.percent / 100), numFmt: '0%' },
  { header: 'Ngày cập nhật', width: 16, value: (m) => (m.latestUpdate ? vnWallClock(m.latestUpdate.at) : null), numFmt: DATE_TIME },
  { header: 'Người cập nhật', width: 22, value: (m) => m.latestUpdate?.author ?? null, wrap: true },
];

/**
 * exceljs writes a sheet's XML to the zip without waiting for the compressor (no backpressure), so
 * on a national report the "Mô hình" sheet's uncompressed XML piled up in memory (some 45 MB at
 * 30,000 models) before deflate caught up. A pause every 500 rows lets it (deflate runs on libuv's
 * threads): measured on the national dataset, the piled-up buffers 42 → 16 MB and the thread's
 * peak RSS 23 MB lower, for 0.6–0.9 s more on a report made off the bot's thread (or by the CLI).
 * A report of fewer models never pauses.
 */
const COMPRESSOR_BATCH = 500;
const compressorCatchUp = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Rows between two progress calls: often enough for a progress bar, rare enough to cost nothing. */
const PROGRESS_STEP = 1000;

type Writer = ExcelJS.stream.xlsx.WorkbookWriter;
type Sheet = ExcelJS.Worksheet;

async function buildWorkbook(workbook: Writer, data: ReportData, options: XlsxOptions): Promise<void> {
  workbook.creator = 'dvk-bot';
  workbook.created = data.generatedAt;

  const total = data.units.length + data.models.length;
  let done = 0;
  const rowWritten = (): void => {
    if (++done % PROGRESS_STEP === 0) options.onProgress?.(done, total);
  };

  const units = tableSheet(workbook, SHEET.units, UNIT_COLUMNS, data);
  const unitStyles = cellStyles(UNIT_COLUMNS);
  for (const [i, unit] of data.units.entries()) {
    dataRow(units, UNIT_COLUMNS, unitStyles, unit, i + 1);
    rowWritten();
  }
  const sums = totalsUnit(data);
  const totals = units.addRow(UNIT_COLUMNS.map((c) => c.value(sums)));
  totals.eachCell((cell) => (cell.font = BOLD));
  totals.commit();
  finishTable(units, UNIT_COLUMNS, data.units.length);
  // A sheet reaches the zip only after the ones before it are closed, so each is closed in turn.
  units.commit();

  statsSheet(workbook, data).commit();

  const models = tableSheet(workbook, SHEET.models, MODEL_COLUMNS, data);
  const modelStyles = cellStyles(MODEL_COLUMNS);
  for (const [i, model] of data.models.entries()) {
    dataRow(models, MODEL_COLUMNS, modelStyles, model, i + 1);
    rowWritten();
    if (i % COMPRESSOR_BATCH === COMPRESSOR_BATCH - 1) await compressorCatchUp();
  }
  finishTable(models, MODEL_COLUMNS, data.models.length);
  models.commit();

  if (done % PROGRESS_STEP !== 0 || total === 0) options.onProgress?.(done, total);
}

/** A sheet with the report's heading and a table's bold header row, frozen so it stays in view. */
function tableSheet<Row>(workbook: Writer, name: string, columns: readonly Column<Row>[], data: ReportData): Sheet {
  const sheet = workbook.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: HEADER_ROW }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  // Widths before any row: the streaming writer writes the column list with the first row.
  sheet.columns = columns.map((c) => ({ width: c.width }));
  heading(sheet, data);
  const header = sheet.addRow(columns.map((c) => c.header));
  header.eachCell((cell) => {
    cell.font = BOLD;
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    cell.fill = HEADER_FILL;
  });
  header.commit();
  return sheet;
}

/** Rows 1–3 of every sheet: what the report is, whose, and when it was made. */
function heading(sheet: Sheet, data: ReportData): void {
  const title = sheet.addRow([`Báo cáo mô hình “Dân vận khéo” — ${periodTitle(data.period)}`]);
  title.getCell(1).font = { ...BOLD, size: 14 };
  title.commit();
  sheet.addRow([`Phạm vi: ${scopeName(data)}`]).commit();
  sheet.addRow([`Ngày lập: ${formatVnDateTime(data.generatedAt)}`]).commit();
}

/**
 * The report's scope: its root unit; for the whole deployment, its single top unit (the
 * province), or "Tất cả đơn vị" when several units share the top (as the chat summary says).
 */
function scopeName(data: ReportData): string {
  if (data.root) return data.root.name;
  const tops = data.units.filter((u) => u.depth === 0);
  return tops.length === 1 ? tops[0]!.name : 'Tất cả đơn vị';
}

function dataRow<Row>(sheet: Sheet, columns: readonly Column<Row>[], styles: CellStyles, row: Row, n: number): void {
  const added = sheet.addRow(columns.map((c) => c.value(row, n)));
  columns.forEach((c, i) => (added.getCell(i + 1).style = styles(i, c.indent?.(row) ?? 0)));
  added.commit();
}

/** A column's cell style at an indent level: the same object every time it is asked for. */
type CellStyles = (column: number, indent: number) => Partial<ExcelJS.Style>;

/**
 * The data cells' styles, made once per column and indent. exceljs recognises a style object it
 * has seen before by identity; a fresh object per cell made it serialise and compare 600,000
 * styles on a national report, a third of the writing time.
 */
function cellStyles<Row>(columns: readonly Column<Row>[]): CellStyles {
  const made = new Map<string, Partial<ExcelJS.Style>>();
  return (column, indent) => {
    const key = `${column}:${indent}`;
    let style = made.get(key);
    if (!style) {
      const c = columns[column]!;
      style = Object.freeze({
        ...(c.numFmt ? { numFmt: c.numFmt } : {}),
        alignment: Object.freeze({ vertical: 'top', wrapText: c.wrap ?? false, ...(indent > 0 ? { indent } : {}) }),
      }) as Partial<ExcelJS.Style>;
      made.set(key, style);
    }
    return style;
  };
}

/** The filter covers the header and the data rows, never the totals row below them. */
function finishTable<Row>(sheet: Sheet, columns: readonly Column<Row>[], rows: number): void {
  sheet.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: HEADER_ROW + rows, column: columns.length } };
}

/** The totals row, shaped as a unit so the unit columns read it: sums of the units' own figures. */
function totalsUnit(data: ReportData): ReportUnit {
  const owing = data.units.filter((u) => u.updatesOwed !== null);
  const own: Omit<ReportUnit, 'subtree'> = {
    id: 0,
    name: 'Tổng cộng',
    shortCode: '',
    kind: 'province',
    parentId: null,
    depth: 0,
    byState: data.totals.byState,
    models: data.totals.models,
    // Every model of the report, as each model belongs to exactly one unit in it.
    subtreeModels: data.totals.models,
    quota: {
      required: sum(data.units, (u) => u.quota.required),
      counted: sum(data.units, (u) => u.quota.counted),
      missing: sum(data.units, (u) => u.quota.missing),
    },
    updatesOwed: owing.length === 0 ? null : { active: sum(owing, (u) => u.updatesOwed!.active), missing: sum(owing, (u) => u.updatesOwed!.missing) },
  };
  return { ...own, subtree: ownFigures(own) };
}

/** "Thống kê": small two-column tables, one under the other. */
function statsSheet(workbook: Writer, data: ReportData): Sheet {
  const t = data.totals;
  const sheet = workbook.addWorksheet(SHEET.stats, { pageSetup: { paperSize: 9, orientation: 'portrait' } });
  sheet.columns = [{ width: 50, style: { alignment: { vertical: 'top', wrapText: true } } }, { width: 14 }];
  heading(sheet, data);
  const sections: { title: string; header: string; count?: string; rows: [string, number][] }[] = [
    {
      title: 'Tổng quan',
      header: 'Chỉ số',
      // Its rows count units and updates as well as models.
      count: 'Số lượng',
      rows: [
        ['Số đơn vị', t.units],
        ['Số mô hình', t.models],
        ['Đơn vị chưa có mô hình', t.unitsWithoutModels],
        ['Đơn vị chưa đủ chỉ tiêu', t.unitsBelowQuota],
        ['Đơn vị chậm cập nhật tiến độ', t.unitsLate],
        ['Lượt cập nhật tiến độ trong kỳ', t.updatesInPeriod],
      ],
    },
    { title: 'Theo trạng thái', header: 'Trạng thái', rows: MODEL_STATES.map((s) => [capitalised(MODEL_STATE_LABEL[s]), t.byState[s]]) },
    { title: 'Theo lĩnh vực', header: 'Lĩnh vực', rows: t.byField.map((f) => [f.label, f.count]) },
    { title: 'Theo loại mô hình', header: 'Loại mô hình', rows: MODEL_KINDS.map((k) => [MODEL_KIND_LABEL[k], t.byKind[k]]) },
    { title: 'Theo chủ thể', header: 'Chủ thể', rows: HOLDER_TYPES.map((h) => [HOLDER_LABEL[h], t.byHolder[h]]) },
    {
      title: 'Kết quả',
      header: 'Kết quả',
      rows: [
        ['Được công nhận', t.recognised],
        ['Được nhân rộng', t.replicated],
        ['Được khen thưởng', t.commended],
      ],
    },
  ];
  for (const section of sections) {
    sheet.addRow([]).commit();
    const title = sheet.addRow([section.title]);
    title.getCell(1).font = { ...BOLD, size: 12 };
    title.commit();
    const header = sheet.addRow([section.header, section.count ?? 'Số mô hình']);
    header.eachCell((cell) => {
      cell.font = BOLD;
      cell.fill = HEADER_FILL;
    });
    header.commit();
    for (const row of section.rows) sheet.addRow(row).commit();
  }
  return sheet;
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
}

function capitalised(label: string): string {
  return label.charAt(0).toUpperCase() + label.slice(1);
}

// Excel dates have no time zone: exceljs writes a Date's UTC wall clock as the serial number, so
// each date below is the Vietnam wall clock expressed in UTC.

/** A calendar day stored as "YYYY-MM-DD", as that day at midnight. */
function dayDate(day: IsoDay): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** An instant as Vietnam's wall-clock time. */
function vnWallClock(at: Date): Date {
  return new Date(at.getTime() + VN_OFFSET_MS);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The day an instant falls on in Vietnam, at midnight; empty when there is no instant. */
function vnDay(at: Date | null): Date | null {
  if (!at) return null;
  const local = at.getTime() + VN_OFFSET_MS;
  return new Date(local - (local % DAY_MS));
}
