import type { Command, CommandContext } from './shared/command.js';
import type { Role } from '../db/schema.js';
import { fold } from '../core/text.js';
import { wordValue } from '../core/answers.js';
import { formatVnDateTime } from '../core/clock.js';
import { PLATFORM_LABEL } from '../core/labels.js';
import { unitById } from '../db/units.js';
import { modelById } from '../db/models.js';
import {
  adminIds,
  type AuditRow,
  auditCountAbout,
  auditRowsAbout,
  identitiesOfPerson,
  modelsRegisteredBy,
  personRow,
  updatesAuthoredBy,
} from '../db/personData.js';
import { actionText, actorText } from './shared/personAudit.js';
import { sendPersonExport } from './shared/personDataExport.js';

/**
 * `/toi`: who the bot thinks you are, and — in a private chat — everything it holds about you
 * (Law 91/2025/QH15: the right to see one's data). The #number is what an admin types to grant a
 * role, so people can tell it to them. Platform ids and the audit trail are personal: a group reads
 * only the short view. `/toi taive` sends it all as a file (commands/shared/personDataExport.ts).
 */

const ROLE_LABEL: Record<Role, string> = {
  admin: 'quản trị',
  leader: 'lãnh đạo',
  officer: 'cán bộ đầu mối',
};

const ROLE_ORDER: Role[] = ['admin', 'leader', 'officer'];

/** What asks for the file: "taive", "tai ve", "tải về", "xuat", "xuất", folded and without spaces. */
const EXPORT_WORDS: Readonly<Record<string, true>> = { taive: true, xuat: true, export: true };

/** Audit rows shown in the chat; the file has them all. */
const LATEST_AUDIT = 5;

export const toi: Command = {
  name: 'toi',
  access: 'anyone',
  summary: 'xem thông tin bot lưu về bạn: số hiệu, đơn vị, vai trò, tài khoản; thêm taive để nhận toàn bộ bằng tệp',
  usage: '/toi [taive]',
  async run(ctx) {
    if (wordValue(EXPORT_WORDS, fold(ctx.args).replace(/\s+/g, ''))) {
      await sendPersonExport(ctx);
      return;
    }
    const lines = shortView(ctx);
    if (ctx.msg.chat.kind === 'private') lines.push('', ...fullView(ctx));
    else lines.push('Gõ /toi trong tin nhắn riêng với bot để xem đầy đủ thông tin bot lưu về bạn.');
    await ctx.reply(lines.join('\n'));
  },
};

function unitName(ctx: CommandContext, id: number): string {
  const unit = unitById(ctx.db, id);
  return unit ? `${unit.name} (${unit.shortCode})` : `đơn vị #${id}`;
}

/** What a group may read: number, name, unit, roles, and which platforms, by the names shown there. */
function shortView(ctx: CommandContext): string[] {
  const { db, caller } = ctx;
  const person = personRow(db, caller.personId);
  const lines = [`Bạn là #${caller.personId} — ${person?.displayName ?? caller.displayName}.`];
  lines.push(
    caller.unitId === null
      ? 'Đơn vị: chưa có. Bạn gõ /thamgia <mã> với mã tham gia quản trị gửi cho đơn vị của bạn.'
      : `Đơn vị: ${unitName(ctx, caller.unitId)}.`,
  );
  const grants = [...caller.grants].sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
  lines.push(
    grants.length === 0
      ? 'Vai trò: chưa có.'
      : `Vai trò: ${grants.map((g) => `${ROLE_LABEL[g.role]} — ${g.unitId === null ? 'toàn hệ thống' : unitName(ctx, g.unitId)}`).join('; ')}.`,
  );
  const accounts = identitiesOfPerson(db, caller.personId);
  lines.push(`Tài khoản đã liên kết: ${accounts.map((a) => `${PLATFORM_LABEL[a.platform]} (${a.displayName})`).join(', ')}.`);
  if (accounts.length < 2) lines.push('Dùng bot trên nền tảng khác nữa? Nhắn riêng cho bot /lienket để nối hai tài khoản thành một.');
  return lines;
}

/** The rest, for the person alone: account ids, dates, what they registered and wrote, the trail. */
function fullView(ctx: CommandContext): string[] {
  const { db, caller } = ctx;
  const id = caller.personId;
  const person = personRow(db, id);
  const when = (ms: number) => formatVnDateTime(new Date(ms));
  const lines = ['Thông tin bot lưu về bạn:'];
  if (person?.position) lines.push(`• Chức vụ: ${person.position}.`);
  for (const a of identitiesOfPerson(db, id)) {
    const username = a.username ? `, @${a.username}` : '';
    lines.push(`• ${PLATFORM_LABEL[a.platform]}: mã người dùng ${a.platformUserId}, tên “${a.displayName}”${username}; lần cuối ${when(a.lastSeenAt)}.`);
  }
  if (person) {
    lines.push(`• Lần đầu bot ghi nhận bạn: ${when(person.createdAt)}.`);
    lines.push(
      person.privacyNoticeAt === null
        ? '• Thông báo về dữ liệu cá nhân: chưa gửi cho bạn (xem trong /huongdan).'
        : `• Thông báo về dữ liệu cá nhân: đã gửi lúc ${when(person.privacyNoticeAt)}.`,
    );
  }
  const models = modelsRegisteredBy(db, id);
  lines.push(models.length === 0 ? '• Mô hình bạn đăng ký: chưa có.' : `• Mô hình bạn đăng ký: ${models.map((m) => m.code).join(', ')}.`);
  lines.push(`• Cập nhật tiến độ bạn gửi: ${updatesAuthoredBy(db, id).length}.`);

  const total = auditCountAbout(db, id);
  if (total === 0) lines.push('• Nhật ký thao tác về bạn: chưa có.');
  else {
    lines.push(`• Nhật ký thao tác về bạn: ${total} mục${total > LATEST_AUDIT ? `, ${LATEST_AUDIT} mục mới nhất` : ''}:`);
    const admins = adminIds(db);
    const detailOf = auditDetail(ctx);
    for (const row of auditRowsAbout(db, id, LATEST_AUDIT)) {
      lines.push(`  – ${when(row.at)}: ${actionText(row, id, detailOf)} (${actorText(row, id, admins)})`);
    }
  }
  lines.push('', 'Gõ /toi taive để nhận toàn bộ bằng tệp. Muốn sửa hoặc xóa thông tin, bạn liên hệ quản trị.');
  return lines;
}

/** What a row is about, when it can be said shortly: the model's code (then or now), the role and where. */
function auditDetail(ctx: CommandContext): (row: AuditRow) => string | undefined {
  const fields = (value: unknown) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {});
  return (row) => {
    const after = fields(row.after);
    const before = fields(row.before);
    if (row.action === 'role.grant' || row.action === 'role.revoke') {
      const role = (row.action === 'role.grant' ? after : before).role;
      const unitId = (row.action === 'role.grant' ? after : before).unitId;
      if (typeof role !== 'string' || !Object.hasOwn(ROLE_LABEL, role)) return undefined;
      return `${ROLE_LABEL[role as Role]} — ${typeof unitId === 'number' ? unitName(ctx, unitId) : 'toàn hệ thống'}`;
    }
    const code = after.code ?? before.code;
    if (row.entity === 'model' && typeof code === 'string') return code;
    const modelId = row.entity === 'model' ? Number(row.entityId) : row.entity === 'progress_update' ? (after.modelId ?? before.modelId) : undefined;
    return typeof modelId === 'number' && Number.isInteger(modelId) ? modelById(ctx.db, modelId)?.code : undefined;
  };
}
