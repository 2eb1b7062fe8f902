import { asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { plainText } from '../../core/chat.js';
import { silentLogger } from '../../bot/logger.js';
import { syncCalendarDeadlines } from '../../db/deadlines.js';
import { chats, reminderOutbox } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE, seedDemo } from '../../db/seed/demo.js';
import { loadCalendar } from '../../scheduler/calendarConfig.js';
import { DaysOff } from '../../scheduler/daysOff.js';
import { type OutboxPayload, planReminders } from '../../scheduler/reminderPlanner.js';
import { MAX_UNITS_LISTED } from '../../scheduler/reminderText.js';
import { Harness } from '../helpers/harness.js';

/**
 * Officials read on phones (issue 22, "Done when"): on the demo deployment, with the calendar file
 * the bot ships, the help, the province report's summary and a reminder in the province group each
 * stay within their line budget. The budgets: about one phone screen.
 */

const BUDGET = { help: 15, report: 20, reminder: 18 } as const;
const CALENDAR = loadCalendar('config/calendar.json');
const GROUP = { group: DEMO_GROUP };

let h: Harness | undefined;
afterEach(() => h?.close());

async function demoAt(now: string): Promise<Harness> {
  h = await Harness.create({ now });
  seedDemo(h.db, new Date('2026-11-20T09:00:00+07:00'));
  syncCalendarDeadlines(h.db, CALENDAR.deadlines, h.clock.now());
  return h;
}

const lines = (text: string) => text.split('\n');

describe('message lengths on the demo data', () => {
  it(`/huongdan fits ${BUDGET.help} lines for the officer, the leader and the admin`, async () => {
    const h = await demoAt('2026-12-07T09:00:00+07:00');
    for (const person of Object.values(DEMO_PEOPLE)) {
      const help = await h.text(person, '/huongdan', GROUP);
      expect(help, person).toContain('/huongdan tatca');
      expect(lines(help).length, `${person}:\n${help}`).toBeLessThanOrEqual(BUDGET.help);
    }
  });

  it(`the province /baocao summary fits ${BUDGET.report} lines and points to the full one`, async () => {
    const h = await demoAt('2026-12-07T09:00:00+07:00');
    const summary = await h.text(DEMO_PEOPLE.admin, '/baocao', GROUP);
    expect(summary).toContain('Tỉnh Hà Tĩnh');
    expect(summary).toContain('/baocao chitiet');
    expect(lines(summary).length, summary).toBeLessThanOrEqual(BUDGET.report);
  });

  it(`a reminder in the province group names at most ${MAX_UNITS_LISTED} units and fits ${BUDGET.reminder} lines`, async () => {
    // Three days before the registration deadline of 2027: none of the 24 units has registered.
    const h = await demoAt('2027-01-26T09:00:00+07:00');
    planReminders({ db: h.db, daysOff: new DaysOff(CALENDAR.daysOff), quiet: CALENDAR.quietHours, log: silentLogger }, h.clock.now());
    const texts = h.db
      .select({ payload: reminderOutbox.payload })
      .from(reminderOutbox)
      .innerJoin(chats, eq(chats.id, reminderOutbox.chatId))
      .where(eq(chats.title, DEMO_GROUP))
      .orderBy(asc(reminderOutbox.id))
      .all()
      .map((r) => plainText((r.payload as unknown as OutboxPayload).parts));
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) {
      const bullets = lines(text).filter((l) => l.startsWith('• '));
      expect(bullets.length).toBeLessThanOrEqual(MAX_UNITS_LISTED);
      expect(lines(text).length, text).toBeLessThanOrEqual(BUDGET.reminder);
    }
    // More units are late than are listed: the rest are counted and /hanchot is named.
    expect(texts.some((t) => /… và \d+ đơn vị khác \(gõ \/hanchot để xem đủ\)\.$/.test(t))).toBe(true);
  });
});
