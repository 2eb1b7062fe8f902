import { eq } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../db/audit.js';
import { activeDeadlines, addOneOffDeadline, deadlineOf, removeOneOffDeadline, syncCalendarDeadlines, UnknownDeadlineUnit } from '../../db/deadlines.js';
import { auditLog, deadlines, identities } from '../../db/schema.js';
import { DEMO_PEOPLE } from '../../db/seed/demo.js';
import { type DeadlineSpec, loadCalendar, parseCalendar } from '../../scheduler/calendarConfig.js';
import { DEFAULT_POLICY } from '../../core/reminderPolicy.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { unitIdOf } from '../helpers/rows.js';

const SHIPPED = loadCalendar(fileURLToPath(new URL('../../config/calendar.json', import.meta.url))).deadlines;
const NOW = '2026-03-10T09:00:00+07:00';
const LATER = new Date('2026-03-11T09:00:00+07:00');

let h: Harness;
const demo = demoPerTest({ now: NOW });

/** Calendar entries as the file would give them (defaults filled in by the schema). */
function specs(entries: unknown[]): DeadlineSpec[] {
  return parseCalendar({ deadlines: entries }).deadlines;
}

const rows = () => h.db.select().from(deadlines).orderBy(deadlines.id).all();
const rowByKey = (key: string) => h.db.select().from(deadlines).where(eq(deadlines.key, key)).get();
const audits = (action?: string) =>
  h.db
    .select()
    .from(auditLog)
    .all()
    .filter((a) => action === undefined || a.action === action);

function adminActor(): Actor {
  const admin = h.db.select().from(identities).where(eq(identities.platformUserId, DEMO_PEOPLE.admin)).get()!;
  return { personId: admin.personId, label: `${DEMO_PEOPLE.admin} (console:${DEMO_PEOPLE.admin})` };
}

function oneOff(title = 'Nộp báo cáo chuyên đề', date = '2026-12-05') {
  return addOneOffDeadline(h.db, { title, date, done: 'none', unitId: null }, adminActor(), h.clock.now());
}

describe('syncing the calendar file into the deadlines table', () => {
  it('inserts every deadline of the shipped file, with its rule, criterion and policy, each audited', async () => {
    h = await demo();
    expect(syncCalendarDeadlines(h.db, SHIPPED, h.clock.now())).toEqual({ inserted: 6, updated: 0, retired: 0 });
    const all = rows();
    expect(all.map((r) => r.key)).toEqual(SHIPPED.map((s) => s.key));
    expect(all.every((r) => r.source === 'config' && r.active && r.createdBy === null && r.unitId === null)).toBe(true);
    expect(rowByKey('dang-ky-mo-hinh')).toMatchObject({
      title: 'Đăng ký mô hình “Dân vận khéo” của năm (trước ngày 30/01)',
      rule: 'yearly',
      params: { month: 1, day: 29 },
      cutoff: null,
      doneCriterion: 'quota_registered',
      policy: { ...DEFAULT_POLICY },
      createdAt: h.clock.now().getTime(),
    });
    expect(rowByKey('bao-cao-thang')).toMatchObject({
      rule: 'monthly',
      params: { day: 15 },
      policy: { before: [3, 1], onDay: true, afterDays: 3, escalateAfterDays: [1] },
    });

    const audit = audits('deadline.config');
    expect(audit.map((a) => a.entityId)).toEqual(all.map((r) => String(r.id)));
    expect(audit.every((a) => a.actorLabel === 'system' && a.actorPersonId === null && a.before === null)).toBe(true);

    // What the planner and /hanchot read back: the rule and policy typed again.
    const active = activeDeadlines(h.db);
    expect(active).toHaveLength(6);
    expect(active.find((d) => d.key === 'dang-ky-mo-hinh')).toEqual({
      id: rowByKey('dang-ky-mo-hinh')!.id,
      key: 'dang-ky-mo-hinh',
      title: 'Đăng ký mô hình “Dân vận khéo” của năm (trước ngày 30/01)',
      rule: { rule: 'yearly', month: 1, day: 29 },
      cutoff: null,
      unitId: null,
      unitKinds: SHIPPED[0]!.unitKinds ?? null,
      done: 'quota_registered',
      policy: DEFAULT_POLICY,
      source: 'config',
    });
  });

  it('changes nothing when run again on the same file, even a day later', async () => {
    h = await demo();
    syncCalendarDeadlines(h.db, SHIPPED, h.clock.now());
    const before = { rows: rows(), audit: audits() };
    expect(syncCalendarDeadlines(h.db, SHIPPED, LATER)).toEqual({ inserted: 0, updated: 0, retired: 0 });
    expect({ rows: rows(), audit: audits() }).toEqual(before);
  });

  it('updates a deadline whose title changed in place, keeping its id, and audits before and after', async () => {
    h = await demo();
    syncCalendarDeadlines(h.db, SHIPPED, h.clock.now());
    const old = rowByKey('bao-cao-quy')!;
    const renamed = SHIPPED.map((s) => (s.key === 'bao-cao-quy' ? { ...s, title: 'Báo cáo quý (gửi Ban Tuyên giáo và Dân vận trước ngày 20)' } : s));
    expect(syncCalendarDeadlines(h.db, renamed, LATER)).toEqual({ inserted: 0, updated: 1, retired: 0 });
    const now = rowByKey('bao-cao-quy')!;
    expect(now).toEqual({ ...old, title: 'Báo cáo quý (gửi Ban Tuyên giáo và Dân vận trước ngày 20)', updatedAt: LATER.getTime() });
    const audit = audits('deadline.config').filter((a) => a.at === LATER.getTime());
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entityId: String(old.id), actorLabel: 'system' });
    expect((audit[0]!.before as { title: string }).title).toBe('Báo cáo quý (trước ngày 20 tháng cuối quý)');
    expect((audit[0]!.after as { title: string }).title).toBe('Báo cáo quý (gửi Ban Tuyên giáo và Dân vận trước ngày 20)');
    // The other five were left alone.
    expect(
      rows()
        .filter((r) => r.updatedAt === LATER.getTime())
        .map((r) => r.key),
    ).toEqual(['bao-cao-quy']);
  });

  it('updates the rule, cut-off and policy too', async () => {
    h = await demo();
    syncCalendarDeadlines(h.db, SHIPPED, h.clock.now());
    const changed = SHIPPED.map((s) =>
      s.key === 'bao-cao-thang'
        ? { ...s, rule: { rule: 'monthly' as const, day: 16 }, cutoff: { endDay: 14, months: 1 }, policy: { ...s.policy, before: [5] } }
        : s,
    );
    expect(syncCalendarDeadlines(h.db, changed, LATER)).toEqual({ inserted: 0, updated: 1, retired: 0 });
    expect(activeDeadlines(h.db).find((d) => d.key === 'bao-cao-thang')).toMatchObject({
      rule: { rule: 'monthly', day: 16 },
      cutoff: { endDay: 14, months: 1 },
      policy: { before: [5], onDay: true, afterDays: 3, escalateAfterDays: [1] },
    });
  });

  it('retires a deadline whose key left the file, keeping the row; putting the key back revives the same row', async () => {
    h = await demo();
    syncCalendarDeadlines(h.db, SHIPPED, h.clock.now());
    const quarterly = rowByKey('bao-cao-quy')!;
    const without = SHIPPED.filter((s) => s.key !== 'bao-cao-quy');
    expect(syncCalendarDeadlines(h.db, without, LATER)).toEqual({ inserted: 0, updated: 0, retired: 1 });
    expect(rowByKey('bao-cao-quy')).toEqual({ ...quarterly, active: false, updatedAt: LATER.getTime() });
    expect(audits('deadline.retire').map((a) => [a.entityId, a.actorLabel])).toEqual([[String(quarterly.id), 'system']]);
    expect(activeDeadlines(h.db).map((d) => d.key)).toEqual(without.map((s) => s.key));

    // Already retired: a second run retires nothing more.
    expect(syncCalendarDeadlines(h.db, without, LATER)).toEqual({ inserted: 0, updated: 0, retired: 0 });
    expect(audits('deadline.retire')).toHaveLength(1);

    expect(syncCalendarDeadlines(h.db, SHIPPED, LATER)).toEqual({ inserted: 0, updated: 1, retired: 0 });
    expect(rowByKey('bao-cao-quy')).toMatchObject({ id: quarterly.id, active: true });
    expect(rows()).toHaveLength(6);
  });

  it('binds a deadline to the unit its code names, however the code is written', async () => {
    h = await demo();
    const [spec] = specs([
      { key: 'rieng-cam-xuyen', title: 'Báo cáo riêng của xã', rule: { rule: 'monthly', day: 20 }, unit: 'camxuyen', done: 'period_updates' },
    ]);
    syncCalendarDeadlines(h.db, [spec!], h.clock.now());
    expect(rowByKey('rieng-cam-xuyen')!.unitId).toBe(unitIdOf(h.db, 'CAMXUYEN'));
  });

  it('refuses a file naming an unknown unit code and changes nothing at all', async () => {
    h = await demo();
    syncCalendarDeadlines(h.db, SHIPPED, h.clock.now());
    const before = { rows: rows(), audit: audits() };
    // A new entry and a renamed one come before the bad entry: neither may be kept.
    const wrong = [
      ...specs([{ key: 'moi', title: 'Một hạn mới', rule: { rule: 'monthly', day: 5 }, done: 'none' }]),
      ...SHIPPED.map((s) => (s.key === 'bao-cao-thang' ? { ...s, title: 'Báo cáo tháng (đổi tên)' } : s)),
      ...specs([{ key: 'sai-don-vi', title: 'Hạn của đơn vị không có', rule: { rule: 'monthly', day: 5 }, unit: 'KHONGCO', done: 'none' }]),
    ].filter((s) => s.key !== 'bao-cao-quy');
    expect(() => syncCalendarDeadlines(h.db, wrong, LATER)).toThrow(UnknownDeadlineUnit);
    expect(() => syncCalendarDeadlines(h.db, wrong, LATER)).toThrow('Hạn “sai-don-vi” ghi đơn vị KHONGCO, nhưng không có đơn vị nào mang mã này.');
    expect({ rows: rows(), audit: audits() }).toEqual(before);
  });
});

describe('one-off deadlines added in chat', () => {
  it('are stored as a "once" rule of the chat, with the admin as author and an audit row', async () => {
    h = await demo();
    const row = addOneOffDeadline(
      h.db,
      { title: 'Nộp báo cáo chuyên đề', date: '2026-12-05', done: 'period_updates', unitId: unitIdOf(h.db, 'CAMXUYEN') },
      adminActor(),
      h.clock.now(),
    );
    expect(row).toMatchObject({
      key: null,
      title: 'Nộp báo cáo chuyên đề',
      rule: 'once',
      params: { date: '2026-12-05' },
      cutoff: null,
      unitId: unitIdOf(h.db, 'CAMXUYEN'),
      unitKinds: null,
      doneCriterion: 'period_updates',
      policy: { ...DEFAULT_POLICY },
      active: true,
      source: 'chat',
      createdBy: adminActor().personId,
    });
    expect(deadlineOf(row).rule).toEqual({ rule: 'once', date: '2026-12-05' });
    expect(audits('deadline.add').map((a) => [a.entityId, a.actorLabel])).toEqual([[String(row.id), adminActor().label]]);
  });

  it('are never touched by a sync, even of an empty file', async () => {
    h = await demo();
    syncCalendarDeadlines(h.db, SHIPPED, h.clock.now());
    const mine = oneOff();
    expect(syncCalendarDeadlines(h.db, SHIPPED, LATER)).toEqual({ inserted: 0, updated: 0, retired: 0 });
    expect(syncCalendarDeadlines(h.db, [], LATER)).toEqual({ inserted: 0, updated: 0, retired: 6 });
    expect(h.db.select().from(deadlines).where(eq(deadlines.id, mine.id)).get()).toEqual(mine);
    expect(activeDeadlines(h.db).map((d) => d.id)).toEqual([mine.id]);
  });
});

describe('removing a one-off deadline', () => {
  it('retires it, audited; a second removal finds nothing', async () => {
    h = await demo();
    syncCalendarDeadlines(h.db, SHIPPED, h.clock.now());
    const mine = oneOff();
    const outcome = removeOneOffDeadline(h.db, mine.id, adminActor(), LATER);
    expect(outcome).toEqual({ removed: mine });
    expect(h.db.select().from(deadlines).where(eq(deadlines.id, mine.id)).get()).toEqual({ ...mine, active: false, updatedAt: LATER.getTime() });
    expect(audits('deadline.remove').map((a) => [a.entityId, a.actorLabel])).toEqual([[String(mine.id), adminActor().label]]);
    expect(activeDeadlines(h.db).map((d) => d.id)).not.toContain(mine.id);
    expect(removeOneOffDeadline(h.db, mine.id, adminActor(), LATER)).toEqual({ refused: 'missing' });
  });

  it('refuses deadlines of the calendar file and ids that do not exist, changing nothing', async () => {
    h = await demo();
    syncCalendarDeadlines(h.db, SHIPPED, h.clock.now());
    oneOff();
    const before = { rows: rows(), audit: audits() };
    expect(removeOneOffDeadline(h.db, rowByKey('bao-cao-thang')!.id, adminActor(), LATER)).toEqual({ refused: 'config' });
    expect(removeOneOffDeadline(h.db, 9999, adminActor(), LATER)).toEqual({ refused: 'missing' });
    expect({ rows: rows(), audit: audits() }).toEqual(before);
  });
});
