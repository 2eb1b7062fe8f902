import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserMessage } from 'zca-js';
import { type Core, createCore } from '../../bot/app.js';
import { type ChatAdapter, type Deliver, type Platform, sendRatesOf } from '../../core/chat.js';
import type { Clock } from '../../core/clock.js';
import { silentLogger } from '../../bot/logger.js';
import { TelegramAdapter } from '../../bot/telegram/adapter.js';
import { ZaloAdapter, type ZaloApiLike } from '../../bot/zalo/adapter.js';
import { SendQueue } from '../../bot/zalo/sendQueue.js';
import { COMMANDS } from '../../commands/index.js';
import { SYSTEM_ACTOR } from '../../db/audit.js';
import { recordChatPresence } from '../../db/chats.js';
import type { Db } from '../../db/client.js';
import { resolveCaller } from '../../db/people.js';
import { grantRole } from '../../db/roles.js';
import { chats, progressUpdates, reminderOutbox } from '../../db/schema.js';
import { queueReminder } from '../helpers/outbox.js';
import { seedDemo } from '../../db/seed/demo.js';
import { unitByCode } from '../../db/unitAdmin.js';
import { DaysOff } from '../../scheduler/daysOff.js';
import { ReminderSender } from '../../scheduler/reminderSender.js';
import { DEFAULT_QUIET_HOURS } from '../../scheduler/reminderSlots.js';
import { Ticker } from '../../scheduler/ticker.js';
import { BOT_INFO } from '../../bench/fakes/telegram.js';
import { groupMessage, person, supergroup } from '../helpers/telegramUpdates.js';
import { botApiFetch } from '../../bench/fakes/telegram.js';
import { userMessageData } from '../../bench/fakes/zalo/messages.js';
import { FAKE_ZALO_OWN_ID, FakeZaloApi } from '../helpers/fakeZaloApi.js';

/**
 * Telegram down for twenty minutes while Zalo keeps working, with both adapters wired as main.ts
 * wires them (one `deliver` routing by platform, one reminder sender, a ticker draining it every
 * minute) over one SQLite file. Telegram is grammY's real client (runner, auto-retry, the
 * adapter) against a fake Bot API behind its `fetch` option that answers 502 or refuses the
 * connection while "down"; Zalo is the adapter over a fake zca-js API.
 *
 * Minutes are simulated: vitest's fake timers drive every timer (grammY's and auto-retry's
 * back-offs, the runner's retries, the rate limiters) and Date, and the bot's clock reads that
 * same Date; `minutes(n)` moves it one minute at a time and ticks the scheduler after each, as
 * node-cron would. "Promptly" means: handled before any simulated time passes at all.
 */

const NOW = '2026-03-10T09:00:00+07:00'; // a Tuesday: a working day, inside the sending hours
const MINUTE = 60_000;
const TOKEN = '7000111222:AAH-test-token-not-real';
const TELEGRAM_GROUPS = [-1002000000011, -1002000000012, -1002000000013];
const ZALO_GROUPS = ['5100000000000000011', '5100000000000000012', '5100000000000000013'];
/** Zalo groups whose reminders fall due ten minutes into the outage. */
const ZALO_LATER = ['5100000000000000021', '5100000000000000022'];
const ZALO_OWN_ID = FAKE_ZALO_OWN_ID;
/** Lê Minh Châu, officer of Xã Cẩm Xuyên, talks to the bot in a private Zalo chat. */
const CHAU = { id: '7234567890123456789', name: 'Lê Minh Châu' };
/** Another officer of Cẩm Xuyên, seen in the unit's Telegram group: notices go there too. */
const TELEGRAM_UNIT_GROUP = supergroup(-1001234567890, 'Dân vận khéo xã Cẩm Xuyên');
const THU = person(6234567890, 'Thu', 'Trần Thị');

type Mode = 'up' | 'bad-gateway' | 'refused';

/**
 * The Bot API behind grammY's `fetch`: up, answering 502, or refusing connections. Its own fake
 * rather than FakeTelegram (tests/helpers/telegramBot.ts), which answers at once and is fed
 * through `handleUpdate`: here grammY must poll, and each poll waits in the simulated time.
 */
class FlakyTelegram {
  mode: Mode = 'up';
  /** Messages Telegram accepted, in order. */
  readonly delivered: Array<{ chatId: number; text: string; at: number }> = [];
  /** Calls that failed because Telegram was down, by method. */
  readonly failed = new Map<string, number>();
  private readonly updates: Update[] = [];
  private offset = 0;
  private wake?: () => void;
  private nextMessageId = 7001;

  push(update: Update): void {
    this.updates.push(update);
    this.wake?.();
  }

  readonly fetch = botApiFetch(async ({ method, payload, signal }) => {
    if (this.mode !== 'up') {
      this.failed.set(method, (this.failed.get(method) ?? 0) + 1);
      // What undici throws when nothing listens on the port.
      if (this.mode === 'refused')
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 149.154.167.220:443'), { code: 'ECONNREFUSED' }) });
      return { ok: false, error_code: 502, description: 'Bad Gateway' };
    }
    if (method === 'getUpdates') return { ok: true, result: await this.poll(payload, signal) };
    if (method === 'sendMessage') {
      const chatId = Number(payload.chat_id);
      const text = String(payload.text ?? '').replace(/<[^>]*>/g, '');
      this.delivered.push({ chatId, text, at: Date.now() });
      return { ok: true, result: { message_id: this.nextMessageId++, chat: { id: chatId, type: 'supergroup' }, date: Math.floor(Date.now() / 1000), text } };
    }
    return { ok: true, result: true };
  });

  /** A long poll: what is new from `offset`, or a wait for news (30 s at most, as asked). */
  private async poll(payload: Record<string, unknown>, signal: AbortSignal | undefined): Promise<Update[]> {
    this.offset = Math.max(this.offset, Number(payload.offset ?? 0));
    const fresh = () => this.updates.filter((u) => u.update_id >= this.offset);
    if (fresh().length === 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, Number(payload.timeout ?? 0) * 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('aborted'));
        });
      });
    }
    return fresh();
  }
}

let zaloSeq = 7102345678901234000n;

/** A message someone sends the bot's Zalo account in a private chat. */
function zaloMessage(from: { id: string; name: string }, text: string): UserMessage {
  return new UserMessage(ZALO_OWN_ID, userMessageData(from, { content: text }, String(zaloSeq++)));
}

/** One reminder due at `notBefore` for a new group on `platform`, as the planner leaves it in the outbox. */
function remind(db: Db, platform: Platform, chatId: string, notBefore: Date, text: string): number {
  const at = notBefore.getTime();
  const chat = db
    .insert(chats)
    .values({ platform, platformChatId: chatId, kind: 'group', title: `Nhóm ${chatId}`, createdAt: at, updatedAt: at })
    .returning({ id: chats.id })
    .get();
  return queueReminder(db, chat.id, { notBefore, text, date: '2026-03-31' });
}

/** Whether `work` settles while no simulated time passes (only I/O callbacks and promises run). */
async function settlesWithoutTime(work: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void work.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 200 && !settled; i++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

let core: Core | undefined;
let dir: string | undefined;
let consoleError: ReturnType<typeof vi.spyOn> | undefined;
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  // Stopped in simulated time first (a stop waits for work in flight), then given up on.
  for (const stop of stops.splice(0)) await Promise.race([stop(), vi.advanceTimersByTimeAsync(60 * MINUTE)]);
  vi.useRealTimers();
  vi.restoreAllMocks();
  core?.close();
  core = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function world() {
  vi.useFakeTimers({ now: new Date(NOW), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  // Failed polls are the adapter's to log (silently here); nothing may reach the console.
  consoleError = vi.spyOn(console, 'error');
  dir = mkdtempSync(join(tmpdir(), 'dvk-platform-down-'));
  const clock: Clock = { now: () => new Date() };

  // As main.ts: every send to a chat goes through the adapter of the chat's platform.
  const adapters = new Map<Platform, ChatAdapter>();
  const deliver: Deliver = (chat, r) => {
    const adapter = adapters.get(chat.platform);
    return adapter ? adapter.send(chat, r) : Promise.reject(new Error(`no adapter for ${chat.platform}`));
  };
  core = await createCore({ dbPath: join(dir, 'dvk.sqlite'), clock, log: silentLogger, flowTtlMinutes: 24 * 60, deliver });
  const db = core.database.db;
  seedDemo(db, clock.now());
  const camxuyen = unitByCode(db, 'CAMXUYEN')!.id;
  for (const [platform, who] of [
    ['zalo', { id: CHAU.id, displayName: CHAU.name }],
    ['telegram', { id: String(THU.id), displayName: 'Trần Thị Thu' }],
  ] as const) {
    const caller = resolveCaller(db, platform, who, clock.now());
    db.transaction((tx) => grantRole(tx, { personId: caller.personId, role: 'officer', unitId: camxuyen }, SYSTEM_ACTOR, clock.now()));
    if (platform === 'telegram') {
      recordChatPresence(db, { platform, id: String(TELEGRAM_UNIT_GROUP.id), kind: 'group', title: TELEGRAM_UNIT_GROUP.title }, caller.personId, clock.now());
    }
  }

  const telegramApi = new FlakyTelegram();
  const telegram = new TelegramAdapter({
    token: TOKEN,
    hooks: core.hooks,
    log: silentLogger,
    commands: COMMANDS.filter((c) => c.listed !== false),
    botInfo: BOT_INFO,
    client: { fetch: telegramApi.fetch },
  });
  const zaloApi = new FakeZaloApi();
  const zalo = new ZaloAdapter({
    login: async () => zaloApi as unknown as ZaloApiLike,
    hooks: core.hooks,
    log: silentLogger,
    // One send at a time as in production; no pacing gap, which is not what this test is about.
    queue: new SendQueue({ minGapMs: 0, backoffMs: [], fileTimeoutMs: 60_000, log: silentLogger }),
    sleep: async () => undefined,
    onStopped: () => undefined,
  });
  adapters.set('telegram', telegram);
  adapters.set('zalo', zalo);
  const running = [telegram, zalo].map((adapter) => adapter.start(core!.dispatcher.handle).catch((error: unknown) => error));
  stops.push(async () => {
    await Promise.all([telegram.stop(), zalo.stop()]);
    await Promise.all(running);
  });

  const sender = new ReminderSender({
    db,
    deliver,
    log: silentLogger,
    clock,
    daysOff: new DaysOff(),
    quiet: DEFAULT_QUIET_HOURS,
    limits: sendRatesOf(adapters.values()),
  });
  stops.push(() => sender.stop());
  // The reminders job as main schedules it: every minute, the drain runs in the background.
  const ticker = new Ticker({ clock, log: silentLogger, jobs: [{ name: 'reminders', run: async () => void sender.drain() }] });

  /** Lets `n` simulated minutes pass, the scheduler ticking after each. */
  const minutes = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await vi.advanceTimersByTimeAsync(MINUTE);
      await ticker.tick();
    }
  };

  /** Chau writes `text` to the bot on Zalo; whether the bot was done with it before any time passed, and what it said. */
  const sayOnZalo = async (text: string) => {
    const before = zaloApi.sent.length;
    zaloApi.listener.emit('message', zaloMessage(CHAU, text));
    const prompt = await settlesWithoutTime(zalo.idle());
    return {
      prompt,
      replies: zaloApi.sent
        .slice(before)
        .filter((s) => s.threadId === CHAU.id)
        .map((s) => s.text),
    };
  };

  const outbox = () =>
    db
      .select({ id: reminderOutbox.id, status: reminderOutbox.status, chat: chats.platformChatId })
      .from(reminderOutbox)
      .innerJoin(chats, eq(chats.id, reminderOutbox.chatId))
      .all();

  await vi.advanceTimersByTimeAsync(0); // both adapters up: Zalo listening, Telegram polling
  return { db, clock, telegramApi, zaloApi, telegram, zalo, sender, ticker, minutes, sayOnZalo, outbox };
}

describe('Telegram down for minutes while Zalo keeps working', () => {
  it.each([
    ['answers 502 Bad Gateway', 'bad-gateway'],
    ['refuses connections', 'refused'],
  ] as const)(
    'Telegram %s for 20 minutes: Zalo is answered at once and gets its reminders; Telegram’s go out once it is back, none twice',
    async (_label, outage) => {
      const { db, clock, telegramApi, zaloApi, ticker, minutes, sayOnZalo, outbox } = await world();
      const start = clock.now();
      const telegramRows = TELEGRAM_GROUPS.map((id, i) => remind(db, 'telegram', String(id), start, `Nhắc nhóm Telegram ${i + 1}`));
      const zaloRows = ZALO_GROUPS.map((id, i) => remind(db, 'zalo', id, start, `Nhắc nhóm Zalo ${i + 1}`));
      const laterRows = ZALO_LATER.map((id, i) => remind(db, 'zalo', id, new Date(start.getTime() + 10 * MINUTE), `Nhắc sau nhóm Zalo ${i + 1}`));

      // 09:00 Telegram goes down, just as the reminders fall due.
      telegramApi.mode = outage;
      await ticker.tick();
      await minutes(2);
      const zaloReminders = () => zaloApi.sent.filter((s) => s.text.startsWith('Nhắc'));
      expect(
        zaloReminders()
          .map((s) => s.threadId)
          .sort(),
      ).toEqual([...ZALO_GROUPS].sort());
      expect(telegramApi.delivered).toEqual([]);
      expect(telegramApi.failed.get('sendMessage')).toBeGreaterThan(0);
      const byId = () => new Map(outbox().map((r) => [r.id, r.status]));
      // Telegram's reminders failed and wait for another try; none is given up.
      for (const row of db.select().from(reminderOutbox).where(inArray(reminderOutbox.id, telegramRows)).all()) {
        expect(row).toMatchObject({ sentAt: null, lastError: expect.stringMatching(outage === 'refused' ? /Network request/ : /502/) });
        expect(['pending', 'claimed', 'sending']).toContain(row.status);
      }

      // 09:02 On Zalo, a whole /capnhat is answered message by message without waiting on
      // Telegram, though saving it (in a private chat) notifies the unit's Telegram group.
      const failedSends = telegramApi.failed.get('sendMessage')!;
      // 70% is down from the model's 100%: confirmed with “đồng ý” (issue 22).
      const steps = ['/capnhat DVK-2026-0001', 'Đã hoàn thiện 3 km đường hoa; 12 hộ chỉnh trang cổng ngõ.', '70%', 'đồng ý', 'bỏ qua', '1', '/hanchot'];
      const answers: string[][] = [];
      for (const text of steps) {
        const said = await sayOnZalo(text);
        expect(said.prompt, `Zalo answered “${text}” without waiting`).toBe(true);
        expect(said.replies.length, `a reply to “${text}”`).toBeGreaterThan(0);
        answers.push(said.replies);
      }
      expect(answers[5]!.join('\n')).toContain('✅ Đã ghi nhận tiến độ của DVK-2026-0001');
      expect(db.select().from(progressUpdates).where(eq(progressUpdates.text, steps[1]!)).all()).toHaveLength(1);
      // The notice was tried on Telegram, and is lost (logged) rather than waited for.
      expect(telegramApi.failed.get('sendMessage')).toBeGreaterThan(failedSends);

      // 09:10 More Zalo reminders fall due, Telegram still down: they go out all the same.
      await minutes(10);
      expect(
        zaloReminders()
          .map((s) => s.threadId)
          .sort(),
      ).toEqual([...ZALO_GROUPS, ...ZALO_LATER].sort());
      for (const id of [...zaloRows, ...laterRows]) expect(byId().get(id)).toBe('sent');
      expect(telegramApi.delivered).toEqual([]);

      // 09:20 Telegram is back; someone writes in the unit's Telegram group straight away.
      await minutes(8);
      telegramApi.mode = 'up';
      const backAt = Date.now();
      const question = groupMessage(TELEGRAM_UNIT_GROUP, THU, '/hanchot');
      telegramApi.push(question);
      const reminded = () => telegramApi.delivered.filter((d) => d.text.startsWith('Nhắc'));
      const answered = () => telegramApi.delivered.some((d) => d.chatId === TELEGRAM_UNIT_GROUP.id && d.text.includes('hạn'));
      const allSent = () => [...telegramRows, ...zaloRows, ...laterRows].every((id) => byId().get(id) === 'sent');
      // Polling is back within seconds; the reminders go at the next drain, and are marked sent once Telegram took them.
      for (let waited = 0; waited < 60 && !(reminded().length === TELEGRAM_GROUPS.length && answered() && allSent()); waited++) await minutes(1);

      // Each Telegram group got its reminder exactly once, after Telegram came back.
      expect(
        reminded()
          .map((d) => d.chatId)
          .sort(),
      ).toEqual([...TELEGRAM_GROUPS].sort());
      expect(reminded().every((d) => d.at >= backAt)).toBe(true);
      expect(answered()).toBe(true);
      // Polls went on every few seconds through the outage: the question is answered within the
      // first minute back (a growing back-off would have left the bot deaf for many more).
      const answer = telegramApi.delivered.find((d) => d.chatId === TELEGRAM_UNIT_GROUP.id && d.text.includes('hạn'))!;
      expect(answer.at - backAt).toBeLessThan(MINUTE);
      for (const id of [...telegramRows, ...zaloRows, ...laterRows]) expect(byId().get(id)).toBe('sent');
      // And nothing went twice anywhere: a few more minutes change nothing.
      const sentSoFar = [telegramApi.delivered.length, zaloApi.sent.length];
      await minutes(20);
      expect([telegramApi.delivered.length, zaloApi.sent.length]).toEqual(sentSoFar);
      expect(new Set(zaloReminders().map((s) => s.threadId)).size).toBe(zaloReminders().length);
      expect(consoleError).not.toHaveBeenCalled();
    },
  );
});
