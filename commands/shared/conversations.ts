import type { IncomingMessage, Outbound } from '../../core/chat.js';
import type { ConversationRow, OwnerKey } from '../../db/conversations.js';
import type { Caller } from '../../db/people.js';

/** One message being handled, with who sent it and how to answer. */
export interface Turn {
  msg: IncomingMessage;
  out: Outbound;
  caller: Caller;
  now: Date;
  /**
   * Asked before the bot answers a wrong answer (a re-ask, an old button, a step back); false
   * means the person is over their budget, and the bot then stays silent and moves nothing.
   * Absent (commands, the simulator): always answer.
   */
  mayComplain?: () => Promise<boolean>;
}

/**
 * What a command may do with conversations: start one, find, go back in or cancel the asker's
 * own, take over one handed to a private chat. The engine that runs them (bot/conversation.ts)
 * implements it; commands never see how steps are stored or sent.
 */
export interface Conversations {
  find(key: OwnerKey): ConversationRow | undefined;
  start(flowId: string, turn: Turn, context?: Record<string, unknown>): Promise<void>;
  takeOver(token: string, turn: Turn): Promise<void>;
  back(row: ConversationRow, turn: Turn): Promise<void>;
  /** `/tieptuc`: take up the asker's lapsed conversation where it stopped. */
  resume(turn: Turn): Promise<ResumeOutcome>;
  cancel(row: ConversationRow, turn: Turn): Promise<void>;
}

/**
 * What `/tieptuc` came to: the engine answered (the question again, or why it could not go on),
 * nothing was left to take up, or the draft is in another chat, which the command names.
 */
export type ResumeOutcome = { kind: 'answered' } | { kind: 'nothing' } | { kind: 'elsewhere'; title: string; where: string };
