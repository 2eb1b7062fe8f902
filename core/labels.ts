import type { IncomingAttachment, Platform } from './chat.js';
import type { HolderType, ModelKind, ModelState, ProgressState } from './domain.js';
import { ellipsize } from './text.js';

/** How the domain's values read to officials; shared by every command that shows a model. */
export const MODEL_KIND_LABEL: Record<ModelKind, string> = {
  dan_van_kheo: 'Mô hình “Dân vận khéo”',
  diem_sang_chinh_quyen: 'Điểm sáng về dân vận chính quyền',
  // The Law on Grassroots Democracy 2022 (in force 1/7/2023) replaced the old "quy chế dân chủ ở cơ sở"; the key stays.
  diem_sang_qcdc: 'Điểm sáng về thực hiện dân chủ ở cơ sở',
};

/** What a kind was called before, still understood when typed (officials keep the old words for years). */
export const MODEL_KIND_FORMERLY: Partial<Record<ModelKind, readonly string[]>> = {
  diem_sang_qcdc: ['Điểm sáng về thực hiện quy chế dân chủ ở cơ sở'],
};

export const HOLDER_LABEL: Record<HolderType, string> = {
  collective: 'Tập thể',
  individual: 'Cá nhân',
};

export const MODEL_STATE_LABEL: Record<ModelState, string> = {
  pending: 'chờ duyệt',
  returned: 'bị trả lại',
  in_progress: 'đang thực hiện',
  proposed: 'đề nghị công nhận',
  recognised: 'được công nhận',
  not_recognised: 'không công nhận',
};

/** The platforms as people name them, mid-sentence (an account "trên Zalo"); platformTitle starts a line. */
export const PLATFORM_LABEL: Record<Platform, string> = {
  telegram: 'Telegram',
  zalo: 'Zalo',
  // The unit's verified Official Account in its GMF groups: officials call it "Zalo OA".
  'zalo-oa': 'Zalo OA',
  console: 'bản mô phỏng',
};

/** "512 B", "1,5 MB": sizes as Vietnamese write numbers. */
export function sizeText(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat('vi-VN', { maximumFractionDigits: i === 0 ? 0 : 1 }).format(value)} ${units[i]}`;
}

/** A history row as it reads on a card: the state entered, or an after-life event. */
export const HISTORY_LABEL: Record<ModelState | 'replicated' | 'commended', string> = {
  pending: 'đăng ký, chờ duyệt',
  returned: 'bị trả lại',
  in_progress: 'được duyệt, đang thực hiện',
  proposed: 'đề nghị công nhận',
  recognised: 'được công nhận',
  not_recognised: 'không công nhận',
  replicated: 'nhân rộng',
  commended: 'biểu dương, khen thưởng',
};

export const PROGRESS_STATE_LABEL: Record<ProgressState, string> = {
  in_progress: 'đang triển khai',
  done: 'đã hoàn thành',
};

/** A file sent without a name (a photo, a voice message), as a card or a notice names it. */
export const ATTACHMENT_KIND_LABEL: Record<IncomingAttachment['kind'], string> = {
  photo: 'ảnh',
  video: 'video',
  audio: 'bản ghi âm',
  document: 'tệp',
  other: 'tệp',
};

/** "“biên-bản.pdf”", or what it is when it has no name ("ảnh"). */
export function attachmentName(file: { fileName?: string | null; kind: IncomingAttachment['kind'] }): string {
  return file.fileName ? `“${ellipsize(file.fileName, 60)}”` : ATTACHMENT_KIND_LABEL[file.kind];
}

/** A platform's name at the start of a line: "Bản mô phỏng", "Zalo". */
export function platformTitle(platform: Platform): string {
  const label = PLATFORM_LABEL[platform] ?? platform;
  return label.charAt(0).toLocaleUpperCase('vi') + label.slice(1);
}

/**
 * What a registration is called in a question about it, once its kind is known: "điểm sáng" for the
 * two kinds of bright spot, "mô hình" for a "Dân vận khéo" model and while the kind is not chosen.
 */
export function modelNoun(kind: string | undefined): 'mô hình' | 'điểm sáng' {
  return kind === 'diem_sang_chinh_quyen' || kind === 'diem_sang_qcdc' ? 'điểm sáng' : 'mô hình';
}
