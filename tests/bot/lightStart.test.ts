import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What a start without any platform configured loads (issue 18, item 10): the platform SDKs, the
 * report renderers and date-holidays cost hundreds of milliseconds and tens of megabytes, and
 * none of them is used until a platform is configured or a report file is made.
 *
 * The real bot runs with a loader hook that writes down every module resolved through `import`
 * (all threads), and, at exit, every CommonJS module in the cache (`require`, createRequire).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const NEVER_AT_START = ['grammy', '@grammyjs/runner', '@grammyjs/auto-retry', 'zca-js', 'exceljs', 'docx', 'echarts', '@resvg/resvg-js', 'date-holidays'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-light-start-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The recording hook: plain JavaScript, registered by `--import` ahead of the bot. */
function writeHook(list: string): string {
  const hooks = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(list)}, resolved.url + '\\n');
  return resolved;
}`;
  const hooksPath = join(dir, 'hooks.mjs');
  writeFileSync(hooksPath, hooks);
  const registerPath = join(dir, 'register.mjs');
  writeFileSync(
    registerPath,
    `import { createRequire, register } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(hooksPath).href)});
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(${JSON.stringify(list)}, Object.keys(require.cache).map((p) => p + '\\n').join('')));
`,
  );
  return registerPath;
}

/** The package a loaded file belongs to ("@resvg/resvg-js", "grammy"), or undefined for our own files and node's. */
function packageOf(url: string): string | undefined {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
}

describe('a start with no platform configured', { timeout: 60_000 }, () => {
  it('loads neither platform library, nor adapter, nor report renderer, nor date-holidays', () => {
    const list = join(dir, 'loaded.txt');
    writeFileSync(list, '');
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DB_PATH|TELEGRAM_|ZALO_|DVK_|LOG_LEVEL|NODE_ENV)/.test(k)));
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', writeHook(list), 'bot/main.ts'], {
      cwd: ROOT,
      input: '[Nhóm thử] Nguyễn Văn An: /huongdan\n',
      encoding: 'utf8',
      env: { ...clean, DB_PATH: join(dir, 'dvk.sqlite'), DVK_OUT_DIR: join(dir, 'out') },
      timeout: 50_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\[Nhóm thử\] Bot: Bot “Dân vận khéo” giúp/);

    const loaded = readFileSync(list, 'utf8').split('\n').filter(Boolean);
    const packages = new Set(loaded.map(packageOf).filter((p) => p !== undefined));
    // The recording works: what every start needs is there.
    expect(packages).toContain('drizzle-orm');
    expect(packages).toContain('better-sqlite3');
    expect(loaded.some((f) => f.includes('/bot/console/adapter.ts'))).toBe(true);

    expect(NEVER_AT_START.filter((p) => packages.has(p))).toEqual([]);
    expect(loaded.filter((f) => /\/bot\/(telegram|zalo)\//.test(f) || /\/reports\/(xlsx|docx|chart|reportWorker)\.ts$/.test(f))).toEqual([]);
  });
});
