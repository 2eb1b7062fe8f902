import { describe, expect, it } from 'vitest';
import { unitAudience } from '../../db/audience.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { unitIdOf } from '../helpers/rows.js';

let h: Harness;
const demo = demoPerTest();

describe('a unit’s audience', () => {
  it('is every group its officers were seen in, each with those officers to mention', async () => {
    h = await demo();
    const audience = unitAudience(h.db, unitIdOf(h.db, 'CAMXUYEN'));
    expect(audience.map((a) => [a.chat.id, a.officers.map((o) => o.displayName)]).sort()).toEqual([
      ['Dân vận khéo xã Cẩm Xuyên', [DEMO_PEOPLE.officer]],
      [DEMO_GROUP, [DEMO_PEOPLE.officer]],
    ]);
  });

  it('falls back to the groups bound to the nearest ancestor when no officer was seen in a group', async () => {
    h = await demo();
    // Xã Thiên Cầm has no officer in the demo; Xã Cẩm Xuyên has a bound group.
    const audience = unitAudience(h.db, unitIdOf(h.db, 'THIENCAM'));
    expect(audience).toEqual([
      { rowId: expect.any(Number), chat: expect.objectContaining({ id: 'Dân vận khéo xã Cẩm Xuyên', kind: 'group' }), officers: [] },
    ]);
  });
});
