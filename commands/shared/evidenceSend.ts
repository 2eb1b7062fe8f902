import type { OutgoingFile, Reply } from '../../core/chat.js';
import type { CommandContext } from './command.js';
import { recordAudit } from '../../db/audit.js';
import { evidenceFor } from '../../db/evidence.js';
import { modelByCode } from '../../db/models.js';
import { inScope, readScopeOf } from '../../db/scope.js';
import { actorOf } from '../../db/people.js';
import { sizeText } from '../../core/labels.js';
import { type ExportedFile, modelExport } from './evidenceExport.js';
import { quotedName } from './modelText.js';
import { privateRoute } from './privately.js';

/**
 * `/mohinh <mã> tep`: whoever may read the model (its unit's officers and those of the units above
 * it, the leaders above it, the admins: the read scope, as for its card) receives the copies the
 * bot kept of its photos and files, offered on the card (issue 22: a leader weighing a model must
 * see its evidence). They are personal data (faces, names, documents), so they go only to the
 * person's private chat with the bot; typed in a group, they go there and the group reads one
 * line. Each handover is in the audit trail. More than a chat should carry is left to the
 * server's export.
 */

/** Files per message: a model's evidence arrives in a few messages, not one per file. */
const BATCH_FILES = 5;
/** Bytes per message, far under Telegram's 50 MB per file and what a phone downloads at once. */
const BATCH_BYTES = 40 * 1024 * 1024;
/** Sent in a chat at most; the rest through `npm run admin -- export-evidence` on the server. */
const CHAT_LIMIT = 30;

export async function sendEvidence(ctx: CommandContext, code: string): Promise<void> {
  const model = modelByCode(ctx.db, code);
  // The card's answer for a model out of reach, whether it exists or not.
  if (!model || !inScope(readScopeOf(ctx.db, ctx.caller), model.unitId)) {
    await ctx.reply(`Không có mô hình ${code} hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã (dạng DVK-2026-0001).`);
    return;
  }
  const { files, missing } = modelExport(ctx.db, model.id);
  const store = evidenceFor(ctx.db)?.store;
  const notKept = missing.length > 0 ? ` ${missing.length} tệp khác không có bản sao (xem /mohinh ${code}).` : '';
  if (files.length === 0 || !store) {
    await ctx.reply(`Mô hình ${code} chưa có ảnh, tệp minh chứng nào được bot lưu.${notKept}`);
    return;
  }

  const route = privateRoute(ctx.db, ctx.caller, ctx.msg.chat);
  if (route.kind === 'none') {
    await ctx.reply(
      `Ảnh, tệp minh chứng là dữ liệu cá nhân nên bot chỉ gửi trong tin nhắn riêng: bạn mở tin nhắn riêng với bot (bấm vào tên bot, chọn nhắn tin) rồi gõ /mohinh ${code} tep.`,
    );
    return;
  }
  const send = (reply: Reply) => (route.kind === 'here' ? ctx.reply(reply) : ctx.deliver(route.chat, reply));

  // A file the platform will not carry, or one removed from the folder by hand, is named instead.
  const limit = ctx.out.maxFileBytes;
  const sendable = files.filter((f) => (limit === undefined || f.bytes <= limit) && store.has(f.sha256));
  const skipped = files.filter((f) => !sendable.includes(f));
  const shown = sendable.slice(0, CHAT_LIMIT);
  const lines = [`📎 Minh chứng của ${code} ${quotedName(model)}: ${shown.length} tệp.${notKept}`];
  if (skipped.length > 0) lines.push(`${skipped.length} tệp không gửi qua đây được: ${skipped.map((f) => f.name).join(', ')}.`);
  if (sendable.length > shown.length)
    lines.push(`Còn ${sendable.length - shown.length} tệp nữa: lấy đủ trên máy chủ bằng npm run admin -- export-evidence ${code}.`);

  const batches = batchesOf(shown);
  try {
    for (const [i, batch] of batches.entries()) {
      const text = i === 0 ? lines.join('\n') : `Tệp ${batch.from}–${batch.to}/${shown.length}`;
      await send({ text, files: batch.files.map((f) => outgoing(f, store.read(f.sha256))) });
    }
  } catch (error) {
    ctx.log.warn({ err: error, model: model.id }, 'could not send evidence files');
    await ctx.reply(`Bot chưa gửi được các tệp minh chứng của ${code}. Bạn thử lại sau ít phút nhé.`);
    return;
  }
  recordAudit(ctx.db, actorOf(ctx.caller), ctx.now, { action: 'evidence.export', entity: 'model', entityId: model.id, after: { code, files: shown.length } });
  if (route.kind === 'elsewhere') await ctx.reply(`Bot đã gửi riêng cho bạn ${shown.length} tệp minh chứng của ${code} (${sizeText(total(shown))}).`);
}

interface Batch {
  files: ExportedFile[];
  from: number;
  to: number;
}

function batchesOf(files: readonly ExportedFile[]): Batch[] {
  const out: Batch[] = [];
  let current: ExportedFile[] = [];
  let start = 1;
  for (const [i, file] of files.entries()) {
    if (current.length > 0 && (current.length === BATCH_FILES || total(current) + file.bytes > BATCH_BYTES)) {
      out.push({ files: current, from: start, to: i });
      current = [];
      start = i + 1;
    }
    current.push(file);
  }
  if (current.length > 0) out.push({ files: current, from: start, to: files.length });
  return out;
}

function total(files: readonly ExportedFile[]): number {
  return files.reduce((sum, f) => sum + f.bytes, 0);
}

function outgoing(file: ExportedFile, data: Buffer): OutgoingFile {
  return { fileName: file.name, mimeType: file.mimeType, data };
}
