import type { z } from 'zod';
import type { Db } from '../../db/client.js';
import type { Caller } from '../../db/people.js';
import type { ChatRef, Choice, Notice, Reply } from '../../core/chat.js';

/**
 * A flow is data: an ordered list of steps, each with a prompt, optional choices and a zod
 * schema that parses the typed answer. The engine (conversation.ts) persists where each person
 * is, so flows stay plain declarations next to the command that starts them.
 */

export type Answers = Record<string, unknown>;

/** What a step sees when it builds its prompt, choices or schema. */
export interface StepState {
  answers: Answers;
  /** Data the flow was started with (for instance the unit a leader acts for); the key "handoff" is the engine's. */
  context: Record<string, unknown>;
  now: Date;
  db: Db;
  caller: Caller;
  /** The chat the conversation runs in. */
  chat: ChatRef;
}

export interface Step {
  key: string;
  /** Name of the answer in the summary: "Tên mô hình". */
  label: string;
  prompt: string | ((s: StepState) => string);
  choices?: Choice[] | ((s: StepState) => Choice[]);
  /**
   * Parses the raw answer. Defaults to matching `choices` when the step has them. A function
   * form sees earlier answers (an end date checked against the start date).
   */
  schema?: z.ZodType<unknown, string> | ((s: StepState) => z.ZodType<unknown, string>);
  /** May be skipped with "bỏ qua"; the answer is then null. */
  optional?: boolean;
  /**
   * The answer is the photos or files sent with the message (an IncomingAttachment[]); the
   * text of that message, if any, is ignored. Typed text alone is refused (unless skipping).
   */
  attachment?: boolean;
  /** Asked only when this holds (a holder's name only for an individual holder). */
  when?: (s: StepState) => boolean;
  /** How the answer reads in the summary; defaults to the choice label or the text. */
  display?: (value: unknown, s: StepState) => string;
}

export interface Flow {
  id: string;
  /** The command that starts it, for "gõ /dangky để làm lại". */
  command: string;
  /** What the person is doing, in a phrase: "đăng ký mô hình". */
  title: string;
  steps: Step[];
  /** Lines shown first in the summary, for what the flow was started with (a model given by code). */
  describe?: (s: StepState) => string[];
  /**
   * Saves the confirmed answers. Runs inside the transaction that ends the conversation, so a
   * confirmation is saved exactly once; throw FlowError to refuse with a message.
   */
  save(s: StepState): FlowOutcome;
}

/** What a save answers the person, and what it tells other chats once committed. */
export type FlowOutcome = Reply | string | { reply: Reply | string; notices: Notice[] };

/** A refusal at save time that the person can fix; `backTo` reopens that step. */
export class FlowError extends Error {
  constructor(
    readonly userMessage: string,
    readonly backTo?: string,
  ) {
    super(userMessage);
    this.name = 'FlowError';
  }
}
