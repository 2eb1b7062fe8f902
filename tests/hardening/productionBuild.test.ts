import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The compiled build as production runs it (`npm run build`, then `node dist/bot/main.js`; the
 * Dockerfile and the systemd unit do the same): built into a folder laid out like a deployment —
 * dist/, package.json, config/, node_modules — where node_modules holds every package but tsx, so
 * nothing of the build may fall back on compiling TypeScript (the report thread least of all).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
let app: string;
let build: SpawnSyncReturns<string>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-build-'));
  app = join(dir, 'app');
  mkdirSync(join(app, 'node_modules'), { recursive: true });
  build = spawnSync(process.execPath, [join(ROOT, 'deploy/build.mjs'), join(app, 'dist')], { cwd: ROOT, encoding: 'utf8', timeout: 150_000 });
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry !== 'tsx' && entry !== '.bin') symlinkSync(join(ROOT, 'node_modules', entry), join(app, 'node_modules', entry));
  }
  cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
  cpSync(join(ROOT, 'config'), join(app, 'config'), { recursive: true });
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(script: string, args: string[], input = '') {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DB_PATH|TELEGRAM_|ZALO_|DVK_|LOG_LEVEL|NODE_ENV|NODE_OPTIONS)/.test(k)));
  return spawnSync(process.execPath, [join('dist', script), ...args], {
    cwd: app,
    input,
    encoding: 'utf8',
    env: { ...clean, DB_PATH: join(dir, 'dvk.sqlite'), DVK_OUT_DIR: join(dir, 'out') },
    timeout: 60_000,
  });
}

describe('the production build', { timeout: 120_000 }, () => {
  it('compiles, and the compiled bot runs the simulator, the CLI, /trangthai and a report file without tsx', () => {
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    expect(existsSync(join(app, 'dist/db/migrations/meta/_journal.json'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/tsx'))).toBe(false);

    const admin = run('bot/cli/admin.js', ['add', 'console:Nguyễn Văn An', '--ten', 'Nguyễn Văn An']);
    expect(admin.stderr).toBe('');
    expect(admin.status).toBe(0);

    const session = run(
      'bot/main.js',
      [],
      '[Nhóm thử] Nguyễn Văn An: /huongdan\n[Nhóm thử] Nguyễn Văn An: /trangthai\n[Nhóm thử] Nguyễn Văn An: /baocao excel\n',
    );
    expect(session.stderr).toBe('');
    expect(session.status).toBe(0);
    // The admin's short help: the commands open to her, first.
    expect(session.stdout).toMatch(/^\[Nhóm thử\] Bot: Các lệnh bạn dùng được:\n\[Nhóm thử\] \/baocao — /);
    // package.json read from dist/commands/shared/status.js, one folder deeper than in the sources.
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(session.stdout).toContain(`[Nhóm thử] Phiên bản: ${version}\n`);
    // Made on the report thread, which loads the compiled reports/reportWorker.js.
    const file = /📎 Tệp: (\S+\.xlsx)\n/.exec(session.stdout)?.[1];
    expect(file).toBeDefined();
    expect(existsSync(file!)).toBe(true);
  });
});
