import { z } from 'zod';
import { choiceAnswer, dateAnswer, textAnswer } from '../core/answers.js';
import { isoDayOf } from '../core/calendar.js';
import type { Choice, Notice } from '../core/chat.js';
import { formatIsoDay } from '../core/clock.js';
import { MODEL_STATE_LABEL } from '../core/labels.js';
import { leadingModelCode } from '../core/modelCode.js';
import { fold } from '../core/text.js';
import { memberRefIn } from '../db/audience.js';
import { leaderChats } from '../db/leaderAudience.js';
import { lastReturner } from '../db/returnedBy.js';
import { decidersFor } from '../db/scope.js';
import { EDITABLE_STATES, editModel, ModelNotEditable } from '../db/modelEdit.js';
import { DuplicateModelName, type ModelRow, modelById, sameNameModel } from '../db/models.js';
import { actorOf } from '../db/people.js';
import {
  dangkyFlow,
  duplicateMessage,
  endDateAnswer,
  endPastDisplay,
  endPastDue,
  endPastSchema,
  fieldChoices,
  HOLDER_CHOICES,
  KIND_CHOICES,
  MODEL_NAME_LENGTH,
  modelOfAnswers,
  registrableUnits,
} from './dangky.js';
import type { Command } from './shared/command.js';
import { unitModelOrRefusal } from './shared/unitModel.js';
import { defineFlow, FlowError, type StepState } from './shared/flow.js';
import { isKeepWord, SKIPPED_ANSWER, stepOf } from './shared/flowEngine.js';
import { modelOfUnit } from './shared/modelText.js';
import { unitNotices, withMentions } from './shared/unitNotices.js';

/**
 * `/suamohinh <mã>`: the unit fixes a registration nobody has approved yet — a returned model, to
 * send it again, or a pending one. The questions are /dangky's, each showing the current answer,
 * which "giữ nguyên" keeps. On "Lưu" the model is updated in place (db/modelEdit.ts), a returned
 * one goes back to "chờ duyệt", and the leaders' groups and the unit's groups are told.
 */

const SUAMOHINH_USAGE = 'Bạn gõ /suamohinh <mã mô hình>, ví dụ /suamohinh DVK-2026-0006.';

/** The model being edited, read fresh at every question (it may have been decided on meanwhile). */
function modelOf(s: StepState): ModelRow | undefined {
  const id = s.context.modelId;
  return typeof id === 'number' ? modelById(s.db, id) : undefined;
}

function currentOf(s: StepState): ModelRow {
  const model = modelOf(s);
  if (!model) throw new FlowError('Không còn tìm thấy mô hình này. Gõ /huy để kết thúc.');
  return model;
}

/** Said under the current answer. */
const KEEP_CURRENT = 'Bạn gõ câu trả lời mới, hoặc “giữ nguyên” để giữ như hiện tại.';

/** /dangky's question for `key`, with the model's current answer under it. */
function promptWithCurrent(key: string, shown: (m: ModelRow, s: StepState) => string | undefined) {
  const base = stepOf(dangkyFlow, key).prompt;
  return (s: StepState) => {
    const prompt = typeof base === 'function' ? base(s as Parameters<typeof base>[0]) : base;
    const model = modelOf(s);
    const current = model ? shown(model, s) : undefined;
    if (current === undefined) return prompt;
    // Asked again after /quaylai or "sửa mục": the engine already offers "giữ nguyên" for the
    // answer typed in this conversation, so the model's value is only shown, not offered twice.
    if (key in (s.answers as object)) return `${prompt}\nTrước khi sửa, mô hình ghi: ${current}`;
    return `${prompt}\nHiện tại: ${current}\n${KEEP_CURRENT}`;
  };
}

/** A schema that takes "giữ nguyên" as the current value (when there is one), anything else as `schema` reads it. */
function keepOr<V>(schema: z.ZodType<V, string>, current: V | undefined, check?: (kept: V) => string | undefined) {
  return z.string().transform((raw, ctx): V => {
    if (isKeepWord(raw)) {
      if (current === undefined) {
        ctx.addIssue({ code: 'custom', message: 'Mục này chưa có thông tin để giữ nguyên; bạn gõ câu trả lời nhé.' });
        return z.NEVER;
      }
      const refusal = check?.(current);
      if (refusal) {
        ctx.addIssue({ code: 'custom', message: refusal });
        return z.NEVER;
      }
      return current;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'Câu trả lời chưa hợp lệ.' });
      return z.NEVER;
    }
    return parsed.data;
  });
}

function labelOf(choices: readonly Choice[], value: string): string {
  return choices.find((c) => c.value === value)?.label ?? value;
}

function nameSchema(s: StepState) {
  const model = currentOf(s);
  const typed = textAnswer(MODEL_NAME_LENGTH).transform((name, ctx) => {
    // The model's own name, typed again, is no duplicate.
    const taken = sameNameModel(s.db, model.unitId, model.year, fold(name));
    if (taken && taken.id !== model.id) {
      ctx.addIssue({ code: 'custom', message: duplicateMessage(taken.code, model.year) });
      return z.NEVER;
    }
    return name;
  });
  return keepOr(typed, model.name);
}

export const suamohinhFlow = defineFlow({ id: 'suamohinh', command: 'suamohinh', title: 'sửa mô hình', version: 1 })
  .step('kind', {
    label: 'Loại',
    prompt: promptWithCurrent('kind', (m) => labelOf(KIND_CHOICES, m.kind)),
    choices: KIND_CHOICES,
    schema: (s) => keepOr(choiceAnswer(KIND_CHOICES), currentOf(s).kind as string),
    display: (value) => labelOf(KIND_CHOICES, value),
  })
  .step('holder', {
    label: 'Chủ thể',
    prompt: promptWithCurrent('holder', (m) => labelOf(HOLDER_CHOICES, m.holderType)),
    choices: HOLDER_CHOICES,
    schema: (s) => keepOr(choiceAnswer(HOLDER_CHOICES), currentOf(s).holderType as string),
    display: (value) => labelOf(HOLDER_CHOICES, value),
  })
  .step('holderName', {
    label: 'Cá nhân',
    prompt: promptWithCurrent('holderName', (m) => m.holderName ?? undefined),
    when: (s) => s.answers.holder === 'individual',
    schema: (s) => keepOr(textAnswer({ min: 3, max: 150, suggestTelex: true }), currentOf(s).holderName ?? undefined),
  })
  .step('field', {
    label: 'Lĩnh vực',
    prompt: promptWithCurrent('field', (m, s) => labelOf(fieldChoices(s), String(m.fieldId))),
    choices: fieldChoices,
    schema: (s) => keepOr(choiceAnswer(fieldChoices(s)), String(currentOf(s).fieldId)),
    display: (value, s) => labelOf(fieldChoices(s as StepState), value),
  })
  .step('name', { label: 'Tên mô hình', prompt: promptWithCurrent('name', (m) => m.name), schema: nameSchema })
  .step('content', {
    label: 'Mục tiêu, nội dung',
    prompt: promptWithCurrent('content', (m) => m.content),
    schema: (s) => keepOr(textAnswer({ min: 10, max: 2000 }), currentOf(s).content),
  })
  .step('expected', {
    label: 'Kết quả dự kiến',
    prompt: promptWithCurrent('expected', (m) => m.expectedResult ?? SKIPPED_ANSWER),
    schema: (s) => keepOr<string | null>(textAnswer({ min: 3, max: 1000 }), currentOf(s).expectedResult),
    optional: true,
  })
  .step('start', {
    label: 'Ngày bắt đầu',
    prompt: promptWithCurrent('start', (m) => formatIsoDay(m.startDate)),
    schema: (s) => {
      const model = currentOf(s);
      return keepOr(dateAnswer({ currentYear: model.year, today: isoDayOf(s.now), monthAlone: 'first' }), model.startDate);
    },
    display: formatIsoDay,
  })
  .step('end', {
    label: 'Ngày kết thúc',
    prompt: promptWithCurrent('end', (m) => formatIsoDay(m.endDate)),
    schema: (s) => {
      const model = currentOf(s);
      const { start } = s.answers;
      // The end kept must still fit a start that was changed.
      return keepOr(endDateAnswer(model.year, start, isoDayOf(s.now)), model.endDate, (end) =>
        end < start ? `Ngày kết thúc hiện tại (${formatIsoDay(end)}) trước ngày bắt đầu mới (${formatIsoDay(start)}); bạn gõ ngày kết thúc khác.` : undefined,
      );
    },
    display: formatIsoDay,
  })
  // As in /dangky: an end date already past is more often a typo of the year, so it is asked about once.
  .step('endPast', {
    label: 'Ngày kết thúc đã qua',
    prompt: stepOf(dangkyFlow, 'endPast').prompt,
    when: endPastDue,
    schema: (s) => endPastSchema(s, currentOf(s).year),
    display: endPastDisplay,
  })
  .step('inCharge', {
    label: 'Người phụ trách',
    prompt: promptWithCurrent('inCharge', (m) => m.personInCharge),
    schema: (s) => keepOr(textAnswer({ min: 3, max: 150, suggestTelex: true }), currentOf(s).personInCharge),
  })
  .save((s) => {
    const model = modelOf(s);
    if (!model || !registrableUnits(s.db, s.caller).some((u) => u.id === model.unitId)) {
      throw new FlowError('Bạn không còn quyền sửa mô hình này. Gõ /huy để kết thúc.');
    }
    const { kind, holder, field, name, content, expected, start, end, inCharge } = s.answers;
    const input = modelOfAnswers(model.year, model.unitId, {
      kind: kind as ModelRow['kind'],
      holder: holder as ModelRow['holderType'],
      holderName: s.answers.holderName ?? null,
      field,
      name,
      content,
      expected,
      start,
      // The end date as confirmed or typed again when it had already passed.
      end: s.answers.endPast?.end ?? end,
      inCharge,
    });
    let saved: ModelRow;
    try {
      saved = editModel(s.db, model, input, actorOf(s.caller), s.now);
    } catch (error) {
      if (error instanceof DuplicateModelName) throw new FlowError(duplicateMessage(error.existingCode, model.year), 'name');
      if (error instanceof ModelNotEditable) throw new FlowError(`${notEditable(model)} Gõ /huy để kết thúc.`);
      throw error;
    }
    const wasReturned = model.state === 'returned';
    const what = modelOfUnit(s.db, saved);
    const body = wasReturned
      ? `${s.caller.displayName} đã sửa và gửi lại ${what} (trước đó bị trả lại). Mô hình đang chờ duyệt: gõ /duyet để xem.`
      : `${s.caller.displayName} đã sửa ${what} (đang chờ duyệt): gõ /duyet để xem.`;
    return { reply: `✅ Đã sửa và gửi lại ${saved.code} để lãnh đạo xem xét.`, notices: reviewNotices(s, model, body) };
  });

/**
 * The leaders who review the unit (the groups where they were seen), then the unit's own groups;
 * one notice per chat, none to the chat the edit was made in (its answer is there).
 */
function reviewNotices(s: StepState, model: ModelRow, body: string): Notice[] {
  const notices: Notice[] = [];
  const seen = new Set<string>([`${s.chat.platform}:${s.chat.id}`]);
  const returner = returningLeader(s, model);
  for (const { chat, rowId } of leaderChats(s.db, model.unitId)) {
    const key = `${chat.platform}:${chat.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // The leader who sent it back is the one waiting for it: named where they can be reached.
    const mention = returner === undefined ? undefined : memberRefIn(s.db, returner, rowId);
    notices.push({ chat, reply: { text: withMentions(mention ? [mention] : [], body) } });
  }
  for (const notice of unitNotices(s.db, model.unitId, body, s.chat).notices) {
    const key = `${notice.chat.platform}:${notice.chat.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    notices.push(notice);
  }
  return notices;
}

/**
 * The person who returned the model, if they may still decide on it and are not the one sending
 * it again (nobody is mentioned about their own action; a unit's own /rutlai is no leader's return).
 */
function returningLeader(s: StepState, model: ModelRow): number | undefined {
  if (model.state !== 'returned') return undefined;
  const personId = lastReturner(s.db, model.id);
  if (personId === undefined || personId === s.caller.personId) return undefined;
  return decidersFor(s.db, model, s.caller.personId).some((d) => d.personId === personId) ? personId : undefined;
}

function notEditable(model: ModelRow): string {
  return `Chỉ sửa được mô hình “bị trả lại” hoặc “chờ duyệt”. ${model.code} đang ở trạng thái “${MODEL_STATE_LABEL[model.state]}”.`;
}

export const suamohinh: Command = {
  name: 'suamohinh',
  access: 'officer',
  summary: 'sửa mô hình bị trả lại (hoặc đang chờ duyệt) rồi gửi lại',
  usage: '/suamohinh <mã mô hình>',
  async run(ctx) {
    const tokens = ctx.args.split(/\s+/).filter((t) => t !== '');
    const leading = leadingModelCode(tokens);
    if (!leading || leading.words !== tokens.length) {
      await ctx.reply(SUAMOHINH_USAGE);
      return;
    }
    const found = unitModelOrRefusal(ctx.db, ctx.caller, leading.code, 'việc sửa và gửi lại');
    if ('refusal' in found) {
      await ctx.reply(found.refusal);
      return;
    }
    const { model } = found;
    if (!EDITABLE_STATES.includes(model.state)) {
      await ctx.reply(notEditable(model));
      return;
    }
    await ctx.conversations.start('suamohinh', ctx, { modelId: model.id });
  },
};
