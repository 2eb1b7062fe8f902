import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { unitNotices } from '../../../commands/shared/unitNotices.js';
import { chats, units } from '../../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { Harness } from '../../helpers/harness.js';

let h: Harness;
afterEach(() => h?.close());

const unitId = (code: string) => h.db.select().from(units).where(eq(units.shortCode, code)).get()!.id;

describe('notices to a unit’s officers', () => {
  it('skips inactive groups; the chat the change was made in gets mentions instead of a notice', async () => {
    h = await Harness.demo();
    h.db.update(chats).set({ active: false }).where(eq(chats.platformChatId, 'Dân vận khéo xã Cẩm Xuyên')).run();
    const here = { platform: 'console' as const, id: DEMO_GROUP, kind: 'group' as const };
    const { mentionHere, notices } = unitNotices(h.db, unitId('CAMXUYEN'), 'Mô hình đã được duyệt.', here);
    expect(mentionHere.map((p) => p.displayName)).toEqual([DEMO_PEOPLE.officer]);
    expect(notices).toEqual([]);
  });
});
