import {
  AlignmentType,
  type IBorderOptions,
  BorderStyle,
  Document,
  Header,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
} from 'docx';
import { formatVnDate } from '../core/clock.js';
import { HOLDER_LABEL, MODEL_KIND_LABEL, MODEL_STATE_LABEL } from '../core/labels.js';
import type { ReportData, ReportModel, ReportUnit } from '../db/reportData.js';
import { HOLDER_TYPES, MODEL_KINDS, MODEL_STATES } from '../db/schema.js';
import { periodTitle } from '../core/period.js';
import { headerBlock, titleBlock } from './docxHeader.js';
import { A4, BODY_PT, BODY_SPACING, FIRST_LINE, FONT, MARGIN, pt, type RunStyle, run, TABLE_PT, TEXT_WIDTH } from './docxLayout.js';
import type { DocxOptions } from './docxOptions.js';
import { signatureBlock } from './docxSigning.js';

export { placeDateLine } from './docxHeader.js';
export { type DocumentFormat, type DocxOptions, docxOptionsFor, placeName } from './docxOptions.js';

/**
 * The report that goes upward, as a Word document. A state body's is laid out after Decree
 * 30/2020/NĐ-CP (Appendix I: A4, Times New Roman, the header block of issuing body and national
 * motto, the place and date line, the title, numbered sections, "./" after the last sentence,
 * then the recipients and the signature); a Party body's after Quy định 399-QĐ/TW and Hướng dẫn
 * 36-HD/VPTW (the same page, with the Party's header, title, signing and recipients: see
 * reports/docxHeader.ts and reports/docxSigning.ts; who issues: reports/issuer.ts). It is a draft
 * for a clerk to finish — number, proposals, signature — so whatever the data cannot know is left
 * as a visible blank to fill in.
 */

/** How much of a national-scale report goes into Word: the rest belongs in the Excel file. */
export const DOCX_LIMITS = {
  /** Rows of the unit table (part III), which lists depth 0 and 1 only. */
  unitRows: 300,
  /** Units named as having no model yet (part I). */
  unitsWithoutModels: 20,
  /** Units named as late with their updates (part II.4). */
  lateUnits: 30,
  /** Rows of the recognised models table (part II.3). */
  recognisedModels: 50,
} as const;

export async function reportDocx(data: ReportData, options: DocxOptions): Promise<Buffer> {
  const title = `Kết quả thực hiện phong trào thi đua “Dân vận khéo” ${periodTitle(data.period)}`;
  const document = new Document({
    title: `Báo cáo ${title.charAt(0).toLowerCase()}${title.slice(1)}`,
    creator: 'dvk-bot',
    styles: {
      default: {
        document: {
          run: { font: FONT, size: pt(BODY_PT), language: { value: 'vi-VN' } },
          paragraph: { spacing: { before: 0, after: 0 } },
        },
      },
    },
    sections: [
      {
        properties: {
          page: { size: { width: A4.width, height: A4.height }, margin: MARGIN },
          // Decree 30: pages numbered at the top centre, the first page without its number.
          titlePage: true,
        },
        headers: {
          default: new Header({
            children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: [PageNumber.CURRENT], size: pt(BODY_PT) })] })],
          }),
          first: new Header({ children: [new Paragraph({})] }),
        },
        children: [
          headerBlock(options, data.generatedAt),
          ...titleBlock(options, title),
          ...body(data, title, options.format === 'party' ? '.' : './'),
          signatureBlock(options),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}

// ---------------------------------------------------------------------------------------------
// The body: I. general situation, II. results, III. results by unit, IV. proposals.

/** `end`: Decree 30 ends the content with "./" right after its last word; a Party document with its full stop. */
function body(data: ReportData, title: string, end: string): (Paragraph | Table)[] {
  return [
    heading('I. TÌNH HÌNH CHUNG'),
    ...overview(data),
    heading('II. KẾT QUẢ CỤ THỂ'),
    heading('1. Kết quả theo lĩnh vực', false),
    fieldTable(data),
    heading('2. Kết quả theo loại hình và chủ thể thực hiện', false),
    kindTable(data),
    heading('3. Công nhận, nhân rộng, biểu dương, khen thưởng', false),
    ...recognition(data),
    heading('4. Cập nhật tiến độ thực hiện', false),
    ...lateUpdates(data),
    heading('III. KẾT QUẢ THEO ĐƠN VỊ'),
    ...unitResults(data),
    heading('IV. ĐỀ XUẤT, KIẾN NGHỊ'),
    // Kept with the signature, so the signing page never holds the signature alone.
    text('(Đơn vị bổ sung đề xuất, kiến nghị.)', { italics: true }, true),
    text(`Trên đây là báo cáo ${title.charAt(0).toLowerCase()}${title.slice(1)}${end}`, {}, true),
  ];
}

function overview(data: ReportData): Paragraph[] {
  const { totals } = data;
  const year = data.period.year;
  const scope = !data.root
    ? `Phạm vi báo cáo gồm ${num(totals.units)} đơn vị tham gia phong trào thi đua “Dân vận khéo”.`
    : totals.units > 1
      ? `Phạm vi báo cáo gồm ${data.root.name} và ${num(totals.units - 1)} đơn vị trực thuộc.`
      : `Phạm vi báo cáo: ${data.root.name}.`;
  const states = MODEL_STATES.filter((s) => totals.byState[s] > 0).map((s) => `${num(totals.byState[s])} ${MODEL_STATE_LABEL[s]}`);
  const models =
    totals.models === 0
      ? `Tính đến ngày ${formatVnDate(data.generatedAt)}, chưa có mô hình, điểm sáng nào đăng ký thực hiện năm ${year}.`
      : `Tính đến ngày ${formatVnDate(data.generatedAt)}, có ${num(totals.models)} mô hình, điểm sáng đăng ký thực hiện năm ${year}, trong đó: ${states.join(', ')}.`;
  const withQuota = data.units.filter((u) => u.quota.required > 0).length;
  const quota =
    withQuota === 0
      ? 'Về chỉ tiêu đăng ký: chưa có đơn vị nào được giao chỉ tiêu.'
      : totals.unitsBelowQuota === 0
        ? `Về chỉ tiêu đăng ký: cả ${num(withQuota)} đơn vị được giao chỉ tiêu đều đã đăng ký đủ số mô hình, điểm sáng.`
        : `Về chỉ tiêu đăng ký: ${num(withQuota)} đơn vị được giao chỉ tiêu, ${num(withQuota - totals.unitsBelowQuota)} đơn vị đã đăng ký đủ, ` +
          `${num(totals.unitsBelowQuota)} đơn vị chưa đủ; trong đó ${num(totals.unitsWithoutModels)} đơn vị chưa đăng ký mô hình, điểm sáng nào.`;
  const paragraphs = [text(scope), text(models), text(quota)];
  if (totals.unitsWithoutModels > 0) {
    // Higher levels first: a district without a model says more than one of its communes.
    const without = data.units.filter((u) => u.quota.required > 0 && u.models === 0).sort((a, b) => a.depth - b.depth);
    paragraphs.push(
      text(
        `Các đơn vị chưa đăng ký: ${listOf(
          without.map((u) => u.name),
          DOCX_LIMITS.unitsWithoutModels,
          'đơn vị',
        )}.`,
      ),
    );
  }
  return paragraphs;
}

function fieldTable(data: ReportData): Table {
  const total = data.totals.models;
  const share = (count: number) =>
    total === 0 ? '0' : ((count / total) * 100).toLocaleString('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return dataTable(
    [col('STT', 700, 'center'), col('Lĩnh vực', 0), col('Số mô hình, điểm sáng', 2200, 'center'), col('Tỷ lệ (%)', 1500, 'center')],
    [
      ...data.totals.byField.map((f, i) => row([String(i + 1), f.label, num(f.count), share(f.count)])),
      row(['', 'Tổng cộng', num(total), total === 0 ? '0' : '100'], { bold: true }),
    ],
  );
}

function kindTable(data: ReportData): Table {
  const cross = new Map<string, number>();
  for (const m of data.models) cross.set(`${m.kind}/${m.holderType}`, (cross.get(`${m.kind}/${m.holderType}`) ?? 0) + 1);
  return dataTable(
    [col('STT', 700, 'center'), col('Loại hình', 0), ...HOLDER_TYPES.map((h) => col(HOLDER_LABEL[h], 1300, 'center')), col('Tổng số', 1300, 'center')],
    [
      ...MODEL_KINDS.map((k, i) =>
        row([String(i + 1), MODEL_KIND_LABEL[k], ...HOLDER_TYPES.map((h) => num(cross.get(`${k}/${h}`) ?? 0)), num(data.totals.byKind[k])]),
      ),
      row(['', 'Tổng cộng', ...HOLDER_TYPES.map((h) => num(data.totals.byHolder[h])), num(data.totals.models)], { bold: true }),
    ],
  );
}

function recognition(data: ReportData): (Paragraph | Table)[] {
  const { totals } = data;
  const phrase = (n: number, what: string) => (n > 0 ? `${num(n)} mô hình, điểm sáng ${what}` : `chưa có mô hình, điểm sáng nào ${what}`);
  const summary = text(
    `Năm ${data.period.year}: ${phrase(totals.recognised, 'được công nhận')}; ${phrase(totals.replicated, 'được nhân rộng')}; ${phrase(totals.commended, 'được biểu dương, khen thưởng')}.`,
  );
  const recognised = data.models.filter((m) => m.state === 'recognised');
  if (recognised.length === 0) return [summary];
  const shown = recognised.slice(0, DOCX_LIMITS.recognisedModels);
  const parts: (Paragraph | Table)[] = [
    summary,
    text('Danh sách mô hình, điểm sáng được công nhận:'),
    dataTable(
      [col('STT', 700, 'center'), col('Tên mô hình, điểm sáng', 0), col('Đơn vị thực hiện', 2800), col('Ghi chú', 1700)],
      shown.map((m, i) => row([String(i + 1), m.name, holderOf(m), afterLife(m)])),
    ),
  ];
  if (recognised.length > shown.length) parts.push(text(`Và ${num(recognised.length - shown.length)} mô hình, điểm sáng khác được công nhận.`));
  return parts;
}

function holderOf(model: ReportModel): string {
  return model.holderType === 'individual' && model.holderName ? `${model.unitName} (${model.holderName})` : model.unitName;
}

function afterLife(model: ReportModel): string {
  return [model.replicatedAt ? 'Đã nhân rộng' : '', model.commendedAt ? 'Đã khen thưởng' : ''].filter((s) => s !== '').join('; ');
}

function lateUpdates(data: ReportData): Paragraph[] {
  const sent = text(`Trong kỳ báo cáo, các đơn vị đã gửi ${num(data.totals.updatesInPeriod)} lượt cập nhật tiến độ thực hiện mô hình, điểm sáng.`);
  const late = data.units.filter((u) => (u.updatesOwed?.missing ?? 0) > 0);
  if (late.length > 0) {
    const names = late.map((u) => `${u.name} (${num(u.updatesOwed!.missing)} mô hình)`);
    return [
      sent,
      text(
        `Có ${num(late.length)} đơn vị chưa gửi cập nhật tiến độ trong kỳ đối với mô hình đang thực hiện: ${listOf(names, DOCX_LIMITS.lateUnits, 'đơn vị')}.`,
      ),
    ];
  }
  const owing = data.units.some((u) => u.updatesOwed !== null);
  return [
    sent,
    text(owing ? 'Các đơn vị có mô hình đang thực hiện đều đã gửi cập nhật tiến độ trong kỳ.' : 'Trong kỳ báo cáo không có mô hình nào phải cập nhật tiến độ.'),
  ];
}

function unitResults(data: ReportData): (Paragraph | Table)[] {
  // Two levels fit a page and say who to ask; the full tree of a national report is the Excel file's.
  const listed = data.units.filter((u) => u.depth <= 1);
  const shown = listed.slice(0, DOCX_LIMITS.unitRows);
  const deeper = data.units.length > listed.length;
  // A unit with children in the table heads a group: bold, as the totals of its subtree.
  const parents = new Set(shown.map((u) => u.parentId));
  const parts: (Paragraph | Table)[] = [
    text(
      deeper
        ? 'Kết quả đăng ký của các đơn vị (hai cấp đầu; mô hình, điểm sáng của các đơn vị cấp dưới được tính vào cột “Tổng số”):'
        : 'Kết quả đăng ký của các đơn vị:',
    ),
    dataTable(
      [
        col('STT', 700, 'center'),
        col('Đơn vị', 0),
        col('Của đơn vị', 1250, 'center'),
        col('Tổng số (cả đơn vị trực thuộc)', 1500, 'center'),
        col('Chỉ tiêu', 1000, 'center'),
        col('Kết quả chỉ tiêu', 1500, 'center'),
      ],
      shown.map((u, i) =>
        row([String(i + 1), u.name, num(u.models), num(u.subtreeModels), u.quota.required > 0 ? num(u.quota.required) : '', quotaStatus(u)], {
          bold: parents.has(u.id),
          indent: u.depth * 240,
        }),
      ),
    ),
  ];
  if (listed.length > shown.length) parts.push(text(`Và ${num(listed.length - shown.length)} đơn vị khác không liệt kê trong bảng.`));
  return parts;
}

function quotaStatus(unit: ReportUnit): string {
  if (unit.quota.required === 0) return 'Không giao';
  return unit.quota.missing === 0 ? 'Đạt' : `Thiếu ${num(unit.quota.missing)}`;
}

/** "A, B, C và 12 đơn vị khác": the first `cap` names, then how many were left out. */
function listOf(names: readonly string[], cap: number, noun: string): string {
  if (names.length <= cap) return names.join(', ');
  return `${names.slice(0, cap).join(', ')} và ${num(names.length - cap)} ${noun} khác`;
}

/** 10.000 — the Vietnamese thousands separator. */
function num(n: number): string {
  return n.toLocaleString('vi-VN');
}

function heading(label: string, major = true): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    indent: { firstLine: FIRST_LINE },
    spacing: { ...BODY_SPACING, before: major ? 180 : 120 },
    keepNext: true,
    children: [run(label, { bold: true })],
  });
}

function text(content: string, style: RunStyle = {}, keepNext = false): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    indent: { firstLine: FIRST_LINE },
    spacing: BODY_SPACING,
    keepNext,
    children: [run(content, style)],
  });
}

// ---------------------------------------------------------------------------------------------
// Tables of figures: bordered, a bold header row repeated on every page, a STT column.

interface Column {
  header: string;
  /** Twips; 0 = whatever the other columns leave of the text width. */
  width: number;
  align: 'left' | 'center';
}

interface Row {
  cells: string[];
  bold: boolean;
  /** Twips before the second cell's text (a child unit under its parent). */
  indent: number;
}

function col(header: string, width: number, align: 'left' | 'center' = 'left'): Column {
  return { header, width, align };
}

function row(cells: string[], style: { bold?: boolean; indent?: number } = {}): Row {
  return { cells, bold: style.bold ?? false, indent: style.indent ?? 0 };
}

const LINE: IBorderOptions = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
const GRID = { top: LINE, bottom: LINE, left: LINE, right: LINE, insideHorizontal: LINE, insideVertical: LINE };
const CELL_MARGINS = { left: 80, right: 80, top: 30, bottom: 30 };

function dataTable(columns: readonly Column[], rows: readonly Row[]): Table {
  const fixed = columns.reduce((sum, c) => sum + c.width, 0);
  const widths = columns.map((c) => (c.width === 0 ? TEXT_WIDTH - fixed : c.width));
  const cell = (content: string, i: number, style: { bold: boolean; header: boolean; indent?: number }) =>
    new TableCell({
      width: { size: widths[i]!, type: WidthType.DXA },
      margins: CELL_MARGINS,
      verticalAlign: VerticalAlignTable.CENTER,
      children: [
        new Paragraph({
          alignment: style.header || columns[i]!.align === 'center' ? AlignmentType.CENTER : AlignmentType.LEFT,
          indent: style.indent ? { left: style.indent } : undefined,
          spacing: { before: 20, after: 20 },
          children: [run(content, { bold: style.bold, size: TABLE_PT })],
        }),
      ],
    });
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: GRID,
    rows: [
      new TableRow({ tableHeader: true, cantSplit: true, children: columns.map((c, i) => cell(c.header, i, { bold: true, header: true })) }),
      ...rows.map(
        (r) =>
          new TableRow({
            cantSplit: true,
            children: r.cells.map((content, i) => cell(content, i, { bold: r.bold, header: false, indent: i === 1 ? r.indent : 0 })),
          }),
      ),
    ],
  });
}
