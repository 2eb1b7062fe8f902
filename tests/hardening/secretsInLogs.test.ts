import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot, HttpError } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/logger.js';
import { cleanEnv, REPO_ROOT } from '../helpers/processes.js';

/**
 * The real bot, started as the operator would, with a Telegram token and a Zalo login whose
 * values the test knows, against a Bot API that fails in every way it can (error answers, a 401,
 * garbage, a dropped connection) and with no network for Zalo. Everything it prints, at debug
 * level, must be free of both secrets in any spelling.
 */

const OFFLINE = join(import.meta.dirname, '../fixtures/hardening/offline.mjs');

const TOKEN_SECRET = 'AAHk3-SecretPartOfTheFakeToken_9xQ7Zp';
const TOKEN = `987654321:${TOKEN_SECRET}`;
/** Characters a URL or a header would escape, so encoded spellings differ from the raw one. */
const COOKIE_VALUE = 'zpwSek.Cookie+Secret/Value=4Rt9';

/** Every spelling of a secret that could end up in a line: raw, URL-encoded, base64. */
function spellings(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), encodeURI(secret), Buffer.from(secret).toString('base64')])];
}
const FORBIDDEN = [...spellings(TOKEN), ...spellings(TOKEN_SECRET), ...spellings(COOKIE_VALUE)];

/**
 * getMe answers; then the command menu meets garbage (an HTML error page: grammY's HttpError,
 * retried by auto-retry) and then a 401, and polling meets a 500 and a 401 (unrecoverable: the
 * Telegram adapter stops). Each failure surfaces within seconds.
 */
const SCRIPT: Record<string, Array<'garbage' | 'drop' | 500 | 401>> = {
  setMyCommands: ['garbage', 401],
  getUpdates: [401],
};

function failingBotApi(): { server: Server; calls: string[] } {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const method = (req.url ?? '').split('/').pop() ?? '';
    calls.push(method);
    req.resume();
    req.on('end', () => {
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (method === 'getMe') {
        json(200, {
          ok: true,
          result: {
            id: 987654321,
            is_bot: true,
            first_name: 'DVK',
            username: 'dvk_secret_test_bot',
            can_join_groups: true,
            can_read_all_group_messages: false,
            supports_inline_queries: false,
          },
        });
        return;
      }
      const answer = SCRIPT[method]?.shift() ?? 401;
      if (answer === 'garbage') res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>');
      else if (answer === 'drop') req.socket.destroy();
      else json(answer, { ok: false, error_code: answer, description: answer === 401 ? 'Unauthorized' : 'Internal Server Error' });
    });
  });
  return { server, calls };
}

interface Run {
  output: string;
  calls: string[];
}

let dir: string;
let run: Run;

function startBot(apiRoot: string, credentialsPath: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--import', OFFLINE, 'bot/main.ts'], {
    cwd: REPO_ROOT,
    env: cleanEnv({
      DB_PATH: join(dir, 'dvk.sqlite'),
      DVK_OUT_DIR: join(dir, 'out'),
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      ZALO_CREDENTIALS: credentialsPath,
      LOG_LEVEL: 'debug',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-secrets-'));
  const credentialsPath = join(dir, 'zalo.json');
  writeFileSync(
    credentialsPath,
    JSON.stringify({ imei: 'imei-secrets-test', cookie: [{ name: 'zpw_sek', value: COOKIE_VALUE, domain: '.zalo.me', path: '/' }], userAgent: 'Mozilla/5.0' }),
    { mode: 0o600 },
  );
  const { server, calls } = failingBotApi();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const child = startBot(`http://127.0.0.1:${port}`, credentialsPath);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));

  // Run until both platforms have failed a few times (or give up waiting), then stop as systemd would.
  const enough = () => /zalo: login failed/.test(output) && /adapter stopped/.test(output);
  for (let waited = 0; waited < 30_000 && !enough() && child.exitCode === null; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGTERM');
  await closed;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  run = { output, calls };
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('no secret in any log line', () => {
  it('the bot met the failures and logged them (so the check below has something to check)', () => {
    expect(run.calls).toContain('getMe');
    expect(run.calls.filter((m) => m !== 'getMe').length).toBeGreaterThanOrEqual(3);
    expect(run.output).toMatch(/telegram: command menu not published/);
    expect(run.output).toMatch(/adapter stopped/);
    expect(run.output).toMatch(/zalo: login failed/);
    expect(run.output).toMatch(/shutting down/);
  });

  it('neither the token, its secret part nor the Zalo cookie appears, in any spelling', () => {
    const leaks = FORBIDDEN.filter((secret) => run.output.includes(secret));
    const lines = run.output.split('\n').filter((line) => FORBIDDEN.some((secret) => line.includes(secret)));
    expect({ leaks, lines: lines.map((l) => l.slice(0, 300)) }).toEqual({ leaks: [], lines: [] });
  });
});

describe('grammY network errors in a log line', () => {
  it('the request URL they carry (with the token in it) is censored, and the reason kept', async () => {
    // An HTML error page where JSON was expected, and a connection dropped mid-request.
    const server = createServer((req, res) => {
      if (req.url?.endsWith('/getMe')) res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>');
      else req.socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // No auto-retry here, unlike the adapter: the point is what an HttpError looks like once logged.
    const bot = new Bot(TOKEN, { client: { apiRoot: `http://127.0.0.1:${port}` } });
    const errors: unknown[] = [];
    for (const call of [() => bot.api.getMe(), () => bot.api.getUpdates()]) await call().catch((error: unknown) => errors.push(error));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));

    expect(errors).toHaveLength(2);
    // The wrapped fetch error does carry the token: this is what must not reach a log.
    for (const error of errors) {
      expect(error).toBeInstanceOf(HttpError);
      expect(String((error as HttpError).error)).toContain(TOKEN);
    }
    const file = join(dir, 'log.jsonl');
    const log = createLogger('debug', file);
    log.error({ err: errors[0] }, 'telegram call failed');
    log.warn({ error: errors[1], chat: 1 }, 'telegram call failed');
    log.error(errors[1] as Error, 'logged as the first argument');
    log.error({ err: new Error('send failed', { cause: errors[0] }) }, 'wrapped');
    log.flush();
    const written = readFileSync(file, 'utf8');

    expect(written.trim().split('\n')).toHaveLength(4);
    expect(FORBIDDEN.filter((secret) => written.includes(secret))).toEqual([]);
    // Still useful to whoever reads it: where it went and why it failed.
    expect(written).toContain(`invalid json response body at http://127.0.0.1:${port}/bot[redacted]/getMe`);
    expect(written).toContain('socket hang up');
  });
});
