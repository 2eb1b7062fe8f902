import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { DaysOff } from './daysOff.js';
import { planReminders } from './reminderPlanner.js';
import type { ReminderSender } from './reminderSender.js';
import type { QuietHours } from './reminderSlots.js';
import type { Job } from './ticker.js';

/**
 * Every minute: plan the reminders whose time has come (cheap when nothing is due), then let the
 * sender drain the outbox in the background — a fan-out to thousands of groups takes minutes and
 * must not hold up the other jobs of the tick; a drain already running is simply joined.
 */
export function remindersJob(deps: { db: Db; daysOff: DaysOff; quiet: QuietHours; sender: ReminderSender; log: Logger }): Job {
  return {
    name: 'reminders',
    async run(now) {
      planReminders(deps, now);
      void deps.sender.drain().catch((error: unknown) => deps.log.error({ err: error }, 'reminder sender failed'));
    },
  };
}
