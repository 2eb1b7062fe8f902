import type { Command } from '../bot/command.js';
import { actorOf } from '../db/people.js';
import {
  createLinkCode,
  formatLinkCode,
  LINK_CODE_TTL_MS,
  LinkRefusal,
  type LinkRefusalReason,
  redeemLinkCode,
} from '../db/personLink.js';

/**
 * `/lienket`: one person on two platforms. Without an argument (in a private chat) it gives a
 * one-time code; `/lienket <mã>` typed from the other account joins both into the code's person.
 */

const TTL_MINUTES = LINK_CODE_TTL_MS / 60_000;
const NEW_CODE = 'Bạn lấy mã mới bằng /lienket trong tin nhắn riêng với bot.';

const REFUSAL: Record<LinkRefusalReason, string> = {
  unknown: `Không có mã liên kết này nên chưa có gì thay đổi. Bạn kiểm tra lại mã (8 ký tự, dạng ABCD-EFGH). ${NEW_CODE}`,
  expired: `Mã này đã hết hạn (mỗi mã chỉ dùng trong ${TTL_MINUTES} phút) nên chưa có gì thay đổi. ${NEW_CODE}`,
  used: `Mã này đã được dùng rồi nên chưa có gì thay đổi. ${NEW_CODE}`,
  own: 'Đây là mã của chính tài khoản này (hoặc hai tài khoản đã được liên kết rồi). Bạn nhập mã ở tài khoản trên nền tảng còn lại.',
  same_platform:
    'Không liên kết được: hai tài khoản này cùng ở một nền tảng, mà mỗi người chỉ có một tài khoản trên mỗi nền tảng. Bạn nhập mã từ tài khoản trên nền tảng còn lại.',
};

export const lienket: Command = {
  name: 'lienket',
  access: 'anyone',
  summary: 'liên kết tài khoản của bạn trên hai nền tảng thành một người',
  usage: '/lienket [mã]',
  async run(ctx) {
    if (ctx.args === '') {
      // The code proves who holds both accounts, so it is never shown where others can read it.
      if (ctx.msg.chat.kind !== 'private') {
        await ctx.reply('Bạn nhắn riêng cho bot để lấy mã liên kết: mã chỉ được gửi trong tin nhắn riêng.');
        return;
      }
      const { code } = createLinkCode(ctx.db, ctx.caller.personId, actorOf(ctx.caller), ctx.now);
      const shown = formatLinkCode(code);
      await ctx.reply(
        `Mã liên kết của bạn: ${shown}, dùng trong ${TTL_MINUTES} phút: trên nền tảng còn lại, nhắn riêng cho bot /lienket ${shown}`,
      );
      return;
    }

    try {
      const { person } = redeemLinkCode(ctx.db, ctx.args, ctx.caller.personId, actorOf(ctx.caller), ctx.now);
      await ctx.reply(
        `Đã liên kết: từ nay bot xem ${person.identities.length} tài khoản của bạn là cùng một người, #${person.id} ${person.displayName}. Gõ /toi để xem lại.`,
      );
    } catch (error) {
      if (!(error instanceof LinkRefusal)) throw error;
      await ctx.reply(REFUSAL[error.reason]);
    }
  },
};
