import { choiceAnswer, isSkipWord, isYesWord, matchChoice } from '../../core/answers.js';
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
export const SKIPPED_ANSWER = '(bỏ qua)';

/** Keys of the context the engine keeps for itself (flows never set them). */
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
  if (row.step !== CONFIRM && !flow.steps.some((s) => s.key === row.step)) return 'no-step';
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

/** What a message means as the answer to `stepKey`: the next step, or why it is asked again. */
export function readAnswer(flow: Flow, stepKey: string, state: FlowState, input: AnswerInput): AnswerOutcome {
  const step = stepOf(flow, stepKey);
  const raw = input.text;
  let value: unknown;
  if (step.optional && (raw === SKIP_CHOICE.value || isSkipWord(raw))) {
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
  const answers: Answers = { ...state.answers, [step.key]: value };
  return { kind: 'next', step: nextStepKey(flow, { ...state, answers }), answers };
}

export type BackOutcome = ({ kind: 'back' } & Move) | { kind: 'stay'; note: string };

/** `/quaylai` from `stepKey`: reopen the previous step that was asked, forgetting its answer. */
export function stepBack(flow: Flow, stepKey: string, state: FlowState): BackOutcome {
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
  return { kind: 'back', step: previous.key, answers: without(state.answers, previous.key) };
}

/** A save refused with `backTo`: reopen that step, keeping the other answers; undefined if no such step. */
export function reopen(flow: Flow, backTo: string | undefined, answers: Answers): Move | undefined {
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

/**
 * The answer to the summary: save, go back, cancel, or not understood (undefined). A strict one
 * saves on "đồng ý" alone (typed, its button, or its number) and takes anything else as a cancel.
 */
export function readConfirmation(input: AnswerInput, strict = false): 'save' | 'back' | 'cancel' | undefined {
  if (strict) return ['dong y', 'dongy', '1', 'save'].includes(fold(input.text).replace(/[.!]+$/, '')) ? 'save' : 'cancel';
  if (isYesWord(input.text)) return 'save';
  const picked = matchChoice(CONFIRM_CHOICES, input.text)?.value;
  return picked === 'save' || picked === 'back' || picked === 'cancel' ? picked : undefined;
}

export const CONFIRM_HELP = '⚠️ Bạn trả lời 1 để lưu, 2 để quay lại sửa, hoặc 3 để hủy.';

// ---------------------------------------------------------------------------------------------
// What the person reads

/** The current question (or the summary), preceded by a note; the engine adds where it is sent. */
export function question(flow: Flow, stepKey: string, state: FlowState, note?: string): Reply {
  const head = note ? `${note}\n\n` : '';
  if (stepKey === CONFIRM && flow.strictConfirm) {
    const lines = summaryLines(flow, state).join('\n');
    return {
      text: `${head}Bạn kiểm tra lại ${flow.title}:\n${lines}\n\nViệc này không hoàn tác được. Gõ “đồng ý” để làm; trả lời khác sẽ hủy.`,
      choices: STRICT_CONFIRM_CHOICES,
    };
  }
  if (stepKey === CONFIRM) {
    return { text: `${head}${confirmationText(flow, summaryLines(flow, state))}`, choices: CONFIRM_CHOICES };
  }
  const step = stepOf(flow, stepKey);
  const asked = askedSteps(flow, state);
  const position = asked.indexOf(step) + 1;
  const prompt = typeof step.prompt === 'function' ? step.prompt(state) : step.prompt;
  const choices = choicesOf(step, state);
  const skip = step.optional ? OPTIONAL_HINT : '';
  return {
    text: `${head}(${position}/${asked.length}) ${prompt}${skip}`,
    choices: step.optional && choices.length > 0 ? [...choices, SKIP_CHOICE] : choices.length > 0 ? [...choices] : undefined,
  };
}

/** The summary: what the flow was started with, then each answered step that applies. */
export function summaryLines(flow: Flow, state: FlowState): string[] {
  const given = flow.describe?.(state) ?? [];
  const answered = flow.steps.filter((s) => s.key in state.answers && applies(s, state)).map((s) => summaryLine(s, displayOf(s, state.answers[s.key], state)));
  return [...given, ...answered];
}

/** One answer in the summary: "• Tên mô hình: Chợ phiên 0 đồng". */
export function summaryLine(step: Pick<Step, 'label'>, shown: string): string {
  return `• ${step.label}: ${shown}`;
}

/** The summary that asks to save, around its lines. */
export function confirmationText(flow: Pick<Flow, 'title'>, lines: readonly string[]): string {
  return `Bạn kiểm tra lại ${flow.title}:\n${lines.join('\n')}\n\nMọi thông tin đúng chưa? Trả lời 1 để lưu, 2 để quay lại sửa, 3 để hủy.`;
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
      return step ? `• ${step.label}: ${displayOf(step, v, state)}` : `• ${rawDisplay(v)}`;
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
 */
export function lapseNotice(flow: Flow | undefined, state: FlowState): ListedNotice {
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
  const text = flow
    ? `Phiên ${flow.title} của bạn đã hết hạn vì lâu không có trả lời, nên chưa có gì được lưu.${typed}\nGõ /${flow.command} để làm lại.`
    : `Thao tác bạn đang làm dở đã hết hạn, nên chưa có gì được lưu.${typed}\nGõ /huongdan để xem các lệnh.`;
  return { text, listError };
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
