import { eq } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../db/audit.js';
import type { Db } from '../../db/client.js';
import { addOneOffDeadline, syncCalendarDeadlines } from '../../db/deadlines.js';
import { grantRole } from '../../db/roles.js';
import { auditLog, conversations, deadlines } from '../../db/schema.js';
import { createUnit } from '../../db/unitAdmin.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { loadCalendar } from '../../scheduler/calendarConfig.js';
import { DANGKY_ANSWERS } from '../helpers/dangkyAnswers.js';
import { decideText } from '../helpers/decide.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { personIdOf, snapshotOf, unitIdOf } from '../helpers/rows.js';

const GROUP = { group: DEMO_GROUP };
const ADMIN = DEMO_PEOPLE.admin; // Nguyễn Thị Hoa
const OFFICER = DEMO_PEOPLE.officer; // Lê Minh Châu, Xã Cẩm Xuyên
const CALENDAR = loadCalendar(fileURLToPath(new URL('../../config/calendar.json', import.meta.url)));

let h: Harness;
const openDemo = demoPerTest({ now: '2026-01-10T09:00:00+07:00' });

/** The demo on Saturday 10/01/2026, with the shipped calendar loaded as the bot does at start-up. */
async function demo() {
  h = await openDemo();
  syncCalendarDeadlines(h.db, CALENDAR.deadlines, h.clock.now());
  return h;
}

const deadlineRows = () => h.db.select().from(deadlines).orderBy(deadlines.id).all();
const configId = (key: string) => h.db.select().from(deadlines).where(eq(deadlines.key, key)).get()!.id;

function addOneOff(title: string, date: string, done: 'none' | 'period_updates' | 'quota_registered' = 'none', unit: string | null = null) {
  return addOneOffDeadline(
    h.db,
    { title, date, done, unitId: unit ? unitIdOf(h.db, unit) : null },
    { personId: personIdOf(h.db, ADMIN), label: ADMIN },
    h.clock.now(),
  );
}

/** Everything a refused or mistyped command must leave as it was. */
const snapshot = (db: Db) => snapshotOf(db, { deadlines, conversations });

/** The reply's paragraphs; each deadline is one, starting with 📅. */
const blocks = (reply: string) => reply.split('\n\n');
const deadlineLines = (reply: string) => reply.split('\n').filter((l) => l.startsWith('📅'));
function blockOf(reply: string, title: string): string {
  const found = blocks(reply).filter((b) => b.startsWith('📅') && b.split('\n')[0]!.includes(title));
  expect(found, `one block for “${title}”`).toHaveLength(1);
  return found[0]!;
}

const REGISTRATION = 'Đăng ký mô hình “Dân vận khéo” của năm (trước ngày 30/01)';
const MONTHLY = 'Báo cáo tiến độ hằng tháng (chậm nhất ngày 15)';
const ANNOUNCEMENT = 'Tôn vinh, biểu dương mô hình điển hình dịp Ngày truyền thống công tác dân vận 15/10';

const DANGKY = [...DANGKY_ANSWERS, 'đồng ý'];

describe('/hanchot', () => {
  it('lists the coming deadlines soonest first, with weekday, date and days left, and where the officer’s unit stands', async () => {
    await demo();
    const reply = await h.text(OFFICER, '/hanchot', GROUP);
    expect(reply.split('\n')[0]).toBe('Các hạn sắp tới (hôm nay Thứ Bảy, 10/01/2026):');
    expect(deadlineLines(reply)).toEqual([
      `📅 Thứ Năm, 15/01/2026 (còn 5 ngày) — ${MONTHLY}`,
      `📅 Thứ Năm, 29/01/2026 (còn 19 ngày) — ${REGISTRATION}`,
      '📅 Thứ Năm, 19/03/2026 (còn 68 ngày) — Báo cáo quý (trước ngày 20 tháng cuối quý)',
      '📅 Thứ Hai, 29/06/2026 (còn 170 ngày) — Báo cáo sơ kết 6 tháng (trước ngày 30/06)',
      `📅 Thứ Năm, 15/10/2026 (còn 278 ngày) — ${ANNOUNCEMENT}`,
      '📅 Thứ Tư, 09/12/2026 (còn 333 ngày) — Báo cáo tổng kết năm (trước ngày 10/12)',
    ]);
    // Xã Cẩm Xuyên must register 2 models in 2026 and has 1; its only model is already recognised,
    // so no progress update is owed this month: nothing to report, not "done".
    expect(blockOf(reply, REGISTRATION).split('\n').slice(1)).toEqual([
      'Lặp lại: ngày 29/01 hằng năm. Hoàn thành khi: đơn vị đăng ký đủ chỉ tiêu mô hình, điểm sáng của năm.',
      '→ Xã Cẩm Xuyên: chưa xong.',
    ]);
    expect(blockOf(reply, MONTHLY).split('\n').slice(1)).toEqual([
      'Lặp lại: ngày 15 hằng tháng. Hoàn thành khi: mọi mô hình đang thực hiện có cập nhật tiến độ trong kỳ. Kỳ: 16/12/2025–15/01/2026.',
      '→ Xã Cẩm Xuyên: không có mô hình phải báo cáo kỳ này.',
    ]);
    // Nothing is checked for an announcement, so nothing is said about the unit.
    expect(blockOf(reply, ANNOUNCEMENT).split('\n').slice(1)).toEqual(['Lặp lại: ngày 15/10 hằng năm. Hoàn thành khi: chỉ nhắc, không kiểm tra.']);
    // Officers get neither deadline numbers nor the admin's hints.
    expect(reply).not.toContain('[số');
    expect(reply).not.toContain('/themhan');
  });

  it('says the officer’s unit is done once it has registered its quota', async () => {
    await demo();
    expect(blockOf(await h.text(OFFICER, '/hanchot', GROUP), REGISTRATION)).toContain('→ Xã Cẩm Xuyên: chưa xong.');
    await h.say(OFFICER, '/dangky', GROUP);
    for (const answer of DANGKY.slice(0, -1)) await h.say(OFFICER, answer, GROUP);
    expect(await h.text(OFFICER, DANGKY.at(-1)!, GROUP)).toContain('✅ Đã ghi nhận “Chợ phiên 0 đồng cho hộ nghèo”');
    const reply = await h.text(OFFICER, '/hanchot', GROUP);
    expect(blockOf(reply, REGISTRATION)).toContain('→ Xã Cẩm Xuyên: đã xong ✅');
    expect(blockOf(reply, REGISTRATION)).not.toContain('chưa xong');
  });

  it('shows one-off deadlines among the others; only an admin sees their numbers and how to add or remove one', async () => {
    await demo();
    const today = addOneOff('Gửi danh sách mô hình đề nghị biểu dương', '2026-01-10');
    const tomorrow = addOneOff('Nộp báo cáo chuyên đề về dân vận chính quyền', '2026-01-11', 'period_updates');
    const admin = await h.text(ADMIN, '/hanchot', GROUP);
    expect(deadlineLines(admin).slice(0, 3)).toEqual([
      `📅 Thứ Bảy, 10/01/2026 (hôm nay) — Gửi danh sách mô hình đề nghị biểu dương [số ${today.id}]`,
      `📅 Chủ nhật, 11/01/2026 (ngày mai) — Nộp báo cáo chuyên đề về dân vận chính quyền [số ${tomorrow.id}]`,
      `📅 Thứ Năm, 15/01/2026 (còn 5 ngày) — ${MONTHLY}`,
    ]);
    // A one-off does not repeat; its period is the month up to its day.
    expect(blockOf(admin, 'Nộp báo cáo chuyên đề').split('\n')[1]).toBe(
      'Hoàn thành khi: mọi mô hình đang thực hiện có cập nhật tiến độ trong kỳ. Kỳ: 12/12/2025–11/01/2026.',
    );
    expect(deadlineLines(admin).filter((l) => l.includes('[số'))).toHaveLength(2);
    expect(admin.split('\n').at(-1)).toBe('Thêm hạn riêng: /themhan. Xóa hạn riêng: /xoahan <số>. Các hạn định kỳ được đặt trong tệp lịch của hệ thống.');

    const officer = await h.text(OFFICER, '/hanchot', GROUP);
    expect(deadlineLines(officer)[0]).toBe('📅 Thứ Bảy, 10/01/2026 (hôm nay) — Gửi danh sách mô hình đề nghị biểu dương');
    expect(officer).not.toContain('[số');
  });

  it('does not tell an officer their unit is done with a deadline that does not concern it', async () => {
    await demo();
    // A deadline for Phường Thành Sen only: Xã Cẩm Xuyên has nothing to do with it.
    addOneOff('Phường đăng ký bổ sung mô hình', '2026-01-20', 'quota_registered', 'THANHSEN');
    const block = blockOf(await h.text(OFFICER, '/hanchot', GROUP), 'Phường đăng ký bổ sung mô hình');
    expect(block).not.toContain('Xã Cẩm Xuyên: đã xong');
    expect(block).not.toContain('Xã Cẩm Xuyên: chưa xong');
  });

  /** Gives `name` (made known to the bot first) a role, as /phanquyen would. */
  async function grant(name: string, role: 'leader' | 'officer', unit: string | null) {
    await h.say(name, '/toi', GROUP);
    h.db.transaction((tx) =>
      grantRole(tx, { personId: personIdOf(h.db, name), role, unitId: unit === null ? null : unitIdOf(h.db, unit) }, SYSTEM_ACTOR, h.clock.now()),
    );
  }
  const arrows = (reply: string) => reply.split('\n').filter((l) => l.startsWith('→'));

  it('shows a commune leader where the units of their commune stand, and no other unit', async () => {
    await demo();
    // A unit under the commune: the leader's reach is the commune's subtree. Xã Cẩm Bình has registered its model.
    h.db.transaction((tx) =>
      createUnit(
        tx,
        { name: 'Chi hội Phụ nữ thôn Bình Minh', shortCode: 'BINHMINH', kind: 'other', parentId: unitIdOf(h.db, 'CAMBINH') },
        SYSTEM_ACTOR,
        h.clock.now(),
      ),
    );
    await grant('Trần Thị Thu', 'leader', 'CAMBINH');
    const reply = await h.text('Trần Thị Thu', '/hanchot', GROUP);
    expect(blockOf(reply, REGISTRATION).split('\n').at(-1)).toBe('→ Các đơn vị bạn phụ trách: 1/2 đã xong; chưa xong: Chi hội Phụ nữ thôn Bình Minh.');
    // Neither unit carries out a model this month: nothing to report, not "done".
    expect(blockOf(reply, MONTHLY).split('\n').at(-1)).toBe('→ Các đơn vị bạn phụ trách: không đơn vị nào có mô hình phải báo cáo kỳ này.');
    expect(blockOf(reply, ANNOUNCEMENT)).not.toContain('→');
    for (const other of ['Xã Cẩm Xuyên', 'Phường', 'Sở', '/23']) expect(reply).not.toContain(other);
  });

  it('shows a province leader the count for each checked deadline and the first names of the units not done', async () => {
    await demo();
    const reply = await h.text(DEMO_PEOPLE.leader, '/hanchot', GROUP);
    // Every unit but the province itself is asked to register (the calendar's unit kinds); Vietnamese order (Đ before H).
    expect(blockOf(reply, REGISTRATION).split('\n').at(-1)).toBe(
      '→ Các đơn vị bạn phụ trách: 6/23 đã xong; chưa xong: Ban Tuyên giáo và Dân vận Tỉnh ủy, Đảng ủy UBND tỉnh, ' +
        'Hội Liên hiệp Phụ nữ tỉnh Hà Tĩnh, Phường Bắc Hồng Lĩnh, Phường Nam Hồng Lĩnh và 12 đơn vị khác.',
    );
    // Units carrying out no model are counted apart, out of the 4 that report.
    expect(blockOf(reply, 'Báo cáo quý').split('\n').at(-1)).toBe(
      '→ Các đơn vị bạn phụ trách: 4/4 đã xong ✅ (19 đơn vị không có mô hình phải báo cáo kỳ này)',
    );
    expect(blockOf(reply, ANNOUNCEMENT)).not.toContain('→');
    expect(arrows(reply)).toHaveLength(5);
    expect(reply.split('\n').length).toBeLessThanOrEqual(40);
    expect(reply).not.toContain('/baocao');
  });

  it('counts a unit once it registers, and names it no more', async () => {
    await demo();
    await grant('Trần Thị Thu', 'leader', 'CAMXUYEN');
    expect(blockOf(await h.text('Trần Thị Thu', '/hanchot', GROUP), REGISTRATION)).toContain(
      '→ Các đơn vị bạn phụ trách: 0/1 đã xong; chưa xong: Xã Cẩm Xuyên.',
    );
    await h.say(OFFICER, '/dangky', GROUP);
    for (const answer of DANGKY) await h.say(OFFICER, answer, GROUP);
    expect(blockOf(await h.text('Trần Thị Thu', '/hanchot', GROUP), REGISTRATION)).toContain('→ Các đơn vị bạn phụ trách: 1/1 đã xong ✅');
  });

  it('shows a leader who is also an officer their own unit once, and the other units they lead apart', async () => {
    await demo();
    await grant(OFFICER, 'leader', 'HATINH');
    const block = blockOf(await h.text(OFFICER, '/hanchot', GROUP), REGISTRATION).split('\n');
    expect(block.slice(2)).toEqual([
      '→ Xã Cẩm Xuyên: chưa xong.',
      '→ Các đơn vị khác bạn phụ trách: 6/22 đã xong; chưa xong: Ban Tuyên giáo và Dân vận Tỉnh ủy, Đảng ủy UBND tỉnh, ' +
        'Hội Liên hiệp Phụ nữ tỉnh Hà Tĩnh, Phường Bắc Hồng Lĩnh, Phường Nam Hồng Lĩnh và 11 đơn vị khác.',
    ]);
    // Leading only the unit they are an officer of adds nothing to their own line.
    await demo();
    await grant(OFFICER, 'leader', 'CAMXUYEN');
    expect(arrows(blockOf(await h.text(OFFICER, '/hanchot', GROUP), REGISTRATION))).toEqual(['→ Xã Cẩm Xuyên: chưa xong.']);
  });

  it('shows a plain officer only their own unit, and a person with no role no unit at all', async () => {
    await demo();
    const officer = await h.text(OFFICER, '/hanchot', GROUP);
    expect(arrows(officer)).toEqual(['→ Xã Cẩm Xuyên: không có mô hình phải báo cáo kỳ này.', '→ Xã Cẩm Xuyên: chưa xong.', ...arrows(officer).slice(2)]);
    expect(arrows(officer).every((l) => l.startsWith('→ Xã Cẩm Xuyên: '))).toBe(true);
    expect(officer).not.toContain('bạn phụ trách');
    const stranger = await h.text('Trần Thị Thu', '/hanchot', GROUP);
    expect(deadlineLines(stranger)).toEqual(deadlineLines(officer));
    expect(arrows(stranger)).toEqual([]);
  });

  it('keeps a leader’s lines for the three soonest checked deadlines when the reply would run long', async () => {
    await demo();
    for (let day = 11; day <= 20; day++) addOneOff(`Báo cáo chuyên đề số ${day}`, `2026-01-${day}`, 'quota_registered');
    const reply = await h.text(DEMO_PEOPLE.leader, '/hanchot', GROUP);
    expect(arrows(reply)).toHaveLength(3);
    expect(deadlineLines(reply)).toHaveLength(12);
    // The three soonest: the one-offs of 11, 12 and 13 January.
    for (const day of [11, 12, 13]) expect(blockOf(reply, `Báo cáo chuyên đề số ${day}`)).toContain('→ Các đơn vị bạn phụ trách:');
    expect(blockOf(reply, `Báo cáo chuyên đề số 14`)).not.toContain('→');
    expect(reply.split('\n').slice(-3)).toEqual(['… và 4 hạn khác.', '', '(Tình hình các đơn vị bạn phụ trách ở các hạn sau: gõ /baocao để xem chi tiết)']);
  });

  it('says so when there is no deadline at all', async () => {
    await demo();
    syncCalendarDeadlines(h.db, [], h.clock.now());
    expect(await h.text(OFFICER, '/hanchot', GROUP)).toBe('Hiện chưa có hạn báo cáo nào sắp tới.');
  });
});

describe('/themhan', () => {
  it('walks an admin through title, date, criterion and unit, and saves the one-off deadline', async () => {
    await demo();
    expect(await h.text(ADMIN, '/themhan', GROUP)).toContain('Nội dung cần hoàn thành?');
    expect(await h.text(ADMIN, 'Nộp báo cáo chuyên đề về dân vận khéo', GROUP)).toContain('Hạn chót là ngày nào?');
    expect(await h.text(ADMIN, '5/12', GROUP)).toContain('Khi nào một đơn vị được coi là đã xong?');
    expect(await h.text(ADMIN, 'Mọi mô hình đang thực hiện có cập nhật tiến độ', GROUP)).toContain('Hạn này dành cho đơn vị nào');
    const summary = await h.text(ADMIN, 'camxuyen', GROUP);
    expect(summary).toContain('(1) Nội dung: Nộp báo cáo chuyên đề về dân vận khéo');
    expect(summary).toContain('(2) Hạn chót: 05/12/2026');
    expect(summary).toContain('(3) Hoàn thành khi: Mọi mô hình đang thực hiện có cập nhật tiến độ');
    expect(summary).toContain('(4) Đơn vị: Xã Cẩm Xuyên (CAMXUYEN)');
    const before = deadlineRows().length;

    const reply = await h.text(ADMIN, 'đồng ý', GROUP);
    const rows = deadlineRows();
    expect(rows).toHaveLength(before + 1);
    const row = rows.at(-1)!;
    expect(row).toMatchObject({
      key: null,
      title: 'Nộp báo cáo chuyên đề về dân vận khéo',
      rule: 'once',
      params: { date: '2026-12-05' },
      doneCriterion: 'period_updates',
      unitId: unitIdOf(h.db, 'CAMXUYEN'),
      unitKinds: null,
      active: true,
      source: 'chat',
      createdBy: personIdOf(h.db, ADMIN),
    });
    expect(reply).toBe(
      `✅ Đã thêm hạn số ${row.id}: Nộp báo cáo chuyên đề về dân vận khéo — hạn chót 05/12/2026.\n` +
        `Bot sẽ nhắc trước 7, 3, 1 ngày, vào ngày hạn và sau hạn (trong giờ hành chính, trừ ngày nghỉ). Xem lại bằng /hanchot; xóa bằng /xoahan ${row.id}.`,
    );
    expect(
      h.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'deadline.add'))
        .all()
        .map((a) => a.entityId),
    ).toEqual([String(row.id)]);
    expect(h.db.select().from(conversations).all()).toEqual([]);
    expect(deadlineLines(await h.text(ADMIN, '/hanchot', GROUP))).toContain(
      `📅 Thứ Bảy, 05/12/2026 (còn 329 ngày) — Nộp báo cáo chuyên đề về dân vận khéo [số ${row.id}]`,
    );
  });

  it('takes “tất cả” for every unit and a choice by its number', async () => {
    await demo();
    for (const answer of ['/themhan', 'Gửi ảnh hoạt động tiêu biểu của năm', '20/1', '1', 'tất cả']) await h.say(ADMIN, answer, GROUP);
    expect(h.sent.at(-1)!.text).toMatch(/\(\d\) Đơn vị: Tất cả đơn vị/);
    expect(await h.text(ADMIN, 'đồng ý', GROUP)).toContain('✅ Đã thêm hạn số');
    expect(deadlineRows().at(-1)).toMatchObject({
      title: 'Gửi ảnh hoạt động tiêu biểu của năm',
      params: { date: '2026-01-20' },
      doneCriterion: 'none',
      unitId: null,
    });
  });

  it('refuses a past date kindly and asks again; today is still fine', async () => {
    await demo();
    await h.say(ADMIN, '/themhan', GROUP);
    await h.say(ADMIN, 'Nộp báo cáo chuyên đề về dân vận khéo', GROUP);
    const refused = await h.text(ADMIN, '5/1', GROUP);
    expect(refused).toContain('⚠️ Hạn chót phải từ hôm nay trở đi.');
    expect(refused).toContain('Hạn chót là ngày nào?');
    expect(await h.text(ADMIN, '09/01/2026', GROUP)).toContain('⚠️ Hạn chót phải từ hôm nay trở đi.');
    expect(await h.text(ADMIN, '10/1', GROUP)).toContain('Khi nào một đơn vị được coi là đã xong?');
    await h.say(ADMIN, '1', GROUP);
    await h.say(ADMIN, 'tất cả', GROUP);
    await h.say(ADMIN, 'đồng ý', GROUP);
    expect(deadlineRows().at(-1)).toMatchObject({ source: 'chat', params: { date: '2026-01-10' } });
  });

  it('is refused to an officer, and nothing changes', async () => {
    await demo();
    const before = snapshot(h.db);
    expect(await h.text(OFFICER, '/themhan', GROUP)).toBe('Lệnh /themhan chỉ dành cho quản trị. Nếu bạn cần dùng, hãy nhờ quản trị cấp quyền.');
    expect(snapshot(h.db)).toEqual(before);
  });
});

describe('/xoahan', () => {
  it('removes a one-off deadline by its number; /hanchot no longer shows it', async () => {
    await demo();
    const mine = addOneOff('Nộp báo cáo chuyên đề về dân vận khéo', '2026-12-05');
    expect(await h.text(ADMIN, '/hanchot', GROUP)).toContain(`[số ${mine.id}]`);
    expect(await decideText(h, ADMIN, `/xoahan ${mine.id}`, GROUP)).toBe(
      `✅ Đã xóa hạn số ${mine.id}: Nộp báo cáo chuyên đề về dân vận khéo. Các nhắc nhở chưa gửi của hạn này sẽ không gửi nữa.`,
    );
    expect(h.db.select().from(deadlines).where(eq(deadlines.id, mine.id)).get()).toMatchObject({ active: false });
    expect(
      h.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'deadline.remove'))
        .all()
        .map((a) => a.entityId),
    ).toEqual([String(mine.id)]);
    expect(await h.text(ADMIN, '/hanchot', GROUP)).not.toContain('Nộp báo cáo chuyên đề');
    // Gone: asking again finds nothing to remove.
    expect(await h.text(ADMIN, `/xoahan ${mine.id}`, GROUP)).toBe(
      `Không có hạn riêng nào mang số ${mine.id}. Gõ /hanchot để xem số của các hạn. Chưa có gì thay đổi.`,
    );
  });

  it('refuses a deadline of the calendar file, and nothing changes', async () => {
    await demo();
    const id = configId('bao-cao-thang');
    const before = snapshot(h.db);
    expect(await h.text(ADMIN, `/xoahan ${id}`, GROUP)).toBe(
      `Hạn số ${id} là hạn định kỳ trong tệp lịch của hệ thống, không xóa được trong chat. Chưa có gì thay đổi.`,
    );
    expect(snapshot(h.db)).toEqual(before);
  });

  it.each(['/xoahan', '/xoahan abc', '/xoahan 7a', '/xoahan -1', '/xoahan 1 2', '/xoahan số 7'])('%s gives the usage, and nothing changes', async (text) => {
    await demo();
    addOneOff('Nộp báo cáo chuyên đề về dân vận khéo', '2026-12-05');
    const before = snapshot(h.db);
    expect(await h.text(ADMIN, text, GROUP)).toBe('Cách gõ: /xoahan <số>, ví dụ /xoahan 12. Số của hạn có trong /hanchot.');
    expect(snapshot(h.db)).toEqual(before);
  });

  it('is refused to an officer, and nothing changes', async () => {
    await demo();
    const mine = addOneOff('Nộp báo cáo chuyên đề về dân vận khéo', '2026-12-05');
    const before = snapshot(h.db);
    expect(await h.text(OFFICER, `/xoahan ${mine.id}`, GROUP)).toBe('Lệnh /xoahan chỉ dành cho quản trị. Nếu bạn cần dùng, hãy nhờ quản trị cấp quyền.');
    expect(snapshot(h.db)).toEqual(before);
    expect(h.db.select().from(deadlines).where(eq(deadlines.id, mine.id)).get()!.active).toBe(true);
  });
});
