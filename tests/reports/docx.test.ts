import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppDatabase, openDatabase } from '../../db/client.js';
import { type ReportData, type ReportUnit, reportData } from '../../db/reportData.js';
import { seedDemo } from '../../db/seed/demo.js';
import { DOCX_LIMITS, type DocxOptions, docxOptionsFor, placeDateLine, placeName, reportDocx } from '../../reports/docx.js';
import { yearPeriod } from '../../core/period.js';

const NOW = new Date('2026-11-22T09:00:00+07:00');
const SNV: DocxOptions = {
  issuer: 'SỞ NỘI VỤ',
  parentIssuer: 'UBND TỈNH HÀ TĨNH',
  place: 'Hà Tĩnh',
  recipients: ['Sở Nội vụ', 'Giám đốc Sở'],
  signer: { title: 'KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC', name: 'Nguyễn Văn An' },
};

let app: AppDatabase;
let data: ReportData;
let doc: Docx;

beforeAll(async () => {
  app = await openDatabase(':memory:');
  seedDemo(app.db, NOW);
  data = reportData(app.db, { rootUnitId: null, subtree: true }, yearPeriod(2026), NOW);
  doc = await open(await reportDocx(data, SNV));
});

afterAll(() => app.close());

describe('reportDocx on the demo data', () => {
  it('puts the issuer, the number and the national name and motto in the header block', () => {
    const header = doc.tables[0]!;
    const cells = (r: number) => header.rows[r]!.map((cell) => cell.map((p) => p.text).filter((t) => t !== ''));
    expect(cells(0)).toEqual([
      ['UBND TỈNH HÀ TĨNH', 'SỞ NỘI VỤ'],
      ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc'],
    ]);
    // The number and the place and date share a row: they stand level whatever the lines above take.
    expect(cells(1)).toEqual([['Số:        /BC-SNV'], ['Hà Tĩnh, ngày 22 tháng 11 năm 2026']]);
    expect(header.rows).toHaveLength(2);
    expect(doc.paragraph('SỞ NỘI VỤ').bold).toBe(true);
    expect(doc.paragraph('UBND TỈNH HÀ TĨNH').bold).toBe(false);
    expect(doc.paragraph('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM').bold).toBe(true);
    expect(doc.paragraph('Độc lập - Tự do - Hạnh phúc').bold).toBe(true);
    expect(doc.paragraph('Hà Tĩnh, ngày 22 tháng 11 năm 2026').italics).toBe(true);
    // The lines under the issuer and the motto: empty paragraphs with a bottom border.
    expect(header.xml.match(/<w:pBdr><w:bottom w:val="single"/g)).toHaveLength(2);
  });

  it('titles the report with the period', () => {
    const texts = doc.body.map((p) => p.text);
    const at = texts.indexOf('BÁO CÁO');
    expect(at).toBeGreaterThan(-1);
    expect(texts[at + 1]).toBe('Kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2026');
    expect(doc.body[at]!.bold && doc.body[at + 1]!.bold).toBe(true);
  });

  it('has the numbered sections in order', () => {
    const headings = doc.body.filter((p) => /^(I|II|III|IV|\d)\. /.test(p.text)).map((p) => p.text);
    expect(headings).toEqual([
      'I. TÌNH HÌNH CHUNG',
      'II. KẾT QUẢ CỤ THỂ',
      '1. Kết quả theo lĩnh vực',
      '2. Kết quả theo loại hình và chủ thể thực hiện',
      '3. Kết quả đạt được của các mô hình, điểm sáng',
      '4. Mô hình, điểm sáng tiêu biểu',
      '5. Công nhận, nhân rộng, biểu dương, khen thưởng',
      '6. Cập nhật tiến độ thực hiện',
      'III. KẾT QUẢ THEO ĐƠN VỊ',
      'IV. ĐỀ XUẤT, KIẾN NGHỊ',
    ]);
  });

  it('states the totals of the demo in the general part', () => {
    const texts = doc.body.map((p) => p.text);
    expect(texts).toContain('Phạm vi báo cáo gồm 24 đơn vị tham gia phong trào thi đua “Dân vận khéo”.');
    expect(texts).toContain(
      'Số liệu trong báo cáo tính đến hôm nay (ngày 22/11/2026). Có 9 mô hình, điểm sáng đăng ký thực hiện năm 2026, trong đó: 1 chờ duyệt, 1 bị trả lại, 3 đang thực hiện, 1 đề nghị công nhận, 2 được công nhận, 1 không công nhận.',
    );
    expect(texts).toContain(
      // Only approved models fill a quota (issue 22): Tỉnh đoàn's, still waiting, is named apart.
      'Về chỉ tiêu đăng ký (chỉ tính mô hình, điểm sáng đã được duyệt): 24 đơn vị được giao chỉ tiêu; 5 đơn vị đã đủ, 19 đơn vị chưa đủ, trong đó 15 đơn vị chưa đăng ký mô hình, điểm sáng nào và 1 đơn vị có mô hình, điểm sáng đang chờ duyệt (danh sách tại Mục III).',
    );
  });

  it('names every unit short of its quota in part III, under the unit it belongs to', () => {
    const texts = doc.body.map((p) => p.text);
    const lead = texts.indexOf('Có 19 đơn vị chưa đủ mô hình, điểm sáng được duyệt theo chỉ tiêu, gồm:');
    expect(lead).toBeGreaterThan(texts.indexOf('III. KẾT QUẢ THEO ĐƠN VỊ'));
    // The province registers nothing of its own against its quota of 1.
    expect(texts[lead + 1]).toBe('- Tỉnh Hà Tĩnh (chưa đăng ký);');
    const underProvince = texts[lead + 2]!;
    expect(underProvince).toMatch(/^- Trực thuộc Tỉnh Hà Tĩnh: /);
    expect(underProvince).toContain('Xã Hương Sơn (chưa đăng ký)');
    expect(underProvince).toContain('Xã Cẩm Xuyên (thiếu 1)');
    // Depth 2: the Hội Liên hiệp Phụ nữ and Tỉnh đoàn under the Mặt trận, which the unit table (two
    // levels) does not list; Tỉnh đoàn's model waits for approval, so it does not fill the quota yet.
    expect(texts[lead + 3]).toBe(
      '- Trực thuộc Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh: Hội Liên hiệp Phụ nữ tỉnh Hà Tĩnh (chưa đăng ký), Tỉnh đoàn Hà Tĩnh (thiếu 1; 1 mô hình đang chờ duyệt).',
    );
    const short = data.units.filter((u) => u.quota.missing > 0);
    expect(short).toHaveLength(19);
    for (const u of short) expect(texts.slice(lead + 1, lead + 4).join(' ')).toContain(`${u.name} (`);
  });

  it('ends the body with "./." right before the recipients', () => {
    const texts = doc.body.map((p) => p.text);
    const recipients = texts.indexOf('Nơi nhận:');
    expect(recipients).toBeGreaterThan(-1);
    const before = doc.body.slice(0, recipients).filter((p) => !p.inTable && p.text.trim() !== '');
    expect(before.at(-1)!.text).toBe('Trên đây là báo cáo kết quả thực hiện phong trào thi đua “Dân vận khéo” năm 2026./.');
    expect(before.filter((p) => p.text.includes('./'))).toHaveLength(1);
  });

  it('lists the recipients, "Lưu: VT." last, and the signer', () => {
    const texts = doc.body.map((p) => p.text);
    const at = texts.indexOf('Nơi nhận:');
    expect(doc.body[at]!.bold && doc.body[at]!.italics).toBe(true);
    expect(doc.body[at]!.xml).toContain('<w:sz w:val="24"/>');
    expect(texts.slice(at + 1, at + 4)).toEqual(['- Sở Nội vụ;', '- Giám đốc Sở;', '- Lưu: VT.']);
    expect(texts).toContain('KT. GIÁM ĐỐC');
    expect(texts).toContain('PHÓ GIÁM ĐỐC');
    expect(doc.paragraph('Nguyễn Văn An').bold).toBe(true);
  });

  it('sets Times New Roman, A4 and the Decree 30 margins', () => {
    expect(doc.styles).toMatch(/<w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman"[^>]*w:hAnsi="Times New Roman"\/>/);
    // No run picks another font.
    expect(doc.xml.match(/w:ascii="([^"]+)"/g) ?? []).toEqual([]);
    expect(doc.xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    const margin = (side: string) => Number(new RegExp(`<w:pgMar [^>]*w:${side}="(\\d+)"`).exec(doc.xml)![1]);
    const mm = (twips: number) => twips / 56.7;
    expect(mm(margin('top'))).toBeGreaterThanOrEqual(19.9);
    expect(mm(margin('top'))).toBeLessThanOrEqual(25.1);
    expect(mm(margin('bottom'))).toBeGreaterThanOrEqual(19.9);
    expect(mm(margin('bottom'))).toBeLessThanOrEqual(25.1);
    expect(mm(margin('left'))).toBeGreaterThanOrEqual(29.9);
    expect(mm(margin('left'))).toBeLessThanOrEqual(35.1);
    expect(mm(margin('right'))).toBeGreaterThanOrEqual(14.9);
    expect(mm(margin('right'))).toBeLessThanOrEqual(20.1);
    // Body text 14 pt, justified, first line indented 1.27 cm.
    expect(doc.styles).toMatch(/<w:rPrDefault><w:rPr>.*?<w:sz w:val="28"\/>/);
    const body = doc.paragraph('Phạm vi báo cáo gồm 24 đơn vị tham gia phong trào thi đua “Dân vận khéo”.');
    expect(body.xml).toContain('<w:ind w:firstLine="720"/>');
    expect(body.xml).toContain('<w:jc w:val="both"/>');
  });

  it('counts the fields as demo.ts registers them', () => {
    // Sở GD&ĐT, Xã Đức Thọ and the Mặt trận each registered one model in "Văn hóa - xã hội"; every other field has one.
    const fields = doc.tableWithHeader('Lĩnh vực');
    expect(fields.cells[0]).toEqual(['STT', 'Lĩnh vực', 'Số mô hình, điểm sáng', 'Tỷ lệ (%)']);
    expect(fields.cells.find((r) => r[1] === 'Văn hóa - xã hội')).toEqual(['2', 'Văn hóa - xã hội', '3', '33,3']);
    expect(fields.cells.find((r) => r[1] === 'Kinh tế')).toEqual(['1', 'Kinh tế', '1', '11,1']);
    expect(fields.cells.at(-1)).toEqual(['', 'Tổng cộng', '9', '100']);
    // Table rows repeat the header row on a new page and have borders.
    expect(fields.xml).toContain('<w:tblHeader/>');
    expect(fields.xml).toMatch(/<w:tblBorders><w:top w:val="single"/);
  });

  it('crosses kinds with holders', () => {
    const kinds = doc.tableWithHeader('Loại hình');
    expect(kinds.cells.find((r) => r[1] === 'Mô hình “Dân vận khéo”')).toEqual(['1', 'Mô hình “Dân vận khéo”', '5', '1', '6']);
    expect(kinds.cells.at(-1)).toEqual(['', 'Tổng cộng', '8', '1', '9']);
  });

  it('lists the recognised models with their unit', () => {
    const recognised = doc.tableWithHeader('Tên mô hình, điểm sáng');
    expect(recognised.cells.slice(1)).toEqual([
      ['1', 'Công an xã bám cơ sở, vận động nhân dân giao nộp vũ khí, vật liệu nổ', 'Công an tỉnh (Thiếu tá Trần Quốc Việt)', 'Đã biểu dương, khen thưởng'],
      ['2', 'Dân vận khéo trong xây dựng khu dân cư nông thôn mới kiểu mẫu', 'Xã Cẩm Xuyên', 'Đã nhân rộng'],
    ]);
  });

  it('tables the units down to depth 1, a unit with units under it in two rows: with them (bold), then its own', () => {
    const units = doc.tableWithHeader('Đơn vị');
    expect(units.cells[0]!.slice(2, 10)).toEqual([
      'Tổng số mô hình, điểm sáng',
      'Chờ duyệt',
      'Đang thực hiện',
      'Đề nghị công nhận',
      'Được công nhận',
      'Trả lại, không công nhận',
      'Chỉ tiêu',
      'Kết quả chỉ tiêu',
    ]);
    const rows = units.cells.slice(1);
    // Two units have units under them (the province, the Mặt trận): one more row each.
    expect(rows).toHaveLength(data.units.filter((u) => u.depth <= 1).length + 2);
    // The province with everything under it, then its own (it registers nothing: quota 1, short by 1).
    expect(rows[0]!.slice(0, 10)).toEqual(['1', 'Tỉnh Hà Tĩnh', '9', '1', '3', '1', '2', '2', '25', 'Thiếu 19']);
    expect(rows[1]!.slice(0, 10)).toEqual(['', '– Của riêng đơn vị', '0', '0', '0', '0', '0', '0', '1', 'Thiếu 1']);
    expect(units.rows[1]![1]![0]!.bold).toBe(true);
    expect(units.rows[2]![1]![0]!.italics).toBe(true);
    // Cẩm Xuyên, a leaf: its own recognised model and a quota of 2 set in demo.ts, in one row.
    expect(rows.find((r) => r[1] === 'Xã Cẩm Xuyên')!.slice(2, 10)).toEqual(['1', '0', '0', '0', '1', '0', '2', 'Thiếu 1']);
    // The Mặt trận: with Tỉnh đoàn's pending model (in "Chờ duyệt", not in the quota) and the Hội
    // Phụ nữ's nothing, then its own model, not recognised: none of the three units' quota is met.
    const front = rows.findIndex((r) => r[1] === 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh');
    expect(rows[front]!.slice(2, 10)).toEqual(['2', '1', '0', '0', '0', '1', '3', 'Thiếu 3']);
    expect(rows[front + 1]!.slice(1, 10)).toEqual(['– Của riêng đơn vị', '1', '0', '0', '0', '0', '1', '1', 'Thiếu 1']);
    expect(rows.find((r) => r[1] === 'Công an tỉnh')!.slice(2, 10)).toEqual(['1', '0', '0', '0', '1', '0', '1', 'Đạt']);
    // Depth 2 is left out.
    expect(rows.some((r) => r[1] === 'Tỉnh đoàn Hà Tĩnh')).toBe(false);
    const numbered = rows.map((r) => r[0]).filter((n) => n !== '');
    expect(numbered).toEqual(numbered.map((_, i) => String(i + 1)));
  });

  it('sets the unit table in a landscape appendix after the signature, tied to the report by its number', () => {
    const texts = doc.body.map((p) => p.text);
    const appendix = texts.indexOf('Phụ lục');
    expect(appendix).toBeGreaterThan(texts.indexOf('Nơi nhận:'));
    expect(texts[appendix + 1]).toBe('KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA “DÂN VẬN KHÉO” THEO ĐƠN VỊ NĂM 2026');
    expect(texts[appendix + 2]).toBe('(Kèm theo Báo cáo số        /BC-SNV ngày       tháng       năm 2026)');
    // Two sections: the report on portrait A4, then the appendix across the page.
    const sections = [...doc.xml.matchAll(/<w:pgSz [^>]*\/>/g)].map((m) => m[0]);
    expect(sections).toHaveLength(2);
    expect(sections[0]).not.toContain('landscape');
    expect(sections[1]).toMatch(/w:w="16838" w:h="11906" w:orient="landscape"/);
    // The table comes after the appendix's title, and part III points to it.
    expect(doc.xml.indexOf('>Phụ lục<')).toBeLessThan(doc.xml.indexOf('>Chờ duyệt<'));
    expect(doc.body.map((p) => p.text)).toContain(
      'Kết quả của từng đơn vị thuộc hai cấp đầu (số mô hình, điểm sáng theo trạng thái, chỉ tiêu, cập nhật tiến độ) tại Phụ lục kèm theo Báo cáo; số liệu của từng đơn vị cấp dưới trong tệp Excel của báo cáo.',
    );
  });

  it('never leaves a heading or a caption alone at the foot of a page, nor splits a table row', () => {
    const outside = doc.body.filter((p) => !p.inTable && p.text !== '');
    const headings = outside.filter((p) => /^(I|II|III|IV)\. |^\d\. |^[a-z]\) /.test(p.text));
    // I–IV, 1–6 of part II, and a) b) of the typical models.
    expect(headings).toHaveLength(12);
    for (const h of headings) expect(h.xml, h.text).toContain('<w:keepNext/>');
    // Captions and the lead-ins of lists end with a colon: kept with what they introduce.
    const captions = outside.filter((p) => p.text.endsWith(':') && p.text !== 'Nơi nhận:');
    expect(captions.map((p) => p.text)).toEqual(
      expect.arrayContaining([
        'Danh sách mô hình, điểm sáng được công nhận:',
        'Lĩnh vực Kinh tế:',
        'Có 19 đơn vị chưa đủ mô hình, điểm sáng được duyệt theo chỉ tiêu, gồm:',
      ]),
    );
    for (const c of captions) expect(c.xml, c.text).toContain('<w:keepNext/>');
    // Body text keeps its first and last lines with the rest (widow and orphan control).
    for (const p of outside.filter((q) => q.text.length > 80)) expect(p.xml, p.text).toContain('<w:widowControl/>');
    // Every table of figures repeats its header row on each page and never splits a row.
    for (const table of doc.tables.slice(1).filter((t) => t.cells[0]?.[0] === 'STT')) {
      const rows = [...table.xml.matchAll(/<w:tr>[\s\S]*?<\/w:tr>|<w:tr [\s\S]*?<\/w:tr>/g)].map((r) => r[0]);
      expect(rows[0]).toContain('<w:tblHeader/>');
      for (const r of rows) expect(r).toContain('<w:cantSplit/>');
    }
  });

  it('leaves a placeholder for the proposals', () => {
    expect(doc.paragraph('(Đơn vị bổ sung đề xuất, kiến nghị.)').italics).toBe(true);
  });

  it('numbers pages from the second page on', () => {
    expect(doc.xml).toContain('<w:titlePg/>');
  });
});

describe('placeDateLine', () => {
  it('writes days below 10 and the months 1 and 2 with a leading zero', () => {
    expect(placeDateLine('Hà Tĩnh', new Date('2026-02-05T09:00:00+07:00'))).toBe('Hà Tĩnh, ngày 05 tháng 02 năm 2026');
    expect(placeDateLine('Hà Tĩnh', new Date('2026-01-10T09:00:00+07:00'))).toBe('Hà Tĩnh, ngày 10 tháng 01 năm 2026');
    expect(placeDateLine('Hà Tĩnh', new Date('2026-03-09T09:00:00+07:00'))).toBe('Hà Tĩnh, ngày 09 tháng 3 năm 2026');
    expect(placeDateLine('Hà Tĩnh', new Date('2026-12-31T09:00:00+07:00'))).toBe('Hà Tĩnh, ngày 31 tháng 12 năm 2026');
  });

  it('uses the day in Vietnam, not in UTC', () => {
    // 18:00 UTC on 28 February is 01:00 on 1 March in Hà Tĩnh.
    expect(placeDateLine('Hà Tĩnh', new Date('2026-02-28T18:00:00Z'))).toBe('Hà Tĩnh, ngày 01 tháng 3 năm 2026');
  });
});

describe('docxOptionsFor', () => {
  it('makes the province the issuer of a whole-deployment report', async () => {
    const options = docxOptionsFor(data);
    expect(options).toMatchObject({ issuer: 'ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH', place: 'Hà Tĩnh', signer: { title: 'TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH' } });
    const rendered = await open(await reportDocx(data, options));
    const texts = rendered.body.map((p) => p.text);
    expect(texts).toContain('Số:        /BC-UBND');
    expect(texts).toContain('Hà Tĩnh, ngày 22 tháng 11 năm 2026');
    expect(texts).toContain('TM. ỦY BAN NHÂN DÂN');
    expect(texts.slice(texts.indexOf('Nơi nhận:') + 1, texts.indexOf('Nơi nhận:') + 3)).toEqual(['- ……;', '- Lưu: VT.']);
  });

  it('leaves the place blank for a department, whose seat the data does not know', () => {
    const syt = data.units.find((u) => u.shortCode === 'SYT')!;
    const options = docxOptionsFor(reportData(app.db, { rootUnitId: syt.id, subtree: true }, yearPeriod(2026), NOW));
    expect(options).toMatchObject({ issuer: 'SỞ Y TẾ', place: '……', signer: { title: 'GIÁM ĐỐC' } });
  });

  it("takes a commune's place from its name", async () => {
    const cambinh = data.units.find((u) => u.shortCode === 'CAMBINH')!;
    const own = reportData(app.db, { rootUnitId: cambinh.id, subtree: false }, yearPeriod(2026), NOW);
    const options = docxOptionsFor(own);
    expect(options).toMatchObject({ issuer: 'ỦY BAN NHÂN DÂN XÃ CẨM BÌNH', place: 'Cẩm Bình' });
    const texts = (await open(await reportDocx(own, options))).body.map((p) => p.text);
    expect(texts).toContain('Phạm vi báo cáo: Xã Cẩm Bình.');
    expect(texts).toContain('Cẩm Bình, ngày 22 tháng 11 năm 2026');
  });

  it('keeps the word of a numbered place, as Decree 30 writes "Phường 1"', () => {
    expect(placeName('Phường 1')).toBe('Phường 1');
    expect(placeName('Thị xã Hồng Lĩnh')).toBe('Hồng Lĩnh');
    expect(placeName('Thành phố Hà Tĩnh')).toBe('Hà Tĩnh');
  });
});

describe('reportDocx with hostile and huge data', () => {
  it('escapes XML-special characters in unit and model names', async () => {
    const hostile = structuredClone(data);
    const name = 'Ban <b>&"\' Dân vận';
    hostile.units.find((u) => u.depth === 1)!.name = name;
    hostile.models.find((m) => m.state === 'recognised')!.name = `Mô hình <b>&"'`;
    const rendered = await open(await reportDocx(hostile, { ...SNV, issuer: 'SỞ <NỘI> & VỤ' }));
    expect(rendered.xml).toContain('&lt;b&gt;&amp;');
    expect(rendered.xml).not.toContain('<b>');
    expect(rendered.xml).not.toContain('<NỘI>');
    expectWellFormed(rendered.xml);
    // And it reads back as written.
    expect(rendered.tableWithHeader('Đơn vị').cells.some((r) => r[1] === name)).toBe(true);
    expect(rendered.tableWithHeader('Tên mô hình, điểm sáng').cells.some((r) => r[1] === `Mô hình <b>&"'`)).toBe(true);
  });

  it('(the check above rejects broken XML)', () => {
    expect(() => expectWellFormed('<a><w:t>x <b> y</w:t></a>')).toThrow();
    expect(() => expectWellFormed('<a>x & y</a>')).toThrow();
    expect(() => expectWellFormed('<a k="<b>"></a>')).toThrow();
    expect(() => expectWellFormed('<a><b/>')).toThrow();
    expect(() => expectWellFormed('<a k="x &amp; y"><b/>x &lt;b&gt;</a>')).not.toThrow();
  });

  it('keeps a 10,000-unit report to two levels and capped lists', async () => {
    const big = structuredClone(data);
    const camxuyen = big.units.find((u) => u.shortCode === 'CAMXUYEN')!;
    const communes: ReportUnit[] = Array.from({ length: 10_000 }, (_, i) => ({
      ...structuredClone(camxuyen),
      id: 100_000 + i,
      name: `Thôn thử ${i + 1}`,
      shortCode: `T${i}`,
      kind: 'other',
      parentId: camxuyen.id,
      depth: 2,
      models: 0,
      subtreeModels: 0,
      quota: { required: 1, counted: 0, missing: 1 },
      updatesOwed: { active: 1, missing: 1 },
    }));
    big.units.splice(big.units.indexOf(camxuyen) + 1, 0, ...communes);
    big.totals = {
      ...big.totals,
      units: big.units.length,
      unitsLate: 10_000,
      unitsWithoutModels: big.totals.unitsWithoutModels + 10_000,
      unitsBelowQuota: big.totals.unitsBelowQuota + 10_000,
    };

    const rendered = await open(await reportDocx(big, SNV));
    // A unit with units under it takes two rows: the province, the Mặt trận, and now Cẩm Xuyên.
    expect(rendered.tableWithHeader('Đơn vị').cells).toHaveLength(1 + data.units.filter((u) => u.depth <= 1).length + 3);
    const texts = rendered.body.map((p) => p.text);
    const late = texts.find((t) => t.startsWith('Có 10.000 đơn vị chưa gửi cập nhật tiến độ'))!;
    expect(late).toMatch(new RegExp(` và ${(10_000 - DOCX_LIMITS.lateUnits).toLocaleString('vi-VN')} đơn vị khác\\.$`));
    expect(late.split('Thôn thử').length - 1).toBe(DOCX_LIMITS.lateUnits);
    // Short of quota at every level, capped: the first names, then how many more.
    const short = data.units.filter((u) => u.quota.missing > 0).length + 10_000;
    expect(texts).toContain(`Có ${short.toLocaleString('vi-VN')} đơn vị chưa đủ mô hình, điểm sáng được duyệt theo chỉ tiêu, gồm:`);
    expect(texts).toContain(
      `Và ${(short - DOCX_LIMITS.unitsBelowQuota).toLocaleString('vi-VN')} đơn vị khác chưa đủ (danh sách đầy đủ trong tệp Excel của báo cáo).`,
    );
    expect(rendered.xml.split('Thôn thử').length - 1).toBeLessThanOrEqual(DOCX_LIMITS.lateUnits + DOCX_LIMITS.unitsBelowQuota);
  });

  it('caps the unit table when the first two levels alone are too many, and the recognised models', async () => {
    const wide = structuredClone(data);
    const province = wide.units[0]!;
    const extra: ReportUnit[] = Array.from({ length: 400 }, (_, i) => ({
      ...structuredClone(province),
      id: 200_000 + i,
      name: `Đơn vị thêm ${i + 1}`,
      parentId: province.id,
      depth: 1,
    }));
    wide.units.push(...extra);
    const recognised = wide.models.find((m) => m.state === 'recognised')!;
    wide.models.push(...Array.from({ length: 60 }, (_, i) => ({ ...structuredClone(recognised), id: 300_000 + i, name: `Mô hình thêm ${i + 1}` })));
    const listed = wide.units.filter((u) => u.depth <= 1).length;
    const rendered = await open(await reportDocx(wide, SNV));
    const table = rendered.tableWithHeader('Đơn vị');
    // Units, not rows, are capped: the province and the Mặt trận take a second row for their own figures.
    expect(table.cells.filter((r) => /^\d+$/.test(r[0]!))).toHaveLength(DOCX_LIMITS.unitRows);
    expect(table.cells).toHaveLength(1 + DOCX_LIMITS.unitRows + 2);
    const texts = rendered.body.map((p) => p.text);
    expect(texts).toContain(`Và ${listed - DOCX_LIMITS.unitRows} đơn vị khác không liệt kê trong bảng.`);
    // 2 recognised in the demo and 60 more.
    expect(rendered.tableWithHeader('Tên mô hình, điểm sáng').cells).toHaveLength(1 + DOCX_LIMITS.recognisedModels);
    expect(texts).toContain(`Và ${62 - DOCX_LIMITS.recognisedModels} mô hình, điểm sáng khác được công nhận.`);
  });
});

// ---------------------------------------------------------------------------------------------
// Reading the document back: paragraphs in order (with whether they sit in a table) and tables.

interface Para {
  text: string;
  xml: string;
  inTable: boolean;
  bold: boolean;
  italics: boolean;
}

interface Tbl {
  xml: string;
  /** Cells of each row, each cell its paragraphs. */
  rows: Para[][][];
  /** Each cell's text, paragraphs joined. */
  cells: string[][];
}

interface Docx {
  xml: string;
  styles: string;
  body: Para[];
  tables: Tbl[];
  paragraph(text: string): Para;
  tableWithHeader(header: string): Tbl;
}

async function open(buffer: Buffer): Promise<Docx> {
  const zip = await JSZip.loadAsync(buffer);
  const xml = await zip.file('word/document.xml')!.async('string');
  const styles = await zip.file('word/styles.xml')!.async('string');
  const body: Para[] = [];
  let depth = 0;
  for (const m of xml.matchAll(/<w:tbl>|<\/w:tbl>|<w:p>[\s\S]*?<\/w:p>|<w:p [\s\S]*?<\/w:p>|<w:p\/>/g)) {
    if (m[0] === '<w:tbl>') depth++;
    else if (m[0] === '</w:tbl>') depth--;
    else body.push(para(m[0], depth > 0));
  }
  const tables = topLevelTables(xml).map((t): Tbl => {
    const rows = [...t.matchAll(/<w:tr>[\s\S]*?<\/w:tr>|<w:tr [\s\S]*?<\/w:tr>/g)].map((r) =>
      [...r[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) => [...c[0].matchAll(/<w:p>[\s\S]*?<\/w:p>|<w:p [\s\S]*?<\/w:p>/g)].map((p) => para(p[0], true))),
    );
    return { xml: t, rows, cells: rows.map((r) => r.map((cell) => cell.map((p) => p.text).join(''))) };
  });
  return {
    xml,
    styles,
    body,
    tables,
    paragraph(text) {
      const found = body.find((p) => p.text === text);
      if (!found) throw new Error(`no paragraph "${text}"`);
      return found;
    },
    tableWithHeader(header) {
      const found = tables.find((t) => t.cells[0]?.[1] === header);
      if (!found) throw new Error(`no table with header "${header}"`);
      return found;
    },
  };
}

function para(xml: string, inTable: boolean): Para {
  const text = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => decode(t[1]!)).join('');
  return { text, xml, inTable, bold: /<w:b\/>/.test(xml), italics: /<w:i\/>/.test(xml) };
}

/** Tables of the body (none here nest, but a table's text must not leak into the next one). */
function topLevelTables(xml: string): string[] {
  const tables: string[] = [];
  let depth = 0;
  let start = 0;
  for (const m of xml.matchAll(/<w:tbl>|<\/w:tbl>/g)) {
    if (m[0] === '<w:tbl>') {
      if (depth++ === 0) start = m.index;
    } else if (--depth === 0) tables.push(xml.slice(start, m.index + m[0].length));
  }
  return tables;
}

function decode(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
}

/** Every tag well formed and closed in order, no bare "&" or "<" in text or attribute values. */
function expectWellFormed(xml: string): void {
  const bareAmp = /&(?!(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const stack: string[] = [];
  const parts = xml.replace(/^<\?xml[^>]*\?>/, '').split(/(<[^>]*>)/);
  for (const part of parts) {
    if (part === '') continue;
    if (!part.startsWith('<')) {
      expect(part, 'text').not.toMatch(/[<]/);
      expect(part, 'text').not.toMatch(bareAmp);
      continue;
    }
    const tag = /^<(\/?)([\w:.-]+)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>$/.exec(part);
    expect(tag, part).not.toBeNull();
    const [, closing, name, attributes, selfClosing] = tag!;
    expect(attributes, part).not.toMatch(bareAmp);
    if (closing) expect(stack.pop(), part).toBe(name);
    else if (!selfClosing) stack.push(name!);
  }
  expect(stack).toEqual([]);
}
