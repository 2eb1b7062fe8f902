import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { parseRoleArgs } from '../../../commands/admin/phanquyen.js';
import type { TextPart } from '../../../core/chat.js';
import { identities, people, roles } from '../../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { demoPerTest, type Harness, mentionIn } from '../../helpers/harness.js';
import { auditsOf, findUnit, personIdOf } from '../../helpers/rows.js';

const GROUP = { group: DEMO_GROUP };
const ADMIN = DEMO_PEOPLE.admin; // Nguyễn Thị Hoa
const NEWCOMER = 'Nguyễn Văn An';

let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });

function rolesOf(id: number) {
  return h.db.select({ role: roles.role, unitId: roles.unitId }).from(roles).where(eq(roles.personId, id)).all();
}

/** Says something in the group whose `token` (e.g. "@An") the adapter reports as a mention of `userId`. */
function sayMentioning(person: string, text: string, token: string, userId: string): Promise<string> {
  return h.text(person, text, { ...GROUP, mentions: [mentionIn(text, token, { userId })] });
}

describe('/phanquyen and /thuquyen', () => {
  it('grants an officer role by name to someone newly seen, who can then register; and takes it back', async () => {
    h = await demo();
    await h.say(NEWCOMER, '/huongdan', GROUP);
    const an = personIdOf(h.db, NEWCOMER);
    const camxuyen = findUnit(h.db, 'CAMXUYEN')!;

    const [granted] = await h.say(ADMIN, '/phanquyen cán bộ nguyen van an camxuyen', GROUP);
    const parts = granted!.reply.text as TextPart[];
    expect(parts[0]).toEqual({ mention: { platformUserId: NEWCOMER, displayName: NEWCOMER, username: undefined } });
    expect(granted!.text).toBe(
      `@${NEWCOMER}: bạn đã được cấp quyền cán bộ đầu mối của Xã Cẩm Xuyên (CAMXUYEN). Đơn vị công tác: Xã Cẩm Xuyên. Gõ /huongdan để xem các lệnh bạn dùng được.`,
    );
    expect(rolesOf(an)).toEqual([{ role: 'officer', unitId: camxuyen.id }]);
    expect(h.db.select().from(roles).where(eq(roles.personId, an)).get()!.grantedBy).toBe(personIdOf(h.db, ADMIN));
    expect(h.db.select().from(people).where(eq(people.id, an)).get()!.unitId).toBe(camxuyen.id);
    expect(auditsOf(h.db, 'role.grant')).toEqual([
      expect.objectContaining({ entityId: String(an), after: { personId: an, role: 'officer', unitId: camxuyen.id, personUnitId: camxuyen.id } }),
    ]);
    expect(await h.text(NEWCOMER, '/dangky', GROUP)).toContain('Đăng ký loại nào?');
    await h.say(NEWCOMER, '/huy', GROUP);

    expect(await h.text(ADMIN, '/phanquyen canbo Nguyễn Văn An CAMXUYEN', GROUP)).toBe(
      `${NEWCOMER} (#${an}) đã có quyền cán bộ đầu mối của Xã Cẩm Xuyên (CAMXUYEN) rồi; không có gì thay đổi.`,
    );
    expect(auditsOf(h.db, 'role.grant')).toHaveLength(1);

    expect(await h.text(ADMIN, '/thuquyen đầu mối NGUYỄN VĂN AN'.normalize('NFD'), GROUP)).toBe(
      `✅ Đã thu hồi quyền cán bộ đầu mối của Xã Cẩm Xuyên (CAMXUYEN) của ${NEWCOMER} (#${an}). ` +
        'Người này không còn thuộc đơn vị và mã tham gia của đơn vị không đưa họ vào lại được; muốn cho họ vào lại, bạn dùng /phanquyen.\n' +
        `${NEWCOMER} (#${an}) vẫn biết mã tham gia của Xã Cẩm Xuyên (CAMXUYEN). Nếu mã có thể đã đến tay người khác, bạn cấp mã mới: gõ /suadonvi CAMXUYEN rồi chọn “Cấp lại mã tham gia” (mã mới chỉ gửi riêng cho bạn).`,
    );
    expect(rolesOf(an)).toEqual([]);
    expect(auditsOf(h.db, 'role.revoke')).toEqual([
      expect.objectContaining({
        entityId: String(an),
        before: { personId: an, role: 'officer', unitId: camxuyen.id, grantedBy: personIdOf(h.db, ADMIN), personUnitId: camxuyen.id },
        after: { joinBlockedUnitId: camxuyen.id, personUnitId: null },
      }),
    ]);
    expect(await h.text(NEWCOMER, '/dangky', GROUP)).toContain('Lệnh /dangky chỉ dành cho cán bộ đầu mối của đơn vị, lãnh đạo và quản trị.');
    expect(await h.text(ADMIN, '/thuquyen canbo Nguyễn Văn An', GROUP)).toBe(
      `${NEWCOMER} (#${an}) không có quyền cán bộ đầu mối nào nên không có gì để thu hồi.`,
    );
  });

  it('refuses to revoke the last admin; once another admin exists it can be revoked', async () => {
    h = await demo();
    const hoa = personIdOf(h.db, ADMIN);
    expect(await h.text(ADMIN, `/thuquyen quản trị ${ADMIN}`, GROUP)).toBe(
      `Không thu hồi được: ${ADMIN} (#${hoa}) là quản trị cuối cùng. Bạn cấp quyền quản trị cho người khác trước (/phanquyen quản trị <người>).`,
    );
    expect(rolesOf(hoa)).toEqual([{ role: 'admin', unitId: null }]);
    expect(auditsOf(h.db, 'role.revoke')).toHaveLength(0);

    const binh = personIdOf(h.db, DEMO_PEOPLE.leader);
    expect(await h.text(ADMIN, `/phanquyen quantri #${binh}`, GROUP)).toContain('bạn đã được cấp quyền quản trị.');
    expect(await h.text(ADMIN, `/thuquyen quantri ${ADMIN}`, GROUP)).toBe(`✅ Đã thu hồi quyền quản trị của ${ADMIN} (#${hoa}).`);
    // Left with no role: told to join a unit first.
    expect(await h.text(ADMIN, '/donvi', GROUP)).toBe(
      'Lệnh /donvi chỉ dành cho quản trị. Bạn chưa thuộc đơn vị nào: gõ /thamgia <mã đơn vị> (mã do quản trị của nhóm cung cấp), hoặc nhờ quản trị thêm bạn vào đơn vị của mình.',
    );
    expect(await h.text(DEMO_PEOPLE.leader, `/thuquyen quản trị #${binh}`, GROUP)).toContain('là quản trị cuối cùng');
  });

  it('refuses an ambiguous name, listing the people by number; "#id" then picks one', async () => {
    h = await demo();
    const ids = ['tg-1', 'tg-2'].map((platformUserId) => {
      const id = h.db.insert(people).values({ displayName: 'Trần Văn Nam', createdAt: 0, updatedAt: 0 }).returning().get().id;
      h.db.insert(identities).values({ personId: id, platform: 'console', platformUserId, displayName: 'Trần Văn Nam', lastSeenAt: 0 }).run();
      return id;
    });
    h.db
      .update(people)
      .set({ unitId: findUnit(h.db, 'SNV')!.id })
      .where(eq(people.id, ids[0]!))
      .run();
    expect(await h.text(ADMIN, '/phanquyen can bo tran van nam SYT', GROUP)).toBe(
      `Có 2 người cùng tên “tran van nam”:\n• #${ids[0]} Trần Văn Nam — Sở Nội vụ\n• #${ids[1]} Trần Văn Nam\n` +
        `Bạn gõ lại với số của người cần chọn, ví dụ /phanquyen cán bộ #${ids[0]} SYT.`,
    );
    expect(auditsOf(h.db, 'role.grant')).toHaveLength(0);
    expect(rolesOf(ids[0]!)).toEqual([]);
    expect(rolesOf(ids[1]!)).toEqual([]);

    const [reply] = await h.say(ADMIN, `/phanquyen can bo #${ids[1]} SYT`, GROUP);
    expect((reply!.reply.text as TextPart[])[0]).toEqual({ mention: { platformUserId: 'tg-2', displayName: 'Trần Văn Nam', username: undefined } });
    expect(rolesOf(ids[1]!)).toEqual([{ role: 'officer', unitId: findUnit(h.db, 'SYT')!.id }]);
  });

  it('takes the person from a mention, whatever the text around it says', async () => {
    h = await demo();
    await h.say(NEWCOMER, '/huongdan', GROUP);
    const reply = await sayMentioning(ADMIN, '/phanquyen lãnh đạo @An DUCTHO', '@An', NEWCOMER);
    expect(reply).toBe(`@${NEWCOMER}: bạn đã được cấp quyền lãnh đạo Xã Đức Thọ (DUCTHO). Gõ /huongdan để xem các lệnh bạn dùng được.`);
    expect(rolesOf(personIdOf(h.db, NEWCOMER))).toEqual([{ role: 'leader', unitId: findUnit(h.db, 'DUCTHO')!.id }]);
    // A leader does not become a member of the unit they lead.
    expect(
      h.db
        .select()
        .from(people)
        .where(eq(people.id, personIdOf(h.db, NEWCOMER)))
        .get()!.unitId,
    ).toBeNull();
    expect(await sayMentioning(ADMIN, '/phanquyen lãnh đạo @Ai DUCTHO', '@Ai', 'never-seen')).toBe(
      'Chưa thấy người này nhắn trong nhóm; nhờ họ gõ /huongdan một lần để bot biết họ.',
    );
  });

  it('explains what is missing or wrong, and changes nothing', async () => {
    h = await demo();
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
    expect(rolesOf(personIdOf(h.db, NEWCOMER))).toEqual([]);
    expect(auditsOf(h.db, 'role.grant')).toHaveLength(0);

    // "toàn tỉnh" is the explicit way to make a leader of the whole deployment.
    expect(await h.text(ADMIN, '/phanquyen lanhdao Nguyễn Văn An toan tinh', GROUP)).toContain('bạn đã được cấp quyền lãnh đạo toàn tỉnh.');
    expect(rolesOf(personIdOf(h.db, NEWCOMER))).toEqual([{ role: 'leader', unitId: null }]);
  });

  it('in a private chat answers plainly instead of mentioning', async () => {
    h = await demo();
    await h.say(NEWCOMER, '/huongdan', GROUP);
    expect(await h.text(ADMIN, '/phanquyen can bo Nguyễn Văn An DUCTHO', { private: true })).toBe(
      `✅ Đã cấp quyền cán bộ đầu mối của Xã Đức Thọ (DUCTHO) cho ${NEWCOMER} (#${personIdOf(h.db, NEWCOMER)}). Đơn vị công tác: Xã Đức Thọ.`,
    );
  });
});

describe('parseRoleArgs', () => {
  it('reads the role first, the unit code last and the person between', async () => {
    h = await demo();
    expect(parseRoleArgs(h.db, 'cán bộ đầu mối Nguyễn Văn An camxuyen')).toMatchObject({
      role: 'officer',
      personText: 'Nguyễn Văn An',
      unit: expect.objectContaining({ shortCode: 'CAMXUYEN' }),
      whole: false,
    });
    expect(parseRoleArgs(h.db, 'LÃNH ĐẠO #12 toàn tỉnh')).toMatchObject({ role: 'leader', personText: '#12', unit: undefined, whole: true });
    expect(parseRoleArgs(h.db, 'quantri Lê Văn Sơn')).toMatchObject({ role: 'admin', personText: 'Lê Văn Sơn', unit: undefined, lastWord: 'Sơn' });
    expect(parseRoleArgs(h.db, 'thư ký Lê Văn Sơn')).toBeUndefined();
  });
});
