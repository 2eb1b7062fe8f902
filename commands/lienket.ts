import { formatVnDateTime } from '../core/clock.js';
import type { Command, CommandContext } from './shared/command.js';
import { defineFlow, type StepState } from './shared/flow.js';
import { fold } from '../core/text.js';
import { recordAudit } from '../db/audit.js';
import { privateChatsOf } from '../db/chats.js';
import type { Db } from '../db/client.js';
import { actorOf, type RoleGrant } from '../db/people.js';
import {
  burnLinkCode,
  confirmPendingLink,
  createLinkCode,
  declinePendingLink,
  formatLinkCode,
  LINK_CODE_TTL_MS,
  LINK_FAILED,
  LinkRefusal,
  type LinkRefusalReason,
  type LinkPreview,
  type LinkResult,
  type PersonState,
  pendingLink,
  previewLink,
  redeemLinkCode,
} from '../db/personLink.js';
import { unitById } from '../db/units.js';
import { LOCKOUT_MS, MAX_WRONG_CODES, wrongCodesLockedUntil } from '../db/wrongCodes.js';
import { roleLabel } from './admin/phanquyen.js';
import { PLATFORM_LABEL } from '../core/labels.js';

/**
 * `/lienket`: one person on two platforms. Without an argument (in a private chat) it gives a
 * one-time code; `/lienket <mã>` typed privately from the other account shows whom that account
 * will become and, once confirmed, joins both into the code's person.
 *
 * The code is a credential: typed in a group it is burnt at once and its owner told privately.
 * Guessing is slowed like join codes. A merge that would hand the redeemer a role only the code's
 * person holds (admin, leader) also waits for the code's person to confirm on their own platform
 * (`/lienket xacnhan`), so a code seen over someone's shoulder cannot make anyone an admin.
 */

const TTL_MINUTES = LINK_CODE_TTL_MS / 60_000;
const NEW_CODE = 'Bạn lấy mã mới bằng /lienket trong tin nhắn riêng với bot.';

const REFUSAL: Record<LinkRefusalReason, string> = {
  unknown: `Không có mã liên kết này nên chưa có gì thay đổi. Bạn kiểm tra lại mã (8 ký tự, dạng ABCD-EFGH). ${NEW_CODE}`,
  expired: `Mã này đã hết hạn (mỗi mã chỉ dùng trong ${TTL_MINUTES} phút) nên chưa có gì thay đổi. ${NEW_CODE}`,
  used: `Mã này đã được dùng rồi nên chưa có gì thay đổi. ${NEW_CODE}`,
  burnt: `Mã này đã bị hủy vì từng bị gõ ở nơi người khác đọc được, nên chưa có gì thay đổi. ${NEW_CODE}`,
  own: 'Đây là mã của chính tài khoản này (hoặc hai tài khoản đã được liên kết rồi). Bạn nhập mã ở tài khoản trên nền tảng còn lại.',
  same_platform:
    'Không liên kết được: hai tài khoản này cùng ở một nền tảng, mà mỗi người chỉ có một tài khoản trên mỗi nền tảng. Bạn nhập mã từ tài khoản trên nền tảng còn lại.',
};

/** Words after /lienket that answer a waiting request instead of being a code. */
const CONFIRM_WORDS = new Set(['xacnhan', 'xac nhan', 'dong y', 'dongy', 'co']);
const DECLINE_WORDS = new Set(['tuchoi', 'tu choi', 'khong', 'huy']);

const minutesUntil = (until: Date, now: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));

export const lienket: Command = {
  name: 'lienket',
  access: 'anyone',
  summary: 'liên kết tài khoản của bạn trên hai nền tảng thành một người',
  usage: '/lienket [mã]',
  async run(ctx) {
    const word = fold(ctx.args).replace(/\s+/g, ' ').trim();
    if (ctx.args === '') return giveCode(ctx);
    if (CONFIRM_WORDS.has(word) || DECLINE_WORDS.has(word)) return answerRequest(ctx, CONFIRM_WORDS.has(word));
    if (ctx.msg.chat.kind !== 'private') return burnExposed(ctx);
    return redeem(ctx);
  },
};

async function giveCode(ctx: CommandContext): Promise<void> {
  // The code proves who holds both accounts, so it is never shown where others can read it.
  if (ctx.msg.chat.kind !== 'private') {
    await ctx.reply('Bạn nhắn riêng cho bot để lấy mã liên kết: mã chỉ được gửi trong tin nhắn riêng.');
    return;
  }
  const { code } = createLinkCode(ctx.db, ctx.caller.personId, actorOf(ctx.caller), ctx.now);
  const shown = formatLinkCode(code);
  await ctx.reply(`Mã liên kết của bạn: ${shown}, dùng trong ${TTL_MINUTES} phút: trên nền tảng còn lại, nhắn riêng cho bot /lienket ${shown}`);
}

/** A code typed in a group: whoever typed it, everyone there has read it now. */
async function burnExposed(ctx: CommandContext): Promise<void> {
  const burnt = burnLinkCode(ctx.db, ctx.args, actorOf(ctx.caller), ctx.now);
  await ctx.reply(
    'Mã liên kết chỉ được nhập trong tin nhắn riêng với bot. Mã vừa gõ đã lộ trong nhóm nên bot đã hủy mã này (nếu có); ' +
      'người cần liên kết lấy mã mới bằng /lienket trong tin nhắn riêng, rồi nhập mã cũng trong tin nhắn riêng.',
  );
  if (!burnt) return;
  const where = ctx.msg.chat.title ? `nhóm “${ctx.msg.chat.title}”` : 'một nhóm chat';
  const text =
    `Mã liên kết bạn lấy lúc ${formatVnDateTime(new Date(burnt.createdAt))} vừa bị gõ trong ${where}, nên bot đã hủy mã để không ai dùng được. ` +
    'Nếu bạn vẫn muốn liên kết tài khoản, gõ /lienket ở đây để lấy mã mới và chỉ nhập mã trong tin nhắn riêng với bot.';
  await ctx.notify(privateChatsOf(ctx.db, burnt.ownerPersonId).map((chat) => ({ chat, reply: { text } })));
}

async function redeem(ctx: CommandContext): Promise<void> {
  const lockedUntil = wrongCodesLockedUntil(ctx.db, LINK_FAILED, ctx.caller.personId, ctx.now);
  if (lockedUntil) {
    await ctx.reply(`Bạn đã nhập sai mã liên kết nhiều lần nên tạm thời chưa thử lại được. Bạn thử lại sau khoảng ${minutesUntil(lockedUntil, ctx.now)} phút.`);
    return;
  }
  try {
    const seen = previewLink(ctx.db, ctx.args, ctx.caller.personId, ctx.now);
    await ctx.conversations.start('lienket', ctx, { code: seen.code });
  } catch (error) {
    if (!(error instanceof LinkRefusal)) throw error;
    await ctx.reply(refuse(ctx, error.reason));
  }
}

/** The refusal, after counting a wrong try; the fifth in ten minutes locks further tries. */
function refuse(ctx: CommandContext, reason: LinkRefusalReason): string {
  // Typing one's own code or a second account on the same platform is a mistake, not a guess.
  if (reason === 'own' || reason === 'same_platform') return REFUSAL[reason];
  recordAudit(ctx.db, actorOf(ctx.caller), ctx.now, { action: LINK_FAILED, entity: 'person', entityId: ctx.caller.personId, after: { reason } });
  if (wrongCodesLockedUntil(ctx.db, LINK_FAILED, ctx.caller.personId, ctx.now)) {
    return `${REFUSAL[reason]} Bạn đã nhập sai ${MAX_WRONG_CODES} lần nên cần chờ ${LOCKOUT_MS / 60_000} phút mới thử lại được.`;
  }
  return REFUSAL[reason];
}

/** The code's person answers a redemption waiting for them. */
async function answerRequest(ctx: CommandContext, yes: boolean): Promise<void> {
  if (ctx.msg.chat.kind !== 'private') {
    await ctx.reply('Bạn nhắn riêng cho bot để trả lời yêu cầu liên kết tài khoản.');
    return;
  }
  const waiting = pendingLink(ctx.db, ctx.caller.personId, ctx.now);
  if (!waiting) {
    await ctx.reply(`Không có yêu cầu liên kết nào đang chờ bạn xác nhận (yêu cầu chỉ chờ ${TTL_MINUTES} phút). ${NEW_CODE}`);
    return;
  }
  const redeemer = accountsOf(waiting.drop);
  if (!yes) {
    declinePendingLink(ctx.db, ctx.caller.personId, actorOf(ctx.caller), ctx.now);
    await ctx.reply(`Đã từ chối: ${redeemer} không được liên kết với bạn, và mã liên kết đã bị hủy.`);
    await ctx.notify(
      privateChatsOf(ctx.db, waiting.drop.id).map((chat) => ({
        chat,
        reply: { text: 'Chủ mã liên kết đã từ chối nên hai tài khoản không được liên kết; chưa có gì thay đổi.' },
      })),
    );
    return;
  }
  let result: LinkResult | undefined;
  try {
    result = confirmPendingLink(ctx.db, ctx.caller.personId, actorOf(ctx.caller), ctx.now);
  } catch (error) {
    if (!(error instanceof LinkRefusal)) throw error;
    await ctx.reply(REFUSAL[error.reason]);
    return;
  }
  if (!result) {
    await ctx.reply(`Yêu cầu liên kết không còn chờ nữa (đã hết hạn hoặc đã được trả lời). ${NEW_CODE}`);
    return;
  }
  await ctx.reply(linkedText(result));
  const others = privateChatsOf(ctx.db, result.person.id).filter((c) => c.platform !== ctx.msg.chat.platform);
  await ctx.notify(others.map((chat) => ({ chat, reply: { text: linkedText(result) } })));
}

function linkedText(result: LinkResult): string {
  const { person } = result;
  return `✅ Đã liên kết: từ nay bot xem ${person.identities.length} tài khoản của bạn là cùng một người, #${person.id} ${person.displayName}. Gõ /toi để xem lại.`;
}

// ---------------------------------------------------------------------------------------------
// The confirmation: whom the redeemer becomes, and with which roles

function accountsOf(person: PersonState): string {
  return person.identities.map((i) => `${PLATFORM_LABEL[i.platform]} “${i.displayName}”${i.username ? ` (@${i.username})` : ''}`).join(', ');
}

function rolesText(db: Db, roles: readonly RoleGrant[]): string {
  return roles.length === 0 ? 'chưa có vai trò' : roles.map((r) => roleLabel(db, r.role, r.unitId)).join('; ');
}

function personText(db: Db, person: PersonState): string {
  const unit = person.unitId === null ? undefined : unitById(db, person.unitId);
  return `#${person.id} ${person.displayName} — ${accountsOf(person)}; đơn vị: ${unit ? unit.name : 'chưa có'}; vai trò: ${rolesText(db, person.roles)}`;
}

function platformsOf(person: PersonState): string {
  return [...new Set(person.identities.map((i) => PLATFORM_LABEL[i.platform]))].join(', ');
}

function previewLines(db: Db, seen: LinkPreview): string[] {
  const lines = [
    `• Tài khoản bạn đang dùng: ${personText(db, seen.drop)}`,
    `• Sẽ trở thành: ${personText(db, seen.keep)}`,
    `• Sau khi liên kết, cả hai là một người (#${seen.keep.id}), có mọi vai trò của cả hai.`,
  ];
  if (seen.gainedByOwner.length > 0) {
    lines.push(
      `• Tài khoản ${platformsOf(seen.keep)} kia sẽ có thêm quyền của bạn: ${rolesText(db, seen.gainedByOwner)}. Chỉ đồng ý nếu đó đúng là tài khoản của bạn.`,
    );
  }
  if (seen.gainedByRedeemer.length > 0) {
    lines.push(
      `• Tài khoản này sẽ có thêm quyền ${rolesText(db, seen.gainedByRedeemer)}, nên sau khi bạn đồng ý, chủ mã cần xác nhận trên ${platformsOf(seen.keep)}.`,
    );
  }
  return lines;
}

function codeOf(s: StepState): string {
  return String(s.context.code);
}

/** A flow with no question: its summary is the confirmation, its save the redemption. */
export const lienketFlow = defineFlow({
  id: 'lienket',
  command: 'lienket',
  title: 'liên kết tài khoản',
  version: 1,
  describe(s) {
    try {
      return previewLines(s.db, previewLink(s.db, codeOf(s), s.caller.personId, s.now));
    } catch (error) {
      if (!(error instanceof LinkRefusal)) throw error;
      return [`• ${REFUSAL[error.reason]}`];
    }
  },
}).save((s) => {
  let outcome;
  try {
    outcome = redeemLinkCode(s.db, codeOf(s), s.caller.personId, actorOf(s.caller), s.now);
  } catch (error) {
    // The code was burnt, used or expired while the person read the summary: nothing changes.
    if (!(error instanceof LinkRefusal)) throw error;
    return REFUSAL[error.reason];
  }
  if (outcome.kind === 'linked') return linkedText(outcome.result);
  const { keep, drop } = outcome.preview;
  const owners = privateChatsOf(s.db, keep.id);
  const notice =
    `${accountsOf(drop)} (#${drop.id}) vừa nhập mã liên kết của bạn và muốn gộp vào tài khoản của bạn; sau khi gộp, tài khoản đó sẽ có cả quyền ` +
    `${rolesText(s.db, outcome.preview.gainedByRedeemer)}. Nếu đúng là bạn, gõ /lienket xacnhan (trong ${TTL_MINUTES} phút). ` +
    'Nếu không phải bạn, gõ /lienket tuchoi: mã sẽ bị hủy.';
  return {
    reply:
      `✅ Đã ghi nhận. Vì tài khoản này sẽ có thêm quyền ${rolesText(s.db, outcome.preview.gainedByRedeemer)}, ` +
      `chủ mã cần xác nhận: bạn mở tin nhắn riêng với bot trên ${platformsOf(keep)} và gõ /lienket xacnhan trong ${TTL_MINUTES} phút.`,
    notices: owners.map((chat) => ({ chat, reply: { text: notice } })),
  };
});
