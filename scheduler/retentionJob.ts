import type { Logger } from 'pino';
import { isoDayOf, vnInstant } from '../core/calendar.js';
import { SYSTEM_ACTOR } from '../db/audit.js';
import type { Db } from '../db/client.js';
import { PersonRemovalRefused, removePerson } from '../db/personRemoval.js';
import { peopleDueForRemoval } from '../db/retention.js';
import type { Job } from './ticker.js';

/** The audit row's reason for a removal by this job. */
export const RETENTION_REASON = 'hết thời hạn lưu trữ';

/**
 * Once a day, removes the people who left more than DVK_RETENTION_MONTHS ago (db/retention.ts
 * says who). From 03:00 in Vietnam, when nobody is answering a flow; a day missed while the bot
 * was down is done on its first tick after, and running twice in a day (a restart) finds nobody
 * new. Each person is removed in a transaction of their own, so one failure leaves the others
 * removed; at most `batch` a minute, so a backlog (the first run on an old database) never holds
 * the bot for long between messages, and the day is done once nobody is left. The log says ids
 * and counts only: a name in a log file would outlive the removal.
 */
export function retentionJob(deps: { db: Db; months: number; log: Logger; at?: string; batch?: number }): Job {
  const at = deps.at ?? '03:00';
  const batch = deps.batch ?? 50;
  let doneDay: string | null = null;
  return {
    name: 'retention',
    async run(now) {
      const day = isoDayOf(now);
      if (doneDay === day || now < vnInstant(day, at)) return;
      const due = peopleDueForRemoval(deps.db, now, deps.months);
      // A person who cannot be removed (a refusal) would be due again at once: the day ends anyway.
      if (due.length <= batch) doneDay = day;
      const removed: number[] = [];
      for (const personId of due.slice(0, batch)) {
        try {
          removePerson(deps.db, personId, SYSTEM_ACTOR, now, RETENTION_REASON);
          removed.push(personId);
        } catch (error) {
          // A refusal names the person in its message: only its reason is logged.
          if (error instanceof PersonRemovalRefused) deps.log.warn({ personId, reason: error.reason }, 'retention: person not removed');
          else deps.log.error({ err: error, personId }, 'retention: removing a person failed');
        }
      }
      if (due.length > 0) deps.log.info({ removed: removed.length, personIds: removed, months: deps.months }, 'retention: people who left removed');
    },
  };
}
