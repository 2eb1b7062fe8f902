import { z } from 'zod';
import { isYesWord, matchChoice, overHundred, textAnswer, wordValue } from '../core/answers.js';
import { readPercent } from '../core/percent.js';
import type { Choice, IncomingAttachment } from '../core/chat.js';
import { formatVnDateTime, periodOf, vnParts } from '../core/clock.js';
import { readOnlyRefusal } from './shared/readOnlyModel.js';
import type { Command } from './shared/command.js';
import { defineFlow, FlowError, type StepState } from './shared/flow.js';
import { capitalized, ellipsize, fold } from '../core/text.js';
import { unitNotices } from './shared/unitNotices.js';
import { evidenceFor } from '../db/evidence.js';
import { DEFAULT_EVIDENCE_MAX_BYTES } from '../db/evidenceStore.js';
import type { Db } from '../db/client.js';
import { type ModelRow, modelByCode, modelById } from '../db/models.js';
import { parseModelCode } from '../core/modelCode.js';
import { actorOf, type Caller } from '../db/people.js';
import { latestUpdates, UPDATABLE_STATES, updatableModels } from '../db/modelQueries.js';
import type { ModelState, ProgressState } from '../db/schema.js';
import { inScope, scopeOf } from '../db/scope.js';
import { unitById } from '../db/units.js';
import { addUpdate, editUpdate, latestUpdateInPeriod, type UpdateInput, type UpdateRow } from '../db/updates.js';
import { attachmentName, sizeText } from '../core/labels.js';
import { stoppedUnit, stoppedUnitOf } from './shared/stoppedUnit.js';
import { NO_STATE_SECRETS } from './shared/stateSecrets.js';

/**
 * `/capnhat [mã]`: a progress update of an approved model, counted for the month and quarter
 * it is sent in. A second update in the same month offers to correct the first instead, so a
 * unit's month is not counted twice by accident.
 */

/** Above this many, the list is not shown as options and the code is asked for instead. */
const MODEL_CHOICE_LIMIT = 20;

/** What a progress answer means: a percentage, a state, or both ("hoàn thành" is 100%). */
export interface Progress {
  percent: number | null;
  state: ProgressState;
}

function yearOf(now: Date): number {
  return vnParts(now).year;
}

/** The current year's models, in the caller's scope, that may receive an update now. */
function modelsToUpdate(db: Db, caller: Caller, now: Date): ModelRow[] {
  return updatableModels(db, scopeOf(db, caller), yearOf(now));
}

const NOT_YET: Partial<Record<ModelState, (code: string) => string>> = {
  pending: (code) => `Mô hình ${code} đang chờ duyệt nên chưa cập nhật tiến độ được. Khi mô hình được duyệt, bạn gõ /capnhat ${code} nhé.`,
  returned: (code) => `Mô hình ${code} đã bị trả lại nên chưa cập nhật tiến độ được: đơn vị bổ sung theo góp ý và được duyệt lại thì mới cập nhật được.`,
  not_recognised: (code) => `Mô hình ${code} đã có kết luận không công nhận nên không nhận cập nhật tiến độ nữa.`,
};

/**
 * The model a code names, if the caller may update it now; otherwise why not. Scope is checked
 * before the state, so nothing is told about another unit's model.
 */
export function checkModel(db: Db, caller: Caller, now: Date, raw: string): { model: ModelRow } | { refusal: string } {
  const code = parseModelCode(raw);
  if (!code) {
    return {
      refusal: `“${ellipsize(raw.trim(), 40)}” không phải mã mô hình. Mã có dạng DVK-${yearOf(now)}-0003; bạn cũng có thể gõ /capnhat rồi chọn trong danh sách.`,
    };
  }
  const model = modelByCode(db, code);
  const readOnly = model && readOnlyRefusal(db, caller, model, 'việc cập nhật tiến độ');
  if (readOnly) return { refusal: readOnly };
  // The same answer whether the model exists or not, so nobody learns other units' codes.
  if (!model || !inScope(scopeOf(db, caller), model.unitId)) {
    return { refusal: `Không có mô hình ${code} hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã, hoặc gõ /capnhat để chọn trong danh sách.` };
  }
  const unit = unitById(db, model.unitId);
  if (unit && !unit.active) return { refusal: stoppedUnit(unit.name) };
  const notYet = NOT_YET[model.state];
  if (notYet) return { refusal: notYet(code) };
  if (model.year !== yearOf(now)) {
    return { refusal: `Mô hình ${code} là mô hình năm ${model.year}; bây giờ chỉ cập nhật được mô hình của năm ${yearOf(now)}.` };
  }
  return { model };
}

function noModelsMessage(now: Date): string {
  return (
    `Chưa có mô hình nào của đơn vị bạn phụ trách đang thực hiện trong năm ${yearOf(now)} để cập nhật. ` +
    'Chỉ mô hình đã được duyệt mới cập nhật tiến độ được; mô hình đang chờ duyệt hoặc bị trả lại cần được duyệt trước.'
  );
}

function modelLabel(model: Pick<ModelRow, 'code' | 'name'>): string {
  return ellipsize(`${model.code} — ${model.name}`, 60);
}

/** The model answered, for the helpers that also serve a flow started with a model's code. */
type ModelAnswer = { model?: number };

function modelIdOf(s: StepState<ModelAnswer>): number | undefined {
  const id = s.context.modelId ?? s.answers.model;
  return id === undefined || id === null ? undefined : Number(id);
}

function chosenModel(s: StepState<ModelAnswer>): ModelRow | undefined {
  const id = modelIdOf(s);
  return id === undefined ? undefined : modelById(s.db, id);
}

/** The update this month already has, which the person may correct instead of adding one. */
function updateThisMonth(s: StepState<ModelAnswer>): UpdateRow | undefined {
  const id = modelIdOf(s);
  return id === undefined ? undefined : latestUpdateInPeriod(s.db, id, periodOf(s.now));
}

/**
 * Started as `/capnhat <mã>`, the model question is skipped: the first question names the model
 * instead, so the person sees which one they are updating.
 */
function headOf(s: StepState<ModelAnswer>): string {
  if (s.context.modelId === undefined) return '';
  const model = chosenModel(s);
  return model ? `Cập nhật tiến độ ${model.code} “${ellipsize(model.name, 80)}”.\n` : '';
}

function shownModelChoices(s: StepState): Choice[] {
  const list = modelsToUpdate(s.db, s.caller, s.now);
  return list.length <= MODEL_CHOICE_LIMIT ? list.map((m) => ({ value: m.code, label: modelLabel(m) })) : [];
}

function modelSchema(s: StepState) {
  const all = modelsToUpdate(s.db, s.caller, s.now);
  const shown = shownModelChoices(s);
  return z.string().transform((raw, ctx) => {
    // A bare number only means something when the numbered list was shown.
    const picked =
      shown.length === 0 && /^\s*\d+[.)]?\s*$/.test(raw)
        ? undefined
        : matchChoice(
            all.map((m) => ({ value: m.code, label: modelLabel(m) })),
            raw,
          );
    const byChoice = picked ? all.find((m) => m.code === picked.value) : undefined;
    if (byChoice) return byChoice.id;
    if (parseModelCode(raw)) {
      const checked = checkModel(s.db, s.caller, s.now, raw);
      if ('model' in checked) return checked.model.id;
      ctx.addIssue({ code: 'custom', message: checked.refusal });
      return z.NEVER;
    }
    const how = shown.length > 0 ? `trả lời bằng số từ 1 đến ${shown.length} hoặc gõ mã mô hình` : 'gõ mã mô hình';
    ctx.addIssue({ code: 'custom', message: `Chưa rõ bạn chọn mô hình nào. Bạn ${how} (ví dụ ${all[0]?.code ?? `DVK-${yearOf(s.now)}-0001`}).` });
    return z.NEVER;
  });
}

const MODE_CHOICES: Choice[] = [
  { value: 'edit', label: 'Sửa cập nhật đó' },
  { value: 'add', label: 'Thêm cập nhật mới' },
];

/**
 * The two states, as words a person types. They are not offered as numbered options: the step
 * reads digits as a percentage, and Zalo and the simulator show options as "1. …, 2. …", so "2"
 * would mean 2% to the bot and "Hoàn thành" to the person.
 */
export const PROGRESS_CHOICES: Choice[] = [
  { value: 'in_progress', label: 'Đang triển khai' },
  { value: 'done', label: 'Hoàn thành' },
];

/** Other ways people say the two states, folded. "Chưa làm" is a figure: nothing done yet, 0%. */
const STATE_WORDS: Record<string, Progress> = {
  'dang thuc hien': { percent: null, state: 'in_progress' },
  'dang lam': { percent: null, state: 'in_progress' },
  'chua xong': { percent: null, state: 'in_progress' },
  'da hoan thanh': { percent: 100, state: 'done' },
  'hoan thanh roi': { percent: 100, state: 'done' },
  xong: { percent: 100, state: 'done' },
  'da xong': { percent: 100, state: 'done' },
  'xong roi': { percent: 100, state: 'done' },
  'chua lam': { percent: 0, state: 'in_progress' },
  'chua bat dau': { percent: 0, state: 'in_progress' },
  'chua trien khai': { percent: 0, state: 'in_progress' },
  'chua thuc hien': { percent: 0, state: 'in_progress' },
};

/**
 * "Gần xong" is not read as a figure: the percentage goes into the reports sent upward, and
 * 80 or 95 would be the bot's guess, not the unit's. The person is asked for the number instead.
 */
const NEARLY_DONE = new Set(['gan xong', 'sap xong', 'gan hoan thanh', 'sap hoan thanh', 'cung gan xong', 'cung sap xong']);

const PROGRESS_HELP =
  'Bạn gõ phần trăm đã làm được, ví dụ 70, 70%, “khoảng 60%” hoặc “một nửa”; gõ “hoàn thành” nếu đã xong, “đang triển khai” nếu chưa ước được phần trăm.';

const NEARLY_DONE_HELP = '“Gần xong” là khoảng bao nhiêu phần trăm? Bạn gõ con số, ví dụ 90 hoặc 90%; khi đã xong hẳn thì gõ “hoàn thành”.';

/**
 * A percentage ("70", "70%", "khoảng 60%", "một nửa", "bảy mươi": core/percent.ts) or a state
 * ("đang triển khai", "hoàn thành", with or without diacritics, or typed in Telex). 100% means
 * done. Digits are always a percentage: a bare 2 is 2%, never the second option.
 */
export function progressAnswer() {
  return PROGRESS_ANSWER;
}

const PROGRESS_ANSWER = z.string().transform((raw, ctx): Progress => {
  const typed = fold(raw).replace(/[.!)]+$/, '');
  const said = wordValue(STATE_WORDS, typed);
  if (said) return said;
  if (NEARLY_DONE.has(typed)) {
    ctx.addIssue({ code: 'custom', message: NEARLY_DONE_HELP });
    return z.NEVER;
  }
  const reading = readPercent(raw);
  if (reading.kind === 'percent') return { percent: reading.percent, state: reading.percent === 100 ? 'done' : 'in_progress' };
  if (reading.kind === 'over') {
    ctx.addIssue({ code: 'custom', message: overHundred(reading.typed) });
    return z.NEVER;
  }
  // A number matchChoice would take as an option's position: refused here, whatever its size.
  const state = /\d/.test(typed) ? undefined : (matchChoice(PROGRESS_CHOICES, raw)?.value as ProgressState | undefined);
  if (!state) {
    ctx.addIssue({ code: 'custom', message: `Chưa hiểu tiến độ “${ellipsize(raw.trim(), 40)}”. ${PROGRESS_HELP}` });
    return z.NEVER;
  }
  return state === 'done' ? { percent: 100, state } : { percent: null, state };
});

/**
 * The percentage the model reached before this update, when the new one is lower: a drop from
 * 100% to 60% is more often a slip than news, so it is confirmed before it is saved. Read from the
 * model's latest update (its percentage, or 100% if it was "hoàn thành"); an update without a
 * figure ("đang triển khai") has nothing to compare.
 */
function droppedFrom(s: StepState<ModelAnswer & { progress?: Progress }>): number | undefined {
  const typed = s.answers.progress?.percent;
  const id = modelIdOf(s);
  if (typed === undefined || typed === null || id === undefined) return undefined;
  const last = latestUpdates(s.db, [id]).get(id);
  const before = last ? (last.percent ?? (last.progressState === 'done' ? 100 : null)) : null;
  return before !== null && typed < before ? before : undefined;
}

/** A "no" to the drop question: the person is asked for the right figure, never read as 0%. */
const NO_WORDS = new Set(['khong', 'ko', 'k', 'no', 'khong dong y', 'chua', 'khong phai', 'sai']);

/** The answer to "Tiến độ giảm…, bạn chắc chứ?": the drop confirmed, or the progress typed again. */
interface DropAnswer {
  /** The percentage before, and the one that was typed and questioned. */
  from: number;
  typed: number;
  progress: Progress;
}

function dropSchema(s: StepState<ModelAnswer & { progress: Progress }>) {
  const from = droppedFrom(s);
  const typed = s.answers.progress;
  return z.string().transform((raw, ctx): DropAnswer => {
    if (from === undefined || typed.percent === null) {
      // The step applies only after a drop; kept total for the type.
      return { from: from ?? 0, typed: typed.percent ?? 0, progress: typed };
    }
    if (isYesWord(raw)) return { from, typed: typed.percent, progress: typed };
    if (NO_WORDS.has(fold(raw).replace(/[.!]+$/, ''))) {
      ctx.addIssue({
        code: 'custom',
        message: `Bạn gõ lại tiến độ đúng (ví dụ ${from}% nếu không có gì thay đổi), hoặc gõ “đồng ý” để ghi ${typed.percent}%.`,
      });
      return z.NEVER;
    }
    const again = progressAnswer().safeParse(raw);
    if (again.success) return { from, typed: typed.percent, progress: again.data };
    ctx.addIssue({
      code: 'custom',
      message: `Bạn gõ “đồng ý” để ghi tiến độ ${typed.percent}%, hoặc gõ lại tiến độ (ví dụ ${from}% nếu không có gì thay đổi).`,
    });
    return z.NEVER;
  });
}

/** The progress to save: the one typed, or what the person typed again when asked about a drop. */
function progressToSave(answers: { progress: Progress; progressDrop?: DropAnswer }): Progress {
  const drop = answers.progressDrop;
  return drop && drop.typed === answers.progress.percent ? drop.progress : answers.progress;
}

/** "70%", "hoàn thành (100%)", "đang triển khai". */
export function progressPhrase(percent: number | null, state: ProgressState | null): string {
  if (state === 'done') return percent === null ? 'hoàn thành' : `hoàn thành (${percent}%)`;
  return percent === null ? 'đang triển khai' : `${percent}%`;
}

/**
 * Files the platform announced as larger than the bot keeps: the update is saved with their names,
 * but no copy will be, and the person hears it now rather than finding out when the link is dead.
 */
function tooLargeNote(files: readonly IncomingAttachment[], maxBytes: number): string {
  const large = files.filter((f) => f.sizeBytes !== undefined && f.sizeBytes > maxBytes);
  if (large.length === 0) return '';
  const names = large.map((f) => `${attachmentName(f)} (${sizeText(f.sizeBytes!)})`).join(', ');
  return (
    `\n⚠️ Bot không lưu giữ được bản sao của ${names} vì lớn hơn ${sizeText(maxBytes)}; nội dung cập nhật vẫn được ghi nhận đầy đủ. ` +
    'Nếu cần lưu minh chứng, bạn gửi bản nhỏ hơn (ảnh chụp các trang chính, hoặc tệp nén nhỏ lại) bằng một lần /capnhat nữa nhé.'
  );
}

export const capnhatFlow = defineFlow({
  id: 'capnhat',
  command: 'capnhat',
  title: 'cập nhật tiến độ',
  // 2: the progress step reads digits as a percentage only, and a drop is confirmed (issue 22).
  version: 2,
  describe: (s) => {
    if (s.context.modelId === undefined) return [];
    const model = modelById(s.db, Number(s.context.modelId));
    return model ? [`• Mô hình: ${modelLabel(model)}`] : [];
  },
})
  .step('model', {
    label: 'Mô hình',
    prompt: (s) =>
      shownModelChoices(s).length > 0
        ? 'Bạn cập nhật tiến độ mô hình nào? (chọn trong danh sách, hoặc gõ mã mô hình)'
        : `Bạn cập nhật tiến độ mô hình nào? Bạn gõ mã mô hình (ví dụ DVK-${yearOf(s.now)}-0003).`,
    when: (s) => s.context.modelId === undefined,
    choices: shownModelChoices,
    schema: modelSchema,
    display: (value, s) => {
      const model = modelById(s.db, value);
      return model ? modelLabel(model) : String(value);
    },
  })
  .step('mode', {
    label: 'Cách ghi',
    prompt: (s) => {
      const existing = updateThisMonth(s);
      if (!existing) return 'Bạn muốn sửa cập nhật tháng này hay thêm cập nhật mới?';
      const progress = progressPhrase(existing.percent, existing.progressState);
      return (
        `${headOf(s)}Tháng này đơn vị đã cập nhật mô hình này lúc ${formatVnDateTime(new Date(existing.updatedAt))} ` +
        `(nội dung “${ellipsize(existing.text, 100)}”, tiến độ ${progress}). Bạn muốn sửa cập nhật đó hay thêm cập nhật mới?`
      );
    },
    when: (s) => updateThisMonth(s) !== undefined,
    choices: MODE_CHOICES,
  })
  .step('text', {
    label: 'Kết quả đã làm được',
    prompt: (s) => `${updateThisMonth(s) ? '' : headOf(s)}Kết quả đã làm được? (vài câu ngắn)`,
    schema: textAnswer({ min: 5, max: 1000 }),
  })
  .step('progress', {
    label: 'Tiến độ',
    prompt: 'Tiến độ đến nay? Gõ phần trăm (ví dụ 70 hoặc 70%), hoặc gõ “đang triển khai” hay “hoàn thành”.',
    schema: progressAnswer(),
    display: (value) => capitalized(progressPhrase(value.percent, value.state)),
  })
  .step('progressDrop', {
    label: 'Tiến độ giảm',
    prompt: (s) => `Tiến độ giảm từ ${droppedFrom(s)}% xuống ${s.answers.progress.percent}%, bạn chắc chứ? Gõ “đồng ý” để ghi, hoặc gõ lại tiến độ.`,
    when: (s) => droppedFrom(s) !== undefined,
    schema: dropSchema,
    // Confirmed for one figure only: a progress typed again (after "sửa mục") is asked about anew.
    stillValid: (value, s) => value.typed === s.answers.progress?.percent,
    display: (value) =>
      value.progress.percent === value.typed
        ? `đã đồng ý ghi ${value.typed}% (lần trước ${value.from}%)`
        : `gõ lại: ${progressPhrase(value.progress.percent, value.progress.state)} (thay cho ${value.typed}%)`,
  })
  .step('attachment', {
    label: 'Ảnh, tệp đính kèm',
    prompt: `Gửi kèm ảnh hoặc tệp minh chứng? (${NO_STATE_SECRETS})`,
    optional: true,
    attachment: true,
  })
  .save((s) => {
    const model = chosenModel(s);
    const backTo = s.context.modelId === undefined ? 'model' : undefined;
    // The role or the model may have changed while the person was typing.
    const next = backTo ? 'bạn chọn mô hình khác' : 'gõ /huy để kết thúc';
    if (!model || !inScope(scopeOf(s.db, s.caller), model.unitId)) {
      throw new FlowError(`Bạn không còn quyền cập nhật mô hình này nên chưa có gì được lưu; ${next}.`, backTo);
    }
    const unit = unitById(s.db, model.unitId);
    if (unit && !unit.active) throw new FlowError(`${stoppedUnit(unit.name)} Chưa có gì được lưu; ${next}.`, backTo);
    if (!UPDATABLE_STATES.includes(model.state)) {
      const why = NOT_YET[model.state]?.(model.code) ?? `Mô hình ${model.code} hiện không nhận cập nhật tiến độ.`;
      throw new FlowError(`${why} Chưa có gì được lưu; ${next}.`, backTo);
    }

    const { text } = s.answers;
    const progress = progressToSave(s.answers);
    const files = s.answers.attachment ?? [];
    const input: UpdateInput = {
      text,
      percent: progress.percent,
      progressState: progress.state,
      attachments: files.map((f) => ({
        platform: s.chat.platform,
        kind: f.kind,
        ref: f.ref,
        fileName: f.fileName ?? null,
        mimeType: f.mimeType ?? null,
        sizeBytes: f.sizeBytes ?? null,
      })),
    };
    const actor = actorOf(s.caller);
    const existing = s.answers.mode === 'edit' ? latestUpdateInPeriod(s.db, model.id, periodOf(s.now)) : undefined;
    const row = existing ? editUpdate(s.db, existing, input, actor, s.now) : addUpdate(s.db, model.id, input, actor, s.now);

    // Copies are fetched once this transaction has committed, while the person reads the answer.
    const evidence = evidenceFor(s.db);
    if (files.length > 0) evidence?.wake();

    const month = `tháng ${row.periodMonth}/${row.periodYear}`;
    const phrase = progressPhrase(row.percent, row.progressState);
    const named = `${model.code} “${model.name}”`;
    const saved = existing ? `✅ Đã sửa cập nhật ${month} của ${named}: ${phrase}.` : `✅ Đã ghi nhận tiến độ của ${named}: ${phrase} — ${month}.`;
    const reply = saved + tooLargeNote(files, evidence?.store.maxBytes ?? DEFAULT_EVIDENCE_MAX_BYTES);
    // Sent in a private chat: the unit's groups still learn of it.
    if (s.chat.kind !== 'private') return reply;
    const body = existing
      ? `${s.caller.displayName} vừa sửa cập nhật ${month} của ${named}: ${phrase}.`
      : `${s.caller.displayName} vừa cập nhật tiến độ ${named}: ${phrase} (${month}).`;
    const { notices } = unitNotices(s.db, model.unitId, body, s.chat);
    return { reply, notices };
  });

export const capnhat: Command = {
  name: 'capnhat',
  aliases: ['cn'],
  access: 'officer',
  summary: 'cập nhật tiến độ mô hình đã được duyệt của đơn vị',
  usage: '/capnhat [mã mô hình]',
  async run(ctx) {
    if (ctx.args !== '') {
      const checked = checkModel(ctx.db, ctx.caller, ctx.now, ctx.args);
      if ('refusal' in checked) {
        await ctx.reply(checked.refusal);
        return;
      }
      await ctx.conversations.start('capnhat', ctx, { modelId: checked.model.id });
      return;
    }
    if (modelsToUpdate(ctx.db, ctx.caller, ctx.now).length === 0) {
      const stopped = stoppedUnitOf(ctx.db, ctx.caller);
      await ctx.reply(stopped ? stoppedUnit(stopped.name) : noModelsMessage(ctx.now));
      return;
    }
    await ctx.conversations.start('capnhat', ctx);
  },
};
