import type { Logger } from 'pino';
import { vnParts } from '../../core/clock.js';
import type { Job } from '../../scheduler/ticker.js';
import type { ZaloOaAdapter } from './adapter.js';
import type { TokenKeeper } from './tokens.js';

/**
 * The OA route's scheduled work, on the minute tick:
 * - the access token is refreshed about an hour before it expires (TokenKeeper.refreshAhead: it
 *   reads one row and does nothing else while the token is fresh), so no member's message waits
 *   on a refresh; a refusal is the TokenKeeper's alert, a network failure is tried next minute;
 * - the groups' package dates are read at the first tick and then each morning at 07:00 Vietnam
 *   time, for /trangthai's renewal warnings (the adapter alerts once per group).
 */
export function zaloOaJob(deps: { adapter: Pick<ZaloOaAdapter, 'checkRenewals'>; tokens: Pick<TokenKeeper, 'refreshAhead'>; log: Logger }): Job {
  let checkedDay: string | undefined;
  return {
    name: 'zalo-oa',
    async run(now) {
      try {
        const outcome = await deps.tokens.refreshAhead(now);
        if (outcome === 'refreshed') deps.log.info('zalo-oa: access token refreshed ahead of expiry');
      } catch (error) {
        deps.log.warn({ err: error }, 'zalo-oa: refreshing the access token failed; trying again next minute');
      }
      const p = vnParts(now);
      const day = `${p.year}-${p.month}-${p.day}`;
      if (checkedDay === day || (checkedDay !== undefined && p.hour < 7)) return;
      checkedDay = day;
      await deps.adapter.checkRenewals(now);
    },
  };
}
