import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { zaloOaJob } from '../../../bot/zalo-oa/jobs.js';

const vn = (at: string) => new Date(`${at}+07:00`);

describe('the OA route’s job on the minute tick', () => {
  it('asks for the token to be refreshed ahead on every tick; reads the groups’ renewals at the first tick, then once a day from 07:00', async () => {
    const refreshes: Date[] = [];
    const checks: Date[] = [];
    const job = zaloOaJob({
      tokens: { refreshAhead: async (now) => (refreshes.push(now), 'fresh') },
      adapter: { checkRenewals: async (now) => (checks.push(now), []) },
      log: pino({ level: 'silent' }),
    });
    const ticks = ['2026-03-10T05:30', '2026-03-10T05:31', '2026-03-10T23:59', '2026-03-11T00:00', '2026-03-11T06:59', '2026-03-11T07:00', '2026-03-11T07:01'];
    for (const at of ticks) await job.run(vn(at));
    expect(refreshes).toHaveLength(ticks.length);
    expect(checks).toEqual([vn('2026-03-10T05:30'), vn('2026-03-11T07:00')]);
  });

  it('a refresh that fails on the network is tried next minute, and the renewals are still read', async () => {
    const checks: Date[] = [];
    const job = zaloOaJob({
      tokens: {
        refreshAhead: async () => {
          throw new Error('fetch failed');
        },
      },
      adapter: { checkRenewals: async (now) => (checks.push(now), []) },
      log: pino({ level: 'silent' }),
    });
    await expect(job.run(vn('2026-03-10T08:00'))).resolves.toBeUndefined();
    expect(checks).toHaveLength(1);
  });
});
