import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, npm } from '../../helpers/processes.js';

/** `npm run units` as the operator types it, in real child processes over one database file. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-units-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function units(...args: string[]) {
  return npm(['run', '--silent', 'units', '--', ...args], { env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite') }) });
}

function csv(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('npm run units', { timeout: 120_000 }, () => {
  it('checks with --dry-run, imports, then prints the join codes to hand out', () => {
    const path = csv('donvi.csv', '\ufeffMã;Tên đơn vị;Loại;Mã cấp trên\nCX-CAMBINH;Xã Cẩm Bình;xã;CAMXUYEN\nCAMXUYEN;Huyện Cẩm Xuyên;huyện;\n');
    const dry = units('import', path, '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toBe(
      'Chạy thử donvi.csv, chưa lưu gì: sẽ thêm mới 2, cập nhật 0, giữ nguyên 0.\nSẽ thêm: CX-CAMBINH — Xã Cẩm Bình.\nSẽ thêm: CAMXUYEN — Huyện Cẩm Xuyên.\n' +
        // An old tree still imports: a former kind is kept, with a remark.
        'Lưu ý: Dòng 3: “huyện” là cấp huyện cũ, không còn từ 1/7/2025; vẫn nhập với loại “Huyện, quận, thị xã, thành phố thuộc tỉnh (cấp huyện cũ, trước 1/7/2025)” để giữ dữ liệu cũ.\n',
    );
    expect(units('export-codes').stdout).toBe('\ufeffma,ten,ma_tham_gia\r\n');

    const done = units('import', path);
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    const codes = [...done.stdout.matchAll(/mã tham gia ([A-Z2-9]{6})/g)].map((m) => m[1]);
    expect(codes).toHaveLength(2);
    expect(done.stdout).toMatch(/^Đã nhập donvi\.csv: thêm mới 2, cập nhật 0, giữ nguyên 0\.\nThêm: CX-CAMBINH — Xã Cẩm Bình \(mã tham gia [A-Z2-9]{6}\)\./);

    expect(units('export-codes').stdout).toBe(`\ufeffma,ten,ma_tham_gia\r\nCAMXUYEN,Huyện Cẩm Xuyên,${codes[1]}\r\nCX-CAMBINH,Xã Cẩm Bình,${codes[0]}\r\n`);

    const renamed = units('import', csv('doiten.csv', 'ma,ten,loai,ma_cap_tren\nCAMXUYEN,UBND huyện Cẩm Xuyên,huyện,\n'));
    expect(renamed.stdout).toBe(
      'Đã nhập doiten.csv: thêm mới 0, cập nhật 1, giữ nguyên 0.\nCập nhật: CAMXUYEN — tên “Huyện Cẩm Xuyên” → “UBND huyện Cẩm Xuyên”.\n' +
        'Lưu ý: Dòng 2: “huyện” là cấp huyện cũ, không còn từ 1/7/2025; vẫn nhập với loại “Huyện, quận, thị xã, thành phố thuộc tỉnh (cấp huyện cũ, trước 1/7/2025)” để giữ dữ liệu cũ.\n',
    );
  });

  it('lists every error on stderr with exit code 1 and imports nothing', () => {
    const bad = units('import', csv('loi.csv', 'ma,ten,loai,ma_cap_tren\nHATINH,Tỉnh Hà Tĩnh,tỉnh,\nXA1,Xã Một,câu lạc bộ,HUYEN\n'));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(
      'Tệp có 2 lỗi nên chưa nhập đơn vị nào:\n' +
        'Dòng 3: loại “câu lạc bộ” chưa nhận ra; dùng một trong: tỉnh/thành phố trực thuộc trung ương; cơ quan đảng; sở/ban/ngành; xã/phường/đặc khu; mặt trận và đoàn thể; trường học; bệnh viện; lực lượng vũ trang; doanh nghiệp; khác.\n' +
        'Dòng 3: không có đơn vị cấp trên mã HUYEN, trong tệp cũng như trong hệ thống.\n',
    );
    expect(units('export-codes').stdout).toBe('\ufeffma,ten,ma_tham_gia\r\n');
  });

  it('refuses a word a command reads as something else as a unit code', () => {
    const bad = units(
      'import',
      csv('danhrieng.csv', 'ma,ten,loai,ma_cap_tren\nHATINH,Tỉnh Hà Tĩnh,tỉnh,\nToànTỉnh,Toàn tỉnh,khác,HATINH\nmacdinh,Mặc định,khác,HATINH\n'),
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(
      'Tệp có 2 lỗi nên chưa nhập đơn vị nào:\n' +
        'Dòng 3: mã TOANTINH không dùng được: lệnh /phanquyen hiểu đó là “toàn tỉnh”; bạn đặt mã khác.\n' +
        'Dòng 4: mã MACDINH không dùng được: lệnh /chitieu hiểu đó là chỉ tiêu mặc định; bạn đặt mã khác.\n',
    );
    expect(units('export-codes').stdout).toBe('\ufeffma,ten,ma_tham_gia\r\n');
  });
});
