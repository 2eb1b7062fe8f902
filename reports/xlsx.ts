import { capitalized } from '../core/text.js';
import { createWriteStream } from 'node:fs';
import { PassThrough, type Writable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { formatVnDateTime, VN_OFFSET_MS } from '../core/clock.js';
import { HOLDER_LABEL, MODEL_KIND_LABEL, MODEL_STATE_LABEL } from '../core/labels.js';
import { ownFigures, type ReportData, type ReportModel, type ReportUnit, type SubtreeFigures, sumFigures } from '../db/reportData.js';
import type { ModelDetail, ModelDetails } from '../db/reportModelDetails.js';
import { HOLDER_TYPES, MODEL_KINDS, MODEL_STATES } from '../db/schema.js';
import type { IsoDay } from '../core/calendar.js';
import { periodTitle } from '../core/period.js';
import { unitPaths } from './unitPaths.js';
import { rowHeight, wrappedLines } from './xlsxRowHeight.js';

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

/**
 * `details`: the models' texts only this file shows (db/reportModelDetails.ts), read with `data`
 * by whoever asks for the file; a renderer never queries.
 */
export async function reportXlsx(data: ReportData, details: ModelDetails, options: XlsxOptions = {}): Promise<Buffer> {
  const out = new PassThrough();
  const [bytes] = await Promise.all([buffer(out), writeWorkbook(data, details, out, options)]);
  return bytes;
}

export async function writeReportXlsx(data: ReportData, details: ModelDetails, path: string, options: XlsxOptions = {}): Promise<void> {
  const out = new PassThrough();
  // The pipeline rejects when the file cannot be written, instead of an unhandled stream error.
  // A new file is the admin's alone (it names officials and units); an existing one keeps its mode.
  await Promise.all([pipeline(out, createWriteStream(path, { mode: 0o600 })), writeWorkbook(data, details, out, options)]);
}

/**
 * exceljs's streaming writer, for the bot as well as the CLI. On 10,000 units and 30,000 models
 * the in-memory Workbook took 6.6–8.2 s and 1 GB; this one 1.5–2.5 s and about 60 MB over the
 * data itself. (Not a flat 60 MB: exceljs pushes rows to the compressor without waiting for it,
 * so the backlog grows with the rows, some 1.7 MB per 1,000 models.)
 */
async function writeWorkbook(data: ReportData, details: ModelDetails, out: Writable, options: XlsxOptions): Promise<void> {
  // Inline strings: shared strings would keep every text of the report in memory until the end.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  try {
    await buildWorkbook(workbook, data, details, options);
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

/** Rows 1–3 of every sheet: what the report is, whose, and when it was made. */
const HEADING_ROWS = 3;

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
  /** Centred in its column: a short code such as the level, read down the column at a glance. */
  centre?: boolean;
}

/** A title over several adjacent columns, on a row above their headers. */
interface ColumnGroup {
  title: string;
  /** 1-based, inclusive. */
  from: number;
  to: number;
}

/** A table sheet's layout: its columns, the titles grouping them, how many columns stay in view. */
interface Table<Row> {
  columns: readonly Column<Row>[];
  groups?: readonly ColumnGroup[];
  /** Columns kept in view when scrolling right: what says which row one is reading. */
  frozenColumns: number;
}

const DATE = 'dd/mm/yyyy';
const DATE_TIME = 'dd/mm/yyyy hh:mm';
// A font named in full: one with only "bold" leaves its face and size to each spreadsheet program.
const BOLD: Partial<ExcelJS.Font> = { name: 'Calibri', family: 2, size: 11, bold: true };
const TITLE_SIZE = 14;
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: BOLD,
  alignment: { vertical: 'middle', horizontal: 'center', wrapText: true },
  fill: HEADER_FILL,
};
/** Excel's limit on alignment indent levels; deeper units stay at the deepest level. */
const MAX_INDENT = 15;
/** Width an indent level takes from its cell's text, in characters (a little more than Excel's, to be safe). */
const INDENT_WIDTH = 2;
/** A4, printed across: the tables are wider than they are tall per row. */
const A4 = 9;
const PRINT_ACROSS: Partial<ExcelJS.PageSetup> = { paperSize: A4, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 };

const position: Column<unknown> = { header: 'STT', width: 6, value: (_row, n) => n ?? null };

/**
 * "Tổng hợp": for every unit its own figures, then the same for it and every unit under it. Paired
 * column blocks rather than a second row per unit: one row per unit keeps Excel's sort and filter
 * working (two rows per unit would be torn apart by a sort, and a column sum would count each
 * subtree twice), the own block sums to the totals row, and the subtree block reads as the
 * roll-up a leader asks for. "Cấp" and "Mã đơn vị cấp trên" keep the tree readable once sorted.
 */
function unitTable(data: ReportData): Table<ReportUnit> {
  const codeOf = new Map(data.units.map((u) => [u.id, u.shortCode]));
  const own: Column<ReportUnit>[] = figureColumns('', (u) => u);
  const subtree: Column<ReportUnit>[] = [
    ...figureColumns(' (cả trực thuộc)', (u) => u.subtree),
    { header: 'Đơn vị chưa đủ chỉ tiêu', width: 10, value: (u) => u.subtree.unitsBelowQuota },
    { header: 'Đơn vị chậm cập nhật', width: 10, value: (u) => u.subtree.unitsLate },
  ];
  const identity: Column<ReportUnit>[] = [
    position,
    { header: 'Mã đơn vị', width: 14, value: (u) => u.shortCode || null },
    { header: 'Đơn vị', width: 36, value: (u) => u.name, wrap: true, indent: (u) => Math.min(u.depth, MAX_INDENT) },
    // The level in this report's tree: unit kinds give no level (a department and a commune both
    // sit directly under the province; a school may sit under either).
    { header: 'Cấp', width: 6, value: (u) => (u.id === TOTALS_ID ? null : u.depth + 1), centre: true },
    { header: 'Mã đơn vị cấp trên', width: 14, value: (u) => (u.parentId === null ? null : (codeOf.get(u.parentId) ?? null)) },
  ];
  const ownFrom = identity.length + 1;
  const subtreeFrom = ownFrom + own.length;
  return {
    columns: [...identity, ...own, ...subtree],
    groups: [
      { title: 'Riêng đơn vị', from: ownFrom, to: subtreeFrom - 1 },
      { title: 'Cả đơn vị và các đơn vị trực thuộc', from: subtreeFrom, to: subtreeFrom + subtree.length - 1 },
    ],
    frozenColumns: 3,
  };
}

/** Models by state, quota and updates owed, read from a unit's own figures or its subtree's. */
function figureColumns(suffix: string, figures: (u: ReportUnit) => Pick<SubtreeFigures, 'byState' | 'models' | 'quota' | 'updatesOwed'>): Column<ReportUnit>[] {
  // Headers differ between the blocks (the suffix): Excel's sort dialog lists columns by header.
  return [
    { header: `Số mô hình${suffix}`, width: 10, value: (u) => figures(u).models },
    ...MODEL_STATES.map(
      (state): Column<ReportUnit> => ({ header: `${capitalized(MODEL_STATE_LABEL[state])}${suffix}`, width: 10, value: (u) => figures(u).byState[state] }),
    ),
    { header: `Chỉ tiêu${suffix}`, width: 10, value: (u) => figures(u).quota.required },
    { header: `Còn thiếu${suffix}`, width: 10, value: (u) => figures(u).quota.missing },
    { header: `Mô hình phải cập nhật${suffix}`, width: 10, value: (u) => figures(u).updatesOwed?.active ?? null },
    // Late once the period's updates are due; before that the units yet to send are "not yet due", not late.
    { header: `Chậm cập nhật${suffix}`, width: 10, value: (u) => figures(u).updatesOwed?.missing ?? null },
    { header: `Chưa đến hạn cập nhật${suffix}`, width: 11, value: (u) => figures(u).updatesOwed?.waiting ?? null },
  ];
}

/** "Mô hình": one row per model, with what the chat summary and the Word file leave out. */
function modelTable(data: ReportData, details: ModelDetails): Table<ReportModel> {
  const paths = unitPaths(data.units);
  const codeOf = new Map(data.units.map((u) => [u.id, u.shortCode]));
  const detail = (m: ReportModel) => details.get(m.id);
  return {
    columns: [
      position,
      { header: 'Mã', width: 15, value: (m) => m.code },
      { header: 'Tên mô hình', width: 40, value: (m) => m.name, wrap: true },
      { header: 'Năm', width: 7, value: (m) => m.year },
      { header: 'Mã đơn vị', width: 14, value: (m) => codeOf.get(m.unitId) || null },
      { header: 'Đơn vị', width: 28, value: (m) => m.unitName, wrap: true },
      { header: 'Thuộc (từ cấp trên xuống)', width: 40, value: (m) => paths.get(m.unitId) ?? m.unitName, wrap: true },
      { header: 'Loại', width: 24, value: (m) => MODEL_KIND_LABEL[m.kind], wrap: true },
      { header: 'Chủ thể', width: 10, value: (m) => HOLDER_LABEL[m.holderType] },
      { header: 'Tên chủ thể', width: 24, value: (m) => m.holderName, wrap: true },
      { header: 'Lĩnh vực', width: 20, value: (m) => m.field, wrap: true },
      { header: 'Mục tiêu, nội dung', width: 50, value: (m) => detail(m)?.content ?? null, wrap: true },
      { header: 'Kết quả dự kiến', width: 40, value: (m) => detail(m)?.expectedResult ?? null, wrap: true },
      { header: 'Người phụ trách', width: 26, value: (m) => m.personInCharge, wrap: true },
      { header: 'Bắt đầu', width: 11, value: (m) => dayDate(m.startDate), numFmt: DATE },
      { header: 'Kết thúc', width: 11, value: (m) => dayDate(m.endDate), numFmt: DATE },
      { header: 'Trạng thái', width: 14, value: (m) => capitalized(MODEL_STATE_LABEL[m.state]), wrap: true },
      { header: 'Lý do trả lại, không công nhận', width: 36, value: (m) => verdictReason(m, detail(m)), wrap: true },
      { header: 'Nhân rộng', width: 11, value: (m) => vnDay(m.replicatedAt), numFmt: DATE },
      { header: 'Biểu dương, khen thưởng', width: 13, value: (m) => vnDay(m.commendedAt), numFmt: DATE },
      { header: 'Cập nhật trong kỳ', width: 10, value: (m) => m.updatesInPeriod },
      { header: 'Cập nhật gần nhất', width: 45, value: (m) => m.latestUpdate?.text ?? null, wrap: true },
      { header: '%', width: 7, value: (m) => (m.latestUpdate?.percent == null ? null : m.latestUpdate.percent / 100), numFmt: '0%' },
      { header: 'Ngày cập nhật', width: 16, value: (m) => (m.latestUpdate ? vnWallClock(m.latestUpdate.at) : null), numFmt: DATE_TIME },
      { header: 'Người cập nhật', width: 22, value: (m) => m.latestUpdate?.author ?? null, wrap: true },
    ],
    frozenColumns: 3,
  };
}

/**
 * Why the model stands returned or not recognised, when it does at the report's instant: a model
 * returned, corrected and approved since is no longer "returned", and an old reason beside its
 * present state would read as a reason for it.
 */
function verdictReason(model: ReportModel, detail: ModelDetail | undefined): string | null {
  const verdict = detail?.verdict;
  return verdict && verdict.state === model.state ? verdict.reason : null;
}

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

async function buildWorkbook(workbook: Writer, data: ReportData, details: ModelDetails, options: XlsxOptions): Promise<void> {
  workbook.creator = 'dvk-bot';
  workbook.created = data.generatedAt;

  const total = data.units.length + data.models.length;
  let done = 0;
  const rowWritten = (): void => {
    if (++done % PROGRESS_STEP === 0) options.onProgress?.(done, total);
  };

  const unitLayout = unitTable(data);
  const units = tableSheet(workbook, SHEET.units, unitLayout, data);
  const unitStyles = cellStyles(unitLayout.columns);
  for (const [i, unit] of data.units.entries()) {
    dataRow(units, unitLayout.columns, unitStyles, unit, i + 1);
    rowWritten();
  }
  const sums = totalsUnit(data);
  const totals = units.addRow(unitLayout.columns.map((c) => c.value(sums)));
  totals.eachCell((cell) => (cell.font = BOLD));
  totals.commit();
  finishTable(units, unitLayout, data.units.length);
  // A sheet reaches the zip only after the ones before it are closed, so each is closed in turn.
  units.commit();

  statsSheet(workbook, data).commit();

  const modelLayout = modelTable(data, details);
  const models = tableSheet(workbook, SHEET.models, modelLayout, data);
  const modelStyles = cellStyles(modelLayout.columns);
  for (const [i, model] of data.models.entries()) {
    dataRow(models, modelLayout.columns, modelStyles, model, i + 1);
    rowWritten();
    if (i % COMPRESSOR_BATCH === COMPRESSOR_BATCH - 1) await compressorCatchUp();
  }
  finishTable(models, modelLayout, data.models.length);
  models.commit();

  if (done % PROGRESS_STEP !== 0 || total === 0) options.onProgress?.(done, total);
}

/** The last header row of a table sheet: under the heading, and under the group titles if any. */
export function headerRowOf(table: { groups?: readonly ColumnGroup[] }): number {
  return HEADING_ROWS + (table.groups ? 2 : 1);
}

/**
 * A sheet with the report's heading and a table's bold header rows. The header rows and the first
 * columns stay in view when scrolling, and are printed again at the top of every page.
 */
function tableSheet<Row>(workbook: Writer, name: string, table: Table<Row>, data: ReportData): Sheet {
  const headerRow = headerRowOf(table);
  const sheet = workbook.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: table.frozenColumns, ySplit: headerRow }],
    pageSetup: { ...PRINT_ACROSS, printTitlesRow: `${HEADING_ROWS + 1}:${headerRow}` },
  });
  // Widths before any row: the streaming writer writes the column list with the first row.
  sheet.columns = table.columns.map((c) => ({ width: c.width }));
  heading(sheet, data);
  if (table.groups) {
    const titles = sheet.addRow([]);
    for (let column = 1; column <= table.columns.length; column++) titles.getCell(column).style = HEADER_STYLE;
    for (const group of table.groups) {
      titles.getCell(group.from).value = group.title;
      sheet.mergeCells(titles.number, group.from, titles.number, group.to);
    }
    setHeight(titles, rowHeight(Math.max(...table.groups.map((g) => wrappedLines(g.title, groupWidth(table.columns, g))))));
    titles.commit();
  }
  const headers = table.columns.map((c) => c.header);
  const header = sheet.addRow(headers);
  header.eachCell((cell) => (cell.style = HEADER_STYLE));
  setHeight(header, rowHeight(Math.max(...table.columns.map((c) => wrappedLines(c.header, c.width)))));
  header.commit();
  return sheet;
}

/** Leaves a row of one line at the program's default height. */
function setHeight(row: ExcelJS.Row, height: number | undefined): void {
  if (height !== undefined) row.height = height;
}

function groupWidth<Row>(columns: readonly Column<Row>[], group: ColumnGroup): number {
  return sum(columns.slice(group.from - 1, group.to), (c) => c.width);
}

/** Rows 1–3 of every sheet: what the report is, whose, and when it was made. */
function heading(sheet: Sheet, data: ReportData, across?: { columns: number; width: number }): void {
  const lines = [
    `Báo cáo mô hình “Dân vận khéo” — ${periodTitle(data.period)}`,
    `Phạm vi: ${scopeName(data)}`,
    `Ngày lập: ${formatVnDateTime(data.generatedAt)}`,
  ];
  lines.forEach((text, i) => {
    const row = sheet.addRow([text]);
    const size = i === 0 ? TITLE_SIZE : 11;
    if (i === 0) row.getCell(1).font = { ...BOLD, size };
    if (across) {
      // Merged over the sheet's columns and wrapped, so a long title is never cut at a column's edge.
      sheet.mergeCells(row.number, 1, row.number, across.columns);
      row.getCell(1).alignment = { vertical: 'top', wrapText: true };
      setHeight(row, rowHeight(wrappedLines(text, across.width, size), size));
    } else if (i === 0) {
      setHeight(row, rowHeight(1, size));
    }
    row.commit();
  });
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
  const values = columns.map((c) => c.value(row, n));
  const added = sheet.addRow(values);
  let lines = 1;
  columns.forEach((c, i) => {
    const indent = c.indent?.(row) ?? 0;
    added.getCell(i + 1).style = styles(i, indent);
    const value = values[i];
    if (c.wrap && typeof value === 'string') lines = Math.max(lines, wrappedLines(value, c.width - indent * INDENT_WIDTH));
  });
  setHeight(added, rowHeight(lines));
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
        alignment: Object.freeze({
          vertical: 'top',
          wrapText: c.wrap ?? false,
          ...(c.centre ? { horizontal: 'center' } : {}),
          ...(indent > 0 ? { indent } : {}),
        }),
      }) as Partial<ExcelJS.Style>;
      made.set(key, style);
    }
    return style;
  };
}

/** The filter covers the last header row and the data rows, never the totals row below them. */
function finishTable<Row>(sheet: Sheet, table: Table<Row>, rows: number): void {
  const header = headerRowOf(table);
  sheet.autoFilter = { from: { row: header, column: 1 }, to: { row: header + rows, column: table.columns.length } };
}

/** No unit has id 0 (SQLite's ids start at 1). */
const TOTALS_ID = 0;

/**
 * The totals row, shaped as a unit so the unit columns read it: sums of the units' own figures,
 * and for the roll-up block the sum of the top units' subtrees (every unit once).
 */
function totalsUnit(data: ReportData): ReportUnit {
  const own = sumFigures(data.units.map(ownFigures));
  return {
    id: TOTALS_ID,
    name: 'Tổng cộng',
    shortCode: '',
    kind: 'province',
    parentId: null,
    depth: 0,
    byState: data.totals.byState,
    models: data.totals.models,
    // Every model of the report, as each model belongs to exactly one unit in it.
    subtreeModels: data.totals.models,
    quota: own.quota,
    updatesOwed: own.updatesOwed,
    subtree: sumFigures(data.units.filter((u) => u.depth === 0).map((u) => u.subtree)),
  };
}

/** The statistics sheet's two columns, the labels wide enough for a field's long name. */
const STATS_COLUMNS = [50, 14];

/** "Thống kê": small two-column tables, one under the other. */
function statsSheet(workbook: Writer, data: ReportData): Sheet {
  const t = data.totals;
  const sheet = workbook.addWorksheet(SHEET.stats, {
    // Its heading stays in view and heads every printed page; two narrow columns print upright.
    views: [{ state: 'frozen', xSplit: 0, ySplit: HEADING_ROWS }],
    pageSetup: { paperSize: A4, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: `1:${HEADING_ROWS}` },
  });
  sheet.columns = [{ width: STATS_COLUMNS[0], style: { alignment: { vertical: 'top', wrapText: true } } }, { width: STATS_COLUMNS[1] }];
  heading(sheet, data, { columns: STATS_COLUMNS.length, width: sum(STATS_COLUMNS, (w) => w) });
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
    { title: 'Theo trạng thái', header: 'Trạng thái', rows: MODEL_STATES.map((s) => [capitalized(MODEL_STATE_LABEL[s]), t.byState[s]]) },
    { title: 'Theo lĩnh vực', header: 'Lĩnh vực', rows: t.byField.map((f) => [f.label, f.count]) },
    { title: 'Theo loại mô hình', header: 'Loại mô hình', rows: MODEL_KINDS.map((k) => [MODEL_KIND_LABEL[k], t.byKind[k]]) },
    { title: 'Theo chủ thể', header: 'Chủ thể', rows: HOLDER_TYPES.map((h) => [HOLDER_LABEL[h], t.byHolder[h]]) },
    {
      title: 'Kết quả',
      header: 'Kết quả',
      rows: [
        ['Được công nhận', t.recognised],
        ['Được nhân rộng', t.replicated],
        ['Được biểu dương, khen thưởng', t.commended],
      ],
    },
  ];
  for (const section of sections) {
    sheet.addRow([]).commit();
    const title = sheet.addRow([section.title]);
    title.getCell(1).font = { ...BOLD, size: 12 };
    setHeight(title, rowHeight(wrappedLines(section.title, STATS_COLUMNS[0]!, 12), 12));
    title.commit();
    const header = sheet.addRow([section.header, section.count ?? 'Số mô hình']);
    header.eachCell((cell) => {
      cell.font = BOLD;
      cell.fill = HEADER_FILL;
    });
    header.commit();
    for (const [label, count] of section.rows) {
      const row = sheet.addRow([label, count]);
      setHeight(row, rowHeight(wrappedLines(label, STATS_COLUMNS[0]!)));
      row.commit();
    }
  }
  return sheet;
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += value(item);
  return total;
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
