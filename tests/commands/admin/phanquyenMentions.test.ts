import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { TextPart } from '../../../core/chat.js';
import { USERNAME_TRUSTED_MS } from '../../../db/personRef.js';
import { auditLog, identities, people, roles, units } from '../../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { demoPerTest, type Harness, type SayOptions } from '../../helpers/harness.js';
import { personIdOf } from '../../helpers/rows.js';

/**
 * Issue 16, item 5: a plain @username mention (Telegram's, which carries no user id) gives a role
 * only to the account that holds the username now, as far as the bot can know; where two people
 * could be meant, /phanquyen lists them by #id and asks.
 */

const GROUP = { group: DEMO_GROUP };
const ADMIN = DEMO_PEOPLE.admin;
const DAY = 24 * 60 * 60_000;

let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });

/** What the adapter reports for a message with "@username" in it: a mention with no user id. */
function mentioning(text: string, username: string): SayOptions {
  const offset = text.indexOf(`@${username}`);
  return { ...GROUP, mentions: [{ username, offset, length: username.length + 1 }] };
}

function usernameOf(name: string): string | null {
  return h.db.select().from(identities).where(eq(identities.platformUserId, name)).get()!.username;
}

function rolesOf(name: string) {
  const unitCode = (id: number | null) => (id === null ? null : h.db.select().from(units).where(eq(units.id, id)).get()!.shortCode);
  return h.db
    .select()
    .from(roles)
    .where(eq(roles.personId, personIdOf(h.db, name)))
    .all()
    .map((r) => ({ role: r.role, unit: unitCode(r.unitId) }));
}

function grants() {
  return h.db.select().from(auditLog).where(eq(auditLog.action, 'role.grant')).all();
}

/** A person and their account as rows written before usernames were released (two may share one). */
function legacyAccount(name: string, username: string, lastSeenAt: number): number {
  const id = h.db.insert(people).values({ displayName: name, createdAt: 0, updatedAt: 0 }).returning().get().id;
  h.db.insert(identities).values({ personId: id, platform: 'console', platformUserId: name, username, displayName: name, lastSeenAt }).run();
  return id;
}

describe('/phanquyen with a @username mention', () => {
  it('gives the role to the account that holds the username now, never to the one that held it before', async () => {
    h = await demo();
    const OLD = 'Trần Văn Cũ';
    const NEW = 'Nguyễn Văn An';
    await h.say(OLD, '/huongdan', { ...GROUP, username: 'an_cx' });
    h.clock.advance(DAY);
    // Cũ gave the username up, An took it (Telegram ignores case) and wrote to the bot.
    await h.say(NEW, '/huongdan', { ...GROUP, username: 'An_CX' });
    expect(usernameOf(OLD)).toBeNull();
    expect(usernameOf(NEW)).toBe('An_CX');

    const text = '/phanquyen cán bộ @an_cx CAMXUYEN';
    const [granted] = await h.say(ADMIN, text, mentioning(text, 'an_cx'));
    expect((granted!.reply.text as TextPart[])[0]).toEqual({ mention: { platformUserId: NEW, displayName: NEW, username: 'An_CX' } });
    expect(granted!.text).toContain('bạn đã được cấp quyền cán bộ đầu mối của Xã Cẩm Xuyên (CAMXUYEN).');
    expect(rolesOf(NEW)).toEqual([{ role: 'officer', unit: 'CAMXUYEN' }]);
    expect(rolesOf(OLD)).toEqual([]);

    // A known account taking a username back releases it the same way.
    h.clock.advance(DAY);
    await h.say(OLD, '/huongdan', { ...GROUP, username: 'an_cx' });
    expect(usernameOf(NEW)).toBeNull();
    const again = '/phanquyen lãnh đạo @AN_CX DUCTHO';
    expect(await h.text(ADMIN, again, mentioning(again, 'AN_CX'))).toContain(`@${OLD}: bạn đã được cấp quyền lãnh đạo Xã Đức Thọ (DUCTHO).`);
    expect(rolesOf(OLD)).toEqual([{ role: 'leader', unit: 'DUCTHO' }]);
    expect(rolesOf(NEW)).toEqual([{ role: 'officer', unit: 'CAMXUYEN' }]);
  });

  it('lists the people who share a username by #id, most recently seen first, and grants nothing until one is chosen', async () => {
    h = await demo();
    const now = h.clock.now().getTime();
    const older = legacyAccount('Lê Văn Hải', 'lan_hp', now - 3 * DAY);
    const newer = legacyAccount('Nguyễn Thị Lan', 'lan_hp', now - DAY);
    h.db
      .update(people)
      .set({ unitId: h.db.select().from(units).where(eq(units.shortCode, 'SNV')).get()!.id })
      .where(eq(people.id, older))
      .run();

    const text = '/phanquyen lãnh đạo @lan_hp DUCTHO';
    expect(await h.text(ADMIN, text, mentioning(text, 'lan_hp'))).toBe(
      'Tên @lan_hp từng thuộc về 2 người:\n' +
        `• #${newer} Nguyễn Thị Lan (bot thấy lần cuối ngày 09/03/2026)\n` +
        `• #${older} Lê Văn Hải — Sở Nội vụ (bot thấy lần cuối ngày 07/03/2026)\n` +
        `Bạn gõ lại với số của người cần chọn, ví dụ /phanquyen lãnh đạo #${newer} DUCTHO.`,
    );
    // /thuquyen reads the person the same way.
    const revoke = '/thuquyen quản trị @lan_hp';
    expect(await h.text(ADMIN, revoke, mentioning(revoke, 'lan_hp'))).toContain('Tên @lan_hp từng thuộc về 2 người:');
    expect(grants()).toEqual([]);
    expect(rolesOf('Lê Văn Hải')).toEqual([]);
    expect(rolesOf('Nguyễn Thị Lan')).toEqual([]);

    expect(await h.text(ADMIN, `/phanquyen lãnh đạo #${newer} DUCTHO`, GROUP)).toContain('bạn đã được cấp quyền lãnh đạo Xã Đức Thọ (DUCTHO).');
    expect(rolesOf('Nguyễn Thị Lan')).toEqual([{ role: 'leader', unit: 'DUCTHO' }]);
    expect(rolesOf('Lê Văn Hải')).toEqual([]);
  });

  it('asks to confirm by #id when the only holder was last seen too long ago to be sure', async () => {
    h = await demo();
    const MAI = 'Lê Thị Mai';
    await h.say(MAI, '/huongdan', { ...GROUP, username: 'mai_dt' });
    const mai = personIdOf(h.db, MAI);
    h.clock.advance(USERNAME_TRUSTED_MS + 60_000);

    const text = '/phanquyen lãnh đạo @mai_dt toàn tỉnh';
    expect(await h.text(ADMIN, text, mentioning(text, 'mai_dt'))).toBe(
      `Bot chưa chắc @mai_dt là ai: tên này là của ${MAI} (#${mai}), nhưng bot thấy lần cuối ngày 10/03/2026; tên Telegram có thể đã đổi chủ từ đó. ` +
        `Nếu đúng người, bạn gõ lại bằng số của họ: /phanquyen lãnh đạo #${mai} toàn tỉnh`,
    );
    expect(grants()).toEqual([]);
    expect(rolesOf(MAI)).toEqual([]);

    // Once she writes to the bot again, her username is fresh and the mention is enough.
    await h.say(MAI, '/huongdan', { ...GROUP, username: 'mai_dt' });
    expect(await h.text(ADMIN, text, mentioning(text, 'mai_dt'))).toContain(`@${MAI}: bạn đã được cấp quyền lãnh đạo toàn tỉnh.`);
    expect(rolesOf(MAI)).toEqual([{ role: 'leader', unit: null }]);
    expect(
      h.db
        .select()
        .from(identities)
        .where(and(eq(identities.personId, mai), eq(identities.username, 'mai_dt')))
        .all(),
    ).toHaveLength(1);
  });

  it('still answers a username nobody was seen with as unknown', async () => {
    h = await demo();
    const text = '/phanquyen cán bộ @ai_do CAMXUYEN';
    expect(await h.text(ADMIN, text, mentioning(text, 'ai_do'))).toBe('Chưa thấy người này nhắn trong nhóm; nhờ họ gõ /huongdan một lần để bot biết họ.');
    expect(grants()).toEqual([]);
  });
});
