import { afterEach, describe, expect, it } from 'vitest';
import type { ChatRef, Reply } from '../../bot/chat.js';
import { plainText } from '../../bot/chat.js';
import { silentLogger } from '../../bot/logger.js';
import { COMMANDS } from '../../commands/index.js';
import { conversations } from '../../db/schema.js';
import { lapsedConversationsJob } from '../../scheduler/lapsedConversations.js';
import { Ticker } from '../../scheduler/ticker.js';
import { Harness } from '../helpers/harness.js';
import { sampleCommand, sampleFlow } from '../helpers/sampleFlow.js';

let h: Harness;
afterEach(() => h?.close());

async function lapsedSetup() {
  // Tuesday 10/03/2026 09:00 in Vietnam; conversations live 30 minutes.
  h = await Harness.create({ commands: [...COMMANDS, sampleCommand], flows: [sampleFlow], ttlMinutes: 30 });
  await h.say('Lan', '/thu');
  await h.say('Lan', 'tập thể');
  await h.say('Lan', 'kinh tế');
  const delivered: { chat: ChatRef; reply: Reply }[] = [];
  const job = (fail = false) =>
    lapsedConversationsJob({
      db: h.db,
      conversations: h.core.conversations,
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
  it('tells the owner in their group, mentioning them, with what they typed, then forgets it', async () => {
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
    expect(text).toContain('• Chủ thể: Tập thể\n• Lĩnh vực: Kinh tế');
    expect(h.db.select().from(conversations).all()).toEqual([]);

    await job().run(h.clock.now());
    expect(delivered).toHaveLength(1); // told once
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
    expect(h.db.select().from(conversations).all()).toEqual([]);
  });
});

describe('Ticker', () => {
  it('runs every job with the clock’s now, and one failing job does not stop the others', async () => {
    h = await Harness.create();
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
