import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/logger.js';
import type { ChatRef, Reply } from '../../core/chat.js';
import { fixedClock } from '../../core/clock.js';
import { openDatabase } from '../../db/client.js';
import { editModel } from '../../db/modelEdit.js';
import { applyModelEvent, type ModelEvent, type ModelRow, registerModel } from '../../db/models.js';
import { chats, identities, leaderDigestRuns, roles, units } from '../../db/schema.js';
import { DaysOff } from '../../scheduler/daysOff.js';
import { leaderDigestJob } from '../../scheduler/leaderDigest.js';
import type { QuietHours } from '../../scheduler/reminderSlots.js';
import { emptyPerTest, type Harness } from '../helpers/harness.js';
import { upgradedFrom } from '../helpers/nextMigration.js';
import { newModel, unitIdOf } from '../helpers/rows.js';

/**
 * A small deployment: Tỉnh Hà Tĩnh with Xã Cẩm Bình, Xã Cẩm Xuyên and Xã Cẩm Duệ under it. The
 * province's leader Bình is seen in the province group, Cẩm Bình's leader Lan in her commune's
 * group, Cẩm Duệ's leader Tâm in his (nothing waits there), and Cẩm Xuyên's group has only its
 * officer Châu. Tuesday 10/03/2026 is a working day.
 */

const vn = (at: string) => new Date(`${at}:00+07:00`);
const EARLY: QuietHours = { start: '07:00', end: '17:00' };
const PROVINCE_GROUP = 'Dân vận khéo tỉnh';
const CB_GROUP = 'Dân vận khéo Cẩm Bình';
const CX_GROUP = 'Dân vận khéo Cẩm Xuyên';
const CD_GROUP = 'Dân vận khéo Cẩm Duệ';

let h: Harness;
const empty = emptyPerTest({ now: '2026-01-05T09:00:00+07:00' });

async function deployment() {
  h = await empty();
  const at = h.clock.now().getTime();
  const unit = (shortCode: string, name: string, kind: 'province' | 'commune', parentId: number | null) =>
    h.db
      .insert(units)
      .values({ name, shortCode, kind, parentId, joinCode: `J${shortCode}`, createdAt: at, updatedAt: at })
      .returning()
      .get().id;
  const province = unit('HATINH', 'Tỉnh Hà Tĩnh', 'province', null);
  unit('CAMBINH', 'Xã Cẩm Bình', 'commune', province);
  unit('CAMXUYEN', 'Xã Cẩm Xuyên', 'commune', province);
  unit('CAMDUE', 'Xã Cẩm Duệ', 'commune', province);
  await person('Trần Văn Bình', PROVINCE_GROUP, 'leader', 'HATINH');
  await person('Nguyễn Thị Lan', CB_GROUP, 'leader', 'CAMBINH');
  await person('Lê Minh Châu', CX_GROUP, 'officer', 'CAMXUYEN');
  await person('Hồ Văn Tâm', CD_GROUP, 'leader', 'CAMDUE');
}

/** Someone who says something in their group (so the bot has seen them there), then gets a role. */
async function person(name: string, group: string, role: 'leader' | 'officer', shortCode: string) {
  await h.say(name, '/huongdan', { group });
  const identity = h.db.select().from(identities).where(eq(identities.platformUserId, name)).get()!;
  h.db
    .insert(roles)
    .values({ personId: identity.personId, role, unitId: unitIdOf(h.db, shortCode), createdAt: 0 })
    .run();
}

const ACTOR = { personId: null, label: 'test' };

function register(shortCode: string, name: string, at: string): ModelRow {
  return h.db.transaction((tx) => registerModel(tx, newModel(tx, unitIdOf(h.db, shortCode), name), ACTOR, vn(at)));
}

function event(model: ModelRow, e: ModelEvent, at: string, reason: string | null = null): ModelRow {
  return h.db.transaction((tx) => applyModelEvent(tx, model, e, reason, ACTOR, vn(at)));
}

/**
 * What waits on Tuesday morning 10/03/2026: in Cẩm Xuyên, a registration of 03/03, a returned
 * model sent again on 06/03 (it waits from then, not from its registration in February), and one
 * approved on Monday evening (nothing waits on it); in Cẩm Bình, registrations of 05/03 and of
 * Monday, and a proposal of 08/03.
 */
function waiting() {
  const resent = register('CAMXUYEN', 'Dân vận khéo trong cải cách hành chính', '2026-02-01T10:00');
  const returned = event(resent, 'return', '2026-02-03T10:00', 'Cần ghi rõ kết quả dự kiến');
  const proposed = register('CAMBINH', 'Dân vận khéo trong xây dựng nông thôn mới', '2026-03-01T09:00');
  event(event(proposed, 'approve', '2026-03-02T09:00'), 'propose', '2026-03-08T09:00');
  const older = register('CAMXUYEN', 'Chợ 4.0 không dùng tiền mặt', '2026-03-03T09:00');
  const approved = register('CAMXUYEN', 'Đường hoa thôn Nam Sơn', '2026-03-04T09:00');
  event(approved, 'approve', '2026-03-09T18:00');
  const cb1 = register('CAMBINH', 'Tổ hòa giải ở cơ sở', '2026-03-05T10:00');
  const cb2 = register('CAMBINH', 'Khu dân cư không rác thải nhựa', '2026-03-09T15:00');
  h.db.transaction((tx) =>
    editModel(tx, returned, newModel(tx, returned.unitId, returned.name, { expectedResult: 'Giảm một nửa thời gian chờ' }), ACTOR, vn('2026-03-06T14:00')),
  );
  return { resent, proposed, older, approved, cb1, cb2 };
}

interface Sent {
  group: string;
  text: string;
}

function digest(
  options: { quiet?: QuietHours; daysOff?: DaysOff; fail?: (chat: ChatRef) => boolean; db?: Harness['db']; whileSending?: () => Promise<void> } = {},
) {
  const sent: Sent[] = [];
  const job = leaderDigestJob({
    db: options.db ?? h.db,
    daysOff: options.daysOff ?? new DaysOff(),
    quiet: options.quiet ?? EARLY,
    log: silentLogger,
    deliver: async (chat: ChatRef, reply: Reply) => {
      if (options.fail?.(chat)) throw new Error('platform down');
      await options.whileSending?.();
      expect(typeof reply.text).toBe('string'); // no mentions: nobody is called out
      sent.push({ group: chat.id, text: reply.text as string });
      return { messageId: `m${sent.length}` };
    },
  });
  return { sent, run: (at: string) => job.run(vn(at)) };
}

describe('the leaders’ morning digest', () => {
  it('tells each leaders’ group on a working-day morning what waits in its leaders’ scope, oldest first', async () => {
    await deployment();
    const m = waiting();
    const { sent, run } = digest();
    await run('2026-03-10T07:29');
    expect(sent).toEqual([]);
    await run('2026-03-10T07:30');
    expect(sent.map((s) => s.group)).toEqual([PROVINCE_GROUP, CB_GROUP]);
    expect(sent[0]!.text).toBe(
      [
        '☀️ Chào buổi sáng. Đang chờ lãnh đạo xem xét (5):',
        `• Chờ duyệt đăng ký (4): ${m.older.code} (Xã Cẩm Xuyên, chờ 7 ngày), ${m.cb1.code} (Xã Cẩm Bình, chờ 5 ngày), ${m.resent.code} (Xã Cẩm Xuyên, chờ 4 ngày), ${m.cb2.code} (Xã Cẩm Bình, từ hôm qua)`,
        `• Đề nghị công nhận (1): ${m.proposed.code} (Xã Cẩm Bình, chờ 2 ngày)`,
        'Gõ /duyet để xem danh sách chờ duyệt, /congnhan để xem danh sách đề nghị công nhận (có đánh số để chọn).',
      ].join('\n'),
    );
    // Lan leads Cẩm Bình: only its models, never Cẩm Xuyên's.
    expect(sent[1]!.text).toBe(
      [
        '☀️ Chào buổi sáng. Đang chờ lãnh đạo xem xét (3):',
        `• Chờ duyệt đăng ký (2): ${m.cb1.code} (Xã Cẩm Bình, chờ 5 ngày), ${m.cb2.code} (Xã Cẩm Bình, từ hôm qua)`,
        `• Đề nghị công nhận (1): ${m.proposed.code} (Xã Cẩm Bình, chờ 2 ngày)`,
        'Gõ /duyet để xem danh sách chờ duyệt, /congnhan để xem danh sách đề nghị công nhận (có đánh số để chọn).',
      ].join('\n'),
    );
    // Approved on Monday evening: no longer waits for anyone.
    expect(sent.every((s) => !s.text.includes(m.approved.code))).toBe(true);
    // Cẩm Duệ's leader has nothing waiting: no "0 mô hình" message; Cẩm Xuyên's group has no leader.
    expect(sent.some((s) => s.group === CD_GROUP || s.group === CX_GROUP)).toBe(false);
  });

  it('a deployment-wide leader’s group sees every unit’s models', async () => {
    await deployment();
    const m = waiting();
    await h.say('Phan Văn Quang', '/huongdan', { group: CX_GROUP });
    const quang = h.db.select().from(identities).where(eq(identities.platformUserId, 'Phan Văn Quang')).get()!;
    h.db.insert(roles).values({ personId: quang.personId, role: 'leader', unitId: null, createdAt: 0 }).run();
    const { sent, run } = digest();
    await run('2026-03-10T07:30');
    const cx = sent.find((s) => s.group === CX_GROUP)!;
    expect(cx.text.split('\n')[0]).toBe('☀️ Chào buổi sáng. Đang chờ lãnh đạo xem xét (5):');
    for (const model of [m.older, m.cb1, m.resent, m.cb2, m.proposed]) expect(cx.text).toContain(model.code);
  });

  it('a group bound to a unit hears of that unit’s models only, even where a province leader was seen', async () => {
    await deployment();
    const m = waiting();
    // The province's leader once spoke in Cẩm Xuyên's group.
    await h.say('Trần Văn Bình', '/hanchot', { group: CX_GROUP });
    const first = digest();
    await first.run('2026-03-10T07:30');
    // Not bound: it is a leaders' group like any other, with the province's whole list.
    expect(first.sent.find((s) => s.group === CX_GROUP)!.text).toContain(m.proposed.code);

    h.db.delete(leaderDigestRuns).run();
    h.db
      .update(chats)
      .set({ unitId: unitIdOf(h.db, 'CAMXUYEN') })
      .where(eq(chats.platformChatId, CX_GROUP))
      .run();
    const bound = digest();
    await bound.run('2026-03-10T07:30');
    const cx = bound.sent.find((s) => s.group === CX_GROUP)!;
    expect(cx.text).toBe(
      [
        '☀️ Chào buổi sáng. Đang chờ lãnh đạo xem xét (2):',
        `• Chờ duyệt đăng ký (2): ${m.older.code} (Xã Cẩm Xuyên, chờ 7 ngày), ${m.resent.code} (Xã Cẩm Xuyên, chờ 4 ngày)`,
        'Gõ /duyet để xem danh sách có đánh số, rồi duyệt hoặc trả lại.',
      ].join('\n'),
    );
  });

  it('names five models of a kind and counts the rest', async () => {
    await deployment();
    const codes = ['01', '02', '03', '04', '05', '06', '07'].map((d) => register('CAMBINH', `Mô hình thứ ${d}`, `2026-03-${d}T09:00`).code);
    const { sent, run } = digest();
    await run('2026-03-10T07:30');
    const cb = sent.find((s) => s.group === CB_GROUP)!;
    expect(cb.text).toBe(
      [
        '☀️ Chào buổi sáng. Đang chờ lãnh đạo xem xét (7):',
        `• Chờ duyệt đăng ký (7): ${codes
          .slice(0, 5)
          .map((c, i) => `${c} (Xã Cẩm Bình, chờ ${9 - i} ngày)`)
          .join(', ')} và 2 mô hình khác`,
        'Gõ /duyet để xem danh sách có đánh số, rồi duyệt hoặc trả lại.',
      ].join('\n'),
    );
    expect(cb.text.split('\n').length).toBeLessThanOrEqual(12);
  });

  it('points proposals alone to /congnhan', async () => {
    await deployment();
    const proposed = register('CAMBINH', 'Dân vận khéo trong xây dựng nông thôn mới', '2026-03-01T09:00');
    event(event(proposed, 'approve', '2026-03-02T09:00'), 'propose', '2026-03-10T07:00');
    const { sent, run } = digest();
    await run('2026-03-10T07:30');
    expect(sent.find((s) => s.group === CB_GROUP)!.text).toBe(
      [
        '☀️ Chào buổi sáng. Đang chờ lãnh đạo xem xét (1):',
        `• Đề nghị công nhận (1): ${proposed.code} (Xã Cẩm Bình, từ hôm nay)`,
        'Gõ /congnhan để xem danh sách có đánh số, rồi công nhận hoặc không công nhận.',
      ].join('\n'),
    );
  });

  it('comes on working days only: not on Saturday, Sunday or a day off of the calendar file', async () => {
    await deployment();
    waiting();
    const daysOff = new DaysOff([{ from: '2026-03-16', to: '2026-03-16', name: 'Nghỉ bù' }]);
    const { sent, run } = digest({ daysOff });
    for (const day of ['2026-03-14', '2026-03-15', '2026-03-16']) {
      for (const time of ['07:30', '09:00', '16:59']) await run(`${day}T${time}`);
    }
    expect(sent).toEqual([]);
    await run('2026-03-17T07:30');
    expect(sent.map((s) => s.group)).toEqual([PROVINCE_GROUP, CB_GROUP]);
  });

  it('waits for the sending hours when they start after 07:30, and never sends after they end', async () => {
    await deployment();
    waiting();
    const { sent, run } = digest({ quiet: { start: '08:00', end: '17:00' } });
    await run('2026-03-10T07:45');
    expect(sent).toEqual([]);
    await run('2026-03-10T08:00');
    expect(sent).toHaveLength(2);

    const late = digest({ quiet: { start: '08:00', end: '17:00' } });
    await late.run('2026-03-11T17:00');
    await late.run('2026-03-11T22:00');
    expect(late.sent).toEqual([]);
  });

  it('is sent once a day per group: not again later, nor after a restart, nor by a second process', async () => {
    await deployment();
    waiting();
    const first = digest();
    await first.run('2026-03-10T07:30');
    await first.run('2026-03-10T07:31');
    await first.run('2026-03-10T11:00');
    expect(first.sent).toHaveLength(2);

    await h.restart();
    const restarted = digest();
    await restarted.run('2026-03-10T07:32');
    await restarted.run('2026-03-10T14:00');
    expect(restarted.sent).toEqual([]);

    // Another process over the same file, with its own connection.
    const other = await openDatabase(h.dbPath, { clock: h.clock });
    try {
      const second = digest({ db: other.db });
      await second.run('2026-03-10T08:00');
      expect(second.sent).toEqual([]);
      // The next working day has its own digest.
      await second.run('2026-03-11T07:30');
      expect(second.sent).toHaveLength(2);
    } finally {
      other.close();
    }
    await restarted.run('2026-03-11T07:31');
    expect(restarted.sent).toEqual([]);
  });

  it('keeps a week of records: the day’s first run forgets older days, never today’s', async () => {
    await deployment();
    waiting();
    const { sent, run } = digest();
    await run('2026-03-02T07:30');
    await run('2026-03-09T07:30');
    const days = () =>
      [
        ...new Set(
          h.db
            .select()
            .from(leaderDigestRuns)
            .all()
            .map((r) => r.day),
        ),
      ].sort();
    expect(days()).toEqual(['2026-03-02', '2026-03-09']);
    await run('2026-03-10T07:30');
    expect(days()).toEqual(['2026-03-09', '2026-03-10']);
    // Later runs of the day forget nothing more and send nothing twice.
    await run('2026-03-10T09:00');
    expect(days()).toEqual(['2026-03-09', '2026-03-10']);
    expect(sent.filter((s) => s.group === PROVINCE_GROUP)).toHaveLength(3);
  });

  it('two processes ticking at the same minute send each group’s digest once between them', async () => {
    await deployment();
    waiting();
    const other = await openDatabase(h.dbPath, { clock: h.clock });
    try {
      const second = digest({ db: other.db });
      let once = false;
      // The first process is still sending its first group when the second one ticks.
      const first = digest({
        whileSending: async () => {
          if (once) return;
          once = true;
          await second.run('2026-03-10T07:30');
        },
      });
      await first.run('2026-03-10T07:30');
      expect([...first.sent, ...second.sent].map((s) => s.group).sort()).toEqual([CB_GROUP, PROVINCE_GROUP].sort());
      expect(second.sent.map((s) => s.group)).toEqual([CB_GROUP]);
    } finally {
      other.close();
    }
  });

  it('a bot down at 07:30 catches up later the same day, without the morning greeting', async () => {
    await deployment();
    const m = waiting();
    const { sent, run } = digest();
    await run('2026-03-10T14:00');
    expect(sent.map((s) => s.group)).toEqual([PROVINCE_GROUP, CB_GROUP]);
    expect(sent[1]!.text.split('\n')[0]).toBe('📋 Đang chờ lãnh đạo xem xét (3):');
    expect(sent[1]!.text).toContain(`${m.cb2.code} (Xã Cẩm Bình, từ hôm qua)`);
  });

  it('a group it could not reach is not tried again every minute, and the others still get theirs', async () => {
    await deployment();
    waiting();
    const { sent, run } = digest({ fail: (chat) => chat.id === PROVINCE_GROUP });
    await run('2026-03-10T07:30');
    await run('2026-03-10T07:31');
    expect(sent.map((s) => s.group)).toEqual([CB_GROUP]);
    const runs = h.db.select().from(leaderDigestRuns).all();
    expect(runs.map((r) => [r.day, r.waiting]).sort()).toEqual([
      ['2026-03-10', 0],
      ['2026-03-10', 3],
      ['2026-03-10', 5],
    ]);
  });

  it('leaves a group of a platform this process does not run undecided, for the process that runs it', async () => {
    await deployment();
    waiting();
    const sent: string[] = [];
    const job = (reachable: (chat: ChatRef) => boolean) =>
      leaderDigestJob({
        db: h.db,
        daysOff: new DaysOff(),
        quiet: EARLY,
        log: silentLogger,
        reachable,
        deliver: async (chat: ChatRef) => {
          sent.push(chat.id);
          return { messageId: 'm' };
        },
      });
    await job(() => false).run(vn('2026-03-10T07:30'));
    expect(sent).toEqual([]);
    expect(h.db.select().from(leaderDigestRuns).all()).toEqual([]);
    await job(() => true).run(vn('2026-03-10T09:00'));
    expect(sent).toEqual([PROVINCE_GROUP, CB_GROUP]);
  });

  it('says nothing when nothing waits, and a registration later that morning waits for the next digest', async () => {
    await deployment();
    const { sent, run } = digest();
    await run('2026-03-10T07:30');
    expect(sent).toEqual([]);
    const cb = register('CAMBINH', 'Tổ hòa giải ở cơ sở', '2026-03-10T09:00');
    await run('2026-03-10T09:01');
    expect(sent).toEqual([]);
    await run('2026-03-11T07:30');
    expect(sent.map((s) => s.group)).toEqual([PROVINCE_GROUP, CB_GROUP]);
    expect(sent[1]!.text).toContain(`${cb.code} (Xã Cẩm Bình, từ hôm qua)`);
  });
});

describe('leader_digest_runs (migration 0009)', () => {
  it('an upgraded database gains the table, and a group’s day can be recorded once only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvk-digest-migration-'));
    try {
      const clock = fixedClock('2026-03-10T09:00:00+07:00');
      const { upgraded, hadTable } = await upgradedFrom(dir, join(dir, 'dvk.sqlite'), '0008_personal_data', 'leader_digest_runs', clock);
      try {
        expect(hadTable).toBe(false);
        upgraded.sqlite.prepare("insert into chats (platform, platform_chat_id, kind, created_at, updated_at) values ('console', 'g', 'group', 0, 0)").run();
        const insert = upgraded.sqlite.prepare("insert into leader_digest_runs (chat_row_id, day, waiting, decided_at) values (1, '2026-03-10', 2, 0)");
        insert.run();
        expect(() => insert.run()).toThrow(/UNIQUE/);
      } finally {
        upgraded.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
