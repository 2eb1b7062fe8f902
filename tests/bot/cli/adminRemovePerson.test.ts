import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, npm as runNpm } from '../../helpers/processes.js';

/**
 * `npm run admin -- remove <số> --ly-do "…"` as the operator types it, in real child processes over
 * one database file: a person met in the simulator is removed, and every refusal exits 1 with its
 * reason on stderr, a wrong configuration 2.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-admin-remove-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NOW = '2026-06-15T09:00:00+07:00';

function npm(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  return runNpm(args, {
    input: options.input ?? '',
    env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), DVK_OUT_DIR: join(dir, 'out'), DVK_NOW: NOW, ...options.env }),
  });
}

const admin = (...args: string[]) => npm(['run', '--silent', 'admin', '--', ...args]);

function rows(sql: string): unknown[] {
  const db = new Database(join(dir, 'dvk.sqlite'), { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe('npm run admin -- remove <số>', { timeout: 120_000 }, () => {
  it('removes a person with the reason, audited as cli; refuses again, the last admin, an unknown number, a missing reason', () => {
    expect(admin('add', 'console:Trần Thị Bích', '--ten', 'Trần Thị Bích').status).toBe(0);
    const chat = npm(['start', '--silent'], { input: '[Nhóm thử] Phạm Thị Thu Hằng: /huongdan\n' });
    expect(chat.status).toBe(0);
    expect(rows('select id, display_name as name from people order by id')).toEqual([
      { id: 1, name: 'Trần Thị Bích' },
      { id: 2, name: 'Phạm Thị Thu Hằng' },
    ]);

    const noReason = admin('remove', '2');
    expect(noReason.status).toBe(1);
    expect(noReason.stderr).toBe('Cần ghi lý do xóa (tối đa 200 ký tự), ví dụ: npm run admin -- remove 12 --ly-do "theo đề nghị của người này"\n');

    const removed = admin('remove', '#2', '--ly-do', 'theo đề nghị của người này');
    expect(removed.stderr).toBe('');
    expect(removed.status).toBe(0);
    expect(removed.stdout).toBe(
      'Đã xóa thông tin cá nhân của người dùng #2: tài khoản, vai trò, đơn vị, nhóm chat riêng với bot và những gì đang làm dở.\n' +
        'Vẫn giữ 0 mô hình và 0 cập nhật tiến độ ở đơn vị, ghi là “người đã xóa #2”.\n',
    );
    expect(rows('select display_name as name, removed_at as removedAt from people where id = 2')).toEqual([
      { name: 'người đã xóa #2', removedAt: new Date(NOW).getTime() },
    ]);
    expect(rows('select count(*) as n from identities where person_id = 2')).toEqual([{ n: 0 }]);
    expect(rows("select actor_label as actor, entity_id as id, after from audit_log where action = 'person.remove'")).toEqual([
      { actor: 'cli', id: '2', after: JSON.stringify({ reason: 'theo đề nghị của người này' }) },
    ]);

    const again = admin('remove', '2', '--ly-do', 'lần nữa');
    expect(again.status).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toBe('#2 đã được xóa từ ngày 15/06/2026 rồi nên không có gì thay đổi.\n');

    const lastAdmin = admin('remove', '1', '--ly-do', 'nghỉ hưu');
    expect(lastAdmin.status).toBe(1);
    expect(lastAdmin.stderr).toBe(
      '#1 Trần Thị Bích là quản trị cuối cùng nên chưa xóa được: hãy cấp quyền quản trị cho người khác trước. Không có gì thay đổi.\n',
    );
    const unknown = admin('remove', '99', '--ly-do', 'nhầm');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe('Không có người dùng #99 nên không có gì thay đổi. Bạn kiểm tra lại số của người đó.\n');
    expect(rows("select count(*) as n from audit_log where action = 'person.remove'")).toEqual([{ n: 1 }]);

    // An account still takes an administrator's role away, as before.
    expect(admin('add', 'telegram:123456789', '--ten', 'Lê Văn Cường').status).toBe(0);
    expect(admin('remove', 'telegram:123456789').stdout).toBe('Đã gỡ quyền quản trị của #3 Lê Văn Cường.\n');
  });

  it('stops with exit code 2 on a wrong configuration', () => {
    const wrong = admin('remove', '2', '--ly-do', 'x');
    expect(wrong.status).toBe(1); // nothing to remove in an empty database: a refusal, not a crash
    const broken = npm(['run', '--silent', 'admin', '--', 'remove', '2', '--ly-do', 'x'], { env: { DVK_NOW: 'ngày mai' } });
    expect(broken.status).toBe(2);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toMatch(/^Cấu hình sai: DVK_NOW/);
  });
});
