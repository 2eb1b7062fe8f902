import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TelegramAdapter } from '../../../bot/telegram/adapter.js';
import { FakeBotApi } from '../../helpers/fakeBotApi.js';
import { groupMessage, person, supergroup } from '../../helpers/telegramUpdates.js';
import { type PollingBot, pollingBot } from '../../helpers/telegramBot.js';

/**
 * Telegram out of reach for a while, then back: the long poll goes on at a steady pace, never
 * with a back-off that would keep the bot deaf for as long again, never gives up, and reports
 * the outage once in the logs (not on the console, where the runner would print the request
 * URL with its token).
 */

const TOKEN = '123456789:AAHk1x9ZrLq0PpQ2mN3bV4cX5zY6wT7uS8r';
const CHAT = supergroup(-1001234567890, 'Dân vận khéo xã Cẩm Xuyên');
const SOMEONE = person(5123456789, 'Châu', 'Lê Minh');

let fake: FakeBotApi | undefined;
let bot: PollingBot | undefined;
let adapter: TelegramAdapter | undefined;
let running: Promise<void> | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  if (bot) await bot.stop();
  else await fake?.close();
  fake = bot = adapter = running = undefined;
});

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** The real adapter polling the fake API; `fetch` stands between them when given. */
async function startBot(
  fetch?: typeof globalThis.fetch,
  pollRetryMs = 50,
  apiToken = TOKEN,
  before?: (api: FakeBotApi) => void,
): Promise<{ logs: Line[]; api: FakeBotApi }> {
  const api = (fake = await FakeBotApi.start({ token: apiToken }));
  before?.(api);
  const logs: Line[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Line) });
  bot = await pollingBot(api, {
    token: TOKEN,
    log,
    deliver: () => Promise.reject(new Error('unused')),
    adapter: { pollRetryMs, ...(fetch ? { client: { fetch: fetch as never } } : {}) },
  });
  ({ adapter, running } = bot);
  return { logs, api };
}

/** A fetch that fails like an unplugged network for calls to `method`, `times` times (Infinity: until told). */
function unreachableFor(method: string, times: number) {
  const state = { left: times, attempts: 0 };
  const fetch: typeof globalThis.fetch = (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.endsWith(`/${method}`)) {
      state.attempts++;
      if (state.left > 0) {
        state.left--;
        return Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ENETUNREACH'), { code: 'ENETUNREACH' }) }));
      }
    }
    return globalThis.fetch(input, init);
  };
  return { fetch, state };
}

/** /huongdan in the group, answered once polling works again. */
async function answeredAfterOutage(api: FakeBotApi): Promise<void> {
  api.push(groupMessage(CHAT, SOMEONE, '/huongdan'));
  // Generous for a slow shared machine: how soon it comes is asserted by the tests that care.
  await api.waitFor((c) => c.method === 'sendMessage' && c.payload.chat_id === CHAT.id, 12_000);
}

describe('Telegram polling through an outage', () => {
  it('network errors: 40 failed polls in a row, then the next update is answered at once; logged once each way, nothing on the console', async () => {
    const consoleError = vi.spyOn(console, 'error');
    let failures = 40;
    const flaky: typeof globalThis.fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      // Before this fix, auto-retry waited 3 s, 6 s, 12 s… between such failures.
      if (url.endsWith('/getUpdates') && failures > 0) {
        failures--;
        return Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }));
      }
      return globalThis.fetch(input, init);
    };
    const { logs, api } = await startBot(flaky);
    const started = Date.now();
    await answeredAfterOutage(api);
    expect(failures).toBe(0);
    // 40 pauses of 50 ms, plus the work (2 s here; room left for a slow CI machine): a growing
    // back-off would already be at 3 + 6 + 12 s after the fourth failure.
    expect(Date.now() - started).toBeLessThan(15_000);

    const failed = logs.filter((l) => l.msg === 'telegram: polling failed, trying again');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 40, code: 'ECONNREFUSED', retryMs: 50 });
    const back = logs.filter((l) => l.msg === 'telegram: polling again');
    expect(back).toHaveLength(1);
    expect(back[0]!.failedForMs).toEqual(expect.any(Number));
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
    expect(consoleError).not.toHaveBeenCalled();
    expect(adapter!.status().state).toBe('connected');
  });

  it('Telegram answering 502 to the polls: tried again at the same pace, status says so meanwhile, then answered', async () => {
    const consoleError = vi.spyOn(console, 'error');
    // A pause long enough for the status to be read between two failed polls on a slow machine.
    const { logs, api } = await startBot(undefined, 300);
    await api.waitFor((c) => c.method === 'getUpdates', 5000);
    api.failNext('getUpdates', 10, { error_code: 502, description: 'Bad Gateway' });
    // A poll already waiting ends with the next update; the 10 after it fail.
    await api.waitFor((c) => c.method === 'getUpdates' && c.response?.ok === false, 5000);
    // Once grammY has the answer (just after the fake sent it), and for the rest of the outage.
    await vi.waitFor(() => expect(adapter!.status()).toMatchObject({ state: 'connecting', detail: expect.stringContaining('502') }), { timeout: 2000 });
    await answeredAfterOutage(api);
    expect(api.callsOf('getUpdates').filter((c) => c.response?.ok === false)).toHaveLength(10);
    expect(logs.filter((l) => l.msg === 'telegram: polling failed, trying again')).toMatchObject([{ code: '502' }]);
    expect(logs.filter((l) => l.msg === 'telegram: polling again')).toHaveLength(1);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('out of reach at start-up (getMe): tried again at the same pace, not with a back-off growing to an hour; logged once; answered once it is back', async () => {
    const consoleError = vi.spyOn(console, 'error');
    const net = unreachableFor('getMe', 20);
    const { logs, api } = await startBot(net.fetch);
    const started = Date.now();
    expect(adapter!.status().state).toBe('connecting');
    await answeredAfterOutage(api);
    expect(net.state).toEqual({ left: 0, attempts: 21 });
    // 20 pauses of 50 ms; auto-retry's back-off (3 s, 6 s, 12 s…) would be minutes in.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(logs.filter((l) => l.msg === 'telegram: polling failed, trying again')).toMatchObject([{ level: 40, code: 'ENETUNREACH' }]);
    expect(logs.filter((l) => l.msg === 'telegram: polling again')).toHaveLength(1);
    expect(JSON.stringify(logs)).not.toContain(TOKEN);
    expect(consoleError).not.toHaveBeenCalled();
    expect(adapter!.status().state).toBe('connected');
  });

  it('stopped while Telegram is still out of reach at start-up: the start ends quietly, nothing logged as an error', async () => {
    const net = unreachableFor('getMe', Number.POSITIVE_INFINITY);
    const { logs } = await startBot(net.fetch, 200);
    await vi.waitFor(() => expect(net.state.attempts).toBeGreaterThanOrEqual(2), { timeout: 5000 });
    const stopping = Date.now();
    await adapter!.stop();
    // Resolves (main would log a rejection as "adapter stopped" at error level), and at once: the pause is cut short.
    await expect(running).resolves.toBeUndefined();
    expect(Date.now() - stopping).toBeLessThan(2000);
    expect(adapter!.status().state).toBe('stopped');
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);
    expect(fake!.callsOf('getUpdates')).toEqual([]);
  });

  it('Telegram answering 502, then 429 to getMe at start-up: tried again, then listening', async () => {
    const { api } = await startBot(undefined, 50, TOKEN, (fake) => {
      fake.failNext('getMe', 1, { error_code: 502, description: 'Bad Gateway' });
      fake.failNext('getMe', 1, { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    });
    await api.waitFor((c) => c.method === 'getUpdates', 5000);
    expect(api.callsOf('getMe').map((c) => c.response?.ok)).toEqual([false, false, true]);
    expect(adapter!.status().state).toBe('connected');
  });

  it('a token Telegram refuses (401) at start-up: not tried again, the start fails and the status says why', async () => {
    const { api } = await startBot(undefined, 50, '999999999:AAOtherTokenOtherTokenOtherToken000');
    // As main reads it: the platform refused the bot's credentials (it ends the process, exit 78).
    await expect(running).rejects.toMatchObject({
      name: 'PlatformRefusedError',
      platform: 'telegram',
      reason: 'credentials',
      code: 401,
      cause: { error_code: 401 },
    });
    expect(api.callsOf('getMe')).toHaveLength(1);
    expect(adapter!.status()).toMatchObject({ state: 'stopped', detail: expect.stringContaining('401') });
  });
});
