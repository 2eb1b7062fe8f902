import { Document, Header, Packer, Paragraph, type Table } from 'docx';
import { formatVnDate } from '../core/clock.js';
import { HOLDER_LABEL, MODEL_KIND_LABEL, MODEL_STATE_LABEL } from '../core/labels.js';
import type { ReportData, ReportModel } from '../db/reportData.js';
import { HOLDER_TYPES, MODEL_KINDS, MODEL_STATES } from '../db/schema.js';
import { periodTitle } from '../core/period.js';
import { ACHIEVEMENTS_PER_FIELD, achievements } from './docxAchievements.js';
import { col, dataTable, heading, listOf, num, row, text } from './docxBlocks.js';
import { headerBlock, titleBlock } from './docxHeader.js';
import { A4, BODY_PT, FONT, MARGIN, pt } from './docxLayout.js';
import type { DocxOptions } from './docxOptions.js';
import { appendixSection, pageNumberHeader } from './docxAppendix.js';
import { signatureBlock } from './docxSigning.js';
import { TYPICAL_PER_HOLDER, typicalModels } from './docxTypical.js';
import { UNIT_LIMITS, unitResults } from './docxUnits.js';

export { placeDateLine } from './docxHeader.js';
export { type DocumentFormat, type DocxOptions, docxOptionsFor, placeName } from './docxOptions.js';

/**
 * The report that goes upward, as a Word document. A state body's is laid out after Decree
 * 30/2020/NĐ-CP (Appendix I: A4, Times New Roman, the header block of issuing body and national
 * motto, the place and date line, the title, numbered sections, "./." after the last sentence,
 * then the recipients and the signature); a Party body's after Quy định 399-QĐ/TW and Hướng dẫn
 * 36-HD/VPTW (the same page, with the Party's header, title, signing and recipients: see
 * reports/docxHeader.ts and reports/docxSigning.ts; who issues: reports/issuer.ts). It is a draft
 * for a clerk to finish — number, proposals, signature — so whatever the data cannot know is left
 * as a visible blank to fill in.
 */

/** How much of a national-scale report goes into Word: the rest belongs in the Excel file. */
export const DOCX_LIMITS = {
  /** Units of the unit table (part III), which lists depth 0 and 1 only. */
  unitRows: UNIT_LIMITS.unitRows,
  /** Units named as short of their quota (part III), at every level. */
  unitsBelowQuota: UNIT_LIMITS.unitsBelowQuota,
  /** Models named per field in what the models achieved (part II.3). */
  achievementsPerField: ACHIEVEMENTS_PER_FIELD,
  /** Typical models named for collectives, and for individuals (part II.4). */
  typicalPerHolder: TYPICAL_PER_HOLDER,
  /** Units named as late with their updates (part II.6). */
  lateUnits: 30,
  /** Rows of the recognised models table (part II.5). */
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
          // Body paragraphs set widow control themselves (reports/docxBlocks.ts): the default style cannot say it here.
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
        headers: { default: pageNumberHeader(), first: new Header({ children: [new Paragraph({})] }) },
        children: [
          headerBlock(options, data.generatedAt),
          ...titleBlock(options, title),
          ...body(data, title, options.format === 'party' ? '.' : './.'),
          signatureBlock(options),
        ],
      },
      appendixSection(data, options),
    ],
  });
  return Packer.toBuffer(document);
}

// ---------------------------------------------------------------------------------------------
// The body: I. general situation, II. results, III. results by unit, IV. proposals.

/**
 * `end`: Decree 30 ends the content with "./." right after its last word; a Party document with
 * its full stop (Hướng dẫn 36-HD/VPTW asks for no closing mark of its own).
 */
function body(data: ReportData, title: string, end: string): (Paragraph | Table)[] {
  return [
    heading('I. TÌNH HÌNH CHUNG'),
    ...overview(data),
    heading('II. KẾT QUẢ CỤ THỂ'),
    heading('1. Kết quả theo lĩnh vực', false),
    fieldTable(data),
    heading('2. Kết quả theo loại hình và chủ thể thực hiện', false),
    kindTable(data),
    heading('3. Kết quả đạt được của các mô hình, điểm sáng', false),
    ...achievements(data),
    heading('4. Mô hình, điểm sáng tiêu biểu', false),
    ...typicalModels(data),
    heading('5. Công nhận, nhân rộng, biểu dương, khen thưởng', false),
    ...recognition(data),
    heading('6. Cập nhật tiến độ thực hiện', false),
    ...lateUpdates(data),
    heading('III. KẾT QUẢ THEO ĐƠN VỊ'),
    ...unitResults(data),
    heading('IV. ĐỀ XUẤT, KIẾN NGHỊ'),
    // Kept with the signature, so the signing page never holds the signature alone.
    text('(Đơn vị bổ sung đề xuất, kiến nghị.)', { italics: true }, true),
    text(`Trên đây là báo cáo ${title.charAt(0).toLowerCase()}${title.slice(1)}${end}`, {}, true),
  ];
}

/**
 * "Số liệu tính đến hết ngày 31/03/2026" once, at the top: every figure below is as it stood then;
 * while the period still runs, "đến hôm nay".
 */
export function asOfSentence(data: ReportData): string {
  if (data.running) return `Số liệu trong báo cáo tính đến hôm nay (ngày ${formatVnDate(data.asOf)}).`;
  // The period's last day, whether asOf is its last instant or the first of the next day.
  return `Số liệu trong báo cáo tính đến hết ngày ${formatVnDate(new Date(data.asOf.getTime() - 1))}.`;
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
      ? `Chưa có mô hình, điểm sáng nào đăng ký thực hiện năm ${year}.`
      : `Có ${num(totals.models)} mô hình, điểm sáng đăng ký thực hiện năm ${year}, trong đó: ${states.join(', ')}.`;
  const withQuota = data.units.filter((u) => u.quota.required > 0).length;
  const met = withQuota - totals.unitsBelowQuota;
  // Only approved models fill a quota (db/quotas.ts): a unit short only because its registration
  // still waits for approval is named as such, so the reader knows who to ask.
  const waiting = data.units.filter((u) => u.quota.missing > 0 && (u.quota.pending ?? 0) > 0).length;
  const among = [
    totals.unitsWithoutModels > 0 ? `${num(totals.unitsWithoutModels)} đơn vị chưa đăng ký mô hình, điểm sáng nào` : null,
    waiting > 0 ? `${num(waiting)} đơn vị có mô hình, điểm sáng đang chờ duyệt` : null,
  ].filter((part) => part !== null);
  const without = among.length > 0 ? `, trong đó ${among.join(' và ')}` : '';
  const quota =
    withQuota === 0
      ? 'Về chỉ tiêu đăng ký: chưa có đơn vị nào được giao chỉ tiêu.'
      : totals.unitsBelowQuota === 0
        ? `Về chỉ tiêu đăng ký: cả ${num(withQuota)} đơn vị được giao chỉ tiêu đều đã có đủ số mô hình, điểm sáng được duyệt.`
        : `Về chỉ tiêu đăng ký (chỉ tính mô hình, điểm sáng đã được duyệt): ${num(withQuota)} đơn vị được giao chỉ tiêu; ` +
          `${met > 0 ? `${num(met)} đơn vị đã đủ, ` : 'chưa có đơn vị nào đủ; '}` +
          `${num(totals.unitsBelowQuota)} đơn vị chưa đủ${without} (danh sách tại Mục III).`;
  return [text(scope), text(`${asOfSentence(data)} ${models}`), text(quota)];
}

function fieldTable(data: ReportData): Table {
  const total = data.totals.models;
  const share = (count: number) =>
    total === 0 ? '0' : ((count / total) * 100).toLocaleString('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const rows = [
    ...data.totals.byField.map((f, i) => row([String(i + 1), f.label, num(f.count), share(f.count)])),
    row(['', 'Tổng cộng', num(total), total === 0 ? '0' : '100'], { bold: true }),
  ];
  return dataTable([col('STT', 700, 'center'), col('Lĩnh vực', 0), col('Số mô hình, điểm sáng', 2200, 'center'), col('Tỷ lệ (%)', 1500, 'center')], rows, {
    keepTogether: rows.length <= 15,
  });
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
    { keepTogether: true },
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
    // The table's caption: never alone at the foot of a page.
    text('Danh sách mô hình, điểm sáng được công nhận:', {}, true),
    dataTable(
      [col('STT', 700, 'center'), col('Tên mô hình, điểm sáng', 0), col('Đơn vị thực hiện', 2800), col('Ghi chú', 1700)],
      shown.map((m, i) => row([String(i + 1), m.name, holderOf(m), afterLife(m)])),
      { keepTogether: shown.length <= 10 },
    ),
  ];
  if (recognised.length > shown.length) parts.push(text(`Và ${num(recognised.length - shown.length)} mô hình, điểm sáng khác được công nhận.`));
  return parts;
}

function holderOf(model: ReportModel): string {
  return model.holderType === 'individual' && model.holderName ? `${model.unitName} (${model.holderName})` : model.unitName;
}

function afterLife(model: ReportModel): string {
  return [model.replicatedAt ? 'Đã nhân rộng' : '', model.commendedAt ? 'Đã biểu dương, khen thưởng' : ''].filter((s) => s !== '').join('; ');
}

function lateUpdates(data: ReportData): Paragraph[] {
  const sent =
    data.totals.updatesInPeriod > 0
      ? text(`Trong kỳ báo cáo, các đơn vị đã gửi ${num(data.totals.updatesInPeriod)} lượt cập nhật tiến độ thực hiện mô hình, điểm sáng.`)
      : text('Trong kỳ báo cáo, chưa có đơn vị nào gửi cập nhật tiến độ thực hiện mô hình, điểm sáng.');
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
  // Before the period's deadline nobody is late, but the units yet to send are named all the same.
  const waiting = data.units.filter((u) => (u.updatesOwed?.waiting ?? 0) > 0);
  if (waiting.length > 0) {
    const names = waiting.map((u) => `${u.name} (${num(u.updatesOwed!.waiting!)} mô hình)`);
    const due = data.updatesDue ? ` (hạn hết ngày ${formatVnDate(new Date(data.updatesDue.at.getTime() - 1))})` : '';
    return [
      sent,
      text(
        `Chưa đến hạn gửi cập nhật tiến độ của kỳ${due}; đến nay còn ${num(waiting.length)} đơn vị chưa gửi đối với mô hình đang thực hiện: ` +
          `${listOf(names, DOCX_LIMITS.lateUnits, 'đơn vị')}.`,
      ),
    ];
  }
  const owing = data.units.some((u) => u.updatesOwed !== null);
  return [
    sent,
    text(owing ? 'Các đơn vị có mô hình đang thực hiện đều đã gửi cập nhật tiến độ trong kỳ.' : 'Trong kỳ báo cáo không có mô hình nào phải cập nhật tiến độ.'),
  ];
}
