import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { conversations, models, progressUpdates } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { snapshotOf } from '../helpers/rows.js';

const GROUP = { group: DEMO_GROUP };
const ADMIN = DEMO_PEOPLE.admin; // Nguyễn Thị Hoa, the whole deployment
const LEADER = DEMO_PEOPLE.leader; // Trần Văn Bình, leader of Tỉnh Hà Tĩnh
const OFFICER = DEMO_PEOPLE.officer; // Lê Minh Châu, officer of Xã Cẩm Xuyên
const LONG = 'Ngô Văn Long'; // officer of Tỉnh đoàn Hà Tĩnh, under the Ủy ban MTTQ tỉnh

let h: Harness;
const demo = demoPerTest({ now: '2026-11-22T09:00:00+07:00' });

const snapshot = (db: Db) => snapshotOf(db, { models, updates: progressUpdates, conversations });

describe('/baocao in the chat', () => {
  it('gives a leader the province summary: key numbers first, laggards by name', async () => {
    h = await demo();
    const reply = await h.text(LEADER, '/baocao', GROUP);
    const lines = reply.split('\n');
    expect(lines[0]).toBe('📊 Báo cáo “Dân vận khéo” năm 2026');
    // The year still runs: its figures are today's.
    expect(lines[1]).toBe('Tỉnh Hà Tĩnh · 24 đơn vị · số liệu tính đến hôm nay (09:00 22/11/2026)');
    expect(lines[3]).toBe('• Mô hình đăng ký năm 2026: 9 (tập thể 8 · cá nhân 1)');
    expect(reply).toContain('• Trạng thái: chờ duyệt 1 · bị trả lại 1 · đang thực hiện 3 · đề nghị công nhận 1 · được công nhận 2 · không công nhận 1');
    expect(reply).toContain('• Được công nhận 2 · nhân rộng 1 · biểu dương, khen thưởng 1');
    // One phone screen: five names per list, the five largest units, and where the rest is.
    expect(lines.length).toBeLessThanOrEqual(20);
    // Only approved models fill a quota (issue 22): Tỉnh đoàn, whose model waits, is short too.
    expect(reply).toContain('⚠️ Chưa đủ chỉ tiêu (19 đơn vị): Tỉnh Hà Tĩnh (0/1); Ban Tuyên giáo và Dân vận Tỉnh ủy (0/1); ');
    expect(reply).toContain('; và 14 đơn vị khác.');
    expect(reply).not.toContain('Theo lĩnh vực');
    // The units under the province, biggest first: the Mặt trận with its organisations' models.
    expect(reply).toContain('Theo đơn vị (kể cả đơn vị trực thuộc):\n- Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh: 2\n- Công an tỉnh: 1\n');
    expect(lines.filter((l) => l.startsWith('- '))).toHaveLength(6);
    expect(lines.at(-1)).toBe('Gõ /baocao chitiet để xem đủ (theo lĩnh vực, loại hình, từng đơn vị); nhận tệp: /baocao excel · word · bieudo.');
  });

  it('gives the whole summary with "chitiet": ten names per list, the breakdowns, twelve units', async () => {
    h = await demo();
    for (const words of ['/baocao chitiet', '/baocao chi tiết']) {
      const reply = await h.text(LEADER, words, GROUP);
      expect(reply).toContain('; và 9 đơn vị khác.');
      expect(reply).toContain('Theo lĩnh vực: Kinh tế 1 · Văn hóa - xã hội 3 ·');
      expect(reply).toContain('Theo đơn vị (kể cả đơn vị trực thuộc):\n- Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh: 2\n- Công an tỉnh: 1\n');
      expect(reply.split('\n').length).toBeGreaterThan(20);
      expect(reply.length).toBeLessThan(4096);
    }
  });

  it('names the units yet to send for a quarter whose deadline has not come, without calling them late', async () => {
    h = await demo();
    const reply = await h.text(ADMIN, '/baocao quý 4', GROUP);
    expect(reply.split('\n')[0]).toBe('📊 Báo cáo “Dân vận khéo” quý IV năm 2026');
    // On 22/11 nobody is late yet: with no quarterly deadline in this harness's calendar, the
    // quarter's updates are due by its end (tests/reports/handCount.test.ts covers the shipped one).
    // In the order of the unit tree: both directly under the province, by name.
    expect(reply).toContain(
      '🕒 Chưa đến hạn cập nhật (hạn hết ngày 31/12/2026), 2 đơn vị chưa gửi: Phường Thành Sen (chưa có 1/1 mô hình); Sở Giáo dục và Đào tạo (chưa có 1/1 mô hình).',
    );
    expect(reply).not.toContain('⏰');
    expect(reply).toContain('• Cập nhật tiến độ trong kỳ: 2');
  });

  it('gives a unit officer their own unit only, with each model and its latest update', async () => {
    h = await demo();
    const reply = await h.text(OFFICER, '/baocao', { group: 'Dân vận khéo xã Cẩm Xuyên' });
    expect(reply).toContain('Xã Cẩm Xuyên · 1 đơn vị');
    expect(reply).toContain('• Mô hình đăng ký năm 2026: 1');
    expect(reply).toContain('▪️ DVK-2026-0001 Dân vận khéo trong xây dựng khu dân cư nông thôn mới kiểu mẫu — Xã Cẩm Xuyên (được công nhận)');
    expect(reply).toContain('Cập nhật 20/08/2026 (100%, đã hoàn thành): Hoàn thành: 10 khu dân cư');
    expect(reply).not.toContain('Xã Cẩm Bình');
  });

  it('lets a leader narrow to a unit, and refuses an officer a unit above theirs', async () => {
    h = await demo();
    // A unit with units under it: the Mặt trận with Tỉnh đoàn and Hội Phụ nữ.
    const front = await h.text(LEADER, '/baocao MTTQ', GROUP);
    expect(front).toContain('Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh · 3 đơn vị');
    expect(front).toContain('Tỉnh đoàn Hà Tĩnh');
    expect(front).not.toContain('Xã Cẩm Xuyên');
    // The commune that asked for two models shows its gap.
    const commune = await h.text(LEADER, '/baocao CAMXUYEN', GROUP);
    expect(commune).toContain('Xã Cẩm Xuyên · 1 đơn vị');
    expect(commune).toContain('Xã Cẩm Xuyên (1/2)');
    const before = snapshot(h.db);
    const refused = await h.text(LONG, '/baocao MTTQ', GROUP);
    expect(refused).toBe(
      'Đơn vị MTTQ không có hoặc ở ngoài phạm vi bạn được xem báo cáo. Gõ đúng mã đơn vị (ví dụ /baocao SNV), hoặc chỉ /baocao để xem báo cáo của phạm vi bạn phụ trách.',
    );
    expect(snapshot(h.db)).toEqual(before);
  });

  it('answers a wrong period kindly and changes nothing', async () => {
    h = await demo();
    const before = snapshot(h.db);
    expect(await h.text(LEADER, '/baocao quý 5', GROUP)).toMatch(/^Không có quý 5\. Một năm có quý 1 đến quý 4\.\nCách dùng: \/baocao /);
    expect(await h.text(LEADER, '/baocao <b>SNV</b>', GROUP)).toContain('Đơn vị <b>SNV</b> không có hoặc ở ngoài phạm vi');
    expect(snapshot(h.db)).toEqual(before);
  });
});

describe('/baocao files', () => {
  it('sends the Excel workbook, which opens with the numbers of the summary', async () => {
    h = await demo();
    const [sent] = await h.say(LEADER, '/baocao excel', GROUP);
    expect(sent!.text).toBe('📎 Báo cáo “Dân vận khéo” năm 2026 — Tỉnh Hà Tĩnh: 9 mô hình, 24 đơn vị.');
    const [file] = sent!.reply.files!;
    expect(file!.fileName).toBe('bao-cao-dvk-HATINH-2026.xlsx');
    expect(file!.mimeType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file!.data as never);
    const sheet = workbook.getWorksheet('Mô hình')!;
    const codes: string[] = [];
    sheet.eachRow((row) => {
      const value = row.values as unknown[];
      const code = value.find((v) => typeof v === 'string' && /^DVK-2026-\d{4}$/.test(v));
      if (code) codes.push(code as string);
    });
    expect(codes.sort()).toEqual(Array.from({ length: 9 }, (_, i) => `DVK-2026-000${i + 1}`));
  });

  it('sends the Word report with the national header, the title and "./"', async () => {
    h = await demo();
    const [sent] = await h.say(ADMIN, '/baocao word quý 4', GROUP);
    const [file] = sent!.reply.files!;
    expect(file!.fileName).toBe('bao-cao-dvk-HATINH-2026-q4.docx');
    const xml = await (await JSZip.loadAsync(file!.data)).file('word/document.xml')!.async('string');
    const text = xml.replace(/<[^>]+>/g, '');
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('Độc lập - Tự do - Hạnh phúc');
    expect(text).toContain('quý IV năm 2026');
    expect(text).toContain('./');
    expect(text).toContain('Nơi nhận');
  });

  it('sends the chart as a picture with its size, by field or by unit', async () => {
    h = await demo();
    for (const [command, suffix] of [
      ['/baocao bieudo', 'linh-vuc'],
      ['/baocao biểu đồ đơn vị', 'don-vi'],
    ] as const) {
      const [sent] = await h.say(LEADER, command, GROUP);
      const [file] = sent!.reply.files!;
      expect(file!.fileName).toBe(`bao-cao-dvk-HATINH-2026-${suffix}.png`);
      expect(file!.mimeType).toBe('image/png');
      const png = PNG.sync.read(file!.data);
      expect([png.width, png.height]).toEqual([file!.width, file!.height]);
      expect(png.width).toBeGreaterThan(300);
    }
  });

  it('sends all three at once', async () => {
    h = await demo();
    const [sent] = await h.say(LEADER, '/baocao tệp', GROUP);
    expect(sent!.reply.files!.map((f) => f.fileName.split('.').pop())).toEqual(['xlsx', 'docx', 'png']);
  });

  it('says so, and sends nothing, when a file is above the platform’s limit', async () => {
    h = await demo({ maxFileBytes: 2_000 });
    const replies = await h.say(LEADER, '/baocao excel', GROUP);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.reply.files).toBeUndefined();
    expect(replies[0]!.text).toMatch(/^Tệp bao-cao-dvk-HATINH-2026\.xlsx \(0,0\d MB\) lớn hơn mức 0,002 MB mà nền tảng này cho bot gửi/);
    expect(replies[0]!.text).toContain('npm run report');
  });
});
