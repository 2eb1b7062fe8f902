import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../core/clock.js';
import { openDatabase } from '../../../db/client.js';
import { seedDemo } from '../../../db/seed/demo.js';
import { cleanEnv, npm } from '../../helpers/processes.js';

/** `npm run reminders` (the dry run) as an admin types it, over a demo database. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-dryrun-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function reminders(...args: string[]) {
  return npm(['run', '--silent', 'reminders', '--', ...args], { env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite') }) });
}

/** Everything the bot writes about reminders and deadlines: must be untouched by a dry run. */
function snapshot(): string {
  const db = new Database(join(dir, 'dvk.sqlite'), { readonly: true });
  const rows = ['deadlines', 'reminder_outbox', 'reminder_runs', 'audit_log'].map((t) => db.prepare(`select count(*) as n from ${t}`).get());
  db.close();
  return JSON.stringify(rows);
}

describe('npm run reminders (dry run)', { timeout: 120_000 }, () => {
  it('prints what would go out at --now, to which groups, and writes nothing', async () => {
    const database = await openDatabase(join(dir, 'dvk.sqlite'), { clock: fixedClock('2026-11-20T09:00:00+07:00') });
    seedDemo(database.db, new Date('2026-11-20T09:00:00+07:00'));
    database.close();
    const before = snapshot();

    const out = reminders('--now', '2027-01-22T08:00:00+07:00');
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('Thời điểm: 08:00 22/01/2027 (Thứ Sáu, 22/01/2027).');
    expect(out.stdout).toMatch(
      /• Đăng ký mô hình “Dân vận khéo” của năm \(trước ngày 30\/01\) — hạn Thứ Sáu, 29\/01\/2027, nhắc trước 7 ngày: \d+ đơn vị chưa xong, 2 tin nhắn\./,
    );
    expect(out.stdout).toContain('  → Dân vận khéo tỉnh Hà Tĩnh (console):');
    // The commune's own group hears of its own unit only.
    expect(out.stdout).toContain(
      '  → Dân vận khéo xã Cẩm Xuyên (console):\n' +
        '     ⏰ Nhắc hạn: Đăng ký mô hình “Dân vận khéo” của năm (trước ngày 30/01)\n' +
        '     Hạn chót: Thứ Sáu, 29/01/2027 — còn 7 ngày.\n' +
        '     @Lê Minh Châu:\n' +
        '     Đơn vị chưa hoàn thành:\n' +
        '     • Xã Cẩm Xuyên: đã đăng ký 0/1 mô hình năm 2027 (gõ /dangky)\n',
    );
    expect(snapshot()).toBe(before);

    // A Saturday: said plainly, nothing due.
    const saturday = reminders('--now', '2027-01-23T09:00:00+07:00');
    expect(saturday.stdout).toContain('Hôm nay là ngày nghỉ (Thứ Bảy): bot không gửi nhắc nhở.');
    expect(saturday.stdout).toContain('Không có lượt nhắc nào đến giờ vào lúc này.');
  });

  it('refuses an instant without a time zone', () => {
    const out = reminders('--now', '2027-01-22 08:00');
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('--now phải là thời điểm ISO có múi giờ');
  });
});
