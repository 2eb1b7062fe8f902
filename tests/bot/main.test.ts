import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, npm, REPO_ROOT } from '../helpers/processes.js';

/**
 * The README's run command as a newcomer types it, in a real child process with piped input.
 * The environment is cleaned of anything that would pick a platform or another database.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-main-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(input: string, env: Record<string, string> = {}, args: string[] = []) {
  return npm(['start', '--silent', ...(args.length ? ['--', ...args] : [])], {
    input,
    env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), DVK_OUT_DIR: join(dir, 'out'), ...env }),
  });
}

// Each test starts `npm start` (once or twice, up to 60 s each): room for a slow, shared machine.
describe('npm start', { timeout: 150_000 }, () => {
  it('with piped input prints the help and exits with status 0', () => {
    const { status, stdout, stderr } = run('[Nhóm thử] Nguyễn Văn An: /huongdan\n');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^\[Nhóm thử\] Bot: Bot “Dân vận khéo” giúp/);
    expect(stdout).toContain('[Nhóm thử] /huongdan — xem hướng dẫn');
    // A newcomer: join a unit first; the rest with "tatca".
    expect(stdout).toContain('[Nhóm thử] 👉 Bạn chưa thuộc đơn vị nào. Gõ /thamgia');
    expect(stdout).toContain('/huongdan tatca');
    expect(existsSync(join(dir, 'dvk.sqlite'))).toBe(true);
  });

  it('stops with one clear line when a variable is wrong', () => {
    const { status, stdout, stderr } = run('/huongdan\n', { DVK_NOW: 'ngày mai' });
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe('Cấu hình sai: DVK_NOW phải là thời điểm ISO có múi giờ, ví dụ 2026-01-15T08:00:00+07:00 (đang là "ngày mai").\n');
    expect(existsSync(join(dir, 'dvk.sqlite'))).toBe(false);
  });

  it('as a service (NODE_ENV=production) with no platform configured: stops with exit 2 and says why, instead of a silent simulator', () => {
    const { status, stdout, stderr } = run('', { NODE_ENV: 'production' });
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'Chưa cấu hình nền tảng nào: hãy đặt TELEGRAM_BOT_TOKEN, ZALO_CREDENTIALS hoặc các biến ZALO_OA_* trong tệp môi trường. Khi NODE_ENV=production bot không chạy trình mô phỏng.\n',
    );
    expect(existsSync(join(dir, 'dvk.sqlite'))).toBe(false);
  });

  it('--demo seeds the sample so the demo admin sees the admin’s commands', () => {
    const { status, stdout } = run('[Dân vận khéo tỉnh Hà Tĩnh] Nguyễn Thị Hoa: /huongdan\n', {}, ['--demo']);
    expect(status).toBe(0);
    expect(stdout).toContain('Các lệnh bạn dùng được');
    expect(stdout).not.toContain('Bạn chưa được gắn với đơn vị nào');
  });

  it('a /dangky begun in one process is finished in the next, over the same database', () => {
    const group = '[Dân vận khéo xã Cẩm Xuyên] Lê Minh Châu: ';
    const first = run(`${group}/dangky\ndan van kheo\ntap the\nkinh te\n`, {}, ['--demo']);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('(4/9) Tên mô hình là gì?');

    const second = run(`${group}Tủ sách pháp luật ở thôn\nĐặt tủ sách pháp luật ở 12 nhà văn hóa thôn.\nbỏ qua\n1/4\n31/12\nLê Minh Châu\n1\n`, {}, ['--demo']);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('(3) Lĩnh vực: Kinh tế');
    expect(second.stdout).toMatch(/✅ Đã ghi nhận “Tủ sách pháp luật ở thôn” \(Mô hình “Dân vận khéo”\) của Xã Cẩm Xuyên\.\n.*Mã: DVK-\d{4}-0010/);
  });
});

/**
 * `--demo` without DB_PATH owns ./data/demo.sqlite and rebuilds it for the instant it runs at.
 * Run from a folder of its own, as an operator would from a checkout that also holds a real
 * database: ./data/dvk.sqlite, its evidence and its backups must come out untouched.
 */
describe('npm start -- --demo', { timeout: 150_000 }, () => {
  const TSX = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

  function demo(cwd: string, now: string, input: string, env: Record<string, string> = {}) {
    const result = spawnSync(process.execPath, ['--import', TSX, join(REPO_ROOT, 'bot/main.ts'), '--demo'], {
      cwd,
      input,
      encoding: 'utf8',
      timeout: 60_000,
      env: cleanEnv({ DVK_NOW: now, DVK_CALENDAR: join(REPO_ROOT, 'config/calendar.json'), DVK_OUT_DIR: join(cwd, 'out'), ...env }),
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Every instant the demo's rows hold, at most: none may be after the run's now. */
  function latestInstant(path: string): number {
    const db = new Database(path, { readonly: true });
    try {
      const columns = [
        ['model_state_history', 'at'],
        ['progress_updates', 'created_at'],
        ['models', 'updated_at'],
        ['models', 'replicated_at'],
        ['models', 'commended_at'],
        ['audit_log', 'at'],
        ['units', 'updated_at'],
        ['people', 'updated_at'],
      ];
      return Math.max(...columns.map(([table, column]) => (db.prepare(`select max(${column}) as t from ${table}`).get() as { t: number | null }).t ?? 0));
    } finally {
      db.close();
    }
  }

  function snapshot(root: string): Record<string, string> {
    const files: Record<string, string> = {};
    const walk = (rel: string) => {
      for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
        const path = join(rel, entry.name);
        if (entry.isDirectory()) walk(path);
        else files[path] = readFileSync(join(root, path), 'base64');
      }
    };
    walk('');
    return files;
  }

  it('rebuilds its own database for each run (6/12, then 10/3: nothing after 10/3) and leaves the real database, evidence and backups alone', () => {
    // What a real deployment keeps in ./data beside the demo.
    mkdirSync(join(dir, 'data/evidence/ab'), { recursive: true });
    mkdirSync(join(dir, 'data/backups'), { recursive: true });
    writeFileSync(join(dir, 'data/dvk.sqlite'), 'the real database');
    writeFileSync(join(dir, 'data/dvk.sqlite-wal'), 'its log');
    writeFileSync(join(dir, 'data/evidence/ab/abcdef'), 'a photo someone sent');
    writeFileSync(join(dir, 'data/backups/dvk-2026-12-01.sqlite'), 'last night');
    const real = snapshot(join(dir, 'data'));

    const card = '[Dân vận khéo tỉnh Hà Tĩnh] Trần Văn Bình: /mohinh DVK-2026-0001\n';
    const december = demo(dir, '2026-12-06T09:00:00+07:00', card);
    expect(december.stderr).toBe('');
    expect(december.status).toBe(0);
    expect(december.stdout).toContain('nhân rộng');
    const demoDb = join(dir, 'data/demo.sqlite');
    expect(latestInstant(demoDb)).toBe(Date.parse('2026-12-06T09:00:00+07:00'));
    // The demo's evidence has a folder of its own, which the next run starts afresh.
    mkdirSync(join(dir, 'data/demo-evidence/cd'), { recursive: true });
    writeFileSync(join(dir, 'data/demo-evidence/cd/cdef'), 'from the December run');

    const march = demo(dir, '2026-03-10T09:00:00+07:00', card);
    expect(march.stderr).toBe('');
    expect(march.status).toBe(0);
    const marchNow = Date.parse('2026-03-10T09:00:00+07:00');
    expect(latestInstant(demoDb)).toBe(marchNow);
    // The card's history and updates show only dates up to 10/3/2026 (its planned period may end later).
    const history = march.stdout
      .split('\n')
      .filter((line) => !line.includes('Thời gian:'))
      .join('\n');
    expect(history).toContain('Lịch sử:');
    const dates = [...history.matchAll(/(\d{2})\/(\d{2})\/(\d{4})/g)].map(([, d, m, y]) => `${y}-${m}-${d}`);
    expect(dates.length).toBeGreaterThan(3);
    for (const day of dates) expect(day <= '2026-03-10', day).toBe(true);
    expect(existsSync(join(dir, 'data/demo-evidence/cd/cdef'))).toBe(false);

    expect(snapshot(join(dir, 'data/evidence'))).toEqual({ 'ab/abcdef': real['evidence/ab/abcdef'] });
    const after = snapshot(join(dir, 'data'));
    for (const [path, bytes] of Object.entries(real)) expect(after[path], path).toBe(bytes);
  });

  it('with DB_PATH set, seeds that database once, never wipes it, and refuses it when it was seeded later than now', () => {
    const path = join(dir, 'thu.sqlite');
    const env = { DB_PATH: path };
    const first = demo(dir, '2026-12-06T09:00:00+07:00', '', env);
    expect(first.status).toBe(0);
    // A model registered by hand, so a wipe would show.
    const later = demo(dir, '2026-12-07T09:00:00+07:00', '[Dân vận khéo tỉnh Hà Tĩnh] Lê Minh Châu: /huongdan\n', env);
    expect(later.status).toBe(0);
    const count = () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare("select (select count(*) from models) as models, (select count(*) from audit_log where action = 'demo.seed') as seeds").get();
      } finally {
        db.close();
      }
    };
    expect(count()).toEqual({ models: 9, seeds: 1 });

    const earlier = demo(dir, '2026-03-10T09:00:00+07:00', '[Dân vận khéo tỉnh Hà Tĩnh] Lê Minh Châu: /huongdan\n', env);
    expect(earlier.status).toBe(2);
    expect(earlier.stdout).toBe('');
    expect(earlier.stderr).toBe(
      `Tệp ${path} đã có dữ liệu mẫu nạp lúc 09:00 06/12/2026, muộn hơn thời điểm bot đang chạy (09:00 10/03/2026): lịch sử mô hình sẽ có các mốc ở tương lai. ` +
        'Hãy chọn tệp DB_PATH khác, hoặc bỏ DB_PATH để bot tự dựng lại dữ liệu mẫu trong ./data/demo.sqlite.\n',
    );
    expect(count()).toEqual({ models: 9, seeds: 1 });
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });
});
