import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { importUnitFile, parseUnitRows, readUnitFile } from '../../../bot/cli/unitFile.js';
import { CLI_ACTOR } from '../../../db/bootstrap.js';
import { auditLog, units } from '../../../db/schema.js';
import { importUnits } from '../../../db/unitImport.js';
import { unitKindOf } from '../../../core/unitKinds.js';
import { RESERVED_UNIT_SHAPES, RESERVED_UNIT_WORDS, reservedUnitCodeReason } from '../../../db/reservedUnitCodes.js';
import { demoPerTest, emptyPerTest, type Harness } from '../../helpers/harness.js';
import { findUnit, parentCodeOf } from '../../helpers/rows.js';
import { importErrors } from '../../helpers/unitFiles.js';

let h: Harness;
const demo = demoPerTest();
const empty = emptyPerTest();

const BOM = '\ufeff';

describe('reading files', () => {
  it('reads a UTF-8 CSV with BOM, Vietnamese headers, semicolons and quoted fields, parents later in the file', async () => {
    h = await empty();
    const path = h.writeFile(
      'donvi.csv',
      `${BOM}STT;Mã;Tên đơn vị;Loại;Mã cấp trên\r\n` +
        '1;cx-cambinh;Xã Cẩm Bình;xã;CAMXUYEN\r\n' +
        '2;CAMXUYEN;"Huyện Cẩm Xuyên; ""Cẩm""";Huyện;HATINH\r\n' +
        '\r\n' +
        '3;HATINH;Tỉnh Hà Tĩnh;tinh;\r\n' +
        `4;SNV;${'Sở Nội vụ'.normalize('NFD')};"Sở, ban, ngành";HATINH\r\n`,
    );
    const rows = await readUnitFile(path);
    const parsed = parseUnitRows(rows);
    expect(parsed.errors).toEqual([]);
    expect(parsed.units).toEqual([
      { row: 2, shortCode: 'CX-CAMBINH', name: 'Xã Cẩm Bình', kind: 'commune', parentCode: 'CAMXUYEN' },
      { row: 3, shortCode: 'CAMXUYEN', name: 'Huyện Cẩm Xuyên; "Cẩm"', kind: 'district', parentCode: 'HATINH' },
      { row: 5, shortCode: 'HATINH', name: 'Tỉnh Hà Tĩnh', kind: 'province', parentCode: null },
      { row: 6, shortCode: 'SNV', name: 'Sở Nội vụ', kind: 'department', parentCode: 'HATINH' },
    ]);

    const report = importUnits(h.db, parsed.units, CLI_ACTOR, h.clock.now());
    expect(report.created.map((c) => c.shortCode)).toEqual(['CX-CAMBINH', 'CAMXUYEN', 'HATINH', 'SNV']);
    expect(parentCodeOf(h.db, 'CX-CAMBINH')).toBe('CAMXUYEN');
    expect(parentCodeOf(h.db, 'CAMXUYEN')).toBe('HATINH');
    expect(parentCodeOf(h.db, 'HATINH')).toBeNull();
    expect(findUnit(h.db, 'SNV')!.name).toBe('Sở Nội vụ'.normalize('NFC'));
  });

  it('reads a comma-separated CSV without BOM, keeping codes and numbers as typed', async () => {
    h = await empty();
    const path = h.writeFile('donvi.csv', 'ma,ten,loai,ma_cap_tren\nTH-0042,"Trường THPT Cẩm Xuyên, cơ sở 2",school,\n0042,Trường số 42,school,TH-0042\n');
    const rows = await readUnitFile(path);
    // Text, not the number 42: the zeros are kept.
    expect(rows[2]![0]).toBe('0042');
    const parsed = parseUnitRows(rows);
    expect(parsed.units).toEqual([{ row: 2, shortCode: 'TH-0042', name: 'Trường THPT Cẩm Xuyên, cơ sở 2', kind: 'school', parentCode: null }]);
    // A code of digits only is then refused: commands would read it as a number (db/reservedUnitCodes.ts).
    expect(parsed.errors).toEqual([{ row: 3, message: `mã 0042 không dùng được: ${reservedUnitCodeReason('0042')}; bạn đặt mã khác.` }]);
  });

  it('reads the first sheet of an XLSX written by Excel (here by exceljs), below a title line', async () => {
    h = await empty();
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Đơn vị');
    sheet.addRow(['DANH SÁCH ĐƠN VỊ THAM GIA PHONG TRÀO']);
    sheet.addRow(['Mã', 'Tên đơn vị', 'Loại', 'Mã cấp trên', 'Ghi chú']);
    sheet.addRow(['HATINH', 'Tỉnh Hà Tĩnh', 'Tỉnh', null, '']);
    sheet.addRow(['BVDK', { richText: [{ text: 'Bệnh viện ' }, { text: 'Đa khoa tỉnh', font: { bold: true } }] }, 'bệnh viện', 'HATINH']);
    sheet.addRow(['CAT', 'Công an tỉnh', 'công an', 'hatinh', 'lực lượng vũ trang']);
    const path = join(h.dir, 'donvi.xlsx');
    await workbook.xlsx.writeFile(path);

    const report = await importUnitFile(h.db, path, CLI_ACTOR, h.clock.now());
    expect(report.created.map((c) => [c.row, c.shortCode, c.name, c.after.kind, c.after.parentCode])).toEqual([
      [3, 'HATINH', 'Tỉnh Hà Tĩnh', 'province', null],
      [4, 'BVDK', 'Bệnh viện Đa khoa tỉnh', 'hospital', 'HATINH'],
      [5, 'CAT', 'Công an tỉnh', 'armed_forces', 'HATINH'],
    ]);
    expect(parentCodeOf(h.db, 'CAT')).toBe('HATINH');
  });

  it('refuses other file types, missing files and CSV not in UTF-8', async () => {
    h = await empty();
    await expect(readUnitFile(h.writeFile('donvi.ods', 'x'))).rejects.toThrow('Chỉ nhận tệp .csv hoặc .xlsx.');
    await expect(readUnitFile(join(h.dir, 'khong-co.csv'))).rejects.toThrow('Không tìm thấy tệp');
    // "Tỉnh" in Windows-1258 is not valid UTF-8.
    const legacy = Buffer.from([0x6d, 0x61, 0x3b, 0x74, 0x65, 0x6e, 0x0a, 0x54, 0xec, 0x6e, 0x68, 0x0a]);
    await expect(readUnitFile(h.writeFile('cu.csv', legacy))).rejects.toThrow('Tệp CSV phải lưu ở dạng UTF-8');
  });
});

describe('unit kinds', () => {
  it('reads Vietnamese labels and the English values, with or without diacritics', () => {
    expect(unitKindOf('Tỉnh')).toBe('province');
    expect(unitKindOf('sở / ban / ngành')).toBe('department');
    // Under a province, "thành phố" is a former district-level city; at the root a province-level one.
    expect(unitKindOf('THÀNH PHỐ', 'province')).toBe('district');
    expect(unitKindOf('THÀNH PHỐ', null)).toBe('province');
    expect(unitKindOf('thi xa')).toBe('district');
    expect(unitKindOf('Phường')).toBe('commune');
    expect(unitKindOf('Đoàn thể')).toBe('organisation');
    expect(unitKindOf('quân sự')).toBe('armed_forces');
    expect(unitKindOf('doanh nghiệp')).toBe('enterprise');
    expect(unitKindOf('armed_forces')).toBe('armed_forces');
    expect(unitKindOf('khác')).toBe('other');
    // One list with /themdonvi: what chat accepts, a file accepts (the import refused these before).
    expect(unitKindOf('Biên phòng')).toBe('armed_forces');
    expect(unitKindOf('Lực lượng vũ trang')).toBe('armed_forces');
    expect(unitKindOf('Tổ chức, đoàn thể')).toBe('organisation');
    expect(unitKindOf('Mặt trận và đoàn thể')).toBe('organisation');
    expect(unitKindOf('hội')).toBe('organisation');
    expect(unitKindOf('câu lạc bộ')).toBeUndefined();
    expect(unitKindOf('xã, sở')).toBeUndefined();
    expect(unitKindOf('')).toBeUndefined();
  });
});

describe('validation', () => {
  it('lists every error with its row number at once, and imports nothing', async () => {
    h = await empty();
    const path = h.writeFile(
      'loi.csv',
      'ma;ten;loai;ma_cap_tren\n' +
        'HATINH;Tỉnh Hà Tĩnh;tỉnh;\n' +
        'CAM XUYEN;Huyện Cẩm Xuyên;huyện;HATINH\n' +
        ';Xã không mã;xã;HATINH\n' +
        'DUCTHO;;câu lạc bộ;HATINH\n' +
        'HATINH;Trùng mã;tỉnh;\n' +
        'CAMBINH;Xã Cẩm Bình;xã;KHONGCO\n' +
        `SYT;${'Y'.repeat(300)};sở;HATINH\n`,
    );
    expect(await importErrors(h, path)).toEqual([
      'Dòng 3: mã “CAM XUYEN” chưa đúng: dùng chữ không dấu, số và dấu gạch (- hoặc _), tối đa 30 ký tự, ví dụ CAMXUYEN hay SNV-VP.',
      'Dòng 4: thiếu mã đơn vị (cột ma).',
      'Dòng 5: thiếu tên đơn vị (cột ten).',
      'Dòng 5: loại “câu lạc bộ” chưa nhận ra; dùng một trong: tỉnh/thành phố trực thuộc trung ương; cơ quan đảng; sở/ban/ngành; xã/phường/đặc khu; mặt trận và đoàn thể; trường học; bệnh viện; lực lượng vũ trang; doanh nghiệp; khác.',
      'Dòng 6: mã HATINH trùng với dòng 2.',
      'Dòng 7: không có đơn vị cấp trên mã KHONGCO, trong tệp cũng như trong hệ thống.',
      `Dòng 8: tên đơn vị phải có từ 2 đến 200 ký tự (đang là “${'Y'.repeat(39)}…”).`,
    ]);
    expect(h.db.select().from(units).all()).toEqual([]);
    expect(h.db.select().from(auditLog).where(eq(auditLog.action, 'unit.import')).all()).toEqual([]);
  });

  it('refuses every reserved word and shape as a unit’s own code, row by row, and imports nothing', async () => {
    h = await demo();
    const before = h.db.select().from(units).all();
    const reserved = [...RESERVED_UNIT_WORDS.map((w) => w.word), ...RESERVED_UNIT_SHAPES.map((s) => s.example)];
    const path = h.writeFile(
      'danhrieng.csv',
      'ma;ten;loai;ma_cap_tren\n' +
        reserved.map((code, i) => `${code.toLowerCase()};Đơn vị thử ${i};khác;HATINH\n`).join('') +
        // Typed with diacritics it is the same word; a row under a refused one gets no second error.
        'Năm2027;Đơn vị năm;khác;HATINH\n' +
        'CON;Đơn vị con;khác;TOANTINH\n',
    );
    const rowOf = (i: number) => i + 2;
    expect(await importErrors(h, path)).toEqual([
      ...reserved.map((code, i) => `Dòng ${rowOf(i)}: mã ${code} không dùng được: ${reservedUnitCodeReason(code)}; bạn đặt mã khác.`),
      `Dòng ${rowOf(reserved.length)}: mã NAM2027 không dùng được: lệnh /baocao hiểu đó là kỳ báo cáo; bạn đặt mã khác.`,
    ]);
    expect(h.db.select().from(units).all()).toEqual(before);
    expect(h.db.select().from(auditLog).where(eq(auditLog.action, 'unit.import')).all()).toEqual([]);
  });

  it('names the missing columns of the header', async () => {
    h = await empty();
    expect(await importErrors(h, h.writeFile('thieu.csv', 'Mã,Tên\nHATINH,Tỉnh Hà Tĩnh\n'))).toEqual(['Dòng 1: dòng tiêu đề thiếu cột loai, ma_cap_tren.']);
    expect(await importErrors(h, h.writeFile('khong.csv', 'a,b\n1,2\n'))).toEqual([
      'Dòng 1: không thấy dòng tiêu đề: cần các cột ma, ten, loai, ma_cap_tren (hoặc Mã, Tên đơn vị, Loại, Mã cấp trên).',
    ]);
    expect(await importErrors(h, h.writeFile('rong.csv', 'ma,ten,loai,ma_cap_tren\n'))).toEqual(['Tệp không có dòng đơn vị nào dưới dòng tiêu đề.']);
  });
});

describe('kinds since 1/7/2025', () => {
  it('decides “thành phố” by the row’s parent, in the file or already saved, and says which it chose', async () => {
    h = await empty();
    const first = h.writeFile(
      'tinh.csv',
      'ma;ten;loai;ma_cap_tren\n' +
        // The parent comes later in the file: the kind waits for every row.
        'HT-TP;Thành phố Hà Tĩnh;thành phố;HATINH\n' +
        'HATINH;Tỉnh Hà Tĩnh;tỉnh;\n' +
        'HUE;Thành phố Huế;Thành phố;\n' +
        'HUE-PHU;Phường Phú Xuân;phường;HUE\n',
    );
    const report = await importUnitFile(h.db, first, CLI_ACTOR, h.clock.now());
    expect(report.created.map((c) => [c.shortCode, c.after.kind])).toEqual([
      ['HT-TP', 'district'],
      ['HATINH', 'province'],
      ['HUE', 'province'],
      ['HUE-PHU', 'commune'],
    ]);
    expect(report.notes).toEqual([
      {
        row: 2,
        message:
          '“thành phố” được hiểu là thành phố thuộc tỉnh (loại “Huyện, quận, thị xã, thành phố thuộc tỉnh (cấp huyện cũ, trước 1/7/2025)”) vì cấp trên HATINH là tỉnh; cấp huyện không còn từ 1/7/2025, vẫn nhập để giữ dữ liệu cũ.',
      },
      { row: 4, message: '“thành phố” được hiểu là thành phố trực thuộc trung ương (loại “Tỉnh, thành phố trực thuộc trung ương”) vì không có cấp trên.' },
    ]);

    // A later file whose parents are already saved: their saved kinds decide.
    const second = h.writeFile('them.csv', 'ma;ten;loai;ma_cap_tren\nVINH;Thành phố Vinh;tp;HATINH\nHUE-X;Thành phố phía Bắc;thành phố;HUE-PHU\n');
    const again = await importUnitFile(h.db, second, CLI_ACTOR, h.clock.now(), { dryRun: true });
    expect(again.created.map((c) => [c.shortCode, c.after.kind])).toEqual([
      ['VINH', 'district'],
      ['HUE-X', 'province'],
    ]);
    expect(again.notes.map((n) => n.message)).toEqual([
      expect.stringContaining('thành phố thuộc tỉnh (loại “Huyện, quận, thị xã, thành phố thuộc tỉnh'),
      expect.stringContaining('vì cấp trên HUE-PHU không phải là tỉnh.'),
    ]);
  });

  it('imports a former kind from an old tree with a remark, and the kinds of 2026 without one', async () => {
    h = await empty();
    const path = h.writeFile(
      'cu.csv',
      'ma;ten;loai;ma_cap_tren\n' +
        'HATINH;Tỉnh Hà Tĩnh;Tỉnh;\n' +
        'CAMXUYEN;Huyện Cẩm Xuyên;Huyện;HATINH\n' +
        'TT-THIENCAM;Thị trấn Thiên Cầm;thi tran;CAMXUYEN\n' +
        'BTGDV;Ban Tuyên giáo và Dân vận Tỉnh ủy;Ban Tuyên giáo và Dân vận;HATINH\n' +
        'DUUBND;Đảng ủy UBND tỉnh;Đảng ủy;HATINH\n' +
        'MTTQ;Ủy ban MTTQ tỉnh;Ủy ban MTTQ;HATINH\n' +
        'TINHDOAN;Tỉnh đoàn;tinh doan;MTTQ\n' +
        'CAMBINH;Xã Cẩm Bình;Xã;HATINH\n' +
        'DK;Đặc khu thử;dac khu;HATINH\n',
    );
    const report = await importUnitFile(h.db, path, CLI_ACTOR, h.clock.now());
    expect(Object.fromEntries(report.created.map((c) => [c.shortCode, c.after.kind]))).toEqual({
      HATINH: 'province',
      CAMXUYEN: 'district',
      'TT-THIENCAM': 'commune',
      BTGDV: 'party',
      DUUBND: 'party',
      MTTQ: 'organisation',
      TINHDOAN: 'organisation',
      CAMBINH: 'commune',
      DK: 'commune',
    });
    expect(report.notes).toEqual([
      {
        row: 3,
        message:
          '“Huyện” là cấp huyện cũ, không còn từ 1/7/2025; vẫn nhập với loại “Huyện, quận, thị xã, thành phố thuộc tỉnh (cấp huyện cũ, trước 1/7/2025)” để giữ dữ liệu cũ.',
      },
      { row: 4, message: '“thi tran” là đơn vị cũ, không còn từ 1/7/2025; vẫn nhập với loại “Xã, phường, đặc khu” để giữ dữ liệu cũ.' },
    ]);
    expect(findUnit(h.db, 'CAMXUYEN')!.kind).toBe('district');
  });
});
