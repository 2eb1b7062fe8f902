import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { findCaller } from '../../db/people.js';
import { identities, roles, units } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';

let h: Harness;
const demo = demoPerTest();

describe('/toi', () => {
  it('tells a newcomer their number and how to join a unit and link accounts', async () => {
    h = await demo();
    const reply = await h.text('Nguyễn Văn An', '/toi', { group: DEMO_GROUP });
    const id = findCaller(h.db, 'console', 'Nguyễn Văn An')!.personId;
    expect(reply).toBe(
      [
        `Bạn là #${id} — Nguyễn Văn An.`,
        'Đơn vị: chưa có. Bạn gõ /thamgia <mã> với mã tham gia quản trị gửi cho đơn vị của bạn.',
        'Vai trò: chưa có.',
        'Tài khoản đã liên kết: bản mô phỏng (Nguyễn Văn An).',
        'Dùng bot trên nền tảng khác nữa? Nhắn riêng cho bot /lienket để nối hai tài khoản thành một.',
        'Gõ /toi trong tin nhắn riêng với bot để xem đầy đủ thông tin bot lưu về bạn.',
      ].join('\n'),
    );
  });

  it('shows the unit, every role with where it applies, and every linked account', async () => {
    h = await demo();
    const hoa = findCaller(h.db, 'console', DEMO_PEOPLE.admin)!;
    const ductho = h.db.select().from(units).where(eq(units.shortCode, 'DUCTHO')).get()!;
    h.db.insert(roles).values({ personId: hoa.personId, role: 'leader', unitId: ductho.id, createdAt: 0 }).run();
    h.db
      .insert(identities)
      .values({ personId: hoa.personId, platform: 'zalo', platformUserId: '8327193047618893562', displayName: 'Hoa Nguyễn', lastSeenAt: 0 })
      .run();
    const reply = await h.text(DEMO_PEOPLE.admin, '/toi', { private: true });
    // In private the full view follows after a blank line (tests/commands/toiExport.test.ts).
    expect(reply.split('\n\n')[0]).toBe(
      [
        `Bạn là #${hoa.personId} — Nguyễn Thị Hoa.`,
        'Đơn vị: Sở Nội vụ (SNV).',
        'Vai trò: quản trị — toàn hệ thống; lãnh đạo — Xã Đức Thọ (DUCTHO).',
        'Tài khoản đã liên kết: bản mô phỏng (Nguyễn Thị Hoa), Zalo (Hoa Nguyễn).',
      ].join('\n'),
    );
  });
});
