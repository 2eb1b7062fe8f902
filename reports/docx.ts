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
  TableBorders,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
} from 'docx';
import { formatVnDate, vnParts } from '../core/clock.js';
import { HOLDER_LABEL, MODEL_KIND_LABEL, MODEL_STATE_LABEL } from '../core/labels.js';
import type { ReportData, ReportModel, ReportUnit } from '../db/reportData.js';
import { HOLDER_TYPES, MODEL_KINDS, MODEL_STATES, type UnitKind } from '../db/schema.js';
import { periodTitle } from '../core/period.js';

/**
 * The report that goes upward, as a Word document laid out after Decree 30/2020/NĐ-CP
 * (Appendix I: A4, Times New Roman, the header block of issuing body and national motto, the
 * place and date line, the title, numbered sections, "./" after the last sentence, then the
 * recipients and the signature). It is a draft for a clerk to finish — number, proposals,
 * signature — so whatever the data cannot know is left as a visible blank to fill in.
 */

export interface DocxOptions {
  /** Cơ quan ban hành, upper case: "SỞ NỘI VỤ". */
  issuer: string;
  /** Cơ quan chủ quản, upper case: "UBND TỈNH HÀ TĨNH". */
  parentIssuer?: string;
  /** Địa danh of the place and date line: "Hà Tĩnh". */
  place: string;
  /** Nơi nhận, without the leading "- " and the trailing ";"; "Lưu: VT." is always added last. */
  recipients?: string[];
  /** Quyền hạn and chức vụ, upper case, lines split by "\n" ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"). */
  signer?: { title: string; name?: string };
  /** Ký hiệu of the issuer after "BC-" in the number line; default: the initials of `issuer`. */
  issuerCode?: string;
}

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

/** A blank the clerk fills in (a place the data cannot tell, an unknown recipient). */
const BLANK = '……';

/**
 * The options a caller without better knowledge uses: the report's root unit (or, for the whole
 * deployment, its single top unit) is the issuer — "ỦY BAN NHÂN DÂN …" for a province, district
 * or commune, its own name otherwise; the place is that administrative unit's name without
 * "Tỉnh/Huyện/Xã…", and a blank for other units, whose seat the data does not know; the
 * recipient is a blank; the signer is the head's usual title for the unit's kind, without a name.
 */
export function docxOptionsFor(data: ReportData): DocxOptions {
  const tops = data.units.filter((u) => u.depth === 0);
  const unit = data.root ?? (tops.length === 1 ? tops[0]! : null);
  if (!unit) return { issuer: BLANK, place: BLANK, recipients: [BLANK], signer: { title: 'THỦ TRƯỞNG ĐƠN VỊ' } };
  const administrative = ADMINISTRATIVE_KINDS.includes(unit.kind);
  return {
    issuer: administrative ? `ỦY BAN NHÂN DÂN ${upper(unit.name)}` : upper(unit.name),
    place: administrative ? placeName(unit.name) : BLANK,
    recipients: [BLANK],
    signer: { title: SIGNER_TITLE[unit.kind] ?? 'THỦ TRƯỞNG ĐƠN VỊ' },
  };
}

const ADMINISTRATIVE_KINDS: readonly UnitKind[] = ['province', 'district', 'commune'];

const SIGNER_TITLE: Partial<Record<UnitKind, string>> = {
  province: 'TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH',
  district: 'TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH',
  commune: 'TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH',
  department: 'GIÁM ĐỐC',
};

/**
 * "Tỉnh Hà Tĩnh" → "Hà Tĩnh". Decree 30 keeps the full name of a unit named by a number or after
 * a person ("Phường 1", "Thành phố Hồ Chí Minh"); only those two cases can be told from the name.
 */
export function placeName(unitName: string): string {
  if (unitName === 'Thành phố Hồ Chí Minh') return unitName;
  const m = /^(Tỉnh|Thành phố|Huyện|Quận|Thị xã|Thị trấn|Xã|Phường|Đặc khu)\s+(.+)$/u.exec(unitName.trim());
  if (!m || /^\d+$/.test(m[2]!)) return unitName.trim();
  return m[2]!;
}

/**
 * "Hà Tĩnh, ngày 05 tháng 02 năm 2026": Decree 30 writes a day below 10 and the months 1 and 2
 * with a leading 0 (so "tháng 02" but "tháng 3"), in Vietnam time.
 */
export function placeDateLine(place: string, instant: Date): string {
  const { year, month, day } = vnParts(instant);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${place}, ngày ${day < 10 ? two(day) : day} tháng ${month < 3 ? two(month) : month} năm ${year}`;
}

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
          centred('BÁO CÁO', { bold: true }, { before: 360 }),
          centred(title, { bold: true }),
          // 1/3 to 1/2 of the title's line.
          rule(Math.min(textWidth(title, BODY_PT, true), TEXT_WIDTH) * 0.4, TEXT_WIDTH, { after: 240 }),
          ...body(data, title),
          signatureBlock(options),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}

// ---------------------------------------------------------------------------------------------
// Page and type, in twips (1/20 pt; 1 mm = 56.7 twips) and half-points as Word counts them.

const FONT = 'Times New Roman';
const BODY_PT = 14;
const TABLE_PT = 13;
const A4 = { width: 11906, height: 16838 };
/** Decree 30: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm; the smallest of each. */
const MARGIN = { top: 1134, bottom: 1134, left: 1701, right: 851, header: 567, footer: 567 };
const TEXT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
const FIRST_LINE = 720; // 1.27 cm
const BODY_SPACING = { before: 120, after: 0, line: 276 }; // 6 pt between paragraphs, 1.15 lines

const pt = (points: number) => points * 2;

interface RunStyle {
  bold?: boolean;
  italics?: boolean;
  /** Points; the body's 14 unless said. */
  size?: number;
}

function run(text: string, style: RunStyle = {}): TextRun {
  return new TextRun({ text, bold: style.bold, italics: style.italics, size: pt(style.size ?? BODY_PT) });
}

/** A horizontal line `length` twips long centred in `width`: an empty paragraph's bottom border. */
function rule(length: number, width: number, spacing: { before?: number; after?: number } = {}): Paragraph {
  const side = Math.max(0, Math.round((width - length) / 2));
  return new Paragraph({
    indent: { left: side, right: side },
    spacing: { before: 0, after: 0, ...spacing, line: 120, lineRule: 'exact' },
    border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 } },
    children: [],
  });
}

// Times (Roman and Bold) advance widths in 1/1000 em for A–Z and a–z: Times New Roman has the same.
const UPPER = {
  regular: [722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611],
  bold: [722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667],
};
const LOWER = {
  regular: [444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444],
  bold: [500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444],
};

/**
 * About how wide a line of text prints, in twips: Decree 30 sizes the lines under the issuer,
 * the motto and the title by the text above them, and Word draws a line only as long as asked.
 */
function textWidth(text: string, sizePt: number, bold: boolean): number {
  const weight = bold ? 'bold' : 'regular';
  let em = 0;
  // Diacritics stacked on a letter do not widen it; đ/Đ are d/D with a bar.
  for (const ch of text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')) {
    const code = ch.charCodeAt(0);
    if (code >= 65 && code <= 90) em += UPPER[weight][code - 65]!;
    else if (code >= 97 && code <= 122) em += LOWER[weight][code - 97]!;
    else if (/\d/.test(ch)) em += 500;
    else if (ch === ' ' || ch === '.' || ch === ',') em += 250;
    else em += 333;
  }
  return (em / 1000) * sizePt * 20;
}

// ---------------------------------------------------------------------------------------------
// The header block: issuing body and number on the left, national name, motto, place and date
// on the right, in a borderless table as every Word template of Decree 30 has it.

const HEADER_COLUMNS = [3685, TEXT_WIDTH - 3685] as const; // 6.5 cm for the issuer
const NO_MARGINS = { left: 0, right: 0, top: 0, bottom: 0 };
const MOTTO = 'Độc lập - Tự do - Hạnh phúc';

function headerBlock(options: DocxOptions, generatedAt: Date): Table {
  const [left, right] = HEADER_COLUMNS;
  const issuer = upper(options.issuer);
  const issuerLines = [
    ...(options.parentIssuer ? [centred(upper(options.parentIssuer), { size: 13 })] : []),
    centred(issuer, { bold: true, size: 13 }),
    // 1/3 to 1/2 of the issuer's line (at most a cell wide, where a long name wraps).
    rule(Math.min(textWidth(issuer, 13, true), left) * 0.4, left, { after: 120 }),
    // The number is written in by the clerk (văn thư) when the report is issued.
    centred(`Số:        /BC-${options.issuerCode ?? initials(issuer)}`, { size: 13 }),
  ];
  const mottoLines = [
    centred('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { bold: true, size: 12 }),
    centred(MOTTO, { bold: true, size: 13 }),
    // As long as the motto itself.
    rule(textWidth(MOTTO, 13, true), right, { after: 120 }),
    centred(placeDateLine(options.place, generatedAt), { italics: true, size: 14 }),
  ];
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [...HEADER_COLUMNS],
    layout: TableLayoutType.FIXED,
    borders: TableBorders.NONE,
    rows: [
      new TableRow({
        children: [
          new TableCell({ width: { size: left, type: WidthType.DXA }, margins: NO_MARGINS, children: issuerLines }),
          new TableCell({ width: { size: right, type: WidthType.DXA }, margins: NO_MARGINS, children: mottoLines }),
        ],
      }),
    ],
  });
}

function centred(text: string, style: RunStyle, spacing: { before?: number; after?: number } = {}): Paragraph {
  return new Paragraph({ alignment: AlignmentType.CENTER, spacing, children: [run(text, style)] });
}

/** "SỞ GIÁO DỤC VÀ ĐÀO TẠO" → "SGDĐT"; a people's committee is "UBND" whatever its place. */
function initials(issuer: string): string {
  if (/^(ỦY|UỶ) BAN NHÂN DÂN(\s|$)|^UBND(\s|$)/u.test(issuer)) return 'UBND';
  const words = issuer.split(/\s+/).filter((w) => /\p{L}/u.test(w) && w !== 'VÀ');
  const code = words.map((w) => w.normalize('NFD').charAt(0)).join('');
  return code === '' ? BLANK : code;
}

function upper(text: string): string {
  return text.toLocaleUpperCase('vi');
}

// ---------------------------------------------------------------------------------------------
// The body: I. general situation, II. results, III. results by unit, IV. proposals.

function body(data: ReportData, title: string): (Paragraph | Table)[] {
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
    // Decree 30: the content ends with "./" right after its last word.
    text(`Trên đây là báo cáo ${title.charAt(0).toLowerCase()}${title.slice(1)}./`, {}, true),
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

// ---------------------------------------------------------------------------------------------
// The bottom: recipients on the left, the signer on the right.

function signatureBlock(options: DocxOptions): Table {
  const half = Math.round(TEXT_WIDTH / 2);
  const recipients = (options.recipients ?? []).map((r) => r.trim().replace(/[;.]+$/, '')).filter((r) => r !== '');
  const left = [
    new Paragraph({ spacing: { before: 240 }, children: [run('Nơi nhận:', { bold: true, italics: true, size: 12 })] }),
    ...recipients.map((r) => new Paragraph({ children: [run(`- ${r};`, { size: 11 })] })),
    new Paragraph({ children: [run('- Lưu: VT.', { size: 11 })] }),
  ];
  const titleLines = upper(options.signer?.title ?? 'THỦ TRƯỞNG ĐƠN VỊ').split('\n');
  const right = [
    ...titleLines.map((line, i) => centred(line, { bold: true, size: BODY_PT }, i === 0 ? { before: 240 } : {})),
    // Room for the signature and the seal.
    ...Array.from({ length: 5 }, () => new Paragraph({ children: [run('')] })),
    centred(options.signer?.name ?? '', { bold: true, size: BODY_PT }),
  ];
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [half, TEXT_WIDTH - half],
    layout: TableLayoutType.FIXED,
    borders: TableBorders.NONE,
    rows: [
      new TableRow({
        cantSplit: true,
        children: [
          new TableCell({ width: { size: half, type: WidthType.DXA }, margins: NO_MARGINS, children: left }),
          new TableCell({ width: { size: TEXT_WIDTH - half, type: WidthType.DXA }, margins: NO_MARGINS, children: right }),
        ],
      }),
    ],
  });
}
