import { z } from 'zod';
import { dateAnswer, isYesWord, matchChoice, textAnswer } from '../core/answers.js';
import { type IsoDay, isoDayOf } from '../core/calendar.js';
import type { Choice } from '../core/chat.js';
import { formatIsoDay, vnParts } from '../core/clock.js';
import type { Command } from './shared/command.js';
import { defineFlow, FlowError, type StepState } from './shared/flow.js';
import { capitalized, fold } from '../core/text.js';
import { unitNotices } from './shared/unitNotices.js';
import { DuplicateModelName, type NewModel, registerModel, sameNameModel } from '../db/models.js';
import { actorOf, type Caller } from '../db/people.js';
import { HOLDER_TYPES, MODEL_KINDS } from '../db/schema.js';
import type { Db } from '../db/client.js';
import { activeFields } from '../db/fields.js';
import { scopeOf } from '../db/scope.js';
import { activeUnits, activeUnitsAmong, type UnitRow, unitById } from '../db/units.js';
import { HOLDER_LABEL, MODEL_KIND_FORMERLY, MODEL_KIND_LABEL, modelNoun } from '../core/labels.js';
import type { HolderType, ModelKind } from '../core/domain.js';
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

export function fieldChoices(s: StepState): Choice[] {
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

/** How long a model's name may be, in characters. */
export const MODEL_NAME_LENGTH = { min: 5, max: 200 } as const;

function nameSchema(s: StepState<{ unit?: number }>) {
  return textAnswer(MODEL_NAME_LENGTH).transform((name, ctx) => {
    const taken = sameNameModel(s.db, unitOf(s), yearOf(s), fold(name));
    if (taken) {
      ctx.addIssue({ code: 'custom', message: duplicateMessage(taken.code, yearOf(s)) });
      return z.NEVER;
    }
    return name;
  });
}

export function duplicateMessage(code: string, year: number): string {
  return `Đơn vị đã đăng ký một mô hình cùng tên trong năm ${year} (mã ${code}). Bạn đặt tên khác, hoặc gõ /huy nếu đó chính là mô hình này.`;
}

// The parsers, the saved row and the replies below are exported for bench/conversationsPeer.ts,
// which plays this dialogue on grammY + @grammyjs/conversations: so both ask, check and save alike.

/**
 * The end date: a date of the year, not before the start — refused, not merely warned about: a
 * model ending before it starts overlaps no period, and no report would ever count it. "tháng
 * 12/2026" alone is its last day; "hôm nay" is read when `today` is given.
 */
export function endDateAnswer(year: number, start: string, today?: IsoDay) {
  return dateAnswer({
    currentYear: year,
    ...(today ? { today } : {}),
    monthAlone: 'last',
    notBefore: { day: start, message: `Ngày kết thúc phải từ ngày bắt đầu (${formatIsoDay(start)}) trở đi.` },
  });
}

/** The answer to "Ngày kết thúc đã qua…": kept as typed, or another end date. */
export interface EndPastAnswer {
  /** The end date that will be saved. */
  end: IsoDay;
  /** It is the one typed first, confirmed. */
  confirmed: boolean;
}

/** Whether the end date typed is already past, so it is asked about once. */
export function endPastDue(s: StepState<{ end?: IsoDay }>): boolean {
  return s.answers.end !== undefined && s.answers.end < isoDayOf(s.now);
}

/** The end-past answer in a summary. */
export function endPastDisplay(value: EndPastAnswer): string {
  return value.confirmed ? 'đã xác nhận' : `sửa thành ${formatIsoDay(value.end)}`;
}

/**
 * An end date already past is allowed (a model registered late, for work already done) but
 * asked about once: it is more often a typo of the year ("31/12/2025").
 */
export function endPastSchema(s: StepState<{ start: IsoDay; end: IsoDay }>, year: number) {
  const retyped = endDateAnswer(year, s.answers.start, isoDayOf(s.now));
  return z.string().transform((raw, ctx): EndPastAnswer => {
    if (isYesWord(raw)) return { end: s.answers.end, confirmed: true };
    const parsed = retyped.safeParse(raw);
    if (parsed.success) return { end: parsed.data, confirmed: false };
    ctx.addIssue({
      code: 'custom',
      message: `Bạn gõ “đồng ý” để giữ ngày kết thúc ${formatIsoDay(s.answers.end)}, hoặc gõ lại ngày kết thúc (ví dụ 31/12/${year}).`,
    });
    return z.NEVER;
  });
}

/** The answers a registration saves (a holder's name only for an individual). */
export interface RegistrationAnswers {
  kind: ModelKind;
  holder: HolderType;
  holderName?: string | null;
  field: string;
  name: string;
  content: string;
  expected: string | null;
  start: string;
  end: string;
  inCharge: string;
}

/** The model the confirmed answers describe, for the unit and year registered for. */
export function modelOfAnswers(year: number, unitId: number, a: RegistrationAnswers): NewModel {
  return {
    year,
    unitId,
    kind: a.kind,
    holderType: a.holder,
    // A branch not taken is not saved (see applicableAnswers), so an individual has a name here.
    holderName: a.holder === 'individual' ? (a.holderName ?? null) : null,
    fieldId: Number(a.field),
    name: a.name,
    nameKey: fold(a.name),
    content: a.content,
    expectedResult: a.expected,
    startDate: a.start,
    endDate: a.end,
    personInCharge: a.inCharge,
  };
}

/** The answer to a registration saved. */
export function registeredText(name: string, kind: ModelKind, unitName: string, code: string): string {
  return `✅ Đã ghi nhận “${name}” (${MODEL_KIND_LABEL[kind]}) của ${unitName}.\nMã: ${code} — trạng thái: chờ duyệt.`;
}

/** The kinds a model is registered as, with their former names (also for /suamohinh). */
export const KIND_CHOICES = MODEL_KINDS.map((k) => ({
  value: k,
  label: MODEL_KIND_LABEL[k],
  ...(MODEL_KIND_FORMERLY[k] ? { formerly: MODEL_KIND_FORMERLY[k] } : {}),
}));

export const HOLDER_CHOICES = HOLDER_TYPES.map((h) => ({ value: h, label: HOLDER_LABEL[h] }));

export const NOT_IN_A_UNIT = 'Bạn chưa được gắn với đơn vị nào nên chưa đăng ký được. Hãy nhờ quản trị thêm bạn vào đơn vị của mình.';

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
    choices: KIND_CHOICES,
  })
  .step('holder', {
    label: 'Chủ thể',
    prompt: (s) => `${capitalized(modelNoun(s.answers.kind))} của tập thể hay cá nhân?`,
    choices: HOLDER_CHOICES,
  })
  .step('holderName', {
    label: 'Cá nhân',
    prompt: 'Cá nhân đó là ai? (họ tên, chức vụ)',
    when: (s) => s.answers.holder === 'individual',
    // A name typed without Vietnamese input ("Nguyeenx Thij Lan") is questioned once, kindly.
    schema: textAnswer({ min: 3, max: 150, suggestTelex: true }),
  })
  .step('field', { label: 'Lĩnh vực', prompt: (s) => `${capitalized(modelNoun(s.answers.kind))} thuộc lĩnh vực nào?`, choices: fieldChoices })
  .step('name', { label: 'Tên mô hình', prompt: (s) => `Tên ${modelNoun(s.answers.kind)} là gì?`, schema: nameSchema })
  .step('content', {
    label: 'Mục tiêu, nội dung',
    prompt: (s) => `Mục tiêu và nội dung chính của ${modelNoun(s.answers.kind)}? (vài câu ngắn)`,
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
    schema: (s) => dateAnswer({ currentYear: yearOf(s), today: isoDayOf(s.now), monthAlone: 'first' }),
    display: formatIsoDay,
  })
  .step('end', {
    label: 'Ngày kết thúc',
    prompt: 'Ngày kết thúc dự kiến?',
    schema: (s) => endDateAnswer(yearOf(s), s.answers.start, isoDayOf(s.now)),
    display: formatIsoDay,
  })
  .step('endPast', {
    label: 'Ngày kết thúc đã qua',
    prompt: (s) => `Ngày kết thúc ${formatIsoDay(s.answers.end)} đã qua. Bạn gõ “đồng ý” nếu đúng như vậy, hoặc gõ lại ngày kết thúc.`,
    when: endPastDue,
    schema: (s) => endPastSchema(s, yearOf(s)),
    display: endPastDisplay,
  })
  .step('inCharge', {
    label: 'Người phụ trách',
    prompt: (s) => `Ai phụ trách ${modelNoun(s.answers.kind)}? (họ tên, chức vụ)`,
    schema: textAnswer({ min: 3, max: 150, suggestTelex: true }),
  })
  .save((s) => {
    const unitId = unitOf(s);
    const unit = unitById(s.db, unitId);
    // The role may have changed while the person was typing.
    if (unit && !unit.active) throw new FlowError(`${stoppedUnit(unit.name)} Gõ /huy để kết thúc.`);
    if (!unit || !registrableUnits(s.db, s.caller).some((u) => u.id === unitId)) {
      throw new FlowError('Bạn không còn quyền đăng ký cho đơn vị này.');
    }
    const { name } = s.answers;
    const year = yearOf(s);
    try {
      // The end date as confirmed or typed again when it had already passed.
      const answers = { ...s.answers, end: s.answers.endPast?.end ?? s.answers.end };
      const model = registerModel(s.db, modelOfAnswers(year, unitId, answers), actorOf(s.caller), s.now);
      const reply = registeredText(name, model.kind, unit.name, model.code);
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
      await ctx.reply(stopped ? stoppedUnit(stopped.name) : NOT_IN_A_UNIT);
      return;
    }
    await ctx.conversations.start('dangky', ctx, allowed.length === 1 ? { unitId: allowed[0]!.id } : {});
  },
};
