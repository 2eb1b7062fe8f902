import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../bot/app.js';
import { fixedClock } from '../../core/clock.js';
import { silentLogger } from '../../bot/logger.js';
import { cleanEnv, REPO_ROOT } from '../helpers/processes.js';

/**
 * A process starting while another one writes: the bot restarted while the old one still
 * drains, an admin CLI run beside the bot. Every transaction takes the write lock when it begins
 * (IMMEDIATE, db/client.ts), so each waits its turn within the busy timeout. Before, a
 * transaction that read first and wrote after (the calendar sync, the demo seed, `admin add`,
 * a new person's first message) failed at once with "database is locked": SQLite does not wait
 * for a lock a read transaction asks to upgrade. A single long lock does not show it (the first
 * write of the start-up waits for it and the rest then runs alone); a writer that keeps
 * committing short transactions does, as a running bot does.
 */

const NOW = '2026-03-10T09:00:00+07:00';
const DATABASE_LOCKED = 'Cơ sở dữ liệu đang bị một tiến trình khác giữ khóa quá lâu nên bot chưa khởi động được. Bot dừng để chạy lại sau ít giây.';

let dir: string;
let stopWriter: (() => Promise<number>) | undefined;
let holder: Database.Database | undefined;
afterEach(async () => {
  await stopWriter?.();
  stopWriter = undefined;
  holder?.close();
  holder = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A database as a running deployment has it (schema and defaults), closed again. */
async function prepareDatabase(): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'dvk-busy-start-'));
  const dbPath = join(dir, 'dvk.sqlite');
  const core = await createCore({ dbPath, clock: fixedClock(NOW), log: silentLogger, flowTtlMinutes: 60, deliver: async () => ({ messageId: 'x' }) });
  core.close();
  return dbPath;
}

/**
 * Another process writing without pause: a short write transaction (about 15 ms with the lock
 * held), a few milliseconds free, again. It never waits itself (busy_timeout 0: when the other
 * side holds the lock it tries again a millisecond later), so the test's event loop runs on.
 * Resolves the number of its commits when stopped.
 */
function keepWriting(dbPath: string): () => Promise<number> {
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 0');
  const write = db.prepare("insert into settings (key, value, updated_at) values ('test.writer', ?, 0) on conflict (key) do update set value = excluded.value");
  let commits = 0;
  let running = true;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const step = () => {
    if (!running) return finished();
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch {
      setTimeout(step, 1); // the other process holds it: try again at once
      return;
    }
    write.run(JSON.stringify(commits));
    setTimeout(() => {
      db.exec('COMMIT');
      commits++;
      setTimeout(step, 5);
    }, 15);
  };
  step();
  return async () => {
    running = false;
    await done;
    db.close();
    return commits;
  };
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>, input = ''): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: REPO_ROOT, env: cleanEnv(env, ['NODE_ENV']), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  const limit = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('starting while another process writes', { timeout: 180_000 }, () => {
  it('the bot (demo seed, a changed calendar, a first message) and then `admin add` wait their turn and succeed', async () => {
    const dbPath = await prepareDatabase();
    // The calendar as the next release ships it: one title changed, so the sync has to write.
    const calendar = JSON.parse(readFileSync(join(REPO_ROOT, 'config/calendar.json'), 'utf8')) as { deadlines: Array<{ key: string; title: string }> };
    calendar.deadlines[0]!.title = 'Đăng ký mô hình “Dân vận khéo” của năm (hạn mới)';
    const calendarPath = join(dir, 'calendar.json');
    writeFileSync(calendarPath, JSON.stringify(calendar));
    const env = { DB_PATH: dbPath, DVK_OUT_DIR: join(dir, 'out'), DVK_NOW: NOW, DVK_CALENDAR: calendarPath };

    stopWriter = keepWriting(dbPath);
    const bot = await run(['bot/main.ts', '--demo'], env, '[Dân vận khéo tỉnh Hà Tĩnh] Nguyễn Thị Hoa: /huongdan\n');
    const admin = await run(['bot/cli/admin.ts', 'add', 'console:Trần Văn Kiểm', '--ten', 'Trần Văn Kiểm'], env);
    const commits = await stopWriter();
    stopWriter = undefined;

    // No "database is locked" anywhere: the start-up, the first message and the CLI all waited.
    expect({ code: bot.code, stderr: bot.stderr }).toEqual({ code: 0, stderr: '' });
    expect(bot.stdout).toContain('Các lệnh bạn dùng được');
    expect(bot.stdout).not.toContain('bận ghi dữ liệu');
    expect({ code: admin.code, stderr: admin.stderr }).toEqual({ code: 0, stderr: '' });
    expect(admin.stdout).toContain('Đã cấp quyền quản trị cho');
    // The writer really was writing all along (tens of commits a second).
    expect(commits).toBeGreaterThan(20);

    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.prepare("select title from deadlines where key = 'dang-ky-mo-hinh'").get()).toEqual({ title: calendar.deadlines[0]!.title });
      expect(db.prepare('select count(*) as n from units').get()).not.toEqual({ n: 0 });
      expect(db.prepare("select count(*) as n from identities where platform_user_id = 'Trần Văn Kiểm'").get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });

  it('a lock held past the busy timeout (5 s): the bot stops with exit 75 and one Vietnamese line, for a restart later', async () => {
    const dbPath = await prepareDatabase();
    holder = new Database(dbPath);
    holder.exec('BEGIN IMMEDIATE');
    holder.exec("insert into settings (key, value, updated_at) values ('test.holder', '1', 0)");

    const exit = await run(['bot/main.ts'], { DB_PATH: dbPath, DVK_OUT_DIR: join(dir, 'out') }, '[Nhóm thử] Nguyễn Văn An: /huongdan\n');
    holder.exec('ROLLBACK');

    expect(exit).toEqual({ code: 75, stdout: '', stderr: `${DATABASE_LOCKED}\n` });
  });
});
