import { and, asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatRef, TextPart } from '../../core/chat.js';
import { plainText } from '../../core/chat.js';
import { silentLogger } from '../../bot/logger.js';
import { SYSTEM_ACTOR } from '../../db/audit.js';
import { syncCalendarDeadlines } from '../../db/deadlines.js';
import { registerModel } from '../../db/models.js';
import { chats, reminderOutbox, reminderRuns } from '../../db/schema.js';
import { DEMO_COMMUNE_GROUP, DEMO_GROUP, seedDemo } from '../../db/seed/demo.js';
import { isoDayOf } from '../../core/calendar.js';
import { type DeadlineSpec, loadCalendar } from '../../scheduler/calendarConfig.js';
import { DaysOff } from '../../scheduler/daysOff.js';
import { type OutboxPayload, planReminders } from '../../scheduler/reminderPlanner.js';
import { ReminderSender } from '../../scheduler/reminderSender.js';
import { DEFAULT_POLICY } from '../../core/reminderPolicy.js';
import { DEFAULT_QUIET_HOURS } from '../../scheduler/reminderSlots.js';
import { Harness } from '../helpers/harness.js';
import { newModel, unitIdOf } from '../helpers/rows.js';

const CALENDAR = loadCalendar('config/calendar.json');
const daysOff = new DaysOff(CALENDAR.daysOff);
const quiet = DEFAULT_QUIET_HOURS;
const CAMXUYEN_GROUP = DEMO_COMMUNE_GROUP;

let h: Harness | undefined;
afterEach(() => h?.close());

/**
 * The demo deployment with its models registered in 2026 (so nobody has registered for 2027
 * yet), the clock at `now`, and the given deadlines loaded as a calendar file would be.
 */
async function setup(now: string, specs: DeadlineSpec[]) {
  h = await Harness.create({ now });
  seedDemo(h.db, new Date('2026-11-20T09:00:00+07:00'));
  syncCalendarDeadlines(h.db, specs, h.clock.now());
  const plan = () => planReminders({ db: h!.db, daysOff, quiet, log: silentLogger }, h!.clock.now());
  return { h, db: h.db, plan };
}

function spec(over: Partial<DeadlineSpec> & Pick<DeadlineSpec, 'key' | 'rule' | 'done'>): DeadlineSpec {
  return { title: `Hạn ${over.key}`, policy: { ...DEFAULT_POLICY }, active: true, ...over };
}

/** Registration of the year's models before 30/01 (due 29/01), for one commune only. */
const CAMBINH_REGISTRATION = spec({
  key: 'dk-cambinh',
  title: 'Đăng ký mô hình năm',
  rule: { rule: 'yearly', month: 1, day: 29 },
  done: 'quota_registered',
  unit: 'CAMBINH',
});

function outboxRows(db: Harness['db']) {
  return db
    .select({ row: reminderOutbox, chat: chats })
    .from(reminderOutbox)
    .innerJoin(chats, eq(chats.id, reminderOutbox.chatId))
    .orderBy(asc(reminderOutbox.id))
    .all()
    .map(({ row, chat }) => ({ ...row, chatTitle: chat.title, payload: row.payload as unknown as OutboxPayload }));
}

const mentionsOf = (parts: TextPart[]) =>
  parts.filter((p): p is { mention: { platformUserId: string; displayName: string } } => typeof p !== 'string').map((p) => p.mention.displayName);

describe('the reminder planner', () => {
  it('writes one row per group at the slot, mentions at most five officers and names the rest; running again adds nothing', async () => {
    // An announcement to every unit, seven days ahead: all the officers of the province group are concerned.
    const { db, plan } = await setup('2027-01-22T08:00:00+07:00', [
      spec({ key: 'hop', title: 'Hội nghị sơ kết', rule: { rule: 'once', date: '2027-01-29' }, done: 'none' }),
    ]);
    const first = plan();
    expect(first.rows).toBe(2);
    const rows = outboxRows(db);
    expect(rows.map((r) => [r.chatTitle, r.kind, r.status])).toEqual([
      [DEMO_GROUP, 'before-7', 'pending'],
      [CAMXUYEN_GROUP, 'before-7', 'pending'],
    ]);
    // Ten officers were seen in the province group: five mentioned, five named.
    const province = rows[0]!.payload.parts;
    expect(mentionsOf(province)).toHaveLength(5);
    const text = plainText(province);
    expect(text).toMatch(/^📣 Sắp đến: Hội nghị sơ kết\nNgày: Thứ Sáu, 29\/01\/2027 — còn 7 ngày\./);
    expect(text).toMatch(/ và các đồng chí [^,:]+, [^,:]+, [^,:]+, [^,:]+, [^,:]+:\n/);
    const named = text.match(/ và các đồng chí (.+):\n/)![1]!.split(', ');
    expect(new Set([...mentionsOf(province), ...named]).size).toBe(10);
    // Xã Cẩm Xuyên's group: its officer only.
    expect(mentionsOf(rows[1]!.payload.parts)).toEqual(['Lê Minh Châu']);
    expect(rows[0]!.notBefore).toBe(Date.parse('2027-01-22T08:00:00+07:00'));
    // Before-3 starts 26/01 08:00 and replaces this one.
    expect(rows[0]!.expiresAt).toBe(Date.parse('2027-01-26T08:00:00+07:00'));

    expect(plan()).toEqual({ slots: 0, rows: 0, cancelled: 0 });
    expect(outboxRows(db)).toHaveLength(2);
    expect(db.select().from(reminderRuns).all()).toMatchObject([{ kind: 'before-7', lateUnits: 24, messages: 2 }]);
  });

  it('a unit that becomes done is no longer reminded: its pending reminder is dropped and the next slot skips it', async () => {
    const { h, db, plan } = await setup('2027-01-22T08:00:00+07:00', [CAMBINH_REGISTRATION]);
    plan();
    // Phạm Thị Dung is seen in the province group only: her reminder goes there, not to another commune's group.
    const [row, ...others] = outboxRows(db);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ chatTitle: DEMO_GROUP, kind: 'before-7', status: 'pending' });
    expect(mentionsOf(row!.payload.parts)).toEqual(['Phạm Thị Dung']);
    expect(plainText(row!.payload.parts)).toContain('• Xã Cẩm Bình: đã đăng ký 0/1 mô hình năm 2027 (gõ /dangky)');

    // Xã Cẩm Bình registers its model for 2027 before the reminder went out.
    const input = newModel(db, unitIdOf(db, 'CAMBINH'), 'Mô hình mới 2027', {
      year: 2027,
      content: 'Nội dung',
      startDate: '2027-02-01',
      endDate: '2027-11-30',
      personInCharge: 'Phạm Thị Dung',
    });
    db.transaction((tx) => registerModel(tx, input, SYSTEM_ACTOR, h.clock.now()));
    expect(plan().cancelled).toBe(1);
    expect(outboxRows(db)[0]).toMatchObject({ status: 'cancelled', lastError: 'the units became done' });

    h.clock.set('2027-01-26T08:00:00+07:00');
    expect(plan()).toEqual({ slots: 1, rows: 0, cancelled: 0 });
    expect(outboxRows(db)).toHaveLength(1);
    expect(db.select().from(reminderRuns).where(eq(reminderRuns.kind, 'before-3')).get()).toMatchObject({ lateUnits: 0, messages: 0 });
  });

  it('after downtime it catches up with the reminders still useful and skips the ones a later one replaced', async () => {
    // The bot was down from before 22/01 until Wednesday 27/01 10:00: before-7 is gone, before-3 is still open.
    const { h, db, plan } = await setup('2027-01-27T10:00:00+07:00', [CAMBINH_REGISTRATION]);
    plan();
    expect(outboxRows(db).map((r) => r.kind)).toEqual(['before-3']);
    // Caught up on Wednesday: two days left, not three.
    expect(plainText(outboxRows(db)[0]!.payload.parts)).toContain('Hạn chót: Thứ Sáu, 29/01/2027 — còn 2 ngày.');

    // Down again from Thursday 28/01 until Tuesday 02/02 09:00. The due was Friday 29/01; the
    // weekend's overdue reminders do not exist; the Monday one and the leaders' escalation are still open.
    h.clock.set('2027-02-02T09:00:00+07:00');
    plan();
    const rows = outboxRows(db);
    expect(rows.map((r) => [r.kind, r.chatTitle])).toEqual([
      ['before-3', DEMO_GROUP],
      ['overdue-3', DEMO_GROUP],
      ['escalation-1', DEMO_GROUP],
    ]);
    expect(plainText(rows[1]!.payload.parts)).toContain('Đã quá hạn 4 ngày (hạn chót Thứ Sáu, 29/01/2027).');
    // The escalation goes where the province leader is, and says who is late and by how much.
    const escalation = plainText(rows[2]!.payload.parts);
    expect(escalation).toContain('📋 Báo cáo tình hình: Đăng ký mô hình năm');
    // Planned on Tuesday after the downtime, it counts the days to that Tuesday.
    expect(escalation).toContain('Hạn chót Thứ Sáu, 29/01/2027 đã qua 4 ngày; 1 đơn vị chưa hoàn thành (trễ 4 ngày)');
    expect(escalation).toContain('• Xã Cẩm Bình: đã đăng ký 0/1 mô hình năm 2027');
    expect(escalation).not.toContain('/dangky');
    // Past 17:00 the next working day, nothing of this occurrence is open any more.
    h.clock.set('2027-02-03T09:00:00+07:00');
    expect(plan().slots).toBe(0);
  });

  it('sends nothing on Tết or a weekend: the shipped calendar through February 2026 and 2027, hour by hour', async () => {
    for (const [from, to] of [
      ['2026-01-25T00:00:00+07:00', '2026-03-01T00:00:00+07:00'],
      ['2027-01-20T00:00:00+07:00', '2027-02-20T00:00:00+07:00'],
    ] as const) {
      const { h: harness, db, plan } = await setup(from, CALENDAR.deadlines);
      const sent: Array<{ at: Date; chat: ChatRef; text: string }> = [];
      const sender = new ReminderSender({
        db,
        log: silentLogger,
        clock: harness.clock,
        daysOff,
        quiet,
        deliver: async (chat, reply) => {
          sent.push({ at: harness.clock.now(), chat, text: plainText(reply.text) });
          return { messageId: String(sent.length) };
        },
      });
      for (let t = Date.parse(from); t < Date.parse(to); t += 60 * 60_000) {
        harness.clock.set(new Date(t));
        plan();
        await sender.drain();
      }
      const days = [...new Set(sent.map((s) => isoDayOf(s.at)))];
      // Something was sent (the monthly report of 15/02, the registration of 29/01)…
      expect(sent.length).toBeGreaterThan(3);
      // …never on a day off, never outside 08:00–17:00.
      for (const day of days) expect(daysOff.reason(day), day).toBeUndefined();
      for (const s of sent) expect(new Date(s.at.getTime() + 7 * 3600_000).getUTCHours()).toBeGreaterThanOrEqual(8);
      for (const s of sent) expect(new Date(s.at.getTime() + 7 * 3600_000).getUTCHours()).toBeLessThan(17);
      if (from.startsWith('2026')) {
        // Monthly report due Sunday 15/02/2026, in the middle of the Tết break: its reminders come before it.
        const monthly = sent.filter((s) => s.text.includes('Báo cáo tiến độ hằng tháng') && s.text.includes('15/02/2026'));
        // Before-3, before-1 and on-day all fall on the break: one reminder on Friday 13/02, the last
        // working day before it; the weekend/Tết overdue days have none; the leaders hear on Monday 23/02.
        expect(monthly.map((s) => [isoDayOf(s.at), s.text.split('\n')[0]])).toEqual(
          expect.arrayContaining([
            ['2026-02-13', '⏰ Nhắc hạn: Báo cáo tiến độ hằng tháng (chậm nhất ngày 15)'],
            ['2026-02-23', '📋 Báo cáo tình hình: Báo cáo tiến độ hằng tháng (chậm nhất ngày 15)'],
          ]),
        );
        expect(new Set(monthly.map((s) => isoDayOf(s.at)))).toEqual(new Set(['2026-02-12', '2026-02-13', '2026-02-23']));
      } else {
        expect(days.some((d) => d >= '2027-02-05' && d <= '2027-02-09')).toBe(false);
      }
      harness.close();
      h = undefined;
    }
  });

  it('a deadline retired from the calendar file stops its pending reminders', async () => {
    const { h, db, plan } = await setup('2027-01-22T08:00:00+07:00', [CAMBINH_REGISTRATION]);
    plan();
    syncCalendarDeadlines(db, [], h.clock.now());
    const sender = new ReminderSender({ db, log: silentLogger, clock: h.clock, daysOff, quiet, deliver: async () => ({ messageId: 'x' }) });
    expect((await sender.drain()).sent).toBe(0);
    expect(
      db
        .select()
        .from(reminderOutbox)
        .where(and(eq(reminderOutbox.status, 'cancelled')))
        .all(),
    ).toHaveLength(1);
  });
});
