import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, npm, REPO_ROOT } from '../helpers/processes.js';

/**
 * The scripted simulator session of the issue, kept as a fixture: a new officer of Xã Thiên Cầm
 * registers two models, the leader approves one and returns the other with a reason, the officer
 * updates the approved one twice (the second time editing the first), and /mohinh shows exactly
 * that — in the same run, and again in a new process over the same database.
 */
const FIXTURES = join(REPO_ROOT, 'tests/fixtures/simulator');
const GROUP = '[Dân vận khéo xã Thiên Cầm]';
let dir: string;
let first: string;
let second: string;

function play(fixture: string): string {
  const result = npm(['start', '--silent', '--', '--demo'], {
    input: readFileSync(join(FIXTURES, fixture), 'utf8'),
    env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), DVK_OUT_DIR: join(dir, 'out'), DVK_NOW: '2026-03-10T09:00:00+07:00' }),
  });
  expect(result.status).toBe(0);
  return result.stdout;
}

/** What /mohinh and the two model cards printed: from the list's header to the end. */
function views(output: string): string {
  return output.slice(output.indexOf(`${GROUP} Bot: Mô hình, điểm sáng năm 2026 của Xã Thiên Cầm`));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-session-'));
  first = play('xa-thien-cam.txt');
  second = play('xa-thien-cam-after-restart.txt');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the scripted session of a commune', () => {
  it('registers two models, approves one, returns the other with a reason, and edits the second update', () => {
    expect(first).toContain(`${GROUP} Bot: @Võ Thị Thanh: bạn đã được cấp quyền cán bộ đầu mối của Xã Thiên Cầm (THIENCAM).`);
    expect(first).toContain(`${GROUP} Mã: DVK-2026-0010 — trạng thái: chờ duyệt.`);
    expect(first).toContain(`${GROUP} Mã: DVK-2026-0011 — trạng thái: chờ duyệt.`);
    expect(first).toContain(`${GROUP} Bot: @Võ Thị Thanh: ✅ Đã duyệt DVK-2026-0010 “Chợ phiên nông sản sạch” của Xã Thiên Cầm.`);
    expect(first).toContain(`${GROUP} Bot → Trần Văn Bình: Mời bạn kiểm tra lại trước khi xác nhận:`); // every decision is agreed to first
    expect(first).toContain(
      '↩️ DVK-2026-0011 “Một cửa thân thiện” của Xã Thiên Cầm được trả lại để bổ sung. Lý do: Cần ghi rõ kết quả dự kiến đạt được. Đơn vị gõ /suamohinh DVK-2026-0011 để sửa và gửi lại.',
    );
    expect(first).toContain('✅ Đã ghi nhận tiến độ của DVK-2026-0010 “Chợ phiên nông sản sạch”: 30% — tháng 3/2026.');
    expect(first).toContain('✅ Đã sửa cập nhật tháng 3/2026 của DVK-2026-0010 “Chợ phiên nông sản sạch”: 35%.');
    expect(first).not.toContain('⚠️');
    expect(first).not.toContain('Xin lỗi, bot gặp lỗi');
  });

  it('/mohinh then shows exactly that', () => {
    const shown = views(first);
    expect(shown).toContain(
      [
        `${GROUP} Bot: Mô hình, điểm sáng năm 2026 của Xã Thiên Cầm: 1/1 theo chỉ tiêu (đã đủ chỉ tiêu)`,
        `${GROUP} • DVK-2026-0010 “Chợ phiên nông sản sạch” — đang thực hiện, 35% (10/03)`,
        `${GROUP} • DVK-2026-0011 “Một cửa thân thiện” — bị trả lại, chưa có cập nhật (không tính vào chỉ tiêu)`,
      ].join('\n'),
    );
    expect(shown).toContain(
      [
        `${GROUP} Lịch sử:`,
        `${GROUP} • 10/03/2026 — được duyệt, đang thực hiện — Trần Văn Bình`,
        `${GROUP} • 10/03/2026 — đăng ký, chờ duyệt — Võ Thị Thanh`,
        GROUP,
        `${GROUP} Cập nhật:`,
        `${GROUP} • 10/03/2026 — 35% — Phiên chợ đầu tiên có 45 hộ tham gia, bán được 2 tấn rau.`,
      ].join('\n'),
    );
    expect(shown).toContain(`${GROUP} • 10/03/2026 — bị trả lại — Trần Văn Bình — Lý do: Cần ghi rõ kết quả dự kiến đạt được.`);
    // One update: the second /capnhat edited the first instead of adding one.
    expect(shown.match(/— 3\d% —/g)).toEqual(['— 35% —']);
  });

  it('the database holds exactly that', () => {
    const db = new Database(join(dir, 'dvk.sqlite'), { readonly: true });
    const models = db.prepare("select m.code, m.state from models m join units u on u.id = m.unit_id where u.short_code = 'THIENCAM' order by m.code").all();
    expect(models).toEqual([
      { code: 'DVK-2026-0010', state: 'in_progress' },
      { code: 'DVK-2026-0011', state: 'returned' },
    ]);
    const updates = db
      .prepare(
        "select u.text, u.percent, u.period_month as month, (select count(*) from attachments a where a.update_id = u.id) as files from progress_updates u join models m on m.id = u.model_id where m.code = 'DVK-2026-0010'",
      )
      .all();
    expect(updates).toEqual([{ text: 'Phiên chợ đầu tiên có 45 hộ tham gia, bán được 2 tấn rau.', percent: 35, month: 3, files: 1 }]);
    // What the session did; setting up (the demo, first contacts, the calendar file loaded at start) aside.
    const actions = db.prepare("select action from audit_log where action not in ('demo.seed', 'person.first_contact', 'deadline.config') order by id").all();
    expect(actions.map((a) => (a as { action: string }).action)).toEqual([
      'role.grant',
      'model.register',
      'model.register',
      'model.approve',
      'model.return',
      'update.add',
      'update.edit',
    ]);
    db.close();
  });

  it('shows the same after a restart over the same database', () => {
    expect(views(second)).toBe(views(first));
  });
});
