import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCore } from '../../../bot/app.js';
import { silentLogger } from '../../../bot/logger.js';
import { TokenKeeper } from '../../../bot/zalo-oa/tokens.js';
import { FakeZaloOpenApi } from '../../../bench/fakes/zaloOa/openApi.js';
import { postEvent } from '../../../bench/fakes/zaloOa/webhookDriver.js';
import { fixedClock } from '../../../core/clock.js';
import { seedDemo } from '../../../db/seed/demo.js';
import { cleanEnv, REPO_ROOT } from '../../helpers/processes.js';

/**
 * The real bot (`node --import tsx bot/main.ts`) with only the ZALO_OA_* settings, as an IT
 * staffer deploys it: it opens its webhook port, Zalo (the fake, on loopback) posts a member's
 * command, the bot answers through the OpenAPI, and a SIGTERM ends it cleanly. The log holds no
 * secret.
 */

const NOW = '2026-03-10T09:00:00+07:00';
const GROUP = 'f414c8f76fa586fbdfb4';
const SECRET_KEY = 'oa-secret-key-for-the-webhook-0001';

let dir: string | undefined;
let fake: FakeZaloOpenApi | undefined;
let child: ChildProcessWithoutNullStreams | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('bot/main.ts on the Zalo OA route alone', { timeout: 60_000 }, () => {
  it('starts with the ZALO_OA_* settings, answers a member’s command from the webhook, and stops cleanly on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dvk-oa-main-'));
    const dbPath = join(dir, 'dvk.sqlite');
    fake = await FakeZaloOpenApi.start();
    fake.addGroup(GROUP, { name: 'Dân vận khéo xã Cẩm Xuyên', members: [{ id: '8100000000000000021', name: 'Lê Minh Châu' }] });
    // The demo and the operator's first refresh token, as `npm run zalo-oa -- nap-token` stores it.
    const core = await createCore({
      dbPath,
      clock: fixedClock(NOW),
      log: silentLogger,
      flowTtlMinutes: 60,
      deliver: () => Promise.reject(new Error('no adapter')),
    });
    seedDemo(core.database.db, new Date(NOW));
    new TokenKeeper({
      db: core.database.db,
      oaId: fake.oaId,
      clock: fixedClock(NOW),
      log: silentLogger,
      refresh: () => Promise.reject(new Error('unused')),
      onRefused: () => undefined,
    }).load(fake.refreshToken);
    core.close();

    const port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], {
      cwd: REPO_ROOT,
      env: cleanEnv(
        {
          DB_PATH: dbPath,
          DVK_NOW: NOW,
          NODE_ENV: 'production',
          LOG_LEVEL: 'debug',
          ZALO_OA_APP_ID: fake.appId,
          ZALO_OA_ID: fake.oaId,
          ZALO_OA_APP_SECRET: fake.appSecret,
          ZALO_OA_SECRET_KEY: SECRET_KEY,
          ZALO_OA_PUBLIC_URL: 'https://dvk.example.gov.vn',
          ZALO_OA_PORT: String(port),
          ZALO_OA_API_URL: fake.url,
          ZALO_OA_OAUTH_URL: fake.url,
        },
        ['NODE_ENV'],
      ),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));

    // The log (pino, on stderr) says when every adapter was started, then when the webhook's port
    // is open: "ready" can come first (the adapters start in parallel), so a busy machine once
    // refused the request between the two.
    await vi.waitFor(() => expect(stderr).toContain('"msg":"ready"'), { timeout: 30_000, interval: 100 });
    await vi.waitFor(() => expect(stderr).toContain('"msg":"zalo-oa: listening for the webhook"'), { timeout: 30_000, interval: 100 });
    const target = { url: `http://127.0.0.1:${port}/zalo-oa/webhook`, appId: fake.appId, secretKey: SECRET_KEY };
    expect((await fetch(target.url)).status).toBe(200);
    expect((await postEvent(target, fake.memberSays(GROUP, '8100000000000000021', '/huongdan'))).status).toBe(200);
    await vi.waitFor(() => expect(fake!.sent.some((s) => s.kind === 'text' && s.text.includes('/thamgia'))).toBe(true), { timeout: 20_000, interval: 100 });
    // The bot traded the operator's refresh token first and answered with the new access token.
    expect(fake.refreshes).toBe(1);

    // Zalo calls the token invalid, then a gateway fails: the bot refreshes once, waits, and answers.
    fake.fail('/v3.0/oa/group/message', -216);
    fake.fail('/v3.0/oa/group/message', 0, { status: 502 });
    const before = fake.sent.length;
    expect((await postEvent(target, fake.memberSays(GROUP, '8100000000000000021', '/toi'))).status).toBe(200);
    await vi.waitFor(() => expect(fake!.sent.length).toBeGreaterThan(before), { timeout: 20_000, interval: 100 });
    expect(fake.refreshes).toBe(2);
    // A forged post is turned away and logged without its body.
    expect((await postEvent({ ...target, secretKey: 'not-the-key-000000' }, fake.memberSays(GROUP, '8100000000000000021', '/huongdan bí mật'))).status).toBe(
      401,
    );

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const all = stdout + stderr;
    expect(all).toContain('wrong signature');
    expect(all).not.toContain('bí mật');
    const secrets = [fake.appSecret, SECRET_KEY, fake.accessToken, fake.refreshToken, ...fake.usedRefreshTokens, 'fake-access-token-0', 'fake-access-token-1'];
    for (const secret of secrets) {
      for (const spelling of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) expect(all).not.toContain(spelling);
    }
  });
});
