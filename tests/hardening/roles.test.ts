import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type Access, WHO_MAY } from '../../commands/shared/command.js';
import { COMMANDS } from '../../commands/index.js';
import type { Db } from '../../db/client.js';
import { defaultQuota } from '../../db/quotas.js';
import { chats, conversations, identities, models, progressUpdates, roles, units } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { snapshotOf, unitOf } from '../helpers/rows.js';

const GROUP = { group: DEMO_GROUP };
const LEVELS: Access[] = ['anyone', 'officer', 'leader', 'admin'];
/** A person of each level in the demo: nobody, an officer, a leader (whole province). */
const PERSON_AT: Record<Exclude<Access, 'admin'>, string> = {
  anyone: 'Nguyễn Văn An',
  officer: DEMO_PEOPLE.officer,
  leader: DEMO_PEOPLE.leader,
};

let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });

/** Everything a refused command must leave as it was (first contact of a new person aside). */
const snapshot = (db: Db) => snapshotOf(db, { models, updates: progressUpdates, roles, units, conversations });

describe('every command refuses lower roles clearly and changes nothing', () => {
  const guarded = COMMANDS.filter((c) => c.access !== 'anyone');

  it('covers every command above "anyone"', () => {
    expect(guarded.map((c) => c.name).sort()).toEqual(
      [
        'baocao',
        'bieuduong',
        'capnhat',
        'chitieu',
        'congnhan',
        'dangky',
        'denghi',
        'donvi',
        'duyet',
        'ganhom',
        'hoantac',
        'mohinh',
        'nhanrong',
        'nhatky',
        'phanquyen',
        'rutlai',
        'suadonvi',
        'suamohinh',
        'themdonvi',
        'themhan',
        'thuquyen',
        'trangthai',
        'tralai',
        'xoahan',
        'xoanguoi',
      ].sort(),
    );
  });

  for (const command of guarded) {
    const lower = LEVELS.slice(0, LEVELS.indexOf(command.access)) as Exclude<Access, 'admin'>[];
    for (const level of lower) {
      it(`/${command.name} (for ${command.access}) refuses ${level}`, async () => {
        h = await demo();
        const before = snapshot(h.db);
        // With arguments a real user might type, so a refusal cannot hide behind a usage message.
        const reply = await h.text(PERSON_AT[level], `/${command.name} DVK-2026-0001 CAMXUYEN 2`, GROUP);
        expect(reply).toMatch(new RegExp(`^Lệnh /${command.name} chỉ dành cho ${WHO_MAY[command.access]}\\. `));
        // Someone of no unit is told to join theirs first; anyone else whom to ask.
        expect(reply).toContain(level === 'anyone' ? 'gõ /thamgia <mã đơn vị>' : 'hãy nhờ quản trị cấp quyền');
        expect(snapshot(h.db)).toEqual(before);
      });
    }
  }
});

describe('an officer cannot touch another unit’s model', () => {
  // Bùi Thị Lan is the officer of Xã Đức Thọ; DVK-2026-0001 belongs to Xã Cẩm Xuyên.
  const LAN = 'Bùi Thị Lan';
  it.each(['/capnhat DVK-2026-0001', '/denghi DVK-2026-0001', '/mohinh DVK-2026-0001', '/mohinh CAMXUYEN', '/baocao CAMXUYEN', '/baocao CAMXUYEN excel'])(
    '%s',
    async (text) => {
      h = await demo();
      const model = h.db.select().from(models).where(eq(models.code, 'DVK-2026-0001')).get()!;
      const camxuyen = unitOf(h.db, 'CAMXUYEN');
      expect(model.unitId).toBe(camxuyen.id);
      const lan = h.db.select().from(identities).where(eq(identities.platformUserId, LAN)).get()!;
      expect(
        h.db
          .select()
          .from(roles)
          .where(eq(roles.personId, lan.personId))
          .all()
          .map((r) => r.role),
      ).toEqual(['officer']);

      const before = snapshot(h.db);
      const reply = await h.text(LAN, text, GROUP);
      expect(reply).toMatch(/không thuộc|không phụ trách|ngoài phạm vi|không có quyền|chỉ xem được mô hình của đơn vị mình/i);
      // Nothing of the other unit or its model is shown: only what was typed may come back.
      expect(reply).not.toContain(model.name);
      expect(reply).not.toContain(camxuyen.name);
      expect(snapshot(h.db)).toEqual(before);
    },
  );
});

describe('an officer of a unit above reads a sub-unit’s model but works on none of it', () => {
  // Issue 22: Trương Thị Ngọc is the officer of the Ủy ban MTTQ tỉnh; Tỉnh đoàn sits under it
  // with its own officer. Reading goes down the tree (tests/commands/subUnitReading.test.ts);
  // every work and decision command on the Tỉnh đoàn's model is still refused.
  const NGOC = 'Trương Thị Ngọc';
  const LATE = { now: '2026-11-22T09:00:00+07:00' };
  const youth = () =>
    h.db
      .select()
      .from(models)
      .where(eq(models.unitId, unitOf(h.db, 'TINHDOAN').id))
      .get()!;

  it('reads its card, its unit list and its report', async () => {
    h = await demo(LATE);
    const model = youth();
    expect(await h.text(NGOC, `/mohinh ${model.code}`, GROUP)).toMatch(new RegExp(`^${model.code} “`));
    expect(await h.text(NGOC, '/mohinh TINHDOAN', GROUP)).toMatch(/^Mô hình, điểm sáng năm 2026 của Tỉnh đoàn Hà Tĩnh: /);
    expect(await h.text(NGOC, '/baocao TINHDOAN', GROUP)).toMatch(/^📊 Báo cáo/);
  });

  it.each([
    ['in_progress', '/capnhat {code}'],
    ['in_progress', '/denghi {code}'],
    ['pending', '/suamohinh {code}'],
    ['pending', '/rutlai {code} Đơn vị xin rút để làm lại'],
    ['pending', '/duyet {code}'],
    ['pending', '/tralai {code} Cần bổ sung kết quả dự kiến'],
    ['proposed', '/congnhan {code}'],
    ['recognised', '/nhanrong {code}'],
    ['recognised', '/bieuduong {code}'],
  ] as const)('on a model in state %s: %s is refused and nothing changes', async (state, typed) => {
    h = await demo(LATE);
    h.db.update(models).set({ state }).where(eq(models.id, youth().id)).run();
    const model = youth();
    const before = snapshot(h.db);
    const reply = await h.text(NGOC, typed.replace('{code}', model.code), GROUP);
    expect(reply).toMatch(/không thuộc|ngoài phạm vi|chỉ dành cho|do cán bộ đầu mối của đơn vị đó/);
    expect(reply).not.toMatch(/^✅|đồng ý/);
    expect(snapshot(h.db)).toEqual(before);
  });
});

describe('access to the admin commands', () => {
  it('the dispatcher refuses every admin command to officers, leaders and newcomers, and nothing changes', async () => {
    h = await demo();
    const before = { roles: h.db.select().from(roles).all(), units: h.db.select().from(units).all(), chats: h.db.select().from(chats).all() };
    const attempts = [
      '/donvi',
      '/themdonvi',
      '/suadonvi CAMXUYEN',
      '/ganhom DUCTHO',
      `/phanquyen quản trị ${PERSON_AT.anyone}`,
      `/thuquyen quản trị ${DEMO_PEOPLE.admin}`,
      '/chitieu macdinh 5',
    ];
    for (const who of [DEMO_PEOPLE.officer, DEMO_PEOPLE.leader, PERSON_AT.anyone]) {
      for (const attempt of attempts) {
        const name = attempt.slice(1).split(' ')[0]!;
        // A newcomer is told to join a unit first; a person with a role whom to ask.
        const how =
          who === PERSON_AT.anyone
            ? 'Bạn chưa thuộc đơn vị nào: gõ /thamgia <mã đơn vị> (mã do quản trị của nhóm cung cấp), hoặc nhờ quản trị thêm bạn vào đơn vị của mình.'
            : 'Nếu bạn cần dùng, hãy nhờ quản trị cấp quyền.';
        expect(await h.text(who, attempt, GROUP), `${who} ${attempt}`).toBe(`Lệnh /${name} chỉ dành cho quản trị. ${how}`);
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
