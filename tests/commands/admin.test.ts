import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncomingMessage, TextPart } from '../../core/chat.js';
import { defaultQuota } from '../../db/quotas.js';
import { auditLog, chats, conversations, identities, people, roles, settings, unitQuotas, units } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { Harness } from '../helpers/harness.js';

const GROUP = { group: DEMO_GROUP };
const PRIVATE = { private: true };
const ADMIN = DEMO_PEOPLE.admin; // Nguyễn Thị Hoa
const NEWCOMER = 'Nguyễn Văn An';

let h: Harness;
afterEach(() => h?.close());

async function demo() {
  // Once these commands are listed in commands/index.ts, they must not be registered twice here.
  h = await Harness.demo({ now: '2026-03-10T09:00:00+07:00' });
  return h;
}

function unit(code: string) {
  return h.db.select().from(units).where(eq(units.shortCode, code)).get();
}

function personId(platformUserId: string): number {
  return h.db.select().from(identities).where(eq(identities.platformUserId, platformUserId)).get()!.personId;
}

function rolesOf(id: number) {
  return h.db.select({ role: roles.role, unitId: roles.unitId }).from(roles).where(eq(roles.personId, id)).all();
}

function audits(action: string) {
  return h.db.select().from(auditLog).where(eq(auditLog.action, action)).all();
}

/** Says something that mentions `userId`, as an adapter reports a mention. */
async function sayMentioning(person: string, text: string, userId: string): Promise<string> {
  const chat = h.chat(GROUP);
  const at = text.indexOf('@');
  const msg: IncomingMessage = {
    chat,
    sender: { id: person, displayName: person },
    messageId: `m-${h.sent.length}`,
    text,
    mentions: [{ userId, offset: at, length: text.slice(at).split(' ')[0]!.length }],
    attachments: [],
    receivedAt: h.clock.now(),
  };
  const before = h.sent.length;
  await h.core.dispatcher.handle(msg, h.outbound(chat));
  return h.sent
    .slice(before)
    .map((s) => s.text)
    .join('\n---\n');
}

describe('/donvi', () => {
  it('shows the tree indented by level, each unit with its join code (in the admin’s private chat)', async () => {
    await demo();
    const reply = await h.text(ADMIN, '/donvi', PRIVATE);
    const lines = reply.split('\n');
    const hatinh = unit('HATINH')!;
    const cambinh = unit('CX-CAMBINH')!;
    expect(lines[0]).toBe(`Các đơn vị (${h.db.select().from(units).all().length}):`);
    expect(lines[1]).toBe(`Tỉnh Hà Tĩnh (HATINH) — mã tham gia: ${hatinh.joinCode}`);
    expect(lines).toContain(`  Huyện Cẩm Xuyên (CAMXUYEN) — mã tham gia: ${unit('CAMXUYEN')!.joinCode}`);
    expect(lines).toContain(`    Xã Cẩm Bình (CX-CAMBINH) — mã tham gia: ${cambinh.joinCode}`);
    // A commune follows its own district, not another one.
    const district = lines.indexOf(`  Huyện Cẩm Xuyên (CAMXUYEN) — mã tham gia: ${unit('CAMXUYEN')!.joinCode}`);
    const commune = lines.indexOf(`    Xã Cẩm Bình (CX-CAMBINH) — mã tham gia: ${cambinh.joinCode}`);
    expect(commune).toBeGreaterThan(district);
    expect(lines.slice(district + 1, commune).every((l) => l.startsWith('    '))).toBe(true);
    expect(reply).not.toContain('… còn');
  });

  it('shows one branch by code, and cuts a long tree at 60 units with a hint', async () => {
    await demo();
    const branch = await h.text(ADMIN, '/donvi camxuyen', PRIVATE);
    const lines = branch.split('\n');
    expect(lines[0]).toBe('Nhánh Huyện Cẩm Xuyên (CAMXUYEN), thuộc Tỉnh Hà Tĩnh (HATINH) — 6 đơn vị:');
    expect(lines[1]).toMatch(/^Huyện Cẩm Xuyên \(CAMXUYEN\) — mã tham gia: \w{6}$/);
    expect(lines).toContain(`  Xã Cẩm Bình (CX-CAMBINH) — mã tham gia: ${unit('CX-CAMBINH')!.joinCode}`);
    expect(branch).not.toContain('Sở Nội vụ');
    expect(await h.text(ADMIN, '/donvi KHONGCO', GROUP)).toBe('Không có đơn vị mã “KHONGCO”. Gõ /donvi để xem cả cây đơn vị.');

    const ductho = unit('DUCTHO')!;
    for (let i = 1; i <= 70; i++) {
      h.db
        .insert(units)
        .values({
          name: `Thôn ${i}`,
          shortCode: `DT-THON${i}`,
          kind: 'other',
          parentId: ductho.id,
          joinCode: `T${String(i).padStart(5, '0')}`,
          createdAt: 0,
          updatedAt: 0,
        })
        .run();
    }
    const total = h.db.select().from(units).all().length;
    const text = await h.text(ADMIN, '/donvi', PRIVATE);
    const long = text.split('\n');
    expect(long[0]).toBe(`Các đơn vị (${total}):`);
    expect(long.filter((l) => l.includes(' — mã tham gia: '))).toHaveLength(60);
    expect(long).toContain(`… còn ${total - 60} đơn vị; gõ /donvi <mã> để xem một nhánh.`);
    expect(text.length).toBeLessThan(4096);
  });
});

describe('/themdonvi', () => {
  it('adds a unit through the whole flow, answers typed without diacritics, with a fresh join code and an audit row', async () => {
    await demo();
    expect(await h.text(ADMIN, '/themdonvi', GROUP)).toContain('(1/4) Tên đầy đủ của đơn vị?');
    const codeAsk = await h.text(ADMIN, 'Xã Cẩm Lộc', GROUP);
    expect(codeAsk).toContain('(2/4) Mã ngắn của đơn vị?');
    expect(codeAsk).toContain('Gợi ý: CAMLOC');
    expect(h.sent.at(-1)!.reply.choices).toEqual([{ value: 'CAMLOC', label: 'CAMLOC' }]);
    expect(await h.text(ADMIN, 'cx-camloc', GROUP)).toContain('(3/4) Đơn vị thuộc loại nào?');
    expect(await h.text(ADMIN, 'xa', GROUP)).toContain('(4/4) Đơn vị cấp trên là đơn vị nào?');
    const summary = await h.text(ADMIN, 'cam xuyen', GROUP);
    expect(summary).toContain('• Tên đơn vị: Xã Cẩm Lộc');
    expect(summary).toContain('• Mã ngắn: CX-CAMLOC');
    expect(summary).toContain('• Loại đơn vị: Xã, phường, thị trấn');
    expect(summary).toContain('• Đơn vị cấp trên: Huyện Cẩm Xuyên (CAMXUYEN)');
    const done = await h.text(ADMIN, 'dong y', GROUP);

    const saved = unit('CX-CAMLOC')!;
    expect(saved).toMatchObject({ name: 'Xã Cẩm Lộc', kind: 'commune', parentId: unit('CAMXUYEN')!.id, active: true });
    expect(saved.joinCode).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    expect(h.db.select().from(units).where(eq(units.joinCode, saved.joinCode)).all()).toHaveLength(1);
    // Made in the group, by an admin who never wrote to the bot privately: the code is held back.
    expect(done).toBe(
      '✅ Đã thêm Xã Cẩm Lộc (CX-CAMLOC), thuộc Huyện Cẩm Xuyên (CAMXUYEN).\nMã tham gia chỉ hiện trong tin nhắn riêng với bot: bạn mở tin nhắn riêng với bot (bấm vào tên bot, chọn nhắn tin) rồi gõ /donvi CX-CAMLOC.',
    );
    expect(h.sent.map((s) => s.text).join('\n')).not.toContain(saved.joinCode);
    const audit = audits('unit.create');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity: 'unit', entityId: String(saved.id), actorLabel: `${ADMIN} (console:${ADMIN})` });
    expect(await h.text(ADMIN, '/donvi cx-camloc', PRIVATE)).toContain(`Xã Cẩm Lộc (CX-CAMLOC) — mã tham gia: ${saved.joinCode}`);
  });

  it('re-asks a short code that is taken, reserved or badly shaped; "1" takes the suggestion', async () => {
    await demo();
    await h.say(ADMIN, '/themdonvi', GROUP);
    await h.say(ADMIN, 'Thị xã Kỳ Anh', GROUP);
    const taken = await h.text(ADMIN, 'camxuyen', GROUP);
    expect(taken).toContain('⚠️ Mã CAMXUYEN đã dùng cho Huyện Cẩm Xuyên; bạn chọn mã khác.');
    expect(taken).toContain('(2/4) Mã ngắn của đơn vị?');
    expect(await h.text(ADMIN, 'KY ANH', GROUP)).toContain('⚠️ Mã viết liền, không có dấu cách');
    expect(await h.text(ADMIN, 'K', GROUP)).toContain('⚠️ Mã gồm 2 đến 30 ký tự');
    expect(await h.text(ADMIN, 'KY_ANH', GROUP)).toContain('⚠️ Mã gồm 2 đến 30 ký tự');
    expect(await h.text(ADMIN, 'mac dinh'.replace(' ', ''), GROUP)).toContain(
      '⚠️ “MACDINH” không dùng làm mã đơn vị được: lệnh /chitieu hiểu đó là chỉ tiêu mặc định.',
    );
    expect(await h.text(ADMIN, '1', GROUP)).toContain('(3/4) Đơn vị thuộc loại nào?');
    await h.say(ADMIN, 'huyen', GROUP);
    expect(await h.text(ADMIN, 'Tỉnh Hà Tĩnh', GROUP)).toContain('• Mã ngắn: KYANH');
    await h.say(ADMIN, '1', GROUP);
    expect(unit('KYANH')).toMatchObject({ name: 'Thị xã Kỳ Anh', kind: 'district', parentId: unit('HATINH')!.id });
  });

  it('makes the very first unit the root without asking for a parent', async () => {
    h = await Harness.create();
    await h.say('Quản trị', '/huongdan', GROUP);
    h.db
      .insert(roles)
      .values({ personId: personId('Quản trị'), role: 'admin', unitId: null, createdAt: 0 })
      .run();
    expect(await h.text('Quản trị', '/donvi', GROUP)).toContain('Chưa có đơn vị nào');
    await h.say('Quản trị', '/themdonvi', GROUP);
    expect(await h.text('Quản trị', 'Tỉnh Nghệ An', GROUP)).toContain(
      '(2/3) Mã ngắn của đơn vị? Viết liền không dấu, 2 đến 30 ký tự (chữ, số, dấu -). Gợi ý: NGHEAN',
    );
    await h.say('Quản trị', 'NGHEAN', GROUP);
    expect(await h.text('Quản trị', 'tinh', GROUP)).toContain('Bạn kiểm tra lại thêm đơn vị');
    expect(await h.text('Quản trị', '1', GROUP)).toContain('✅ Đã thêm Tỉnh Nghệ An (NGHEAN), là đơn vị gốc của cây.');
    expect(h.db.select().from(units).all()).toEqual([expect.objectContaining({ shortCode: 'NGHEAN', parentId: null, kind: 'province' })]);
  });
});

describe('/suadonvi', () => {
  it('renames a unit, with an audit row of what changed', async () => {
    await demo();
    expect(await h.text(ADMIN, '/suadonvi cx-cambinh', GROUP)).toContain('(1/1) Bạn muốn sửa gì của Xã Cẩm Bình (CX-CAMBINH)?');
    expect(await h.text(ADMIN, 'ten', GROUP)).toContain('(2/2) Tên mới của đơn vị? (hiện tại: Xã Cẩm Bình)');
    expect(await h.text(ADMIN, 'Xã Cẩm Bình', GROUP)).toContain('⚠️ Tên này trùng tên hiện tại');
    const summary = await h.text(ADMIN, 'Phường Cẩm Bình', GROUP);
    expect(summary).toContain('• Đơn vị: Xã Cẩm Bình (CX-CAMBINH) — đổi tên');
    expect(summary).toContain('• Tên mới: Phường Cẩm Bình');
    expect(await h.text(ADMIN, '1', GROUP)).toBe('✅ Đã đổi tên: Xã Cẩm Bình → Phường Cẩm Bình (CX-CAMBINH).');
    const row = unit('CX-CAMBINH')!;
    expect(row.name).toBe('Phường Cẩm Bình');
    const audit = audits('unit.update');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entityId: String(row.id), before: { name: 'Xã Cẩm Bình' }, after: { name: 'Phường Cẩm Bình' } });
  });

  it('refuses to move a unit under itself or its own subtree, and moves it elsewhere', async () => {
    await demo();
    const camxuyen = unit('CAMXUYEN')!;
    await h.say(ADMIN, '/suadonvi CAMXUYEN', GROUP);
    expect(await h.text(ADMIN, 'đơn vị cấp trên', GROUP)).toContain('Chuyển Huyện Cẩm Xuyên về dưới đơn vị nào? (hiện thuộc Tỉnh Hà Tĩnh (HATINH)');
    const refused = await h.text(ADMIN, 'cx-cambinh', GROUP);
    expect(refused).toContain(
      '⚠️ Không thể chuyển Huyện Cẩm Xuyên (CAMXUYEN) về dưới Xã Cẩm Bình (CX-CAMBINH), vì Xã Cẩm Bình nằm trong chính nhánh của Huyện Cẩm Xuyên (sẽ thành vòng lặp).',
    );
    expect(await h.text(ADMIN, 'camxuyen', GROUP)).toContain('⚠️ Một đơn vị không thể là cấp trên của chính nó');
    expect(await h.text(ADMIN, 'HATINH', GROUP)).toContain('⚠️ Huyện Cẩm Xuyên đã thuộc Tỉnh Hà Tĩnh (HATINH) rồi');
    await h.say(ADMIN, '/huy', GROUP);
    expect(unit('CAMXUYEN')!.parentId).toBe(camxuyen.parentId);
    expect(audits('unit.update')).toHaveLength(0);

    await h.say(ADMIN, '/suadonvi CX-CAMBINH', GROUP);
    await h.say(ADMIN, 'cap tren', GROUP);
    expect(await h.text(ADMIN, 'Huyện Đức Thọ', GROUP)).toContain('• Đơn vị cấp trên mới: Huyện Đức Thọ (DUCTHO)');
    expect(await h.text(ADMIN, '1', GROUP)).toBe('✅ Đã chuyển Xã Cẩm Bình (CX-CAMBINH) về dưới Huyện Đức Thọ (DUCTHO), cùng các đơn vị trực thuộc.');
    expect(unit('CX-CAMBINH')!.parentId).toBe(unit('DUCTHO')!.id);
  });

  it('changes a code, deactivates a unit and issues a new join code', async () => {
    await demo();
    await h.say(ADMIN, '/suadonvi HS-SONKIM1', GROUP);
    await h.say(ADMIN, 'mã', GROUP);
    expect(await h.text(ADMIN, 'camxuyen', GROUP)).toContain('⚠️ Mã CAMXUYEN đã dùng cho Huyện Cẩm Xuyên');
    await h.say(ADMIN, 'hs-sonkim-1', GROUP);
    expect(await h.text(ADMIN, '1', GROUP)).toBe('✅ Đã đổi mã của Xã Sơn Kim 1: HS-SONKIM1 → HS-SONKIM-1.');
    expect(unit('HS-SONKIM1')).toBeUndefined();

    await h.say(ADMIN, '/suadonvi hs-sonkim-1', GROUP);
    await h.say(ADMIN, 'ngung hoat dong', GROUP);
    expect(await h.text(ADMIN, '1', GROUP)).toContain('✅ Xã Sơn Kim 1 (HS-SONKIM-1) đã ngừng hoạt động');
    expect(unit('HS-SONKIM-1')!.active).toBe(false);
    expect(await h.text(ADMIN, '/donvi HUONGSON', GROUP)).toContain('  Xã Sơn Kim 1 (HS-SONKIM-1) — ngừng hoạt động');

    const old = unit('SNV')!.joinCode;
    await h.say(ADMIN, '/suadonvi snv', PRIVATE);
    expect(await h.text(ADMIN, 'cap lai ma tham gia', PRIVATE)).toContain('cấp lại mã tham gia (mã đang dùng sẽ không dùng được nữa)');
    const reply = await h.text(ADMIN, '1', PRIVATE);
    const fresh = unit('SNV')!.joinCode;
    expect(fresh).not.toBe(old);
    expect(fresh).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
    expect(reply).toBe(`✅ Đã cấp lại mã tham gia của Sở Nội vụ (SNV); mã cũ không còn dùng được.\nMã tham gia của Sở Nội vụ (SNV): ${fresh}`);
    expect(audits('unit.update')).toHaveLength(3);
  });

  it('answers an unknown code without starting anything', async () => {
    await demo();
    expect(await h.text(ADMIN, '/suadonvi', GROUP)).toContain('Bạn gõ /suadonvi kèm mã đơn vị');
    expect(await h.text(ADMIN, `/suadonvi ${'X'.repeat(500)}`, GROUP)).toBe(`Không có đơn vị mã “${'X'.repeat(39)}…”. Gõ /donvi để xem các mã.`);
    expect(h.db.select().from(conversations).all()).toHaveLength(0);
  });
});

describe('/ganhom', () => {
  it('binds the group to a unit, shows the binding, and is refused in a private chat', async () => {
    await demo();
    const group = { group: 'Dân vận khéo huyện Đức Thọ' };
    expect(await h.text(ADMIN, '/ganhom', group)).toBe('Nhóm này chưa gắn với đơn vị nào. Gõ /ganhom <mã đơn vị> để gắn, ví dụ /ganhom CAMXUYEN.');
    expect(await h.text(ADMIN, '/ganhom ductho', group)).toBe('✅ Đã gắn nhóm này với Huyện Đức Thọ (DUCTHO) và các đơn vị trực thuộc.');
    const row = h.db.select().from(chats).where(eq(chats.platformChatId, 'Dân vận khéo huyện Đức Thọ')).get()!;
    expect(row.unitId).toBe(unit('DUCTHO')!.id);
    expect(audits('chat.bind')).toEqual([expect.objectContaining({ entityId: String(row.id), before: { unitId: null }, after: { unitId: row.unitId } })]);
    expect(await h.text(ADMIN, '/ganhom', group)).toBe(
      'Nhóm này đang gắn với Huyện Đức Thọ (DUCTHO) và các đơn vị trực thuộc. Gõ /ganhom <mã đơn vị> để gắn với đơn vị khác.',
    );
    expect(await h.text(ADMIN, '/ganhom DUCTHO', group)).toBe('Nhóm này đã gắn với Huyện Đức Thọ (DUCTHO) rồi; không có gì thay đổi.');
    expect(await h.text(ADMIN, '/ganhom khongco', group)).toBe('Không có đơn vị mã “khongco”. Gõ /donvi để xem các mã.');
    expect(audits('chat.bind')).toHaveLength(1);

    expect(await h.text(ADMIN, '/ganhom CAMXUYEN', GROUP)).toBe(
      '✅ Đã gắn nhóm này với Huyện Cẩm Xuyên (CAMXUYEN) và các đơn vị trực thuộc (trước đây: Tỉnh Hà Tĩnh (HATINH)).',
    );

    expect(await h.text(ADMIN, '/ganhom DUCTHO', { private: true })).toBe('Lệnh này dùng trong nhóm: bạn gõ /ganhom <mã đơn vị> trong nhóm chat cần gắn.');
    expect(h.db.select().from(chats).where(eq(chats.kind, 'private')).get()!.unitId).toBeNull();
  });
});

describe('/phanquyen and /thuquyen', () => {
  it('grants an officer role by name to someone newly seen, who can then register; and takes it back', async () => {
    await demo();
    await h.say(NEWCOMER, '/huongdan', GROUP);
    const an = personId(NEWCOMER);
    const camxuyen = unit('CAMXUYEN')!;

    const [granted] = await h.say(ADMIN, '/phanquyen cán bộ nguyen van an camxuyen', GROUP);
    const parts = granted!.reply.text as TextPart[];
    expect(parts[0]).toEqual({ mention: { platformUserId: NEWCOMER, displayName: NEWCOMER, username: undefined } });
    expect(granted!.text).toBe(
      `@${NEWCOMER}: bạn đã được cấp quyền cán bộ đầu mối của Huyện Cẩm Xuyên (CAMXUYEN). Đơn vị công tác: Huyện Cẩm Xuyên. Gõ /huongdan để xem các lệnh bạn dùng được.`,
    );
    expect(rolesOf(an)).toEqual([{ role: 'officer', unitId: camxuyen.id }]);
    expect(h.db.select().from(roles).where(eq(roles.personId, an)).get()!.grantedBy).toBe(personId(ADMIN));
    expect(h.db.select().from(people).where(eq(people.id, an)).get()!.unitId).toBe(camxuyen.id);
    expect(audits('role.grant')).toEqual([
      expect.objectContaining({ entityId: String(an), after: { personId: an, role: 'officer', unitId: camxuyen.id, personUnitId: camxuyen.id } }),
    ]);
    expect(await h.text(NEWCOMER, '/dangky', GROUP)).toContain('Đăng ký loại nào?');
    await h.say(NEWCOMER, '/huy', GROUP);

    expect(await h.text(ADMIN, '/phanquyen canbo Nguyễn Văn An CAMXUYEN', GROUP)).toBe(
      `${NEWCOMER} (#${an}) đã có quyền cán bộ đầu mối của Huyện Cẩm Xuyên (CAMXUYEN) rồi; không có gì thay đổi.`,
    );
    expect(audits('role.grant')).toHaveLength(1);

    expect(await h.text(ADMIN, '/thuquyen đầu mối NGUYỄN VĂN AN'.normalize('NFD'), GROUP)).toBe(
      `✅ Đã thu hồi quyền cán bộ đầu mối của Huyện Cẩm Xuyên (CAMXUYEN) của ${NEWCOMER} (#${an}). ` +
        'Người này không còn thuộc đơn vị và mã tham gia của đơn vị không đưa họ vào lại được; muốn cho họ vào lại, bạn dùng /phanquyen.\n' +
        `${NEWCOMER} (#${an}) vẫn biết mã tham gia của Huyện Cẩm Xuyên (CAMXUYEN). Nếu mã có thể đã đến tay người khác, bạn cấp mã mới: gõ /suadonvi CAMXUYEN rồi chọn “Cấp lại mã tham gia” (mã mới chỉ gửi riêng cho bạn).`,
    );
    expect(rolesOf(an)).toEqual([]);
    expect(audits('role.revoke')).toEqual([
      expect.objectContaining({
        entityId: String(an),
        before: { personId: an, role: 'officer', unitId: camxuyen.id, grantedBy: personId(ADMIN), personUnitId: camxuyen.id },
        after: { joinBlockedUnitId: camxuyen.id, personUnitId: null },
      }),
    ]);
    expect(await h.text(NEWCOMER, '/dangky', GROUP)).toContain('Lệnh /dangky chỉ dành cho cán bộ đầu mối của đơn vị.');
    expect(await h.text(ADMIN, '/thuquyen canbo Nguyễn Văn An', GROUP)).toBe(
      `${NEWCOMER} (#${an}) không có quyền cán bộ đầu mối nào nên không có gì để thu hồi.`,
    );
  });

  it('refuses to revoke the last admin; once another admin exists it can be revoked', async () => {
    await demo();
    const hoa = personId(ADMIN);
    expect(await h.text(ADMIN, `/thuquyen quản trị ${ADMIN}`, GROUP)).toBe(
      `Không thu hồi được: ${ADMIN} (#${hoa}) là quản trị cuối cùng. Bạn cấp quyền quản trị cho người khác trước (/phanquyen quản trị <người>).`,
    );
    expect(rolesOf(hoa)).toEqual([{ role: 'admin', unitId: null }]);
    expect(audits('role.revoke')).toHaveLength(0);

    const binh = personId(DEMO_PEOPLE.leader);
    expect(await h.text(ADMIN, `/phanquyen quantri #${binh}`, GROUP)).toContain('bạn đã được cấp quyền quản trị.');
    expect(await h.text(ADMIN, `/thuquyen quantri ${ADMIN}`, GROUP)).toBe(`✅ Đã thu hồi quyền quản trị của ${ADMIN} (#${hoa}).`);
    expect(await h.text(ADMIN, '/donvi', GROUP)).toBe('Lệnh /donvi chỉ dành cho quản trị. Nếu bạn cần dùng, hãy nhờ quản trị cấp quyền.');
    expect(await h.text(DEMO_PEOPLE.leader, `/thuquyen quản trị #${binh}`, GROUP)).toContain('là quản trị cuối cùng');
  });

  it('refuses an ambiguous name, listing the people by number; "#id" then picks one', async () => {
    await demo();
    const ids = ['tg-1', 'tg-2'].map((platformUserId) => {
      const id = h.db.insert(people).values({ displayName: 'Trần Văn Nam', createdAt: 0, updatedAt: 0 }).returning().get().id;
      h.db.insert(identities).values({ personId: id, platform: 'console', platformUserId, displayName: 'Trần Văn Nam', lastSeenAt: 0 }).run();
      return id;
    });
    h.db
      .update(people)
      .set({ unitId: unit('SNV')!.id })
      .where(eq(people.id, ids[0]!))
      .run();
    expect(await h.text(ADMIN, '/phanquyen can bo tran van nam SYT', GROUP)).toBe(
      `Có 2 người cùng tên “tran van nam”:\n• #${ids[0]} Trần Văn Nam — Sở Nội vụ\n• #${ids[1]} Trần Văn Nam\n` +
        `Bạn gõ lại với số của người cần chọn, ví dụ /phanquyen cán bộ #${ids[0]} SYT.`,
    );
    expect(audits('role.grant')).toHaveLength(0);
    expect(rolesOf(ids[0]!)).toEqual([]);
    expect(rolesOf(ids[1]!)).toEqual([]);

    const [reply] = await h.say(ADMIN, `/phanquyen can bo #${ids[1]} SYT`, GROUP);
    expect((reply!.reply.text as TextPart[])[0]).toEqual({ mention: { platformUserId: 'tg-2', displayName: 'Trần Văn Nam', username: undefined } });
    expect(rolesOf(ids[1]!)).toEqual([{ role: 'officer', unitId: unit('SYT')!.id }]);
  });

  it('takes the person from a mention, whatever the text around it says', async () => {
    await demo();
    await h.say(NEWCOMER, '/huongdan', GROUP);
    const reply = await sayMentioning(ADMIN, '/phanquyen lãnh đạo @An DUCTHO', NEWCOMER);
    expect(reply).toBe(`@${NEWCOMER}: bạn đã được cấp quyền lãnh đạo Huyện Đức Thọ (DUCTHO). Gõ /huongdan để xem các lệnh bạn dùng được.`);
    expect(rolesOf(personId(NEWCOMER))).toEqual([{ role: 'leader', unitId: unit('DUCTHO')!.id }]);
    // A leader does not become a member of the unit they lead.
    expect(
      h.db
        .select()
        .from(people)
        .where(eq(people.id, personId(NEWCOMER)))
        .get()!.unitId,
    ).toBeNull();
    expect(await sayMentioning(ADMIN, '/phanquyen lãnh đạo @Ai DUCTHO', 'never-seen')).toBe(
      'Chưa thấy người này nhắn trong nhóm; nhờ họ gõ /huongdan một lần để bot biết họ.',
    );
  });

  it('explains what is missing or wrong, and changes nothing', async () => {
    await demo();
    await h.say(NEWCOMER, '/huongdan', GROUP);
    const cases: [string, string][] = [
      ['/phanquyen canbo Người Lạ CAMXUYEN', 'Chưa thấy người này nhắn trong nhóm; nhờ họ gõ /huongdan một lần để bot biết họ.'],
      ['/phanquyen canbo Nguyễn Văn An CAMXUYENN', 'Không có đơn vị mã “CAMXUYENN”. Gõ /donvi để xem các mã.'],
      ['/phanquyen canbo Nguyễn Văn An', 'Cán bộ đầu mối gắn với một đơn vị cụ thể: bạn thêm mã đơn vị ở cuối.'],
      ['/phanquyen canbo Nguyễn Văn An toàn tỉnh', 'Cán bộ đầu mối gắn với một đơn vị cụ thể'],
      ['/phanquyen lãnh đạo Nguyễn Văn An', 'Lãnh đạo cần gắn với một đơn vị'],
      ['/phanquyen quản trị Nguyễn Văn An SNV', 'Quyền quản trị dùng cho toàn hệ thống, không gắn với đơn vị'],
      ['/phanquyen thư ký Nguyễn Văn An SNV', 'Chưa rõ vai trò nào.\n\nCách gõ: /phanquyen <vai trò> <người> [mã đơn vị]'],
      ['/phanquyen canbo CAMXUYEN', 'Bạn chưa ghi người cần cấp quyền.'],
      ['/phanquyen', 'Cách gõ: /phanquyen <vai trò> <người> [mã đơn vị]'],
      [`/phanquyen canbo ${'A'.repeat(400)}`, 'Nội dung lệnh dài quá (tối đa 300 ký tự).'],
    ];
    for (const [command, expected] of cases) expect(await h.text(ADMIN, command, GROUP), command).toContain(expected);
    expect(rolesOf(personId(NEWCOMER))).toEqual([]);
    expect(audits('role.grant')).toHaveLength(0);

    // "toàn tỉnh" is the explicit way to make a leader of the whole deployment.
    expect(await h.text(ADMIN, '/phanquyen lanhdao Nguyễn Văn An toan tinh', GROUP)).toContain('bạn đã được cấp quyền lãnh đạo toàn tỉnh.');
    expect(rolesOf(personId(NEWCOMER))).toEqual([{ role: 'leader', unitId: null }]);
  });

  it('in a private chat answers plainly instead of mentioning', async () => {
    await demo();
    await h.say(NEWCOMER, '/huongdan', GROUP);
    expect(await h.text(ADMIN, '/phanquyen can bo Nguyễn Văn An DUCTHO', { private: true })).toBe(
      `✅ Đã cấp quyền cán bộ đầu mối của Huyện Đức Thọ (DUCTHO) cho ${NEWCOMER} (#${personId(NEWCOMER)}). Đơn vị công tác: Huyện Đức Thọ.`,
    );
  });
});

describe('/chitieu', () => {
  function quotaRows() {
    return h.db.select().from(unitQuotas).all();
  }

  it('sets a unit’s quota for this year or another, and the default; shows them back', async () => {
    await demo();
    const shown = await h.text(ADMIN, '/chitieu', GROUP);
    expect(shown).toContain('Chỉ tiêu mặc định: mỗi đơn vị 1 mô hình/năm.\nChỉ tiêu riêng năm 2026:\n• Huyện Cẩm Xuyên (CAMXUYEN): 2 mô hình');

    expect(await h.text(ADMIN, '/chitieu ductho 2', GROUP)).toBe('✅ Chỉ tiêu năm 2026 của Huyện Đức Thọ (DUCTHO): 2 mô hình.');
    expect(await h.text(ADMIN, '/chitieu DUCTHO 3 2027', GROUP)).toBe('✅ Chỉ tiêu năm 2027 của Huyện Đức Thọ (DUCTHO): 3 mô hình.');
    expect(await h.text(ADMIN, '/chitieu CAMXUYEN 0', GROUP)).toBe('✅ Chỉ tiêu năm 2026 của Huyện Cẩm Xuyên (CAMXUYEN): 0 mô hình.');
    expect(await h.text(ADMIN, '/chitieu mặc định 2', GROUP)).toContain('✅ Chỉ tiêu mặc định: mỗi đơn vị 2 mô hình/năm.');
    const ductho = unit('DUCTHO')!.id;
    expect(quotaRows()).toEqual(
      expect.arrayContaining([
        { unitId: ductho, year: 2026, required: 2 },
        { unitId: ductho, year: 2027, required: 3 },
        { unitId: unit('CAMXUYEN')!.id, year: 2026, required: 0 },
      ]),
    );
    expect(defaultQuota(h.db)).toBe(2);
    expect(audits('quota.set')).toHaveLength(4);
    expect(audits('quota.set')[0]).toMatchObject({
      entityId: `${ductho}:2026`,
      before: { required: null },
      after: { unitId: ductho, year: 2026, required: 2 },
    });

    const again = await h.text(ADMIN, '/chitieu', GROUP);
    expect(again).toContain('Chỉ tiêu mặc định: mỗi đơn vị 2 mô hình/năm.');
    expect(again).toContain('• Huyện Cẩm Xuyên (CAMXUYEN): 0 mô hình\n• Huyện Đức Thọ (DUCTHO): 2 mô hình');
    expect(again).not.toContain('3 mô hình');
  });

  it('refuses bad numbers, years and codes, and changes nothing', async () => {
    await demo();
    const before = { quotas: quotaRows(), settings: h.db.select().from(settings).all(), audit: h.db.select().from(auditLog).all().length };
    const cases: [string, string][] = [
      ['/chitieu DUCTHO 21', 'Số mô hình phải là số nguyên từ 0 đến 20'],
      ['/chitieu DUCTHO -1', 'Số mô hình phải là số nguyên từ 0 đến 20'],
      ['/chitieu DUCTHO hai', 'Số mô hình phải là số nguyên từ 0 đến 20'],
      ['/chitieu DUCTHO 1.5', 'Số mô hình phải là số nguyên từ 0 đến 20'],
      ['/chitieu DUCTHO 2 26', 'Năm chưa đúng: bạn gõ năm có 4 chữ số, ví dụ /chitieu DUCTHO 2 2027.'],
      ['/chitieu DUCTHO 2 1999', 'Năm chưa đúng'],
      ['/chitieu DUCTHO', 'Cách gõ:'],
      ['/chitieu DUCTHO 2 2026 thêm', 'Cách gõ:'],
      ['/chitieu macdinh 25', 'Số mô hình mặc định phải là số nguyên từ 0 đến 20'],
      ['/chitieu macdinh', 'Số mô hình mặc định phải là số nguyên từ 0 đến 20'],
      ['/chitieu KHONGCO 2', 'Không có đơn vị mã “KHONGCO”.'],
      [`/chitieu ${'9'.repeat(200)}`, 'Nội dung lệnh dài quá.'],
    ];
    for (const [command, expected] of cases) expect(await h.text(ADMIN, command, GROUP), command).toContain(expected);
    expect(quotaRows()).toEqual(before.quotas);
    expect(h.db.select().from(settings).all()).toEqual(before.settings);
    expect(h.db.select().from(auditLog).all()).toHaveLength(before.audit);
  });
});

describe('access', () => {
  it('the dispatcher refuses every admin command to officers, leaders and newcomers, and nothing changes', async () => {
    await demo();
    const before = { roles: h.db.select().from(roles).all(), units: h.db.select().from(units).all(), chats: h.db.select().from(chats).all() };
    const attempts = [
      '/donvi',
      '/themdonvi',
      '/suadonvi CAMXUYEN',
      '/ganhom DUCTHO',
      `/phanquyen quản trị ${NEWCOMER}`,
      `/thuquyen quản trị ${ADMIN}`,
      '/chitieu macdinh 5',
    ];
    for (const who of [DEMO_PEOPLE.officer, DEMO_PEOPLE.leader, NEWCOMER]) {
      for (const attempt of attempts) {
        const name = attempt.slice(1).split(' ')[0]!;
        expect(await h.text(who, attempt, GROUP), `${who} ${attempt}`).toBe(
          `Lệnh /${name} chỉ dành cho quản trị. Nếu bạn cần dùng, hãy nhờ quản trị cấp quyền.`,
        );
      }
    }
    expect(h.db.select().from(roles).all()).toEqual(before.roles);
    expect(h.db.select().from(units).all()).toEqual(before.units);
    // Only presence bookkeeping may differ: no binding moved.
    expect(h.db.select({ id: chats.id, unitId: chats.unitId }).from(chats).where(eq(chats.kind, 'group')).all()).toEqual(
      before.chats.map((c) => ({ id: c.id, unitId: c.unitId })),
    );
    expect(h.db.select().from(conversations).all()).toHaveLength(0);
    expect(defaultQuota(h.db)).toBe(1);
  });
});
