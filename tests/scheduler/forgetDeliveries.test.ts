import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/logger.js';
import { firstDelivery } from '../../db/inbound.js';
import { processedInbound } from '../../db/schema.js';
import { forgetDeliveriesJob } from '../../scheduler/forgetDeliveries.js';
import { emptyPerTest, type Harness } from '../helpers/harness.js';

let h: Harness;
const empty = emptyPerTest();

describe('forgetting old delivery keys', () => {
  it('keeps three days of keys, so a redelivery is still caught, and forgets older ones hourly', async () => {
    h = await empty({ now: '2026-03-10T09:00:00+07:00' });
    const day = 24 * 60 * 60 * 1000;
    const at = (ms: number) => new Date(h.clock.now().getTime() + ms);
    expect(firstDelivery(h.db, 'telegram', '100', at(-4 * day))).toBe(true);
    expect(firstDelivery(h.db, 'telegram', '200', at(-2 * day))).toBe(true);
    expect(firstDelivery(h.db, 'telegram', '200', at(-2 * day + 1000))).toBe(false);

    const job = forgetDeliveriesJob({ db: h.db, log: silentLogger });
    await job.run(h.clock.now());
    expect(
      h.db
        .select()
        .from(processedInbound)
        .all()
        .map((r) => r.key),
    ).toEqual(['200']);
    expect(firstDelivery(h.db, 'telegram', '200', h.clock.now())).toBe(false);

    // Within the hour it does nothing, even if something became old enough.
    firstDelivery(h.db, 'zalo', 'old', at(-5 * day));
    await job.run(at(30 * 60 * 1000));
    expect(h.db.select().from(processedInbound).all()).toHaveLength(2);
    await job.run(at(61 * 60 * 1000));
    expect(
      h.db
        .select()
        .from(processedInbound)
        .all()
        .map((r) => r.key),
    ).toEqual(['200']);
  });
});
