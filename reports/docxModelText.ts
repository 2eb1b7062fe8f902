import type { ReportModel } from '../db/reportData.js';

/**
 * How a Word report speaks of one model in a sentence: what it is ("mô hình" or "điểm sáng"),
 * who carries it out, where it stands, and its latest update as the unit wrote it. Only what the
 * data holds: the update's own words, its date, its percentage.
 */

/** "mô hình" for a "Dân vận khéo" model, "điểm sáng" for the two kinds of bright spot. */
export function kindWord(model: ReportModel): string {
  return model.kind === 'dan_van_kheo' ? 'mô hình' : 'điểm sáng';
}

/** "Xã Cẩm Xuyên"; an individual's model: "Công an tỉnh, Thiếu tá Trần Quốc Việt". */
export function carriedOutBy(model: ReportModel): string {
  return model.holderType === 'individual' && model.holderName ? `${model.unitName}, ${model.holderName}` : model.unitName;
}

/**
 * Where the model stands at the report's instant: "đã được công nhận và nhân rộng", "đang thực
 * hiện, đạt 80% tiến độ", "đã đề nghị công nhận, đã hoàn thành".
 */
export function standing(model: ReportModel): string {
  switch (model.state) {
    case 'recognised': {
      const after = [model.replicatedAt ? 'nhân rộng' : '', model.commendedAt ? 'biểu dương, khen thưởng' : ''].filter((s) => s !== '');
      return after.length === 0 ? 'đã được công nhận' : `đã được công nhận và ${after.join(', ')}`;
    }
    case 'in_progress':
      return `đang thực hiện${progress(model)}`;
    case 'proposed':
      return `đã đề nghị công nhận${progress(model)}`;
    case 'not_recognised':
      return 'không được công nhận';
    case 'pending':
      return 'đang chờ duyệt';
    case 'returned':
      return 'bị trả lại';
  }
}

function progress(model: ReportModel): string {
  const update = model.latestUpdate;
  if (!update) return '';
  if (update.progressState === 'done') return ', đã hoàn thành';
  return update.percent === null ? '' : `, đạt ${update.percent}% tiến độ`;
}

/**
 * The latest update's text to follow a colon mid-sentence: its first letter in lower case when it
 * opens an ordinary word ("Đã tổ chức…" → "đã tổ chức…"; a name such as "Hà Tĩnh …" or "UBND …"
 * stays as written), without its closing punctuation, which the sentence supplies.
 */
export function updateClause(text: string): string {
  const trimmed = text.trim().replace(/[.;,:\s]+$/u, '');
  const [first, second] = trimmed.split(/\s+/);
  const ordinary = first !== undefined && /^\p{Lu}\p{Ll}*$/u.test(first) && !(second !== undefined && /^\p{Lu}/u.test(second));
  return ordinary ? trimmed.charAt(0).toLocaleLowerCase('vi') + trimmed.slice(1) : trimmed;
}
