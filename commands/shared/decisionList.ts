import { formatVnDate, vnParts } from '../../core/clock.js';
import { capitalized } from '../../core/text.js';
import { type AwaitingModel, modelsAwaiting } from '../../db/modelQueries.js';
import type { ModelState } from '../../db/schema.js';
import { decisionScopeOf, mayDecide, scopeOf } from '../../db/scope.js';
import { type CommandContext, DEFAULT_POLICY } from './command.js';
import { mayDecideOwnWork } from './decisionRules.js';
import { quotedName } from './modelText.js';

/**
 * What waits for a decision, numbered: `/duyet` lists it oldest first, and `/duyet 2` picks the
 * second of the same list, computed again at that moment in the same order. The list may have
 * moved in between (someone else decided on the first); the confirmation that follows names the
 * model by code and name, and only the model named there is changed, so a shifted number is
 * seen before anything happens.
 */

/** Models listed when a command is typed without a code. */
const LIST_LIMIT = 20;
/** The largest number anyone can mean: more than any list a person reads in a chat. */
const MAX_PICK = 999;

export interface AwaitingSpec {
  /** "mô hình chờ duyệt". */
  noun: string;
  states: readonly ModelState[];
  notYet?: 'replicated' | 'commended';
  /** What the list ends with: how to act on it. */
  hint: string;
  /** What entering the state was, before its date: "gửi 05/02". */
  since: string;
}

/** The command a list belongs to. */
export interface ListOwner {
  name: string;
  usage: string;
  /** A decision (the decision scope, without the person's own work), or a proposal (what the person may work on). */
  decides: boolean;
  awaiting: AwaitingSpec;
}

function queue(ctx: CommandContext, owner: ListOwner, limit: number) {
  const scope = owner.decides ? decisionScopeOf(ctx.db, ctx.caller) : scopeOf(ctx.db, ctx.caller);
  const adminMayDecideOwn = (ctx.policy ?? DEFAULT_POLICY).adminMayDecideOwn;
  const own =
    owner.decides && !mayDecideOwnWork(ctx.caller, adminMayDecideOwn) ? { personId: ctx.caller.personId, officerUnitIds: officerUnits(ctx) } : undefined;
  return { scope, ...modelsAwaiting(ctx.db, scope, owner.awaiting, limit, own) };
}

/** The numbered list, or that nothing waits. */
export function awaitingList(ctx: CommandContext, owner: ListOwner): string {
  const { scope, items, total, leftOut } = queue(ctx, owner, LIST_LIMIT);
  const where = scope.all ? '' : mayDecide(ctx.caller) ? ' trong phạm vi bạn phụ trách' : ' của đơn vị bạn';
  const { noun } = owner.awaiting;
  const others =
    leftOut > 0 ? `\nKhông liệt kê ${leftOut} mô hình do chính bạn đăng ký hoặc của đơn vị bạn là cán bộ đầu mối: người khác quyết định các mô hình này.` : '';
  if (total === 0) return `Hiện không có ${noun}${where}.${others}\nCách dùng: ${owner.usage}.`;
  const year = vnParts(ctx.now).year;
  const lines = [`${capitalized(noun)}${where} (${total}):`];
  items.forEach((item, i) => lines.push(itemLine(item, i + 1, owner.awaiting.since, year)));
  if (total > items.length) lines.push(`… và ${total - items.length} mô hình nữa.`);
  if (others) lines.push(others.trim());
  lines.push(owner.awaiting.hint);
  return lines.join('\n');
}

/** "1. DVK-2026-0007 “…” — Xã Cẩm Bình, gửi 05/02" */
function itemLine({ model, unitName, waitingSince }: AwaitingModel, n: number, since: string, year: number): string {
  const day = formatVnDate(new Date(waitingSince));
  const shown = vnParts(new Date(waitingSince)).year === year ? day.slice(0, 5) : day;
  return `${n}. ${model.code} ${quotedName(model, 70)} — ${unitName}, ${since} ${shown}`;
}

/** The first word as a number of the list ("2", "#2", "2."); undefined for a code or anything else. */
export function listNumber(word: string): number | undefined {
  const match = /^#?(\d{1,3})\.?$/.exec(word);
  return match ? Number(match[1]) : undefined;
}

/** The n-th model of the list as it is now, or why there is none. */
export function pickFromList(ctx: CommandContext, owner: ListOwner, n: number): { item: AwaitingModel } | { error: string } {
  const again = `Gõ /${owner.name} để xem danh sách.`;
  if (n < 1 || n > MAX_PICK) return { error: `Số thứ tự bắt đầu từ 1. ${again}` };
  const { items, total } = queue(ctx, owner, n);
  const item = items[n - 1];
  if (item) return { item };
  if (total === 0) return { error: `Hiện không có ${owner.awaiting.noun} nào để chọn số ${n}. Chưa có gì thay đổi.` };
  return { error: `Danh sách chỉ có ${total} mô hình, không có số ${n}. ${again} Chưa có gì thay đổi.` };
}

function officerUnits(ctx: CommandContext): number[] {
  return ctx.caller.grants.filter((g) => g.role === 'officer' && g.unitId !== null).map((g) => g.unitId!);
}
