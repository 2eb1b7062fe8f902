import { ACCESS_LABEL, type Access, type Command, accessOf, mayRun } from './shared/command.js';
import { NO_STATE_SECRETS } from './shared/stateSecrets.js';

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
    // 🔒, not ⚠️: ⚠️ is what a refused answer starts with.
    lines.push(`🔒 ${NO_STATE_SECRETS}`);
    await ctx.reply(lines.join('\n'));
  },
};

function line(c: Command): string {
  return `${c.usage ?? `/${c.name}`} — ${c.summary}`;
}
