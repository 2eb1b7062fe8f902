import type { Paragraph } from 'docx';
import { formatVnDate } from '../core/clock.js';
import type { ReportData, ReportModel } from '../db/reportData.js';
import type { ModelState } from '../db/schema.js';
import { num, text } from './docxBlocks.js';
import { carriedOutBy, kindWord, standing, updateClause } from './docxModelText.js';

/**
 * What the models achieved, the part a leader would otherwise write by hand from the units'
 * messages: field by field, each model's latest update up to the end of the period, in the unit's
 * own words — for a recognised model that update is its result. A field lists a few models, the
 * recognised first, then the furthest along; the rest are counted, their full list is the Excel
 * file's.
 */

/** Models named per field; the others are counted ("và 3 mô hình khác"). */
export const ACHIEVEMENTS_PER_FIELD = 5;

const ACHIEVING = new Set<ModelState>(['in_progress', 'proposed', 'recognised']);

export function achievements(data: ReportData): Paragraph[] {
  // What is being carried out or has been recognised: a pending or returned model has nothing to
  // report yet, and a not-recognised one's figures are no achievement of the movement's.
  const reported = data.models.filter((m) => m.latestUpdate !== null && ACHIEVING.has(m.state));
  if (reported.length === 0) return [text('Chưa có mô hình, điểm sáng nào được các đơn vị báo cáo kết quả thực hiện.')];
  const byField = new Map<string, ReportModel[]>();
  for (const m of reported) byField.set(m.field, [...(byField.get(m.field) ?? []), m]);
  const paragraphs = [
    text(`Theo báo cáo mới nhất của các đơn vị, kết quả thực hiện ${num(reported.length)} mô hình, điểm sáng theo từng lĩnh vực như sau:`, {}, true),
  ];
  // The configured order of the fields (byField lists every field that has a model).
  for (const { label } of data.totals.byField) {
    const models = byField.get(label);
    if (!models) continue;
    models.sort(mostAchievedFirst);
    const shown = models.slice(0, ACHIEVEMENTS_PER_FIELD);
    paragraphs.push(text(`Lĩnh vực ${label}:`, { italics: true }, true));
    for (const m of shown) paragraphs.push(text(achievement(m)));
    if (models.length > shown.length) {
      paragraphs.push(
        text(`Và ${num(models.length - shown.length)} mô hình khác của lĩnh vực này đã báo cáo kết quả (danh sách đầy đủ trong tệp Excel của báo cáo).`),
      );
    }
  }
  return paragraphs;
}

/**
 * "- Xã Cẩm Xuyên: mô hình “…” đã được công nhận và nhân rộng; kết quả đạt được: hoàn thành: 10 khu
 * dân cư đạt chuẩn kiểu mẫu (báo cáo ngày 20/08/2026)."
 */
function achievement(model: ReportModel): string {
  const update = model.latestUpdate!;
  const finished = model.state === 'recognised' || update.progressState === 'done';
  return (
    `- ${carriedOutBy(model)}: ${kindWord(model)} “${model.name}” ${standing(model)}; ` +
    `${finished ? 'kết quả đạt được' : 'kết quả đến nay'}: ${updateClause(update.text)} (báo cáo ngày ${formatVnDate(update.at)}).`
  );
}

/** Recognised first, then the furthest along by the latest percentage, then the most recently reported. */
export function mostAchievedFirst(a: ReportModel, b: ReportModel): number {
  return (
    Number(b.state === 'recognised') - Number(a.state === 'recognised') ||
    (b.latestUpdate?.percent ?? -1) - (a.latestUpdate?.percent ?? -1) ||
    (b.latestUpdate?.at.getTime() ?? 0) - (a.latestUpdate?.at.getTime() ?? 0)
  );
}
