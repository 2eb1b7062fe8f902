import { fold } from '../core/text.js';
import { ACCESS_LABEL, type Access, type Command, type CommandContext, accessOf, mayRun } from './shared/command.js';
import { NO_STATE_SECRETS } from './shared/stateSecrets.js';
import { privacyNotice, privacyNoticeShort } from './shared/privacyNotice.js';

const INTRO =
  'Bot “Dân vận khéo” giúp các cơ quan, đơn vị đăng ký mô hình, gửi tiến độ thực hiện, ' + 'nhắc trước hạn báo cáo và tổng hợp báo cáo ngay trong nhóm chat.';

const HIGHER: Access[] = ['officer', 'leader', 'admin'];

/**
 * What each role reaches for most, first: the short help lists these (the ones the person may run),
 * so a phone screen shows what to do now; `/huongdan tatca` lists everything.
 */
const ESSENTIALS: Record<Access, readonly string[]> = {
  anyone: ['thamgia', 'toi', 'hanchot', 'lienket', 'huongdan'],
  officer: ['dangky', 'capnhat', 'mohinh', 'hanchot', 'denghi', 'baocao', 'toi'],
  leader: ['duyet', 'tralai', 'congnhan', 'baocao', 'hanchot', 'mohinh', 'nhanrong'],
  admin: ['baocao', 'duyet', 'donvi', 'themdonvi', 'phanquyen', 'chitieu', 'trangthai', 'nhatky'],
};

/** `/huongdan` (and `/start`): what the bot is for and the commands open to the asker. */
export const huongdan: Command = {
  name: 'huongdan',
  aliases: ['help', 'trogiup'],
  access: 'anyone',
  summary: 'xem hướng dẫn và các lệnh bạn dùng được',
  async run(ctx) {
    await ctx.reply(helpText(ctx, false, wantsAll(ctx.args)));
  },
};

/** "tatca", "tất cả", "all": the whole list. */
function wantsAll(args: string): boolean {
  const word = fold(args).replace(/\s+/g, '');
  return word === 'tatca' || word === 'all' || word === 'daydu';
}

/**
 * The help text. `fullNotice`: the person's one showing of the whole privacy notice (their first
 * /start), in place of its short form, so they read it once and not twice in one message. `all`:
 * every command, and what each higher role would unlock; otherwise about ten lines, the commands
 * the person reaches for now.
 */
export function helpText(ctx: CommandContext, fullNotice: boolean, all = false): string {
  const listed = ctx.commands.filter((c) => c.listed !== false);
  const mine = listed.filter((c) => mayRun(ctx.caller, c.access));
  const access = accessOf(ctx.caller);
  // What the bot is for: told to a newcomer and in the whole list; someone with a role knows it,
  // and their short help is a phone screen.
  const lines = access === 'anyone' || all ? [INTRO, ''] : [];
  // A newcomer's first step, before anything else: most commands need a unit.
  if (access === 'anyone') lines.push('👉 Bạn chưa thuộc đơn vị nào. Gõ /thamgia <mã đơn vị> (mã do quản trị của nhóm cung cấp) để bắt đầu.', '');

  if (!all) {
    const byName = new Map(mine.map((c) => [c.name, c]));
    const shown = ESSENTIALS[access].map((name) => byName.get(name)).filter((c): c is Command => c !== undefined);
    // Name and purpose only: a usage with its options takes three lines of a phone; the whole
    // list, and each command typed wrongly, show how to type it.
    lines.push('Các lệnh bạn dùng được:', ...shown.map((c) => `/${c.name} — ${c.summary}`));
    lines.push(`Gõ /huongdan tatca để xem cả ${mine.length} lệnh. Đang trả lời câu hỏi: /quaylai để sửa câu trước, /huy để hủy.`);
    lines.push('', fullNotice ? privacyNotice(ctx.policy) : privacyNoticeShort(ctx.policy), `🔒 ${NO_STATE_SECRETS}`);
    return lines.join('\n');
  }

  lines.push('Các lệnh bạn dùng được:', ...mine.map(line));
  // Show what a role would unlock, so a newcomer knows whom to ask.
  for (const higher of HIGHER) {
    if (mayRun(ctx.caller, higher)) continue;
    const locked = listed.filter((c) => c.access === higher);
    if (locked.length === 0) continue;
    lines.push('', `Dành cho ${ACCESS_LABEL[higher]}:`, ...locked.map(line));
  }
  if (access === 'anyone') {
    lines.push('', 'Chưa có mã đơn vị: hãy nhờ quản trị của nhóm thêm bạn vào đơn vị của mình.');
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
