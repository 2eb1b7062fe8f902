import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { formatVnDate, isoDay, vnParts } from '../../core/clock.js';
import { ellipsize, stripControls } from '../../core/text.js';
import { recordAudit } from '../../db/audit.js';
import { CLI_ACTOR } from '../../db/bootstrap.js';
import type { Db } from '../../db/client.js';
import { evidenceOfModel, type ModelEvidence } from '../../db/evidence.js';
import type { EvidenceStore } from '../../db/evidenceStore.js';
import { parseModelCode } from '../../core/modelCode.js';
import { modelByCode } from '../../db/models.js';
import { attachmentName } from '../../core/labels.js';
import { EVIDENCE_STATE_LABEL } from './modelText.js';

/**
 * A model's evidence as files to hand over (an admin's `/mohinh <mã> tep`, `npm run admin --
 * export-evidence`): the copies the bot kept, each under a name that sorts by date and keeps the
 * name the person gave, and what could not be kept, so an export says what is missing.
 */

export interface ExportedFile {
  /** "2026-03-10_01_bien-ban.pdf": unique within the export. */
  name: string;
  sha256: string;
  mimeType: string;
  bytes: number;
}

export interface ModelExport {
  files: ExportedFile[];
  /** Attachments with no copy: too large, the download failed, or still being fetched. */
  missing: ModelEvidence[];
}

export function modelExport(db: Db, modelId: number): ModelExport {
  const files: ExportedFile[] = [];
  const missing: ModelEvidence[] = [];
  for (const entry of evidenceOfModel(db, modelId)) {
    const a = entry.attachment;
    if (a.evidenceState !== 'stored' || a.sha256 === null) {
      missing.push(entry);
      continue;
    }
    const mimeType = a.mimeType ?? DEFAULT_TYPE[a.kind];
    files.push({ name: exportName(entry, files.length + 1, mimeType), sha256: a.sha256, mimeType, bytes: a.storedBytes ?? 0 });
  }
  return { files, missing };
}

const DEFAULT_TYPE: Record<ModelEvidence['attachment']['kind'], string> = {
  // Zalo and Telegram send photos as JPEG.
  photo: 'image/jpeg',
  video: 'video/mp4',
  audio: 'audio/mpeg',
  document: 'application/octet-stream',
  other: 'application/octet-stream',
};

const EXTENSION: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/webp': '.webp',
  'image/heic': '.heic',
  'application/pdf': '.pdf',
  'video/mp4': '.mp4',
  'audio/mpeg': '.mp3',
  'audio/ogg': '.ogg',
  'audio/aac': '.aac',
  'application/msword': '.doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'application/vnd.ms-excel': '.xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
};

/** The day of the update, the file's place in the export, and the person's own name (made safe for a folder). */
function exportName(entry: ModelEvidence, index: number, mimeType: string): string {
  const sent = vnParts(new Date(entry.updateCreatedAt));
  const day = isoDay(sent.year, sent.month, sent.day);
  const given = safeName(entry.attachment.fileName ?? '');
  const name = given !== '' ? given : `${entry.attachment.kind === 'photo' ? 'anh' : 'tep'}${EXTENSION[mimeType] ?? ''}`;
  const withExtension = extname(name) === '' && EXTENSION[mimeType] ? `${name}${EXTENSION[mimeType]}` : name;
  return `${day}_${String(index).padStart(2, '0')}_${withExtension}`;
}

/** No folders, no control characters, no hidden files, no name longer than a file system takes. */
function safeName(name: string): string {
  return stripControls(name)
    .replace(/[/\\:*?"<>|\n\t]/g, '-')
    .replace(/^[.\s]+/, '')
    .trim()
    .slice(0, 120);
}

/** The export cannot be made as asked; nothing was written. */
export class EvidenceExportRefused extends Error {
  override name = 'EvidenceExportRefused';
}

/**
 * Writes a model's kept files into `dir` (created private; each file 0600) for the operator, and
 * returns what to print: what was written and what has no copy. Nothing is overwritten: a folder
 * that already holds one of the names is refused before anything is written.
 */
export function writeModelEvidence(db: Db, store: EvidenceStore, typed: string, dir: string, now: Date): string[] {
  const code = parseModelCode(typed);
  if (!code) throw new EvidenceExportRefused(`“${ellipsize(typed, 40)}” không phải mã mô hình (dạng DVK-2026-0001).`);
  const model = modelByCode(db, code);
  if (!model) throw new EvidenceExportRefused(`Không có mô hình ${code}.`);
  const { files, missing } = modelExport(db, model.id);
  const present = files.filter((f) => store.has(f.sha256));
  const clash = present.find((f) => existsSync(join(dir, f.name)));
  if (clash) throw new EvidenceExportRefused(`Thư mục ${dir} đã có tệp ${clash.name}; chọn thư mục khác hoặc xóa các tệp cũ.`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const f of present) writeFileSync(join(dir, f.name), store.read(f.sha256), { mode: 0o600, flag: 'wx' });
  recordAudit(db, CLI_ACTOR, now, { action: 'evidence.export', entity: 'model', entityId: model.id, after: { code, files: present.length } });

  const lines = [`Đã ghi ${present.length} tệp minh chứng của ${code} vào ${dir}.`];
  for (const f of files.filter((x) => !present.includes(x))) lines.push(`Không tìm thấy bản sao trên máy chủ (thư mục lưu đã bị xóa bớt?): ${f.name}`);
  for (const { attachment, updateCreatedAt } of missing) {
    lines.push(
      `Không có bản sao: ${attachmentName(attachment)} gửi ngày ${formatVnDate(new Date(updateCreatedAt))} — ${EVIDENCE_STATE_LABEL[attachment.evidenceState]}`,
    );
  }
  return lines;
}
