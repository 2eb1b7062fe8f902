import { describe, expect, it } from 'vitest';
import { unitAudience } from '../../db/audience.js';
import { DEMO_COMMUNE_GROUP, DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { unitIdOf } from '../helpers/rows.js';

let h: Harness;
const demo = demoPerTest();

describe('a unit’s audience', () => {
  it('is every group its officers were seen in, each with those officers to mention', async () => {
    h = await demo();
    const audience = unitAudience(h.db, unitIdOf(h.db, 'CAMXUYEN'));
    expect(audience.map((a) => [a.chat.id, a.officers.map((o) => o.displayName)]).sort()).toEqual([
      [DEMO_GROUP, [DEMO_PEOPLE.officer]],
      [DEMO_COMMUNE_GROUP, [DEMO_PEOPLE.officer]],
    ]);
  });

  it('falls back to the groups bound to the nearest ancestor when no officer was seen in a group', async () => {
    h = await demo();
    // Xã Thiên Cầm has no officer in the demo: the province's group.
    expect(unitAudience(h.db, unitIdOf(h.db, 'THIENCAM'))).toEqual([
      { rowId: expect.any(Number), chat: expect.objectContaining({ id: DEMO_GROUP, kind: 'group' }), officers: [] },
    ]);
    // Hội Phụ nữ has none either; once the Mặt trận (its parent) has a group, that group, not the province's.
    const front = 'Mặt trận và đoàn thể tỉnh Hà Tĩnh';
    expect(await h.text(DEMO_PEOPLE.admin, '/ganhom MTTQ', { group: front })).toContain(
      '✅ Đã gắn nhóm này với Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh (MTTQ)',
    );
    expect(unitAudience(h.db, unitIdOf(h.db, 'HOILHPN'))).toEqual([
      { rowId: expect.any(Number), chat: expect.objectContaining({ id: front, kind: 'group' }), officers: [] },
    ]);
  });
});
