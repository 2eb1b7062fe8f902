import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { ApiClientOptions } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { describe, expect, it, vi } from 'vitest';
import type { AdapterHooks, ChatAdapter, Platform } from '../../../core/chat.js';
import { ConsoleAdapter } from '../../../bot/console/adapter.js';
import { silentLogger } from '../../../bot/logger.js';
import { ProcessStatus } from '../../../bot/status.js';
import { TelegramAdapter } from '../../../bot/telegram/adapter.js';
import { ZaloAdapter, type ZaloApiLike } from '../../../bot/zalo/adapter.js';
import { durationText } from '../../../commands/admin/trangthai.js';
import { sizeText } from '../../../core/labels.js';
import { COMMANDS } from '../../../commands/index.js';
import { type OutboxStatus, reminderOutbox } from '../../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { Ticker } from '../../../scheduler/ticker.js';
import { demoPerTest, type Harness } from '../../helpers/harness.js';
import { FakeZaloApi } from '../../helpers/fakeZaloApi.js';
import { fillOutbox } from '../../helpers/outbox.js';

const NOW = '2026-11-21T09:00:00+07:00';
const GROUP = { group: DEMO_GROUP };
const { admin: HOA, leader: BINH, officer: CHAU } = DEMO_PEOPLE;
const COMMANDS_UNDER_TEST = COMMANDS;
const at = (hhmm: string, day = 21) => new Date(`2026-11-${day}T${hhmm}:00+07:00`);

let h: Harness;
/** The demo over a real file; a test may give it what /trangthai reads about the process (`status`). */
const demo = demoPerTest({ now: NOW, commands: COMMANDS_UNDER_TEST });

/** Outbox rows in the given statuses, all due at `notBefore` (pending ones may be moved later). */
function outbox(statuses: OutboxStatus[], notBefore: Date): number[] {
  const ids = fillOutbox(h.db, { count: statuses.length, notBefore });
  statuses.forEach((status, i) => h.db.update(reminderOutbox).set({ status }).where(eq(reminderOutbox.id, ids[i]!)).run());
  return ids;
}

/** The database line as the files on disk say it right now. */
function sizeLine(): string {
  const main = statSync(h.dbPath).size;
  const wal = existsSync(`${h.dbPath}-wal`) ? statSync(`${h.dbPath}-wal`).size : 0;
  return `Cơ sở dữ liệu: ${sizeText(main + wal)} (tệp chính ${sizeText(main)}, tệp ghi tạm ${sizeText(wal)}).`;
}

describe('/trangthai', () => {
  it('shows each adapter’s state, the outbox by status, the last tick, the database, version and uptime', async () => {
    h = await demo({
      status: (h) => ({
        adapters: () => [
          { platform: 'telegram', status: { state: 'connected', since: at('08:00') } },
          { platform: 'zalo', status: { state: 'connecting', since: at('08:55'), detail: 'mất kết nối (mã 1006), thử lại sau 5 giây' } },
          { platform: 'console', status: { state: 'stopped', since: at('08:30'), detail: 'hết dữ liệu vào' } },
        ],
        lastTickAt: () => at('08:59'),
        dbPath: h.dbPath,
        startedAt: at('07:30', 20),
        version: '9.9.9-thu',
      }),
    });
    const ids = outbox(['pending', 'pending', 'claimed', 'sending', 'uncertain', 'failed', 'sent', 'cancelled'], at('07:00'));
    h.db
      .update(reminderOutbox)
      .set({ notBefore: at('10:00').getTime() })
      .where(eq(reminderOutbox.id, ids[1]!))
      .run();

    const reply = await h.text(HOA, '/trangthai', GROUP);
    expect(reply).toBe(
      [
        '🩺 Tình trạng bot lúc 09:00 21/11/2026',
        'Phiên bản: 9.9.9-thu',
        'Đã chạy: 1 ngày 1 giờ (từ 07:30 20/11/2026)',
        '',
        'Kết nối:',
        '• Telegram: ✅ đã kết nối từ 08:00 21/11/2026',
        '• Zalo: 🔄 đang kết nối từ 08:55 21/11/2026 — mất kết nối (mã 1006), thử lại sau 5 giây',
        '• Bản mô phỏng: ⛔ đã dừng từ 08:30 21/11/2026 — hết dữ liệu vào',
        '',
        'Nhắc hạn trong hàng đợi:',
        '• Chờ gửi: 2 — cũ nhất hẹn gửi lúc 07:00 21/11/2026, đã chờ 2 giờ',
        '• Đang gửi: 2',
        '• ⚠️ Không rõ đã gửi hay chưa (bot dừng giữa lúc gửi, hoặc nền tảng không trả lời kịp): 1',
        '• ⚠️ Gửi lỗi, đã thôi thử: 1',
        '',
        'Bộ lập lịch: lần chạy gần nhất 08:59 21/11/2026 (1 phút trước).',
        sizeLine(),
      ].join('\n'),
    );
    expect(statSync(h.dbPath).size).toBeGreaterThan(0);
  });

  it('shows the Zalo OA route waiting for re-authorisation, and each group whose package runs out', async () => {
    h = await demo({
      status: (h) => ({
        adapters: () => [
          {
            platform: 'zalo-oa',
            status: {
              state: 'connected',
              since: at('08:00'),
              warnings: ['Zalo OA: gói dịch vụ của nhóm “Dân vận khéo xã Thiên Cầm” hết hạn ngày 01/12/2026 (còn 10 ngày). Cần gia hạn trên trang quản lý OA.'],
            },
          },
        ],
        lastTickAt: () => at('08:59'),
        dbPath: h.dbPath,
        startedAt: at('07:30'),
        version: '1.0.0',
      }),
    });
    const reply = await h.text(HOA, '/trangthai', GROUP);
    expect(reply).toContain(
      '\n• Zalo OA: ✅ đã kết nối từ 08:00 21/11/2026\n  ⚠️ Zalo OA: gói dịch vụ của nhóm “Dân vận khéo xã Thiên Cầm” hết hạn ngày 01/12/2026 (còn 10 ngày). Cần gia hạn trên trang quản lý OA.\n',
    );
  });

  it('warns when the scheduler has not ticked for a while, or never', async () => {
    let last: Date | null = at('08:50');
    h = await demo({ status: (h) => ({ adapters: () => [], lastTickAt: () => last, dbPath: h.dbPath, startedAt: at('08:58'), version: '1.0.0' }) });
    const reply = await h.text(HOA, '/trangthai', GROUP);
    expect(reply).toContain('\nĐã chạy: 2 phút (từ 08:58 21/11/2026)\n');
    expect(reply).toContain('\n• Không có kênh nào đang chạy.\n');
    expect(reply).toContain('\n⚠️ Bộ lập lịch: lần chạy gần nhất 08:50 21/11/2026 (10 phút trước); có thể đã dừng, nhắc hạn sẽ không được gửi.\n');
    last = null;
    expect(await h.text(HOA, '/trangthai', GROUP)).toContain('\n⚠️ Bộ lập lịch: chưa chạy lần nào.\n');
  });

  it('without a status source, says what the database knows: version, outbox, size', async () => {
    h = await demo();
    outbox(['pending', 'failed'], at('10:30'));
    const reply = await h.text(HOA, '/trangthai', GROUP);
    const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    expect(reply).toBe(
      [
        '🩺 Tình trạng bot lúc 09:00 21/11/2026',
        `Phiên bản: ${version}`,
        '',
        'Nhắc hạn trong hàng đợi:',
        // Not due yet: when it will be, not how long it waited.
        '• Chờ gửi: 1 — sớm nhất lúc 10:30 21/11/2026',
        '• Đang gửi: 0',
        '• Không rõ đã gửi hay chưa (bot dừng giữa lúc gửi, hoặc nền tảng không trả lời kịp): 0',
        '• ⚠️ Gửi lỗi, đã thôi thử: 1',
        '',
        'Kết nối, bộ lập lịch: không có thông tin (lệnh không chạy trong tiến trình bot).',
        sizeLine(),
      ].join('\n'),
    );
    expect(reply).toMatch(/Cơ sở dữ liệu: [1-9][\d.,]* (KB|MB)/);
  });

  it('is refused to leaders and officers', async () => {
    h = await demo();
    for (const person of [BINH, CHAU]) {
      expect(await h.text(person, '/trangthai', GROUP)).toBe('Lệnh /trangthai chỉ dành cho quản trị. Nếu bạn cần dùng, hãy nhờ quản trị cấp quyền.');
    }
  });

  it('reads durations and sizes the Vietnamese way', () => {
    expect(durationText(30_000)).toBe('chưa đến 1 phút');
    expect(durationText(-5_000)).toBe('chưa đến 1 phút');
    expect(durationText(61 * 60_000)).toBe('1 giờ 1 phút');
    expect(durationText(2 * 86_400_000 + 5 * 60_000)).toBe('2 ngày');
    expect(durationText(86_400_000 + 3 * 3_600_000 + 59 * 60_000)).toBe('1 ngày 3 giờ');
    expect(sizeText(0)).toBe('0 B');
    expect(sizeText(1536)).toBe('1,5 KB');
    expect(sizeText(5 * 1024 * 1024)).toBe('5 MB');
    expect(sizeText(1234 * 1024 * 1024)).toBe('1,2 GB');
  });
});

// ---------------------------------------------------------------------------------------------
// The default status source over the real adapters

const HOOKS: AdapterHooks = { firstDelivery: () => true, chatMigrated: () => {}, chatGone: () => {} };
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ProcessStatus over the real adapters, as /trangthai shows it', () => {
  it('follows the simulator and Zalo through connecting, dropping, reconnecting and being opened elsewhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvk-status-'));
    const adapters = new Map<Platform, ChatAdapter>();
    let status!: ProcessStatus;
    try {
      h = await demo({ status: (h) => (status = new ProcessStatus({ adapters, dbPath: h.dbPath, clock: h.clock })) });
      const clock = h.clock;
      const input = new PassThrough();
      const consoleAdapter = new ConsoleAdapter({ input, output: new PassThrough(), outDir: dir, clock, interactive: false });
      const connections: FakeZaloApi[] = [];
      let wake: (() => void) | undefined;
      const zalo = new ZaloAdapter({
        login: async () => {
          connections.push(new FakeZaloApi());
          return connections.at(-1)! as unknown as ZaloApiLike;
        },
        hooks: HOOKS,
        log: silentLogger,
        onStopped: () => {},
        sleep: () => new Promise<void>((resolve) => (wake = resolve)),
        now: () => clock.now().getTime(),
      });
      adapters.set('console', consoleAdapter);
      adapters.set('zalo', zalo);
      const ticker = new Ticker({ jobs: [], clock, log: silentLogger });
      status.ticker = ticker;
      const connectionLines = async () =>
        (await h.text(HOA, '/trangthai', GROUP)).split('\n').filter((l) => l.startsWith('• Zalo') || l.startsWith('• Bản mô phỏng'));

      expect(await connectionLines()).toEqual([
        '• Bản mô phỏng: ⛔ đã dừng từ 09:00 21/11/2026 — chưa khởi động',
        '• Zalo: ⛔ đã dừng từ 09:00 21/11/2026 — chưa khởi động',
      ]);
      expect(await h.text(HOA, '/trangthai', GROUP)).toContain('⚠️ Bộ lập lịch: chưa chạy lần nào.');

      clock.set(at('09:05'));
      const consoleRun = consoleAdapter.start(async () => {});
      const zaloRun = zalo.start(async () => {});
      await settle();
      await ticker.tick();
      expect(await connectionLines()).toEqual([
        '• Bản mô phỏng: ✅ đã kết nối từ 09:05 21/11/2026',
        '• Zalo: 🔄 đang kết nối từ 09:05 21/11/2026 — đã đăng nhập, đang mở kết nối',
      ]);
      expect(await h.text(HOA, '/trangthai', GROUP)).toContain('\nBộ lập lịch: lần chạy gần nhất 09:05 21/11/2026 (chưa đến 1 phút trước).\n');

      clock.set(at('09:06'));
      connections[0]!.listener.emit('connected');
      connections[0]!.listener.emit('cipher_key', 'key');
      expect((await connectionLines())[1]).toBe('• Zalo: ✅ đã kết nối từ 09:06 21/11/2026');

      clock.set(at('09:20'));
      connections[0]!.listener.emit('closed', 1006, 'abnormal');
      expect((await connectionLines())[1]).toBe('• Zalo: 🔄 đang kết nối từ 09:20 21/11/2026 — mất kết nối (mã 1006), mở lại sau 2 giây');
      clock.set(at('09:21'));
      wake!();
      await settle();
      // Still connecting since the drop, the socket reopened on the same session (no new login).
      expect((await connectionLines())[1]).toBe('• Zalo: 🔄 đang kết nối từ 09:20 21/11/2026 — đang mở lại kết nối');
      expect(connections).toHaveLength(1);
      connections[0]!.listener.emit('connected');
      expect((await connectionLines())[1]).toBe('• Zalo: ✅ đã kết nối từ 09:21 21/11/2026');

      clock.set(at('09:30'));
      input.end();
      await consoleRun;
      connections[0]!.listener.emit('closed', 3000, 'opened elsewhere');
      await zaloRun;
      await zalo.stop(); // the shutdown that follows keeps the reason
      expect(await connectionLines()).toEqual([
        '• Bản mô phỏng: ⛔ đã dừng từ 09:30 21/11/2026 — hết dữ liệu vào',
        '• Zalo: ⛔ đã dừng từ 09:30 21/11/2026 — tài khoản đang được mở ở nơi khác (Zalo Web hoặc máy tính), mã 3000',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const BOT_INFO = { id: 777000111, is_bot: true, first_name: 'DVK', username: 'dvk_status_bot' } as UserFromGetMe;

  /** A Bot API whose long polls wait until the test answers them (or the adapter aborts them). */
  function gatedTelegram() {
    const polls: Array<{ answer: (body: object) => void; fail: (error: Error) => void }> = [];
    const fetch = (async (url: string | URL, init?: { signal?: AbortSignal }) => {
      if (!String(url).endsWith('/getUpdates')) return { json: async () => ({ ok: true, result: true }) };
      return new Promise((resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted')));
        polls.push({ answer: (body) => resolve({ json: async () => body }), fail: reject });
      });
    }) as unknown as NonNullable<ApiClientOptions['fetch']>;
    const adapter = new TelegramAdapter({
      token: '7000111222:AAH-test-token-not-real',
      hooks: HOOKS,
      log: silentLogger,
      commands: [],
      botInfo: BOT_INFO,
      client: { fetch },
    });
    return { adapter, polls };
  }

  it('Telegram: connected once a poll is answered, connecting while Telegram cannot be reached, stopped after stop', async () => {
    const { adapter, polls } = gatedTelegram();
    expect(adapter.status()).toMatchObject({ state: 'stopped', detail: 'chưa khởi động' });
    const running = adapter.start(async () => {});
    await vi.waitFor(() => expect(polls).toHaveLength(1));
    expect(adapter.status()).toMatchObject({ state: 'connecting', detail: 'đang kết nối tới Telegram' });

    polls[0]!.answer({ ok: true, result: [] });
    await vi.waitFor(() => expect(adapter.status().state).toBe('connected'));
    expect(adapter.status().detail).toBeUndefined();

    await vi.waitFor(() => expect(polls).toHaveLength(2));
    polls[1]!.fail(new TypeError('fetch failed'));
    await vi.waitFor(() => expect(adapter.status().state).toBe('connecting'));
    expect(adapter.status().detail).toBe('không kết nối được tới máy chủ Telegram, đang thử lại');

    await adapter.stop();
    await running;
    expect(adapter.status()).toMatchObject({ state: 'stopped', detail: 'đã tắt' });
  });

  it('Telegram: a second process polling with the same token (409) stops polling, and the status says why', async () => {
    const { adapter, polls } = gatedTelegram();
    const running = adapter.start(async () => {});
    await vi.waitFor(() => expect(polls).toHaveLength(1));
    polls[0]!.answer({ ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request' });
    await expect(running).rejects.toThrow(/409/);
    expect(adapter.status()).toMatchObject({ state: 'stopped', detail: 'một tiến trình khác đang nhận tin bằng cùng mã bot (lỗi 409)' });
    await adapter.stop();
    expect(adapter.status().detail).toBe('một tiến trình khác đang nhận tin bằng cùng mã bot (lỗi 409)');
  });
});
