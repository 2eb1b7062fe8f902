import { describe, expect, it } from 'vitest';
import { addAdmin, CLI_ACTOR } from '../../../db/bootstrap.js';
import { conversations } from '../../../db/schema.js';
import { createUnit } from '../../../db/unitAdmin.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { demoPerTest, emptyPerTest, type Harness } from '../../helpers/harness.js';
import { auditsOf, findUnit } from '../../helpers/rows.js';

const GROUP = { group: DEMO_GROUP };
const PRIVATE = { private: true };
const ADMIN = DEMO_PEOPLE.admin; // Nguyễn Thị Hoa

let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });
const empty = emptyPerTest();

describe('/suadonvi', () => {
  it('renames a unit, with an audit row of what changed', async () => {
    h = await demo();
    expect(await h.text(ADMIN, '/suadonvi cambinh', GROUP)).toContain('(1/1) Bạn muốn sửa gì của Xã Cẩm Bình (CAMBINH)?');
    expect(await h.text(ADMIN, 'ten', GROUP)).toContain('(2/2) Tên mới của đơn vị? (hiện tại: Xã Cẩm Bình)');
    expect(await h.text(ADMIN, 'Xã Cẩm Bình', GROUP)).toContain('⚠️ Tên này trùng tên hiện tại');
    const summary = await h.text(ADMIN, 'Phường Cẩm Bình', GROUP);
    expect(summary).toContain('(1) Đơn vị: Xã Cẩm Bình (CAMBINH) — đổi tên');
    expect(summary).toContain('(2) Tên mới: Phường Cẩm Bình');
    expect(await h.text(ADMIN, '1', GROUP)).toBe('✅ Đã đổi tên: Xã Cẩm Bình → Phường Cẩm Bình (CAMBINH).');
    const row = findUnit(h.db, 'CAMBINH')!;
    expect(row.name).toBe('Phường Cẩm Bình');
    const audit = auditsOf(h.db, 'unit.update');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entityId: String(row.id), before: { name: 'Xã Cẩm Bình' }, after: { name: 'Phường Cẩm Bình' } });
  });

  it('refuses to move a unit under itself or its own subtree, and moves it elsewhere', async () => {
    h = await demo();
    // The Mặt trận, with Tỉnh đoàn and Hội Phụ nữ under it.
    const front = findUnit(h.db, 'MTTQ')!;
    const name = 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh';
    await h.say(ADMIN, '/suadonvi MTTQ', GROUP);
    expect(await h.text(ADMIN, 'đơn vị cấp trên', GROUP)).toContain(`Chuyển ${name} sang trực thuộc đơn vị nào? (hiện thuộc Tỉnh Hà Tĩnh (HATINH)`);
    const refused = await h.text(ADMIN, 'tinhdoan', GROUP);
    expect(refused).toContain(
      `⚠️ Không thể chuyển ${name} (MTTQ) về dưới Tỉnh đoàn Hà Tĩnh (TINHDOAN), vì Tỉnh đoàn Hà Tĩnh nằm trong chính nhánh của ${name} (sẽ thành vòng lặp).`,
    );
    expect(await h.text(ADMIN, 'mttq', GROUP)).toContain('⚠️ Một đơn vị không thể là cấp trên của chính nó');
    expect(await h.text(ADMIN, 'HATINH', GROUP)).toContain(`⚠️ ${name} đã thuộc Tỉnh Hà Tĩnh (HATINH) rồi`);
    await h.say(ADMIN, '/huy', GROUP);
    expect(findUnit(h.db, 'MTTQ')!.parentId).toBe(front.parentId);
    expect(auditsOf(h.db, 'unit.update')).toHaveLength(0);

    // Hội Phụ nữ leaves the Mặt trận for the province directly.
    await h.say(ADMIN, '/suadonvi HOILHPN', GROUP);
    await h.say(ADMIN, 'cap tren', GROUP);
    expect(await h.text(ADMIN, 'Tỉnh Hà Tĩnh', GROUP)).toContain('(2) Đơn vị cấp trên mới: Tỉnh Hà Tĩnh (HATINH)');
    expect(await h.text(ADMIN, '1', GROUP)).toBe(
      '✅ Đã chuyển Hội Liên hiệp Phụ nữ tỉnh Hà Tĩnh (HOILHPN) về dưới Tỉnh Hà Tĩnh (HATINH), cùng các đơn vị trực thuộc.',
    );
    expect(findUnit(h.db, 'HOILHPN')!.parentId).toBe(findUnit(h.db, 'HATINH')!.id);
  });

  it('changes a code, deactivates a unit and issues a new join code', async () => {
    h = await demo();
    await h.say(ADMIN, '/suadonvi SONKIM1', GROUP);
    await h.say(ADMIN, 'mã', GROUP);
    expect(await h.text(ADMIN, 'camxuyen', GROUP)).toContain('⚠️ Mã CAMXUYEN đã dùng cho Xã Cẩm Xuyên');
    await h.say(ADMIN, 'sonkim-1', GROUP);
    expect(await h.text(ADMIN, '1', GROUP)).toBe('✅ Đã đổi mã của Xã Sơn Kim 1: SONKIM1 → SONKIM-1.');
    expect(findUnit(h.db, 'SONKIM1')).toBeUndefined();

    await h.say(ADMIN, '/suadonvi sonkim-1', GROUP);
    await h.say(ADMIN, 'ngung hoat dong', GROUP);
    expect(await h.text(ADMIN, '1', GROUP)).toContain('✅ Xã Sơn Kim 1 (SONKIM-1) đã ngừng hoạt động');
    expect(findUnit(h.db, 'SONKIM-1')!.active).toBe(false);
    expect(await h.text(ADMIN, '/donvi HATINH', GROUP)).toContain('  Xã Sơn Kim 1 (SONKIM-1) — ngừng hoạt động');

    const old = findUnit(h.db, 'SNV')!.joinCode;
    await h.say(ADMIN, '/suadonvi snv', PRIVATE);
    expect(await h.text(ADMIN, 'cap lai ma tham gia', PRIVATE)).toContain('cấp lại mã tham gia (mã đang dùng sẽ không dùng được nữa)');
    const reply = await h.text(ADMIN, '1', PRIVATE);
    const fresh = findUnit(h.db, 'SNV')!.joinCode;
    expect(fresh).not.toBe(old);
    expect(fresh).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    expect(reply).toBe(`✅ Đã cấp lại mã tham gia của Sở Nội vụ (SNV); mã cũ không còn dùng được.\nMã tham gia của Sở Nội vụ (SNV): ${fresh}`);
    expect(auditsOf(h.db, 'unit.update')).toHaveLength(3);
  });

  it('answers an unknown code without starting anything', async () => {
    h = await demo();
    expect(await h.text(ADMIN, '/suadonvi', GROUP)).toContain('Bạn gõ /suadonvi kèm mã đơn vị');
    expect(await h.text(ADMIN, `/suadonvi ${'X'.repeat(500)}`, GROUP)).toBe(`Không có đơn vị mã “${'X'.repeat(39)}…”. Gõ /donvi để xem các mã.`);
    expect(h.db.select().from(conversations).all()).toHaveLength(0);
  });
});

describe('/suadonvi, kinds since 1/7/2025', () => {
  /** An old tree of its own, so the test does not hang on the demo's units: a province, a former district, a commune. */
  async function oldTree(): Promise<Harness> {
    const harness = await empty();
    addAdmin(harness.db, { platform: 'console', platformUserId: 'Quản trị' }, 'Quản trị', harness.clock.now());
    const now = harness.clock.now();
    const tinh = createUnit(harness.db, { name: 'Tỉnh Hà Tĩnh', shortCode: 'HATINH', kind: 'province', parentId: null }, CLI_ACTOR, now);
    const huyen = createUnit(harness.db, { name: 'Huyện Cẩm Xuyên', shortCode: 'CAMXUYEN', kind: 'district', parentId: tinh.id }, CLI_ACTOR, now);
    createUnit(harness.db, { name: 'Xã Cẩm Bình', shortCode: 'CAMBINH', kind: 'commune', parentId: huyen.id }, CLI_ACTOR, now);
    return harness;
  }

  it('shows a former kind as former, never sets one, and decides “thành phố” by the parent', async () => {
    h = await oldTree();
    await h.say('Quản trị', '/suadonvi CAMXUYEN', GROUP);
    const ask = await h.text('Quản trị', 'loai', GROUP);
    expect(ask).toContain('Loại mới của đơn vị? (hiện tại: Huyện, quận, thị xã, thành phố thuộc tỉnh (cấp huyện cũ, trước 1/7/2025))');
    expect(h.sent.at(-1)!.reply.choices!.map((c) => c.value)).not.toContain('district');
    expect(await h.text('Quản trị', 'thi xa', GROUP)).toContain('⚠️ Cấp huyện (huyện, quận, thị xã, thành phố thuộc tỉnh) không còn từ 1/7/2025');
    // Under a province, "thành phố" is a thành phố thuộc tỉnh: a former district-level city.
    expect(await h.text('Quản trị', 'thành phố', GROUP)).toContain('⚠️ Cấp huyện');
    expect(await h.text('Quản trị', 'Huyện ủy', GROUP)).toContain('⚠️ Huyện ủy, quận ủy, thị ủy không còn từ 1/7/2025');
    expect(await h.text('Quản trị', 'dang uy', GROUP)).toContain('(2) Loại mới: Cơ quan Đảng');
    expect(await h.text('Quản trị', '1', GROUP)).toBe(
      '✅ Đã đổi loại của Huyện Cẩm Xuyên (CAMXUYEN): Huyện, quận, thị xã, thành phố thuộc tỉnh (cấp huyện cũ, trước 1/7/2025) → Cơ quan Đảng.',
    );
    expect(findUnit(h.db, 'CAMXUYEN')!.kind).toBe('party');

    // At the root, "thành phố" is a province-level city.
    await h.say('Quản trị', '/suadonvi HATINH', GROUP);
    await h.say('Quản trị', 'loai', GROUP);
    expect(await h.text('Quản trị', 'thanh pho', GROUP)).toContain('⚠️ Đơn vị đang là loại “Tỉnh, thành phố trực thuộc trung ương”');
  });
});
