import { and, count, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AppDatabase, type Db, openDatabase } from '../../db/client.js';
import { inJsonList, prepared } from '../../db/prepared.js';
import { chatMembers, chats, conversations, identities, people, units } from '../../db/schema.js';

/**
 * db/prepared.ts keeps drizzle's own prepared queries, built once per connection. The shapes of
 * query the app prepares (JSON columns and lists through placeholders, joins into nested objects,
 * left joins, counts, updates) give what they should through it.
 */

let app: AppDatabase;
let db: Db;
const AT = Date.parse('2026-11-23T08:30:00+07:00');

beforeEach(async () => {
  app = await openDatabase(':memory:');
  db = app.db;
  const province = db
    .insert(units)
    .values({ name: 'Tỉnh Quảng Trị', shortCode: 'QT', kind: 'province', joinCode: 'QT-1', createdAt: AT, updatedAt: AT })
    .returning()
    .get();
  db.insert(units)
    .values({
      name: 'Xã Cam Hiếu (đã nhập)',
      shortCode: 'CAMHIEU',
      kind: 'commune',
      parentId: province.id,
      joinCode: 'CH-1',
      active: false,
      createdAt: AT,
      updatedAt: AT,
    })
    .run();
  const lan = db.insert(people).values({ displayName: 'Nguyễn Thị Lan', unitId: province.id, createdAt: AT, updatedAt: AT }).returning().get();
  db.insert(identities)
    .values({ personId: lan.id, platform: 'telegram', platformUserId: '5550001', username: null, displayName: 'Lan <b>&', lastSeenAt: AT })
    .run();
  const group = db
    .insert(chats)
    .values({ platform: 'telegram', platformChatId: '-100123', kind: 'group', title: 'Ban Tuyên giáo và Dân vận', createdAt: AT, updatedAt: AT })
    .returning()
    .get();
  db.insert(chats).values({ platform: 'telegram', platformChatId: '-100999', kind: 'group', title: null, createdAt: AT, updatedAt: AT }).run();
  db.insert(chatMembers).values({ chatId: group.id, personId: lan.id, lastSeenAt: AT }).run();
});
afterEach(() => app?.close());

let builds = 0;
function unitNames(d: Db) {
  builds++;
  return d.select({ name: units.name }).from(units).orderBy(units.id).prepare();
}

function unitRename(d: Db) {
  return d
    .update(units)
    .set({ name: sql`${sql.placeholder('name')}` })
    .where(eq(units.id, sql.placeholder('id')))
    .prepare();
}

describe('prepared', () => {
  it('builds a query once per connection, shared with its transactions', async () => {
    builds = 0;
    const first = prepared(db, unitNames);
    expect(prepared(db, unitNames)).toBe(first);
    db.transaction((tx) => {
      expect(prepared(tx as unknown as Db, unitNames)).toBe(first);
    });
    expect(builds).toBe(1);
    const other = await openDatabase(':memory:');
    try {
      expect(prepared(other.db, unitNames)).not.toBe(first);
      expect(prepared(other.db, unitNames).all()).toEqual([]);
      expect(builds).toBe(2);
    } finally {
      other.close();
    }
    expect(first.all()).toEqual([{ name: 'Tỉnh Quảng Trị' }, { name: 'Xã Cam Hiếu (đã nhập)' }]);
  });

  it("keeps drizzle's own prepared query, its methods untouched", () => {
    const query = prepared(db, unitNames);
    for (const method of ['run', 'get', 'all', 'values']) expect(Object.hasOwn(query, method), method).toBe(false);
  });

  it('refuses a builder made anew on each call before the cache fills up', () => {
    expect(() => {
      for (let i = 0; i < 1000; i++) prepared(db, (d: Db) => d.select().from(units).prepare());
    }).toThrow('prepared(): build functions must be defined once, at module level');
  });
});

describe('the shapes of query the app prepares', () => {
  it('a whole row with JSON columns, by placeholders: get and all', () => {
    const insert = db
      .insert(conversations)
      .values({
        platform: sql.placeholder('platform'),
        chatId: sql.placeholder('chatId'),
        userId: sql.placeholder('userId'),
        flow: 'dangky',
        step: 'name',
        answers: sql.placeholder('answers'),
        context: sql.placeholder('context'),
        startedAt: AT,
        updatedAt: AT,
        expiresAt: AT + 1000,
      })
      .returning()
      .prepare();
    // A JSON column's placeholder value goes through the column's encoder, and comes back decoded.
    const answers = { name: 'Chợ phiên "0 đồng"', percent: 40, units: [1, 2], nested: { ok: true } };
    const row = insert.get({ platform: 'telegram', chatId: '-100123', userId: '1', answers, context: { handoff: 'x' } });
    expect(row).toMatchObject({ flow: 'dangky', step: 'name', answers, context: { handoff: 'x' }, expiresAt: AT + 1000 });
    expect(app.sqlite.prepare('select answers from conversations').pluck().get()).toBe(JSON.stringify(answers));

    const find = db
      .select()
      .from(conversations)
      .where(eq(conversations.userId, sql.placeholder('userId')))
      .prepare();
    expect(find.get({ userId: '1' })).toEqual(row);
    expect(find.all({ userId: '1' })).toEqual([row]);
    expect(find.get({ userId: 'nobody' })).toBeUndefined();
  });

  it('nested objects from a join, booleans, nulls and a constant parameter', () => {
    const q = db
      .select({ identity: identities, person: people, unit: { name: units.name, active: units.active } })
      .from(identities)
      .innerJoin(people, eq(people.id, identities.personId))
      .innerJoin(units, and(eq(units.id, people.unitId), eq(units.active, true)))
      .where(eq(identities.platformUserId, sql.placeholder('userId')))
      .prepare();
    const row = q.get({ userId: '5550001' });
    expect(row?.identity).toMatchObject({ platformUserId: '5550001', username: null, displayName: 'Lan <b>&' });
    expect(row?.person.displayName).toBe('Nguyễn Thị Lan');
    expect(row?.unit).toEqual({ name: 'Tỉnh Quảng Trị', active: true });
    expect(q.get({ userId: '404' })).toBeUndefined();

    const all = db.select().from(units).orderBy(units.id).prepare();
    expect(all.all().map((u) => u.active)).toEqual([true, false]);
  });

  it('a left join, counts over JSON lists of any length, raw values and changes', () => {
    const presence = db
      .select({ id: chats.id, title: chats.title, lastSeenAt: chatMembers.lastSeenAt })
      .from(chats)
      .leftJoin(chatMembers, and(eq(chatMembers.chatId, chats.id), eq(chatMembers.personId, sql.placeholder('personId'))))
      .where(eq(chats.platformChatId, sql.placeholder('chatId')))
      .prepare();
    expect(presence.get({ personId: 1, chatId: '-100123' })).toMatchObject({ title: 'Ban Tuyên giáo và Dân vận', lastSeenAt: AT });
    expect(presence.get({ personId: 1, chatId: '-100999' })).toMatchObject({ title: null, lastSeenAt: null });

    const counted = db.select({ n: count() }).from(units).where(inJsonList(units.id, 'ids')).prepare();
    expect(counted.get({ ids: '[1,2,3]' })).toEqual({ n: 2 });
    expect(counted.get({ ids: '[2]' })).toEqual({ n: 1 });
    expect(counted.get({ ids: '[]' })).toEqual({ n: 0 });

    expect(db.select({ name: units.name }).from(units).orderBy(units.id).prepare().values()).toEqual([['Tỉnh Quảng Trị'], ['Xã Cam Hiếu (đã nhập)']]);

    const rename = prepared(db, unitRename);
    expect(rename.run({ name: 'Tỉnh Quảng Trị (mới)', id: 1 }).changes).toBe(1);
    expect(rename.run({ name: 'x', id: 99 }).changes).toBe(0);
    expect(db.select({ name: units.name }).from(units).where(eq(units.id, 1)).get()?.name).toBe('Tỉnh Quảng Trị (mới)');
  });

  it('a missing value fails before anything runs', () => {
    const rename = prepared(db, unitRename);
    expect(() => rename.run({ id: 1 })).toThrow('No value for placeholder "name" was provided');
    expect(db.select({ name: units.name }).from(units).where(eq(units.id, 1)).get()?.name).toBe('Tỉnh Quảng Trị');
  });
});
