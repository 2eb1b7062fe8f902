import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMIT } from '../../bot/commandLimiter.js';
import { conversations, models } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { DANGKY_ANSWERS } from '../helpers/dangkyAnswers.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';

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
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00', limitCommands: true });

/** Rows this connection has inserted, updated or deleted since it opened. */
function writes(): number {
  return (h.core.database.sqlite.prepare('select total_changes() as n').get() as { n: number }).n;
}

describe('per-person command limit in a group', () => {
  it('a flood of 50 /hanchot: the burst runs, one notice, the rest silent and unsaved; the others are answered throughout', async () => {
    h = await demo();
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
    h = await demo();
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
    h = await demo();
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
    h = await demo();
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
    expect(
      h.db
        .select()
        .from(models)
        .where(and(eq(models.name, 'Chợ phiên 0 đồng cho hộ nghèo')))
        .all(),
    ).toHaveLength(1);
    expect(await h.say(OFFICER, '/hanchot', GROUP)).toEqual([]);
  });

  it('without a limiter (the simulator), a burst of commands all run', async () => {
    h = await demo({ limitCommands: false });
    for (let i = 0; i < 20; i++) expect(await h.text(FLOODER, '/hanchot', GROUP)).toMatch(DEADLINES);
  });
});

/**
 * Wrong answers: what they make the bot post (re-asks, notices) is charged to the person, from
 * their command budget and, in a group, from the tighter re-ask budget (REASK_LIMIT); a correct
 * answer is never charged.
 */
describe('wrong answers count against the limit', () => {
  const WRONG = '99';
  const REASK = /^⚠️ Chưa rõ bạn chọn mục nào/;
  const ANSWER_NOTICE = /^@(.+): bạn trả lời nhanh quá, vui lòng đợi (\d+) giây, đọc kỹ câu hỏi rồi trả lời lại\.$/;
  const ADMIN = DEMO_PEOPLE.admin;

  function conversationOf(person: string) {
    return h.db.select().from(conversations).where(eq(conversations.userId, person)).get();
  }

  it('60 wrong answers in a minute: at most 6 posts in the group, the others are answered, a correct answer still moves the flow', async () => {
    h = await demo();
    expect(await h.text(OFFICER, '/dangky', GROUP)).toMatch(/^\(1\/9\) Đăng ký loại nào\?/);
    // Someone else in the group is in the middle of their own registration.
    expect(await h.text(ADMIN, '/dangky', GROUP)).toMatch(/^\(1\/10\) Bạn đăng ký cho đơn vị nào\?/);
    const before = conversationOf(OFFICER)!;

    const posts: string[] = [];
    const othersAnswered: string[] = [];
    for (let second = 0; second < 60; second++) {
      for (const reply of await h.say(OFFICER, WRONG, GROUP)) posts.push(reply.text);
      if (second % 10 === 5) othersAnswered.push(await h.text(OTHER, '/hanchot', GROUP));
      if (second % 20 === 7) othersAnswered.push(await h.text(ADMIN, 'không có đơn vị này', GROUP));
      h.clock.advance(1_000);
    }
    // Three re-asks at once, then one "slow down" (with the exact wait), then one re-ask every
    // 20 s (at 20 s and 40 s): 6 posts in the minute, not 60.
    expect(posts).toHaveLength(6);
    expect(posts.filter((p) => REASK.test(p))).toHaveLength(5);
    expect(posts[3]).toBe(`@${OFFICER}: bạn trả lời nhanh quá, vui lòng đợi 17 giây, đọc kỹ câu hỏi rồi trả lời lại.`);
    expect(h.sent.filter((s) => ANSWER_NOTICE.test(s.text))).toHaveLength(1);
    // The others were answered throughout: the person's commands and their own re-asks.
    expect(othersAnswered).toHaveLength(9);
    for (const text of othersAnswered) expect(text).toMatch(/^(Các hạn sắp tới|Hiện chưa có hạn báo cáo nào sắp tới|⚠️ )/);
    expect(othersAnswered.filter((t) => t.startsWith('⚠️ '))).toHaveLength(3);
    // Nothing of the flood moved the conversation.
    expect(conversationOf(OFFICER)).toMatchObject({ step: before.step, answers: before.answers, version: before.version });

    // Still over the re-ask budget, a correct answer moves the flow at once.
    expect(await h.text(OFFICER, DANGKY_ANSWERS[0], GROUP)).toMatch(/^\(2\/9\)/);
    expect(conversationOf(OFFICER)!.step).not.toBe(before.step);
  });

  it('a flood of wrong answers at one instant: three re-asks and one notice, then silence', async () => {
    h = await demo();
    await h.say(OFFICER, '/dangky', GROUP);
    const replies = [];
    for (let i = 0; i < 60; i++) replies.push(...(await h.say(OFFICER, WRONG, GROUP)));
    expect(replies.map((r) => (REASK.test(r.text) ? 'reask' : ANSWER_NOTICE.test(r.text) ? 'notice' : r.text))).toEqual(['reask', 'reask', 'reask', 'notice']);
    // The notice names the person it is for.
    expect(replies[3]!.reply.text).toEqual([
      { mention: { platformUserId: OFFICER, displayName: OFFICER, username: undefined } },
      ': bạn trả lời nhanh quá, vui lòng đợi 20 giây, đọc kỹ câu hỏi rồi trả lời lại.',
    ]);
    // After the announced wait, a wrong answer is re-asked again (it is not a ban).
    h.clock.advance(20_000);
    expect(await h.text(OFFICER, WRONG, GROUP)).toMatch(REASK);
  });

  it('re-asks draw on the command budget: spent commands leave no re-asks, and the other way round', async () => {
    h = await demo();
    await h.say(OFFICER, '/dangky', GROUP);
    for (let i = 0; i < BURST - 1; i++) expect(await h.text(OFFICER, '/hanchot', GROUP)).toMatch(DEADLINES);
    // The command budget is spent: the wrong answer is not re-asked, the person is told once.
    expect(await h.text(OFFICER, WRONG, GROUP)).toBe(`@${OFFICER}: bạn trả lời nhanh quá, vui lòng đợi 3 giây, đọc kỹ câu hỏi rồi trả lời lại.`);
    expect(await h.say(OFFICER, WRONG, GROUP)).toEqual([]);
    expect(await h.say(OFFICER, '/hanchot', GROUP)).toEqual([]);

    // In a private chat only the command budget applies: its burst of re-asks, then one notice.
    // (The group's registration is cancelled first: one draft of a flow at a time.)
    h.clock.advance(60_000);
    await h.say(OFFICER, '/huy', GROUP);
    h.clock.advance(60_000);
    await h.say(OFFICER, '/dangky', { private: true });
    const replies = [];
    for (let i = 0; i < 30; i++) replies.push(...(await h.say(OFFICER, WRONG, { private: true })));
    expect(replies.map((r) => r.text.split('\n')[0])).toEqual([
      ...Array.from(
        { length: BURST - 1 },
        () =>
          '⚠️ Chưa rõ bạn chọn mục nào. Bạn gõ 1 (Mô hình “Dân vận khéo”), 2 (Điểm sáng về dân vận chính quyền) hoặc 3 (Điểm sáng về thực hiện dân chủ ở cơ sở).',
      ),
      'Bạn trả lời nhanh quá, vui lòng đợi 3 giây, đọc kỹ câu hỏi rồi trả lời lại.',
    ]);
    // ...and the re-asks spent the commands.
    expect(await h.say(OFFICER, '/hanchot', { private: true })).toEqual([]);
    // A correct answer is never charged.
    expect(await h.text(OFFICER, DANGKY_ANSWERS[0], { private: true })).toMatch(/^\(2\/9\)/);
  });

  it('going back from the summary is charged like a wrong answer, so "sửa mục 9" and an answer in turn cannot loop', async () => {
    h = await demo();
    await h.say(OFFICER, '/dangky', GROUP);
    for (const answer of DANGKY_ANSWERS) await h.say(OFFICER, answer, GROUP);
    expect(h.sent.at(-1)!.text).toMatch(/Mời bạn kiểm tra lại/);
    const last = DANGKY_ANSWERS.at(-1)!;
    const posts: string[] = [];
    for (let i = 0; i < 30; i++) {
      for (const reply of await h.say(OFFICER, 'sửa mục 9', GROUP)) posts.push(reply.text);
      for (const reply of await h.say(OFFICER, last, GROUP)) posts.push(reply.text);
    }
    // Three items reopened (each with the summary after the answer again), one notice, then silence.
    expect(posts[0]).toMatch(/^Sửa mục 9 \(bạn đã trả lời: .+\)\.\n\n\(9\/9\) Ai phụ trách mô hình\?/);
    expect(posts[1]).toMatch(/^Mời bạn kiểm tra lại/);
    expect(posts).toHaveLength(3 * 2 + 1);
    expect(posts.filter((p) => ANSWER_NOTICE.test(p))).toHaveLength(1);
    expect(conversationOf(OFFICER)!.step).toBe('$confirm');
    expect(await h.text(OFFICER, 'đồng ý', GROUP)).toMatch(/^✅ Đã ghi nhận “Chợ phiên 0 đồng cho hộ nghèo”/);
  });

  it('pressing other people’s buttons in a flood: three private notices, one private "slow down", then nothing', async () => {
    h = await demo();
    await h.say(OFFICER, '/dangky', GROUP);
    const prompt = h.lastTo(OFFICER)!;
    const press = { ...GROUP, choice: { value: prompt.reply.choices![0]!.value, promptMessageId: prompt.messageId } };
    const before = conversationOf(OFFICER)!;
    const replies = [];
    for (let i = 0; i < 30; i++) replies.push(...(await h.say(FLOODER, '', press)));
    expect(replies.map((r) => [r.text, r.reply.ephemeral])).toEqual([
      ...Array.from({ length: 3 }, () => ['Nút này của người khác nên không có gì thay đổi.', true]),
      ['Bạn trả lời nhanh quá, vui lòng đợi 20 giây, đọc kỹ câu hỏi rồi trả lời lại.', true],
    ]);
    expect(conversationOf(OFFICER)).toEqual(before);
    expect(await h.text(OFFICER, DANGKY_ANSWERS[0], GROUP)).toMatch(/^\(2\/9\)/);
  });
});
