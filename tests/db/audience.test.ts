import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { unitAudience, unitNotices } from '../../db/audience.js';
import { chats, units } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { Harness } from '../helpers/harness.js';

let h: Harness;
afterEach(() => h?.close());

const unitId = (code: string) => h.db.select().from(units).where(eq(units.shortCode, code)).get()!.id;

describe('a unit’s audience', () => {
  it('is every group its officers were seen in, each with those officers to mention', async () => {
    h = await Harness.demo();
    const audience = unitAudience(h.db, unitId('CAMXUYEN'));
    expect(audience.map((a) => [a.chat.id, a.officers.map((o) => o.displayName)]).sort()).toEqual([
      ['Dân vận khéo huyện Cẩm Xuyên', [DEMO_PEOPLE.officer]],
      [DEMO_GROUP, [DEMO_PEOPLE.officer]],
    ]);
  });

  it('falls back to the groups bound to the nearest ancestor when no officer was seen in a group', async () => {
    h = await Harness.demo();
    // Xã Cẩm Thành has no officer in the demo; Huyện Cẩm Xuyên has a bound group.
    const audience = unitAudience(h.db, unitId('CX-CAMTHANH'));
    expect(audience).toEqual([
      { rowId: expect.any(Number), chat: expect.objectContaining({ id: 'Dân vận khéo huyện Cẩm Xuyên', kind: 'group' }), officers: [] },
    ]);
  });

  it('skips inactive groups; the chat the change was made in gets mentions instead of a notice', async () => {
    h = await Harness.demo();
    h.db.update(chats).set({ active: false }).where(eq(chats.platformChatId, 'Dân vận khéo huyện Cẩm Xuyên')).run();
    const here = { platform: 'console' as const, id: DEMO_GROUP, kind: 'group' as const };
    const { mentionHere, notices } = unitNotices(h.db, unitId('CAMXUYEN'), 'Mô hình đã được duyệt.', here);
    expect(mentionHere.map((p) => p.displayName)).toEqual([DEMO_PEOPLE.officer]);
    expect(notices).toEqual([]);
  });
});
