import { describe, expect, it } from 'vitest';
import { leaderChats } from '../../db/leaderAudience.js';
import { DEMO_COMMUNE_GROUP, DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest } from '../helpers/harness.js';
import { unitIdOf } from '../helpers/rows.js';

/**
 * Escalations go to the groups where a covering leader was seen; a group bound to a unit hears only
 * of what concerns that unit or a unit above it (issue 22: the province leader speaking once in a
 * commune's group must not bring the whole province's escalations there).
 */
const demo = demoPerTest({ now: '2026-11-20T09:00:00+07:00' });

describe('leaderChats', () => {
  it('leaves out a group bound to a unit the deadline does not concern, and keeps it for its own unit', async () => {
    const h = await demo();
    // The province leader is seen in Xã Cẩm Xuyên's group (bound to CAMXUYEN) as well.
    await h.say(DEMO_PEOPLE.leader, '/hanchot', { group: DEMO_COMMUNE_GROUP });
    const titles = (unitId: number | null) => leaderChats(h.db, unitId).map((c) => c.chat.id);
    expect(titles(null)).toEqual([DEMO_GROUP]);
    expect(titles(unitIdOf(h.db, 'CAMBINH'))).toEqual([DEMO_GROUP]);
    expect(titles(unitIdOf(h.db, 'CAMXUYEN'))).toEqual([DEMO_GROUP, DEMO_COMMUNE_GROUP]);
  });
});
