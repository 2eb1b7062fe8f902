import { ellipsize } from '../bot/text.js';
import type { ModelState, ProgressState } from '../db/schema.js';
import type { AttachmentRow } from '../db/updates.js';

/**
 * Labels for a model's history and progress, next to those of labels.ts (kept apart so that
 * file stays the shared, stable one).
 */

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
export const ATTACHMENT_KIND_LABEL: Record<AttachmentRow['kind'], string> = {
  photo: 'ảnh',
  video: 'video',
  audio: 'bản ghi âm',
  document: 'tệp',
  other: 'tệp',
};

/** "“biên-bản.pdf”", or what it is when it has no name ("ảnh"). */
export function attachmentName(file: { fileName?: string | null; kind: AttachmentRow['kind'] }): string {
  return file.fileName ? `“${ellipsize(file.fileName, 60)}”` : ATTACHMENT_KIND_LABEL[file.kind];
}
