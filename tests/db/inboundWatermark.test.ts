import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { handledUntil, saveHandledUntil } from '../../db/inboundWatermark.js';
import { settings } from '../../db/schema.js';
import { emptyPerTest, type Harness } from '../helpers/harness.js';

let h: Harness;
const empty = emptyPerTest();

describe('the last handled message time (a setting per platform)', () => {
  it('is absent at first, then the last value written, per platform, as a plain JSON number', async () => {
    h = await empty({ now: '2026-03-10T09:00:00+07:00' });
    expect(handledUntil(h.db, 'zalo')).toBeUndefined();
    saveHandledUntil(h.db, 'zalo', 1_773_108_000_123, h.clock.now());
    saveHandledUntil(h.db, 'zalo', 1_773_108_060_456, h.clock.now());
    expect(handledUntil(h.db, 'zalo')).toBe(1_773_108_060_456);
    expect(handledUntil(h.db, 'telegram')).toBeUndefined();
    const row = h.db.select().from(settings).where(eq(settings.key, 'inbound.handledUntil.zalo')).get();
    expect(row).toEqual({ key: 'inbound.handledUntil.zalo', value: 1_773_108_060_456, updatedAt: h.clock.now().getTime() });
  });
});
