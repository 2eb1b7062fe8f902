import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeZaloOpenApi } from '../../../bench/fakes/zaloOa/openApi.js';
import { openDatabase } from '../../../db/client.js';
import { readZaloOaTokens, storeAuthorisedPair } from '../../../db/zaloOaTokens.js';
import { cleanEnv, REPO_ROOT } from '../../helpers/processes.js';

/**
 * `npm run zalo-oa` as the operator runs it: real child processes over a temporary database,
 * against the fake Zalo OpenAPI and OAuth server on loopback (ZALO_OA_API_URL, ZALO_OA_OAUTH_URL).
 * The children are started asynchronously: the fake answers from this process's event loop.
 */

const NOW = '2026-03-10T09:00:00+07:00';
const WEBHOOK_KEY = 'webhook-oa-secret-key';
const HOUR = 3_600_000;

let dir: string;
let fake: FakeZaloOpenApi;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-zalo-oa-'));
  fake = await FakeZaloOpenApi.start();
});
afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const dbPath = () => join(dir, 'dvk.sqlite');

function oaEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    DB_PATH: dbPath(),
    DVK_NOW: NOW,
    ZALO_OA_APP_ID: fake.appId,
    ZALO_OA_ID: fake.oaId,
    ZALO_OA_APP_SECRET: fake.appSecret,
    ZALO_OA_SECRET_KEY: WEBHOOK_KEY,
    ZALO_OA_PUBLIC_URL: 'https://dvk.hatinh.gov.vn',
    ZALO_OA_API_URL: fake.url,
    ZALO_OA_OAUTH_URL: fake.url,
    ...extra,
  });
}

interface Child {
  /** Resolves with the text once stdout matches `pattern`. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  write(text: string): void;
  end(): void;
  done: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

/** The CLI (directly, or through `npm run` as typed) with stdin left open for `write`. */
function start(args: string[], options: { env?: NodeJS.ProcessEnv; viaNpm?: boolean } = {}): Child {
  const [command, argv] = options.viaNpm
    ? ['npm', ['run', '--silent', 'zalo-oa', '--', ...args]]
    : [process.execPath, ['--import', 'tsx', 'bot/cli/zaloOa.ts', ...args]];
  const child = spawn(command, argv, { cwd: REPO_ROOT, env: options.env ?? oaEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const limit = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(limit);
      for (const wake of waiters.splice(0)) wake();
      resolve({ status, stdout, stderr: stderr.replace(/^npm warn.*\n/gm, '') });
    });
  });
  let closed = false;
  void done.then(() => {
    closed = true;
  });
  return {
    async waitFor(pattern) {
      for (;;) {
        const match = pattern.exec(stdout);
        if (match) return match;
        if (closed) throw new Error(`the CLI ended before printing ${pattern}: ${stdout}${stderr}`);
        await new Promise<void>((wake) => waiters.push(wake));
      }
    },
    write: (text) => child.stdin.write(text),
    end: () => child.stdin.end(),
    done,
  };
}

/** Runs to the end with `input` as the whole of stdin. */
function run(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; viaNpm?: boolean } = {}) {
  const child = start(args, options);
  child.write(options.input ?? '');
  child.end();
  return child.done;
}

/** Everything secret the fake knows of: none of it may reach the operator's screen. */
function secretsOf(...more: string[]): string[] {
  return [fake.appSecret, WEBHOOK_KEY, fake.accessToken, fake.refreshToken, ...fake.usedRefreshTokens, ...more];
}

function expectNoSecret(output: { stdout: string; stderr: string }, secrets: string[]): void {
  for (const secret of secrets) {
    expect(output.stdout).not.toContain(secret);
    expect(output.stderr).not.toContain(secret);
  }
  expect(`${output.stdout}${output.stderr}`).not.toMatch(/fake-(access|refresh)-token|fake-auth-code/);
}

async function storedTokens() {
  const database = await openDatabase(dbPath());
  try {
    return readZaloOaTokens(database.db, fake.oaId);
  } finally {
    database.close();
  }
}

/** The OA already authorised: the fake's current pair in the database, 20 h of access left. */
async function authorised(): Promise<void> {
  const database = await openDatabase(dbPath());
  const at = new Date(NOW);
  storeAuthorisedPair(
    database.db,
    fake.oaId,
    {
      accessToken: fake.accessToken,
      accessExpiresAt: at.getTime() + 20 * HOUR,
      refreshToken: fake.refreshToken,
      refreshExpiresAt: at.getTime() + 80 * 24 * HOUR,
    },
    at,
  );
  database.close();
}

describe('npm run zalo-oa', { timeout: 60_000 }, () => {
  it('nap-token takes the refresh token from a pipe, trades it at once (committed first), and prints no token', async () => {
    const first = fake.refreshToken;
    const loaded = await run(['nap-token'], { input: `${first}\n`, viaNpm: true });
    expect(loaded.stderr).toBe('');
    expect(loaded.status).toBe(0);
    expect(fake.refreshes).toBe(1);
    expect(fake.usedRefreshTokens.has(first)).toBe(true);
    expect(loaded.stdout).toBe(
      [
        `Zalo đã nhận mã làm mới: đã lưu cặp mã mới của OA ${fake.oaId}.`,
        'Mã truy cập hết hạn lúc 10:00 11/03/2026; bot tự làm mới trước khi hết hạn.',
        'Mã làm mới có hạn khoảng 3 tháng (tới khoảng 07/06/2026); mỗi lần làm mới, Zalo cấp mã mới với hạn khoảng 3 tháng.',
        '',
      ].join('\n'),
    );
    expectNoSecret(loaded, secretsOf(first));
    // The pair Zalo gave for it is what the database holds: the spent token is gone from it.
    expect(await storedTokens()).toMatchObject({ refreshToken: fake.refreshToken, accessToken: fake.accessToken, state: 'ok' });

    const shown = await run(['trang-thai']);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain('Trạng thái: dùng được (từ 09:00 10/03/2026).');
    expect(shown.stdout).toContain('Mã làm mới hết hạn khoảng 07/06/2026 (còn khoảng 89 ngày; khoảng 3 tháng kể từ lần cấp gần nhất).');
    expectNoSecret(shown, secretsOf(first));
  });

  it('nap-token says plainly that Zalo refused a token, exits 1, and leaves the OA marked for re-authorisation', async () => {
    const refused = await run(['load-token'], { input: 'refresh-token-typed-wrong-XYZ\nsecond line is not read\n' });
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^Zalo không nhận mã làm mới này: mã sai, đã được dùng hoặc đã hết hạn \(.*\)\. Mỗi mã làm mới chỉ dùng được một lần: /);
    expectNoSecret(refused, secretsOf('refresh-token-typed-wrong-XYZ'));
    expect(fake.refreshes).toBe(0);
    expect(await storedTokens()).toMatchObject({ state: 'needs_reauthorisation', accessToken: null });

    const shown = await run(['status']);
    expect(shown.status).toBe(1);
    expect(shown.stdout).toContain('Trạng thái: cần cấp quyền lại (từ 09:00 10/03/2026)');

    const nothing = await run(['nap-token'], { input: '' });
    expect(nothing.status).toBe(1);
    expect(nothing.stderr).toContain('Không nhận được mã làm mới nào');
  });

  it('cap-quyen prints a challenge, takes the callback address, trades the code with its verifier and stores the pair', async () => {
    const consent = start(['cap-quyen']);
    const [, challenge] = await consent.waitFor(/^ {3}Code challenge: (\S+)$/m);
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The OA admin consents on the page the console built from this challenge; Zalo calls back with a code.
    const code = fake.issueAuthorizationCode(challenge!);
    consent.write(`https://dvk.hatinh.gov.vn/zalo-oa/callback?code=${code}&oa_id=${fake.oaId}\n`);
    const done = await consent.done;
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    expect(done.stdout).toContain(`Đã cấp quyền: đã lưu cặp mã mới của OA ${fake.oaId}.`);
    expect(done.stdout).toContain('Mã truy cập hết hạn lúc 10:00 11/03/2026');

    const exchange = fake.calls.find((c) => c.path === '/v4/oa/access_token');
    const form = exchange?.body as Record<string, string>;
    expect(exchange?.headers.secret_key).toBe(fake.appSecret);
    expect(form).toMatchObject({ code, app_id: fake.appId, grant_type: 'authorization_code' });
    expect(form.code_verifier).toMatch(/^[A-Za-z0-9]{43}$/);
    expect(createHash('sha256').update(form.code_verifier!).digest('base64url')).toBe(challenge);
    expect(fake.authorizations).toBe(1);
    expectNoSecret(done, secretsOf(code, form.code_verifier!));
    expect(await storedTokens()).toMatchObject({ accessToken: fake.accessToken, refreshToken: fake.refreshToken, state: 'ok' });

    // The stored pair works as it is: no refresh before sending.
    fake.addGroup('f414c8f76fa586fbdfb4', { name: 'Dân vận khéo tỉnh Hà Tĩnh' });
    const sent = await run(['gui-thu', 'f414c8f76fa586fbdfb4']);
    expect(sent.status).toBe(0);
    expect(fake.refreshes).toBe(0);
    expect(fake.sent).toMatchObject([{ kind: 'text', groupId: 'f414c8f76fa586fbdfb4', text: expect.stringContaining('dvk-bot') }]);
  });

  it('cap-quyen refuses a code that does not match its verifier, and an address for another OA, storing nothing', async () => {
    const stranger = createHash('sha256').update('a-verifier-of-some-other-run-0000000000000').digest('base64url');
    const wrong = await run(['consent'], { input: `${fake.issueAuthorizationCode(stranger)}\n` });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^Zalo không đổi mã code này \(.*Invalid code verifier.*\): /);
    expect(wrong.stderr).toContain('Chưa có gì thay đổi.');
    expect(fake.authorizations).toBe(0);
    expect(await storedTokens()).toBeUndefined();

    const calls = fake.calls.length;
    const otherOa = await run(['cap-quyen'], { input: `https://dvk.hatinh.gov.vn/?code=${fake.issueAuthorizationCode(stranger)}&oa_id=1111111111111111111\n` });
    expect(otherOa.status).toBe(1);
    expect(otherOa.stderr).toBe(
      `Mã code này được cấp cho OA 1111111111111111111, không phải OA ${fake.oaId} trong cấu hình (ZALO_OA_ID): chưa đổi mã, chưa có gì thay đổi. Khi cấp quyền, hãy chọn đúng OA.\n`,
    );
    expect(fake.calls.length).toBe(calls);
  });

  it('nhom lists every group over several pages with its package expiry, marking those ending within 14 days', async () => {
    await authorised();
    fake.addGroup('a1000000000000000001', {
      name: 'Dân vận khéo tỉnh Hà Tĩnh',
      validThrough: '31/12/2026',
      autoDeleteDate: '14/02/2027',
      members: [{ id: '8756287263669629130', name: 'An' }],
    });
    fake.addGroup('a1000000000000000002', {
      name: 'Dân vận khéo xã Cẩm Xuyên',
      assetType: 'gmf10',
      maxMembers: 10,
      validThrough: '15/03/2026',
      autoDeleteDate: '29/04/2026',
    });
    fake.addGroup('a1000000000000000003', { name: 'Xã Cẩm Thành', status: 'disabled', validThrough: '01/03/2026', autoDeleteDate: '15/04/2026' });
    fake.addGroup('a1000000000000000004', { name: 'Đúng 14 ngày', validThrough: '24/03/2026' });
    for (let n = 5; n <= 12; n++) fake.addGroup(`a10000000000000000${String(n).padStart(2, '0')}`, { name: `Nhóm ${n}` });

    const listed = await run(['nhom']);
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    const lines = listed.stdout.split('\n');
    expect(lines[0]).toBe(`OA ${fake.oaId} có 12 nhóm:`);
    expect(lines.slice(1, 9)).toEqual([
      '• Dân vận khéo tỉnh Hà Tĩnh (mã a1000000000000000001) — đang hoạt động, 2/100 thành viên',
      '  gói gmf100 hết hạn 31/12/2026, tự gia hạn; nhóm tự giải tán ngày 14/02/2027 nếu không gia hạn',
      '• Dân vận khéo xã Cẩm Xuyên (mã a1000000000000000002) — đang hoạt động, 1/10 thành viên',
      '  ⚠ gói gmf10 hết hạn 15/03/2026 (còn 5 ngày, tự gia hạn): cần gia hạn; nhóm tự giải tán ngày 29/04/2026 nếu không gia hạn',
      '• Xã Cẩm Thành (mã a1000000000000000003) — bị khóa, không gửi tin được, 1/100 thành viên',
      '  ⚠ gói gmf100 đã hết hạn từ 01/03/2026: cần gia hạn ngay; nhóm tự giải tán ngày 15/04/2026 nếu không gia hạn',
      '• Đúng 14 ngày (mã a1000000000000000004) — đang hoạt động, 1/100 thành viên',
      '  ⚠ gói gmf100 hết hạn 24/03/2026 (còn 14 ngày, tự gia hạn): cần gia hạn; nhóm tự giải tán ngày 14/02/2027 nếu không gia hạn',
    ]);
    expect(listed.stdout).toContain('• Nhóm 12 (mã a1000000000000000012)');
    expect(lines.at(-2)).toBe('⚠ 3 nhóm cần gia hạn gói trong 14 ngày tới hoặc đã hết hạn.');
    const pages = fake.calls.filter((c) => c.path === '/v3.0/oa/group/getgroupsofoa').map((c) => c.query.offset);
    expect(pages).toEqual(['0', '10']);
    expectNoSecret(listed, secretsOf());
  });

  it('gui-thu sends the given words, or a dated test line, and prints the message id', async () => {
    await authorised();
    fake.addGroup('f414c8f76fa586fbdfb4', { name: 'Dân vận khéo tỉnh Hà Tĩnh' });
    const sent = await run(['send-test', 'f414c8f76fa586fbdfb4', 'Chào', 'cả', 'nhóm']);
    expect(sent.stderr).toBe('');
    expect(sent.status).toBe(0);
    const [message] = fake.sent;
    expect(message).toMatchObject({ kind: 'text', groupId: 'f414c8f76fa586fbdfb4', text: 'Chào cả nhóm' });
    expect(sent.stdout).toBe(`Đã gửi tin thử vào nhóm f414c8f76fa586fbdfb4: mã tin nhắn ${message!.messageId}.\n`);

    expect((await run(['gui-thu', 'f414c8f76fa586fbdfb4'])).status).toBe(0);
    expect(fake.sent[1]).toMatchObject({ text: 'Tin nhắn thử từ dvk-bot lúc 09:00 10/03/2026: Official Account gửi được tin vào nhóm này.' });

    const gone = await run(['gui-thu', 'ffffffffffffffffffff']);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toBe('OA không ở trong nhóm này, hoặc mã nhóm không đúng (lỗi -403). Xem các nhóm của OA bằng: npm run zalo-oa -- nhom\n');
  });

  it('thanh-vien lists a group’s members with the ids an administrator is added by', async () => {
    await authorised();
    fake.addGroup('f414c8f76fa586fbdfb4', {
      name: 'Dân vận khéo tỉnh Hà Tĩnh',
      members: [
        { id: '8100000000000000031', name: 'Nguyễn Thị Hoa' },
        { id: '8100000000000000032', name: 'Trịnh Thị Thuỳ Dương' },
      ],
    });
    const listed = await run(['thanh-vien', 'f414c8f76fa586fbdfb4']);
    expect(listed.stderr).toBe('');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toBe(
      [
        'Nhóm f414c8f76fa586fbdfb4 có 3 thành viên (kể cả OA); mã của từng người trong OA:',
        '• Nguyễn Thị Hoa — zalo-oa:8100000000000000031',
        '• Trịnh Thị Thuỳ Dương — zalo-oa:8100000000000000032',
        'Cấp quyền quản trị cho một người: npm run admin -- add zalo-oa:<mã> --ten "Họ tên".',
        '',
      ].join('\n'),
    );
  });

  it('says what to load when nothing is stored yet, and refuses with exit code 2 when the OA settings are missing', async () => {
    const none = await run(['nhom']);
    expect(none.status).toBe(1);
    expect(none.stderr).toBe(
      `Chưa nạp mã làm mới (refresh token) nào cho OA ${fake.oaId}: nạp bằng npm run zalo-oa -- nap-token, hoặc cấp quyền bằng npm run zalo-oa -- cap-quyen.\n`,
    );
    expect(fake.calls).toEqual([]);

    const elsewhere = join(dir, 'chua-co.sqlite');
    const unset = await run(['trang-thai'], { env: cleanEnv({ DB_PATH: elsewhere }) });
    expect(unset.status).toBe(2);
    expect(unset.stderr).toBe(
      'Chưa cấu hình Zalo OA: hãy đặt ZALO_OA_APP_ID, ZALO_OA_ID, ZALO_OA_APP_SECRET, ZALO_OA_SECRET_KEY và ZALO_OA_PUBLIC_URL trong tệp môi trường (.env) rồi chạy lại.\n',
    );
    expect(existsSync(elsewhere)).toBe(false);

    const half = await run(['nap-token'], { input: 'x\n', env: cleanEnv({ DB_PATH: elsewhere, ZALO_OA_APP_ID: fake.appId, ZALO_OA_ID: fake.oaId }) });
    expect(half.status).toBe(2);
    expect(half.stderr).toMatch(/^Cấu hình sai: ZALO_OA_APP_SECRET phải là /);
    expect(existsSync(elsewhere)).toBe(false);
  });
});
