import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';

/**
 * Copies the write-ahead log back into the database file on another thread.
 *
 * In WAL mode every commit appends to the -wal file, and by default the connection that commits
 * the 1000th page also copies the whole log into the database and syncs both files to disk:
 * several milliseconds, paid by whichever message happened to be handled then (the slowest 1% of
 * the bot's answers were mostly that). Here a second connection, on a worker thread, checkpoints
 * every tenth of a second, on the other core; the bot's connection keeps an automatic checkpoint
 * only as a safety net, at a size it should never reach.
 *
 * A PASSIVE checkpoint never blocks a writer or a reader and is never blocked by them: the bot
 * goes on writing while pages are copied. SQLite keeps every guarantee (a crash in the middle of
 * a checkpoint is recovered like any other).
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  /** [0]: 1 = stop asked; [1]: 1 = the worker's connection is closed. */
  private readonly control = new Int32Array(new SharedArrayBuffer(8));
  private stopped = false;

  constructor(path: string, log: Logger, options: { intervalMs?: number } = {}) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path, driver: require.resolve('better-sqlite3'), control: this.control, intervalMs: options.intervalMs ?? INTERVAL_MS },
    });
    // A failed checkpoint is retried at the next round; its message is logged once per kind.
    const reported = new Set<string>();
    this.worker.on('message', (m: { error?: string }) => {
      if (m.error && !reported.has(m.error)) {
        reported.add(m.error);
        log.warn({ error: m.error }, 'background checkpoint failed; the bot checkpoints by itself meanwhile');
      }
    });
    this.worker.on('error', (error) => log.error({ err: error }, 'checkpoint thread stopped'));
    // Never what keeps the process alive.
    this.worker.unref();
  }

  /**
   * Stops the thread and waits (at most a few seconds) until its connection is closed, so the
   * bot's own close is the last one: SQLite then folds the log into the file and deletes it.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.control, 0, 1);
    Atomics.notify(this.control, 0);
    Atomics.wait(this.control, 1, 0, STOP_WAIT_MS);
    void this.worker.terminate();
  }
}

/**
 * A checkpoint every tenth of a second: the log stays a few megabytes even under a flood (some
 * 1,600 pages at 2,000 messages a second), and each round's sync to disk covers many commits.
 * (Rounds back to back while the bot writes were measured slower: they sync far more often.)
 */
const INTERVAL_MS = 100;

/** How long the bot waits at shutdown for a checkpoint in progress to finish. */
const STOP_WAIT_MS = 5000;

/**
 * When the log holds at least this many pages, the bot's own connection checkpoints (the
 * default is 1000): only reached if the thread cannot keep up or is gone.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

const require = createRequire(import.meta.url);

/**
 * The thread's whole program, plain JavaScript so it runs the same under tsx, vitest and a
 * compiled build. It sleeps on the shared control word, so a stop wakes it at once.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const { path, control, intervalMs } = workerData;
const db = new Database(path, { fileMustExist: true });
try {
  // Never wait for a lock: a round that cannot run is simply the next one.
  db.pragma('busy_timeout = 0');
  db.pragma('synchronous = NORMAL');
  while (Atomics.load(control, 0) === 0) {
    try {
      // Copies what the log holds now; pages written meanwhile wait for the next round.
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      parentPort.postMessage({ error: String(error && error.code || error && error.message || error) });
    }
    Atomics.wait(control, 0, 0, intervalMs);
  }
} finally {
  db.close();
  Atomics.store(control, 1, 1);
  Atomics.notify(control, 1);
}
`;
