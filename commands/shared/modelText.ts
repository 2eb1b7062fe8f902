import { formatIsoDay, formatVnDate, vnParts } from '../../core/clock.js';
import { ellipsize } from '../../core/text.js';
import type { ModelCard, ModelWithLatest, UpdateRow } from '../../db/modelQueries.js';
import type { EvidenceState } from '../../db/schema.js';
import type { AttachmentRow } from '../../db/updates.js';
import type { ModelRow } from '../../db/models.js';
import type { Db } from '../../db/client.js';
import { unitById } from '../../db/units.js';
import { awaitsApproval, countsTowardQuota, type QuotaStatus } from '../../db/quotas.js';
import { attachmentName, HISTORY_LABEL, HOLDER_LABEL, MODEL_KIND_LABEL, MODEL_STATE_LABEL, PROGRESS_STATE_LABEL, sizeText } from '../../core/labels.js';

/**
 * How a model is written for people reading on a phone (a list line, a card); its code is read
 * back from what they type by core/modelCode.ts. Texts people entered are shortened, never shown whole, so one
 * long entry cannot push a reply past what a chat accepts.
 */

/** "“Tên mô hình”", shortened for lines and replies. */
export function quotedName(model: Pick<ModelRow, 'name'>, max = 80): string {
  return `“${ellipsize(model.name, max)}”`;
}

/** "DVK-2026-0007 “Chợ phiên” của Xã Cẩm Bình": the model named in a confirmation or a notice. */
export function modelOfUnit(db: Db, model: ModelRow): string {
  return `${model.code} ${quotedName(model)} của ${unitById(db, model.unitId)?.name ?? 'đơn vị'}`;
}

/** "đang thực hiện", plus the after-life marks: "được công nhận, đã nhân rộng". */
export function stateText(model: ModelRow): string {
  const parts = [MODEL_STATE_LABEL[model.state]];
  if (model.replicatedAt !== null) parts.push('đã nhân rộng');
  if (model.commendedAt !== null) parts.push('đã biểu dương, khen thưởng');
  return parts.join(', ');
}

/** "70%", "100%, đã hoàn thành", or the progress state when no percentage was given. */
export function progressText(update: UpdateRow): string {
  if (update.percent === null) return update.progressState ? PROGRESS_STATE_LABEL[update.progressState] : 'có cập nhật';
  return update.progressState === 'done' ? `${update.percent}%, đã hoàn thành` : `${update.percent}%`;
}

/** "15/03" within the year being shown, "15/03/2025" otherwise. */
function dayInYear(instant: number, year: number): string {
  const full = formatVnDate(new Date(instant));
  return vnParts(new Date(instant)).year === year ? full.slice(0, 5) : full;
}

/** "• DVK-2026-0003 “name” — đang thực hiện, 70% (15/03)" */
export function modelLine({ model, latest }: ModelWithLatest, year: number): string {
  const progress = latest ? `${progressText(latest)} (${dayInYear(latest.createdAt, year)})` : 'chưa có cập nhật';
  return `• ${model.code} ${quotedName(model, 70)} — ${stateText(model)}, ${progress}${quotaMark(model.state)}`;
}

/** Why a model is not in its unit's quota: not yet (waiting for approval), or not at all. */
function quotaMark(state: ModelRow['state']): string {
  if (countsTowardQuota(state)) return '';
  // Its state already says "chờ duyệt"; "chưa" tells the unit it will count once approved.
  return awaitsApproval(state) ? ' (chưa tính vào chỉ tiêu)' : ' (không tính vào chỉ tiêu)';
}

/** "Mô hình, điểm sáng năm 2026 của Xã Cẩm Xuyên: 1/2 theo chỉ tiêu (còn thiếu 1; 1 mô hình đang chờ duyệt)" */
export function quotaHeader(unitName: string, quota: QuotaStatus): string {
  const gap = quota.missing > 0 ? `còn thiếu ${quota.missing}` : quota.counted > quota.required ? 'vượt chỉ tiêu' : 'đã đủ chỉ tiêu';
  // Only approved models fill the quota; the ones waiting are named so the unit sees them coming.
  const waiting = quota.pending > 0 ? `; ${quota.pending} mô hình đang chờ duyệt` : '';
  return `Mô hình, điểm sáng năm ${quota.year} của ${unitName}: ${quota.counted}/${quota.required} theo chỉ tiêu (${gap}${waiting})`;
}

/** The card of one model: what it is, where it stands, its history and latest updates. */
export function modelCardText(card: ModelCard): string {
  const { model } = card;
  const holder =
    model.holderType === 'individual' && model.holderName ? `${HOLDER_LABEL.individual} — ${ellipsize(model.holderName, 100)}` : HOLDER_LABEL[model.holderType];
  const marks = [
    model.replicatedAt !== null ? `đã nhân rộng (${formatVnDate(new Date(model.replicatedAt))})` : null,
    model.commendedAt !== null ? `đã biểu dương, khen thưởng (${formatVnDate(new Date(model.commendedAt))})` : null,
  ].filter((m) => m !== null);
  const lines = [
    `${model.code} ${quotedName(model, 200)}`,
    `• Đơn vị: ${card.unit.name}`,
    `• Loại: ${MODEL_KIND_LABEL[model.kind]}`,
    `• Chủ thể: ${holder}`,
    `• Lĩnh vực: ${card.fieldLabel}`,
    `• Thời gian: ${formatIsoDay(model.startDate)} – ${formatIsoDay(model.endDate)}`,
    `• Người phụ trách: ${ellipsize(model.personInCharge, 150)}`,
    `• Nội dung: ${ellipsize(model.content, 200)}`,
  ];
  if (model.expectedResult) lines.push(`• Kết quả dự kiến: ${ellipsize(model.expectedResult, 200)}`);
  lines.push(`• Trạng thái: ${[MODEL_STATE_LABEL[model.state], ...marks].join('; ')}`);

  lines.push('', 'Lịch sử:');
  for (const { row, actorName } of card.history) {
    const label = HISTORY_LABEL[row.toState as keyof typeof HISTORY_LABEL] ?? row.toState;
    const reason = row.reason ? ` — Lý do: ${ellipsize(row.reason, 200)}` : '';
    lines.push(`• ${formatVnDate(new Date(row.at))} — ${label} — ${actorName ?? 'hệ thống'}${reason}`);
  }

  if (card.updates.length === 0) {
    lines.push('', 'Cập nhật: chưa có.');
  } else {
    lines.push('', 'Cập nhật:');
    for (const { row, files } of card.updates) {
      lines.push(`• ${formatVnDate(new Date(row.createdAt))} — ${progressText(row)} — ${ellipsize(row.text, 160)}`);
      lines.push(...files.map(evidenceLine));
    }
    const older = card.updateCount - card.updates.length;
    if (older > 0) lines.push(`… và ${older} cập nhật cũ hơn.`);
  }
  return lines.join('\n');
}

/** Whether the bot holds its own copy of a file sent with an update (Zalo's links do not last). */
export const EVIDENCE_STATE_LABEL: Record<EvidenceState, string> = {
  stored: 'đã lưu',
  pending: 'đang lưu',
  too_large: 'không lưu vì tệp quá lớn',
  failed: 'không lưu được',
};

/** "  📎 “bien-ban.pdf” (1,2 MB) — đã lưu", under the update it came with. */
export function evidenceLine(file: AttachmentRow): string {
  const bytes = file.storedBytes ?? file.sizeBytes;
  const size = bytes === null ? '' : ` (${sizeText(bytes)})`;
  return `  📎 ${attachmentName(file)}${size} — ${EVIDENCE_STATE_LABEL[file.evidenceState]}`;
}
