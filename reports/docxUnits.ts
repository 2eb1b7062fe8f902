import type { Paragraph, Table } from 'docx';
import { ownFigures, type ReportData, type ReportUnit, type SubtreeFigures } from '../db/reportData.js';
import { col, dataTable, num, type Row, row, text } from './docxBlocks.js';

/** The table's type: eleven columns across a landscape page. */
const UNIT_TABLE_PT = 12;

/**
 * The results by unit. Part III of a Word report says what a leader acts on — the units short of
 * their quota at every level of the report, grouped under the unit they belong to — and points to
 * the appendix; the appendix (reports/docxAppendix.ts, a landscape page, as Decree 30 allows for a
 * wide table) holds the table of the first two levels, where a unit with units under it takes two
 * rows — in bold its figures with every unit under it, then its own — for every column (models by
 * state, quota, late updates).
 */

export const UNIT_LIMITS = {
  /** Units of the appendix's table, which lists depth 0 and 1 only. */
  unitRows: 300,
  /** Units named as short of their quota. */
  unitsBelowQuota: 40,
} as const;

/** Part III: where the table is, then the units short of their quota. */
export function unitResults(data: ReportData): Paragraph[] {
  const deeper = data.units.some((u) => u.depth > 1);
  return [
    text(
      `Kết quả của từng đơn vị${deeper ? ' thuộc hai cấp đầu' : ''} (số mô hình, điểm sáng theo trạng thái, chỉ tiêu, cập nhật tiến độ) ` +
        `tại Phụ lục kèm theo Báo cáo${deeper ? '; số liệu của từng đơn vị cấp dưới trong tệp Excel của báo cáo' : ''}.`,
    ),
    ...belowQuota(data),
  ];
}

/** The appendix's table, and how many units it left out. */
export function unitTable(data: ReportData, width: number): (Paragraph | Table)[] {
  // Two levels fit a few pages and say who to ask; the full tree of a national report is the Excel file's.
  const listed = data.units.filter((u) => u.depth <= 1);
  const shown = listed.slice(0, UNIT_LIMITS.unitRows);
  const parents = new Set(data.units.map((u) => u.parentId));
  const rows: Row[] = [];
  shown.forEach((u, i) => {
    const parent = parents.has(u.id);
    rows.push(row([String(i + 1), u.name, ...figures(u.subtree)], { bold: parent, indent: u.depth * 200 }));
    if (parent) rows.push(row(['', '– Của riêng đơn vị', ...figures(ownFigures(u))], { italics: true, indent: u.depth * 200 + 200 }));
  });
  const parts: (Paragraph | Table)[] = [
    text(
      'Đơn vị có đơn vị trực thuộc được ghi hai dòng: dòng in đậm là số liệu tính cả các đơn vị trực thuộc, dòng “Của riêng đơn vị” là số liệu của chính đơn vị đó. ' +
        'Kết quả chỉ tiêu chỉ tính mô hình, điểm sáng đã được duyệt; mô hình chờ duyệt ghi ở cột riêng.',
      { italics: true, size: UNIT_TABLE_PT },
      true,
    ),
    dataTable(
      [
        col('STT', 700, 'center'),
        col('Đơn vị', 0),
        col('Tổng số mô hình, điểm sáng', 1150, 'center'),
        col('Chờ duyệt', 1000, 'center'),
        col('Đang thực hiện', 1100, 'center'),
        col('Đề nghị công nhận', 1100, 'center'),
        col('Được công nhận', 1100, 'center'),
        col('Trả lại, không công nhận', 1250, 'center'),
        col('Chỉ tiêu', 900, 'center'),
        col('Kết quả chỉ tiêu', 1150, 'center'),
        col('Mô hình chậm cập nhật', 1200, 'center'),
      ],
      rows,
      { size: UNIT_TABLE_PT, width, keepTogether: rows.length <= 12 },
    ),
  ];
  if (listed.length > shown.length) parts.push(text(`Và ${num(listed.length - shown.length)} đơn vị khác không liệt kê trong bảng.`));
  return parts;
}

function figures(f: SubtreeFigures): string[] {
  const s = f.byState;
  return [
    num(f.models),
    num(s.pending),
    num(s.in_progress),
    num(s.proposed),
    num(s.recognised),
    num(s.returned + s.not_recognised),
    f.quota.required > 0 ? num(f.quota.required) : '',
    f.quota.required === 0 ? 'Không giao' : f.quota.missing === 0 ? 'Đạt' : `Thiếu ${num(f.quota.missing)}`,
    f.updatesOwed ? num(f.updatesOwed.missing) : '',
  ];
}

/**
 * "Có 16 đơn vị chưa đăng ký đủ…", then one line per level: the report's own top unit, then the
 * units under each unit, in the tree's order, "Sở Tư pháp (chưa đăng ký), Xã Cẩm Xuyên (thiếu 1)".
 */
function belowQuota(data: ReportData): Paragraph[] {
  const short = data.units.filter((u) => u.quota.missing > 0);
  if (short.length === 0) return [];
  const byId = new Map(data.units.map((u) => [u.id, u]));
  const groups = new Map<number | null, ReportUnit[]>();
  for (const u of short) {
    const parent = u.parentId !== null && byId.has(u.parentId) ? u.parentId : null;
    groups.set(parent, [...(groups.get(parent) ?? []), u]);
  }
  const paragraphs = [text(`Có ${num(short.length)} đơn vị chưa đủ mô hình, điểm sáng được duyệt theo chỉ tiêu, gồm:`, {}, true)];
  let named = 0;
  const entries = [...groups];
  entries.forEach(([parent, units], g) => {
    const room = UNIT_LIMITS.unitsBelowQuota - named;
    if (room <= 0) return;
    const listed = units.slice(0, room);
    named += listed.length;
    const names = listed.map((u) => `${u.name} (${shortfall(u)})`).join(', ');
    const lead = parent === null ? '' : `Trực thuộc ${byId.get(parent)!.name}: `;
    const last = g === entries.length - 1 || named >= UNIT_LIMITS.unitsBelowQuota;
    paragraphs.push(text(`- ${lead}${names}${last ? '.' : ';'}`));
  });
  if (short.length > named) {
    paragraphs.push(text(`Và ${num(short.length - named)} đơn vị khác chưa đủ (danh sách đầy đủ trong tệp Excel của báo cáo).`));
  }
  return paragraphs;
}

/** "chưa đăng ký", "thiếu 1", or "thiếu 1; 1 mô hình đang chờ duyệt": a pending model does not fill the quota yet. */
function shortfall(u: ReportUnit): string {
  if (u.models === 0) return 'chưa đăng ký';
  const pending = u.quota.pending ?? 0;
  return `thiếu ${num(u.quota.missing)}${pending > 0 ? `; ${num(pending)} mô hình đang chờ duyệt` : ''}`;
}
