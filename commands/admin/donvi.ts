import { z } from 'zod';
import { matchChoice, textAnswer, wordValue } from '../../core/answers.js';
import type { Choice } from '../../core/chat.js';
import type { Command } from '../shared/command.js';
import { type Flow, FlowError, type FlowOutcome, type StepState } from '../shared/flow.js';
import { ellipsize, fold } from '../../core/text.js';
import type { Db } from '../../db/client.js';
import { actorOf } from '../../db/people.js';
import { UNIT_KINDS, type UnitKind } from '../../db/schema.js';
import { allUnits, createUnit, DuplicateShortCode, unitByCode, UnitCycle, updateUnit } from '../../db/unitAdmin.js';
import { reservedUnitCodeReason } from '../../db/reservedUnitCodes.js';
import { activeUnits, subtreeIds, type UnitRow, unitById } from '../../db/units.js';
import { findUnit } from '../dangky.js';
import { askPrivately, privateRoute, sendPrivately } from '../shared/privately.js';
import { requireAdmin } from '../shared/requireAdmin.js';

/**
 * The unit tree, as administrators see and shape it: `/donvi` lists it with join codes,
 * `/themdonvi` adds a unit, `/suadonvi <mã>` changes one.
 */

export const UNIT_KIND_LABEL: Record<UnitKind, string> = {
  province: 'Tỉnh',
  department: 'Sở, ban, ngành',
  district: 'Huyện, thành phố, thị xã',
  commune: 'Xã, phường, thị trấn',
  organisation: 'Tổ chức, đoàn thể',
  school: 'Trường học',
  hospital: 'Bệnh viện',
  armed_forces: 'Lực lượng vũ trang',
  enterprise: 'Doanh nghiệp',
  other: 'Khác',
};

/** "Huyện Cẩm Xuyên (CAMXUYEN)": how a unit is named in every admin reply. */
export function unitLabel(unit: Pick<UnitRow, 'name' | 'shortCode'>): string {
  return `${unit.name} (${unit.shortCode})`;
}

/** A unit typed by its short code or its name, among all units (active or not). */
export function unitFromArgs(db: Db, typed: string): UnitRow | undefined {
  return unitByCode(db, typed) ?? findUnit(allUnits(db), typed).unit;
}

// ---------------------------------------------------------------------------------------------
// The tree

const KIND_RANK = new Map<UnitKind, number>(UNIT_KINDS.map((k, i) => [k, i]));
const MAX_LINES = 60;
// Long unit names must not push one reply past what chat platforms accept (Telegram: 4096).
const MAX_CHARS = 3500;

function byKindThenName(a: UnitRow, b: UnitRow): number {
  return (KIND_RANK.get(a.kind) ?? 99) - (KIND_RANK.get(b.kind) ?? 99) || a.name.localeCompare(b.name, 'vi');
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

// ---------------------------------------------------------------------------------------------
// Answers shared by the two flows

const CODE_SHAPE = /^[A-Z0-9-]{2,30}$/;

/** Territorial prefixes dropped from a suggested code: "Huyện Cẩm Xuyên" → CAMXUYEN. */
const PLACE_PREFIXES = ['thanh pho', 'thi xa', 'thi tran', 'tinh', 'huyen', 'quan', 'xa', 'phuong'];

/**
 * A free short code derived from the name: a place keeps its own name ("Xã Cẩm Lộc" → CAMLOC),
 * an agency its initials ("Sở Giáo dục và Đào tạo" → SGDDT).
 */
export function suggestShortCode(db: Pick<Db, 'select'>, name: string): string {
  const words = fold(name)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  const text = words.join(' ');
  const prefix = PLACE_PREFIXES.find((p) => text.startsWith(`${p} `));
  let base: string;
  if (prefix) base = text.slice(prefix.length + 1).replace(/ /g, '');
  else if (words.length >= 3)
    base = words
      .filter((w) => w !== 'va')
      .map((w) => w[0])
      .join('');
  else base = words.join('');
  base = base.toUpperCase();
  // "Phường 10" → 10 would be read as a number, "Xã Năm" → NAM as a period word: keep the whole name.
  if (base.length < 2 || reservedUnitCodeReason(base)) base = words.join('').toUpperCase().padEnd(2, 'X');
  base = base.slice(0, 27);
  let code = base;
  for (let n = 2; reservedUnitCodeReason(code) || unitByCode(db, code); n++) code = `${base}-${n}`;
  return code;
}

function shortCodeSchema(db: Db, options: { suggestion?: string; unit?: UnitRow }) {
  return z.string().transform((raw, ctx) => {
    const typed = raw.trim();
    if (options.suggestion && (typed === '1' || typed === options.suggestion)) return options.suggestion;
    const code = fold(typed).toUpperCase();
    const reserved = reservedUnitCodeReason(code);
    let problem: string | undefined;
    if (/\s/.test(code)) problem = 'Mã viết liền, không có dấu cách (có thể dùng dấu gạch ngang, ví dụ CX-CAMLOC).';
    else if (!CODE_SHAPE.test(code)) {
      problem = 'Mã gồm 2 đến 30 ký tự: chữ cái không dấu, chữ số và dấu gạch ngang (-), ví dụ CAMXUYEN hoặc CX-CAMBINH.';
    } else if (reserved) problem = `“${code}” không dùng làm mã đơn vị được: ${reserved}. Bạn chọn mã khác.`;
    else if (options.unit && code === options.unit.shortCode) problem = `${code} đang là mã của chính đơn vị này; bạn gõ mã mới.`;
    else {
      const taken = unitByCode(db, code);
      if (taken) problem = `Mã ${code} đã dùng cho ${taken.name}; bạn chọn mã khác.`;
    }
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return code;
  });
}

const KIND_CHOICES: Choice[] = UNIT_KINDS.map((k) => ({ value: k, label: UNIT_KIND_LABEL[k] }));

/** Single words people answer with ("xã", "sở"), which the grouped labels alone would not match. */
const KIND_WORDS: Record<string, UnitKind> = {
  tinh: 'province',
  so: 'department',
  ban: 'department',
  nganh: 'department',
  huyen: 'district',
  quan: 'district',
  'thanh pho': 'district',
  'thi xa': 'district',
  xa: 'commune',
  phuong: 'commune',
  'thi tran': 'commune',
  'to chuc': 'organisation',
  'doan the': 'organisation',
  'mat tran': 'organisation',
  truong: 'school',
  'benh vien': 'hospital',
  'cong an': 'armed_forces',
  'quan su': 'armed_forces',
  'quan doi': 'armed_forces',
  'bien phong': 'armed_forces',
  'doanh nghiep': 'enterprise',
  'cong ty': 'enterprise',
};

function kindSchema(current?: UnitKind) {
  return z.string().transform((raw, ctx) => {
    const word = fold(raw)
      .replace(/[^a-z0-9 ]/g, '')
      .trim();
    const kind = wordValue(KIND_WORDS, word) ?? (matchChoice(KIND_CHOICES, raw)?.value as UnitKind | undefined);
    if (!kind) {
      ctx.addIssue({
        code: 'custom',
        message: `Chưa rõ loại đơn vị. Bạn trả lời bằng số từ 1 đến ${KIND_CHOICES.length} hoặc gõ tên loại, ví dụ: xã, huyện, sở.`,
      });
      return z.NEVER;
    }
    if (kind === current) {
      ctx.addIssue({ code: 'custom', message: `Đơn vị đang là loại “${UNIT_KIND_LABEL[kind]}”; bạn chọn loại khác, hoặc gõ /huy.` });
      return z.NEVER;
    }
    return kind;
  });
}

/** The parent typed by code or name, among active units; `moving` is refused under its own subtree. */
function parentSchema(db: Db, moving?: UnitRow) {
  return z.string().transform((raw, ctx) => {
    const { unit, candidates } = findUnit(activeUnits(db), raw);
    let problem: string | undefined;
    if (!unit) {
      problem =
        candidates.length > 1
          ? `Có ${candidates.length} đơn vị khớp, ví dụ: ${candidates.slice(0, 5).map(unitLabel).join('; ')}. Bạn gõ mã đơn vị cho chắc.`
          : 'Chưa tìm thấy đơn vị đó. Bạn gõ mã (ví dụ HATINH) hoặc tên đầy đủ của một đơn vị đang hoạt động; gõ /donvi để xem danh sách.';
    } else if (moving && unit.id === moving.parentId) {
      problem = `${moving.name} đã thuộc ${unitLabel(unit)} rồi; bạn chọn đơn vị khác, hoặc gõ /huy.`;
    } else if (moving && subtreeIds(db, [moving.id]).includes(unit.id)) {
      problem = cycleMessage(moving, unit);
    }
    if (problem || !unit) {
      ctx.addIssue({ code: 'custom', message: problem ?? '' });
      return z.NEVER;
    }
    return unit.id;
  });
}

function cycleMessage(unit: UnitRow, parent: UnitRow): string {
  if (unit.id === parent.id) return 'Một đơn vị không thể là cấp trên của chính nó; bạn chọn đơn vị khác.';
  return `Không thể chuyển ${unitLabel(unit)} về dưới ${unitLabel(parent)}, vì ${parent.name} nằm trong chính nhánh của ${unit.name} (sẽ thành vòng lặp). Bạn chọn đơn vị khác.`;
}

function unitDisplay(value: unknown, s: StepState): string {
  const unit = unitById(s.db, Number(value));
  return unit ? unitLabel(unit) : String(value);
}

/**
 * A save's answer with the unit's join code: the code itself only in the admin's private chat.
 * From a group, the code goes to the admin's private chat as a notice sent once the save is
 * committed; the group reads that it was sent, or how to see it privately.
 */
function withJoinCode(s: StepState, done: string, unit: UnitRow): FlowOutcome {
  const secret = `Mã tham gia của ${unitLabel(unit)}: ${unit.joinCode}`;
  const route = privateRoute(s.db, s.caller, s.chat);
  if (route.kind === 'here') return `${done}\n${secret}`;
  if (route.kind === 'none') return `${done}\n${askPrivately(`/donvi ${unit.shortCode}`)}`;
  return {
    reply: `${done}\nMã tham gia được gửi riêng cho bạn; nếu chưa thấy, bạn nhắn riêng cho bot /donvi ${unit.shortCode}.`,
    notices: [{ chat: route.chat, reply: { text: secret } }],
  };
}

// ---------------------------------------------------------------------------------------------
// /themdonvi

function hasUnits(db: Db): boolean {
  return allUnits(db).length > 0;
}

export const themdonviFlow: Flow = {
  id: 'themdonvi',
  command: 'themdonvi',
  title: 'thêm đơn vị',
  steps: [
    { key: 'name', label: 'Tên đơn vị', prompt: 'Tên đầy đủ của đơn vị? (ví dụ: Xã Cẩm Lộc)', schema: textAnswer({ min: 3, max: 200 }) },
    {
      key: 'code',
      label: 'Mã ngắn',
      prompt: (s) =>
        `Mã ngắn của đơn vị? Viết liền không dấu, 2 đến 30 ký tự (chữ, số, dấu -). Gợi ý: ${suggestShortCode(s.db, String(s.answers.name))} — bấm hoặc gõ 1 để dùng mã này.`,
      choices: (s) => {
        const suggestion = suggestShortCode(s.db, String(s.answers.name));
        return [{ value: suggestion, label: suggestion }];
      },
      schema: (s) => shortCodeSchema(s.db, { suggestion: suggestShortCode(s.db, String(s.answers.name)) }),
    },
    { key: 'kind', label: 'Loại đơn vị', prompt: 'Đơn vị thuộc loại nào?', choices: KIND_CHOICES, schema: kindSchema() },
    {
      key: 'parent',
      label: 'Đơn vị cấp trên',
      prompt: 'Đơn vị cấp trên là đơn vị nào? (gõ mã, ví dụ CAMXUYEN, hoặc tên đơn vị)',
      // The very first unit is the root of the tree; every later one hangs under an existing unit.
      when: (s) => hasUnits(s.db),
      schema: (s) => parentSchema(s.db),
      display: unitDisplay,
    },
  ],
  save(s) {
    requireAdmin(s.caller);
    const parentId = s.answers.parent == null ? null : Number(s.answers.parent);
    if (parentId === null && hasUnits(s.db)) {
      throw new FlowError('Trong lúc bạn nhập đã có đơn vị khác được tạo, nên đơn vị mới cần có đơn vị cấp trên.', 'parent');
    }
    const parent = parentId === null ? undefined : unitById(s.db, parentId);
    if (parentId !== null && (!parent || !parent.active)) {
      throw new FlowError('Đơn vị cấp trên bạn chọn không còn hoạt động; bạn chọn đơn vị khác.', 'parent');
    }
    try {
      const unit = createUnit(
        s.db,
        { name: String(s.answers.name), shortCode: String(s.answers.code), kind: s.answers.kind as UnitKind, parentId },
        actorOf(s.caller),
        s.now,
      );
      const place = parent ? `thuộc ${unitLabel(parent)}` : 'là đơn vị gốc của cây';
      return withJoinCode(s, `✅ Đã thêm ${unitLabel(unit)}, ${place}.`, unit);
    } catch (error) {
      if (error instanceof DuplicateShortCode) {
        throw new FlowError(`Mã ${error.existing.shortCode} vừa được dùng cho ${error.existing.name}; bạn chọn mã khác.`, 'code');
      }
      throw error;
    }
  },
};

export const themdonvi: Command = {
  name: 'themdonvi',
  access: 'admin',
  summary: 'thêm một đơn vị vào cây đơn vị',
  async run(ctx) {
    await ctx.conversations.start('themdonvi', ctx);
  },
};

// ---------------------------------------------------------------------------------------------
// /suadonvi <mã>

type Change = 'name' | 'code' | 'kind' | 'parent' | 'active' | 'joinCode';

function editedUnit(s: StepState): UnitRow {
  const unit = unitById(s.db, Number(s.context.unitId));
  // Units are never deleted, so only a hand-edited database gets here.
  if (!unit) throw new FlowError('Không còn tìm thấy đơn vị này. Gõ /huy để thoát.');
  return unit;
}

function changeChoices(s: StepState): Choice[] {
  const unit = editedUnit(s);
  return [
    { value: 'name', label: 'Tên' },
    { value: 'code', label: 'Mã' },
    { value: 'kind', label: 'Loại' },
    { value: 'parent', label: 'Đơn vị cấp trên' },
    { value: 'active', label: unit.active ? 'Ngừng hoạt động' : 'Hoạt động lại' },
    { value: 'joinCode', label: 'Cấp lại mã tham gia' },
  ];
}

function changeDisplay(value: unknown, s: StepState): string {
  const unit = editedUnit(s);
  const what: Record<Change, string> = {
    name: 'đổi tên',
    code: 'đổi mã',
    kind: 'đổi loại',
    parent: 'chuyển sang đơn vị cấp trên khác',
    active: unit.active ? 'ngừng hoạt động' : 'cho hoạt động lại',
    joinCode: 'cấp lại mã tham gia (mã đang dùng sẽ không dùng được nữa)',
  };
  return `${unitLabel(unit)} — ${what[value as Change] ?? String(value)}`;
}

const asking = (change: Change) => (s: StepState) => s.answers.what === change;

export const suadonviFlow: Flow = {
  id: 'suadonvi',
  command: 'suadonvi',
  title: 'sửa đơn vị',
  steps: [
    {
      key: 'what',
      label: 'Đơn vị',
      prompt: (s) => `Bạn muốn sửa gì của ${unitLabel(editedUnit(s))}?`,
      choices: changeChoices,
      display: changeDisplay,
    },
    {
      key: 'newName',
      label: 'Tên mới',
      prompt: (s) => `Tên mới của đơn vị? (hiện tại: ${editedUnit(s).name})`,
      when: asking('name'),
      schema: (s) =>
        textAnswer({ min: 3, max: 200 }).refine((name) => name !== editedUnit(s).name, {
          message: 'Tên này trùng tên hiện tại; bạn gõ tên mới, hoặc gõ /huy.',
        }),
    },
    {
      key: 'newCode',
      label: 'Mã mới',
      prompt: (s) => `Mã ngắn mới? (hiện tại: ${editedUnit(s).shortCode}; viết liền không dấu, 2 đến 30 ký tự: chữ, số, dấu -)`,
      when: asking('code'),
      schema: (s) => shortCodeSchema(s.db, { unit: editedUnit(s) }),
    },
    {
      key: 'newKind',
      label: 'Loại mới',
      prompt: (s) => `Loại mới của đơn vị? (hiện tại: ${UNIT_KIND_LABEL[editedUnit(s).kind]})`,
      when: asking('kind'),
      choices: KIND_CHOICES,
      schema: (s) => kindSchema(editedUnit(s).kind),
    },
    {
      key: 'newParent',
      label: 'Đơn vị cấp trên mới',
      prompt: (s) => {
        const unit = editedUnit(s);
        const parent = unit.parentId === null ? undefined : unitById(s.db, unit.parentId);
        const now = parent ? `hiện thuộc ${unitLabel(parent)}` : 'hiện là đơn vị gốc';
        return `Chuyển ${unit.name} về dưới đơn vị nào? (${now}; gõ mã hoặc tên đơn vị)`;
      },
      when: asking('parent'),
      schema: (s) => parentSchema(s.db, editedUnit(s)),
      display: unitDisplay,
    },
  ],
  save(s) {
    requireAdmin(s.caller);
    const unit = editedUnit(s);
    const what = s.answers.what as Change;
    const change =
      what === 'name'
        ? { name: String(s.answers.newName) }
        : what === 'code'
          ? { shortCode: String(s.answers.newCode) }
          : what === 'kind'
            ? { kind: s.answers.newKind as UnitKind }
            : what === 'parent'
              ? { parentId: Number(s.answers.newParent) }
              : what === 'active'
                ? { active: !unit.active }
                : { newJoinCode: true };
    let result: { before: UnitRow; after: UnitRow };
    try {
      result = updateUnit(s.db, unit.id, change, actorOf(s.caller), s.now);
    } catch (error) {
      if (error instanceof DuplicateShortCode) {
        throw new FlowError(`Mã ${error.existing.shortCode} vừa được dùng cho ${error.existing.name}; bạn chọn mã khác.`, 'newCode');
      }
      if (error instanceof UnitCycle) throw new FlowError(cycleMessage(error.unit, error.parent), 'newParent');
      throw error;
    }
    const { before, after } = result;
    switch (what) {
      case 'name':
        return `✅ Đã đổi tên: ${before.name} → ${after.name} (${after.shortCode}).`;
      case 'code':
        return `✅ Đã đổi mã của ${after.name}: ${before.shortCode} → ${after.shortCode}.`;
      case 'kind':
        return `✅ Đã đổi loại của ${unitLabel(after)}: ${UNIT_KIND_LABEL[before.kind]} → ${UNIT_KIND_LABEL[after.kind]}.`;
      case 'parent': {
        const parent = unitById(s.db, Number(after.parentId));
        return `✅ Đã chuyển ${unitLabel(after)} về dưới ${parent ? unitLabel(parent) : 'đơn vị mới'}, cùng các đơn vị trực thuộc.`;
      }
      case 'active':
        return after.active
          ? `✅ ${unitLabel(after)} hoạt động trở lại.`
          : `✅ ${unitLabel(after)} đã ngừng hoạt động: không còn được chọn khi đăng ký mô hình. Gõ /suadonvi ${after.shortCode} nếu cần cho hoạt động lại.`;
      default:
        return withJoinCode(s, `✅ Đã cấp lại mã tham gia của ${unitLabel(after)}; mã cũ không còn dùng được.`, after);
    }
  },
};

export const suadonvi: Command = {
  name: 'suadonvi',
  access: 'admin',
  summary: 'sửa một đơn vị: tên, mã, loại, cấp trên, ngừng hoạt động, cấp lại mã tham gia',
  usage: '/suadonvi <mã đơn vị>',
  async run(ctx) {
    if (ctx.args === '') {
      await ctx.reply('Bạn gõ /suadonvi kèm mã đơn vị, ví dụ /suadonvi CAMXUYEN. Gõ /donvi để xem các mã.');
      return;
    }
    const unit = unitFromArgs(ctx.db, ctx.args);
    if (!unit) {
      await ctx.reply(`Không có đơn vị mã “${ellipsize(ctx.args, 40)}”. Gõ /donvi để xem các mã.`);
      return;
    }
    await ctx.conversations.start('suadonvi', ctx, { unitId: unit.id });
  },
};
