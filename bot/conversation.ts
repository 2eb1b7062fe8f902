import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import {
  advanceConversation,
  type ConversationRow,
  deleteConversation,
  findByHandoff,
  findConversation,
  insertConversation,
  moveConversation,
  type OwnerKey,
  ownerKey,
  recordPrompt,
} from '../db/conversations.js';
import type { Caller } from '../db/people.js';
import { transactionOnce } from '../db/transactionOnce.js';
import { choiceAnswer, isSkipWord, isYesWord, matchChoice } from '../core/answers.js';
import type { ChatRef, Choice, Deliver, IncomingAttachment, IncomingMessage, Outbound, Reply, UnreadableContent } from '../core/chat.js';
import type { Clock } from '../core/clock.js';
import type { Conversations, Turn } from '../commands/shared/conversations.js';
import { type Answers, type Flow, FlowError, type FlowOutcome, type Step, type StepState } from '../commands/shared/flow.js';
import { sendNotices } from './notify.js';
import { ellipsize, normalizeIncomingText } from '../core/text.js';

const CONFIRM = '$confirm';

/** Flows at least this long, started in a group, offer to continue in a private chat. */
const HANDOFF_MIN_STEPS = 5;

const CONFIRM_CHOICES: Choice[] = [
  { value: 'save', label: 'Lưu' },
  { value: 'back', label: 'Quay lại sửa' },
  { value: 'cancel', label: 'Hủy' },
];

const SKIP_CHOICE: Choice = { value: '$skip', label: 'Bỏ qua' };

/**
 * The persisted step engine. Every state change is one SQLite write guarded by a version, so a
 * restart resumes where the person was, a duplicate delivery moves nothing twice, and people in
 * the same group never touch each other's rows (the key includes the person).
 */
export class ConversationEngine implements Conversations {
  private readonly flows: Map<string, Flow>;
  /**
   * Saves a confirmed conversation and ends it. IMMEDIATE takes the write lock before reading, so
   * another process saving at the same moment waits (busy timeout) instead of both reading the
   * same "next code". Undefined when the conversation had already moved (nothing saved).
   */
  private readonly save: (flow: Flow, row: ConversationRow, turn: Turn) => FlowOutcome | undefined;

  constructor(private readonly deps: { db: Db; clock: Clock; flows: readonly Flow[]; ttlMinutes: number; deliver: Deliver; log: Logger }) {
    this.flows = new Map(deps.flows.map((f) => [f.id, f]));
    const { db } = deps;
    this.save = transactionOnce(db, (flow: Flow, row: ConversationRow, turn: Turn) => {
      if (!deleteConversation(db, row)) return undefined;
      const state = this.stateOf(row, turn);
      return flow.save({ ...state, answers: applicableAnswers(flow, state) });
    }).immediate;
  }

  find(key: OwnerKey): ConversationRow | undefined {
    return findConversation(this.deps.db, key);
  }

  /** Whether this message is an answer to the owner's conversation (and not group chatter). */
  isAnswer(row: ConversationRow, msg: IncomingMessage, out: Outbound): boolean {
    if (msg.choice) return true;
    if (out.answerMode === 'next-message' || msg.chat.kind === 'private') return true;
    return msg.replyTo !== undefined && msg.replyTo.messageId === row.promptMessageId;
  }

  async start(flowId: string, turn: Turn, context: Record<string, unknown> = {}): Promise<void> {
    const flow = this.flow(flowId);
    const key = ownerKey(turn.msg);
    const existing = this.find(key);
    if (existing && (await this.live(existing, turn))) {
      const current = this.flow(existing.flow);
      await this.say(
        turn,
        `Bạn đang ${current.title} dở dang. Bạn trả lời câu hỏi dưới đây để tiếp tục, gõ /quaylai để sửa câu trước, hoặc /huy để hủy rồi bắt đầu lại.`,
      );
      await this.ask(existing, turn);
      return;
    }
    const state = this.stateOf({ answers: {}, context }, turn);
    const first = nextStepKey(flow, state);
    // A long flow in a group can move to the person's private chat (the group path keeps working).
    const long = turn.msg.chat.kind === 'group' && flow.steps.filter((s) => !s.when || s.when(state)).length >= HANDOFF_MIN_STEPS;
    const row = insertConversation(this.deps.db, key, {
      flow: flowId,
      step: first,
      context: long ? { ...context, handoff: randomBytes(12).toString('base64url') } : context,
      now: turn.now,
      expiresAt: this.expiry(turn.now),
    });
    this.deps.log.info({ flow: flowId, chat: key.chatId, user: key.userId }, 'conversation started');
    await this.ask(row, turn, undefined, long ? String(row.context.handoff) : undefined);
  }

  /** `/start <token>` in a private chat: the person's group conversation continues here. */
  async takeOver(token: string, turn: Turn): Promise<void> {
    const { msg } = turn;
    const row = msg.chat.kind === 'private' ? findByHandoff(this.deps.db, msg.chat.platform, msg.sender.id, token) : undefined;
    if (!row) {
      await this.say(turn, 'Liên kết này đã hết hạn hoặc không dành cho bạn. Gõ /huongdan để xem các lệnh.');
      return;
    }
    if (!(await this.live(row, turn))) return;
    if (row.chatId !== msg.chat.id) {
      const here = this.find(ownerKey(msg));
      if (here) {
        const flow = this.flows.get(here.flow);
        await this.say(turn, `Bạn đang ${flow?.title ?? 'làm một thao tác'} dở ở đây; gõ /huy rồi bấm lại liên kết, hoặc làm tiếp trong nhóm.`);
        return;
      }
      const moved = moveConversation(this.deps.db, row, msg.chat.id, turn.now);
      if (!moved) return;
      await this.ask(moved, turn, 'Mình tiếp tục ở đây nhé; những gì bạn đã trả lời trong nhóm vẫn được giữ.');
      return;
    }
    await this.ask(row, turn);
  }

  /** Handles an answer (typed or pressed) to the owner's current step. */
  async answer(row: ConversationRow, turn: Turn): Promise<void> {
    if (!(await this.live(row, turn))) return;
    if (turn.msg.choice && turn.msg.choice.promptMessageId !== row.promptMessageId) {
      if (!(await mayComplain(turn))) return;
      await this.say(turn, { text: 'Nút này thuộc một câu hỏi cũ nên không có gì thay đổi. Bạn trả lời câu hỏi mới nhất nhé.', ephemeral: true });
      return;
    }
    const flow = this.flow(row.flow);
    if (row.step === CONFIRM) return this.confirm(flow, row, turn);

    const step = stepOf(flow, row.step);
    const state = this.stateOf(row, turn);
    const raw = answerText(turn.msg);
    let value: unknown;
    if (step.optional && (raw === SKIP_CHOICE.value || isSkipWord(raw))) {
      value = null;
    } else if (turn.msg.unreadable && raw === '' && turn.msg.attachments.length === 0) {
      // A sticker or a GIF carries no answer: say what it was rather than "the answer is empty".
      const instead = step.attachment ? `bạn gửi ảnh hoặc tệp${step.optional ? ', hoặc gõ "bỏ qua" nếu không có' : ''}` : 'bạn gõ câu trả lời bằng chữ';
      await this.reask(row, turn, `⚠️ Bot chưa đọc được ${UNREADABLE_LABEL[turn.msg.unreadable]}; ${instead} nhé.`);
      return;
    } else if (step.attachment) {
      if (turn.msg.attachments.length === 0) {
        const skip = step.optional ? ', hoặc gõ "bỏ qua" nếu không có' : '';
        await this.reask(row, turn, `⚠️ Bạn gửi ảnh hoặc tệp kèm theo${skip}.`);
        return;
      }
      value = turn.msg.attachments;
    } else if (turn.msg.attachments.length > 0) {
      // Taking the caption and dropping the file would lose what the person sent.
      const later = flow.steps.some((s) => s.attachment) ? ' Ảnh, tệp bạn gửi ở câu hỏi về tệp đính kèm sau nhé.' : '';
      await this.reask(row, turn, `⚠️ Câu này cần trả lời bằng chữ, nên bot chưa lấy ${attachmentsLabel(turn.msg.attachments)} vừa gửi.${later}`);
      return;
    } else {
      const parsed = schemaOf(step, state).safeParse(raw);
      if (!parsed.success) {
        const reason = parsed.error.issues[0]?.message ?? 'Câu trả lời chưa hợp lệ.';
        await this.reask(row, turn, `⚠️ ${reason}`);
        return;
      }
      value = parsed.data;
    }

    const answers: Answers = { ...(row.answers as Answers), [step.key]: value };
    const next = nextStepKey(flow, this.stateOf({ answers, context: row.context }, turn));
    const moved = advanceConversation(this.deps.db, row, { step: next, answers, now: turn.now, expiresAt: this.expiry(turn.now) });
    if (!moved) return; // the same answer was already taken (a duplicate delivery)
    await this.ask(moved, turn);
  }

  /** `/quaylai`: reopen the previous step that was asked. */
  async back(row: ConversationRow, turn: Turn): Promise<void> {
    if (!(await this.live(row, turn))) return;
    const flow = this.flow(row.flow);
    const state = this.stateOf(row, turn);
    const from = row.step === CONFIRM ? flow.steps.length : flow.steps.findIndex((s) => s.key === row.step);
    const previous = flow.steps
      .slice(0, Math.max(from, 0))
      .reverse()
      .find((s) => !s.when || s.when(state));
    if (!previous) {
      // A flow that asks nothing (the /lienket confirmation) has no earlier answer to correct.
      const why = row.step === CONFIRM ? '⚠️ Ở đây không có câu trả lời nào để sửa: bạn trả lời 1 để đồng ý, hoặc 3 để hủy.' : '⚠️ Đây đã là câu hỏi đầu tiên.';
      await this.ask(row, turn, why);
      return;
    }
    const answers = { ...(row.answers as Answers) };
    delete answers[previous.key];
    const moved = advanceConversation(this.deps.db, row, {
      step: previous.key,
      answers,
      now: turn.now,
      expiresAt: this.expiry(turn.now),
    });
    if (moved) await this.ask(moved, turn, 'Được, mình quay lại câu trước.');
  }

  /** `/huy`: drop the conversation; nothing was saved, and the person is told so. */
  async cancel(row: ConversationRow, turn: Turn): Promise<void> {
    const flow = this.flows.get(row.flow);
    if (!deleteConversation(this.deps.db, row)) return;
    await this.say(turn, flow ? `Đã hủy ${flow.title}. Chưa có gì được lưu. Gõ /${flow.command} nếu muốn làm lại.` : 'Đã hủy. Chưa có gì được lưu.');
  }

  /**
   * Whether the conversation can go on. A lapsed one, or one whose flow or step no longer
   * exists (the bot was upgraded mid-conversation), is ended with a kind notice listing what
   * the person had typed.
   */
  private async live(row: ConversationRow, turn: Turn): Promise<boolean> {
    if (this.expired(row, turn.now)) {
      await this.expire(row, turn);
      return false;
    }
    const flow = this.flows.get(row.flow);
    if (flow && (row.step === CONFIRM || flow.steps.some((s) => s.key === row.step))) return true;
    if (deleteConversation(this.deps.db, row)) {
      const state = this.stateOf(row, turn);
      const typed = Object.entries(state.answers)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([key, v]) => {
          const step = flow?.steps.find((s) => s.key === key);
          return step ? `• ${step.label}: ${displayOf(step, v, state)}` : `• ${rawDisplay(v)}`;
        });
      const list = typed.length > 0 ? `\nNhững gì bạn đã nhập:\n${typed.join('\n')}` : '';
      const again = flow ? ` Gõ /${flow.command} để làm lại.` : '';
      await this.say(turn, `Bot vừa được cập nhật nên thao tác bạn đang làm dở phải làm lại; chưa có gì được lưu.${list}${again}`);
    }
    return false;
  }

  /** Ends a lapsed conversation and tells its owner kindly, with what they had typed. */
  async expire(row: ConversationRow, turn: Turn): Promise<void> {
    if (deleteConversation(this.deps.db, row)) await this.say(turn, this.lapseNotice(row, turn.caller, turn.now, turn.msg.chat));
  }

  /**
   * The notice for a lapsed conversation, listing what was typed so nothing entered is lost
   * silently. Also for a conversation left by an older release: a flow that no longer exists, a
   * step renamed, or answers this release cannot show (the values are then listed as typed).
   */
  lapseNotice(row: ConversationRow, caller: Caller, now: Date, chat: ChatRef): string {
    const flow = this.flows.get(row.flow);
    const state: StepState = { answers: row.answers as Answers, context: row.context as Record<string, unknown>, now, db: this.deps.db, caller, chat };
    const raw = (keep: (key: string) => boolean) =>
      Object.entries(state.answers ?? {})
        .filter(([key, v]) => v !== null && v !== undefined && keep(key))
        .map(([, v]) => `• ${rawDisplay(v)}`);
    let lines: string[];
    try {
      // Answers of steps this release no longer has are listed too, as typed.
      lines = flow ? [...this.summaryLines(flow, state), ...raw((key) => !flow.steps.some((s) => s.key === key))] : raw(() => true);
    } catch (error) {
      this.deps.log.warn({ err: error, flow: row.flow, conversation: row.id }, 'lapsed answers listed as typed');
      lines = raw(() => true);
    }
    const typed = lines.length > 0 ? `\nĐây là những gì bạn đã nhập, để bạn khỏi phải gõ lại:\n${lines.join('\n')}` : '';
    return flow
      ? `Phiên ${flow.title} của bạn đã hết hạn vì lâu không có trả lời, nên chưa có gì được lưu.${typed}\nGõ /${flow.command} để làm lại.`
      : `Thao tác bạn đang làm dở đã hết hạn, nên chưa có gì được lưu.${typed}\nGõ /huongdan để xem các lệnh.`;
  }

  expired(row: ConversationRow, now: Date): boolean {
    return row.expiresAt <= now.getTime();
  }

  // -------------------------------------------------------------------------------------------

  private async confirm(flow: Flow, row: ConversationRow, turn: Turn): Promise<void> {
    const raw = answerText(turn.msg);
    const picked = isYesWord(raw) ? 'save' : matchChoice(CONFIRM_CHOICES, raw)?.value;
    if (picked === 'back') {
      // A step back is charged like a wrong answer: alternating it with a valid answer would
      // otherwise make the bot post without end, and only moving forward is free.
      if (!(await mayComplain(turn))) return;
      return this.back(row, turn);
    }
    if (picked === 'cancel') return this.cancel(row, turn);
    if (picked !== 'save') {
      await this.reask(row, turn, '⚠️ Bạn trả lời 1 để lưu, 2 để quay lại sửa, hoặc 3 để hủy.');
      return;
    }

    let outcome: FlowOutcome | undefined;
    try {
      // Saving and ending the conversation are one transaction: a confirmation delivered twice
      // finds the row gone (or its version moved) and saves nothing the second time.
      outcome = this.save(flow, row, turn);
    } catch (error) {
      if (!(error instanceof FlowError)) throw error;
      await this.refuse(flow, row, turn, error);
      return;
    }
    if (outcome === undefined) return;
    this.deps.log.info({ flow: flow.id, chat: row.chatId, user: row.userId }, 'conversation saved');
    if (typeof outcome === 'object' && 'notices' in outcome) {
      await this.say(turn, outcome.reply);
      await sendNotices(this.deps.deliver, outcome.notices, this.deps.log);
    } else {
      await this.say(turn, outcome);
    }
  }

  private async refuse(flow: Flow, row: ConversationRow, turn: Turn, error: FlowError): Promise<void> {
    // A refused save is a wrong answer too (saving the same refused data again and again).
    if (!(await mayComplain(turn))) return;
    const target = error.backTo ? flow.steps.find((s) => s.key === error.backTo) : undefined;
    if (!target) {
      await this.ask(row, turn, `⚠️ ${error.userMessage}`);
      return;
    }
    const answers = { ...(row.answers as Answers) };
    delete answers[target.key];
    const moved = advanceConversation(this.deps.db, row, { step: target.key, answers, now: turn.now, expiresAt: this.expiry(turn.now) });
    if (moved) await this.ask(moved, turn, `⚠️ ${error.userMessage}`);
  }

  /** Asks the current step again after a wrong answer, if the person's budget allows a reply. */
  private async reask(row: ConversationRow, turn: Turn, note: string): Promise<void> {
    if (await mayComplain(turn)) await this.ask(row, turn, note);
  }

  /** Sends the current question (or the summary), preceded by a note, and remembers its id. */
  private async ask(row: ConversationRow, turn: Turn, note?: string, handoff?: string): Promise<void> {
    const flow = this.flow(row.flow);
    const state = this.stateOf(row, turn);
    const head = note ? `${note}\n\n` : '';
    let reply: Reply;
    if (row.step === CONFIRM) {
      reply = {
        text: `${head}Bạn kiểm tra lại ${flow.title}:\n${this.summaryLines(flow, state).join('\n')}\n\nMọi thông tin đúng chưa? Trả lời 1 để lưu, 2 để quay lại sửa, 3 để hủy.`,
        choices: CONFIRM_CHOICES,
      };
    } else {
      const step = stepOf(flow, row.step);
      const asked = flow.steps.filter((s) => !s.when || s.when(state));
      const position = asked.indexOf(step) + 1;
      const prompt = typeof step.prompt === 'function' ? step.prompt(state) : step.prompt;
      const choices = choicesOf(step, state);
      const skip = step.optional ? ' (không bắt buộc: gõ "bỏ qua" nếu không có)' : '';
      reply = {
        text: `${head}(${position}/${asked.length}) ${prompt}${skip}`,
        choices: step.optional && choices.length > 0 ? [...choices, SKIP_CHOICE] : choices.length > 0 ? choices : undefined,
      };
    }
    reply.prompt = { answerFrom: turn.msg.sender, inReplyTo: turn.msg.messageId, ...(handoff ? { handoff } : {}) };
    const sent = await turn.out.send(reply);
    recordPrompt(this.deps.db, row, sent.messageId);
  }

  private summaryLines(flow: Flow, state: StepState): string[] {
    const given = flow.describe?.(state) ?? [];
    const answered = flow.steps
      .filter((s) => s.key in state.answers && (!s.when || s.when(state)))
      .map((s) => `• ${s.label}: ${displayOf(s, state.answers[s.key], state)}`);
    return [...given, ...answered];
  }

  private async say(turn: Turn, reply: Reply | string): Promise<void> {
    await turn.out.send(typeof reply === 'string' ? { text: reply } : reply);
  }

  private stateOf(row: { answers: unknown; context: unknown }, turn: Turn): StepState {
    return {
      answers: row.answers as Answers,
      context: row.context as Record<string, unknown>,
      now: turn.now,
      db: this.deps.db,
      caller: turn.caller,
      chat: turn.msg.chat,
    };
  }

  private flow(id: string): Flow {
    const flow = this.flows.get(id);
    if (!flow) throw new Error(`unknown flow "${id}"`);
    return flow;
  }

  private expiry(now: Date): Date {
    return new Date(now.getTime() + this.deps.ttlMinutes * 60_000);
  }
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

/**
 * What the person answered: the typed text (adapters already normalised it) or the pressed value.
 * A pressed value comes back from the client as it likes (Telegram callback data can be forged),
 * so it is normalised like typed text before any step stores it.
 */
function answerText(msg: IncomingMessage): string {
  return msg.choice ? normalizeIncomingText(msg.choice.value) : msg.text;
}

function mayComplain(turn: Turn): Promise<boolean> {
  return turn.mayComplain ? turn.mayComplain() : Promise.resolve(true);
}

function stepOf(flow: Flow, key: string): Step {
  const step = flow.steps.find((s) => s.key === key);
  if (!step) throw new Error(`flow "${flow.id}" has no step "${key}"`);
  return step;
}

/**
 * The first step that applies and has no answer yet, or the confirmation. After a fix (a
 * refusal, /quaylai) this returns to where the person was instead of re-asking everything.
 */
function nextStepKey(flow: Flow, state: StepState): string {
  const next = flow.steps.find((s) => !(s.key in state.answers) && (!s.when || s.when(state)));
  return next ? next.key : CONFIRM;
}

/** Answers of the steps that apply: an answer left by a branch not taken is not saved. */
function applicableAnswers(flow: Flow, state: StepState): Answers {
  const kept: Answers = {};
  for (const step of flow.steps) {
    if (step.key in state.answers && (!step.when || step.when(state))) kept[step.key] = state.answers[step.key];
  }
  return kept;
}

function choicesOf(step: Step, state: StepState): Choice[] {
  if (!step.choices) return [];
  return typeof step.choices === 'function' ? step.choices(state) : step.choices;
}

function schemaOf(step: Step, state: StepState) {
  if (step.schema) return typeof step.schema === 'function' ? step.schema(state) : step.schema;
  const choices = choicesOf(step, state);
  if (choices.length === 0) throw new Error(`step "${step.key}" has neither a schema nor choices`);
  return choiceAnswer(choices);
}

function displayOf(step: Step, value: unknown, state: StepState): string {
  if (value === null || value === undefined) return '(bỏ qua)';
  if (step.display) return step.display(value, state);
  if (step.attachment && Array.isArray(value)) return filesLine(value as IncomingAttachment[]);
  const choice = choicesOf(step, state).find((c) => c.value === value);
  return ellipsize(choice ? choice.label : String(value), 300);
}

function filesLine(files: IncomingAttachment[]): string {
  const names = files.map((a) => a.fileName ?? UNNAMED_FILE_LABEL[a.kind]);
  return ellipsize(`${files.length} tệp: ${names.join(', ')}`, 300);
}

/** An answer shown without its step (its flow or step is gone): the value as the person gave it. */
function rawDisplay(value: unknown): string {
  if (typeof value === 'string') return ellipsize(value, 300);
  if (Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && 'ref' in v && 'kind' in v)) {
    return filesLine(value as IncomingAttachment[]);
  }
  return ellipsize(typeof value === 'object' ? JSON.stringify(value) : String(value), 300);
}
