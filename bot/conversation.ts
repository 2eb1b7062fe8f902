import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import {
  advanceConversation,
  type ConversationRow,
  deleteConversation,
  findByHandoff,
  conversationAsking,
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
import type { Conversations, ResumeOutcome, Turn } from '../commands/shared/conversations.js';
import { type Answers, type Flow, FlowError, type FlowOutcome } from '../commands/shared/flow.js';
import {
  alreadyRunning,
  answerInput,
  applicableAnswers,
  CONFIRM,
  CONFIRM_HELP,
  cancelled,
  chatPlace,
  EDIT,
  editItem,
  type FlowState,
  handoffOf,
  lapseNotice,
  type ListedNotice,
  type Move,
  nextStepKey,
  offersHandoff,
  openElsewhere,
  question,
  readAnswer,
  readConfirmation,
  readEditPick,
  reopen,
  resumedNote,
  resumeTooLate,
  standing,
  startContext,
  stepBack,
  stillLapsed,
  upgradeNotice,
} from '../commands/shared/flowEngine.js';
import { draftsOf, lapsedAt, markLapsed, resumeConversation } from '../db/conversationDrafts.js';
import { sendNotices } from './notify.js';

/** Said to someone pressing a button of another person's question (also by the Telegram adapter, which can tell sooner). */
export const NOT_YOURS = 'Nút này của người khác nên không có gì thay đổi.';

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

  /**
   * What to tell someone whose press changed nothing: the button is another person's current
   * question, or a question that is over (answered, saved, cancelled or timed out). Said truly
   * whether or not the presser has a conversation of their own.
   */
  pressNotice(msg: IncomingMessage): string {
    const pressed = msg.choice ? conversationAsking(this.deps.db, msg.chat.platform, msg.chat.id, msg.choice.promptMessageId) : undefined;
    if (pressed && pressed.userId !== msg.sender.id) return NOT_YOURS;
    const own = this.find(ownerKey(msg));
    return own
      ? 'Nút này thuộc một câu hỏi đã qua nên không có gì thay đổi. Bạn trả lời câu hỏi mới nhất nhé.'
      : 'Câu hỏi của nút này đã xong (đã lưu, đã hủy hoặc đã hết hạn) nên không có gì thay đổi.';
  }

  find(key: OwnerKey): ConversationRow | undefined {
    return findConversation(this.deps.db, key);
  }

  /**
   * Whether this message is an answer to the owner's conversation (and not group chatter). A
   * lapsed conversation kept for /tieptuc takes nothing the person says in a group, unless it is
   * aimed at its question (a button, a reply to it): they are then told how to take it up.
   */
  isAnswer(row: ConversationRow, msg: IncomingMessage, out: Outbound): boolean {
    if (msg.choice) return true;
    if (msg.chat.kind === 'private') return true;
    if (out.answerMode === 'next-message' && lapsedAt(row) === undefined) return true;
    return msg.replyTo !== undefined && msg.replyTo.messageId === row.promptMessageId;
  }

  async start(flowId: string, turn: Turn, context: Record<string, unknown> = {}): Promise<void> {
    const flow = this.flow(flowId);
    const key = ownerKey(turn.msg);
    const existing = this.find(key);
    if (existing) {
      if (lapsedAt(existing) !== undefined) {
        // Its owner was told it lapsed, offered /tieptuc or this command to begin again: they begin again.
        if (!deleteConversation(this.deps.db, existing)) return;
      } else if (this.expired(existing, turn.now)) {
        if (existing.flow === flowId && standing(flow, existing) === 'current') {
          // Lapsed, never told: what was typed is not dropped unseen. The notice offers /tieptuc or beginning again.
          await this.expire(existing, turn);
          return;
        }
        // Another flow's draft: it ends with what was typed listed, and this one begins.
        if (!deleteConversation(this.deps.db, existing)) return;
        await this.say(turn, this.notice(existing, turn.caller, turn.now, turn.msg.chat, false));
      } else if (await this.live(existing, turn)) {
        await this.say(turn, alreadyRunning(this.flow(existing.flow)));
        await this.ask(existing, turn);
        return;
      }
    }
    const other = this.underWayElsewhere(flow, key, turn.now);
    if (other) {
      await this.say(
        turn,
        openElsewhere(flow, chatPlace(other.chatKind, other.chatTitle), Object.keys(other.row.answers).length, turn.msg.chat.kind === 'private'),
      );
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
      await this.say(turn, { text: this.pressNotice(turn.msg), ephemeral: true });
      return;
    }
    const flow = this.flow(row.flow);
    if (row.step === CONFIRM) return this.confirm(flow, row, turn);
    if (row.step === EDIT) return this.pickEdit(flow, row, turn);
    const outcome = readAnswer(flow, row.step, this.stateOf(row, turn), answerInput(turn.msg));
    if (outcome.kind === 'reask') return this.reask(row, turn, outcome.note);
    const moved = this.move(row, outcome, turn);
    if (!moved) return; // the same answer was already taken (a duplicate delivery)
    await this.ask(moved, turn);
  }

  /** `/quaylai`: reopen the previous step that was asked, its answer shown and kept until changed. */
  async back(row: ConversationRow, turn: Turn): Promise<void> {
    if (!(await this.live(row, turn))) return;
    const outcome = stepBack(this.flow(row.flow), row.step, this.stateOf(row, turn));
    if (outcome.kind === 'stay') {
      await this.ask(row, turn, outcome.note);
      return;
    }
    const moved = this.move(row, outcome, turn);
    if (moved) await this.ask(moved, turn, outcome.note);
  }

  /**
   * `/tieptuc`: takes up the asker's lapsed conversation where it stopped, with its answers. In a
   * private chat a draft left in another chat comes here (as the hand-off link brings it); a group
   * is only told where the draft is, since its members would read the answers.
   */
  async resume(turn: Turn): Promise<ResumeOutcome> {
    const key = ownerKey(turn.msg);
    const here = this.find(key);
    if (here) {
      if (lapsedAt(here) !== undefined || this.expired(here, turn.now)) return this.revive(here, turn);
      if (await this.live(here, turn)) await this.ask(here, turn, alreadyRunning(this.flow(here.flow)));
      return { kind: 'answered' };
    }
    const draft = draftsOf(this.deps.db, key.platform, key.userId).find((d) => d.row.chatId !== key.chatId && this.resumable(d.row, turn.now));
    if (!draft) return { kind: 'nothing' };
    const title = this.flows.get(draft.row.flow)?.title ?? 'thao tác';
    if (turn.msg.chat.kind !== 'private') return { kind: 'elsewhere', title, where: chatPlace(draft.chatKind, draft.chatTitle) };
    const moved = moveConversation(this.deps.db, draft.row, key.chatId, turn.now);
    return moved ? this.revive(moved, turn) : { kind: 'nothing' };
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
    const flow = this.flows.get(row.flow);
    const fit = standing(flow, row);
    if (lapsedAt(row) !== undefined) {
      if (this.expired(row, turn.now)) {
        // Its day for /tieptuc is over; the lapse job had not yet come by to forget it.
        if (deleteConversation(this.deps.db, row)) await this.say(turn, resumeTooLate(flow));
        return false;
      }
      if (fit === 'current' && flow) {
        if (await mayComplain(turn)) await this.say(turn, stillLapsed(flow));
        return false;
      }
    } else if (this.expired(row, turn.now)) {
      await this.expire(row, turn);
      return false;
    }
    if (fit === 'current') return true;
    if (deleteConversation(this.deps.db, row)) {
      this.deps.log.info({ flow: row.flow, conversation: row.id, why: fit }, 'conversation left by another release ended');
      const notice = this.logged(upgradeNotice(flow, fit, this.stateOf(row, turn)), row, 'ended answers listed as typed');
      await this.say(turn, notice);
    }
    return false;
  }

  /**
   * Ends a lapsed conversation and tells its owner kindly, with what they had typed. One this
   * release can go on with is kept a day for /tieptuc; any other is forgotten.
   */
  async expire(row: ConversationRow, turn: Turn): Promise<void> {
    const resumable = this.current(row);
    const notice = this.notice(row, turn.caller, turn.now, turn.msg.chat, resumable);
    const ended = resumable ? markLapsed(this.deps.db, row, turn.now) !== undefined : deleteConversation(this.deps.db, row);
    if (ended) await this.say(turn, notice);
  }

  /**
   * The notice for a lapsed conversation (also one an older release left), for the scheduler too,
   * which then keeps the row a day (db/conversationDrafts.ts). It offers /tieptuc when this
   * release can go on with the conversation.
   */
  lapseNotice(row: ConversationRow, caller: Caller, now: Date, chat: ChatRef): { text: string; resumable: boolean } {
    const resumable = this.current(row);
    return { text: this.notice(row, caller, now, chat, resumable), resumable };
  }

  expired(row: ConversationRow, now: Date): boolean {
    return row.expiresAt <= now.getTime();
  }

  // -------------------------------------------------------------------------------------------

  private async confirm(flow: Flow, row: ConversationRow, turn: Turn): Promise<void> {
    const picked = readConfirmation(answerInput(turn.msg), flow.strictConfirm);
    if (picked === 'back' || typeof picked === 'object') {
      // Going back is charged like a wrong answer: alternating it with a valid answer would
      // otherwise make the bot post without end, and only moving forward is free.
      if (!(await mayComplain(turn))) return;
      if (picked === 'back') {
        const back = stepBack(flow, CONFIRM, this.stateOf(row, turn));
        // A flow that asks nothing (the /lienket confirmation) has no item to fix.
        if (back.kind === 'stay') return this.ask(row, turn, back.note);
        const moved = this.move(row, { step: EDIT, answers: row.answers }, turn);
        if (moved) await this.ask(moved, turn);
        return;
      }
      return this.edit(row, turn, editItem(flow, this.stateOf(row, turn), picked.edit));
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

  /** The answer to "which item?" after "Quay lại sửa". */
  private async pickEdit(flow: Flow, row: ConversationRow, turn: Turn): Promise<void> {
    const outcome = readEditPick(flow, this.stateOf(row, turn), answerInput(turn.msg));
    if (outcome.kind === 'summary') {
      const moved = this.move(row, outcome, turn);
      if (moved) await this.ask(moved, turn);
      return;
    }
    return this.edit(row, turn, outcome);
  }

  /** Reopens an item of the summary with its answer shown, or asks again why not. */
  private async edit(row: ConversationRow, turn: Turn, outcome: ReturnType<typeof editItem>): Promise<void> {
    if (outcome.kind === 'reask') return this.reask(row, turn, outcome.note);
    const moved = this.move(row, outcome, turn);
    if (moved) await this.ask(moved, turn, outcome.note);
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

  /** Takes up a lapsed (or lapsed, not yet told) conversation in the chat it is in now. */
  private async revive(row: ConversationRow, turn: Turn): Promise<ResumeOutcome> {
    if (lapsedAt(row) !== undefined && this.expired(row, turn.now)) {
      deleteConversation(this.deps.db, row); // its day is over: as if the lapse job had come by
      return { kind: 'nothing' };
    }
    const flow = this.flows.get(row.flow);
    const fit = standing(flow, row);
    if (fit !== 'current' || !flow) {
      // Left by another release: ended with what was typed, as an answer to it would be.
      if (fit !== 'current' && deleteConversation(this.deps.db, row)) {
        await this.say(turn, this.logged(upgradeNotice(flow, fit, this.stateOf(row, turn)), row, 'ended answers listed as typed'));
      }
      return { kind: 'answered' };
    }
    const resumed = resumeConversation(this.deps.db, row, turn.now, this.expiry(turn.now));
    if (!resumed) return { kind: 'nothing' };
    this.deps.log.info({ flow: flow.id, chat: resumed.chatId, user: resumed.userId }, 'conversation resumed');
    await this.ask(resumed, turn, resumedNote(flow));
    return { kind: 'answered' };
  }

  /** Whether /tieptuc can take this conversation up: under way, lapsed and not yet told, or told less than a day ago. */
  private resumable(row: ConversationRow, now: Date): boolean {
    return (lapsedAt(row) === undefined || !this.expired(row, now)) && this.current(row);
  }

  /** The owner's conversation of this flow under way in another chat (not lapsed), if any. */
  private underWayElsewhere(flow: Flow, key: OwnerKey, now: Date) {
    return draftsOf(this.deps.db, key.platform, key.userId).find(
      (d) => d.row.chatId !== key.chatId && d.row.flow === flow.id && lapsedAt(d.row) === undefined && !this.expired(d.row, now) && this.current(d.row),
    );
  }

  private current(row: ConversationRow): boolean {
    return standing(this.flows.get(row.flow), row) === 'current';
  }

  private notice(row: ConversationRow, caller: Caller, now: Date, chat: ChatRef, resumable: boolean): string {
    const state: FlowState = { answers: row.answers, context: row.context, now, db: this.deps.db, caller, chat };
    return this.logged(lapseNotice(this.flows.get(row.flow), state, resumable), row, 'lapsed answers listed as typed');
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
