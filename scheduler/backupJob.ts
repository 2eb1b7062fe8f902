import type { Logger } from 'pino';
import { type BackupResult, backupDatabase, hasBackupSince } from '../db/backup.js';
import type { AppDatabase } from '../db/client.js';
import { isoDayOf, vnInstant } from '../core/calendar.js';
import type { Job } from './ticker.js';

/** After a failed attempt, the next one waits this long (not every minute of the night). */
const RETRY_MS = 60 * 60 * 1000;

export interface BackupJobDeps {
  database: Pick<AppDatabase, 'sqlite' | 'path'>;
  dir: string;
  keep: number;
  /** Vietnam wall-clock time of the nightly backup, 'HH:MM'. */
  at: string;
  log: Logger;
}

/**
 * The nightly backup. Once the day's time has come, it runs unless a backup taken since then is
 * already in the folder: that file, not memory, says "done", so a restart (or an admin's
 * `npm run backup` after that time) never makes a second one, and a bot that was down at
 * 02:00 makes it on its first tick after.
 */
export function backupJob(deps: BackupJobDeps): Job {
  let doneDay: string | null = null;
  let nextAttempt = -Infinity;
  return {
    name: 'backup',
    async run(now) {
      const day = isoDayOf(now);
      const due = vnInstant(day, deps.at);
      if (now < due || doneDay === day || now.getTime() < nextAttempt) return;
      let result: BackupResult;
      try {
        if (hasBackupSince(deps.dir, deps.database.path, due)) {
          doneDay = day;
          return;
        }
        result = await backupDatabase(deps.database, { dir: deps.dir, keep: deps.keep, now });
      } catch (error) {
        // Logged, not thrown: the bot keeps serving; the error level is what an operator watches.
        nextAttempt = now.getTime() + RETRY_MS;
        deps.log.error({ err: error, dir: deps.dir }, 'nightly backup failed');
        return;
      }
      doneDay = day;
      deps.log.info({ file: result.file, removed: result.removed.length, cleaned: result.cleaned.length }, 'nightly backup written');
    },
  };
}
