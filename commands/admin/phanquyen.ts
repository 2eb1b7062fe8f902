import { and, eq } from 'drizzle-orm';
import type { Reply } from '../../core/chat.js';
import { formatVnDate } from '../../core/clock.js';
import type { Command, CommandContext } from '../shared/command.js';
import { charLength, ellipsize, fold } from '../../core/text.js';
import { withMentions } from '../shared/unitNotices.js';
import type { Db } from '../../db/client.js';
import { actorOf } from '../../db/people.js';
import { findPersonRef, type NamedPerson, type SeenPerson } from '../../db/personRef.js';
import { type Role, roles } from '../../db/schema.js';
import { grantRole, LastAdmin, revokeRole, type RoleSpec } from '../../db/roles.js';
import { unitByCode } from '../../db/unitAdmin.js';
import { type UnitRow, unitById } from '../../db/units.js';
import { privateRoute } from '../shared/privately.js';
import { unitLabel } from '../shared/unitNames.js';

/**
 * `/phanquyen` and `/thuquyen <vai trò> <người> [mã đơn vị]`: an admin gives and takes roles.
 * The role comes first, a unit's short code (if any) last, and the person is what lies between:
 * a mention, "#12", or the name they go by on this platform.
 */

/** Role words as people type them, folded; the longest match at the start wins. */
const ROLE_WORDS = new Map<string, Role>([
  ['quan tri', 'admin'],
  ['quantri', 'admin'],
  ['admin', 'admin'],
  ['lanh dao', 'leader'],
  ['lanhdao', 'leader'],
  ['leader', 'leader'],
  ['can bo dau moi', 'officer'],
  ['canbodaumoi', 'officer'],
  ['can bo', 'officer'],
  ['canbo', 'officer'],
  ['dau moi', 'officer'],
  ['daumoi', 'officer'],
  ['officer', 'officer'],
]);

/** How a role is written back in examples. */
const ROLE_WORD: Record<Role, string> = { admin: 'quản trị', leader: 'lãnh đạo', officer: 'cán bộ' };

const MAX_ARGS = 300;

export interface RoleArgs {
  role: Role;
  /** What names the person (ignored when the message mentions someone). */
  personText: string;
  unit?: UnitRow;
  /** "toàn tỉnh": a leader of the whole deployment. */
  whole: boolean;
  /** The last word, when it was not read as a unit: it may be a mistyped code. */
  lastWord?: string;
}

export function parseRoleArgs(db: Db, args: string): RoleArgs | undefined {
  const words = args.split(/\s+/).filter(Boolean);
  let role: Role | undefined;
  let rest: string[] = [];
  for (let n = Math.min(4, words.length); n >= 1; n--) {
    role = ROLE_WORDS.get(fold(words.slice(0, n).join(' ')));
    if (role) {
      rest = words.slice(n);
      break;
    }
  }
  if (!role) return undefined;

  let unit: UnitRow | undefined;
  let whole = false;
  const last = rest.at(-1);
  if (rest.length >= 2 && fold(rest.slice(-2).join(' ')) === 'toan tinh') {
    whole = true;
    rest = rest.slice(0, -2);
  } else if (last !== undefined && fold(last) === 'toantinh') {
    whole = true;
    rest = rest.slice(0, -1);
  } else if (last !== undefined && (unit = unitByCode(db, last))) {
    rest = rest.slice(0, -1);
  }
  return { role, personText: rest.join(' '), unit, whole, lastWord: unit || whole ? undefined : last };
}

const USAGE = (command: string) =>
  [
    `Cách gõ: /${command} <vai trò> <người> [mã đơn vị]`,
    '• vai trò: quản trị, lãnh đạo, hoặc cán bộ (đầu mối)',
    '• người: nhắc tên (@), gõ tên hiển thị của họ, hoặc #số của họ',
    '• mã đơn vị: cần cho cán bộ và lãnh đạo; lãnh đạo chung của cả tỉnh thì gõ “toàn tỉnh”',
    `Ví dụ: /${command} cán bộ Nguyễn Văn An CAMXUYEN`,
  ].join('\n');

const UNKNOWN_PERSON = 'Chưa thấy người này nhắn trong nhóm; nhờ họ gõ /huongdan một lần để bot biết họ.';

export function roleLabel(db: Db, role: Role, unitId: number | null): string {
  if (role === 'admin') return 'quản trị';
  const unit = unitId === null ? undefined : unitById(db, unitId);
  if (role === 'leader') return unit ? `lãnh đạo ${unitLabel(unit)}` : 'lãnh đạo toàn tỉnh';
  return `cán bộ đầu mối của ${unit ? unitLabel(unit) : 'đơn vị'}`;
}

function personLabel(person: NamedPerson): string {
  return `${person.displayName} (#${person.personId})`;
}

/** "• #12 Nguyễn Văn An — Xã Cẩm Xuyên": one of the people a name or mention could mean. */
function candidateLine(ctx: CommandContext, person: NamedPerson): string {
  const unit = person.unitId === null ? undefined : unitById(ctx.db, person.unitId);
  return `• #${person.personId} ${person.displayName}${unit ? ` — ${unit.name}` : ''}`;
}

/** The command again with the person's number instead of what named them. */
function retyped(command: string, args: RoleArgs, person: NamedPerson): string {
  const where = args.unit ? ` ${args.unit.shortCode}` : args.whole ? ' toàn tỉnh' : '';
  return `/${command} ${ROLE_WORD[args.role]} #${person.personId}${where}`;
}

/** Parses the arguments and finds the person; answers the admin itself when something is wrong. */
async function understand(ctx: CommandContext, command: string): Promise<{ args: RoleArgs; person: NamedPerson } | undefined> {
  if (charLength(ctx.args) > MAX_ARGS) {
    await ctx.reply(`Nội dung lệnh dài quá (tối đa ${MAX_ARGS} ký tự).\n\n${USAGE(command)}`);
    return undefined;
  }
  const args = parseRoleArgs(ctx.db, ctx.args);
  if (!args) {
    await ctx.reply(ctx.args === '' ? USAGE(command) : `Chưa rõ vai trò nào.\n\n${USAGE(command)}`);
    return undefined;
  }
  const found = findPersonRef(ctx.db, ctx.msg, args.personText, ctx.now);
  switch (found.kind) {
    case 'found':
      return { args, person: found.person };
    case 'empty':
      await ctx.reply(`Bạn chưa ghi người cần ${command === 'phanquyen' ? 'cấp' : 'thu hồi'} quyền.\n\n${USAGE(command)}`);
      return undefined;
    case 'ambiguous': {
      const list = found.people.map((p) => candidateLine(ctx, p));
      await ctx.reply(
        `Có ${found.people.length} người cùng tên “${ellipsize(args.personText.replace(/^@+/, ''), 60)}”:\n${list.join('\n')}\n` +
          `Bạn gõ lại với số của người cần chọn, ví dụ ${retyped(command, args, found.people[0]!)}.`,
      );
      return undefined;
    }
    case 'unconfirmed': {
      // A role never goes to whoever held a username before: the admin names the person by number.
      const username = `@${ellipsize(found.username, 40)}`;
      const seen = (p: SeenPerson) => `bot thấy lần cuối ngày ${formatVnDate(new Date(p.lastSeenAt))}`;
      const [latest] = found.people;
      if (found.people.length === 1) {
        await ctx.reply(
          `Bot chưa chắc ${username} là ai: tên này là của ${personLabel(latest!)}, nhưng ${seen(latest!)}; tên Telegram có thể đã đổi chủ từ đó. ` +
            `Nếu đúng người, bạn gõ lại bằng số của họ: ${retyped(command, args, latest!)}`,
        );
        return undefined;
      }
      const list = found.people.map((p) => `${candidateLine(ctx, p)} (${seen(p)})`);
      await ctx.reply(
        `Tên ${username} từng thuộc về ${found.people.length} người:\n${list.join('\n')}\n` +
          `Bạn gõ lại với số của người cần chọn, ví dụ ${retyped(command, args, latest!)}.`,
      );
      return undefined;
    }
    case 'unknown': {
      // "Nguyễn Văn An CAMXUYENN": the person is known once the mistyped code is set aside.
      const words = args.personText.split(' ');
      if (args.lastWord !== undefined && words.length >= 2 && findPersonRef(ctx.db, ctx.msg, words.slice(0, -1).join(' '), ctx.now).kind !== 'unknown') {
        await ctx.reply(`Không có đơn vị mã “${ellipsize(args.lastWord, 30)}”. Gõ /donvi để xem các mã.`);
        return undefined;
      }
      await ctx.reply(UNKNOWN_PERSON);
      return undefined;
    }
  }
}

/** The role's unit as typed, or the reason it cannot be used for that role. */
function scopeOfArgs(args: RoleArgs, command: string): { unitId: number | null } | { refusal: string } {
  if (args.role === 'admin') {
    if (args.unit) return { refusal: 'Quyền quản trị dùng cho toàn hệ thống, không gắn với đơn vị; bạn bỏ mã đơn vị đi nhé.' };
    return { unitId: null };
  }
  if (args.role === 'leader') {
    if (args.whole) return { unitId: null };
    if (args.unit) return { unitId: args.unit.id };
    return {
      refusal: `Lãnh đạo cần gắn với một đơn vị (xem được cả các đơn vị trực thuộc): bạn thêm mã đơn vị ở cuối, hoặc “toàn tỉnh” cho lãnh đạo chung. Ví dụ: /${command} lãnh đạo Nguyễn Văn An CAMXUYEN`,
    };
  }
  if (args.unit) return { unitId: args.unit.id };
  return {
    refusal: `Cán bộ đầu mối gắn với một đơn vị cụ thể: bạn thêm mã đơn vị ở cuối. Ví dụ: /${command} cán bộ Nguyễn Văn An CAMXUYEN`,
  };
}

export const phanquyen: Command = {
  name: 'phanquyen',
  access: 'admin',
  summary: 'cấp quyền quản trị, lãnh đạo hoặc cán bộ đầu mối cho một người',
  usage: '/phanquyen <vai trò> <người> [mã đơn vị]',
  async run(ctx) {
    const understood = await understand(ctx, 'phanquyen');
    if (!understood) return;
    const { args, person } = understood;
    const scope = scopeOfArgs(args, 'phanquyen');
    if ('refusal' in scope) {
      await ctx.reply(scope.refusal);
      return;
    }
    if (args.unit && !args.unit.active) {
      await ctx.reply(`${unitLabel(args.unit)} đã ngừng hoạt động nên không cấp quyền cho đơn vị này được.`);
      return;
    }
    const spec: RoleSpec = { personId: person.personId, role: args.role, unitId: scope.unitId };
    const outcome = ctx.db.transaction((tx) => grantRole(tx, spec, actorOf(ctx.caller), ctx.now));
    const label = roleLabel(ctx.db, spec.role, spec.unitId);
    if (outcome.result === 'already') {
      await ctx.reply(`${personLabel(person)} đã có quyền ${label} rồi; không có gì thay đổi.`);
      return;
    }
    const unitNote = outcome.personUnitSet && args.unit ? ` Đơn vị công tác: ${args.unit.name}.` : '';
    let reply: Reply;
    if (person.ref && ctx.msg.chat.kind === 'group') {
      // Tell the person where they are: they see at once what they may now do.
      reply = { text: withMentions([person.ref], `bạn đã được cấp quyền ${label}.${unitNote} Gõ /huongdan để xem các lệnh bạn dùng được.`) };
    } else {
      reply = { text: `✅ Đã cấp quyền ${label} cho ${personLabel(person)}.${unitNote}` };
    }
    await ctx.reply(reply);
  },
};

export const thuquyen: Command = {
  name: 'thuquyen',
  access: 'admin',
  summary: 'thu hồi quyền quản trị, lãnh đạo hoặc cán bộ đầu mối của một người',
  usage: '/thuquyen <vai trò> <người> [mã đơn vị]',
  async run(ctx) {
    const understood = await understand(ctx, 'thuquyen');
    if (!understood) return;
    const { args, person } = understood;
    let unitId: number | null;
    if (args.role !== 'admin' && !args.unit && !args.whole) {
      // Without a code the role is unambiguous only if the person holds it once.
      const held = ctx.db
        .select({ unitId: roles.unitId })
        .from(roles)
        .where(and(eq(roles.personId, person.personId), eq(roles.role, args.role)))
        .all();
      if (held.length === 0) {
        await ctx.reply(`${personLabel(person)} không có quyền ${args.role === 'leader' ? 'lãnh đạo' : 'cán bộ đầu mối'} nào nên không có gì để thu hồi.`);
        return;
      }
      if (held.length > 1) {
        const list = held.map((h) => roleLabel(ctx.db, args.role, h.unitId)).join('; ');
        await ctx.reply(`${personLabel(person)} có nhiều quyền loại này: ${list}. Bạn ghi thêm mã đơn vị ở cuối lệnh.`);
        return;
      }
      unitId = held[0]!.unitId;
    } else {
      const scope = scopeOfArgs(args, 'thuquyen');
      if ('refusal' in scope) {
        await ctx.reply(scope.refusal);
        return;
      }
      unitId = scope.unitId;
    }
    const spec: RoleSpec = { personId: person.personId, role: args.role, unitId };
    const label = roleLabel(ctx.db, spec.role, spec.unitId);
    let outcome: 'revoked' | 'absent';
    try {
      outcome = ctx.db.transaction((tx) => revokeRole(tx, spec, actorOf(ctx.caller), ctx.now));
    } catch (error) {
      if (!(error instanceof LastAdmin)) throw error;
      await ctx.reply(
        `Không thu hồi được: ${personLabel(person)} là quản trị cuối cùng. Bạn cấp quyền quản trị cho người khác trước (/phanquyen quản trị <người>).`,
      );
      return;
    }
    if (outcome === 'absent') {
      await ctx.reply(`${personLabel(person)} không có quyền ${label} nên không có gì để thu hồi.`);
      return;
    }
    const done = `✅ Đã thu hồi quyền ${label} của ${personLabel(person)}.`;
    const unit = spec.role === 'officer' && spec.unitId !== null ? unitById(ctx.db, spec.unitId) : undefined;
    if (!unit) {
      await ctx.reply(done);
      return;
    }
    // The person still knows the unit's join code: it no longer works for them (db/roles.ts), and
    // the admin may want a new one in case it travelled further. Offered where only they read it.
    const stays = 'Người này không còn thuộc đơn vị và mã tham gia của đơn vị không đưa họ vào lại được; muốn cho họ vào lại, bạn dùng /phanquyen.';
    const offer =
      `${personLabel(person)} vẫn biết mã tham gia của ${unitLabel(unit)}. Nếu mã có thể đã đến tay người khác, bạn cấp mã mới: ` +
      `gõ /suadonvi ${unit.shortCode} rồi chọn “Cấp lại mã tham gia” (mã mới chỉ gửi riêng cho bạn).`;
    const route = privateRoute(ctx.db, ctx.caller, ctx.msg.chat);
    if (route.kind === 'elsewhere') {
      await ctx.reply(`${done} ${stays}`);
      await ctx.notify([{ chat: route.chat, reply: { text: offer } }]);
      return;
    }
    await ctx.reply(`${done} ${stays}\n${offer}`);
  },
};
