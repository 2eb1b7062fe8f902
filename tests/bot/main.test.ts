import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, npm } from '../helpers/processes.js';

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
    expect(stdout).toContain('[Nhóm thử] /dangky — đăng ký mô hình');
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

    const second = run(`${group}Tủ sách pháp luật ở thôn\nĐặt tủ sách pháp luật ở 12 nhà văn hóa thôn.\nbỏ qua\n1/4\n30/11\nLê Minh Châu\n1\n`, {}, ['--demo']);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('• Lĩnh vực: Kinh tế');
    expect(second.stdout).toMatch(/✅ Đã ghi nhận “Tủ sách pháp luật ở thôn” \(Mô hình “Dân vận khéo”\) của Xã Cẩm Xuyên\.\n.*Mã: DVK-\d{4}-0009/);
  });
});
