import type { Logger } from 'pino';
import type { EvidenceService } from '../db/evidence.js';
import type { Job } from './ticker.js';

/** Copies nobody refers to any more are looked for once a day (and at start). */
const SWEEP_EVERY_MS = 24 * 60 * 60 * 1000;

/**
 * The evidence keeper's housekeeping on the minute tick: downloads whose retry came due are started
 * (the keeper only wakes by itself when an update is saved), and once a day the copies of deleted
 * updates and models are removed from the evidence folder — they are personal data, kept only as
 * long as a row points at them.
 */
export function evidenceJob(deps: { evidence: EvidenceService; log: Logger }): Job {
  let lastSweep = -Infinity;
  return {
    name: 'evidence',
    async run(now) {
      deps.evidence.wake();
      if (now.getTime() - lastSweep < SWEEP_EVERY_MS) return;
      lastSweep = now.getTime();
      // Not awaited: with a download under way the sweep waits for it, and the tick (reminders,
      // backups) must not.
      deps.evidence.sweep().catch((error: unknown) => deps.log.error({ err: error }, 'evidence sweep failed'));
    },
  };
}
