import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/logger.js';
import { COMMANDS } from '../../commands/index.js';
import type { Flow } from '../../commands/shared/flow.js';
import { NOTHING_TO_RESUME } from '../../commands/tieptuc.js';
import { conversations } from '../../db/schema.js';
import { lapsedConversationsJob } from '../../scheduler/lapsedConversations.js';
import { Harness } from '../helpers/harness.js';
import { sampleCommand, sampleFlow, savedSamples } from '../helpers/sampleFlow.js';

/**
 * A lapsed conversation can be resumed (issue 22, item 3): the lapse notice offers /tieptuc for a
 * day, and /tieptuc takes the conversation up at the step where it stopped, with its answers.
 */

let h: Harness;

afterEach(() => h?.close());

const TTL = 30;
const DAY = 24 * 60 * 60_000;

async function harness(flows: Flow[] = [sampleFlow]) {
  h = await Harness.create({ commands: [...COMMANDS, sampleCommand], flows, ttlMinutes: TTL });
}

/** Lan answers three steps in the group, then goes quiet past the conversation's time. */
async function lapsedInGroup() {
  await h.say('Lan', '/thu');
  for (const answer of ['cá nhân', 'Trần Thị Mai', 'kinh tế']) await h.say('Lan', answer);
  h.clock.advance((TTL + 1) * 60_000);
}

const rows = () => h.db.select().from(conversations).all();

function job() {
  const delivered: string[] = [];
  const run = lapsedConversationsJob({
    db: h.db,
    lapseNotice: (...args) => h.core.conversations.lapseNotice(...args),
    log: silentLogger,
    deliver: async (_chat, reply) => {
      delivered.push(typeof reply.text === 'string' ? reply.text : reply.text.map((p) => (typeof p === 'string' ? p : `@${p.mention.displayName}`)).join(''));
      return { messageId: 'x' };
    },
  });
  return { delivered, run: () => run.run(h.clock.now()) };
}

describe('/tieptuc after a lapse', () => {
  it('the lapse notice offers it; it restores the step where the person stopped, with every answer, and the flow saves', async () => {
    await harness();
    await lapsedInGroup();
    const notice = await h.text('Lan', 'Chợ phiên muộn');
    expect(notice).toContain('Phiên đăng ký thử của bạn đã hết hạn');
    expect(notice).toContain('• Chủ thể: Cá nhân\n• Tên cá nhân: Trần Thị Mai\n• Lĩnh vực: Kinh tế');
    expect(notice).toContain('Gõ /tieptuc để làm tiếp từ chỗ đã dừng (trong vòng một ngày), hoặc /thu để làm lại từ đầu.');
    // While it waits, what Lan says in the group is chatter, not an answer.
    expect(await h.say('Lan', 'Chợ phiên muộn')).toEqual([]);

    h.clock.advance(3 * 60 * 60_000);
    expect(await h.text('Lan', '/tieptuc')).toBe(
      'Mình làm tiếp đăng ký thử từ chỗ bạn đã dừng; những gì bạn đã trả lời vẫn được giữ.\n\n(4/7) Tên mô hình là gì?',
    );
    expect(rows()).toHaveLength(1);
    expect(rows()[0]!.context).not.toHaveProperty('lapsedAt');
    for (const answer of ['Chợ phiên nghĩa tình', '1/4', '1/5']) await h.say('Lan', answer);
    expect(await h.text('Lan', 'bỏ qua')).toContain('(2) Tên cá nhân: Trần Thị Mai');
    await h.say('Lan', '1');
    expect(savedSamples(h.db)).toEqual([
      { holder: 'individual', holderName: 'Trần Thị Mai', field: 'f1', name: 'Chợ phiên nghĩa tình', start: '2026-04-01', end: '2026-05-01', note: null },
    ]);
  });

  it('after the scheduler’s notice it works for a day; after that, or with nothing lapsed, it says so kindly', async () => {
    await harness();
    expect(await h.text('Lan', '/tieptuc')).toBe(NOTHING_TO_RESUME);
    expect(NOTHING_TO_RESUME).toMatch(/^Không có câu trả lời nào đang chờ để làm tiếp\./);

    await lapsedInGroup();
    const { delivered, run } = job();
    await run();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatch(/^@Lan Phiên đăng ký thử của bạn đã hết hạn.*Gõ \/tieptuc để làm tiếp/s);
    h.clock.advance(DAY - 60_000);
    expect(await h.text('Lan', '/tieptuc')).toContain('(4/7) Tên mô hình là gì?');

    // Lapsed again, and this time left for more than a day.
    await h.say('Lan', 'Tên mô hình đủ dài');
    h.clock.advance((TTL + 1) * 60_000);
    await run();
    expect(delivered).toHaveLength(2);
    h.clock.advance(DAY + 60_000);
    expect(await h.text('Lan', '/tieptuc')).toBe(NOTHING_TO_RESUME);
    expect(rows()).toEqual([]);
  });

  it('a lapse nobody was told of yet is taken up too', async () => {
    await harness();
    await lapsedInGroup();
    expect(await h.text('Lan', '/tieptuc')).toContain('(4/7) Tên mô hình là gì?');
  });

  it('with a conversation under way here, it asks its current question again', async () => {
    await harness();
    await h.say('Lan', '/thu');
    await h.say('Lan', 'tập thể');
    const reply = await h.text('Lan', '/tieptuc');
    expect(reply).toContain('Bạn đang đăng ký thử dở dang.');
    expect(reply).toContain('(2/6) Mô hình thuộc lĩnh vực nào?');
  });

  it('in a private chat a lapsed group draft moves here; from another group, the person is told where it is', async () => {
    await harness();
    await lapsedInGroup();
    await h.say('Lan', 'ờ');
    expect(await h.text('Lan', '/tieptuc', { group: 'Nhóm B' })).toBe(
      'Phần đăng ký thử bạn đang làm dở ở nhóm “Nhóm thử”. Bạn gõ /tieptuc ở đó, hoặc nhắn riêng cho bot /tieptuc để làm tiếp trong tin nhắn riêng.',
    );
    expect(rows().map((r) => r.chatId)).toEqual(['Nhóm thử']);

    expect(await h.text('Lan', '/tieptuc', { private: true })).toContain('(4/7) Tên mô hình là gì?');
    expect(h.sent.at(-1)!.chat).toMatchObject({ kind: 'private', id: 'private:Lan' });
    expect(rows().map((r) => r.chatId)).toEqual(['private:Lan']);
    for (const answer of ['Chợ phiên riêng', '1/4', '1/5', 'bỏ qua', '1']) await h.say('Lan', answer, { private: true });
    expect(savedSamples(h.db)).toEqual([expect.objectContaining({ holderName: 'Trần Thị Mai', name: 'Chợ phiên riêng' })]);
  });

  it('someone else’s lapsed draft is never theirs to take up', async () => {
    await harness();
    await lapsedInGroup();
    expect(await h.text('Bình', '/tieptuc')).toBe(NOTHING_TO_RESUME);
    expect(await h.text('Bình', '/tieptuc', { private: true })).toBe(NOTHING_TO_RESUME);
    expect(rows().map((r) => [r.userId, r.chatId])).toEqual([['Lan', 'Nhóm thử']]);
  });

  it('in a private chat, writing to a lapsed conversation says how to take it up, and changes nothing', async () => {
    await harness();
    await h.say('Lan', '/thu', { private: true });
    await h.say('Lan', 'tập thể', { private: true });
    h.clock.advance((TTL + 1) * 60_000);
    expect(await h.text('Lan', 'kinh tế', { private: true })).toContain('Gõ /tieptuc để làm tiếp');
    const before = rows();
    expect(await h.text('Lan', 'kinh tế', { private: true })).toBe(
      'Phiên đăng ký thử của bạn đã hết hạn nên chưa có gì được lưu. Gõ /tieptuc để làm tiếp từ chỗ đã dừng (trong vòng một ngày), hoặc /thu để làm lại từ đầu.',
    );
    expect(rows()).toEqual(before);
    // /huy drops it.
    expect(await h.text('Lan', '/huy', { private: true })).toBe('Đã hủy đăng ký thử. Chưa có gì được lưu. Gõ /thu nếu muốn làm lại.');
    expect(await h.text('Lan', '/tieptuc', { private: true })).toBe(NOTHING_TO_RESUME);
  });

  it('a lapsed draft the bot was upgraded under ends kindly, listing what was typed', async () => {
    const release: Flow[] = [sampleFlow];
    await harness(release);
    await lapsedInGroup();
    await h.say('Lan', 'ờ');
    release[0] = { ...sampleFlow, version: 2 };
    await h.restart();
    expect(await h.text('Lan', '/tieptuc')).toBe(
      'Bot vừa được cập nhật và các câu hỏi khi đăng ký thử đã thay đổi, nên thao tác bạn đang làm dở phải làm lại; chưa có gì được lưu.\n' +
        'Những gì bạn đã nhập:\n• Chủ thể: Cá nhân\n• Tên cá nhân: Trần Thị Mai\n• Lĩnh vực: Kinh tế\nGõ /thu để làm lại.',
    );
    expect(rows()).toEqual([]);
  });
});

describe('starting a flow over a draft', () => {
  it('typing the command over a lapse nobody was told of tells it first, rather than dropping the answers', async () => {
    await harness();
    await lapsedInGroup();
    const reply = await h.text('Lan', '/thu');
    expect(reply).toContain('Phiên đăng ký thử của bạn đã hết hạn');
    expect(reply).toContain('Gõ /tieptuc để làm tiếp');
    expect(rows()[0]!.answers).toEqual({ holder: 'individual', holderName: 'Trần Thị Mai', field: 'f1' });
    // Told now: the command again begins afresh.
    expect(await h.text('Lan', '/thu')).toBe('(1/6) Mô hình của tập thể hay cá nhân?');
    expect(rows()[0]!.answers).toEqual({});
  });

  it('the same flow under way in a group: a private chat is told where it is and may bring it here with /tieptuc', async () => {
    await harness();
    await h.say('Lan', '/thu');
    await h.say('Lan', 'tập thể');
    expect(await h.text('Lan', '/thu', { private: true })).toBe(
      'Bạn đang đăng ký thử dở ở nhóm “Nhóm thử” (đã trả lời 1 câu). Bạn làm tiếp ở đó, gõ /tieptuc để làm tiếp ở đây, hoặc gõ /huy ở đó để hủy rồi gõ lại /thu.',
    );
    expect(rows().map((r) => r.chatId)).toEqual(['Nhóm thử']);
    expect(await h.text('Lan', '/tieptuc', { private: true })).toContain('(2/6) Mô hình thuộc lĩnh vực nào?');
    expect(rows().map((r) => [r.chatId, r.answers])).toEqual([['private:Lan', { holder: 'collective' }]]);
  });

  it('another flow under way elsewhere does not stop one from starting', async () => {
    const other: Flow = { ...sampleFlow, id: 'khac', command: 'khac', title: 'việc khác' };
    const khac = { ...sampleCommand, name: 'khac', run: sampleCommandFor('khac') };
    h = await Harness.create({ commands: [...COMMANDS, sampleCommand, khac], flows: [sampleFlow, other], ttlMinutes: TTL });
    await h.say('Lan', '/khac', { group: 'Nhóm A' });
    expect(await h.text('Lan', '/thu', { group: 'Nhóm B' })).toBe('(1/6) Mô hình của tập thể hay cá nhân?');
    expect(rows()).toHaveLength(2);
  });
});

function sampleCommandFor(flowId: string) {
  return async (ctx: Parameters<typeof sampleCommand.run>[0]) => ctx.conversations.start(flowId, ctx);
}
