import { ACCESS_LABEL, type Access, type Command, type CommandContext, accessOf, mayRun } from './shared/command.js';
import { NO_STATE_SECRETS } from './shared/stateSecrets.js';
import { privacyNotice, privacyNoticeShort } from './shared/privacyNotice.js';

const INTRO =
  'Bot “Dân vận khéo” giúp các cơ quan, đơn vị đăng ký mô hình, gửi tiến độ thực hiện, ' + 'nhắc trước hạn báo cáo và tổng hợp báo cáo ngay trong nhóm chat.';

const HIGHER: Access[] = ['officer', 'leader', 'admin'];

/** `/huongdan` (and `/start`): what the bot is for and the commands open to the asker. */
export const huongdan: Command = {
  name: 'huongdan',
  aliases: ['help', 'trogiup'],
  access: 'anyone',
  summary: 'xem hướng dẫn và các lệnh bạn dùng được',
  async run(ctx) {
    await ctx.reply(helpText(ctx, false));
  },
};

/**
 * The help text. `fullNotice`: the person's one showing of the whole privacy notice (their first
 * /start), in place of its short form, so they read it once and not twice in one message.
 */
export function helpText(ctx: CommandContext, fullNotice: boolean): string {
  const listed = ctx.commands.filter((c) => c.listed !== false);
  const mine = listed.filter((c) => mayRun(ctx.caller, c.access));
  const lines = [INTRO, '', 'Các lệnh bạn dùng được:', ...mine.map(line)];

  // Show what a role would unlock, so a newcomer knows whom to ask.
  for (const access of HIGHER) {
    if (mayRun(ctx.caller, access)) continue;
    const locked = listed.filter((c) => c.access === access);
    if (locked.length === 0) continue;
    lines.push('', `Dành cho ${ACCESS_LABEL[access]}:`, ...locked.map(line));
  }
  if (accessOf(ctx.caller) === 'anyone') {
    lines.push('', 'Bạn chưa được gắn với đơn vị nào: hãy nhờ quản trị của nhóm thêm bạn vào đơn vị của mình.');
  }
  lines.push('', 'Trong lúc trả lời, gõ /quaylai để sửa câu trước hoặc /huy để hủy; chưa xác nhận thì chưa có gì được lưu.');
  lines.push('', fullNotice ? privacyNotice(ctx.policy) : privacyNoticeShort(ctx.policy));
  // 🔒, not ⚠️: ⚠️ is what a refused answer starts with.
  lines.push(`🔒 ${NO_STATE_SECRETS}`);
  return lines.join('\n');
}

function line(c: Command): string {
  return `${c.usage ?? `/${c.name}`} — ${c.summary}`;
}
