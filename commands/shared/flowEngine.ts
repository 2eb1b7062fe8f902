import { choiceAnswer, isSkipWord, isYesWord, matchChoice, shortReply } from '../../core/answers.js';
import type { Choice, IncomingAttachment, IncomingMessage, Reply, UnreadableContent } from '../../core/chat.js';
import { ellipsize, fold, normalizeIncomingText } from '../../core/text.js';
import type { Answers, Flow, Step, StepState } from './flow.js';

/**
 * The step logic of conversations, apart from where they are kept and how they are sent: which
 * step comes next, where /quaylai goes, what a message means as an answer, the question and the
 * summary a person reads. Every function here is a plain function of a flow, a state and an
 * input, and returns a decision; bot/conversation.ts reads and writes the SQLite row, sends, and
 * runs the save in its transaction (grammyjs/conversations splits its replay engine from its
 * grammY plugin the same way). Nothing here reads a clock, the database or the network itself;
 * a flow's own prompt, choices or schema may read the database through `state.db`.
 */

/** The step key of the summary that asks to save. */
export const CONFIRM = '$confirm';

/**
 * The step key of "which item do you want to fix?", asked after "Quay lại sửa" at the summary:
 * a number there names an item, not a button of the summary (3 would otherwise cancel).
 */
export const EDIT = '$edit';

/** Flows at least this long, started in a group, offer to continue in a private chat. */
export const HANDOFF_MIN_STEPS = 5;

/** The summary's buttons. */
export const CONFIRM_CHOICES: Choice[] = [
  { value: 'save', label: 'Lưu' },
  { value: 'back', label: 'Quay lại sửa' },
  { value: 'cancel', label: 'Hủy' },
];

export const SKIP_CHOICE: Choice = { value: '$skip', label: 'Bỏ qua' };

/** Said after the prompt of an optional step. */
export const OPTIONAL_HINT = ' (không bắt buộc: gõ "bỏ qua" nếu không có)';

/** How a skipped answer reads in the summary. */
export const SKIPPED_ANSWER = '(không có)';

/** Said under a question asked again while its earlier answer is kept. */
export const KEEP_HINT = 'Bạn gõ câu trả lời mới, hoặc gõ “giữ nguyên” để giữ câu trả lời cũ.';

/** The choice that leaves "which item?" for the summary again. */
export const NO_EDIT_CHOICE: Choice = { value: '$summary', label: 'Không sửa, quay lại bảng kiểm tra' };

/**
 * Keys of the context the engine keeps for itself (flows never set them). "lapsedAt" is one too
 * (db/conversationDrafts.ts): a lapsed conversation kept a day so it can be resumed.
 */
const HANDOFF_KEY = 'handoff';
const VERSION_KEY = 'flowVersion';

/** A state as the engine holds it: the answers untyped, as stored. */
export type FlowState = StepState<Answers>;

/** What a message holds as an answer. */
export interface AnswerInput {
  /** The typed text (adapters already normalised it) or the pressed value. */
  text: string;
  attachments: readonly IncomingAttachment[];
  unreadable?: UnreadableContent;
}

/**
 * A pressed value comes back from the client as it likes (Telegram callback data can be forged),
 * so it is normalised like typed text before any step stores it.
 */
export function answerInput(msg: IncomingMessage): AnswerInput {
  return { text: msg.choice ? normalizeIncomingText(msg.choice.value) : msg.text, attachments: msg.attachments, unreadable: msg.unreadable };
}

// ---------------------------------------------------------------------------------------------
// Starting, and whether a saved conversation still fits this release

/** The context a new conversation is stored with: the flow's, plus the engine's keys. */
export function startContext(flow: Flow, context: Record<string, unknown>, handoff?: string): Record<string, unknown> {
  return { ...context, ...(handoff ? { [HANDOFF_KEY]: handoff } : {}), [VERSION_KEY]: flow.version };
}

/** The hand-off token a conversation was started with, if any. */
export function handoffOf(context: Record<string, unknown>): string | undefined {
  const token = context[HANDOFF_KEY];
  return typeof token === 'string' ? token : undefined;
}

/**
 * The flow version a conversation was saved with. Conversations saved before flows had versions
 * were all of the first shape, so they stay good after the release that added versions.
 */
export function savedVersion(context: Record<string, unknown>): number {
  const version = context[VERSION_KEY];
  return typeof version === 'number' ? version : 1;
}

/** Whether a long flow started in a group offers to continue in the person's private chat. */
export function offersHandoff(flow: Flow, state: FlowState): boolean {
  return state.chat.kind === 'group' && askedSteps(flow, state).length >= HANDOFF_MIN_STEPS;
}

/**
 * How a saved conversation fits the flows of this release: "current" goes on; the others were
 * left by another release (a flow removed, a step renamed, the flow's version changed) and end.
 */
export type Standing = 'current' | 'no-flow' | 'no-step' | 'other-version';

export function standing(flow: Flow | undefined, row: { step: string; context: Record<string, unknown> }): Standing {
  if (!flow) return 'no-flow';
  if (row.step !== CONFIRM && row.step !== EDIT && !flow.steps.some((s) => s.key === row.step)) return 'no-step';
  if (savedVersion(row.context) !== flow.version) return 'other-version';
  return 'current';
}

// ---------------------------------------------------------------------------------------------
// Moving between steps

export function stepOf(flow: Flow, key: string): Step {
  const step = flow.steps.find((s) => s.key === key);
  if (!step) throw new Error(`flow "${flow.id}" has no step "${key}"`);
  return step;
}

function applies(step: Step, state: FlowState): boolean {
  return !step.when || step.when(state);
}

/** The steps that apply with the answers so far: what "(3/7)" counts. */
export function askedSteps(flow: Flow, state: FlowState): Step[] {
  return flow.steps.filter((s) => applies(s, state));
}

/**
 * The first step that applies and has no answer yet, or the confirmation. After a fix (a
 * refusal, /quaylai) this returns to where the person was instead of re-asking everything.
 */
export function nextStepKey(flow: Flow, state: FlowState): string {
  const next = flow.steps.find((s) => !(s.key in state.answers) && applies(s, state));
  return next ? next.key : CONFIRM;
}

/** Answers of the steps that apply: an answer left by a branch not taken is not saved. */
export function applicableAnswers(flow: Flow, state: FlowState): Answers {
  const kept: Answers = {};
  for (const step of flow.steps) {
    if (step.key in state.answers && applies(step, state)) kept[step.key] = state.answers[step.key];
  }
  return kept;
}

/** Where a conversation goes: the step to ask and the answers it then holds. */
export interface Move {
  step: string;
  answers: Answers;
}

export type AnswerOutcome = ({ kind: 'next' } & Move) | { kind: 'reask'; note: string };

/**
 * What a message means as the answer to `stepKey`: the next step, or why it is asked again. A
 * step asked again with its answer kept (/quaylai, "sửa mục 3") takes "giữ nguyên" to keep it.
 * Then the flow goes on to the first step that has no valid answer, or back to the summary.
 */
export function readAnswer(flow: Flow, stepKey: string, state: FlowState, input: AnswerInput): AnswerOutcome {
  const step = stepOf(flow, stepKey);
  const raw = input.text;
  let value: unknown;
  if (step.key in state.answers && input.attachments.length === 0 && isKeepWord(raw)) {
    value = state.answers[step.key];
  } else if (step.optional && (raw === SKIP_CHOICE.value || isSkipWord(raw))) {
    value = null;
  } else if (input.unreadable && raw === '' && input.attachments.length === 0) {
    // A sticker or a GIF carries no answer: say what it was rather than "the answer is empty".
    const instead = step.attachment ? `bạn gửi ảnh hoặc tệp${step.optional ? ', hoặc gõ "bỏ qua" nếu không có' : ''}` : 'bạn gõ câu trả lời bằng chữ';
    return { kind: 'reask', note: `⚠️ Bot chưa đọc được ${UNREADABLE_LABEL[input.unreadable]}; ${instead} nhé.` };
  } else if (step.attachment) {
    if (input.attachments.length === 0) {
      const skip = step.optional ? ', hoặc gõ "bỏ qua" nếu không có' : '';
      return { kind: 'reask', note: `⚠️ Bạn gửi ảnh hoặc tệp kèm theo${skip}.` };
    }
    value = input.attachments;
  } else if (input.attachments.length > 0) {
    // Taking the caption and dropping the file would lose what the person sent.
    const later = flow.steps.some((s) => s.attachment) ? ' Ảnh, tệp bạn gửi ở câu hỏi về tệp đính kèm sau nhé.' : '';
    return { kind: 'reask', note: `⚠️ Câu này cần trả lời bằng chữ, nên bot chưa lấy ${attachmentsLabel(input.attachments)} vừa gửi.${later}` };
  } else {
    const parsed = schemaOf(step, state).safeParse(raw);
    if (!parsed.success) return { kind: 'reask', note: `⚠️ ${parsed.error.issues[0]?.message ?? 'Câu trả lời chưa hợp lệ.'}` };
    value = parsed.data;
  }
  const answers = validLaterAnswers(flow, step.key, { ...state, answers: { ...state.answers, [step.key]: value } });
  return { kind: 'next', step: nextStepKey(flow, { ...state, answers }), answers };
}

/** "giữ nguyên" and the ways people type it. */
export function isKeepWord(raw: string): boolean {
  return KEEP_WORDS.has(shortReply(raw));
}

const KEEP_WORDS = new Set(['giu nguyen', 'giu', 'nhu cu', 'giu nhu cu', 'khong doi', 'giu nguyen cau tra loi cu']);

/**
 * The answers after `changedKey` was answered (again), keeping each later answer unless the change
 * made it invalid: its step no longer applies, or its choices or schema no longer take the value.
 * Checked in order, so an answer dropped here no longer counts for the steps after it.
 */
function validLaterAnswers(flow: Flow, changedKey: string, state: FlowState): Answers {
  const answers = { ...state.answers };
  const from = flow.steps.findIndex((s) => s.key === changedKey);
  for (const step of flow.steps.slice(from + 1)) {
    if (!(step.key in answers)) continue;
    const now = { ...state, answers };
    if (!applies(step, now) || !stillTaken(step, answers[step.key], now)) delete answers[step.key];
  }
  return answers;
}

/**
 * Whether a stored answer would still be accepted: as the step says (Step.stillValid), or else a
 * choice is looked up among the choices offered now, and text a schema produced is given to it
 * again (a date before a new start date is refused now). A value the schema built from other
 * words (a unit's id, a progress) cannot be typed back in, so it is kept: such steps read the
 * database, and the save checks them again.
 */
function stillTaken(step: Step, value: unknown, state: FlowState): boolean {
  if (value === null) return step.optional === true;
  if (step.stillValid) return step.stillValid(value, state);
  if (step.attachment) return true;
  if (!step.schema) return choicesOf(step, state).some((c) => c.value === value);
  if (typeof value !== 'string') return true;
  return schemaOf(step, state).safeParse(value).success;
}

export type BackOutcome = ({ kind: 'back'; note: string } & Move) | { kind: 'stay'; note: string };

/**
 * `/quaylai` from `stepKey`: reopen the previous step that was asked, keeping every answer (the
 * reopened one is shown and can be kept with "giữ nguyên"). From "which item?" it goes back to the
 * summary.
 */
export function stepBack(flow: Flow, stepKey: string, state: FlowState): BackOutcome {
  if (stepKey === EDIT) return { kind: 'back', step: CONFIRM, answers: state.answers, note: 'Đã quay lại bảng kiểm tra.' };
  const from = stepKey === CONFIRM ? flow.steps.length : flow.steps.findIndex((s) => s.key === stepKey);
  const previous = flow.steps
    .slice(0, Math.max(from, 0))
    .reverse()
    .find((s) => applies(s, state));
  if (!previous) {
    // A flow that asks nothing (the /lienket confirmation) has no earlier answer to correct.
    const note = stepKey === CONFIRM ? '⚠️ Ở đây không có câu trả lời nào để sửa: bạn trả lời 1 để đồng ý, hoặc 3 để hủy.' : '⚠️ Đây đã là câu hỏi đầu tiên.';
    return { kind: 'stay', note };
  }
  return { kind: 'back', step: previous.key, answers: state.answers, note: `Đã quay lại câu trước${earlierAnswer(previous, state)}.` };
}

/** " (bạn đã trả lời: …)" for a step whose answer is kept while it is asked again; "" if none. */
function earlierAnswer(step: Step, state: FlowState): string {
  if (!(step.key in state.answers)) return '';
  const value = state.answers[step.key];
  return value === null || value === undefined ? ' (bạn đã bỏ qua câu này)' : ` (bạn đã trả lời: ${displayOf(step, value, state)})`;
}

/** A save refused with `backTo`: reopen that step, keeping the other answers; undefined if no such step. */
export function reopen(flow: Flow, backTo: string | undefined, answers: Answers): Move | undefined {
  // The refused answer itself is forgotten: keeping it would offer to save it again as it is.
  const target = backTo ? flow.steps.find((s) => s.key === backTo) : undefined;
  return target ? { step: target.key, answers: without(answers, target.key) } : undefined;
}

function without(answers: Answers, key: string): Answers {
  const kept = { ...answers };
  delete kept[key];
  return kept;
}

/** A strict summary's buttons (Flow.strictConfirm). */
export const STRICT_CONFIRM_CHOICES: Choice[] = [
  { value: 'save', label: 'Đồng ý' },
  { value: 'cancel', label: 'Hủy' },
];

/** The answer to the summary: save, go back (which item?), fix item N, or cancel. */
export type Confirmation = 'save' | 'back' | 'cancel' | { edit: number };

/**
 * The answer to the summary, or undefined when not understood. "sửa mục 3" (also "sua muc 3",
 * "sửa 3", "mục 3") names an item of the summary. A strict one saves on "đồng ý" alone (typed, its
 * button, or its number) and takes anything else as a cancel.
 */
export function readConfirmation(input: AnswerInput, strict = false): Confirmation | undefined {
  if (strict) return ['dong y', 'dongy', '1', 'save'].includes(shortReply(input.text)) ? 'save' : 'cancel';
  if (isYesWord(input.text)) return 'save';
  const item = itemNumber(input.text);
  if (item !== undefined) return { edit: item };
  const picked = matchChoice(CONFIRM_CHOICES, input.text)?.value;
  return picked === 'save' || picked === 'back' || picked === 'cancel' ? picked : undefined;
}

/** The item number in "sửa mục 3", "sua muc 3", "sửa 3", "mục số 3" (a bare "3" is a button). */
function itemNumber(text: string): number | undefined {
  const typed = fold(text)
    .replace(/[.!:]+$/, '')
    .trim();
  const match = /^(?:(?:chinh sua|sua lai|sua|doi)(?:\s+muc)?|muc)\s*(?:so\s*)?(\d{1,3})$/.exec(typed);
  return match ? Number(match[1]) : undefined;
}

export const CONFIRM_HELP = '⚠️ Bạn trả lời 1 để lưu, 2 để quay lại sửa, hoặc 3 để hủy; muốn sửa mục nào thì gõ “sửa mục” và số của mục, ví dụ “sửa mục 2”.';

/** The steps the summary numbers: each one that applies and has an answer, in order. */
function summaryItems(flow: Flow, state: FlowState): Step[] {
  return flow.steps.filter((s) => s.key in state.answers && applies(s, state));
}

export type EditOutcome = ({ kind: 'edit'; note: string } & Move) | { kind: 'reask'; note: string };

/**
 * Item `n` of the summary, reopened with its answer kept: once answered, the flow returns
 * straight to the summary (unless the change leaves a later step without a valid answer).
 */
export function editItem(flow: Flow, state: FlowState, n: number): EditOutcome {
  const items = summaryItems(flow, state);
  const step = items[n - 1];
  if (!step) return { kind: 'reask', note: `⚠️ Không có mục số ${n}; bạn chọn một số từ 1 đến ${items.length}.` };
  return { kind: 'edit', step: step.key, answers: state.answers, note: `Sửa mục ${n}${earlierAnswer(step, state)}.` };
}

/** The answer to "which item?": an item to reopen, the summary again, or why it is asked again. */
export function readEditPick(flow: Flow, state: FlowState, input: AnswerInput): EditOutcome | ({ kind: 'summary' } & Move) {
  const items = summaryItems(flow, state);
  const n = itemNumber(input.text);
  if (n !== undefined) return editItem(flow, state, n);
  // A bare number picks among the choices: the items, then "no change".
  const picked = matchChoice(editChoices(items), input.text);
  if (picked?.value === NO_EDIT_CHOICE.value) return { kind: 'summary', step: CONFIRM, answers: state.answers };
  const index = picked ? items.findIndex((s) => s.key === picked.value) : -1;
  if (index >= 0) return editItem(flow, state, index + 1);
  return { kind: 'reask', note: `⚠️ Bạn gõ số của mục muốn sửa, từ 1 đến ${items.length}.` };
}

function editChoices(items: readonly Step[]): Choice[] {
  return [...items.map((s) => ({ value: s.key, label: s.label })), NO_EDIT_CHOICE];
}

// ---------------------------------------------------------------------------------------------
// What the person reads

/**
 * The current question (or the summary), preceded by a note; the engine adds where it is sent. A
 * step asked again with its answer kept says how to keep it; the note that reopened it (/quaylai,
 * "sửa mục 3") shows that answer, so the question itself reads the same each time it is asked.
 */
export function question(flow: Flow, stepKey: string, state: FlowState, note?: string): Reply {
  const head = note ? `${note}\n\n` : '';
  if (stepKey === CONFIRM && flow.strictConfirm) {
    const lines = summaryLines(flow, state).join('\n');
    return {
      // A decision can be undone for a while (/hoantac) and says so; a removal cannot.
      text: `${head}Mời bạn kiểm tra lại trước khi xác nhận:\n${lines}\n\n${flow.confirmNote ?? 'Việc này không hoàn tác được.'} Gõ “đồng ý” để làm; trả lời khác sẽ hủy.`,
      choices: STRICT_CONFIRM_CHOICES,
    };
  }
  if (stepKey === CONFIRM) {
    return { text: `${head}${confirmationText(flow, numberedSummary(flow, state))}`, choices: CONFIRM_CHOICES };
  }
  if (stepKey === EDIT) {
    return {
      text: `${head}Bạn muốn sửa mục nào? Bạn gõ số của mục (ví dụ 2).`,
      choices: editChoices(summaryItems(flow, state)),
    };
  }
  const step = stepOf(flow, stepKey);
  const asked = askedSteps(flow, state);
  const position = asked.indexOf(step) + 1;
  const prompt = typeof step.prompt === 'function' ? step.prompt(state) : step.prompt;
  const choices = choicesOf(step, state);
  const skip = step.optional ? OPTIONAL_HINT : '';
  const kept = step.key in state.answers ? `\n${KEEP_HINT}` : '';
  return {
    text: `${head}(${position}/${asked.length}) ${prompt}${skip}${kept}`,
    choices: step.optional && choices.length > 0 ? [...choices, SKIP_CHOICE] : choices.length > 0 ? [...choices] : undefined,
  };
}

/** The summary: what the flow was started with, then each answered step that applies. */
export function summaryLines(flow: Flow, state: FlowState): string[] {
  return listedSummary(flow, state, (_, s, shown) => summaryLine(s, shown));
}

/** The summary that asks to save: its answers numbered, for "sửa mục 3". */
function numberedSummary(flow: Flow, state: FlowState): string[] {
  return listedSummary(flow, state, numberedLine);
}

function listedSummary(flow: Flow, state: FlowState, line: (n: number, step: Step, shown: string) => string): string[] {
  const given = flow.describe?.(state) ?? [];
  const answered = summaryItems(flow, state).map((s, i) => line(i + 1, s, displayOf(s, state.answers[s.key], state)));
  return [...given, ...answered];
}

/** One answer in a list: "• Tên mô hình: Chợ phiên 0 đồng". */
export function summaryLine(step: Pick<Step, 'label'>, shown: string): string {
  return `• ${step.label}: ${shown}`;
}

/**
 * One numbered answer of the summary: "(3) Tên mô hình: Chợ phiên 0 đồng". In brackets, apart from
 * the buttons' "1. Lưu … 3. Hủy" below it, so an item's number is not read as a button's.
 */
function numberedLine(n: number, step: Pick<Step, 'label'>, shown: string): string {
  return `(${n}) ${step.label}: ${shown}`;
}

/** The summary that asks to save, around its lines. */
export function confirmationText(flow: Pick<Flow, 'title'>, lines: readonly string[]): string {
  return (
    `Mời bạn kiểm tra lại trước khi lưu:\n${lines.join('\n')}\n\n` +
    'Mọi thông tin đúng chưa? Trả lời 1 để lưu, 2 để quay lại sửa, 3 để hủy. Muốn sửa mục nào, bạn gõ “sửa mục” và số của mục (ví dụ “sửa mục 2”).'
  );
}

export function alreadyRunning(flow: Flow): string {
  return `Bạn đang ${flow.title} dở dang. Bạn trả lời câu hỏi dưới đây để tiếp tục, gõ /quaylai để sửa câu trước, hoặc /huy để hủy rồi bắt đầu lại.`;
}

export function cancelled(flow: Flow | undefined): string {
  return flow ? `Đã hủy ${flow.title}. Chưa có gì được lưu. Gõ /${flow.command} nếu muốn làm lại.` : 'Đã hủy. Chưa có gì được lưu.';
}

/** A notice, and the error that made its list fall back to the answers as typed (for the log). */
export interface ListedNotice {
  text: string;
  listError?: unknown;
}

/**
 * The notice for a conversation this release cannot go on with (see `standing`), listing what
 * the person had typed. A changed version names the flow whose questions changed.
 */
export function upgradeNotice(flow: Flow | undefined, why: Exclude<Standing, 'current'>, state: FlowState): ListedNotice {
  const answered = Object.entries(state.answers ?? {}).filter(([, v]) => v !== null && v !== undefined);
  let typed: string[];
  let listError: unknown;
  try {
    typed = answered.map(([key, v]) => {
      const step = flow?.steps.find((s) => s.key === key);
      return step ? summaryLine(step, displayOf(step, v, state)) : `• ${rawDisplay(v)}`;
    });
  } catch (error) {
    // A display of this release may not read an answer of another one.
    listError = error;
    typed = answered.map(([, v]) => `• ${rawDisplay(v)}`);
  }
  const list = typed.length > 0 ? `\nNhững gì bạn đã nhập:\n${typed.join('\n')}` : '';
  // On a line of its own after a list, as the lapse notice puts it, so it is not read as part of the last answer.
  const again = flow ? `${list ? '\n' : ' '}Gõ /${flow.command} để làm lại.` : '';
  const what =
    why === 'other-version' && flow
      ? `Bot vừa được cập nhật và các câu hỏi khi ${flow.title} đã thay đổi, nên thao tác bạn đang làm dở phải làm lại; chưa có gì được lưu.`
      : 'Bot vừa được cập nhật nên thao tác bạn đang làm dở phải làm lại; chưa có gì được lưu.';
  return { text: `${what}${list}${again}`, listError };
}

/**
 * The notice for a lapsed conversation, listing what was typed so nothing entered is lost
 * silently. Also for a conversation left by an older release: a flow that no longer exists, a
 * step renamed, or answers this release cannot show (the values are then listed as typed).
 * `resumable`: the conversation is kept a day and `/tieptuc` takes it up where it stopped.
 */
export function lapseNotice(flow: Flow | undefined, state: FlowState, resumable = false): ListedNotice {
  const raw = (keep: (key: string) => boolean) =>
    Object.entries(state.answers ?? {})
      .filter(([key, v]) => v !== null && v !== undefined && keep(key))
      .map(([, v]) => `• ${rawDisplay(v)}`);
  let lines: string[];
  let listError: unknown;
  try {
    // Answers of steps this release no longer has are listed too, as typed.
    lines = flow ? [...summaryLines(flow, state), ...raw((key) => !flow.steps.some((s) => s.key === key))] : raw(() => true);
  } catch (error) {
    listError = error;
    lines = raw(() => true);
  }
  const typed = lines.length > 0 ? `\nĐây là những gì bạn đã nhập, để bạn khỏi phải gõ lại:\n${lines.join('\n')}` : '';
  const next = flow && resumable ? RESUME_OFFER(flow) : startAgain(flow);
  const text = flow
    ? `Phiên ${flow.title} của bạn đã hết hạn vì lâu không có trả lời, nên chưa có gì được lưu.${typed}\n${next}`
    : `Thao tác bạn đang làm dở đã hết hạn, nên chưa có gì được lưu.${typed}\n${next}`;
  return { text, listError };
}

/** How to start over: the flow's command, or the list of commands when the flow is gone. */
function startAgain(flow: Flow | undefined): string {
  return flow ? `Gõ /${flow.command} để làm lại.` : 'Gõ /huongdan để xem các lệnh.';
}

/** What a lapsed conversation offers for the day it is kept. */
const RESUME_OFFER = (flow: Flow) => `Gõ /tieptuc để làm tiếp từ chỗ đã dừng (trong vòng một ngày), hoặc /${flow.command} để làm lại từ đầu.`;

/** Said when someone writes to a lapsed conversation that is kept for resuming. */
export function stillLapsed(flow: Flow): string {
  return `Phiên ${flow.title} của bạn đã hết hạn nên chưa có gì được lưu. ${RESUME_OFFER(flow)}`;
}

/** Said when a lapsed conversation's day for resuming has passed. */
export function resumeTooLate(flow: Flow | undefined): string {
  return `Phần ${flow?.title ?? 'thao tác'} bạn làm dở đã hết hạn quá một ngày nên không làm tiếp được nữa; chưa có gì được lưu. ${startAgain(flow)}`;
}

/** The note before the question a resumed conversation asks again. */
export function resumedNote(flow: Flow): string {
  return `Mình làm tiếp ${flow.title} từ chỗ bạn đã dừng; những gì bạn đã trả lời vẫn được giữ.`;
}

/**
 * Said when a flow is started while the same person has it under way in another chat: one draft
 * of a flow at a time, so two registrations are never typed at once by mistake. From a private
 * chat, /tieptuc brings the draft here (as the hand-off link does); a group never receives a draft
 * typed elsewhere, since its members would read the answers.
 */
export function openElsewhere(flow: Flow, where: string, answered: number, privateHere: boolean): string {
  const progress = answered > 0 ? ` (đã trả lời ${answered} câu)` : '';
  const here = privateHere ? ', gõ /tieptuc để làm tiếp ở đây' : '';
  return `Bạn đang ${flow.title} dở ở ${where}${progress}. Bạn làm tiếp ở đó${here}, hoặc gõ /huy ở đó để hủy rồi gõ lại /${flow.command}.`;
}

/** Where a conversation is, as the person reads it: "nhóm “Xã Cẩm Lộc”", "tin nhắn riêng với bot". */
export function chatPlace(kind: 'group' | 'private' | undefined, title: string | undefined): string {
  if (kind === 'private') return 'tin nhắn riêng với bot';
  if (kind === 'group') return title ? `nhóm “${title}”` : 'một nhóm khác';
  return 'một cuộc trò chuyện khác';
}

// ---------------------------------------------------------------------------------------------

function choicesOf(step: Step, state: FlowState): readonly Choice[] {
  if (!step.choices) return [];
  return typeof step.choices === 'function' ? step.choices(state) : step.choices;
}

function schemaOf(step: Step, state: FlowState) {
  if (step.schema) return typeof step.schema === 'function' ? step.schema(state) : step.schema;
  const choices = choicesOf(step, state);
  if (choices.length === 0) throw new Error(`step "${step.key}" has neither a schema nor choices`);
  return choiceAnswer(choices);
}

function displayOf(step: Step, value: unknown, state: FlowState): string {
  if (value === null || value === undefined) return SKIPPED_ANSWER;
  if (step.display) return step.display(value, state);
  if (step.attachment && Array.isArray(value)) return filesLine(value);
  const choice = choicesOf(step, state).find((c) => c.value === value);
  return ellipsize(choice ? choice.label : String(value), 300);
}

/** A file with no name (a photo, a voice message), as a summary lists it. */
const UNNAMED_FILE_LABEL: Record<IncomingAttachment['kind'], string> = {
  photo: 'ảnh',
  video: 'video',
  audio: 'bản ghi âm',
  document: 'tệp',
  other: 'tệp',
};

/** What the person sent that the bot cannot read, as it is named back to them. */
const UNREADABLE_LABEL: Record<UnreadableContent, string> = {
  sticker: 'nhãn dán',
  gif: 'ảnh động',
  other: 'loại tin nhắn này',
};

/** What was sent, named as it is: a voice message or a video is not "a photo or a file". */
function attachmentsLabel(files: readonly IncomingAttachment[]): string {
  if (files.every((f) => f.kind === 'audio')) return 'bản ghi âm';
  if (files.every((f) => f.kind === 'video')) return 'video';
  return 'ảnh hoặc tệp';
}

function filesLine(files: readonly IncomingAttachment[]): string {
  const names = files.map((a) => a.fileName ?? UNNAMED_FILE_LABEL[a.kind]);
  return ellipsize(`${files.length} tệp: ${names.join(', ')}`, 300);
}

function isAttachment(v: unknown): v is IncomingAttachment {
  return typeof v === 'object' && v !== null && 'ref' in v && 'kind' in v;
}

/** An answer shown without its step (its flow or step is gone): the value as the person gave it. */
function rawDisplay(value: unknown): string {
  if (typeof value === 'string') return ellipsize(value, 300);
  if (Array.isArray(value) && value.every(isAttachment)) return filesLine(value);
  return ellipsize(typeof value === 'object' ? JSON.stringify(value) : String(value), 300);
}
