import type { Paragraph } from 'docx';
import type { ReportData, ReportModel } from '../db/reportData.js';
import type { HolderType } from '../db/schema.js';
import { heading, text } from './docxBlocks.js';
import { kindWord, standing } from './docxModelText.js';

/**
 * The typical collectives and individuals ("tập thể tiêu biểu", "cá nhân tiêu biểu"), which the
 * plans ask a report to name apart. The data knows no committee's choice, so the choice is the
 * data's own ranking, said in the report so nobody reads more into it:
 *  1. recognised models first — commended before replicated before the others, as the movement
 *     ranks them —;
 *  2. then the models carried out (in progress or proposed) furthest along by their latest
 *     percentage; one without any percentage yet has shown nothing to stand out by and is left out;
 *  3. ties go to the most recent update.
 * Returned, pending and not recognised models never stand as typical.
 */

export const TYPICAL_PER_HOLDER = 5;

export function typicalModels(data: ReportData): Paragraph[] {
  return [
    text(
      'Mô hình, điểm sáng tiêu biểu được nêu theo thứ tự: các mô hình đã được công nhận (ưu tiên mô hình được biểu dương, khen thưởng, được nhân rộng), ' +
        'sau đó là các mô hình đang thực hiện hoặc đã đề nghị công nhận có tiến độ cao nhất.',
    ),
    heading('a) Tập thể tiêu biểu', false),
    ...part(data, 'collective'),
    heading('b) Cá nhân tiêu biểu', false),
    ...part(data, 'individual'),
  ];
}

function part(data: ReportData, holder: HolderType): Paragraph[] {
  const chosen = data.models
    .filter((m) => m.holderType === holder && stands(m))
    .sort(rank)
    .slice(0, TYPICAL_PER_HOLDER);
  if (chosen.length === 0) {
    return [
      text(
        holder === 'collective'
          ? 'Chưa có mô hình, điểm sáng nào của tập thể được công nhận hoặc báo cáo tiến độ thực hiện.'
          : 'Chưa có mô hình, điểm sáng nào của cá nhân được công nhận hoặc báo cáo tiến độ thực hiện.',
      ),
    ];
  }
  return chosen.map((m) => text(line(m, holder)));
}

function stands(model: ReportModel): boolean {
  if (model.state === 'recognised') return true;
  return (model.state === 'in_progress' || model.state === 'proposed') && model.latestUpdate?.percent != null;
}

function rank(a: ReportModel, b: ReportModel): number {
  return (
    score(b) - score(a) ||
    (b.latestUpdate?.percent ?? -1) - (a.latestUpdate?.percent ?? -1) ||
    (b.latestUpdate?.at.getTime() ?? 0) - (a.latestUpdate?.at.getTime() ?? 0)
  );
}

/** Commended, replicated, recognised, the rest: what the movement itself ranks highest. */
function score(model: ReportModel): number {
  if (model.state !== 'recognised') return 0;
  return 1 + (model.commendedAt ? 2 : 0) + (model.replicatedAt ? 1 : 0);
}

/**
 * A collective: "- Xã Cẩm Xuyên với mô hình “…” (đã được công nhận và nhân rộng)."
 * An individual: "- Thiếu tá Trần Quốc Việt (Công an tỉnh) với mô hình “…” (…)."
 */
function line(model: ReportModel, holder: HolderType): string {
  const who = holder === 'individual' && model.holderName ? `${model.holderName} (${model.unitName})` : model.unitName;
  return `- ${who} với ${kindWord(model)} “${model.name}” (${standing(model)}).`;
}
