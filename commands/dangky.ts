import { z } from 'zod';
import { dateAnswer, matchChoice, textAnswer } from '../core/answers.js';
import type { Choice } from '../core/chat.js';
import { formatIsoDay, vnParts } from '../core/clock.js';
import type { Command } from './shared/command.js';
import { type Flow, FlowError, type StepState } from './shared/flow.js';
import { fold } from '../core/text.js';
import { unitNotices } from '../db/audience.js';
import { DuplicateModelName, registerModel, sameNameModel } from '../db/models.js';
import { actorOf, type Caller } from '../db/people.js';
import { HOLDER_TYPES, MODEL_KINDS } from '../db/schema.js';
import type { Db } from '../db/client.js';
import { activeFields } from '../db/fields.js';
import { scopeOf } from '../db/scope.js';
import { activeUnits, activeUnitsAmong, type UnitRow, unitById } from '../db/units.js';
import { HOLDER_LABEL, MODEL_KIND_LABEL } from '../core/labels.js';
import { stoppedUnit, stoppedUnitOf } from './shared/stoppedUnit.js';

/**
 * `/dangky`: the guided registration of a model. An officer registers for their own unit; a
 * leader for any unit of their subtree; an admin for any unit (they are asked which).
 */

/** Units a caller may register for: officers their own unit, leaders their subtree, admins all. */
export function registrableUnits(db: Db, caller: Caller): UnitRow[] {
  const scope = scopeOf(db, caller);
  return scope.all ? activeUnits(db) : activeUnitsAmong(db, scope.unitIds);
}

/** A unit typed by its short code or (part of) its name, among the allowed ones. */
export function findUnit(allowed: readonly UnitRow[], raw: string): { unit?: UnitRow; candidates: UnitRow[] } {
  const typed = fold(raw);
  const byCode = allowed.find((u) => u.shortCode.toLowerCase() === typed.replace(/\s+/g, ''));
  if (byCode) return { unit: byCode, candidates: [] };
  const byName = allowed.find((u) => fold(u.name) === typed);
  if (byName) return { unit: byName, candidates: [] };
  const candidates = typed.length >= 3 ? allowed.filter((u) => fold(u.name).includes(typed)) : [];
  return candidates.length === 1 ? { unit: candidates[0], candidates: [] } : { candidates };
}

/** What findUnit's several candidates are told: a few of them, and to type the code. */
export function ambiguousUnits(candidates: readonly UnitRow[]): string {
  return `Có ${candidates.length} đơn vị khớp, ví dụ: ${candidates
    .slice(0, 5)
    .map((u) => `${u.name} (${u.shortCode})`)
    .join('; ')}. Bạn gõ mã đơn vị cho chắc.`;
}

const UNIT_CHOICE_LIMIT = 8;

function unitOf(s: StepState): number {
  return Number(s.context.unitId ?? s.answers.unit);
}

function yearOf(s: StepState): number {
  return vnParts(s.now).year;
}

function fieldChoices(s: StepState): Choice[] {
  return activeFields(s.db).map((f) => ({ value: String(f.id), label: f.label }));
}

function unitChoices(s: StepState): Choice[] {
  const allowed = registrableUnits(s.db, s.caller);
  return allowed.length <= UNIT_CHOICE_LIMIT ? allowed.map((u) => ({ value: String(u.id), label: u.name })) : [];
}

function unitSchema(s: StepState) {
  const allowed = registrableUnits(s.db, s.caller);
  const choices = unitChoices(s);
  return z.string().transform((raw, ctx) => {
    const picked = choices.length > 0 ? matchChoice(choices, raw) : undefined;
    if (picked) return Number(picked.value);
    const { unit, candidates } = findUnit(allowed, raw);
    if (unit) return unit.id;
    const hint = candidates.length > 1 ? ` ${ambiguousUnits(candidates)}` : ' Bạn gõ mã đơn vị (ví dụ CAMXUYEN) hoặc tên đơn vị trong phạm vi bạn phụ trách.';
    ctx.addIssue({ code: 'custom', message: `Chưa tìm thấy đơn vị đó.${hint}` });
    return z.NEVER;
  });
}

function nameSchema(s: StepState) {
  return textAnswer({ min: 5, max: 200 }).transform((name, ctx) => {
    const taken = sameNameModel(s.db, unitOf(s), yearOf(s), fold(name));
    if (taken) {
      ctx.addIssue({ code: 'custom', message: duplicateMessage(taken.code, yearOf(s)) });
      return z.NEVER;
    }
    return name;
  });
}

function duplicateMessage(code: string, year: number): string {
  return `Đơn vị đã đăng ký một mô hình cùng tên trong năm ${year} (mã ${code}). Bạn đặt tên khác, hoặc gõ /huy nếu đó chính là mô hình này.`;
}

export const dangkyFlow: Flow = {
  id: 'dangky',
  command: 'dangky',
  title: 'đăng ký mô hình',
  steps: [
    {
      key: 'unit',
      label: 'Đơn vị',
      prompt: 'Bạn đăng ký cho đơn vị nào? (chọn trong danh sách, hoặc gõ mã hay tên đơn vị)',
      when: (s) => s.context.unitId === undefined,
      choices: unitChoices,
      schema: unitSchema,
      display: (value, s) => unitById(s.db, Number(value))?.name ?? String(value),
    },
    {
      key: 'kind',
      label: 'Loại',
      prompt: 'Đăng ký loại nào?',
      choices: MODEL_KINDS.map((k) => ({ value: k, label: MODEL_KIND_LABEL[k] })),
    },
    {
      key: 'holder',
      label: 'Chủ thể',
      prompt: 'Mô hình của tập thể hay cá nhân?',
      choices: HOLDER_TYPES.map((h) => ({ value: h, label: HOLDER_LABEL[h] })),
    },
    {
      key: 'holderName',
      label: 'Cá nhân',
      prompt: 'Cá nhân đó là ai? (họ tên, chức vụ)',
      when: (s) => s.answers.holder === 'individual',
      schema: textAnswer({ min: 3, max: 150 }),
    },
    { key: 'field', label: 'Lĩnh vực', prompt: 'Mô hình thuộc lĩnh vực nào?', choices: fieldChoices },
    { key: 'name', label: 'Tên mô hình', prompt: 'Tên mô hình là gì?', schema: nameSchema },
    {
      key: 'content',
      label: 'Mục tiêu, nội dung',
      prompt: 'Mục tiêu và nội dung chính của mô hình? (vài câu ngắn)',
      schema: textAnswer({ min: 10, max: 2000 }),
    },
    {
      key: 'expected',
      label: 'Kết quả dự kiến',
      prompt: 'Kết quả dự kiến đạt được?',
      schema: textAnswer({ min: 3, max: 1000 }),
      optional: true,
    },
    {
      key: 'start',
      label: 'Ngày bắt đầu',
      prompt: 'Ngày bắt đầu thực hiện? (ví dụ 15/01/2026)',
      schema: (s) => dateAnswer({ currentYear: yearOf(s) }),
      display: (value) => formatIsoDay(String(value)),
    },
    {
      key: 'end',
      label: 'Ngày kết thúc',
      prompt: 'Ngày kết thúc dự kiến?',
      schema: (s) =>
        dateAnswer({
          currentYear: yearOf(s),
          notBefore: {
            day: String(s.answers.start),
            message: `Ngày kết thúc phải từ ngày bắt đầu (${formatIsoDay(String(s.answers.start))}) trở đi.`,
          },
        }),
      display: (value) => formatIsoDay(String(value)),
    },
    {
      key: 'inCharge',
      label: 'Người phụ trách',
      prompt: 'Ai phụ trách mô hình? (họ tên, chức vụ)',
      schema: textAnswer({ min: 3, max: 150 }),
    },
  ],
  save(s) {
    const unitId = unitOf(s);
    const unit = unitById(s.db, unitId);
    // The role may have changed while the person was typing.
    if (unit && !unit.active) throw new FlowError(`${stoppedUnit(unit.name)} Gõ /huy để kết thúc.`);
    if (!unit || !registrableUnits(s.db, s.caller).some((u) => u.id === unitId)) {
      throw new FlowError('Bạn không còn quyền đăng ký cho đơn vị này.');
    }
    const name = String(s.answers.name);
    const year = yearOf(s);
    try {
      const model = registerModel(
        s.db,
        {
          year,
          unitId,
          kind: s.answers.kind as (typeof MODEL_KINDS)[number],
          holderType: s.answers.holder as (typeof HOLDER_TYPES)[number],
          holderName: s.answers.holder === 'individual' ? String(s.answers.holderName) : null,
          fieldId: Number(s.answers.field),
          name,
          nameKey: fold(name),
          content: String(s.answers.content),
          expectedResult: s.answers.expected == null ? null : String(s.answers.expected),
          startDate: String(s.answers.start),
          endDate: String(s.answers.end),
          personInCharge: String(s.answers.inCharge),
        },
        actorOf(s.caller),
        s.now,
      );
      const reply = `✅ Đã ghi nhận “${name}” (${MODEL_KIND_LABEL[model.kind]}) của ${unit.name}.\nMã: ${model.code} — trạng thái: chờ duyệt.`;
      // Registered in a private chat: the unit's group still sees a short confirmation.
      if (s.chat.kind !== 'private') return reply;
      const { notices } = unitNotices(s.db, unitId, `${s.caller.displayName} vừa đăng ký “${name}” cho ${unit.name} (mã ${model.code}, chờ duyệt).`, s.chat);
      return { reply, notices };
    } catch (error) {
      if (error instanceof DuplicateModelName) throw new FlowError(duplicateMessage(error.existingCode, year), 'name');
      throw error;
    }
  },
};

export const dangky: Command = {
  name: 'dangky',
  aliases: ['dk'],
  access: 'officer',
  summary: 'đăng ký mô hình, điểm sáng của đơn vị',
  async run(ctx) {
    const allowed = registrableUnits(ctx.db, ctx.caller);
    if (allowed.length === 0) {
      const stopped = stoppedUnitOf(ctx.db, ctx.caller);
      await ctx.reply(
        stopped ? stoppedUnit(stopped.name) : 'Bạn chưa được gắn với đơn vị nào nên chưa đăng ký được. Hãy nhờ quản trị thêm bạn vào đơn vị của mình.',
      );
      return;
    }
    await ctx.conversations.start('dangky', ctx, allowed.length === 1 ? { unitId: allowed[0]!.id } : {});
  },
};
