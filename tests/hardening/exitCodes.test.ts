import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBotApi } from '../helpers/fakeBotApi.js';
import { cleanEnv, REPO_ROOT } from '../helpers/processes.js';

/**
 * What the process tells its supervisor. The real bot (`node --import tsx bot/main.ts`, as the
 * systemd unit and the Docker image start it) runs against the local fake Bot API until it
 * exits by itself; its exit code is then read as systemd reads it with the unit's own
 * Restart= and RestartPreventExitStatus= lines (deploy/dvk-bot.service).
 */

const TOKEN = '123456789:AAHk1x9ZrLq0PpQ2mN3bV4cX5zY6wT7uS8r';

const TOKEN_REFUSED =
  'Telegram không nhận mã bot (lỗi 401): mã đã bị thu hồi hoặc không đúng. Hãy đặt mã mới vào TELEGRAM_BOT_TOKEN trong tệp môi trường rồi khởi động lại bot.';
const SECOND_POLLER =
  'Một tiến trình khác đang nhận tin Telegram bằng cùng mã bot (lỗi 409), nên bot dừng để chạy lại sau ít giây. Nếu lỗi cứ lặp lại, hãy tắt bản bot đang chạy ở nơi khác.';

let dir: string;
let fake: FakeBotApi | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  rmSync(dir, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The bot with a clean environment and its own database, until it exits (killed after `limitMs`). */
function runBot(extra: Record<string, string>, options: { input?: string; closeStdoutEarly?: boolean; limitMs?: number } = {}): Promise<Exit> {
  const env = cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), DVK_OUT_DIR: join(dir, 'out'), ...extra }, ['NODE_ENV']);
  const child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    // Whoever read the output went away after its first lines (`npm start | head -n 3`).
    if (options.closeStdoutEarly) child.stdout.destroy();
  });
  child.stdin.end(options.input ?? '');
  const limit = setTimeout(() => child.kill('SIGKILL'), options.limitMs ?? 60_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** stderr without the JSON log lines: what an operator reads first in `journalctl` or `docker logs`. */
function plainLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '' && !line.startsWith('{'));
}

function logLines(stderr: string): Array<{ level: number; msg: string; [key: string]: unknown }> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

/** What systemd does with an exit code under the unit's own lines: Restart=on-failure, RestartPreventExitStatus=. */
function systemdRestarts(code: number): boolean {
  const unit = readFileSync(join(REPO_ROOT, 'deploy/dvk-bot.service'), 'utf8');
  expect(unit).toMatch(/^Restart=on-failure$/m);
  const prevented = (/^RestartPreventExitStatus=(.*)$/m.exec(unit)?.[1] ?? '').split(/\s+/).filter(Boolean).map(Number);
  return code !== 0 && !prevented.includes(code);
}

/** The bot closed its database itself: the last connection checkpointed and removed the log, and the file is whole. */
function closedCleanly(): void {
  const path = join(dir, 'dvk.sqlite');
  expect(existsSync(`${path}-wal`)).toBe(false);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    db.close();
  }
}

// Each test starts the bot once (tsx compiles it on a shared, slow machine): room for that.
describe('exit codes for the supervisor', { timeout: 120_000 }, () => {
  it('a token Telegram refuses (401): exit 78 with one Vietnamese line, and systemd does not restart it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dvk-exit-'));
    fake = await FakeBotApi.start({ token: '999999999:AAOtherTokenOtherTokenOtherToken000' });
    const exit = await runBot({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: fake.root, LOG_LEVEL: 'info' });

    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 78, signal: null });
    expect(plainLines(exit.stderr)).toEqual([TOKEN_REFUSED]);
    expect(logLines(exit.stderr)).toContainEqual(expect.objectContaining({ msg: 'shutting down', platform: 'telegram', refused: 401 }));
    expect(exit.stdout).toBe('');
    // Asked once: no retry can mend a revoked token.
    expect(fake.callsOf('getMe')).toHaveLength(1);
    expect(systemdRestarts(78)).toBe(false);
    closedCleanly();
  });

  it('another process polling with the same token (409): exit 75 with one Vietnamese line, and systemd restarts it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dvk-exit-'));
    fake = await FakeBotApi.start({ token: TOKEN });
    fake.failNext('getUpdates', 1, {
      error_code: 409,
      description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    });
    const exit = await runBot({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: fake.root, LOG_LEVEL: 'info' });

    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 75, signal: null });
    expect(plainLines(exit.stderr)).toEqual([SECOND_POLLER]);
    expect(logLines(exit.stderr)).toContainEqual(expect.objectContaining({ msg: 'shutting down', platform: 'telegram', refused: 409 }));
    expect(systemdRestarts(75)).toBe(true);
    closedCleanly();
  });

  it('the simulator whose output pipe closes (EPIPE, as under `| head`): exits quietly with status 0', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dvk-exit-'));
    const exit = await runBot({}, { input: '[Nhóm thử] Nguyễn Văn An: /huongdan\n'.repeat(300), closeStdoutEarly: true });

    expect({ code: exit.code, signal: exit.signal, stderr: exit.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(exit.stdout).toMatch(/^\[Nhóm thử\] Bot: /);
  });
});
