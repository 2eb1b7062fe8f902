import type { Platform } from '../bot/chat.js';
import type { HolderType, ModelKind, ModelState } from '../db/schema.js';

/** How the domain's values read to officials; shared by every command that shows a model. */
export const MODEL_KIND_LABEL: Record<ModelKind, string> = {
  dan_van_kheo: 'Mô hình “Dân vận khéo”',
  diem_sang_chinh_quyen: 'Điểm sáng về dân vận chính quyền',
  diem_sang_qcdc: 'Điểm sáng về thực hiện quy chế dân chủ ở cơ sở',
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

/** The platforms as people name them (an account "trên Zalo"). */
export const PLATFORM_LABEL: Record<Platform, string> = {
  telegram: 'Telegram',
  zalo: 'Zalo',
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
