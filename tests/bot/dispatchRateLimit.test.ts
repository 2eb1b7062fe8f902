import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMIT } from '../../bot/commandLimiter.js';
import { conversations, models } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { DANGKY_ANSWERS } from '../helpers/dangkyAnswers.js';
import { Harness } from '../helpers/harness.js';

/**
 * The per-person command limit, through the real dispatcher over a real database: one person's
 * flood is cut to the burst and one notice, nothing of the rest runs or is saved, and everyone
 * else in the group is answered as usual.
 */

const GROUP = { group: DEMO_GROUP };
const FLOODER = 'Nguyễn Văn An';
const OTHER = DEMO_PEOPLE.leader;
const OFFICER = DEMO_PEOPLE.officer;
const BURST = DEFAULT_LIMIT.burst;
/** What /hanchot answers (the demo has no deadline yet). */
const DEADLINES = /^(Các hạn sắp tới|Hiện chưa có hạn báo cáo nào sắp tới)/;
const NOTICE = /^@(.+): bạn gửi lệnh nhanh quá, vui lòng đợi (\d+) giây rồi thử lại\.$/;

let h: Harness;
afterEach(() => h?.close());

async function demo(limitCommands = true) {
  h = await Harness.demo({ now: '2026-03-10T09:00:00+07:00', limitCommands });
  return h;
}

/** Rows this connection has inserted, updated or deleted since it opened. */
function writes(): number {
  return (h.core.database.sqlite.prepare('select total_changes() as n').get() as { n: number }).n;
}

describe('per-person command limit in a group', () => {
  it('a flood of 50 /hanchot: the burst runs, one notice, the rest silent and unsaved; the others are answered throughout', async () => {
    await demo();
    const answered: string[] = [];
    const silentAndUnsaved: boolean[] = [];
    for (let i = 1; i <= 50; i++) {
      const before = writes();
      const replies = await h.say(FLOODER, '/hanchot', GROUP);
      if (i <= BURST) {
        expect(replies).toHaveLength(1);
        expect(replies[0]!.text).toMatch(DEADLINES);
      } else if (i === BURST + 1) {
        expect(replies.map((r) => r.text)).toEqual([`@${FLOODER}: bạn gửi lệnh nhanh quá, vui lòng đợi 3 giây rồi thử lại.`]);
        expect(writes()).toBe(before);
      } else {
        silentAndUnsaved.push(replies.length === 0 && writes() === before);
      }
      // Someone else in the same group, now and then during the flood, is answered normally.
      if (i % 12 === 0) answered.push(await h.text(OTHER, '/hanchot', GROUP));
    }
    expect(silentAndUnsaved).toHaveLength(50 - BURST - 1);
    expect(silentAndUnsaved.every(Boolean)).toBe(true);
    expect(answered).toHaveLength(4);
    for (const text of answered) expect(text).toMatch(DEADLINES);
    // The notice names the person it is for, so the others do not think it is them.
    const notices = h.sent.filter((s) => NOTICE.test(s.text));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.reply.text).toEqual([
      { mention: { platformUserId: FLOODER, displayName: FLOODER, username: undefined } },
      ': bạn gửi lệnh nhanh quá, vui lòng đợi 3 giây rồi thử lại.',
    ]);
  });

  it('after the wait the person is answered again, and a new flood gets a new notice', async () => {
    await demo();
    for (let i = 0; i < 10; i++) await h.say(FLOODER, '/hanchot', GROUP);
    const notice = h.sent.find((s) => NOTICE.test(s.text))!;
    const seconds = Number(NOTICE.exec(notice.text)![2]);
    h.clock.advance(seconds * 1000 - 1);
    expect(await h.say(FLOODER, '/hanchot', GROUP)).toEqual([]);
    h.clock.advance(1);
    expect(await h.text(FLOODER, '/hanchot', GROUP)).toMatch(DEADLINES);
    expect(await h.text(FLOODER, '/hanchot', GROUP)).toMatch(NOTICE);
    expect(await h.say(FLOODER, '/hanchot', GROUP)).toEqual([]);
  });

  it('counts every command a person sends, known or not, in any chat, private or group', async () => {
    await demo();
    const texts = ['/hanchot', '/khongco', '/huongdan', '/toi', '/dangky'];
    for (const [i, text] of texts.entries()) await h.say(FLOODER, text, i % 2 === 0 ? GROUP : { group: 'Nhóm khác' });
    expect(await h.text(FLOODER, '/hanchot', { private: true })).toBe('Bạn gửi lệnh nhanh quá, vui lòng đợi 3 giây rồi thử lại.');
    // The hint a private chat gets for plain text is a reply like a command's: limited too.
    expect(await h.say(FLOODER, 'xin chào', { private: true })).toEqual([]);
    h.clock.advance(3_000);
    expect(await h.text(FLOODER, 'xin chào', { private: true })).toBe('Bạn gõ /huongdan để xem các lệnh của bot.');
    // Chatter in a group is not a command and is never answered, limited or not.
    expect(await h.say(FLOODER, 'chào cả nhà', GROUP)).toEqual([]);
  });

  it('a flood of /dangky makes one conversation, and its owner still answers it at full speed', async () => {
    await demo();
    for (let i = 0; i < 50; i++) await h.say(OFFICER, '/dangky', GROUP);
    const open = h.db.select().from(conversations).where(eq(conversations.userId, OFFICER)).all();
    expect(open).toHaveLength(1);
    // The first /dangky asks the first question; the next ones each say "you are registering
    // already" and ask it again; then one notice, then silence.
    expect(h.sent).toHaveLength(1 + (BURST - 1) * 2 + 1);
    expect(h.sent.filter((s) => NOTICE.test(s.text))).toHaveLength(1);

    // Still limited for commands, but answers and button presses go through, one after another.
    const prompt = h.lastTo(OFFICER)!;
    const kind = prompt.reply.choices!.find((c) => /Dân vận khéo/.test(c.label))!;
    expect(await h.text(OFFICER, '', { ...GROUP, choice: { value: kind.value, promptMessageId: prompt.messageId } })).not.toMatch(NOTICE);
    for (const answer of DANGKY_ANSWERS.slice(1)) expect(await h.text(OFFICER, answer, GROUP)).not.toMatch(NOTICE);
    expect(await h.text(OFFICER, 'đồng ý', GROUP)).toMatch(/^✅ Đã ghi nhận “Chợ phiên 0 đồng cho hộ nghèo”/);
    expect(h.db.select().from(models).where(and(eq(models.name, 'Chợ phiên 0 đồng cho hộ nghèo'))).all()).toHaveLength(1);
    expect(await h.say(OFFICER, '/hanchot', GROUP)).toEqual([]);
  });

  it('without a limiter (the simulator), a burst of commands all run', async () => {
    await demo(false);
    for (let i = 0; i < 20; i++) expect(await h.text(FLOODER, '/hanchot', GROUP)).toMatch(DEADLINES);
  });
});
