import { z } from 'zod';
import { matchChoice } from '../../core/answers.js';
import type { Choice } from '../../core/chat.js';
import { type FlowOutcome, type StepState } from './flow.js';
import { fold } from '../../core/text.js';
import type { Db } from '../../db/client.js';
import type { UnitKind } from '../../db/schema.js';
import { CITY_QUESTION, CURRENT_UNIT_KINDS, cityKind, isFormerKind, readUnitKind, UNIT_KIND_LABEL } from '../../core/unitKinds.js';
import { unitByCode } from '../../db/unitAdmin.js';
import { reservedUnitCodeReason } from '../../db/reservedUnitCodes.js';
import { activeUnits, subtreeIds, type UnitRow, unitById } from '../../db/units.js';
import { ambiguousUnits, findUnit, unitLabel } from './unitNames.js';
import { askPrivately, privateRoute } from './privately.js';

/** The answers /themdonvi and /suadonvi both ask for: a short code, a kind, a parent; and how a saved unit is told. */

const CODE_SHAPE = /^[A-Z0-9-]{2,30}$/;

/** Territorial prefixes dropped from a suggested code: "Xã Cẩm Xuyên" → CAMXUYEN. */
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

export function shortCodeSchema(db: Db, options: { suggestion?: string; unit?: UnitRow }) {
  return z.string().transform((raw, ctx) => {
    const typed = raw.trim();
    if (options.suggestion && (typed === '1' || typed === options.suggestion)) return options.suggestion;
    const code = fold(typed).toUpperCase();
    const reserved = reservedUnitCodeReason(code);
    let problem: string | undefined;
    if (/\s/.test(code)) problem = 'Mã viết liền, không có dấu cách (có thể dùng dấu gạch ngang, ví dụ SNV-VP).';
    else if (!CODE_SHAPE.test(code)) {
      problem = 'Mã gồm 2 đến 30 ký tự: chữ cái không dấu, chữ số và dấu gạch ngang (-), ví dụ CAMXUYEN hoặc SNV-VP.';
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

/** Current kinds only: a former kind (the district level) is never offered for a unit. */
export const KIND_CHOICES: Choice[] = CURRENT_UNIT_KINDS.map((k) => ({ value: k, label: UNIT_KIND_LABEL[k] }));

/** Why a former reading is refused, naming what to type instead. */
function formerMessage(kind: UnitKind): string {
  const what =
    kind === 'district'
      ? 'Cấp huyện (huyện, quận, thị xã, thành phố thuộc tỉnh)'
      : kind === 'commune'
        ? 'Thị trấn'
        : kind === 'party'
          ? 'Huyện ủy, quận ủy, thị ủy'
          : 'Loại này';
  const instead =
    kind === 'party'
      ? 'Nếu là cơ quan Đảng hiện nay (Đảng ủy xã, phường; Ban Tuyên giáo và Dân vận), bạn chọn “Cơ quan Đảng”'
      : 'Xã, phường, đặc khu nay trực thuộc tỉnh: bạn chọn “Xã, phường, đặc khu” hoặc loại khác';
  return `${what} không còn từ 1/7/2025 nên không dùng cho đơn vị được thêm hay sửa. ${instead}, hoặc gõ /huy.`;
}

/**
 * The kind step of /themdonvi and /suadonvi. `parentKind` decides "thành phố" alone when the
 * parent is known (/suadonvi; the first unit of a tree has none); when it is not (/themdonvi asks
 * for the parent after the kind), the answer is asked again as a question of level.
 */
export function kindSchema(options: { current?: UnitKind; parentKind?: UnitKind | null } = {}) {
  return z.string().transform((raw, ctx) => {
    const typed = readUnitKind(raw);
    const chosen = typed ? undefined : (matchChoice(KIND_CHOICES, raw)?.value as UnitKind | undefined);
    let kind: UnitKind | undefined = chosen ?? typed?.kind;
    let former = typed?.former === true;
    if (typed?.city) {
      if (options.parentKind === undefined) {
        ctx.addIssue({ code: 'custom', message: `${CITY_QUESTION} Bạn gõ “trực thuộc trung ương” hoặc “thuộc tỉnh”.` });
        return z.NEVER;
      }
      kind = cityKind(options.parentKind);
      former = isFormerKind(kind);
    }
    if (!kind) {
      ctx.addIssue({
        code: 'custom',
        message: `Chưa rõ loại đơn vị. Bạn trả lời bằng số từ 1 đến ${KIND_CHOICES.length} hoặc gõ tên loại, ví dụ: xã, sở, đảng ủy.`,
      });
      return z.NEVER;
    }
    if (former) {
      ctx.addIssue({ code: 'custom', message: formerMessage(kind) });
      return z.NEVER;
    }
    if (kind === options.current) {
      ctx.addIssue({ code: 'custom', message: `Đơn vị đang là loại “${UNIT_KIND_LABEL[kind]}”; bạn chọn loại khác, hoặc gõ /huy.` });
      return z.NEVER;
    }
    return kind;
  });
}

/** The parent typed by code or name, among active units; `moving` is refused under its own subtree. */
export function parentSchema(db: Db, moving?: UnitRow) {
  return z.string().transform((raw, ctx) => {
    const { unit, candidates } = findUnit(activeUnits(db), raw);
    let problem: string | undefined;
    if (!unit) {
      problem =
        candidates.length > 1
          ? ambiguousUnits(candidates)
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

export function cycleMessage(unit: UnitRow, parent: UnitRow): string {
  if (unit.id === parent.id) return 'Một đơn vị không thể là cấp trên của chính nó; bạn chọn đơn vị khác.';
  return `Không thể chuyển ${unitLabel(unit)} về dưới ${unitLabel(parent)}, vì ${parent.name} nằm trong chính nhánh của ${unit.name} (sẽ thành vòng lặp). Bạn chọn đơn vị khác.`;
}

export function unitDisplay(value: number, s: StepState): string {
  const unit = unitById(s.db, value);
  return unit ? unitLabel(unit) : String(value);
}

/**
 * A save's answer with the unit's join code: the code itself only in the admin's private chat.
 * From a group, the code goes to the admin's private chat as a notice sent once the save is
 * committed; the group reads that it was sent, or how to see it privately.
 */
export function withJoinCode(s: StepState, done: string, unit: UnitRow): FlowOutcome {
  const secret = `Mã tham gia của ${unitLabel(unit)}: ${unit.joinCode}`;
  const route = privateRoute(s.db, s.caller, s.chat);
  if (route.kind === 'here') return `${done}\n${secret}`;
  if (route.kind === 'none') return `${done}\n${askPrivately(`/donvi ${unit.shortCode}`)}`;
  return {
    reply: `${done}\nMã tham gia được gửi riêng cho bạn; nếu chưa thấy, bạn nhắn riêng cho bot /donvi ${unit.shortCode}.`,
    notices: [{ chat: route.chat, reply: { text: secret } }],
  };
}
