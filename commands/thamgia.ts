import type { Command } from './shared/command.js';
import { privacyNotice, replyWithFirstNotice } from './shared/privacyNotice.js';
import { joinLockedUntil, joinUnit, LOCKOUT_MS, MAX_WRONG_CODES, normalizeJoinCode } from '../db/membership.js';

/**
 * `/thamgia <mã>`: a person joins their unit with the code the admin handed out, and becomes
 * its officer. Moving to another unit is an admin's decision, never a code's (db/membership.ts).
 */

const minutesUntil = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));

export const thamgia: Command = {
  name: 'thamgia',
  access: 'anyone',
  summary: 'tham gia đơn vị của bạn bằng mã tham gia quản trị gửi',
  usage: '/thamgia <mã>',
  async run(ctx) {
    if (ctx.args === '') {
      await ctx.reply('Bạn gõ /thamgia kèm mã tham gia của đơn vị, ví dụ: /thamgia K7MX2P. Mã do quản trị gửi cho đơn vị của bạn.');
      return;
    }
    const lockedUntil = joinLockedUntil(ctx.db, ctx.caller.personId, ctx.now);
    if (lockedUntil) {
      await ctx.reply(
        `Bạn đã nhập sai mã nhiều lần nên tạm thời chưa thử lại được. Bạn thử lại sau khoảng ${minutesUntil(lockedUntil, ctx.now)} phút, hoặc nhờ quản trị thêm bạn vào đơn vị.`,
      );
      return;
    }

    const outcome = joinUnit(ctx.db, ctx.caller, normalizeJoinCode(ctx.args), ctx.now);
    switch (outcome.kind) {
      case 'wrong':
        await ctx.reply(
          outcome.locked
            ? `Mã tham gia chưa đúng. Bạn đã nhập sai ${MAX_WRONG_CODES} lần nên cần chờ ${LOCKOUT_MS / 60_000} phút mới thử lại được; nếu cần, hãy nhờ quản trị thêm bạn vào đơn vị.`
            : 'Mã tham gia chưa đúng nên chưa có gì thay đổi. Bạn kiểm tra lại mã quản trị đã gửi (6 ký tự, ví dụ K7MX2P).',
        );
        return;
      case 'inactive':
        await ctx.reply(`Mã này thuộc ${outcome.unit.name}, đơn vị đã ngừng hoạt động nên không tham gia được. Bạn nhờ quản trị kiểm tra lại.`);
        return;
      case 'blocked':
        await ctx.reply(
          `Quyền cán bộ đầu mối của bạn tại ${outcome.unit.name} đã được quản trị thu hồi, nên mã tham gia không đưa bạn vào đơn vị này nữa. Nếu có nhầm lẫn, bạn hãy liên hệ quản trị.`,
        );
        return;
      case 'elsewhere':
        await ctx.reply(`Bạn đang thuộc ${outcome.current?.name ?? 'một đơn vị khác'}; muốn chuyển sang ${outcome.unit.name}, bạn nhờ quản trị chuyển đơn vị.`);
        return;
      case 'already':
        await ctx.reply(`Bạn đã thuộc ${outcome.unit.name} rồi; không có gì thay đổi.`);
        return;
      case 'joined': {
        // What to do next, first: a newcomer reads one line and acts on it.
        const welcome = `Chào mừng ${ctx.caller.displayName} đã tham gia đơn vị ${outcome.unit.name}. Gõ /dangky để đăng ký mô hình, điểm sáng của đơn vị; /huongdan để xem các lệnh khác.`;
        // Joining is when the person starts giving the bot their work: they are told once what it keeps.
        await replyWithFirstNotice(ctx, (first) => (first ? `${welcome}\n\n${privacyNotice(ctx.policy)}` : welcome));
      }
    }
  },
};
