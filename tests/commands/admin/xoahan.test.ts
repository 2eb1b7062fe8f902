import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { addOneOffDeadline } from '../../../db/deadlines.js';
import { auditLog, deadlines, roles } from '../../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../../helpers/harness.js';
import { personIdOf, unitIdOf } from '../../helpers/rows.js';

/** `/xoahan <số>` asks for “đồng ý” like every decision (issue 22, item 4); its other answers are in tests/commands/hanchot.test.ts. */

const GROUP = { group: DEMO_GROUP };
const ADMIN = DEMO_PEOPLE.admin;

let h: Harness;
const demo = demoPerTest({ now: '2026-01-10T09:00:00+07:00' });

function addOneOff(title: string, unit: string | null) {
  return addOneOffDeadline(
    h.db,
    { title, date: '2026-12-05', done: 'none', unitId: unit ? unitIdOf(h.db, unit) : null },
    { personId: personIdOf(h.db, ADMIN), label: ADMIN },
    h.clock.now(),
  );
}

const isActive = (id: number) => h.db.select().from(deadlines).where(eq(deadlines.id, id)).get()!.active;
const removals = () => h.db.select().from(auditLog).where(eq(auditLog.action, 'deadline.remove')).all().length;

describe('/xoahan', () => {
  it('shows what goes before removing it, and removes nothing on any other answer', async () => {
    h = await demo();
    const mine = addOneOff('Nộp báo cáo chuyên đề về dân vận khéo', 'CAMXUYEN');
    const [asked] = await h.say(ADMIN, `/xoahan ${mine.id}`, GROUP);
    expect(asked!.text).toBe(
      [
        'Mời bạn kiểm tra lại trước khi xác nhận:',
        `• Hạn số ${mine.id}: Nộp báo cáo chuyên đề về dân vận khéo`,
        '• Hạn chót: 05/12/2026',
        '• Đơn vị: Xã Cẩm Xuyên (CAMXUYEN)',
        '• Sau khi xóa: các nhắc nhở chưa gửi của hạn này sẽ không gửi nữa.',
        '',
        'Việc này không hoàn tác được. Gõ “đồng ý” để làm; trả lời khác sẽ hủy.',
      ].join('\n'),
    );
    expect(isActive(mine.id)).toBe(true);
    expect(await h.text(ADMIN, 'để sau', GROUP)).toBe('Đã hủy việc xóa hạn. Chưa có gì được lưu. Gõ /xoahan nếu muốn làm lại.');
    expect(isActive(mine.id)).toBe(true);
    expect(removals()).toBe(0);
  });

  it('checks again at “đồng ý”: removed by another admin meanwhile, it says so and records nothing twice', async () => {
    h = await demo();
    const mine = addOneOff('Nộp báo cáo chuyên đề', null);
    await h.say(ADMIN, `/xoahan ${mine.id}`, GROUP);
    h.db.update(deadlines).set({ active: false }).where(eq(deadlines.id, mine.id)).run();
    expect(await h.text(ADMIN, 'đồng ý', GROUP)).toBe(`Không có hạn riêng nào mang số ${mine.id}. Gõ /hanchot để xem số của các hạn. Chưa có gì thay đổi.`);
    expect(removals()).toBe(0);
  });

  it('an admin whose role was taken while reading the summary removes nothing', async () => {
    h = await demo();
    const mine = addOneOff('Nộp báo cáo chuyên đề', null);
    await h.say(ADMIN, `/xoahan ${mine.id}`, GROUP);
    h.db
      .delete(roles)
      .where(eq(roles.personId, personIdOf(h.db, ADMIN)))
      .run();
    expect(await h.text(ADMIN, 'đồng ý', GROUP)).toContain('Bạn không còn quyền quản trị nên chưa lưu được.');
    expect(isActive(mine.id)).toBe(true);
    expect(removals()).toBe(0);
  });
});
