import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { recordAudit } from '../../db/audit.js';
import { findCaller } from '../../db/people.js';
import {
  createLinkCode,
  formatLinkCode,
  LinkRefusal,
  type LinkResult,
  normalizeLinkCode,
  PERSON_REFERENCES,
  type Redemption,
  redeemLinkCode,
} from '../../db/personLink.js';
import {
  auditLog,
  chatMembers,
  chats,
  deadlines,
  identities,
  linkCodes,
  models,
  modelStateHistory,
  people,
  progressUpdates,
  roles,
  units,
} from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, emptyPerTest, type Harness, type SayOptions } from '../helpers/harness.js';

const CHAU = DEMO_PEOPLE.officer; // Lê Minh Châu, officer of Xã Cẩm Xuyên
const PRIVATE = { private: true };
let h: Harness;
const demo = demoPerTest();
const empty = emptyPerTest();

const personIdOf = (name: string) => findCaller(h.db, 'console', name)!.personId;

/** Asks for a code in the private chat and returns it as shown. */
async function codeFor(name: string): Promise<string> {
  const reply = await h.text(name, '/lienket', PRIVATE);
  const match = /^Mã liên kết của bạn: ([A-Z2-9]{4}-[A-Z2-9]{4}), dùng trong 15 phút: trên nền tảng còn lại, nhắn riêng cho bot \/lienket \1$/.exec(reply);
  expect(match, reply).not.toBeNull();
  return match![1]!;
}

/** Someone the bot knows only from Telegram (the harness speaks only as the simulator). */
function telegramPerson(name: string, userId: string): number {
  const person = h.db.insert(people).values({ displayName: name, createdAt: 0, updatedAt: 0 }).returning().get();
  h.db.insert(identities).values({ personId: person.id, platform: 'telegram', platformUserId: userId, displayName: name, lastSeenAt: 0 }).run();
  return person.id;
}

const actorFor = (personId: number) => ({ personId, label: `test (telegram:${personId})` });

/** The merge a redemption made; fails the test when it waits for the code's person instead. */
function linked(redemption: Redemption): LinkResult {
  expect(redemption.kind).toBe('linked');
  if (redemption.kind !== 'linked') throw new Error('not linked');
  return redemption.result;
}

describe('/lienket: the code', () => {
  it('is given only in a private chat, once active per person, valid for 15 minutes, audited without the code', async () => {
    h = await demo();
    expect(await h.text(CHAU, '/lienket', { group: DEMO_GROUP })).toBe('Bạn nhắn riêng cho bot để lấy mã liên kết: mã chỉ được gửi trong tin nhắn riêng.');
    expect(h.db.select().from(linkCodes).all()).toEqual([]);

    const first = await codeFor(CHAU);
    const chau = personIdOf(CHAU);
    expect(h.db.select().from(linkCodes).all()).toEqual([
      {
        code: first.replace('-', ''),
        personId: chau,
        expiresAt: h.clock.now().getTime() + 15 * 60_000,
        usedAt: null,
        burntAt: null,
        redeemerPersonId: null,
        redeemedAt: null,
        createdAt: h.clock.now().getTime(),
      },
    ]);
    const audit = h.db.select().from(auditLog).where(eq(auditLog.action, 'person.link_code')).all();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0])).not.toContain(first.replace('-', ''));

    const second = await codeFor(CHAU);
    expect(second).not.toBe(first);
    expect(h.db.select({ code: linkCodes.code }).from(linkCodes).all()).toEqual([{ code: second.replace('-', '') }]);
  });

  it('refuses, changing nothing: two accounts on one platform, the own code, an expired, used or unknown code', async () => {
    h = await demo();
    const code = await codeFor(CHAU);
    const countPeople = () => h.db.select().from(people).all().length;
    await h.say('Nguyễn Văn An', '/huongdan', PRIVATE);
    const before = countPeople();

    expect(await h.text('Nguyễn Văn An', `/lienket ${code}`, PRIVATE)).toBe(
      'Không liên kết được: hai tài khoản này cùng ở một nền tảng, mà mỗi người chỉ có một tài khoản trên mỗi nền tảng. Bạn nhập mã từ tài khoản trên nền tảng còn lại.',
    );
    expect(await h.text(CHAU, `/lienket ${code.toLowerCase()}`, PRIVATE)).toBe(
      'Đây là mã của chính tài khoản này (hoặc hai tài khoản đã được liên kết rồi). Bạn nhập mã ở tài khoản trên nền tảng còn lại.',
    );
    expect(await h.text('Nguyễn Văn An', '/lienket ABCD-EFGH', PRIVATE)).toBe(
      'Không có mã liên kết này nên chưa có gì thay đổi. Bạn kiểm tra lại mã (8 ký tự, dạng ABCD-EFGH). Bạn lấy mã mới bằng /lienket trong tin nhắn riêng với bot.',
    );
    expect(await h.text('Nguyễn Văn An', `/lienket ${'X'.repeat(5000)}`, PRIVATE)).toContain('Không có mã liên kết này');
    expect(countPeople()).toBe(before);
    expect(h.db.select().from(linkCodes).get()!.usedAt).toBeNull();
    expect(h.db.select().from(auditLog).where(eq(auditLog.action, 'person.link')).all()).toEqual([]);

    h.clock.advance(15 * 60_000);
    const bich = telegramPerson('Trần Thị Bích', '700');
    expect(() => redeemLinkCode(h.db, code, bich, actorFor(bich), h.clock.now())).toThrow(new LinkRefusal('expired'));
    expect(await h.text('Nguyễn Văn An', `/lienket ${code}`, PRIVATE)).toBe(
      'Mã này đã hết hạn (mỗi mã chỉ dùng trong 15 phút) nên chưa có gì thay đổi. Bạn lấy mã mới bằng /lienket trong tin nhắn riêng với bot.',
    );

    const fresh = await codeFor(CHAU);
    redeemLinkCode(h.db, fresh, bich, actorFor(bich), h.clock.now());
    expect(await h.text('Nguyễn Văn An', `/lienket ${fresh}`, PRIVATE)).toBe(
      'Mã này đã được dùng rồi nên chưa có gì thay đổi. Bạn lấy mã mới bằng /lienket trong tin nhắn riêng với bot.',
    );
  });

  it('reads codes typed with spaces, without the dash, in lower case; never 0/O/1/I', () => {
    expect(normalizeLinkCode('abcd efgh')).toBe('ABCDEFGH');
    expect(normalizeLinkCode(' ABCD-EFGH ')).toBe('ABCDEFGH');
    expect(normalizeLinkCode('ABCD-EFG0')).toBeUndefined();
    expect(normalizeLinkCode('ABCD-EFG')).toBeUndefined();
  });
});

describe('merging two people into the code’s person', () => {
  it('moves identities, roles, chats and authorship, drops duplicates, deletes the caller’s person, in one audited step', async () => {
    h = await demo();
    const code = await codeFor(CHAU);
    const chau = personIdOf(CHAU);
    const camxuyen = h.db.select().from(units).where(eq(units.shortCode, 'CAMXUYEN')).get()!;
    const ductho = h.db.select().from(units).where(eq(units.shortCode, 'DUCTHO')).get()!;

    // Châu on Telegram, already known there as a separate person with a life of their own.
    const tg = telegramPerson('Châu Lê', '123456789');
    h.db.update(people).set({ unitId: ductho.id }).where(eq(people.id, tg)).run();
    h.db
      .insert(roles)
      .values([
        { personId: tg, role: 'officer', unitId: camxuyen.id, createdAt: 0 }, // the same as Châu's: dropped
        { personId: tg, role: 'leader', unitId: ductho.id, createdAt: 0 }, // new: moved
      ])
      .run();
    const anRole = h.db.select().from(roles).where(eq(roles.role, 'admin')).get()!;
    h.db.update(roles).set({ grantedBy: tg }).where(eq(roles.id, anRole.id)).run();
    const province = h.db.select().from(chats).where(eq(chats.platformChatId, DEMO_GROUP)).get()!;
    const chauSeen = h.db
      .select()
      .from(chatMembers)
      .where(and(eq(chatMembers.chatId, province.id), eq(chatMembers.personId, chau)))
      .get()!;
    h.db
      .insert(chatMembers)
      .values({ chatId: province.id, personId: tg, lastSeenAt: chauSeen.lastSeenAt + 1000 })
      .run();
    const tgGroup = h.db
      .insert(chats)
      .values({ platform: 'telegram', platformChatId: '-100200', kind: 'group', title: 'Cẩm Xuyên (Telegram)', createdAt: 0, updatedAt: 0 })
      .returning()
      .get();
    h.db.insert(chatMembers).values({ chatId: tgGroup.id, personId: tg, lastSeenAt: 5 }).run();
    const model = h.db.select().from(models).get()!;
    h.db.update(models).set({ createdBy: tg }).where(eq(models.id, model.id)).run();
    const update = h.db.select().from(progressUpdates).get()!;
    h.db.update(progressUpdates).set({ authorPersonId: tg }).where(eq(progressUpdates.id, update.id)).run();
    const history = h.db.select().from(modelStateHistory).get()!;
    h.db.update(modelStateHistory).set({ actorPersonId: tg }).where(eq(modelStateHistory.id, history.id)).run();
    const deadline = h.db
      .insert(deadlines)
      .values({
        title: 'Báo cáo tháng',
        rule: 'monthly',
        params: { day: 15 },
        doneCriterion: 'none',
        policy: {},
        source: 'chat',
        createdBy: tg,
        createdAt: 0,
        updatedAt: 0,
      })
      .returning()
      .get();
    recordAudit(h.db, actorFor(tg), h.clock.now(), { action: 'test.before_link', entity: 'person', entityId: tg });
    h.db
      .insert(linkCodes)
      .values({ code: 'TGCODE22', personId: tg, expiresAt: h.clock.now().getTime() + 60_000, createdAt: 0 })
      .run();

    const result = linked(redeemLinkCode(h.db, code.toLowerCase().replace('-', ' '), tg, actorFor(tg), h.clock.now()));

    expect(result.mergedPersonId).toBe(tg);
    expect(result.person).toMatchObject({ id: chau, displayName: CHAU, unitId: camxuyen.id });
    expect(h.db.select().from(people).where(eq(people.id, tg)).get()).toBeUndefined();
    expect(h.db.select({ platform: identities.platform, id: identities.platformUserId }).from(identities).where(eq(identities.personId, chau)).all()).toEqual([
      { platform: 'console', id: CHAU },
      { platform: 'telegram', id: '123456789' },
    ]);
    expect(findCaller(h.db, 'telegram', '123456789')!.grants).toEqual(
      expect.arrayContaining([
        { role: 'officer', unitId: camxuyen.id },
        { role: 'leader', unitId: ductho.id },
      ]),
    );
    expect(h.db.select().from(roles).where(eq(roles.personId, chau)).all()).toHaveLength(2);
    expect(h.db.select().from(roles).where(eq(roles.id, anRole.id)).get()!.grantedBy).toBe(chau);
    // One presence row per chat, the latest sighting kept.
    expect(
      h.db
        .select()
        .from(chatMembers)
        .where(and(eq(chatMembers.chatId, province.id), eq(chatMembers.personId, chau)))
        .get()!.lastSeenAt,
    ).toBe(chauSeen.lastSeenAt + 1000);
    expect(h.db.select().from(chatMembers).where(eq(chatMembers.chatId, tgGroup.id)).all()).toEqual([{ chatId: tgGroup.id, personId: chau, lastSeenAt: 5 }]);
    expect(h.db.select().from(models).where(eq(models.id, model.id)).get()!.createdBy).toBe(chau);
    expect(h.db.select().from(progressUpdates).where(eq(progressUpdates.id, update.id)).get()!.authorPersonId).toBe(chau);
    expect(h.db.select().from(modelStateHistory).where(eq(modelStateHistory.id, history.id)).get()!.actorPersonId).toBe(chau);
    expect(h.db.select().from(deadlines).where(eq(deadlines.id, deadline.id)).get()!.createdBy).toBe(chau);
    expect(h.db.select().from(auditLog).where(eq(auditLog.action, 'test.before_link')).get()!.actorPersonId).toBe(chau);
    // The Telegram person's own pending code can no longer merge anyone into Châu.
    expect(h.db.select().from(linkCodes).where(eq(linkCodes.code, 'TGCODE22')).get()).toMatchObject({ personId: chau, usedAt: h.clock.now().getTime() });
    expect(
      h.db
        .select()
        .from(linkCodes)
        .where(eq(linkCodes.code, code.replace('-', '')))
        .get()!.usedAt,
    ).toBe(h.clock.now().getTime());

    const audit = h.db.select().from(auditLog).where(eq(auditLog.action, 'person.link')).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entityId: String(chau), actorPersonId: chau });
    expect(audit[0]!.before).toMatchObject({
      kept: { id: chau, identities: [{ platform: 'console', platformUserId: CHAU }] },
      merged: { id: tg, unitId: ductho.id, identities: [{ platform: 'telegram', platformUserId: '123456789' }] },
    });
    expect(audit[0]!.after).toMatchObject({ id: chau, identities: [{ platform: 'console' }, { platform: 'telegram' }] });

    // Châu now sees both accounts as one person.
    expect(await h.text(CHAU, '/toi', PRIVATE)).toContain('Tài khoản đã liên kết: bản mô phỏng (Lê Minh Châu), Telegram (Châu Lê).');
  });

  it('a person without a unit takes the other’s; the code’s person keeps name and unit', async () => {
    h = await demo();
    const an = telegramPerson('Nguyễn Văn An', '42');
    await h.say('An trên máy', '/huongdan', PRIVATE);
    const code = await codeFor('An trên máy');
    const keep = personIdOf('An trên máy');
    const ductho = h.db.select().from(units).where(eq(units.shortCode, 'DUCTHO')).get()!;
    h.db.update(people).set({ unitId: ductho.id, position: 'Chuyên viên' }).where(eq(people.id, an)).run();
    const { person } = linked(redeemLinkCode(h.db, code, an, actorFor(an), h.clock.now()));
    expect(person).toMatchObject({ id: keep, displayName: 'An trên máy', unitId: ductho.id, position: 'Chuyên viên' });
  });

  it('covers every column of the schema that refers to a person', async () => {
    h = await empty();
    const tables = h.db.all<{ name: string }>(
      sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%'`,
    );
    const references = tables.flatMap(({ name }) =>
      h.db
        .all<{ table: string; from: string }>(sql.raw(`pragma foreign_key_list(${name})`))
        .filter((fk) => fk.table === 'people')
        .map((fk) => `${name}.${fk.from}`),
    );
    expect(references.sort()).toEqual([...PERSON_REFERENCES].sort());
  });
});

describe('/lienket in chat after a merge', () => {
  it('confirms with the number of accounts and the person kept', async () => {
    h = await demo();
    // The Telegram side asks for the code, the simulator's Châu types it.
    const tg = telegramPerson('Châu Lê', '123456789');
    const { code } = createLinkCode(h.db, tg, actorFor(tg), h.clock.now());
    const chau = personIdOf(CHAU);
    const summary = await h.text(CHAU, `/lienket ${formatLinkCode(code)}`, PRIVATE);
    expect(summary).toContain(`• Sẽ trở thành: #${tg} Châu Lê — Telegram “Châu Lê”; đơn vị: chưa có; vai trò: chưa có`);
    expect(h.db.select().from(people).where(eq(people.id, chau)).get()).toBeDefined();
    expect(await h.text(CHAU, '1', PRIVATE)).toBe(`✅ Đã liên kết: từ nay bot xem 2 tài khoản của bạn là cùng một người, #${tg} Châu Lê. Gõ /toi để xem lại.`);
    // Châu's roles and chats moved onto the Telegram person; Châu's old person is gone.
    expect(h.db.select().from(people).where(eq(people.id, chau)).get()).toBeUndefined();
    expect(findCaller(h.db, 'console', CHAU)).toMatchObject({ personId: tg, grants: [{ role: 'officer' }] });
    expect(await h.text(CHAU, '/dangky', { group: DEMO_GROUP })).toContain('Đăng ký loại nào?');
  });
});

describe('link codes are credentials (issue 16)', () => {
  const HOA = DEMO_PEOPLE.admin;
  const TG = { private: true, platform: 'telegram' as const };
  const mergedAccounts = (person: string, platform: 'console' | 'telegram' = 'console') => findCaller(h.db, platform, person)?.personId;
  /** What the bot answered in the chat the person wrote in (notices to other chats left out). */
  const answer = async (person: string, text: string, options: SayOptions) => {
    const chat = h.chat(options, person);
    return (await h.say(person, text, options))
      .filter((s) => s.chat.platform === chat.platform && s.chat.id === chat.id)
      .map((s) => s.text)
      .join('\n---\n');
  };

  it('a code typed in a group is burnt at once, whoever typed it; its owner is told privately; it never links', async () => {
    h = await demo();
    const code = await codeFor(CHAU);
    const before = h.db.select().from(people).all().length;
    expect(await answer('Nguyễn Văn An', `/lienket ${code}`, { group: DEMO_GROUP })).toBe(
      'Mã liên kết chỉ được nhập trong tin nhắn riêng với bot. Mã vừa gõ đã lộ trong nhóm nên bot đã hủy mã này (nếu có); người cần liên kết lấy mã mới bằng /lienket trong tin nhắn riêng, rồi nhập mã cũng trong tin nhắn riêng.',
    );
    // The owner hears it in their own private chat, without the code being repeated.
    const toOwner = h.sent.filter((s) => s.chat.kind === 'private' && s.chat.id === `private:${CHAU}`).at(-1)!;
    expect(toOwner.text).toContain(`vừa bị gõ trong nhóm “${DEMO_GROUP}”, nên bot đã hủy mã`);
    expect(toOwner.text).not.toContain(code.replace('-', ''));
    expect(h.db.select().from(linkCodes).get()!.burntAt).toBe(h.clock.now().getTime());
    expect(h.db.select().from(auditLog).where(eq(auditLog.action, 'person.link_code_burnt')).all()).toHaveLength(1);
    // Typed again, privately, by the person who saw it: refused, and nothing merged.
    expect(await h.text('Trần Văn Ba', `/lienket ${code}`, TG)).toBe(
      'Mã này đã bị hủy vì từng bị gõ ở nơi người khác đọc được, nên chưa có gì thay đổi. Bạn lấy mã mới bằng /lienket trong tin nhắn riêng với bot.',
    );
    expect(h.db.select().from(people).all().length).toBe(before + 2); // An and Ba, each first seen, still two people
    expect(mergedAccounts('Trần Văn Ba', 'telegram')).not.toBe(personIdOf(CHAU));
  });

  it('the person redeeming sees whom they will become and confirms; cancelling changes nothing', async () => {
    h = await demo();
    const code = await codeFor(CHAU);
    const summary = await h.text('Châu trên Telegram', `/lienket ${code}`, TG);
    expect(summary).toContain('Mời bạn kiểm tra lại trước khi lưu:');
    expect(summary).toContain('• Tài khoản bạn đang dùng: #');
    expect(summary).toMatch(
      /• Sẽ trở thành: #\d+ Lê Minh Châu — bản mô phỏng “Lê Minh Châu”; đơn vị: Xã Cẩm Xuyên; vai trò: cán bộ đầu mối của Xã Cẩm Xuyên \(CAMXUYEN\)/,
    );
    expect(mergedAccounts('Châu trên Telegram', 'telegram')).not.toBe(personIdOf(CHAU));
    // Nothing was asked, so "quay lại sửa" has nothing to reopen: it says so and asks again.
    expect(await h.text('Châu trên Telegram', '2', TG)).toMatch(
      /^⚠️ Ở đây không có câu trả lời nào để sửa: bạn trả lời 1 để đồng ý, hoặc 3 để hủy\.\n\nMời bạn kiểm tra lại trước khi lưu:/,
    );
    expect(await h.text('Châu trên Telegram', '3', TG)).toContain('Đã hủy liên kết tài khoản. Chưa có gì được lưu.');
    expect(mergedAccounts('Châu trên Telegram', 'telegram')).not.toBe(personIdOf(CHAU));
    expect(h.db.select().from(auditLog).where(eq(auditLog.action, 'person.link')).all()).toEqual([]);

    await h.text('Châu trên Telegram', `/lienket ${code}`, TG);
    expect(await h.text('Châu trên Telegram', 'đồng ý', TG)).toContain('✅ Đã liên kết: từ nay bot xem 2 tài khoản của bạn là cùng một người');
    expect(mergedAccounts('Châu trên Telegram', 'telegram')).toBe(personIdOf(CHAU));
  });

  it('an admin’s code typed on another account waits for the admin to confirm on their own platform; refused, the code is burnt', async () => {
    h = await demo();
    const code = await codeFor(HOA);
    const hoa = personIdOf(HOA);
    // Someone who read the code over the admin's shoulder types it on their own Telegram.
    await h.say('Kẻ lạ', '/huongdan', TG);
    const summary = await h.text('Kẻ lạ', `/lienket ${code}`, TG);
    expect(summary).toContain('• Tài khoản này sẽ có thêm quyền quản trị, nên sau khi bạn đồng ý, chủ mã cần xác nhận trên bản mô phỏng.');
    expect(await answer('Kẻ lạ', '1', TG)).toBe(
      '✅ Đã ghi nhận. Vì tài khoản này sẽ có thêm quyền quản trị, chủ mã cần xác nhận: bạn mở tin nhắn riêng với bot trên bản mô phỏng và gõ /lienket xacnhan trong 15 phút.',
    );
    // Nothing merged yet: the stranger is not an admin.
    expect(findCaller(h.db, 'telegram', 'Kẻ lạ')!.grants).toEqual([]);
    expect(await h.text('Kẻ lạ', '/donvi', TG)).toContain('chỉ dành cho quản trị');
    const asked = h.sent.filter((s) => s.chat.id === `private:${HOA}`).at(-1)!;
    expect(asked.text).toContain('Telegram “Kẻ lạ”');
    expect(asked.text).toContain('Nếu đúng là bạn, gõ /lienket xacnhan (trong 15 phút). Nếu không phải bạn, gõ /lienket tuchoi: mã sẽ bị hủy.');
    // Only the code's person can answer it, and only privately.
    expect(await h.text('Kẻ lạ', '/lienket xacnhan', TG)).toContain('Không có yêu cầu liên kết nào đang chờ bạn xác nhận');
    expect(await h.text(HOA, '/lienket xacnhan', { group: DEMO_GROUP })).toBe('Bạn nhắn riêng cho bot để trả lời yêu cầu liên kết tài khoản.');

    expect(await answer(HOA, '/lienket tuchoi', PRIVATE)).toBe('Đã từ chối: Telegram “Kẻ lạ” không được liên kết với bạn, và mã liên kết đã bị hủy.');
    expect(h.sent.filter((s) => s.chat.id === 'private:Kẻ lạ' && s.chat.platform === 'telegram').at(-1)!.text).toContain('Chủ mã liên kết đã từ chối');
    expect(findCaller(h.db, 'telegram', 'Kẻ lạ')!.grants).toEqual([]);
    expect(await h.text(HOA, '/lienket xacnhan', PRIVATE)).toContain('Không có yêu cầu liên kết nào đang chờ bạn xác nhận');
    expect(findCaller(h.db, 'console', HOA)!.personId).toBe(hoa);
  });

  it('confirmed by the admin within 15 minutes, the two accounts become one admin', async () => {
    h = await demo();
    const code = await codeFor(HOA);
    await h.text('Hoa trên Telegram', `/lienket ${code}`, TG);
    await h.text('Hoa trên Telegram', '1', TG);
    h.clock.advance(5 * 60_000);
    expect(await answer(HOA, '/lienket xacnhan', PRIVATE)).toBe(
      `✅ Đã liên kết: từ nay bot xem 2 tài khoản của bạn là cùng một người, #${personIdOf(HOA)} ${HOA}. Gõ /toi để xem lại.`,
    );
    expect(findCaller(h.db, 'telegram', 'Hoa trên Telegram')).toMatchObject({ personId: personIdOf(HOA), grants: [{ role: 'admin', unitId: null }] });
    // The Telegram side hears it too.
    expect(h.sent.filter((s) => s.chat.platform === 'telegram' && s.chat.id === 'private:Hoa trên Telegram').at(-1)!.text).toContain('Đã liên kết');

    // A request left waiting longer than 15 minutes lapses.
    const other = await codeFor(CHAU);
    h.db
      .update(roles)
      .set({ role: 'leader' })
      .where(and(eq(roles.personId, personIdOf(CHAU)), eq(roles.role, 'officer')))
      .run();
    await h.text('Châu trên Telegram', `/lienket ${other}`, TG);
    await h.text('Châu trên Telegram', '1', TG);
    h.clock.advance(15 * 60_000);
    expect(await h.text(CHAU, '/lienket xacnhan', PRIVATE)).toContain('Không có yêu cầu liên kết nào đang chờ bạn xác nhận');
    expect(findCaller(h.db, 'telegram', 'Châu trên Telegram')!.grants).toEqual([]);
  });

  it('the role holder typing the code confirms alone: their own confirmation is the holder’s', async () => {
    h = await demo();
    const tg = telegramPerson('Hoa (Telegram)', '900');
    const { code } = createLinkCode(h.db, tg, actorFor(tg), h.clock.now());
    await h.text(HOA, `/lienket ${formatLinkCode(code)}`, PRIVATE);
    expect(await h.text(HOA, '1', PRIVATE)).toContain('✅ Đã liên kết: từ nay bot xem 2 tài khoản của bạn là cùng một người');
    expect(findCaller(h.db, 'telegram', '900')!.grants).toEqual([{ role: 'admin', unitId: null }]);
  });

  it('wrong codes are counted per person: the fifth in ten minutes locks further tries, audited', async () => {
    h = await demo();
    const code = await codeFor(CHAU);
    for (let i = 1; i <= 4; i++) {
      expect(await h.text('Người đoán', `/lienket ABCD-EFG${'23456789'[i]}`, TG)).toContain('Không có mã liên kết này');
    }
    expect(await h.text('Người đoán', '/lienket WXYZ-WXYZ', TG)).toContain('Bạn đã nhập sai 5 lần nên cần chờ 10 phút mới thử lại được.');
    // Even the right code is not looked at during the lockout.
    expect(await h.text('Người đoán', `/lienket ${code}`, TG)).toBe(
      'Bạn đã nhập sai mã liên kết nhiều lần nên tạm thời chưa thử lại được. Bạn thử lại sau khoảng 10 phút.',
    );
    const guesser = findCaller(h.db, 'telegram', 'Người đoán')!.personId;
    expect(
      h.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'person.link_failed'), eq(auditLog.actorPersonId, guesser)))
        .all(),
    ).toHaveLength(5);
    h.clock.advance(10 * 60_000 + 1000);
    expect(await h.text('Người đoán', `/lienket ${code}`, TG)).toContain('Mời bạn kiểm tra lại trước khi lưu:');
  });
});
