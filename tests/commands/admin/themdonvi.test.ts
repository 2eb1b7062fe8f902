import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { suggestShortCode } from '../../../commands/shared/unitSteps.js';
import { addAdmin } from '../../../db/bootstrap.js';
import { units } from '../../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { demoPerTest, emptyPerTest, type Harness } from '../../helpers/harness.js';
import { auditsOf, findUnit } from '../../helpers/rows.js';

const GROUP = { group: DEMO_GROUP };
const PRIVATE = { private: true };
const ADMIN = DEMO_PEOPLE.admin; // Nguyễn Thị Hoa

let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });
const empty = emptyPerTest();

describe('/themdonvi', () => {
  it('adds a unit through the whole flow, answers typed without diacritics, with a fresh join code and an audit row', async () => {
    h = await demo();
    expect(await h.text(ADMIN, '/themdonvi', GROUP)).toContain('(1/4) Tên đầy đủ của đơn vị?');
    const codeAsk = await h.text(ADMIN, 'Xã Cẩm Lạc', GROUP);
    expect(codeAsk).toContain('(2/4) Mã ngắn của đơn vị?');
    expect(codeAsk).toContain('Gợi ý: CAMLAC');
    expect(h.sent.at(-1)!.reply.choices).toEqual([{ value: 'CAMLAC', label: 'CAMLAC' }]);
    expect(await h.text(ADMIN, 'camlac', GROUP)).toContain('(3/4) Đơn vị thuộc loại nào?');
    expect(await h.text(ADMIN, 'xa', GROUP)).toContain('(4/4) Đơn vị cấp trên là đơn vị nào?');
    const summary = await h.text(ADMIN, 'hatinh', GROUP);
    expect(summary).toContain('(1) Tên đơn vị: Xã Cẩm Lạc');
    expect(summary).toContain('(2) Mã ngắn: CAMLAC');
    expect(summary).toContain('(3) Loại đơn vị: Xã, phường, đặc khu');
    expect(summary).toContain('(4) Đơn vị cấp trên: Tỉnh Hà Tĩnh (HATINH)');
    const done = await h.text(ADMIN, 'dong y', GROUP);

    const saved = findUnit(h.db, 'CAMLAC')!;
    expect(saved).toMatchObject({ name: 'Xã Cẩm Lạc', kind: 'commune', parentId: findUnit(h.db, 'HATINH')!.id, active: true });
    expect(saved.joinCode).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    expect(h.db.select().from(units).where(eq(units.joinCode, saved.joinCode)).all()).toHaveLength(1);
    // Made in the group, by an admin who never wrote to the bot privately: the code is held back.
    expect(done).toBe(
      '✅ Đã thêm Xã Cẩm Lạc (CAMLAC), thuộc Tỉnh Hà Tĩnh (HATINH).\nMã tham gia chỉ hiện trong tin nhắn riêng với bot: bạn mở tin nhắn riêng với bot (bấm vào tên bot, chọn nhắn tin) rồi gõ /donvi CAMLAC.',
    );
    expect(h.sent.map((s) => s.text).join('\n')).not.toContain(saved.joinCode);
    const audit = auditsOf(h.db, 'unit.create');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity: 'unit', entityId: String(saved.id), actorLabel: `${ADMIN} (console:${ADMIN})` });
    expect(await h.text(ADMIN, '/donvi camlac', PRIVATE)).toContain(`Xã Cẩm Lạc (CAMLAC) — mã tham gia: ${saved.joinCode}`);
  });

  it('re-asks a short code that is taken, reserved or badly shaped; "1" takes the suggestion', async () => {
    h = await demo();
    await h.say(ADMIN, '/themdonvi', GROUP);
    await h.say(ADMIN, 'Phường Kỳ Anh', GROUP);
    const taken = await h.text(ADMIN, 'camxuyen', GROUP);
    expect(taken).toContain('⚠️ Mã CAMXUYEN đã dùng cho Xã Cẩm Xuyên; bạn chọn mã khác.');
    expect(taken).toContain('(2/4) Mã ngắn của đơn vị?');
    expect(await h.text(ADMIN, 'KY ANH', GROUP)).toContain('⚠️ Mã viết liền, không có dấu cách');
    expect(await h.text(ADMIN, 'K', GROUP)).toContain('⚠️ Mã gồm 2 đến 30 ký tự');
    expect(await h.text(ADMIN, 'KY_ANH', GROUP)).toContain('⚠️ Mã gồm 2 đến 30 ký tự');
    expect(await h.text(ADMIN, 'mac dinh'.replace(' ', ''), GROUP)).toContain(
      '⚠️ “MACDINH” không dùng làm mã đơn vị được: lệnh /chitieu hiểu đó là chỉ tiêu mặc định.',
    );
    expect(await h.text(ADMIN, '1', GROUP)).toContain('(3/4) Đơn vị thuộc loại nào?');
    await h.say(ADMIN, 'phuong', GROUP);
    expect(await h.text(ADMIN, 'Tỉnh Hà Tĩnh', GROUP)).toContain('(2) Mã ngắn: KYANH');
    await h.say(ADMIN, '1', GROUP);
    expect(findUnit(h.db, 'KYANH')).toMatchObject({ name: 'Phường Kỳ Anh', kind: 'commune', parentId: findUnit(h.db, 'HATINH')!.id });
  });

  it('makes the very first unit the root without asking for a parent', async () => {
    h = await empty();
    addAdmin(h.db, { platform: 'console', platformUserId: 'Quản trị' }, 'Quản trị', h.clock.now());
    expect(await h.text('Quản trị', '/donvi', GROUP)).toContain('Chưa có đơn vị nào');
    await h.say('Quản trị', '/themdonvi', GROUP);
    expect(await h.text('Quản trị', 'Tỉnh Nghệ An', GROUP)).toContain(
      '(2/3) Mã ngắn của đơn vị? Viết liền không dấu, 2 đến 30 ký tự (chữ, số, dấu -). Gợi ý: NGHEAN',
    );
    await h.say('Quản trị', 'NGHEAN', GROUP);
    expect(await h.text('Quản trị', 'tinh', GROUP)).toContain('Mời bạn kiểm tra lại trước khi lưu:');
    expect(await h.text('Quản trị', '1', GROUP)).toContain('✅ Đã thêm Tỉnh Nghệ An (NGHEAN), là đơn vị gốc của cây.');
    expect(h.db.select().from(units).all()).toEqual([expect.objectContaining({ shortCode: 'NGHEAN', parentId: null, kind: 'province' })]);
  });
});

describe('/themdonvi, kinds since 1/7/2025', () => {
  const startKind = async (name: string) => {
    await h.say(ADMIN, '/themdonvi', GROUP);
    await h.say(ADMIN, name, GROUP);
    return h.text(ADMIN, '1', GROUP);
  };

  it('offers current kinds only and refuses a former one kindly, asking again', async () => {
    h = await demo();
    expect(await startKind('Xã Thiên Cầm')).toContain('(3/4) Đơn vị thuộc loại nào?');
    const offered = h.sent.at(-1)!.reply.choices!.map((c) => c.value);
    expect(offered).toContain('party');
    expect(offered).not.toContain('district');
    const huyen = await h.text(ADMIN, 'huyen', GROUP);
    expect(huyen).toContain('⚠️ Cấp huyện (huyện, quận, thị xã, thành phố thuộc tỉnh) không còn từ 1/7/2025 nên không dùng cho đơn vị được thêm hay sửa.');
    expect(huyen).toContain('(3/4) Đơn vị thuộc loại nào?');
    expect(await h.text(ADMIN, 'Thị trấn', GROUP)).toContain('⚠️ Thị trấn không còn từ 1/7/2025');
    // Under a tree, the parent is asked after the kind: "thành phố" alone is asked as a level.
    expect(await h.text(ADMIN, 'thanh pho', GROUP)).toContain(
      '⚠️ Thành phố trực thuộc trung ương (cấp tỉnh) hay thành phố thuộc tỉnh (cấp huyện cũ)? Bạn gõ “trực thuộc trung ương” hoặc “thuộc tỉnh”.',
    );
    expect(await h.text(ADMIN, 'thuoc tinh', GROUP)).toContain('⚠️ Cấp huyện');
    expect(await h.text(ADMIN, 'xã', GROUP)).toContain('(4/4) Đơn vị cấp trên là đơn vị nào?');
    expect(await h.text(ADMIN, 'HATINH', GROUP)).toContain('(3) Loại đơn vị: Xã, phường, đặc khu');
  });

  it.each([
    ['Đặc khu Thử nghiệm', 'đặc khu', 'commune', 'Xã, phường, đặc khu'],
    ['Đảng ủy UBND tỉnh', 'Đảng ủy', 'party', 'Cơ quan Đảng'],
    ['Ban Tuyên giáo và Dân vận Tỉnh ủy', 'ban tuyen giao va dan van', 'party', 'Cơ quan Đảng'],
    ['Ủy ban MTTQ tỉnh', 'Ủy ban MTTQ', 'organisation', 'Mặt trận và đoàn thể'],
  ])('adds %s typed as “%s”', async (name, typed, kind, label) => {
    h = await demo();
    await startKind(name);
    expect(await h.text(ADMIN, typed, GROUP)).toContain('(4/4) Đơn vị cấp trên là đơn vị nào?');
    expect(await h.text(ADMIN, 'HATINH', GROUP)).toContain(`(3) Loại đơn vị: ${label}`);
    await h.say(ADMIN, '1', GROUP);
    expect(h.db.select().from(units).where(eq(units.name, name)).get()).toMatchObject({ kind, parentId: findUnit(h.db, 'HATINH')!.id });
  });

  it('reads “thành phố” as a province-level city for the first unit, which has no parent', async () => {
    h = await empty();
    addAdmin(h.db, { platform: 'console', platformUserId: 'Quản trị' }, 'Quản trị', h.clock.now());
    await h.say('Quản trị', '/themdonvi', GROUP);
    await h.say('Quản trị', 'Thành phố Huế', GROUP);
    await h.say('Quản trị', 'HUE', GROUP);
    expect(await h.text('Quản trị', 'thành phố', GROUP)).toContain('(3) Loại đơn vị: Tỉnh, thành phố trực thuộc trung ương');
    await h.say('Quản trị', '1', GROUP);
    expect(findUnit(h.db, 'HUE')).toMatchObject({ kind: 'province', parentId: null });
  });
});

describe('suggestShortCode', () => {
  it.each([
    ['Xã Cẩm Lạc', 'CAMLAC'],
    ['Thị xã Kỳ Anh', 'KYANH'],
    ['Thành phố Vinh', 'VINH'],
    ['Sở Tài chính và Kế hoạch', 'STCKH'],
    ['Công an', 'CONGAN'],
    ['Xã Cẩm Xuyên', 'CAMXUYEN-2'], // CAMXUYEN is taken in the demo
    ['Tỉnh Hà Tĩnh', 'HATINH-2'],
  ])('%s → %s', async (name, code) => {
    h = await demo();
    expect(suggestShortCode(h.db, name)).toBe(code);
  });
});
