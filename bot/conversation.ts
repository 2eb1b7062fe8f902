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
import { reusableTransaction } from '../db/reusableTransaction.js';
import type { ChatRef, Deliver, IncomingMessage, Outbound, Reply } from '../core/chat.js';
import type { Clock } from '../core/clock.js';
import type { Conversations, Turn } from '../commands/shared/conversations.js';
import { type Answers, type Flow, FlowError, type FlowOutcome } from '../commands/shared/flow.js';
import {
  alreadyRunning,
  answerInput,
  applicableAnswers,
  CONFIRM,
  CONFIRM_HELP,
  cancelled,
  type FlowState,
  handoffOf,
  lapseNotice,
  type ListedNotice,
  type Move,
  nextStepKey,
  offersHandoff,
  question,
  readAnswer,
  readConfirmation,
  reopen,
  standing,
  startContext,
  stepBack,
  upgradeNotice,
} from '../commands/shared/flowEngine.js';
import { sendNotices } from './notify.js';

/**
 * The persisted step engine: the binding of the pure step logic (commands/shared/flowEngine.ts)
 * to SQLite and to sending. Every state change is one SQLite write guarded by a version, so a
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
    this.save = reusableTransaction(db, (flow: Flow, row: ConversationRow, turn: Turn) => {
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
      await this.say(turn, alreadyRunning(this.flow(existing.flow)));
      await this.ask(existing, turn);
      return;
    }
    const state = this.stateOf({ answers: {}, context }, turn);
    // A long flow in a group can move to the person's private chat (the group path keeps working).
    const handoff = offersHandoff(flow, state) ? randomBytes(12).toString('base64url') : undefined;
    const row = insertConversation(this.deps.db, key, {
      flow: flowId,
      step: nextStepKey(flow, state),
      context: startContext(flow, context, handoff),
      now: turn.now,
      expiresAt: this.expiry(turn.now),
    });
    this.deps.log.info({ flow: flowId, chat: key.chatId, user: key.userId }, 'conversation started');
    await this.ask(row, turn, undefined, handoff ? handoffOf(row.context) : undefined);
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
    const outcome = readAnswer(flow, row.step, this.stateOf(row, turn), answerInput(turn.msg));
    if (outcome.kind === 'reask') return this.reask(row, turn, outcome.note);
    const moved = this.move(row, outcome, turn);
    if (!moved) return; // the same answer was already taken (a duplicate delivery)
    await this.ask(moved, turn);
  }

  /** `/quaylai`: reopen the previous step that was asked. */
  async back(row: ConversationRow, turn: Turn): Promise<void> {
    if (!(await this.live(row, turn))) return;
    const outcome = stepBack(this.flow(row.flow), row.step, this.stateOf(row, turn));
    if (outcome.kind === 'stay') {
      await this.ask(row, turn, outcome.note);
      return;
    }
    const moved = this.move(row, outcome, turn);
    if (moved) await this.ask(moved, turn, 'Được, mình quay lại câu trước.');
  }

  /** `/huy`: drop the conversation; nothing was saved, and the person is told so. */
  async cancel(row: ConversationRow, turn: Turn): Promise<void> {
    const flow = this.flows.get(row.flow);
    if (!deleteConversation(this.deps.db, row)) return;
    await this.say(turn, cancelled(flow));
  }

  /**
   * Whether the conversation can go on. A lapsed one, or one this release cannot go on with (its
   * flow or step no longer exists, or its flow's version changed: the bot was upgraded
   * mid-conversation), is ended with a kind notice listing what the person had typed. Ending it
   * rather than restarting it keeps the command's own checks: the person types the command again.
   */
  private async live(row: ConversationRow, turn: Turn): Promise<boolean> {
    if (this.expired(row, turn.now)) {
      await this.expire(row, turn);
      return false;
    }
    const flow = this.flows.get(row.flow);
    const fit = standing(flow, row);
    if (fit === 'current') return true;
    if (deleteConversation(this.deps.db, row)) {
      this.deps.log.info({ flow: row.flow, conversation: row.id, why: fit }, 'conversation left by another release ended');
      const notice = this.logged(upgradeNotice(flow, fit, this.stateOf(row, turn)), row, 'ended answers listed as typed');
      await this.say(turn, notice);
    }
    return false;
  }

  /** Ends a lapsed conversation and tells its owner kindly, with what they had typed. */
  async expire(row: ConversationRow, turn: Turn): Promise<void> {
    if (deleteConversation(this.deps.db, row)) await this.say(turn, this.lapseNotice(row, turn.caller, turn.now, turn.msg.chat));
  }

  /** The notice for a lapsed conversation (also one an older release left), for the scheduler too. */
  lapseNotice(row: ConversationRow, caller: Caller, now: Date, chat: ChatRef): string {
    const state: FlowState = { answers: row.answers, context: row.context, now, db: this.deps.db, caller, chat };
    return this.logged(lapseNotice(this.flows.get(row.flow), state), row, 'lapsed answers listed as typed');
  }

  expired(row: ConversationRow, now: Date): boolean {
    return row.expiresAt <= now.getTime();
  }

  // -------------------------------------------------------------------------------------------

  private async confirm(flow: Flow, row: ConversationRow, turn: Turn): Promise<void> {
    const picked = readConfirmation(answerInput(turn.msg), flow.strictConfirm);
    if (picked === 'back') {
      // A step back is charged like a wrong answer: alternating it with a valid answer would
      // otherwise make the bot post without end, and only moving forward is free.
      if (!(await mayComplain(turn))) return;
      return this.back(row, turn);
    }
    if (picked === 'cancel') return this.cancel(row, turn);
    if (picked !== 'save') return this.reask(row, turn, CONFIRM_HELP);

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
    const target = reopen(flow, error.backTo, row.answers);
    if (!target) {
      await this.ask(row, turn, `⚠️ ${error.userMessage}`);
      return;
    }
    const moved = this.move(row, target, turn);
    if (moved) await this.ask(moved, turn, `⚠️ ${error.userMessage}`);
  }

  /** Asks the current step again after a wrong answer, if the person's budget allows a reply. */
  private async reask(row: ConversationRow, turn: Turn, note: string): Promise<void> {
    if (await mayComplain(turn)) await this.ask(row, turn, note);
  }

  /** Sends the current question (or the summary), preceded by a note, and remembers its id. */
  private async ask(row: ConversationRow, turn: Turn, note?: string, handoff?: string): Promise<void> {
    const reply = question(this.flow(row.flow), row.step, this.stateOf(row, turn), note);
    reply.prompt = { answerFrom: turn.msg.sender, inReplyTo: turn.msg.messageId, ...(handoff ? { handoff } : {}) };
    const sent = await turn.out.send(reply);
    recordPrompt(this.deps.db, row, sent.messageId);
  }

  /** Moves the row to a step, unless it moved since it was read (then undefined). */
  private move(row: ConversationRow, to: Move, turn: Turn): ConversationRow | undefined {
    return advanceConversation(this.deps.db, row, { step: to.step, answers: to.answers, now: turn.now, expiresAt: this.expiry(turn.now) });
  }

  private logged(notice: ListedNotice, row: ConversationRow, warning: string): string {
    if (notice.listError !== undefined) this.deps.log.warn({ err: notice.listError, flow: row.flow, conversation: row.id }, warning);
    return notice.text;
  }

  private async say(turn: Turn, reply: Reply | string): Promise<void> {
    await turn.out.send(typeof reply === 'string' ? { text: reply } : reply);
  }

  private stateOf(row: { answers: Answers; context: Record<string, unknown> }, turn: Turn): FlowState {
    return { answers: row.answers, context: row.context, now: turn.now, db: this.deps.db, caller: turn.caller, chat: turn.msg.chat };
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

function mayComplain(turn: Turn): Promise<boolean> {
  return turn.mayComplain ? turn.mayComplain() : Promise.resolve(true);
}
