import { capturingLogger } from '../helpers/logs.js';
import { describe, expect, it } from 'vitest';
import type { ChatRef, Reply } from '../../core/chat.js';
import type { ConversationRow } from '../../db/conversations.js';
import type { Caller } from '../../db/people.js';
import { plainText } from '../../core/chat.js';
import { silentLogger } from '../../bot/logger.js';
import { COMMANDS } from '../../commands/index.js';
import { conversations } from '../../db/schema.js';
import { lapsedConversationsJob } from '../../scheduler/lapsedConversations.js';
import { Ticker } from '../../scheduler/ticker.js';
import { emptyPerTest, type Harness } from '../helpers/harness.js';
import { sampleCommand, sampleFlow } from '../helpers/sampleFlow.js';

let h: Harness;
const empty = emptyPerTest();

async function lapsedSetup() {
  // Tuesday 10/03/2026 09:00 in Vietnam; conversations live 30 minutes.
  h = await empty({ commands: [...COMMANDS, sampleCommand], flows: [sampleFlow], ttlMinutes: 30 });
  return lapsedTail();
}

/** Lan's conversation in the test group, and a job that records what it sends. */
async function lapsedTail() {
  await h.say('Lan', '/thu');
  await h.say('Lan', 'tập thể');
  await h.say('Lan', 'kinh tế');
  const delivered: { chat: ChatRef; reply: Reply }[] = [];
  const job = (fail = false) =>
    lapsedConversationsJob({
      db: h.db,
      lapseNotice: (...args) => h.core.conversations.lapseNotice(...args),
      log: silentLogger,
      deliver: async (chat, reply) => {
        if (fail) throw new Error('platform down');
        delivered.push({ chat, reply });
        return { messageId: 'x' };
      },
    });
  return { delivered, job };
}

describe('lapsed conversations', () => {
  it('tells the owner in their group, mentioning them, with what they typed and /tieptuc; keeps it a day, then forgets it', async () => {
    const { delivered, job } = await lapsedSetup();
    await job().run(h.clock.now());
    expect(delivered).toEqual([]); // not lapsed yet

    h.clock.advance(31 * 60_000);
    await job().run(h.clock.now());
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.chat).toMatchObject({ platform: 'console', id: 'Nhóm thử', kind: 'group' });
    const parts = delivered[0]!.reply.text as Exclude<Reply['text'], string>;
    expect(parts[0]).toEqual({ mention: { platformUserId: 'Lan', displayName: 'Lan', username: undefined } });
    const text = plainText(parts);
    expect(text).toContain('@Lan Phiên đăng ký thử của bạn đã hết hạn');
    expect(text).toContain(
      '• Chủ thể: Tập thể\n• Lĩnh vực: Kinh tế\nGõ /tieptuc để làm tiếp từ chỗ đã dừng (trong vòng một ngày), hoặc /thu để làm lại từ đầu.',
    );
    // Kept, marked lapsed, for the day /tieptuc may take it up.
    const kept = h.db.select().from(conversations).all();
    expect(kept).toHaveLength(1);
    expect(kept[0]!.context.lapsedAt).toBe(h.clock.now().getTime());
    expect(kept[0]!.expiresAt).toBe(h.clock.now().getTime() + 24 * 60 * 60_000);

    await job().run(h.clock.now());
    h.clock.advance(23 * 60 * 60_000);
    await job().run(h.clock.now());
    expect(delivered).toHaveLength(1); // told once
    expect(h.db.select().from(conversations).all()).toHaveLength(1);
    h.clock.advance(60 * 60_000);
    await job().run(h.clock.now());
    expect(delivered).toHaveLength(1); // forgotten without a second notice
    expect(h.db.select().from(conversations).all()).toEqual([]);
  });

  it('waits for working hours and keeps the answers while the platform cannot be reached', async () => {
    const { delivered, job } = await lapsedSetup();
    h.clock.set('2026-03-10T21:00:00+07:00');
    await job().run(h.clock.now());
    h.clock.set('2026-03-14T10:00:00+07:00'); // Saturday
    await job().run(h.clock.now());
    expect(delivered).toEqual([]);
    expect(h.db.select().from(conversations).all()).toHaveLength(1);

    h.clock.set('2026-03-16T10:00:00+07:00'); // Monday
    await job(true).run(h.clock.now());
    expect(h.db.select().from(conversations).all()).toHaveLength(1);
    await job().run(h.clock.now());
    expect(delivered).toHaveLength(1);
    expect(h.db.select().from(conversations).get()!.context).toHaveProperty('lapsedAt');
  });
});

/** A logger whose lines the test reads. */
/** A conversation row as an older release left it: written directly, not through the engine. */
function leftByOldRelease(userId: string, chatId: string, flow: string, answers: Record<string, unknown>) {
  const now = h.clock.now().getTime();
  h.db
    .insert(conversations)
    .values({ platform: 'console', chatId, userId, flow, step: 'ten', answers, context: {}, startedAt: now, updatedAt: now, expiresAt: now + 30 * 60_000 })
    .run();
}

describe('lapsed conversations left by an older release, and rows that fail', () => {
  const photo = { kind: 'photo', ref: 'file-id-1', fileName: 'anh-cu.jpg' };

  it('a row whose flow no longer exists is cleaned, its owner gets what they typed as text, and the next row is still told', async () => {
    h = await empty({ commands: [...COMMANDS, sampleCommand], flows: [sampleFlow], ttlMinutes: 30 });
    await h.say('Minh', '/huongdan'); // Minh and the group are known to the bot
    // First in the table, so the job meets it before the valid one.
    leftByOldRelease('Minh', 'Nhóm thử', 'dangky_cu', { loai: 'dvk', ten: 'Mô hình cũ của Minh', anh: [photo], ghichu: null });
    const { delivered, job } = await lapsedTail();
    h.clock.advance(31 * 60_000);
    await job().run(h.clock.now());

    expect(delivered.map((d) => d.chat.id)).toEqual(['Nhóm thử', 'Nhóm thử']);
    const [minh, lan] = delivered.map((d) => d.reply.text as Exclude<Reply['text'], string>);
    expect(minh![0]).toEqual({ mention: { platformUserId: 'Minh', displayName: 'Minh', username: undefined } });
    expect(plainText(minh!)).toBe(
      '@Minh Thao tác bạn đang làm dở đã hết hạn, nên chưa có gì được lưu.\n' +
        'Đây là những gì bạn đã nhập, để bạn khỏi phải gõ lại:\n' +
        '• dvk\n• Mô hình cũ của Minh\n• 1 tệp: anh-cu.jpg\n' +
        'Gõ /huongdan để xem các lệnh.',
    );
    expect(plainText(lan!)).toContain('@Lan Phiên đăng ký thử của bạn đã hết hạn');
    // Minh's cannot be taken up again, so it is gone; Lan's is kept a day for /tieptuc.
    expect(
      h.db
        .select()
        .from(conversations)
        .all()
        .map((r) => r.userId),
    ).toEqual(['Lan']);
  });

  it('an answer to a step this release no longer has is listed as typed', async () => {
    const { delivered, job } = await lapsedSetup();
    const row = h.db.select().from(conversations).get()!;
    h.db
      .update(conversations)
      .set({ answers: { ...row.answers, tenCu: 'Tên đặt theo bản cũ' } })
      .run();
    h.clock.advance(31 * 60_000);
    await job().run(h.clock.now());
    expect(delivered).toHaveLength(1);
    expect(plainText(delivered[0]!.reply.text)).toContain('• Chủ thể: Tập thể\n• Lĩnh vực: Kinh tế\n• Tên đặt theo bản cũ\nGõ /tieptuc để làm tiếp');
  });

  it('a row whose notice or send throws is logged by ids and kept; the others in the same run are told', async () => {
    h = await empty({ commands: [...COMMANDS, sampleCommand], flows: [sampleFlow], ttlMinutes: 30 });
    for (const [who, group] of [
      ['Minh', 'Nhóm thử'],
      ['Hà', 'Nhóm B'],
    ] as const) {
      await h.say(who, '/thu', { group });
      await h.say(who, 'Tập thể', { group });
    }
    await h.say('Lan', '/thu');
    await h.say('Lan', 'cá nhân');
    await h.say('Lan', 'Trần Thị Mai');
    const engine = h.core.conversations;
    // Minh's notice cannot be built (whatever the cause); Hà's group cannot be reached.
    const lapseNotice = (row: ConversationRow, caller: Caller, now: Date, chat: ChatRef) => {
      if (row.userId === 'Minh') throw new Error('notice broken');
      return engine.lapseNotice(row, caller, now, chat);
    };
    const { log, lines } = capturingLogger();
    const delivered: ChatRef[] = [];
    const job = lapsedConversationsJob({
      db: h.db,
      lapseNotice,
      log,
      deliver: async (chat) => {
        if (chat.id === 'Nhóm B') throw new Error('platform down');
        delivered.push(chat);
        return { messageId: 'x' };
      },
    });
    h.clock.advance(31 * 60_000);
    await job.run(h.clock.now());

    expect(delivered.map((c) => c.id)).toEqual(['Nhóm thử']);
    expect(
      h.db
        .select()
        .from(conversations)
        .all()
        .map((r) => r.userId),
    ).toEqual(['Minh', 'Hà', 'Lan']);
    // Only Lan's was told, and is kept marked for /tieptuc; the other two wait for the next run.
    expect(
      h.db
        .select()
        .from(conversations)
        .all()
        .map((r) => 'lapsedAt' in r.context),
    ).toEqual([false, false, true]);
    expect(lines.map((l) => [l.msg, (l.err as { message: string }).message, l.chat])).toEqual([
      ['could not handle a lapsed conversation', 'notice broken', 'Nhóm thử'],
      ['could not handle a lapsed conversation', 'platform down', 'Nhóm B'],
    ]);
    // Ids and the error only: nothing anyone typed.
    expect(JSON.stringify(lines)).not.toMatch(/Tập thể|collective|Trần Thị Mai/);
  });
});

describe('Ticker', () => {
  it('runs every job with the clock’s now, and one failing job does not stop the others', async () => {
    h = await empty();
    const seen: string[] = [];
    const ticker = new Ticker({
      clock: h.clock,
      log: silentLogger,
      jobs: [
        { name: 'broken', run: async () => Promise.reject(new Error('boom')) },
        { name: 'ok', run: async (now) => void seen.push(now.toISOString()) },
      ],
    });
    await ticker.tick();
    expect(seen).toEqual(['2026-03-10T02:00:00.000Z']);
    expect(ticker.lastTickAt?.toISOString()).toBe('2026-03-10T02:00:00.000Z');
  });
});
