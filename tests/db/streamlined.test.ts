import { and, count, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AppDatabase, type Db, openDatabase } from '../../db/client.js';
import { chatMembers, chats, conversations, identities, people, units } from '../../db/schema.js';
import { inJsonList } from '../../db/prepared.js';
import { isStreamlined, streamlined } from '../../db/streamlined.js';

/**
 * db/streamlined.ts replaces drizzle's per-call work on prepared queries. Each query shape the
 * app prepares is built twice — left to drizzle, and streamlined — and both must give the same
 * rows, the same counts of changes and the same errors.
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
    .values({ platform: 'telegram', platformChatId: '-100123', kind: 'group', title: 'Ban Dân vận', createdAt: AT, updatedAt: AT })
    .returning()
    .get();
  db.insert(chats).values({ platform: 'telegram', platformChatId: '-100999', kind: 'group', title: null, createdAt: AT, updatedAt: AT }).run();
  db.insert(chatMembers).values({ chatId: group.id, personId: lan.id, lastSeenAt: AT }).run();
});
afterEach(() => app?.close());

/** The same builder, prepared twice: as drizzle leaves it, and streamlined. */
function both<Q>(build: () => Q): { drizzle: Q; fast: Q } {
  const fast = streamlined(build());
  expect(isStreamlined(fast)).toBe(true);
  const plain = build();
  expect(isStreamlined(plain)).toBe(false);
  return { drizzle: plain, fast };
}

describe('streamlined prepared queries', () => {
  it('a whole row with JSON columns, by placeholders: get and all', () => {
    const insert = both(() =>
      db
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
        .prepare(),
    );
    // drizzle encodes a JSON column's placeholder value with the column's encoder; so must the fast one.
    const answers = { name: 'Chợ phiên "0 đồng"', percent: 40, units: [1, 2], nested: { ok: true } };
    const a = insert.drizzle.get({ platform: 'telegram', chatId: '-100123', userId: '1', answers, context: { handoff: 'x' } });
    const b = insert.fast.get({ platform: 'telegram', chatId: '-100123', userId: '2', answers, context: { handoff: 'x' } });
    expect({ ...b, id: a.id, userId: '1' }).toEqual(a);
    expect(b.answers).toEqual(answers);

    const find = both(() =>
      db
        .select()
        .from(conversations)
        .where(eq(conversations.userId, sql.placeholder('userId')))
        .prepare(),
    );
    for (const userId of ['1', '2', 'nobody']) expect(find.fast.get({ userId })).toEqual(find.drizzle.get({ userId }));
    expect(find.fast.all({ userId: '2' })).toEqual(find.drizzle.all({ userId: '2' }));
    expect(find.fast.get({ userId: 'nobody' })).toBeUndefined();
  });

  it('nested objects from a join, booleans, nulls and a constant parameter', () => {
    const q = both(() =>
      db
        .select({ identity: identities, person: people, unit: { name: units.name, active: units.active } })
        .from(identities)
        .innerJoin(people, eq(people.id, identities.personId))
        .innerJoin(units, and(eq(units.id, people.unitId), eq(units.active, true)))
        .where(eq(identities.platformUserId, sql.placeholder('userId')))
        .prepare(),
    );
    const row = q.fast.get({ userId: '5550001' });
    expect(row).toEqual(q.drizzle.get({ userId: '5550001' }));
    expect(row?.identity.username).toBeNull();
    expect(row?.unit.active).toBe(true);

    const all = both(() => db.select().from(units).orderBy(units.id).prepare());
    expect(all.fast.all()).toEqual(all.drizzle.all());
    expect(all.fast.all().map((u) => u.active)).toEqual([true, false]);
  });

  it('a left join (drizzle maps those rows itself), counts, JSON lists and changes', () => {
    const presence = both(() =>
      db
        .select({ id: chats.id, title: chats.title, lastSeenAt: chatMembers.lastSeenAt })
        .from(chats)
        .leftJoin(chatMembers, and(eq(chatMembers.chatId, chats.id), eq(chatMembers.personId, sql.placeholder('personId'))))
        .where(eq(chats.platformChatId, sql.placeholder('chatId')))
        .prepare(),
    );
    for (const chatId of ['-100123', '-100999']) expect(presence.fast.get({ personId: 1, chatId })).toEqual(presence.drizzle.get({ personId: 1, chatId }));
    expect(presence.fast.get({ personId: 1, chatId: '-100999' })).toMatchObject({ title: null, lastSeenAt: null });

    const counted = both(() => db.select({ n: count() }).from(units).where(inJsonList(units.id, 'ids')).prepare());
    expect(counted.fast.get({ ids: '[1,2,3]' })).toEqual(counted.drizzle.get({ ids: '[1,2,3]' }));
    expect(counted.fast.get({ ids: '[1,2,3]' })).toEqual({ n: 2 });

    const raw = both(() => db.select({ name: units.name }).from(units).orderBy(units.id).prepare());
    expect(raw.fast.values()).toEqual(raw.drizzle.values());

    const rename = both(() =>
      db
        .update(units)
        .set({ name: sql`${sql.placeholder('name')}` })
        .where(eq(units.id, sql.placeholder('id')))
        .prepare(),
    );
    expect(rename.fast.run({ name: 'Tỉnh Quảng Trị (mới)', id: 1 }).changes).toBe(1);
    expect(rename.drizzle.run({ name: 'Tỉnh Quảng Trị', id: 99 }).changes).toBe(rename.fast.run({ name: 'x', id: 99 }).changes);
  });

  it('a missing value fails as drizzle fails, before anything runs', () => {
    const q = both(() =>
      db
        .update(units)
        .set({ name: sql`${sql.placeholder('name')}` })
        .where(eq(units.id, sql.placeholder('id')))
        .prepare(),
    );
    expect(() => q.drizzle.run({ id: 1 })).toThrow('No value for placeholder "name" was provided');
    expect(() => q.fast.run({ id: 1 })).toThrow('No value for placeholder "name" was provided');
    expect(db.select({ name: units.name }).from(units).where(eq(units.id, 1)).get()?.name).toBe('Tỉnh Quảng Trị');
  });

  it('leaves alone what is not a drizzle prepared query', () => {
    const notAQuery = { run: () => 1 };
    expect(streamlined(notAQuery)).toBe(notAQuery);
    expect(isStreamlined(notAQuery)).toBe(false);
  });
});
