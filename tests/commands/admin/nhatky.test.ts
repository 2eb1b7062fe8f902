import { describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '../../../commands/admin/nhatky.js';
import { recordAudit } from '../../../db/audit.js';
import { recordFileLinkDownload } from '../../../db/fileLinks.js';
import { auditLog, fileLinks, linkCodes } from '../../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../../helpers/harness.js';
import { personIdOf, unitOf } from '../../helpers/rows.js';

const NOW = '2026-11-21T09:00:00+07:00';
const GROUP = { group: DEMO_GROUP };
const { admin: HOA, leader: BINH, officer: CHAU } = DEMO_PEOPLE;
const AN = 'Nguyễn Văn An';

let h: Harness;
const demo = demoPerTest({ now: NOW });

/** One minute later, `person` says `text` in the demo group: each action gets its own time. */
async function say(person: string, text: string, options: { private?: boolean } = {}): Promise<string> {
  h.clock.advance(60_000);
  return h.text(person, text, options.private ? { private: true } : GROUP);
}

/** The entries of a /nhatky page: [time and who, what]. */
function entries(reply: string): Array<[string, string]> {
  const lines = reply.split('\n');
  const out: Array<[string, string]> = [];
  lines.forEach((line, i) => {
    if (line.startsWith('• ')) out.push([line.slice(2), lines[i + 1]!.trim()]);
  });
  return out;
}

/** An approval, a newcomer, a role given and taken back: four real actions by two people. */
async function someActions() {
  await say(HOA, '/duyet DVK-2026-0007'); // 09:01
  await h.text(HOA, 'đồng ý', GROUP); // confirmed in the same minute
  await say(AN, '/huongdan'); // 09:02, first contact
  await say(HOA, `/phanquyen cán bộ ${AN} CAMXUYEN`); // 09:03
  await say(HOA, `/thuquyen cán bộ ${AN} CAMXUYEN`); // 09:04
}

describe('/nhatky', () => {
  it('tells real actions in Vietnamese, newest first, with when and who', async () => {
    h = await demo();
    await someActions();
    const hoa = personIdOf(h.db, HOA);
    const an = personIdOf(h.db, AN);
    const reply = await say(HOA, '/nhatky');

    expect(reply.split('\n')[0]).toBe('📜 Nhật ký thao tác — trang 1/1, 5 mục, mới nhất trước:');
    expect(entries(reply)).toEqual([
      [`09:04 21/11/2026 · ${HOA} (#${hoa})`, `Thu hồi quyền cán bộ đầu mối Xã Cẩm Xuyên của ${AN} (#${an})`],
      [`09:03 21/11/2026 · ${HOA} (#${hoa})`, `Cấp quyền cán bộ đầu mối Xã Cẩm Xuyên cho ${AN} (#${an})`],
      [`09:02 21/11/2026 · ${AN} (#${an})`, `Lần đầu nhắn bot trên bản mô phỏng: ${AN} (#${an})`],
      [`09:01 21/11/2026 · ${HOA} (#${hoa})`, 'Duyệt mô hình DVK-2026-0007 (Tỉnh đoàn Hà Tĩnh): chờ duyệt → đang thực hiện'],
      ['09:00 21/11/2026 · Dữ liệu mẫu', expect.stringMatching(/^Nạp dữ liệu mẫu: 24 đơn vị, \d+ người, 9 mô hình$/)],
    ]);
    // A single page says nothing about a next one; the text is composed Vietnamese.
    expect(reply).not.toContain('Xem tiếp');
    expect(reply).toBe(reply.normalize('NFC'));
  });

  it('tells a progress update, a quota and a new unit from what they changed', async () => {
    h = await demo();
    await say(CHAU, '/capnhat DVK-2026-0001');
    await say(CHAU, 'Thêm 2 khu dân cư đạt chuẩn kiểu mẫu.');
    await say(CHAU, '100%');
    await say(CHAU, 'bỏ qua');
    expect(await say(CHAU, 'đồng ý')).toContain('✅ Đã ghi nhận tiến độ');
    await say(HOA, '/chitieu CAMXUYEN 3');
    for (const answer of ['/themdonvi', 'Xã Cẩm Lạc', 'camlac', 'xa', 'hatinh', 'dong y']) await say(HOA, answer);

    const what = entries(await say(HOA, '/nhatky')).map(([, w]) => w);
    expect(what.slice(0, 3)).toEqual([
      'Thêm Xã Cẩm Lạc (CAMLAC)',
      'Đặt chỉ tiêu năm 2026 của Xã Cẩm Xuyên: 2 → 3 mô hình', // the demo asks 2
      'Cập nhật tiến độ mô hình DVK-2026-0001 (Xã Cẩm Xuyên): 100%, đã hoàn thành, “Thêm 2 khu dân cư đạt chuẩn kiểu mẫu.”',
    ]);
  });

  it('tells a file the Zalo OA route served by link being downloaded, without saying who', async () => {
    h = await demo();
    const db = h.db;
    const [link] = db
      .insert(fileLinks)
      .values({
        tokenHash: 'a'.repeat(64),
        fileName: 'Tổng hợp quý 1 năm 2026.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        sizeBytes: 30_000,
        storedName: 'x1',
        platform: 'zalo-oa',
        platformChatId: 'f414c8f76fa586fbdfb4',
        createdAt: h.clock.now().getTime(),
        expiresAt: h.clock.now().getTime() + 72 * 3600_000,
      })
      .returning()
      .all();
    h.clock.advance(60_000);
    recordFileLinkDownload(db, link!.id, h.clock.now());
    const [first] = entries(await say(HOA, '/nhatky'));
    expect(first).toEqual(['09:01 21/11/2026 · Hệ thống', 'Tệp “Tổng hợp quý 1 năm 2026.xlsx” được tải về qua liên kết (lần thứ 1)']);
  });

  it('pages 15 entries at a time, says how to see the next page, and where the pages end', async () => {
    h = await demo();
    // 20 newcomers write once: 20 first contacts after the demo's own entry.
    for (let i = 1; i <= 20; i++) await say(`Người thử ${i}`, '/huongdan');
    await say(HOA, '/huongdan'); // a known person: no entry

    const first = await say(HOA, '/nhatky');
    expect(first.split('\n')[0]).toBe('📜 Nhật ký thao tác — trang 1/2, 21 mục, mới nhất trước:');
    const page1 = entries(first);
    expect(page1).toHaveLength(PAGE_SIZE);
    expect(page1[0]![1]).toBe(`Lần đầu nhắn bot trên bản mô phỏng: Người thử 20 (#${personIdOf(h.db, 'Người thử 20')})`);
    expect(page1[14]![1]).toContain('Người thử 6 ');
    expect(first.split('\n').at(-1)).toBe('Xem tiếp: /nhatky 2');

    const second = await say(HOA, '/nhatky trang 2');
    expect(second.split('\n')[0]).toBe('📜 Nhật ký thao tác — trang 2/2, 21 mục, mới nhất trước:');
    const page2 = entries(second);
    expect(page2.map(([, w]) => w.replace(/ \(#\d+\)$/, ''))).toEqual([
      ...[5, 4, 3, 2, 1].map((i) => `Lần đầu nhắn bot trên bản mô phỏng: Người thử ${i}`),
      expect.stringMatching(/^Nạp dữ liệu mẫu: /),
    ]);
    expect(second).not.toContain('Xem tiếp');

    expect(await say(HOA, '/nhatky 3')).toBe('Nhật ký chỉ có 2 trang. Gõ /nhatky 2 để xem trang cuối.');
    expect(await say(HOA, '/nhatky 0')).toMatch(/^Số trang bắt đầu từ 1\. Cách gõ: \/nhatky/);
  });

  it('filters by a unit, a model or a person; explains a filter it cannot use', async () => {
    h = await demo();
    await someActions();
    await say(HOA, '/chitieu CAMXUYEN 4');
    const hoa = personIdOf(h.db, HOA);
    const an = personIdOf(h.db, AN);

    const byUnit = await say(HOA, '/nhatky camxuyen');
    expect(byUnit.split('\n')[0]).toBe('📜 Nhật ký thao tác của Xã Cẩm Xuyên (CAMXUYEN) — trang 1/1, 3 mục, mới nhất trước:');
    expect(entries(byUnit).map(([, w]) => w)).toEqual([
      'Đặt chỉ tiêu năm 2026 của Xã Cẩm Xuyên: 2 → 4 mô hình',
      `Thu hồi quyền cán bộ đầu mối Xã Cẩm Xuyên của ${AN} (#${an})`,
      `Cấp quyền cán bộ đầu mối Xã Cẩm Xuyên cho ${AN} (#${an})`,
    ]);

    const byModel = await say(HOA, '/nhatky dvk-2026-0007');
    expect(byModel.split('\n')[0]).toBe('📜 Nhật ký thao tác của mô hình DVK-2026-0007 — trang 1/1, 1 mục, mới nhất trước:');
    expect(entries(byModel).map(([, w]) => w)).toEqual(['Duyệt mô hình DVK-2026-0007 (Tỉnh đoàn Hà Tĩnh): chờ duyệt → đang thực hiện']);
    // Typed with spaces, as /duyet and /mohinh accept it (it was read as three unknown words before).
    expect(await say(HOA, '/nhatky dvk 2026 7')).toBe(byModel);
    expect(await say(HOA, '/nhatky 1 DVK 2026 0007')).toBe(byModel);

    // A person: what they did, and what was done to them.
    const byAn = entries(await say(HOA, `/nhatky #${an}`));
    expect(byAn.map(([, w]) => w.split(' ')[0])).toEqual(['Thu', 'Cấp', 'Lần']);
    const byHoa = await say(HOA, `/nhatky #${hoa}`);
    expect(byHoa.split('\n')[0]).toContain(`của ${HOA} (#${hoa})`);
    expect(entries(byHoa).every(([who]) => who.endsWith(`· ${HOA} (#${hoa})`))).toBe(true);
    expect(entries(byHoa).map(([, w]) => w.split(' ')[0])).toEqual(['Đặt', 'Thu', 'Cấp', 'Duyệt']);

    expect(await say(HOA, '/nhatky DUCTHO')).toBe('Nhật ký của Xã Đức Thọ (DUCTHO) chưa có thao tác nào.');
    expect(await say(HOA, '/nhatky DVK-2026-0999')).toBe('Không có mô hình mã “DVK-2026-0999”.');
    expect(await say(HOA, '/nhatky KHONGCO')).toMatch(/^Không hiểu “KHONGCO”: đó không phải số trang, mã đơn vị, mã mô hình hay #số người\. Cách gõ/);
    expect(await say(HOA, '/nhatky CAMXUYEN DUCTHO')).toMatch(/^Mỗi lần chỉ lọc theo một đơn vị, một mô hình hoặc một người\./);
  });

  it('keeps the filter in the next-page hint, the page and the filter in any order', async () => {
    h = await demo();
    for (let i = 0; i < 16; i++) await say(HOA, `/chitieu CAMXUYEN ${i % 2 === 0 ? 3 : 4}`);
    const first = await say(HOA, '/nhatky CAMXUYEN');
    expect(first.split('\n').at(-1)).toBe('Xem tiếp: /nhatky CAMXUYEN 2');
    expect(entries(await say(HOA, '/nhatky 2 camxuyen'))).toHaveLength(1);
  });

  it('never shows a join code or a link code, and leaves secrets of unknown actions out', async () => {
    h = await demo();
    const oldCode = unitOf(h.db, 'SNV').joinCode;
    await say(HOA, '/suadonvi snv');
    await say(HOA, 'cap lai ma tham gia');
    await say(HOA, '1');
    for (const answer of ['/themdonvi', 'Xã Cẩm Lạc', 'camlac', 'xa', 'hatinh', 'dong y']) await say(HOA, answer);
    expect(await say(HOA, '/lienket', { private: true })).toMatch(/^Mã liên kết của bạn: /);
    const linkCode = h.db.select().from(linkCodes).get()!.code;
    // An action this command does not know, as a future feature might log it.
    recordAudit(h.db, { personId: null, label: 'system' }, h.clock.now(), {
      action: 'zalo.relogin',
      entity: 'deployment',
      before: { attempts: 1, note: 'mất kết nối' },
      after: {
        attempts: 2,
        note: 'đăng nhập lại',
        cookie: 'zpw_sek=abc; zpsid=def',
        imei: '3f0c9a1e-2b7d-4c55-9e61-7a2f1d0b8c33',
        token: '7123456789:AAHk1x9ZrLq0PpQ2mN3bV4cX5zY6wT7uS8r',
        ref: 'Zk9QW1xYc2VjcmV0LXNlc3Npb24tdmFsdWUtMTIz',
        nested: { secretKey: 'abc' },
      },
    });

    const reply = await say(HOA, '/nhatky');
    const what = entries(reply).map(([, w]) => w);
    expect(what[0]).toBe('Thao tác “zalo.relogin” trên deployment (attempts: 1 → 2; note: mất kết nối → đăng nhập lại)');
    expect(what[1]).toMatch(/^Lấy mã liên kết tài khoản \(dùng được đến \d\d:\d\d 21\/11\/2026\)$/);
    expect(what[2]).toBe('Thêm Xã Cẩm Lạc (CAMLAC)');
    expect(what[3]).toBe('Sửa Sở Nội vụ (SNV): cấp lại mã tham gia');
    for (const secret of [
      oldCode,
      unitOf(h.db, 'SNV').joinCode,
      unitOf(h.db, 'CAMLAC').joinCode,
      linkCode,
      'zpw_sek',
      'abc',
      '3f0c9a1e',
      'AAHk1x9',
      'Zk9QW1x',
    ]) {
      expect(reply).not.toContain(secret);
    }
  });

  it('keeps a full page of long entries within one Telegram message', async () => {
    h = await demo();
    const long = 'Một nội dung rất dài '.repeat(40);
    for (let i = 0; i < PAGE_SIZE; i++) {
      recordAudit(h.db, { personId: null, label: `Người có tên rất dài ${'x'.repeat(200)}` }, h.clock.now(), {
        action: `thao_tac_la_${'y'.repeat(100)}`,
        entity: 'deployment',
        before: { note: long },
        after: { note: `${long}!` },
      });
    }
    const reply = await say(HOA, '/nhatky');
    expect(entries(reply)).toHaveLength(PAGE_SIZE);
    expect(reply.length).toBeLessThanOrEqual(4096);
    expect(Math.max(...reply.split('\n').map((l) => l.length))).toBeLessThanOrEqual(180);
    expect(reply).toContain('…');
  });

  it('is refused to leaders and officers, and shows them nothing', async () => {
    h = await demo();
    await someActions();
    for (const person of [BINH, CHAU]) {
      const reply = await say(person, '/nhatky');
      expect(reply).toBe('Lệnh /nhatky chỉ dành cho quản trị. Nếu bạn cần dùng, hãy nhờ quản trị cấp quyền.');
    }
    expect(h.db.select().from(auditLog).all().length).toBe(5);
  });
});
