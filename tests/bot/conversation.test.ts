import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../commands/index.js';
import { textAnswer } from '../../core/answers.js';
import type { CommandContext } from '../../commands/shared/command.js';
import { type Flow, FlowError } from '../../commands/shared/flow.js';
import { recordAudit, SYSTEM_ACTOR } from '../../db/audit.js';
import { conversations } from '../../db/schema.js';
import { Harness } from '../helpers/harness.js';
import { sampleCommand, sampleFlow, savedSamples } from '../helpers/sampleFlow.js';

const commands = [...COMMANDS, sampleCommand];
let h: Harness;

async function harness(options: Parameters<typeof Harness.create>[0] = {}) {
  h = await Harness.create({ commands, flows: [sampleFlow], ...options });
  return h;
}

afterEach(() => h?.close());

/** Answers the sample flow up to its confirmation. */
async function fillSample(who: string, name = 'Dân vận khéo trong cải cách hành chính') {
  await h.say(who, '/thu');
  await h.say(who, 'tap the');
  await h.say(who, '1');
  await h.say(who, name);
  await h.say(who, '15/1');
  await h.say(who, '31-12-2026');
  return h.text(who, 'bỏ qua');
}

describe('a flow from start to save', () => {
  it('asks each step, shows a summary, saves only after confirmation', async () => {
    await harness();
    expect(await h.text('Lan', '/thu')).toContain('(1/6) Mô hình của tập thể hay cá nhân?');
    expect(h.sent.at(-1)!.reply.choices!.map((c) => c.label)).toEqual(['Tập thể', 'Cá nhân']);

    const summary = await fillSample('Lan');
    expect(summary).toContain('Mời bạn kiểm tra lại trước khi lưu:');
    expect(summary).toContain('(1) Chủ thể: Tập thể\n(2) Lĩnh vực: Kinh tế\n');
    expect(summary).toContain('(4) Ngày bắt đầu: 2026-01-15');
    expect(summary).toContain('(6) Ghi chú: (không có)');
    expect(savedSamples(h.db)).toHaveLength(0);

    expect(await h.text('Lan', 'đồng ý')).toBe('Đã lưu "Dân vận khéo trong cải cách hành chính".');
    expect(savedSamples(h.db)).toEqual([
      {
        holder: 'collective',
        field: 'f1',
        name: 'Dân vận khéo trong cải cách hành chính',
        start: '2026-01-15',
        end: '2026-12-31',
        note: null,
      },
    ]);
    expect(h.db.select().from(conversations).all()).toHaveLength(0);
  });

  it('asks a conditional step only when it applies and counts steps accordingly', async () => {
    await harness();
    await h.say('Lan', '/thu');
    expect(await h.text('Lan', 'Cá nhân')).toContain('(2/7) Cá nhân đó tên là gì?');
    expect(await h.text('Lan', 'Trần Thị Mai')).toContain('(3/7) Mô hình thuộc lĩnh vực nào?');
  });

  it('accepts a pressed button of the latest prompt', async () => {
    await harness();
    await h.say('Lan', '/thu');
    const prompt = h.sent.at(-1)!;
    expect(await h.text('Lan', '', { choice: { value: 'individual', promptMessageId: prompt.messageId } })).toContain('Cá nhân đó tên là gì?');
  });
});

describe('wrong answers', () => {
  it('are re-asked with a short reason and nothing is saved', async () => {
    await harness();
    await h.say('Lan', '/thu');
    expect(await h.text('Lan', '7')).toMatch(/^⚠️ Chưa rõ bạn chọn mục nào.*\n\n\(1\/6\) Mô hình của tập thể/s);
    await h.say('Lan', '1');
    await h.say('Lan', 'kinh te');
    expect(await h.text('Lan', 'abc')).toContain('⚠️ Câu trả lời ngắn quá: cần ít nhất 5 ký tự.');
    expect(await h.text('Lan', 'x'.repeat(201))).toContain('tối đa 200 ký tự (bạn đã gửi 201)');
    await h.say('Lan', 'Tên mô hình hợp lệ');
    expect(await h.text('Lan', '31/2/2026')).toContain('⚠️ Tháng 2/2026 không có ngày 31, bạn gõ lại ngày khác.');
    await h.say('Lan', '1/3/2026');
    expect(await h.text('Lan', '28/2/2026')).toContain('⚠️ Ngày kết thúc phải sau ngày bắt đầu.');
    expect(await h.text('Lan', '30/6/2026')).toContain('Ghi chú thêm?');
    // An answer the summary does not understand changes nothing.
    await h.say('Lan', 'bỏ qua');
    expect(await h.text('Lan', 'chưa chắc')).toContain('⚠️ Bạn trả lời 1 để lưu');
    expect(savedSamples(h.db)).toHaveLength(0);
    expect(h.db.select().from(conversations).get()!.step).toBe('$confirm');
  });

  it('a refusal at save time reopens the step to fix, keeping the other answers', async () => {
    await harness();
    await fillSample('Lan', 'Tên trùng với năm ngoái');
    expect(await h.text('Lan', '1')).toContain('⚠️ Tên này đã có rồi, bạn đặt tên khác nhé.\n\n(3/6) Tên mô hình là gì?');
    expect(savedSamples(h.db)).toHaveLength(0);
    expect(await h.text('Lan', 'Tên mới hoàn toàn')).toContain('Mời bạn kiểm tra lại');
    await h.say('Lan', '1');
    expect(savedSamples(h.db)).toEqual([expect.objectContaining({ name: 'Tên mới hoàn toàn', start: '2026-01-15' })]);
  });
});

describe('wrong answers with the per-person limit on', () => {
  it('a save refused again and again is charged like a wrong answer: three refusals, one notice, then silence', async () => {
    await harness({ limitCommands: true });
    await fillSample('Lan', 'Tên trùng với năm ngoái');
    const posts: string[] = [];
    for (let i = 0; i < 20; i++) {
      for (const reply of await h.say('Lan', '1')) posts.push(reply.text);
      for (const reply of await h.say('Lan', 'Tên trùng lần nữa')) posts.push(reply.text);
    }
    // Each refusal reopens the name (charged); each new name brings the summary back (free).
    expect(posts.filter((p) => p.startsWith('⚠️ Tên này đã có rồi'))).toHaveLength(3);
    expect(posts.filter((p) => p.startsWith('Mời bạn kiểm tra lại'))).toHaveLength(3);
    expect(posts.filter((p) => p === '@Lan: bạn trả lời nhanh quá, vui lòng đợi 20 giây, đọc kỹ câu hỏi rồi trả lời lại.')).toHaveLength(1);
    expect(posts).toHaveLength(7);
    // While limited, a refused save moves nothing: the person is still at the summary.
    expect(h.db.select().from(conversations).get()!.step).toBe('$confirm');
    expect(savedSamples(h.db)).toHaveLength(0);
    h.clock.advance(20_000);
    expect(await h.text('Lan', '1')).toContain('⚠️ Tên này đã có rồi, bạn đặt tên khác nhé.\n\n(3/6) Tên mô hình là gì?');
  });

  it('an old button of one’s own, pressed in a flood, is told privately three times, then once to slow down', async () => {
    await harness({ limitCommands: true });
    await h.say('Lan', '/thu');
    const old = h.sent.at(-1)!;
    await h.say('Lan', 'tập thể');
    const replies = [];
    for (let i = 0; i < 20; i++) replies.push(...(await h.say('Lan', '', { choice: { value: 'individual', promptMessageId: old.messageId } })));
    expect(replies.map((r) => [r.text, r.reply.ephemeral])).toEqual([
      ...Array.from({ length: 3 }, () => ['Nút này thuộc một câu hỏi đã qua nên không có gì thay đổi. Bạn trả lời câu hỏi mới nhất nhé.', true]),
      ['Bạn trả lời nhanh quá, vui lòng đợi 20 giây, đọc kỹ câu hỏi rồi trả lời lại.', true],
    ]);
    expect(h.db.select().from(conversations).get()!.answers).toEqual({ holder: 'collective' });
  });
});

describe('/huy, /quaylai and expiry', () => {
  it('/huy drops the conversation and says nothing was saved', async () => {
    await harness();
    await h.say('Lan', '/thu');
    await h.say('Lan', '1');
    expect(await h.text('Lan', '/huy')).toBe('Đã hủy đăng ký thử. Chưa có gì được lưu. Gõ /thu nếu muốn làm lại.');
    expect(h.db.select().from(conversations).all()).toHaveLength(0);
    expect(await h.text('Lan', '/huy')).toBe('Bạn không có thao tác nào đang dở ở đây.');
  });

  it('cancelling from the summary saves nothing', async () => {
    await harness();
    await fillSample('Lan');
    expect(await h.text('Lan', '3')).toContain('Đã hủy đăng ký thử');
    expect(savedSamples(h.db)).toHaveLength(0);
  });

  it('/quaylai reopens the previous asked step, skipping steps that did not apply', async () => {
    await harness();
    await h.say('Lan', '/thu');
    expect(await h.text('Lan', '/quaylai')).toContain('Đây đã là câu hỏi đầu tiên.');
    await h.say('Lan', 'tập thể');
    expect(await h.text('Lan', '/quaylai')).toContain('(1/6) Mô hình của tập thể hay cá nhân?');
    await h.say('Lan', 'cá nhân');
    await h.say('Lan', 'Trần Thị Mai');
    expect(await h.text('Lan', '/quaylai')).toContain('Cá nhân đó tên là gì?');
    await h.say('Lan', 'Trần Thị Mai Anh');
    await h.say('Lan', '2');
    await h.say('Lan', 'Một tên đủ dài');
    await h.say('Lan', '15/01/2026');
    await h.say('Lan', '20/01/2026');
    await h.say('Lan', 'Không có gì');
    // From the summary, "2" asks which item, and the item's number reopens it.
    expect(await h.text('Lan', '2')).toContain('Bạn muốn sửa mục nào?');
    expect(await h.text('Lan', '7')).toContain('(7/7) Ghi chú thêm?');
    expect(await h.text('Lan', 'Ghi chú mới')).toContain('(7) Ghi chú: Ghi chú mới');
    await h.say('Lan', 'ok');
    expect(savedSamples(h.db)).toEqual([expect.objectContaining({ holder: 'individual', holderName: 'Trần Thị Mai Anh', field: 'f2', note: 'Ghi chú mới' })]);
  });

  it('an expired flow says so kindly, shows what was typed, and saves nothing', async () => {
    await harness({ ttlMinutes: 30 });
    await h.say('Lan', '/thu');
    await h.say('Lan', 'tập thể');
    await h.say('Lan', 'Văn hóa');
    h.clock.advance(31 * 60_000);
    const reply = await h.text('Lan', 'Mô hình muộn giờ');
    expect(reply).toContain('Phiên đăng ký thử của bạn đã hết hạn');
    expect(reply).toContain('• Chủ thể: Tập thể');
    expect(reply).toContain('• Lĩnh vực: Văn hóa - xã hội');
    expect(reply).toContain('Gõ /tieptuc để làm tiếp từ chỗ đã dừng (trong vòng một ngày), hoặc /thu để làm lại từ đầu.');
    expect(savedSamples(h.db)).toHaveLength(0);
    // Kept a day for /tieptuc; the command typed again begins afresh, as the notice said.
    expect(h.db.select().from(conversations).all()).toHaveLength(1);
    expect(await h.text('Lan', '/thu')).toBe('(1/6) Mô hình của tập thể hay cá nhân?');
    expect(h.db.select().from(conversations).get()!.answers).toEqual({});
    await h.say('Lan', '/huy');
    // Each answer extends the deadline: 29 minutes between answers never expires.
    await h.say('Lan', '/thu');
    for (const answer of ['1', '1', 'Tên đủ dài', '1/2']) {
      h.clock.advance(29 * 60_000);
      expect(await h.text('Lan', answer)).not.toContain('hết hạn');
    }
  });

  it('a restart in the middle resumes where the person was (new objects, same file)', async () => {
    await harness();
    await h.say('Lan', '/thu');
    await h.say('Lan', 'cá nhân');
    await h.say('Lan', 'Trần Thị Mai');
    await h.restart();
    expect(await h.text('Lan', 'kinh tế')).toContain('(4/7) Tên mô hình là gì?');
    await h.restart();
    for (const answer of ['Mô hình sau khởi động lại', '1/4', '1/5']) await h.say('Lan', answer);
    await h.say('Lan', 'bỏ qua');
    await h.restart();
    await h.say('Lan', 'Lưu');
    expect(savedSamples(h.db)).toEqual([
      expect.objectContaining({ holderName: 'Trần Thị Mai', name: 'Mô hình sau khởi động lại', start: '2026-04-01', end: '2026-05-01' }),
    ]);
  });
});

describe('many people in one group', () => {
  it('two people mid-flow at once never move each other, and others’ commands still work', async () => {
    await harness();
    await h.say('Lan', '/thu');
    await h.say('Bình', '/thu');
    await h.say('Lan', 'cá nhân');
    await h.say('Bình', 'tập thể');
    expect(await h.text('Lan', 'Nguyễn Thị Lan')).toContain('(3/7) Mô hình thuộc lĩnh vực nào?');
    expect(await h.text('Bình', '3')).toContain('(3/6) Tên mô hình là gì?');
    // A third person's command works while both are mid-flow.
    expect(await h.text('Cường', '/huongdan')).toContain('Các lệnh bạn dùng được');
    // Lan cancels; Bình is untouched.
    await h.say('Lan', '/huy');
    for (const answer of ['Mô hình của Bình', '1/2', '1/3', 'bỏ qua', 'xác nhận']) await h.say('Bình', answer);
    expect(savedSamples(h.db)).toEqual([expect.objectContaining({ holder: 'collective', field: 'f3', name: 'Mô hình của Bình' })]);
  });

  it('the same person’s flow under way in one group is not started again in another: they are told where it is', async () => {
    await harness();
    await h.say('Lan', '/thu', { group: 'Nhóm A' });
    await h.say('Lan', 'tập thể', { group: 'Nhóm A' });
    expect(await h.text('Lan', '/thu', { group: 'Nhóm B' })).toBe(
      'Bạn đang đăng ký thử dở ở nhóm “Nhóm A” (đã trả lời 1 câu). Bạn làm tiếp ở đó, hoặc gõ /huy ở đó để hủy rồi gõ lại /thu.',
    );
    expect(h.db.select().from(conversations).all()).toHaveLength(1);
    // A message in group B is chatter; group A's flow goes on.
    expect(await h.say('Lan', 'kinh tế', { group: 'Nhóm B' })).toEqual([]);
    expect(await h.text('Lan', 'kinh tế', { group: 'Nhóm A' })).toContain('(3/6) Tên mô hình là gì?');
    // Once cancelled there, it starts here.
    await h.say('Lan', '/huy', { group: 'Nhóm A' });
    expect(await h.text('Lan', '/thu', { group: 'Nhóm B' })).toBe('(1/6) Mô hình của tập thể hay cá nhân?');
  });

  it('in reply-to-prompt mode only a reply to the latest prompt moves the flow', async () => {
    await harness({ answerMode: 'reply-to-prompt' });
    await h.say('Lan', '/thu');
    const first = h.sent.at(-1)!;
    expect(await h.say('Lan', 'tập thể')).toEqual([]); // chatter, not an answer
    expect(await h.text('Lan', 'tập thể', { replyTo: first.messageId })).toContain('(2/6)');
    // A reply to the now-old prompt is not taken as an answer to the new one.
    expect(await h.say('Lan', 'Kinh tế', { replyTo: first.messageId })).toEqual([]);
    expect(h.db.select().from(conversations).get()!.step).toBe('field');
  });

  it('a stranger pressing someone’s button changes nothing and is told so privately', async () => {
    await harness();
    await h.say('Lan', '/thu');
    const prompt = h.sent.at(-1)!;
    const [notice] = await h.say('Bình', '', { choice: { value: 'individual', promptMessageId: prompt.messageId } });
    expect(notice!.reply.ephemeral).toBe(true);
    expect(notice!.text).toBe('Nút này của người khác nên không có gì thay đổi.');
    expect(h.db.select().from(conversations).get()!.answers).toEqual({});
  });

  it('a press on another person’s question says so even while the presser has a question of their own (issue 22)', async () => {
    await harness();
    await h.say('Lan', '/thu');
    const lans = h.sent.at(-1)!;
    await h.say('Bình', '/thu');
    const [notice] = await h.say('Bình', '', { choice: { value: 'individual', promptMessageId: lans.messageId } });
    expect(notice!.reply.ephemeral).toBe(true);
    expect(notice!.text).toBe('Nút này của người khác nên không có gì thay đổi.');
    expect(
      h.db
        .select()
        .from(conversations)
        .all()
        .map((c) => c.answers),
    ).toEqual([{}, {}]);
  });

  it('a late press on one’s own question of a conversation that is over says it is over, not that it is someone else’s', async () => {
    await harness();
    await h.say('Lan', '/thu');
    const first = h.sent.at(-1)!;
    await h.say('Lan', '/huy');
    const [notice] = await h.say('Lan', '', { choice: { value: 'individual', promptMessageId: first.messageId } });
    expect(notice!.reply.ephemeral).toBe(true);
    expect(notice!.text).toBe('Câu hỏi của nút này đã xong (đã lưu, đã hủy hoặc đã hết hạn) nên không có gì thay đổi.');
    expect(h.db.select().from(conversations).all()).toEqual([]);
  });

  it('starting again while mid-flow keeps the answers and re-asks the current question', async () => {
    await harness();
    await h.say('Lan', '/thu');
    await h.say('Lan', 'tập thể');
    const reply = await h.text('Lan', '/thu');
    expect(reply).toContain('Bạn đang đăng ký thử dở dang');
    expect(reply).toContain('(2/6) Mô hình thuộc lĩnh vực nào?');
    expect(h.db.select().from(conversations).get()!.answers).toEqual({ holder: 'collective' });
  });

  it('a confirmation delivered twice saves once', async () => {
    await harness();
    await fillSample('Lan');
    const row = h.core.conversations.find({ platform: 'console', chatId: 'Nhóm thử', userId: 'Lan' })!;
    const msg = {
      chat: h.chat(),
      sender: { id: 'Lan', displayName: 'Lan' },
      messageId: 'dup',
      text: '1',
      mentions: [],
      attachments: [],
      receivedAt: h.clock.now(),
    };
    const caller = { personId: 1, displayName: 'Lan', platform: 'console' as const, platformUserId: 'Lan', unitId: null, grants: [] };
    const turn = { msg, out: h.outbound(msg.chat), caller, now: h.clock.now() };
    // Both deliveries read the row before either commits, as two racing handlers would.
    await Promise.all([h.core.conversations.answer(row, turn), h.core.conversations.answer(row, turn)]);
    expect(savedSamples(h.db)).toHaveLength(1);
  });
});

describe('changing a branch', () => {
  it('drops the answer of a step that no longer applies', async () => {
    // A save that refuses individuals and reopens the holder step, leaving holderName behind.
    const onlyCollective = {
      ...sampleFlow,
      save: (s: Parameters<typeof sampleFlow.save>[0]) => {
        if (s.answers.holder === 'individual') throw new FlowError('Năm nay chỉ nhận mô hình tập thể.', 'holder');
        return sampleFlow.save(s);
      },
    };
    await harness({ flows: [onlyCollective] });
    await h.say('Lan', '/thu');
    for (const answer of ['cá nhân', 'Trần Thị Mai', '1', 'Mô hình cá nhân', '1/2', '1/3', 'bỏ qua']) await h.say('Lan', answer);
    expect(await h.text('Lan', '1')).toContain('⚠️ Năm nay chỉ nhận mô hình tập thể.\n\n(1/6) Mô hình của tập thể hay cá nhân?');
    const summary = await h.text('Lan', 'tập thể');
    expect(summary).toContain('Mời bạn kiểm tra lại');
    expect(summary).not.toContain('Tên cá nhân');
    await h.say('Lan', '1');
    expect(savedSamples(h.db)).toHaveLength(1);
    expect(savedSamples(h.db)[0]).not.toHaveProperty('holderName');
    expect(savedSamples(h.db)[0]).toMatchObject({ holder: 'collective', name: 'Mô hình cá nhân' });
  });
});

describe('an upgrade in the middle of a conversation', () => {
  it('a step that no longer exists ends the conversation kindly, listing what was typed', async () => {
    await harness();
    await h.say('Lan', '/thu');
    await h.say('Lan', 'cá nhân');
    await h.say('Lan', 'Trần Thị Mai');
    // The next release renamed the step the person is on.
    h.db.update(conversations).set({ step: 'renamed' }).run();
    const reply = await h.text('Lan', 'kinh tế');
    expect(reply).toContain('Bot vừa được cập nhật nên thao tác bạn đang làm dở phải làm lại; chưa có gì được lưu.');
    expect(reply).toContain('• Chủ thể: Cá nhân\n• Tên cá nhân: Trần Thị Mai');
    expect(reply).toContain('Gõ /thu để làm lại.');
    expect(h.db.select().from(conversations).all()).toEqual([]);
    expect(await h.text('Lan', '/thu')).toContain('(1/6)');
  });

  it('a flow that no longer exists is cancelled without an error', async () => {
    await harness();
    await h.say('Lan', '/thu');
    h.db.update(conversations).set({ flow: 'gone' }).run();
    expect(await h.text('Lan', 'tập thể')).toBe('Bot vừa được cập nhật nên thao tác bạn đang làm dở phải làm lại; chưa có gì được lưu.');
    await h.say('Lan', '/thu');
    h.db.update(conversations).set({ flow: 'gone' }).run();
    expect(await h.text('Lan', '/huy')).toBe('Đã hủy. Chưa có gì được lưu.');
  });

  it('a conversation saved by another version of its flow ends kindly, naming the flow and listing what was typed', async () => {
    const release: Flow[] = [sampleFlow];
    await harness({ flows: release });
    await h.say('Lan', '/thu');
    await h.say('Lan', 'cá nhân');
    await h.say('Lan', 'Trần Thị Mai');
    expect(h.db.select().from(conversations).get()!.context).toMatchObject({ flowVersion: 1 });
    // The next release changed the flow's questions and raised its version.
    release[0] = { ...sampleFlow, version: 2 };
    await h.restart();
    expect(await h.text('Lan', 'kinh tế')).toBe(
      'Bot vừa được cập nhật và các câu hỏi khi đăng ký thử đã thay đổi, nên thao tác bạn đang làm dở phải làm lại; chưa có gì được lưu.\n' +
        'Những gì bạn đã nhập:\n• Chủ thể: Cá nhân\n• Tên cá nhân: Trần Thị Mai\nGõ /thu để làm lại.',
    );
    expect(h.db.select().from(conversations).all()).toEqual([]);
    expect(savedSamples(h.db)).toHaveLength(0);
    // The command starts the new version afresh.
    expect(await h.text('Lan', '/thu')).toBe('(1/6) Mô hình của tập thể hay cá nhân?');
    expect(h.db.select().from(conversations).get()!.context).toMatchObject({ flowVersion: 2 });
  });

  it('the command typed over an older version’s conversation tells what was typed, then starts the new one', async () => {
    const release: Flow[] = [sampleFlow];
    await harness({ flows: release });
    await h.say('Lan', '/thu');
    await h.say('Lan', 'tập thể');
    release[0] = { ...sampleFlow, version: 2 };
    await h.restart();
    const replies = (await h.say('Lan', '/thu')).map((r) => r.text);
    expect(replies).toEqual([
      'Bot vừa được cập nhật và các câu hỏi khi đăng ký thử đã thay đổi, nên thao tác bạn đang làm dở phải làm lại; chưa có gì được lưu.\nNhững gì bạn đã nhập:\n• Chủ thể: Tập thể\nGõ /thu để làm lại.',
      '(1/6) Mô hình của tập thể hay cá nhân?',
    ]);
    expect(h.db.select().from(conversations).get()!.answers).toEqual({});
  });

  it('a conversation saved before flows had versions goes on as version 1', async () => {
    await harness();
    await h.say('Lan', '/thu');
    await h.say('Lan', 'tập thể');
    h.db.update(conversations).set({ context: {} }).run();
    expect(await h.text('Lan', 'kinh tế')).toContain('(3/6) Tên mô hình là gì?');
  });
});

describe('a step answered with files', () => {
  const photoFlow: Flow = {
    id: 'anh',
    command: 'anh',
    title: 'gửi ảnh',
    version: 1,
    steps: [
      { key: 'note', label: 'Ghi chú', prompt: 'Ghi chú?', schema: textAnswer({ max: 50 }) },
      { key: 'files', label: 'Ảnh, tệp', prompt: 'Gửi ảnh hoặc tệp?', attachment: true, optional: true },
    ],
    save: (s) => {
      recordAudit(s.db, SYSTEM_ACTOR, s.now, { action: 'test.saved', entity: 'anh', after: s.answers });
      return 'Đã lưu.';
    },
  };
  const anhCommand = { ...sampleCommand, name: 'anh', run: async (ctx: CommandContext) => ctx.conversations.start('anh', ctx) };

  it('takes the files sent with the message, refuses text alone, and can be skipped', async () => {
    h = await Harness.create({ commands: [...COMMANDS, anhCommand], flows: [photoFlow] });
    await h.say('Lan', '/anh');
    await h.say('Lan', 'Phiên chợ tháng 3');
    expect(await h.text('Lan', 'ảnh đây')).toContain('⚠️ Bạn gửi ảnh hoặc tệp kèm theo, hoặc gõ "bỏ qua" nếu không có.');
    const photo = { kind: 'photo' as const, ref: 'file-id-1', fileName: 'cho-phien.jpg' };
    const summary = await h.text('Lan', '', { attachments: [photo] });
    expect(summary).toContain('(2) Ảnh, tệp: 1 tệp: cho-phien.jpg');
    await h.say('Lan', '1');
    expect(savedSamples(h.db)).toEqual([{ note: 'Phiên chợ tháng 3', files: [photo] }]);

    await h.say('Lan', '/anh');
    await h.say('Lan', 'Không ảnh');
    expect(await h.text('Lan', 'bỏ qua')).toContain('(2) Ảnh, tệp: (không có)');
  });

  it('with the limit on, text sent again and again where files are asked is re-asked three times, then told once to slow down', async () => {
    h = await Harness.create({ commands: [...COMMANDS, anhCommand], flows: [photoFlow], limitCommands: true });
    await h.say('Lan', '/anh');
    await h.say('Lan', 'Phiên chợ tháng 3');
    const replies = [];
    for (let i = 0; i < 20; i++) replies.push(...(await h.say('Lan', 'ảnh đây')));
    expect(replies.map((r) => r.text.split('\n')[0])).toEqual([
      ...Array.from({ length: 3 }, () => '⚠️ Bạn gửi ảnh hoặc tệp kèm theo, hoặc gõ "bỏ qua" nếu không có.'),
      '@Lan: bạn trả lời nhanh quá, vui lòng đợi 20 giây, đọc kỹ câu hỏi rồi trả lời lại.',
    ]);
    // The files, when they come, are taken at once.
    const photo = { kind: 'photo' as const, ref: 'file-id-1', fileName: 'cho-phien.jpg' };
    expect(await h.text('Lan', '', { attachments: [photo] })).toContain('(2) Ảnh, tệp: 1 tệp: cho-phien.jpg');
  });

  it('files answered in a flow that no longer exists are listed as files', async () => {
    h = await Harness.create({ commands: [...COMMANDS, anhCommand], flows: [photoFlow] });
    await h.say('Lan', '/anh');
    await h.say('Lan', 'Phiên chợ tháng 3');
    await h.say('Lan', '', { attachments: [{ kind: 'photo', ref: 'file-id-1', fileName: 'cho-phien.jpg' }] });
    h.db.update(conversations).set({ flow: 'gone' }).run();
    const reply = await h.text('Lan', '1');
    expect(reply).toContain('• Phiên chợ tháng 3\n• 1 tệp: cho-phien.jpg');
    expect(reply).not.toContain('[object Object]');
  });
});

describe('continuing a group conversation in a private chat', () => {
  it('a long flow started in a group offers a one-time hand-off; /start <token> moves it, answers kept', async () => {
    await harness();
    await h.say('Lan', '/thu');
    const first = h.sent.at(-1)!;
    const token = first.reply.prompt!.handoff!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{16}$/);
    await h.say('Lan', 'tập thể');
    expect(h.sent.at(-1)!.reply.prompt!.handoff).toBeUndefined(); // offered once, not on every question

    // Someone else cannot take it over with the same link.
    expect(await h.text('Bình', `/start ${token}`, { private: true })).toBe('Liên kết này đã hết hạn hoặc không dành cho bạn. Gõ /huongdan để xem các lệnh.');
    const moved = await h.text('Lan', `/start ${token}`, { private: true });
    expect(moved).toContain('Mình tiếp tục ở đây nhé; những gì bạn đã trả lời trong nhóm vẫn được giữ.');
    expect(moved).toContain('(2/6) Mô hình thuộc lĩnh vực nào?');
    expect(h.sent.at(-1)!.chat).toMatchObject({ kind: 'private', id: 'private:Lan' });

    // The group no longer holds it; the private chat does.
    expect(await h.say('Lan', 'Kinh tế')).toEqual([]);
    for (const answer of ['Kinh tế', 'Tên mô hình riêng', '1/2', '1/3', 'bỏ qua', '1']) await h.say('Lan', answer, { private: true });
    expect(savedSamples(h.db)).toEqual([expect.objectContaining({ holder: 'collective', field: 'f1', name: 'Tên mô hình riêng' })]);
  });

  it('/start without a token is the help, and a flow in a private chat offers no hand-off', async () => {
    await harness();
    expect(await h.text('Lan', '/start', { private: true })).toContain('Các lệnh bạn dùng được');
    await h.say('Lan', '/thu', { private: true });
    expect(h.sent.at(-1)!.reply.prompt!.handoff).toBeUndefined(); // already private
  });
});
