import type { z } from 'zod';
import type { Db } from '../../db/client.js';
import type { Caller } from '../../db/people.js';
import type { ChatRef, Choice, IncomingAttachment, Notice, Reply } from '../../core/chat.js';

/**
 * A flow is data: an ordered list of steps, each with a prompt, optional choices and a zod
 * schema that parses the typed answer. The engine persists where each person is, so flows stay
 * plain declarations next to the command that starts them.
 *
 * Flows are written with `defineFlow(…).step(…)…save(…)`: each step's answer type comes from
 * its schema (or its choices' values, or the files sent), so what a later step, and the save,
 * read in `s.answers` is typed without casts. The engine itself sees the erased `Flow` below.
 */

/** Answers as the engine stores them (JSON, keyed by step). */
export type Answers = Record<string, unknown>;

/** What a step sees when it builds its prompt, choices or schema. `A` is the answers it may read. */
export interface StepState<A = unknown> {
  answers: A;
  /**
   * Data the flow was started with (for instance the unit a leader acts for). Loosely typed on
   * purpose: it is written by `conversations.start(flowId, …)`, which names the flow by a string,
   * so a per-flow type would be asserted rather than checked; each flow reads it through one small
   * accessor that converts. The keys "handoff" and "flowVersion" are the engine's.
   */
  context: Record<string, unknown>;
  now: Date;
  db: Db;
  caller: Caller;
  /** The chat the conversation runs in. */
  chat: ChatRef;
}

/** A step as the engine runs it. */
export interface Step {
  key: string;
  /** Name of the answer in the summary: "Tên mô hình". */
  label: string;
  prompt: string | ((s: StepState<Answers>) => string);
  choices?: readonly Choice[] | ((s: StepState<Answers>) => readonly Choice[]);
  /**
   * Parses the raw answer. Defaults to matching `choices` when the step has them. A function
   * form sees earlier answers (an end date checked against the start date).
   */
  schema?: z.ZodType<unknown, string> | ((s: StepState<Answers>) => z.ZodType<unknown, string>);
  /** May be skipped with "bỏ qua"; the answer is then null. */
  optional?: boolean;
  /**
   * The answer is the photos or files sent with the message (an IncomingAttachment[]); the
   * text of that message, if any, is ignored. Typed text alone is refused (unless skipping).
   */
  attachment?: boolean;
  /** Asked only when this holds (a holder's name only for an individual holder). */
  when?: (s: StepState<Answers>) => boolean;
  /** How the answer reads in the summary; defaults to the choice label or the text. */
  display?: (value: unknown, s: StepState<Answers>) => string;
  /** See SchemaStep.stillValid. */
  stillValid?: (value: unknown, s: StepState<Answers>) => boolean;
}

/** A flow as the engine runs it; written with `defineFlow`. */
export interface Flow {
  id: string;
  /** The command that starts it, for "gõ /dangky để làm lại". */
  command: string;
  /** What the person is doing, in a phrase: "đăng ký mô hình". */
  title: string;
  /** See FlowHead.version. */
  version: number;
  /** See FlowHead.strictConfirm. */
  strictConfirm?: boolean;
  /** See FlowHead.confirmNote. */
  confirmNote?: string;
  steps: readonly Step[];
  /** Lines shown first in the summary, for what the flow was started with (a model given by code). */
  describe?: (s: StepState<Answers>) => string[];
  /**
   * Saves the confirmed answers. Runs inside the transaction that ends the conversation, so a
   * confirmation is saved exactly once; throw FlowError to refuse with a message.
   */
  save(s: StepState<Answers>): FlowOutcome;
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

// ---------------------------------------------------------------------------------------------
// defineFlow: the typed way to write a Flow

/**
 * The answer of a conditional step, read where its `when` holds (the change chosen is a rename,
 * so the new name was asked). The engine shows the summary only once every step that applies has
 * an answer, so a missing one is a bug in the engine, never something the person typed.
 */
export function answered<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new Error(`the step "${key}" applies but has no answer`);
  return value;
}

export interface FlowHead {
  id: string;
  command: string;
  title: string;
  /**
   * The shape of the flow's saved conversations. Raise it whenever a conversation saved by the
   * previous release could be misread by this one: a step added, removed or moved, a `when`
   * changed, the context's meaning changed. A saved conversation of another version is ended
   * with a kind notice listing what was typed (the person starts again with the command).
   * A step whose answer changes type also gets a new key, so the notice never shows an old
   * answer through the new step's display.
   */
  version: number;
  /**
   * For what cannot be undone (removing a person): the summary asks for "đồng ý" and any other
   * answer cancels, instead of offering to go back and asking again.
   */
  strictConfirm?: boolean;
  /**
   * What a strict confirmation says of undoing it; "Việc này không hoàn tác được." unless said
   * (a decision can be undone with /hoantac for ten minutes).
   */
  confirmNote?: string;
  /** Lines shown first in the summary, for what the flow was started with (a model given by code). */
  describe?: (s: StepState) => string[];
}

/**
 * `when` and `display` see every earlier answer as possibly missing: `when` is asked of every step
 * to count "(3/7)" before anything is answered, and a summary may be listed mid-flow (a lapse, a
 * refusal that reopened an earlier step). `prompt`, `choices` and `schema` run while their step is
 * asked, which the engine does only once every earlier step that applies has an answer.
 */
type When<A, W extends boolean> = (s: StepState<Partial<A>>) => W;

interface ChoiceOf<V extends string> {
  readonly value: V;
  readonly label: string;
}

interface StepBase<A, O extends boolean, W extends boolean> {
  label: string;
  prompt: string | ((s: StepState<A>) => string);
  /** May be skipped with "bỏ qua"; the answer is then null. */
  optional?: O;
  /** Asked only when this holds; the answer is then possibly missing for later steps and the save. */
  when?: When<A, W>;
}

/** A step whose answer is its schema's output; choices, if any, are only the buttons offered. */
interface SchemaStep<A, V, O extends boolean, W extends boolean> extends StepBase<A, O, W> {
  schema: z.ZodType<V, string> | ((s: StepState<A>) => z.ZodType<V, string>);
  choices?: readonly Choice[] | ((s: StepState<A>) => readonly Choice[]);
  attachment?: never;
  /** Written after `schema`: TypeScript reads an object's functions in order to type `value`. */
  display?: (value: V, s: StepState<Partial<A>>) => string;
  /**
   * Whether this step's answer still holds after an earlier answer was changed (/quaylai, "sửa
   * mục 3"); when it does not, the step is asked again. By default a choice must still be offered
   * and text must still pass the schema; an answer the schema built from other words (an object,
   * an id) is kept unless the step says here what it depends on (a confirmation of an earlier
   * figure, say).
   */
  stillValid?: (value: V, s: StepState<Partial<A>>) => boolean;
}

/** A step answered by picking one of its choices; the answer is the picked value. */
interface ChoiceStep<A, V extends string, O extends boolean, W extends boolean> extends StepBase<A, O, W> {
  choices: readonly ChoiceOf<V>[] | ((s: StepState<A>) => readonly ChoiceOf<V>[]);
  schema?: never;
  attachment?: never;
  display?: (value: V, s: StepState<Partial<A>>) => string;
  stillValid?: (value: V, s: StepState<Partial<A>>) => boolean;
}

/** A step answered with the photos or files sent with the message. */
interface FileStep<A, O extends boolean, W extends boolean> extends StepBase<A, O, W> {
  attachment: true;
  schema?: never;
  choices?: never;
  display?: (value: IncomingAttachment[], s: StepState<Partial<A>>) => string;
  stillValid?: (value: IncomingAttachment[], s: StepState<Partial<A>>) => boolean;
}

type Flat<T> = { [P in keyof T]: T[P] } & {};
type Value<V, O extends boolean> = O extends true ? V | null : V;
/** The answers after one more step: a conditional step's answer may be missing. */
type With<A, K extends string, V, O extends boolean, W extends boolean> = Flat<
  A & ([W] extends [never] ? { [P in K]: Value<V, O> } : { [P in K]?: Value<V, O> })
>;

/** The flow so far; `A` is the answers of the steps declared until now. */
export interface FlowBuilder<A> {
  step<K extends string, V, O extends boolean = false, W extends boolean = never>(key: K, def: SchemaStep<A, V, O, W>): FlowBuilder<With<A, K, V, O, W>>;
  step<K extends string, V extends string, O extends boolean = false, W extends boolean = never>(
    key: K,
    def: ChoiceStep<A, V, O, W>,
  ): FlowBuilder<With<A, K, V, O, W>>;
  step<K extends string, O extends boolean = false, W extends boolean = never>(
    key: K,
    def: FileStep<A, O, W>,
  ): FlowBuilder<With<A, K, IncomingAttachment[], O, W>>;
  /** Ends the declaration. The save sees every answer typed; see Flow.save. */
  save(save: (s: StepState<A>) => FlowOutcome): Flow;
}

/**
 * Starts a flow: `defineFlow({ id, command, title, version }).step('name', {…}).step(…).save((s) => …)`.
 * Each `.step` sees the answers of the steps before it, typed from their schemas.
 */
export function defineFlow(head: FlowHead): FlowBuilder<{}> {
  return builder(head, []);
}

function builder<A>(head: FlowHead, steps: readonly Step[]): FlowBuilder<A> {
  return {
    step(key: string, def: object) {
      if (steps.some((s) => s.key === key)) throw new Error(`flow "${head.id}" has two steps "${key}"`);
      // The one place typed steps meet the engine's untyped answers: the engine keeps the order the
      // types describe (a step is asked once the earlier ones are answered), so this holds.
      return builder(head, [...steps, { key, ...def } as Step]);
    },
    save(save) {
      return { ...head, steps, save: save as Flow['save'] } as Flow;
    },
  } as FlowBuilder<A>;
}
