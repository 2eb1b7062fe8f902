import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, npm, type Ran } from '../helpers/processes.js';

/**
 * Time passing inside one scripted session: `npm start -- --demo` at a Monday when nothing is
 * due, then a `⏰` line to the Friday of the registration deadline's "7 days before" slot. The
 * reminders are printed right after the jump (not before it, not at the end), and /hanchot then
 * counts from the new day. A line that would move the clock back is refused on stderr.
 */

const PROVINCE = '[Dân vận khéo tỉnh Hà Tĩnh]';
const HEADING = '⏰ Nhắc hạn: Đăng ký mô hình “Dân vận khéo” của năm (trước ngày 30/01)';
let dir: string;
let ran: Ran;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-sim-time-'));
  ran = npm(['start', '--silent', '--', '--demo'], {
    input: [`${PROVINCE} Phạm Thị Dung: /hanchot`, '⏰ 22/01/2027 08:00', '⏰ 20/01/2027 08:00', `${PROVINCE} Phạm Thị Dung: /hanchot`, ''].join('\n'),
    env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), DVK_OUT_DIR: join(dir, 'out'), DVK_NOW: '2027-01-18T08:00:00+07:00' }),
  });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('time directives in the simulator', () => {
  it('prints the reminders due at the new time after the jump, and /hanchot counts from the new day', () => {
    expect(ran.status, ran.stderr).toBe(0);
    const out = ran.stdout;
    const before = out.indexOf(`${PROVINCE} Bot: Các hạn sắp tới (hôm nay Thứ Hai, 18/01/2027):`);
    const reminder = out.indexOf(`${PROVINCE} Bot: ${HEADING}`);
    const after = out.indexOf(`${PROVINCE} Bot: Các hạn sắp tới (hôm nay Thứ Sáu, 22/01/2027):`);
    expect(before, out).toBeGreaterThanOrEqual(0);
    expect(reminder, out).toBeGreaterThan(before);
    expect(after, out).toBeGreaterThan(reminder);
    expect(out.slice(reminder, after)).toContain('[Dân vận khéo xã Cẩm Xuyên] Hạn chót: Thứ Sáu, 29/01/2027 — còn 7 ngày.');
    // Printed once, right after the jump: not again at the end of the input.
    expect(out.split(`${PROVINCE} Bot: ${HEADING}`)).toHaveLength(2);
    expect(out.slice(after)).toContain('📅 Thứ Sáu, 29/01/2027 (còn 7 ngày) — Đăng ký mô hình “Dân vận khéo” của năm (trước ngày 30/01)');
  });

  it('refuses to move the clock back, on stderr, and carries on at the later time', () => {
    expect(ran.stderr).toContain(
      '⏰ Giờ mô phỏng chỉ đi tới, không lùi lại: bây giờ đã là 08:00 22/01/2027, còn dòng này đưa về 08:00 20/01/2027. Bỏ qua dòng này.',
    );
    expect(ran.stdout).not.toContain('Giờ mô phỏng');
    expect(ran.stdout).not.toContain('20/01/2027):');
  });
});
