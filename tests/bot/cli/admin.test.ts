import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, npm as runNpm } from '../../helpers/processes.js';

/**
 * `npm run admin` as the operator types it, in real child processes over one database file, then
 * the simulator over the same file: the administrator made on the command line is one in chat.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-admin-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function npm(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  return runNpm(args, {
    input: options.input ?? '',
    env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), DVK_OUT_DIR: join(dir, 'out'), ...options.env }),
  });
}

const admin = (...args: string[]) => npm(['run', '--silent', 'admin', '--', ...args]);

describe('npm run admin', { timeout: 120_000 }, () => {
  it('makes the first administrator, whom the simulator then treats as one', () => {
    const added = admin('add', 'console:Nguyễn Văn An', '--ten', 'Nguyễn Văn An');
    expect(added.stderr).toBe('');
    expect(added.status).toBe(0);
    expect(added.stdout).toBe('Đã tạo người dùng #1 Nguyễn Văn An (console:Nguyễn Văn An).\nĐã cấp quyền quản trị cho #1 Nguyễn Văn An.\n');

    const chat = npm(['start', '--silent'], { input: '[Nhóm thử] Nguyễn Văn An: /huongdan\n' });
    expect(chat.status).toBe(0);
    expect(chat.stdout).toContain('Các lệnh bạn dùng được');
    // An administrator's own commands come first in the help.
    expect(chat.stdout).toContain('/phanquyen');
    expect(chat.stdout).not.toContain('Bạn chưa thuộc đơn vị nào');
    expect(chat.stdout).not.toContain('Bạn chưa được gắn với đơn vị nào');
  });

  it('accepts a simulator name typed without quotes, is idempotent, and lists the admins', () => {
    expect(admin('add', 'console:Nguyễn', 'Văn', 'An').status).toBe(0);
    const again = admin('add', 'console:Nguyễn Văn An');
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('#1 Nguyễn Văn An đã là quản trị; không có gì thay đổi.\n');
    expect(admin('add', 'telegram:123456789', '--ten', 'Trần Thị Bích').status).toBe(0);

    const list = admin('list');
    expect(list.status).toBe(0);
    expect(list.stdout).toBe('#1 Nguyễn Văn An — console:Nguyễn Văn An\n#2 Trần Thị Bích — telegram:123456789\n');
  });

  it('refuses to remove the last administrator with exit code 1, then removes one of two', () => {
    admin('add', 'telegram:123456789', '--ten', 'Trần Thị Bích');
    const refused = admin('remove', 'telegram:123456789');
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe('#1 Trần Thị Bích là quản trị cuối cùng nên không gỡ được: hãy thêm một quản trị khác trước.\n');

    admin('add', 'zalo:8327193047618893562', '--ten', 'Lê Văn Cường');
    const removed = admin('remove', 'telegram:123456789');
    expect(removed.status).toBe(0);
    expect(removed.stdout).toBe('Đã gỡ quyền quản trị của #1 Trần Thị Bích.\n');
    expect(admin('list').stdout).toBe('#2 Lê Văn Cường — zalo:8327193047618893562\n');
  });

  it('refuses a malformed account with exit code 1 without creating the database', () => {
    const bad = admin('add', 'telegram:@bich');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('Mã tài khoản telegram phải là một dãy số (đang là “@bich”).\n');
    expect(existsSync(join(dir, 'dvk.sqlite'))).toBe(false);
  });

  it('stops with exit code 2 on a wrong configuration, like the bot', () => {
    const wrong = npm(['run', '--silent', 'admin', '--', 'list'], { env: { DVK_NOW: 'ngày mai' } });
    expect(wrong.status).toBe(2);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toBe('Cấu hình sai: DVK_NOW phải là thời điểm ISO có múi giờ, ví dụ 2026-01-15T08:00:00+07:00 (đang là "ngày mai").\n');
  });
});
