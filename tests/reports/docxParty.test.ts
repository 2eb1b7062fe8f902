import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppDatabase, openDatabase } from '../../db/client.js';
import { reportData } from '../../db/reportData.js';
import { yearPeriod } from '../../core/period.js';
import { reportDocx } from '../../reports/docx.js';
import { issuerOptionsOf } from '../../reports/issuer.js';
import { type ReadDocx, readDocx } from '../helpers/docxXml.js';
import { buildIssuerTree } from '../helpers/issuerTree.js';

/**
 * The Word report laid out by its issuer: a Party body's after Hướng dẫn 36-HD/VPTW, a state
 * body's after Decree 30 with its superior above it. Read back from word/document.xml.
 */

const NOW = new Date('2026-11-22T09:00:00+07:00');
const DATE_LINE = 'Hà Tĩnh, ngày 22 tháng 11 năm 2026';

let app: AppDatabase;
let ids: Record<string, number>;

beforeAll(async () => {
  app = await openDatabase(':memory:');
  ids = buildIssuerTree(app.db, NOW);
});
afterAll(() => app.close());

/** The province's report for 2026, issued by the unit with this short code. */
async function issuedBy(code: string): Promise<ReadDocx> {
  const data = reportData(app.db, { rootUnitId: ids.HATINH!, subtree: true }, yearPeriod(2026), NOW);
  return readDocx(await reportDocx(data, issuerOptionsOf(app.db, ids[code]!)!));
}

const texts = (paragraphs: { text: string }[]) => paragraphs.map((p) => p.text).filter((t) => t !== '');

describe('a report of the Ban Tuyên giáo và Dân vận Tỉnh ủy (Party format)', () => {
  let doc: ReadDocx;
  beforeAll(async () => {
    doc = await issuedBy('BTGDVTU');
  });

  it('heads the right column with "ĐẢNG CỘNG SẢN VIỆT NAM" in 15 pt bold, a rule under it, then the place and date in 14 pt italic', () => {
    const [title, ruleLine, date] = doc.header.right;
    expect(title!.text).toBe('ĐẢNG CỘNG SẢN VIỆT NAM');
    expect(title!.bold).toBe(true);
    expect(title!.sizes).toEqual([30]);
    expect(ruleLine!.text).toBe('');
    expect(ruleLine!.xml).toMatch(/<w:pBdr><w:bottom w:val="single"/);
    expect(date!.text).toBe(DATE_LINE);
    expect(date!.italics).toBe(true);
    expect(date!.sizes).toEqual([28]);
    expect(doc.header.left.map((p) => p.text)).not.toContain(DATE_LINE);
    expect(doc.xml).not.toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
  });

  it('puts the Tỉnh ủy above the Ban on the left, the Ban in bold, a "*" under it, then "Số …-BC/BTGDVTU" without a colon', () => {
    const left = doc.header.left;
    expect(texts(left)).toEqual(['TỈNH ỦY HÀ TĨNH', 'BAN TUYÊN GIÁO VÀ DÂN VẬN', '*', 'Số      -BC/BTGDVTU']);
    expect(left[0]!.bold).toBe(false);
    expect(left[1]!.bold).toBe(true);
    expect(left.every((p) => p.sizes.every((s) => s === 28))).toBe(true);
    const number = left[3]!.text;
    expect(number).toMatch(/^Số\s+-BC\//);
    expect(number).not.toContain(':');
    // Decree 30's rule under the issuer is not drawn: the "*" is the Party's mark.
    expect(left.some((p) => /<w:pBdr>/.test(p.xml))).toBe(false);
  });

  it('titles it "BÁO CÁO" with five hyphens under the subject, and sets the body in 14 pt', () => {
    const all = doc.texts();
    const at = all.indexOf('BÁO CÁO');
    expect(doc.paragraphs[at]!.sizes).toEqual([32]);
    expect(all[at + 1]).toBe('Kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2026');
    expect(all[at + 2]).toBe('-----');
    // Up to the appendix, whose table note is set at the table's size.
    const appendix = all.indexOf('Phụ lục');
    expect(appendix).toBeGreaterThan(at);
    const body = doc.paragraphs.filter((p, i) => !p.inTable && p.text !== '' && i > at + 2 && i < appendix);
    expect(body.length).toBeGreaterThan(5);
    expect(body.every((p) => p.sizes.length > 0 && p.sizes.every((s) => s === 28))).toBe(true);
    // A Party document ends with its full stop, not Decree 30's "./".
    expect(body.at(-1)!.text).toBe('Trên đây là báo cáo kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2026.');
    expect(doc.xml).not.toContain('./');
  });

  it('ties the appendix to the report by the Party’s number form', () => {
    expect(doc.texts()).toContain('(Kèm theo Báo cáo số        -BC/BTGDVTU ngày       tháng       năm 2026)');
  });

  it('signs for the Ban and lists the recipients the Party’s way', () => {
    const all = doc.texts();
    expect(all).toContain('TRƯỞNG BAN');
    const at = all.indexOf('Nơi nhận:');
    const recipients = doc.paragraphs[at]!;
    expect(recipients.underlined).toBe(true);
    expect(recipients.bold || recipients.italics).toBe(false);
    expect(recipients.sizes).toEqual([28]);
    expect(all.slice(at + 1, at + 3)).toEqual(['- ……,', '- Lưu VT.']);
    expect(doc.paragraphs[at + 1]!.sizes).toEqual([24]);
    expect(doc.xml).not.toContain('Lưu: VT');
  });
});

describe('Party bodies other than a Ban', () => {
  it('puts the province’s đảng bộ above a commune’s Đảng ủy, dated at the commune', async () => {
    const doc = await issuedBy('DUCAMBINH');
    expect(texts(doc.header.left)).toEqual(['ĐẢNG BỘ TỈNH HÀ TĨNH', 'ĐẢNG ỦY XÃ CẨM BÌNH', '*', 'Số      -BC/ĐU']);
    expect(texts(doc.header.right)).toEqual(['ĐẢNG CỘNG SẢN VIỆT NAM', 'Cẩm Bình, ngày 22 tháng 11 năm 2026']);
    const all = doc.texts();
    expect(all).toContain('T/M BAN THƯỜNG VỤ');
    expect(all[all.indexOf('T/M BAN THƯỜNG VỤ') + 1]).toBe('BÍ THƯ');
  });

  it('writes the Đảng ủy of the provincial People’s Committee in full', async () => {
    const doc = await issuedBy('DUUBND');
    expect(texts(doc.header.left).slice(0, 2)).toEqual(['ĐẢNG BỘ TỈNH HÀ TĨNH', 'ĐẢNG ỦY ỦY BAN NHÂN DÂN TỈNH']);
  });
});

describe('a report of Sở Nội vụ (Decree 30)', () => {
  let doc: ReadDocx;
  beforeAll(async () => {
    doc = await issuedBy('SNV');
  });

  it('puts "UBND TỈNH HÀ TĨNH" above "SỞ NỘI VỤ" and the national name and motto on the right', () => {
    expect(texts(doc.header.left)).toEqual(['UBND TỈNH HÀ TĨNH', 'SỞ NỘI VỤ', 'Số:        /BC-SNV']);
    expect(doc.header.left[0]!.bold).toBe(false);
    expect(doc.header.left[1]!.bold).toBe(true);
    expect(texts(doc.header.right)).toEqual(['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', DATE_LINE]);
    expect(doc.xml).not.toContain('ĐẢNG CỘNG SẢN VIỆT NAM');
    expect(doc.texts()).not.toContain('*');
  });

  it('keeps Decree 30’s rules, ending, recipients and signer', () => {
    // Under the issuer (1/3 to 1/2 of its line) and under the motto (as long as it).
    expect(/<w:tbl>[\s\S]*?<\/w:tbl>/.exec(doc.xml)![0].match(/<w:pBdr><w:bottom w:val="single"/g)).toHaveLength(2);
    const all = doc.texts();
    expect(all).toContain('Trên đây là báo cáo kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2026./.');
    expect(all).toContain('- Lưu: VT.');
    expect(all).toContain('GIÁM ĐỐC');
    const recipients = doc.paragraph('Nơi nhận:');
    expect(recipients.bold && recipients.italics).toBe(true);
    expect(recipients.underlined).toBe(false);
  });

  it('keeps an administrative issuer as its committee, with no line above it', async () => {
    const province = await issuedBy('HATINH');
    // Too long for one line at 13 pt in its column: broken before its place, as a committee's name is printed.
    expect(texts(province.header.left)).toEqual(['ỦY BAN NHÂN DÂN', 'TỈNH HÀ TĨNH', 'Số:        /BC-UBND']);
  });
});
