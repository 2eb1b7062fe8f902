import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quarterPeriod, yearPeriod } from '../../core/period.js';
import { type AppDatabase, openDatabase } from '../../db/client.js';
import { type ReportData, reportData } from '../../db/reportData.js';
import { seedDemo } from '../../db/seed/demo.js';
import { DOCX_LIMITS, type DocxOptions, reportDocx } from '../../reports/docx.js';

/**
 * What a Word report writes that a leader would otherwise write by hand (issue 21, item 7): the
 * models' achievements by field, the typical collectives and individuals; and no sentence about
 * nothing ("trong đó 0 …", "gửi 0 lượt").
 */

const NOW = new Date('2026-11-22T09:00:00+07:00');
const SNV: DocxOptions = { issuer: 'SỞ NỘI VỤ', place: 'Hà Tĩnh', recipients: ['Sở Nội vụ'], signer: { title: 'GIÁM ĐỐC' } };

let app: AppDatabase;
beforeAll(async () => {
  app = await openDatabase(':memory:');
  seedDemo(app.db, NOW);
});
afterAll(() => app.close());

const dataFor = (period = yearPeriod(2026)) => reportData(app.db, { rootUnitId: null, subtree: true }, period, NOW);

async function paragraphs(data: ReportData): Promise<string[]> {
  const zip = await JSZip.loadAsync(await reportDocx(data, SNV));
  const xml = await zip.file('word/document.xml')!.async('string');
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) => [...m[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]!).join(''));
}

/** The paragraphs from one heading up to the next given one. */
function section(texts: string[], from: string, to: string): string[] {
  const start = texts.indexOf(from);
  const end = texts.indexOf(to);
  expect(start).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  return texts.slice(start + 1, end);
}

const ACHIEVED = '3. Kết quả đạt được của các mô hình, điểm sáng';
const TYPICAL = '4. Mô hình, điểm sáng tiêu biểu';
const RECOGNITION = '5. Công nhận, nhân rộng, biểu dương, khen thưởng';

describe('what the models achieved', () => {
  it('gives each model’s latest update field by field, in the configured order, in full sentences', async () => {
    const part = section(await paragraphs(dataFor()), ACHIEVED, TYPICAL);
    expect(part[0]).toBe('Theo báo cáo mới nhất của các đơn vị, kết quả thực hiện 6 mô hình, điểm sáng theo từng lĩnh vực như sau:');
    expect(part.filter((t) => t.startsWith('Lĩnh vực '))).toEqual([
      'Lĩnh vực Kinh tế:',
      'Lĩnh vực Văn hóa - xã hội:',
      'Lĩnh vực Quốc phòng - an ninh:',
      'Lĩnh vực Xây dựng Đảng và hệ thống chính trị:',
      'Lĩnh vực Cải cách hành chính:',
      'Lĩnh vực Xây dựng nông thôn mới:',
    ]);
    // A recognised model: its result; one in progress: how far it has come, in the unit's own words.
    expect(part).toContain(
      '- Xã Cẩm Xuyên: mô hình “Dân vận khéo trong xây dựng khu dân cư nông thôn mới kiểu mẫu” đã được công nhận và nhân rộng; kết quả đạt được: hoàn thành: 10 khu dân cư đạt chuẩn kiểu mẫu, 100% hộ phân loại rác tại nguồn (báo cáo ngày 20/08/2026).',
    );
    expect(part).toContain(
      '- Xã Cẩm Bình: mô hình “Vận động nhân dân hiến đất mở rộng đường giao thông nông thôn” đang thực hiện, đạt 80% tiến độ; kết quả đến nay: đang đổ bê tông đoạn cuối qua thôn Tân Hòa, dự kiến xong trước 15/12 (báo cáo ngày 12/11/2026).',
    );
    expect(part.find((t) => t.startsWith('- Công an tỉnh, Thiếu tá Trần Quốc Việt: mô hình'))).toContain(
      'đã được công nhận và biểu dương, khen thưởng; kết quả đạt được:',
    );
    // Not recognised, pending, returned: nothing to show as an achievement.
    const all = part.join('\n');
    expect(all).not.toContain('Ngày Chủ nhật xanh');
    expect(all).not.toContain('không được công nhận');
    expect(part.filter((t) => t.startsWith('- '))).toHaveLength(6);
  });

  it('gives a past quarter the updates sent by its end, and the standing then', async () => {
    const part = section(await paragraphs(dataFor(quarterPeriod(2026, 2))), ACHIEVED, TYPICAL);
    expect(part).toContain(
      '- Xã Cẩm Xuyên: mô hình “Dân vận khéo trong xây dựng khu dân cư nông thôn mới kiểu mẫu” đang thực hiện, đạt 60% tiến độ; kết quả đến nay: hoàn thành 4,2 km đường hoa; 3 khu dân cư đạt chuẩn kiểu mẫu (báo cáo ngày 13/05/2026).',
    );
    expect(part.join('\n')).not.toContain('công nhận;');
    expect(part.join('\n')).not.toMatch(/báo cáo ngày \d\d\/(0[7-9]|1[0-2])\/2026/);
  });

  it('names a few models per field, the recognised first, and counts the others', async () => {
    const data = dataFor();
    const base = data.models.find((m) => m.code === 'DVK-2026-0002')!;
    const extra = Array.from({ length: 7 }, (_, i) => ({
      ...structuredClone(base),
      id: 900_000 + i,
      code: `DVK-2026-90${i}`,
      name: `Mô hình thêm ${i + 1}`,
      latestUpdate: { ...structuredClone(base.latestUpdate!), percent: 10 + i },
    }));
    const part = section(await paragraphs({ ...data, models: [...data.models, ...extra] }), ACHIEVED, TYPICAL);
    const economy = part.slice(part.indexOf('Lĩnh vực Kinh tế:') + 1, part.indexOf('Lĩnh vực Văn hóa - xã hội:'));
    expect(economy.filter((t) => t.startsWith('- '))).toHaveLength(DOCX_LIMITS.achievementsPerField);
    // The furthest along first: Cẩm Bình's 80%, then the added 16%, 15%…
    expect(economy[0]).toContain('Vận động nhân dân hiến đất');
    expect(economy[1]).toContain('Mô hình thêm 7');
    expect(economy.at(-1)).toBe(
      `Và ${8 - DOCX_LIMITS.achievementsPerField} mô hình khác của lĩnh vực này đã báo cáo kết quả (danh sách đầy đủ trong tệp Excel của báo cáo).`,
    );
  });
});

describe('the typical models', () => {
  it('names collectives and individuals apart, recognised first, then the furthest along', async () => {
    const part = section(await paragraphs(dataFor()), TYPICAL, RECOGNITION);
    const collective = part.slice(part.indexOf('a) Tập thể tiêu biểu') + 1, part.indexOf('b) Cá nhân tiêu biểu'));
    expect(collective).toEqual([
      '- Xã Cẩm Xuyên với mô hình “Dân vận khéo trong xây dựng khu dân cư nông thôn mới kiểu mẫu” (đã được công nhận và nhân rộng).',
      '- Sở Y tế với điểm sáng “Cải cách thủ tục hành chính, nâng cao sự hài lòng của người bệnh” (đã đề nghị công nhận, đã hoàn thành).',
      '- Xã Cẩm Bình với mô hình “Vận động nhân dân hiến đất mở rộng đường giao thông nông thôn” (đang thực hiện, đạt 80% tiến độ).',
      '- Sở Giáo dục và Đào tạo với mô hình “Vận động xã hội hóa, hỗ trợ học sinh có hoàn cảnh khó khăn đến trường” (đang thực hiện, đạt 60% tiến độ).',
      '- Phường Thành Sen với điểm sáng “Đối thoại định kỳ giữa chính quyền phường với nhân dân tại tổ dân phố” (đang thực hiện, đạt 45% tiến độ).',
    ]);
    expect(part.slice(part.indexOf('b) Cá nhân tiêu biểu') + 1)).toEqual([
      '- Thiếu tá Trần Quốc Việt (Công an tỉnh) với mô hình “Công an xã bám cơ sở, vận động nhân dân giao nộp vũ khí, vật liệu nổ” (đã được công nhận và biểu dương, khen thưởng).',
    ]);
  });

  it('says so when a kind of holder has nothing to stand out yet', async () => {
    const data = dataFor();
    const collectiveOnly = { ...data, models: data.models.filter((m) => m.holderType === 'collective') };
    const part = section(await paragraphs(collectiveOnly), TYPICAL, RECOGNITION);
    expect(part.slice(part.indexOf('b) Cá nhân tiêu biểu') + 1)).toEqual([
      'Chưa có mô hình, điểm sáng nào của cá nhân được công nhận hoặc báo cáo tiến độ thực hiện.',
    ]);
  });
});

describe('no sentence about nothing', () => {
  it('writes a year without models or updates in words, never "trong đó 0" or "gửi 0 lượt"', async () => {
    const texts = await paragraphs(dataFor(yearPeriod(2027)));
    const all = texts.join('\n');
    expect(all).not.toMatch(/trong đó:? 0 /);
    expect(all).not.toContain('gửi 0 lượt');
    expect(texts).toContain('Trong kỳ báo cáo, chưa có đơn vị nào gửi cập nhật tiến độ thực hiện mô hình, điểm sáng.');
    expect(texts).toContain('Chưa có mô hình, điểm sáng nào được các đơn vị báo cáo kết quả thực hiện.');
    expect(texts.find((t) => t.includes('Chưa có mô hình, điểm sáng nào đăng ký thực hiện năm 2027.'))).toBeDefined();
  });
});
