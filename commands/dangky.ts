import { z } from 'zod';
import { dateAnswer, matchChoice, textAnswer } from '../core/answers.js';
import type { Choice } from '../core/chat.js';
import { formatIsoDay, vnParts } from '../core/clock.js';
import type { Command } from './shared/command.js';
import { defineFlow, FlowError, type StepState } from './shared/flow.js';
import { fold } from '../core/text.js';
import { unitNotices } from './shared/unitNotices.js';
import { DuplicateModelName, registerModel, sameNameModel } from '../db/models.js';
import { actorOf, type Caller } from '../db/people.js';
import { HOLDER_TYPES, MODEL_KINDS } from '../db/schema.js';
import type { Db } from '../db/client.js';
import { activeFields } from '../db/fields.js';
import { scopeOf } from '../db/scope.js';
import { activeUnits, activeUnitsAmong, type UnitRow, unitById } from '../db/units.js';
import { HOLDER_LABEL, MODEL_KIND_LABEL } from '../core/labels.js';
import { stoppedUnit, stoppedUnitOf } from './shared/stoppedUnit.js';
import { ambiguousUnits, findUnit } from './shared/unitNames.js';

/**
 * `/dangky`: the guided registration of a model. An officer registers for their own unit; a
 * leader for any unit of their subtree; an admin for any unit (they are asked which).
 */

/** Units a caller may register for: officers their own unit, leaders their subtree, admins all. */
export function registrableUnits(db: Db, caller: Caller): UnitRow[] {
  const scope = scopeOf(db, caller);
  return scope.all ? activeUnits(db) : activeUnitsAmong(db, scope.unitIds);
}

const UNIT_CHOICE_LIMIT = 8;

/** The unit registered for: given when the flow started, or answered. */
function unitOf(s: StepState<{ unit?: number }>): number {
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

function nameSchema(s: StepState<{ unit?: number }>) {
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

export const dangkyFlow = defineFlow({ id: 'dangky', command: 'dangky', title: 'đăng ký mô hình', version: 1 })
  .step('unit', {
    label: 'Đơn vị',
    prompt: 'Bạn đăng ký cho đơn vị nào? (chọn trong danh sách, hoặc gõ mã hay tên đơn vị)',
    when: (s) => s.context.unitId === undefined,
    choices: unitChoices,
    schema: unitSchema,
    display: (value, s) => unitById(s.db, value)?.name ?? String(value),
  })
  .step('kind', {
    label: 'Loại',
    prompt: 'Đăng ký loại nào?',
    choices: MODEL_KINDS.map((k) => ({ value: k, label: MODEL_KIND_LABEL[k] })),
  })
  .step('holder', {
    label: 'Chủ thể',
    prompt: 'Mô hình của tập thể hay cá nhân?',
    choices: HOLDER_TYPES.map((h) => ({ value: h, label: HOLDER_LABEL[h] })),
  })
  .step('holderName', {
    label: 'Cá nhân',
    prompt: 'Cá nhân đó là ai? (họ tên, chức vụ)',
    when: (s) => s.answers.holder === 'individual',
    schema: textAnswer({ min: 3, max: 150 }),
  })
  .step('field', { label: 'Lĩnh vực', prompt: 'Mô hình thuộc lĩnh vực nào?', choices: fieldChoices })
  .step('name', { label: 'Tên mô hình', prompt: 'Tên mô hình là gì?', schema: nameSchema })
  .step('content', {
    label: 'Mục tiêu, nội dung',
    prompt: 'Mục tiêu và nội dung chính của mô hình? (vài câu ngắn)',
    schema: textAnswer({ min: 10, max: 2000 }),
  })
  .step('expected', {
    label: 'Kết quả dự kiến',
    prompt: 'Kết quả dự kiến đạt được?',
    schema: textAnswer({ min: 3, max: 1000 }),
    optional: true,
  })
  .step('start', {
    label: 'Ngày bắt đầu',
    prompt: 'Ngày bắt đầu thực hiện? (ví dụ 15/01/2026)',
    schema: (s) => dateAnswer({ currentYear: yearOf(s) }),
    display: formatIsoDay,
  })
  .step('end', {
    label: 'Ngày kết thúc',
    prompt: 'Ngày kết thúc dự kiến?',
    schema: (s) =>
      dateAnswer({
        currentYear: yearOf(s),
        notBefore: {
          day: s.answers.start,
          message: `Ngày kết thúc phải từ ngày bắt đầu (${formatIsoDay(s.answers.start)}) trở đi.`,
        },
      }),
    display: formatIsoDay,
  })
  .step('inCharge', {
    label: 'Người phụ trách',
    prompt: 'Ai phụ trách mô hình? (họ tên, chức vụ)',
    schema: textAnswer({ min: 3, max: 150 }),
  })
  .save((s) => {
    const unitId = unitOf(s);
    const unit = unitById(s.db, unitId);
    // The role may have changed while the person was typing.
    if (unit && !unit.active) throw new FlowError(`${stoppedUnit(unit.name)} Gõ /huy để kết thúc.`);
    if (!unit || !registrableUnits(s.db, s.caller).some((u) => u.id === unitId)) {
      throw new FlowError('Bạn không còn quyền đăng ký cho đơn vị này.');
    }
    const { name, kind, holder, holderName, field, content, expected, start, end, inCharge } = s.answers;
    const year = yearOf(s);
    try {
      const model = registerModel(
        s.db,
        {
          year,
          unitId,
          kind,
          holderType: holder,
          // A branch not taken is not saved (see applicableAnswers), so an individual has a name here.
          holderName: holder === 'individual' ? (holderName ?? null) : null,
          fieldId: Number(field),
          name,
          nameKey: fold(name),
          content,
          expectedResult: expected,
          startDate: start,
          endDate: end,
          personInCharge: inCharge,
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
  });

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
