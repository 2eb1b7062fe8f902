import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { forgetDeliveries } from '../db/inbound.js';
import type { Job } from './ticker.js';

/** Platforms redeliver within minutes, not days: older de-duplication keys are dropped hourly. */
const KEEP_MS = 3 * 24 * 60 * 60 * 1000;
const EVERY_MS = 60 * 60 * 1000;

export function forgetDeliveriesJob(deps: { db: Db; log: Logger }): Job {
  let lastRun = -Infinity;
  return {
    name: 'forget-deliveries',
    async run(now) {
      if (now.getTime() - lastRun < EVERY_MS) return;
      lastRun = now.getTime();
      const forgotten = forgetDeliveries(deps.db, new Date(now.getTime() - KEEP_MS));
      if (forgotten > 0) deps.log.debug({ forgotten }, 'old delivery keys forgotten');
    },
  };
}
