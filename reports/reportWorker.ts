import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { type MadeReport, makeReport, type ReportJob } from './reportJob.js';

/**
 * The report thread's side (started by reports/reportQueue.ts): makes one report at a time over
 * its own read-only connection to the bot's database file, and posts the files back.
 *
 * Read-only, so nothing made here can ever write; WAL lets it read while the bot writes, and each
 * report reads inside one transaction, so its figures are of one moment even if a model is
 * approved halfway through.
 */

export interface JobMessage {
  id: number;
  job: ReportJob;
  heavy: boolean;
}

/** The files travel as plain bytes (a Buffer arrives on the other side as a Uint8Array). */
export type ResultMessage =
  | {
      id: number;
      ok: true;
      about: MadeReport['about'];
      files: Array<{ fileName: string; mimeType: string; data: Uint8Array; width?: number; height?: number }>;
    }
  | { id: number; ok: false; error: string };

export function serveReports(port: MessagePort, dbPath: string): void {
  port.on('message', (message: JobMessage) => {
    void run(dbPath, message.job, message.heavy).then(
      (report) => {
        // Copied into buffers of their own, then moved (not copied again) to the bot's thread;
        // a small Buffer may share its memory with others, which must not be moved away.
        const files = report.files.map((f) => ({ ...f, data: new Uint8Array(f.data) }));
        const result: ResultMessage = { id: message.id, ok: true, about: report.about, files };
        port.postMessage(
          result,
          files.map((f) => f.data.buffer as ArrayBuffer),
        );
        // A national report's data is garbage now: freed before the next report reads its own.
        if (message.heavy) collectGarbage();
      },
      (error: unknown) => {
        const result: ResultMessage = { id: message.id, ok: false, error: describe(error) };
        port.postMessage(result);
      },
    );
  });
}

/**
 * A connection per report, closed as soon as it is made: an idle thread holds no file open, and
 * at shutdown only a report being made can still hold one (the thread's end closes it).
 */
async function run(dbPath: string, job: ReportJob, heavy: boolean): Promise<MadeReport> {
  const sqlite = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    // A write holding the file's lock (a checkpoint, a migration) is waited for, as the bot does.
    sqlite.pragma('busy_timeout = 5000');
    const snapshot = <T>(read: () => T): T => sqlite.transaction(read).deferred();
    return await makeReport(drizzle(sqlite), job, { read: snapshot, ...(heavy ? { between: collectGarbage } : {}) });
  } finally {
    sqlite.close();
  }
}

/**
 * A full garbage collection, at the points where a heavy report's garbage is largest: the rows
 * read from SQLite once turned into the report's data, each renderer's work once its file is made,
 * the whole report once sent. V8 would otherwise keep it until it needs the room, and the next
 * report read its data beside the last one's: five national reports in a row on one thread took
 * the process (the queue alone, no bot around it) to 390–430 MB without these collections and to
 * 365–375 MB with them. Each costs some 50 ms of this thread, none of the bot's.
 *
 * `gc` comes from V8's --expose-gc flag, set here at run time: the flag is the process's, but all
 * it does is give contexts made afterwards (the one fetched below) a `gc` function.
 */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** What the log says about a failure: the error's name, code and message (never report content). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`;
}
