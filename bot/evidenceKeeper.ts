import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { type EvidenceService, markFetchFailed, markStored, markTooLarge, nextDueAttachment, referencedHashes } from '../db/evidence.js';
import { type EvidenceStore, EvidenceTooLargeError, type SweepResult } from '../db/evidenceStore.js';
import type { AttachmentRow } from '../db/updates.js';
import { AttachmentGoneError, type AttachmentFetchers, AttachmentTooLargeError } from './attachmentFetch.js';
import type { Platform } from '../core/chat.js';
import type { Clock } from '../core/clock.js';

/**
 * Fetches a copy of every photo and file saved with an update, in the background.
 *
 * /capnhat saves the update and its attachment rows (state `pending`, due at once) and wakes the
 * keeper; the person is answered without waiting for any download. The keeper then works through
 * the due rows one at a time — a slow CDN delays the next copy, never a conversation — and records
 * on each row the hash and size of the copy (`stored`), `too_large` (over the cap, announced or
 * found while downloading: nothing kept), or a failure. A failed download is tried again after
 * RETRY_AFTER_MS (1, 5, 15 minutes, by the injected clock: the scheduler's minute tick wakes the
 * keeper), then marked `failed` and logged; a link the platform says is gone (404, 410…) is not
 * retried. The state lives in the database, so a restart picks up where the keeper was.
 *
 * Sweeps (deleting copies no row refers to) run between two downloads, never during one.
 */

/** After the 1st, 2nd, 3rd failure: the wait before the next try. The 4th failure is final. */
export const RETRY_AFTER_MS: readonly number[] = [60_000, 5 * 60_000, 15 * 60_000];

/** One download may take this long (real time) before it counts as a failure. */
const DOWNLOAD_TIMEOUT_MS = 120_000;

export interface EvidenceKeeperOptions {
  db: Db;
  store: EvidenceStore;
  /** How to download on each platform; attachments of a platform without one wait. */
  fetchers: AttachmentFetchers;
  clock: Clock;
  log: Logger;
  retryAfterMs?: readonly number[];
  timeoutMs?: number;
}

export class EvidenceKeeper implements EvidenceService {
  readonly store: EvidenceStore;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private download: AbortController | undefined;
  /** Sweeps asked for while a download ran: done between two downloads. */
  private sweeps: Array<{ resolve: (result: SweepResult) => void; reject: (error: unknown) => void }> = [];

  constructor(private readonly options: EvidenceKeeperOptions) {
    this.store = options.store;
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // Not before the caller's transaction has committed: the rows it wrote are then visible.
    this.running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .catch((error: unknown) => this.options.log.error({ err: error }, 'evidence keeper failed; it tries again at the next tick'))
      .finally(() => {
        this.running = undefined;
        this.sweepNow();
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Resolves once nothing is being fetched and nothing is due to start (tests await it). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Runs at once when no download is under way, else right after the current one: never in the
   * middle of one (its file would be a partial one, or kept but not yet recorded), and never
   * behind the whole queue (a backlog after an upgrade may take a while).
   */
  sweep(): Promise<SweepResult> {
    const asked = new Promise<SweepResult>((resolve, reject) => this.sweeps.push({ resolve, reject }));
    if (!this.running) this.sweepNow();
    return asked;
  }

  /** Ends the download under way (its row stays due, to be fetched after a restart) and waits for the keeper to stop. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.download?.abort();
    await this.idle();
  }

  private async drain(): Promise<void> {
    const platforms = Object.keys(this.options.fetchers) as Platform[];
    if (platforms.length === 0) return;
    for (;;) {
      if (this.stopped) return;
      this.sweepNow();
      this.again = false;
      const row = nextDueAttachment(this.options.db, platforms, this.options.clock.now());
      if (!row) return;
      await this.keep(row);
    }
  }

  /** Synchronous: no download starts while it runs. */
  private sweepNow(): void {
    const waiting = this.sweeps.splice(0);
    if (waiting.length === 0) return;
    try {
      if (this.stopped) throw new Error('the evidence keeper has stopped');
      const referenced = referencedHashes(this.options.db);
      const result = this.store.sweep((sha256) => referenced.has(sha256));
      if (result.removed > 0 || result.partials > 0) this.options.log.info(result, 'evidence swept');
      for (const w of waiting) w.resolve(result);
    } catch (error) {
      for (const w of waiting) w.reject(error);
    }
  }

  private async keep(row: AttachmentRow): Promise<void> {
    const { db, store, log } = this.options;
    const cap = store.maxBytes;
    const tooLarge = `larger than ${cap} bytes`;
    if (row.sizeBytes !== null && row.sizeBytes > cap) {
      markTooLarge(db, row.id, tooLarge);
      log.info({ attachment: row.id, platform: row.platform, sizeBytes: row.sizeBytes }, 'evidence not kept: larger than the cap');
      return;
    }
    const fetcher = this.options.fetchers[row.platform]!;
    const download = new AbortController();
    this.download = download;
    const timer = setTimeout(() => download.abort(), this.options.timeoutMs ?? DOWNLOAD_TIMEOUT_MS);
    timer.unref();
    let failure: unknown;
    let kept: { sha256: string; bytes: number } | undefined;
    try {
      const file = await fetcher(
        { kind: row.kind, ref: row.ref, fileName: row.fileName ?? undefined, mimeType: row.mimeType ?? undefined, sizeBytes: row.sizeBytes ?? undefined },
        { signal: download.signal },
      );
      if (file.sizeBytes !== undefined && file.sizeBytes > cap) throw new EvidenceTooLargeError(cap);
      kept = await store.put(file.body);
    } catch (error) {
      failure = error;
    } finally {
      clearTimeout(timer);
      // Whatever is still flowing (a body refused for its size) is let go.
      download.abort();
      this.download = undefined;
    }
    // Stopping: the database may be closing. The row stays due; a copy already written is swept.
    if (this.stopped) return;
    const now = this.options.clock.now();
    if (kept) {
      markStored(db, row.id, kept, now);
      log.debug({ attachment: row.id, platform: row.platform, bytes: kept.bytes }, 'evidence kept');
      return;
    }
    if (failure instanceof EvidenceTooLargeError || failure instanceof AttachmentTooLargeError) {
      markTooLarge(db, row.id, tooLarge);
      log.info({ attachment: row.id, platform: row.platform }, 'evidence not kept: larger than the cap');
      return;
    }
    const reason = reasonOf(failure);
    const retries = this.options.retryAfterMs ?? RETRY_AFTER_MS;
    const wait = failure instanceof AttachmentGoneError ? undefined : retries[row.fetchAttempts];
    const retryAt = wait === undefined ? undefined : new Date(now.getTime() + wait);
    markFetchFailed(db, row.id, reason, retryAt);
    const fields = { attachment: row.id, platform: row.platform, attempts: row.fetchAttempts + 1, reason };
    if (retryAt) log.info({ ...fields, retryAt }, 'evidence download failed; will try again');
    // A link already dead (an old one after an upgrade, a simulator name with no file) is the
    // platform's answer, not a fault of the bot's; retries that all failed are worth a look.
    else if (failure instanceof AttachmentGoneError) log.info(fields, 'evidence not kept: the file is gone');
    else log.warn(fields, 'evidence not kept: download failed for good');
  }
}

/** A few words for the row and the log: the error's own message, which the fetchers keep free of links. */
function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.slice(0, 200);
}
