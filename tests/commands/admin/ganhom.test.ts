import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { chats } from '../../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../../helpers/harness.js';
import { auditsOf, findUnit } from '../../helpers/rows.js';

const GROUP = { group: DEMO_GROUP };
const ADMIN = DEMO_PEOPLE.admin; // Nguyễn Thị Hoa

let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });

describe('/ganhom', () => {
  it('binds the group to a unit, shows the binding, and is refused in a private chat', async () => {
    h = await demo();
    const group = { group: 'Dân vận khéo xã Đức Thọ' };
    expect(await h.text(ADMIN, '/ganhom', group)).toBe('Nhóm này chưa gắn với đơn vị nào. Gõ /ganhom <mã đơn vị> để gắn, ví dụ /ganhom CAMXUYEN.');
    expect(await h.text(ADMIN, '/ganhom ductho', group)).toBe('✅ Đã gắn nhóm này với Xã Đức Thọ (DUCTHO) và các đơn vị trực thuộc.');
    const row = h.db.select().from(chats).where(eq(chats.platformChatId, 'Dân vận khéo xã Đức Thọ')).get()!;
    expect(row.unitId).toBe(findUnit(h.db, 'DUCTHO')!.id);
    expect(auditsOf(h.db, 'chat.bind')).toEqual([
      expect.objectContaining({ entityId: String(row.id), before: { unitId: null }, after: { unitId: row.unitId } }),
    ]);
    expect(await h.text(ADMIN, '/ganhom', group)).toBe(
      'Nhóm này đang gắn với Xã Đức Thọ (DUCTHO) và các đơn vị trực thuộc. Gõ /ganhom <mã đơn vị> để gắn với đơn vị khác.',
    );
    expect(await h.text(ADMIN, '/ganhom DUCTHO', group)).toBe('Nhóm này đã gắn với Xã Đức Thọ (DUCTHO) rồi; không có gì thay đổi.');
    expect(await h.text(ADMIN, '/ganhom khongco', group)).toBe('Không có đơn vị mã “khongco”. Gõ /donvi để xem các mã.');
    expect(auditsOf(h.db, 'chat.bind')).toHaveLength(1);

    expect(await h.text(ADMIN, '/ganhom CAMXUYEN', GROUP)).toBe(
      '✅ Đã gắn nhóm này với Xã Cẩm Xuyên (CAMXUYEN) và các đơn vị trực thuộc (trước đây: Tỉnh Hà Tĩnh (HATINH)).',
    );

    expect(await h.text(ADMIN, '/ganhom DUCTHO', { private: true })).toBe('Lệnh này dùng trong nhóm: bạn gõ /ganhom <mã đơn vị> trong nhóm chat cần gắn.');
    expect(h.db.select().from(chats).where(eq(chats.kind, 'private')).get()!.unitId).toBeNull();
  });
});
