import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, npm, REPO_ROOT } from '../helpers/processes.js';

/**
 * /baocao in the simulator, as a newcomer tries it: `npm start -- --demo` fed the lines of
 * tests/fixtures/simulator/baocao.txt. The files the bot "sends" land in DVK_OUT_DIR; each must
 * open with the library that reads its format.
 */
let dir: string;
let output: string;
let files: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-reports-'));
  const result = npm(['start', '--silent', '--', '--demo'], {
    input: readFileSync(join(REPO_ROOT, 'tests/fixtures/simulator/baocao.txt'), 'utf8'),
    env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), DVK_OUT_DIR: join(dir, 'out'), DVK_NOW: '2026-11-22T09:00:00+07:00' }),
    timeoutMs: 90_000,
  });
  expect(result.status, result.stderr).toBe(0);
  output = result.stdout;
  files = readdirSync(join(dir, 'out')).sort();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (suffix: string) => {
  const name = files.find((f) => f.endsWith(suffix));
  expect(name, `a file ending in ${suffix} among ${files.join(', ')}`).toBeDefined();
  return readFileSync(join(dir, 'out', name!));
};

describe('/baocao in the simulator with the demo data', () => {
  it('prints the summary and says where each file went', () => {
    expect(output).toContain('📊 Báo cáo “Dân vận khéo” năm 2026');
    expect(output).toContain('• Mô hình đăng ký năm 2026: 9 (tập thể 8 · cá nhân 1)');
    expect(output.match(/📎 Tệp: /g)).toHaveLength(4);
    expect(output).not.toContain('Xin lỗi, bot gặp lỗi');
    expect(files).toHaveLength(4);
    // Reports name officials and units: the operator's alone, in a folder of theirs.
    expect(statSync(join(dir, 'out')).mode & 0o777).toBe(0o700);
    for (const name of files) expect(statSync(join(dir, 'out', name)).mode & 0o777, name).toBe(0o600);
  });

  it('writes an xlsx that opens, with one row per model', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file('bao-cao-dvk-HATINH-2026.xlsx') as never);
    expect(workbook.worksheets.map((w) => w.name)).toContain('Mô hình');
    let codes = 0;
    workbook.getWorksheet('Mô hình')!.eachRow((row) => {
      if ((row.values as unknown[]).some((v) => typeof v === 'string' && /^DVK-2026-\d{4}$/.test(v))) codes++;
    });
    expect(codes).toBe(9);
  });

  it('writes a docx that unzips, issued by the asker’s body: the leader of the Ban Tuyên giáo và Dân vận gets the Party format', async () => {
    const zip = await JSZip.loadAsync(file('bao-cao-dvk-HATINH-2026-q4.docx'));
    const text = (await zip.file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '');
    expect(text).toContain('ĐẢNG CỘNG SẢN VIỆT NAM');
    expect(text).not.toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('TỈNH ỦY HÀ TĨNHBAN TUYÊN GIÁO VÀ DÂN VẬN*Số');
    expect(text).toContain('-BC/BTGDVTU');
    expect(text).toContain('BÁO CÁO');
    expect(text).toContain('quý IV năm 2026');
  });

  it('writes PNG charts that decode, by field for the province and by unit for the commune officer', () => {
    const byField = PNG.sync.read(file('bao-cao-dvk-HATINH-2026-linh-vuc.png'));
    expect(byField.width).toBeGreaterThan(300);
    expect(byField.height).toBeGreaterThan(200);
    // The officer of Cẩm Xuyên gets their own unit only.
    const byUnit = PNG.sync.read(file('bao-cao-dvk-CAMXUYEN-2026-don-vi.png'));
    expect(byUnit.width).toBeGreaterThan(300);
  });
});
