import type { Logger } from 'pino';

/**
 * Makes a file send independent of when Zalo's `file_done` control arrives.
 *
 * zca-js 2.2.0 sends a non-image file in two steps (apis/uploadAttachment.js): it uploads the
 * chunks over HTTP, and once the answer names a `fileId` it registers a callback in
 * `ctx.uploadCallbacks` and waits — with no timeout — for Zalo's `file_done` control on the
 * socket, which carries the file's URL; only then does it post the file message. Two things go
 * wrong there:
 * - a `file_done` that comes before the HTTP answer finds no callback; zca-js drops it (it still
 *   emits `upload_attachment`), and the send hangs for ever;
 * - a `file_done` pushed while the socket is reopening is lost; the send hangs too. Were the
 *   caller to try again and the old one to wake up later, the group would get the file twice.
 *
 * The relay takes the place of `ctx.uploadCallbacks` (the listener and the upload both read it
 * from the same context object). It keeps a `file_done` that came early and hands it over when
 * the callback is registered; it gives each file send a bounded wait for its `file_done`; and it
 * can abandon a send: its callbacks go, and a late registration or `file_done` is ignored, so the
 * hung zca-js call can never post the file message afterwards. Only one file send runs at a time
 * (the send queue is serial), so registrations belong to the attempt that is running.
 */

/** zca-js's `UploadEventData`. */
export interface FileDoneData {
  fileUrl: string;
  fileId: string;
}
type UploadCallback = (data: FileDoneData) => unknown;

/** A `file_done` that came before its upload's HTTP answer is kept this long. */
export const EARLY_FILE_DONE_TTL_MS = 5 * 60_000;
/** How long an upload Zalo accepted may wait for its `file_done` before it is taken as lost. */
export const FILE_DONE_WAIT_MS = 20_000;
/** zca-js's own CallbacksMap forgets a callback after 5 minutes. */
const CALLBACK_TTL_MS = 5 * 60_000;

/** Zalo took the upload, but its `file_done` never came: the file message was not posted. */
export class FileDoneLostError extends Error {
  override name = 'FileDoneLostError';
}

/** One file send, from its upload to the file message. */
export interface FileAttempt {
  /** Rejects with FileDoneLostError when the file_done is overdue; never resolves. */
  readonly lost: Promise<never>;
  /** Whether the file_done came, so zca-js went on to post the message (it may be on its way). */
  readonly posting: boolean;
  /** The send settled or was given up: its callbacks go, anything late is ignored. */
  end(): void;
}

interface Pending {
  callback: UploadCallback;
  attempt: Attempt;
}

class Attempt implements FileAttempt {
  posting = false;
  ended = false;
  readonly fileIds = new Set<string>();
  readonly lost: Promise<never>;
  private rejectLost!: (error: Error) => void;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly relay: FileDoneRelay,
    private readonly waitMs: number,
  ) {
    this.lost = new Promise<never>((_resolve, reject) => (this.rejectLost = reject));
    // Nobody may be racing it when it fires after the send settled otherwise.
    this.lost.catch(() => {});
  }

  /** Zalo answered the upload: its file_done should follow within `waitMs`. */
  waitForFileDone(fileId: string): void {
    this.fileIds.add(fileId);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.ended || this.posting) return;
      this.rejectLost(new FileDoneLostError(`zalo: no file_done for upload ${fileId} within ${this.waitMs} ms`));
    }, this.waitMs);
    this.timer.unref();
  }

  arrived(): void {
    this.posting = true;
    clearTimeout(this.timer);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.relay.release(this);
  }
}

export class FileDoneRelay extends Map<string, UploadCallback> {
  private readonly early = new Map<string, { data: FileDoneData; at: number }>();
  private readonly pending = new Map<string, Pending>();
  /** Handed to zca-js by `get` and not yet reported by its `upload_attachment` event. */
  private readonly handedOver = new Set<string>();
  private current?: Attempt;

  constructor(
    private readonly log: Logger,
    private readonly options: { waitMs?: number; now?: () => number } = {},
  ) {
    super();
  }

  /** Starts a file send; call `end()` when it settled or was given up. */
  begin(): FileAttempt {
    this.current?.end();
    this.current = new Attempt(this, this.options.waitMs ?? FILE_DONE_WAIT_MS);
    return this.current;
  }

  /**
   * zca-js registers an upload's callback (uploadAttachment.js, after the HTTP answer). A
   * `file_done` already here is handed over at once; a registration of an attempt that was given
   * up is dropped, so that zca-js call never posts its message.
   */
  override set(fileId: string, callback: UploadCallback): this {
    const key = String(fileId);
    const attempt = this.current;
    if (!attempt || attempt.ended) {
      this.log.warn({ fileId: key }, 'zalo: an upload answered after its send was given up; its file is not posted');
      return this;
    }
    const early = this.early.get(key);
    if (early) {
      this.early.delete(key);
      attempt.arrived();
      this.log.info({ fileId: key }, 'zalo: file_done came before the upload’s answer; handed over');
      queueMicrotask(() => callback(early.data));
      return this;
    }
    attempt.waitForFileDone(key);
    this.pending.set(key, { callback, attempt });
    const timer = setTimeout(() => this.pending.delete(key), CALLBACK_TTL_MS);
    timer.unref();
    return this;
  }

  /** zca-js's listener looks the callback up when `file_done` comes (listen.js). */
  override get(fileId: string): UploadCallback | undefined {
    const key = String(fileId);
    const entry = this.pending.get(key);
    if (!entry || entry.attempt.ended) return undefined;
    this.handedOver.add(key);
    entry.attempt.arrived();
    return entry.callback;
  }

  override has(fileId: string): boolean {
    return this.pending.has(String(fileId));
  }

  override delete(fileId: string): boolean {
    return this.pending.delete(String(fileId));
  }

  /**
   * zca-js's `upload_attachment` event, emitted for every `file_done` after the lookup: one that
   * found no callback is kept for the registration that may follow.
   */
  fileDone(data: FileDoneData): void {
    const key = String(data.fileId);
    if (this.handedOver.delete(key)) return;
    const now = (this.options.now ?? Date.now)();
    for (const [id, entry] of this.early) if (entry.at <= now - EARLY_FILE_DONE_TTL_MS) this.early.delete(id);
    this.early.set(key, { data: { fileId: key, fileUrl: data.fileUrl }, at: now });
  }

  /** An attempt ended: its callbacks go, so a late file_done cannot wake its zca-js call. */
  release(attempt: Attempt): void {
    for (const id of attempt.fileIds) this.pending.delete(id);
    if (this.current === attempt) this.current = undefined;
  }
}
