import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, npm } from '../helpers/processes.js';

/**
 * The same clock through DVK_NOW in the simulator: `npm start -- --demo` at the registration
 * deadline's "7 days before" slot prints the reminders into the demo groups; a second process
 * over the same database at the same instant does not print them again.
 */

let dir: string;

function run(now: string, input: string): string {
  const result = npm(['start', '--silent', '--', '--demo'], {
    input,
    env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), DVK_OUT_DIR: join(dir, 'out'), DVK_NOW: now }),
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-sim-reminders-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Runs `npm start` twice: room for a slow, shared machine.
describe('reminders in the simulator', { timeout: 120_000 }, () => {
  it('prints the reminders due at DVK_NOW once, mentioning the officers, and /hanchot agrees', () => {
    const out = run('2027-01-22T08:00:00+07:00', '[Dân vận khéo tỉnh Hà Tĩnh] Phạm Thị Dung: /hanchot\n');
    const heading = '⏰ Nhắc hạn: Đăng ký mô hình “Dân vận khéo” của năm (trước ngày 30/01)';
    expect(out).toContain(`[Dân vận khéo tỉnh Hà Tĩnh] Bot: ${heading}`);
    expect(out).toContain(`[Dân vận khéo xã Cẩm Xuyên] Bot: ${heading}`);
    expect(out).toContain('[Dân vận khéo xã Cẩm Xuyên] Hạn chót: Thứ Sáu, 29/01/2027 — còn 7 ngày.');
    expect(out).toContain('[Dân vận khéo xã Cẩm Xuyên] @Lê Minh Châu:');
    expect(out).toContain('📅 Thứ Sáu, 29/01/2027 (còn 7 ngày) — Đăng ký mô hình “Dân vận khéo” của năm (trước ngày 30/01)');

    // The bot restarted at the same instant: those reminders were sent already.
    const again = run('2027-01-22T08:30:00+07:00', '');
    expect(again).not.toContain(heading);
  });
});
