import type { Command } from '../shared/command.js';
import { ellipsize } from '../../core/text.js';
import { UNIT_KINDS, type UnitKind } from '../../db/schema.js';
import { allUnits } from '../../db/unitAdmin.js';
import { type UnitRow } from '../../db/units.js';
import { unitFromArgs, unitLabel } from '../shared/unitNames.js';
import { privateRoute, sendPrivately } from '../shared/privately.js';
import { vietnameseCollator } from '../../core/vietnameseOrder.js';

/**
 * `/donvi`: the unit tree as administrators see it, with join codes. `/themdonvi` adds a unit,
 * `/suadonvi <mã>` changes one (their own files).
 */

// ---------------------------------------------------------------------------------------------
// The tree

const KIND_RANK = new Map<UnitKind, number>(UNIT_KINDS.map((k, i) => [k, i]));
const MAX_LINES = 60;
// Long unit names must not push one reply past what chat platforms accept (Telegram: 4096).
const MAX_CHARS = 3500;

function byKindThenName(a: UnitRow, b: UnitRow): number {
  return (KIND_RANK.get(a.kind) ?? 99) - (KIND_RANK.get(b.kind) ?? 99) || vietnameseCollator.compare(a.name, b.name);
}

/** Units under the given roots, depth first, each with its depth below its root. */
export function treeEntries(all: readonly UnitRow[], roots: readonly UnitRow[]): { unit: UnitRow; depth: number }[] {
  const children = new Map<number, UnitRow[]>();
  for (const u of all) {
    if (u.parentId === null) continue;
    const list = children.get(u.parentId) ?? [];
    list.push(u);
    children.set(u.parentId, list);
  }
  const out: { unit: UnitRow; depth: number }[] = [];
  const seen = new Set<number>();
  const walk = (unit: UnitRow, depth: number) => {
    if (seen.has(unit.id)) return; // a loop written by hand into the database must not hang the bot
    seen.add(unit.id);
    out.push({ unit, depth });
    for (const child of [...(children.get(unit.id) ?? [])].sort(byKindThenName)) walk(child, depth + 1);
  };
  for (const root of [...roots].sort(byKindThenName)) walk(root, 0);
  return out;
}

/** A line of the tree; join codes only when the tree is read in a private chat (see privately.ts). */
function treeLine({ unit, depth }: { unit: UnitRow; depth: number }, withCodes: boolean): string {
  const tail = !unit.active ? ' — ngừng hoạt động' : withCodes ? ` — mã tham gia: ${unit.joinCode}` : '';
  return `${'  '.repeat(depth)}${unitLabel(unit)}${tail}`;
}

function treeText(header: string, entries: { unit: UnitRow; depth: number }[], withCodes: boolean): string {
  const lines = [header];
  let chars = header.length;
  let shown = 0;
  for (const entry of entries) {
    const line = treeLine(entry, withCodes);
    if (shown >= MAX_LINES || chars + line.length + 1 > MAX_CHARS) break;
    lines.push(line);
    chars += line.length + 1;
    shown++;
  }
  const rest = entries.length - shown;
  if (rest > 0) lines.push(`… còn ${rest} đơn vị; gõ /donvi <mã> để xem một nhánh.`);
  lines.push('', 'Thêm đơn vị: /themdonvi — sửa: /suadonvi <mã>.');
  return lines.join('\n');
}

export const donvi: Command = {
  name: 'donvi',
  access: 'admin',
  summary: 'xem cây đơn vị; mã tham gia của từng đơn vị chỉ hiện trong tin nhắn riêng với bot',
  usage: '/donvi [mã đơn vị]',
  async run(ctx) {
    const all = allUnits(ctx.db);
    if (all.length === 0) {
      await ctx.reply('Chưa có đơn vị nào. Gõ /themdonvi để thêm đơn vị đầu tiên (đơn vị gốc, ví dụ cấp tỉnh).');
      return;
    }
    let header: string;
    let entries: { unit: UnitRow; depth: number }[];
    let again = '/donvi';
    if (ctx.args === '') {
      const ids = new Set(all.map((u) => u.id));
      const roots = all.filter((u) => u.parentId === null || !ids.has(u.parentId));
      header = `Các đơn vị (${all.length}):`;
      entries = treeEntries(all, roots);
    } else {
      const unit = unitFromArgs(ctx.db, ctx.args);
      if (!unit) {
        await ctx.reply(`Không có đơn vị mã “${ellipsize(ctx.args, 40)}”. Gõ /donvi để xem cả cây đơn vị.`);
        return;
      }
      const parent = unit.parentId === null ? undefined : all.find((u) => u.id === unit.parentId);
      entries = treeEntries(all, [unit]);
      const where = parent ? `, thuộc ${unitLabel(parent)}` : '';
      header = `Nhánh ${unitLabel(unit)}${where} — ${entries.length} đơn vị:`;
      again = `/donvi ${unit.shortCode}`;
    }
    const route = privateRoute(ctx.db, ctx.caller, ctx.msg.chat);
    if (route.kind === 'here') {
      await ctx.reply(treeText(header, entries, true));
      return;
    }
    // In a group: the tree as everyone may read it, the codes to the admin alone.
    const note = await sendPrivately(ctx, route, treeText(header, entries, true), again);
    await ctx.reply(`${treeText(header, entries, false)}\n${note}`);
  },
};
