/**
 * The domain's value lists: what a unit, a role, a model and its progress can be. The database
 * stores these strings (db/schema.ts); the words officials read for them are in labels.ts.
 */

export const UNIT_KINDS = [
  'province', // tỉnh, thành phố trực thuộc trung ương
  'party', // cơ quan Đảng: Ban Tuyên giáo và Dân vận, Đảng ủy
  'department', // sở, ban, ngành
  'district', // huyện, quận, thị xã: the former district level (before 1/7/2025), kept for old data
  'commune', // xã, phường, đặc khu (thị trấn before 1/7/2025)
  'organisation', // Mặt trận Tổ quốc and the mass organisations under it
  'school',
  'hospital',
  'armed_forces', // công an, quân sự
  'enterprise',
  'other',
] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export const ROLES = ['admin', 'leader', 'officer'] as const;
export type Role = (typeof ROLES)[number];

export const MODEL_KINDS = ['dan_van_kheo', 'diem_sang_chinh_quyen', 'diem_sang_qcdc'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export const HOLDER_TYPES = ['collective', 'individual'] as const;
export type HolderType = (typeof HOLDER_TYPES)[number];

export const MODEL_STATES = [
  'pending', // chờ duyệt
  'returned', // trả lại (with a reason)
  'in_progress', // đã duyệt, đang thực hiện
  'proposed', // đề nghị công nhận
  'recognised', // được công nhận
  'not_recognised', // không công nhận
] as const;
export type ModelState = (typeof MODEL_STATES)[number];

export const PROGRESS_STATES = ['in_progress', 'done'] as const;
export type ProgressState = (typeof PROGRESS_STATES)[number];
