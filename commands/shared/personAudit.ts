import type { AuditRow } from '../../db/personData.js';

/**
 * The audit rows about a person, as that person gets them (`/toi`, `/toi taive`). A row may carry
 * someone else's data: the label of the admin who acted (their name and platform id), or what the
 * person themself did to another person (an admin granting a role: the other's name, platform id).
 * So another person is only ever "quản trị #id" or "người dùng #id", a row about another person
 * keeps only what was done and when, and fields that name other people or open something (a join
 * code, a file's link) are left out of the rest.
 */

/** Actors that are not a person: what their label means. */
const NON_PERSON_ACTOR: Record<string, string> = { system: 'hệ thống', cli: 'quản trị (dòng lệnh trên máy chủ)', demo: 'dữ liệu mẫu' };

/** Who did it, as the person reads it. */
export function actorText(row: AuditRow, personId: number, admins: ReadonlySet<number>): string {
  if (row.actorPersonId === personId) return 'bạn';
  if (row.actorPersonId !== null) return admins.has(row.actorPersonId) ? `quản trị #${row.actorPersonId}` : `người dùng #${row.actorPersonId}`;
  // A person's label whose row is gone (merged away, removed): not shown, it names them.
  return NON_PERSON_ACTOR[row.actorLabel] ?? 'người dùng đã xóa';
}

/** A row on the person's own person row: its fields are theirs. */
export function isAboutThem(row: AuditRow, personId: number): boolean {
  return row.entity === 'person' && row.entityId === String(personId);
}

/** A row the person wrote about another person: what and when only. */
export function isAboutAnother(row: AuditRow, personId: number): boolean {
  return row.entity === 'person' && row.entityId !== String(personId);
}

/** Fields that name another person (a model's holder, its person in charge, an account). */
const OTHERS_KEY = /^(holderName|personInCharge|platformUserId|username|displayName)$/;
/** Fields that open something: a unit's join code, a file's link or platform reference, a credential. */
const OPENS_KEY = /^(joinCode|ref|url)$|token|cookie|secret|pass|credential|session|signature|otp|imei/i;

/** `value` without the fields `drop` names, at any depth. */
function without(value: unknown, drop: (key: string) => boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => without(v, drop));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !drop(key))
      .map(([key, v]) => [key, without(v, drop)]),
  );
}

export interface ExportedAuditRow {
  id: number;
  at: string;
  action: string;
  entity: string;
  entityId?: string | null;
  actor: string;
  /** The account the person acted from, on their own rows. */
  actorAccount?: string;
  before?: unknown;
  after?: unknown;
  /** Set when the details were left out because they are another person's. */
  note?: string;
}

/** One row for the file: every row is there, with what of it is the person's to take. */
export function exportedAuditRow(row: AuditRow, personId: number, admins: ReadonlySet<number>): ExportedAuditRow {
  const base = { id: row.id, at: new Date(row.at).toISOString(), action: row.action, entity: row.entity };
  const actor = actorText(row, personId, admins);
  const account = row.actorPersonId === personId ? { actorAccount: row.actorLabel } : {};
  if (isAboutAnother(row, personId)) return { ...base, actor, ...account, note: 'chi tiết về người khác được lược bỏ' };
  const drop = isAboutThem(row, personId) ? (key: string) => OPENS_KEY.test(key) : (key: string) => OPENS_KEY.test(key) || OTHERS_KEY.test(key);
  return { ...base, entityId: row.entityId, actor, ...account, before: without(row.before, drop), after: without(row.after, drop) };
}

const ACTION_TEXT: Record<string, string> = {
  'person.first_contact': 'lần đầu nhắn bot',
  'person.create': 'được thêm vào bot',
  'person.join_unit': 'vào đơn vị bằng mã tham gia',
  'person.link_code': 'lấy mã liên kết tài khoản',
  'person.link_failed': 'gõ sai mã liên kết tài khoản',
  'person.link_code_burnt': 'mã liên kết bị hủy vì gõ trong nhóm',
  'person.link_requested': 'yêu cầu liên kết tài khoản',
  'person.link_declined': 'từ chối liên kết tài khoản',
  'person.link': 'liên kết tài khoản',
  'person.data_export': 'nhận tệp dữ liệu cá nhân',
  'person.remove': 'xóa thông tin cá nhân',
  'unit.join_failed': 'gõ sai mã tham gia',
  'unit.join_blocked': 'mã tham gia bị từ chối (quyền đã bị thu hồi)',
  'role.grant': 'cấp quyền',
  'role.revoke': 'thu hồi quyền',
  'model.register': 'đăng ký mô hình',
  'model.approve': 'duyệt mô hình',
  'model.return': 'trả lại mô hình',
  'model.propose': 'đề nghị công nhận mô hình',
  'model.recognise': 'công nhận mô hình',
  'model.not_recognise': 'không công nhận mô hình',
  'model.replicate': 'ghi nhận nhân rộng mô hình',
  'model.commend': 'ghi nhận biểu dương, khen thưởng mô hình',
  'update.add': 'cập nhật tiến độ',
  'update.edit': 'sửa cập nhật tiến độ',
  'evidence.export': 'tải tệp minh chứng',
  'unit.create': 'thêm đơn vị',
  'unit.update': 'sửa đơn vị',
  'unit.import': 'nhập đơn vị từ tệp',
  'chat.bind': 'gắn nhóm với đơn vị',
  'quota.set': 'đặt chỉ tiêu',
  'deadline.add': 'thêm hạn',
  'deadline.remove': 'xóa hạn',
};

/**
 * What was done, in a few Vietnamese words. `detailOf` adds what the row is about when the caller
 * can name it (a model's code, a role), never for a row about another person.
 */
export function actionText(row: AuditRow, personId: number, detailOf: (row: AuditRow) => string | undefined): string {
  const what = ACTION_TEXT[row.action] ?? `thao tác “${row.action}”`;
  if (isAboutAnother(row, personId)) return `${what} (về người khác)`;
  const detail = detailOf(row);
  return detail ? `${what} ${detail}` : what;
}
