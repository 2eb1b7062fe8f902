import type { Logger } from 'pino';
import { type GroupMessage, ThreadType, type UserMessage } from 'zca-js';

export type ZaloMessage = UserMessage | GroupMessage;

/** Recovery replays from this long before the last message handled (or the start)… */
export const RECOVERY_MARGIN_MS = 5 * 60_000;
/**
 * …but never messages older than this: about what Zalo gives back, and well inside the 3 days
 * delivery keys are kept (so a replayed message handled before is always recognised by its id).
 */
export const RECOVERY_HORIZON_MS = 24 * 60 * 60_000;
/** How long Zalo has to answer one history request before the live messages held for it go on. */
export const HISTORY_ANSWER_MS = 5_000;
/** History pages asked for per kind of chat each time the socket opens, at most. */
export const HISTORY_PAGES = 10;
/** The last handled time is written to the database at most this often (and at stop). */
export const WATERMARK_SAVE_MS = 5_000;

export interface MissedMessagesOptions {
  log: Logger;
  /** Real time in ms, comparable with Zalo's message timestamps. */
  now: () => number;
  /** Runs `fn` once after `ms` unless cancelled (tests fire it themselves). */
  after: (ms: number, fn: () => void) => () => void;
  /** The last handled time kept from before (the database); undefined on a first start. */
  load?: () => number | undefined;
  save?: (at: number) => void;
  /** Handles one message now: the adapter's receive, which drops ids already handled (false). */
  handle: (message: ZaloMessage) => boolean;
}

/** Sends one history request on the open socket (zca-js's `requestOldMessages`). */
export type RequestHistory = (type: ThreadType, lastMsgId: string | null) => void;

/** One kind of chat's history, asked for when one socket opened. */
interface History {
  type: ThreadType;
  /** Messages older than this are not replayed. */
  since: number;
  /** The last handled time when the socket opened: what is missing before `since` is reported. */
  from: number;
  pages: number;
  collected: Map<string, ZaloMessage>;
  /** The oldest message Zalo gave back so far (its time and id: the next page's cursor). */
  oldest?: { ts: number; id: string };
  /** Live messages of this kind that arrived before the history was in, in arrival order. */
  held: ZaloMessage[];
  /** A request is out and not answered yet. */
  waiting: boolean;
  done: boolean;
  cancelWait?: () => void;
}

interface Opening {
  /** When the socket opened (real time). */
  at: number;
  histories: History[];
  /** Some request went unanswered: what was recovered is incomplete, so the watermark stays. */
  unanswered: boolean;
}

const KINDS = [ThreadType.Group, ThreadType.User] as const;
const LABEL: Record<ThreadType, string> = { [ThreadType.Group]: 'group', [ThreadType.User]: 'private' };

/**
 * Messages sent to the account while the bot was away (a dropped socket, a restart of any
 * length), asked back from Zalo's history each time the socket opens, for groups and private
 * chats, and handled before the live messages of the same kind that arrive meanwhile.
 *
 * The last handled message time (Zalo's `ts`, real time) is kept in the database, so a restart
 * asks from there; it is written every few seconds and at stop — after a crash the recovery margin
 * covers what was handled since the last write, and messages handled twice are dropped by id.
 *
 * Paging: zca-js 2.2.0's `requestOldMessages(type, lastId)` sends `{ first: true, lastId,
 * preIds: [] }` and Zalo's answer ("old_messages") carries no paging information, so how Zalo
 * pages cannot be verified here. The rule: while a batch brings messages older than any before
 * it and its oldest is still newer than where recovery starts, ask again with that oldest id as
 * `lastId`, at most HISTORY_PAGES times. An empty batch, one bringing nothing older (Zalo ignoring
 * the cursor) or the page limit ends it; the span between the last handled time and the oldest
 * message recovered is then logged as possibly lost. Answers come back in the order asked per
 * kind (one socket, one request at a time per kind), so an answer is matched to its kind's request.
 */
export class MissedMessages {
  private seenUntil = 0;
  private savedUntil?: number;
  private cancelSave?: () => void;
  private opening?: Opening;
  /** The open socket's way of asking (the next page goes out on it). */
  private request?: RequestHistory;
  /**
   * Per kind: where the last unanswered history started. Live messages handled after it moved the
   * last handled time on, so the next socket asks from here again.
   */
  private readonly owed = new Map<ThreadType, { since: number; from: number }>();
  /** Per kind: the end of the last span reported lost, so a span is reported once. */
  private readonly reportedUntil = new Map<ThreadType, number>();

  constructor(private readonly options: MissedMessagesOptions) {}

  /** At the adapter's start: recovery starts from the kept time, or from now on a first start. */
  start(): void {
    const kept = this.load();
    this.seenUntil = kept ?? this.options.now();
    this.savedUntil = kept;
  }

  /** The adapter stops: timers end, the last handled time is written. */
  stop(): void {
    let held = 0;
    for (const history of this.opening?.histories ?? []) {
      history.cancelWait?.();
      if (!history.done) held += history.held.length;
      history.done = true;
    }
    // Not handled now, while the bot shuts down. A hold lasts at most HISTORY_PAGES answer waits
    // (50 s), less than the margin, so the next start asks Zalo for them again.
    if (held > 0) this.options.log.info({ held }, 'zalo: stopping with live messages still waiting for the history; left for the next start');
    this.cancelSave?.();
    this.cancelSave = undefined;
    this.save();
  }

  /** A message passed the adapter's id check and is being handled. */
  handled(ts: number): void {
    if (!Number.isFinite(ts) || ts <= this.seenUntil) return;
    this.seenUntil = ts;
    this.scheduleSave();
  }

  /** The socket opened: ask for both kinds' history; live ones wait for it. */
  opened(request: RequestHistory): void {
    const now = this.options.now();
    const horizon = now - RECOVERY_HORIZON_MS;
    const previous = this.opening;
    const opening: Opening = { at: now, histories: [], unanswered: false };
    for (const type of KINDS) {
      // A socket that closed before its history came: what it held waits for this one's history.
      const before = previous?.histories.find((h) => h.type === type && !h.done);
      if (before) {
        before.cancelWait?.();
        before.done = true;
        if (!this.owed.has(type)) this.owed.set(type, { since: before.since, from: before.from });
      }
      const owed = this.owed.get(type);
      const since = Math.max(Math.min(this.seenUntil - RECOVERY_MARGIN_MS, owed?.since ?? Infinity), horizon);
      const from = Math.min(this.seenUntil, owed?.from ?? Infinity);
      opening.histories.push({ type, since, from, pages: 0, collected: new Map(), held: before?.held ?? [], waiting: false, done: false });
    }
    this.opening = opening;
    this.request = request;
    for (const history of opening.histories) this.ask(history, request, null);
  }

  /** A live message: handled now, or after the replay when its kind's history is still coming. */
  live(message: ZaloMessage): void {
    const history = this.current(message.type);
    if (history && !history.done) {
      history.held.push(message);
      this.options.log.debug(
        { kind: LABEL[message.type], msgId: message.data.msgId, held: history.held.length },
        'zalo: live message held until the missed ones are replayed',
      );
      return;
    }
    this.options.handle(message);
  }

  /** Zalo's "old_messages": the answer to the kind's outstanding request, or a batch nobody waits for. */
  batch(messages: ZaloMessage[], type: ThreadType): void {
    const history = this.current(type);
    if (!history?.waiting) {
      // A late answer (after its wait ran out) or one nobody asked for: replayed as it is.
      const since = history?.since ?? Math.max(this.seenUntil - RECOVERY_MARGIN_MS, this.options.now() - RECOVERY_HORIZON_MS);
      this.replay(
        messages.filter((m) => timeOf(m) >= since),
        type,
      );
      return;
    }
    history.waiting = false;
    history.cancelWait?.();
    const oldestBefore = history.oldest?.ts ?? Infinity;
    for (const message of messages) {
      const ts = timeOf(message);
      if (!Number.isFinite(ts)) continue;
      history.collected.set(String(message.data.msgId), message);
      if (ts < (history.oldest?.ts ?? Infinity)) history.oldest = { ts, id: String(message.data.msgId) };
    }
    const older = (history.oldest?.ts ?? Infinity) < oldestBefore;
    const more = older && history.oldest!.ts > history.since;
    if (more && history.pages < HISTORY_PAGES && this.request) {
      this.ask(history, this.request, history.oldest!.id);
      return;
    }
    this.finish(history, more ? 'page-limit' : 'answered');
  }

  // -------------------------------------------------------------------------------------------

  private current(type: ThreadType): History | undefined {
    return this.opening?.histories.find((h) => h.type === type);
  }

  private ask(history: History, request: RequestHistory, lastId: string | null): void {
    history.pages++;
    history.waiting = true;
    history.cancelWait = this.options.after(HISTORY_ANSWER_MS, () => {
      if (history.done || !history.waiting) return;
      history.waiting = false;
      this.options.log.warn(
        { kind: LABEL[history.type], page: history.pages, held: history.held.length },
        'zalo: Zalo did not answer the request for missed messages in time; handling the held live messages without it',
      );
      if (this.opening?.histories.includes(history)) this.opening.unanswered = true;
      if (!this.owed.has(history.type)) this.owed.set(history.type, { since: history.since, from: history.from });
      this.finish(history, 'unanswered');
    });
    request(history.type, lastId);
  }

  /** Replays what was recovered, oldest first, then the live messages held meanwhile. */
  private finish(history: History, end: 'answered' | 'page-limit' | 'unanswered'): void {
    history.done = true;
    if (end !== 'unanswered') this.owed.delete(history.type);
    this.replay(
      [...history.collected.values()].filter((m) => timeOf(m) >= history.since),
      history.type,
    );
    for (const message of history.held.splice(0).sort(byTime)) this.options.handle(message);

    // What could not be recovered: from the last handled time up to where the history Zalo gave
    // back begins (or the horizon, if it reached back that far). When Zalo gave back nothing at
    // all nothing is said: nobody may have written, and no span is known.
    const reached = !history.oldest || history.oldest.ts <= history.since;
    if (end === 'unanswered') this.reportLost(history, history.oldest?.ts ?? this.opening?.at ?? this.options.now(), 'Zalo did not answer in time');
    else if (!reached) this.reportLost(history, history.oldest!.ts, end === 'page-limit' ? `more than ${HISTORY_PAGES} pages` : 'older than Zalo keeps');
    else this.reportLost(history, history.since, `older than ${RECOVERY_HORIZON_MS / 3_600_000} hours`);

    const opening = this.opening;
    if (opening?.histories.includes(history) && opening.histories.every((h) => h.done) && !opening.unanswered) {
      // Everything Zalo gave back up to the socket's opening is handled: recovery next time starts
      // there, not from an older message (a quiet account would otherwise ask back a day each time).
      this.handled(opening.at);
    }
  }

  private replay(messages: ZaloMessage[], type: ThreadType): void {
    if (messages.length === 0) return;
    let count = 0;
    for (const message of [...messages].sort(byTime)) if (this.options.handle(message)) count++;
    // `count`: those not handled before (the others were recognised by their id and dropped).
    this.options.log.info({ count, given: messages.length, kind: LABEL[type] }, 'zalo: recovering messages missed while away');
  }

  /** Logs the span from the last handled time to `to`, if there is one not reported before. */
  private reportLost({ type, from }: History, to: number, why: string): void {
    const start = Math.max(from, this.reportedUntil.get(type) ?? -Infinity);
    if (!(to > start)) return;
    this.reportedUntil.set(type, to);
    const [fromIso, toIso] = [new Date(start).toISOString(), new Date(to).toISOString()];
    this.options.log.warn(
      { kind: LABEL[type], from: fromIso, to: toIso, why },
      `zalo: ${LABEL[type]} messages between ${fromIso} and ${toIso} may be lost (${why})`,
    );
  }

  private load(): number | undefined {
    try {
      return this.options.load?.();
    } catch (error) {
      this.options.log.error({ err: error }, 'zalo: could not read the last handled message time');
      return undefined;
    }
  }

  private scheduleSave(): void {
    if (this.cancelSave) return;
    this.cancelSave = this.options.after(WATERMARK_SAVE_MS, () => {
      this.cancelSave = undefined;
      this.save();
    });
  }

  private save(): void {
    if (!this.options.save || this.savedUntil === this.seenUntil || this.seenUntil === 0) return;
    try {
      this.options.save(this.seenUntil);
      this.savedUntil = this.seenUntil;
    } catch (error) {
      // Never fatal: recovery then starts from an older time, and ids already handled are dropped.
      this.options.log.warn({ err: error }, 'zalo: could not save the last handled message time');
    }
  }
}

function timeOf(message: ZaloMessage): number {
  return Number(message.data.ts);
}

/** Oldest first; equal times keep their order (Array.prototype.sort is stable). */
function byTime(a: ZaloMessage, b: ZaloMessage): number {
  return timeOf(a) - timeOf(b);
}
