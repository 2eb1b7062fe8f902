import type { CommandContext, DecisionPolicy } from './command.js';
import { claimPrivacyNotice, releasePrivacyNotice } from '../../db/privacyNotice.js';

/**
 * What the bot stores about a person and why, as Law 91/2025/QH15 on personal data protection and
 * Decree 356/2025 ask an organisation to say: shown in full once, when the person first joins
 * (/thamgia) or opens the bot (/start), and in its short form in every /huongdan. Short lines, as it
 * is read on a phone, often in a group.
 */

/** DVK_RETENTION_MONTHS' default (bot/config.ts), for a context built without a policy. */
const DEFAULT_RETENTION_MONTHS = 12;

/** Whom to ask about one's data: the deployment's contact, or the admins when none is set. */
function contactLine(policy: DecisionPolicy | undefined): string {
  // The sentence ends with its own full stop; a contact typed with one would read "..".
  const contact = policy?.dataProtectionContact?.trim().replace(/[.。]+$/, '');
  return `Về dữ liệu cá nhân, bạn liên hệ ${contact ? contact : 'quản trị của nhóm'}.`;
}

/** The full notice, 7 lines. */
export function privacyNotice(policy: DecisionPolicy | undefined): string {
  const months = policy?.retentionMonths ?? DEFAULT_RETENTION_MONTHS;
  return [
    '🛡️ Bot lưu thông tin cá nhân của bạn (Luật Bảo vệ dữ liệu cá nhân 2025):',
    '• Lưu gì: tên hiển thị, tài khoản và mã người dùng Telegram/Zalo; đơn vị, chức vụ, vai trò;',
    '  nội dung mô hình, cập nhật cùng ảnh, tệp gửi kèm; nhật ký thao tác.',
    '• Để làm gì: theo dõi, tổng hợp, báo cáo phong trào “Dân vận khéo”.',
    `• Bao lâu: khi bạn đã nghỉ (không còn đơn vị, vai trò), thông tin được xóa sau ${months} tháng.`,
    '• Quyền của bạn: xem toàn bộ bằng /toi, nhận bản sao bằng tệp (/toi taive, nhắn riêng với bot), đề nghị sửa hoặc xóa qua quản trị.',
    `• ${contactLine(policy)}`,
  ].join('\n');
}

/** The two lines every /huongdan carries. */
export function privacyNoticeShort(policy: DecisionPolicy | undefined): string {
  return [
    '🛡️ Bot lưu tên, tài khoản, đơn vị, vai trò và nội dung bạn gửi để theo dõi, báo cáo phong trào; gõ /toi để xem thông tin bot lưu về bạn.',
    contactLine(policy),
  ].join('\n');
}

/**
 * Sends `compose(first)`, where `first` says whether this is the person's one showing of the full
 * notice: the caller puts it in the same message, so a group reads one message, not two. The
 * showing is claimed before sending (two commands at once show it once) and given back if the
 * message fails, so it is not lost.
 */
export async function replyWithFirstNotice(ctx: CommandContext, compose: (first: boolean) => string): Promise<void> {
  const claimedAt = ctx.now;
  const first = claimPrivacyNotice(ctx.db, ctx.caller.personId, claimedAt);
  try {
    await ctx.reply(compose(first));
  } catch (error) {
    if (first) releasePrivacyNotice(ctx.db, ctx.caller.personId, claimedAt);
    throw error;
  }
}
