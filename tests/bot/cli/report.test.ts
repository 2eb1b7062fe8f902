import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../core/clock.js';
import { openDatabase } from '../../../db/client.js';
import { seedDemo } from '../../../db/seed/demo.js';
import { cleanEnv, npm, REPO_ROOT } from '../../helpers/processes.js';

/** `npm run report` as an admin types it on the server, over a demo database. */
const NOW = '2026-11-22T09:00:00+07:00';
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-report-cli-'));
  const database = await openDatabase(join(dir, 'dvk.sqlite'), { clock: fixedClock(NOW) });
  seedDemo(database.db, new Date(NOW));
  database.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function report(...args: string[]) {
  // Typed in another folder than the project's: relative paths are that folder's.
  return npm(['--prefix', REPO_ROOT, 'run', '--silent', 'report', '--', ...args], {
    cwd: dir,
    env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), DVK_NOW: NOW }),
  });
}

describe('npm run report', { timeout: 120_000 }, () => {
  it('writes the xlsx of a period and a unit to the file asked for', async () => {
    const out = report('xlsx', '--ky', 'quy 4', '--don-vi', 'MTTQ', '--ra', 'mttq.xlsx');
    expect(out.stderr).toContain('Đang đọc số liệu quý IV năm 2026…');
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(`Đã ghi ${join(dir, 'mttq.xlsx')}: Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh, 3 đơn vị, 2 mô hình.\n`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(dir, 'mttq.xlsx'));
    const names: string[] = [];
    workbook.getWorksheet('Mô hình')!.eachRow((row) => {
      const code = (row.values as unknown[]).find((v) => typeof v === 'string' && /^DVK-2026-\d{4}$/.test(v));
      if (code) names.push(code as string);
    });
    // The Mặt trận's own model and Tỉnh đoàn's, under it.
    expect(names.sort()).toEqual(['DVK-2026-0007', 'DVK-2026-0009']);
    // It names officials and units: the admin's alone.
    expect(statSync(join(dir, 'mttq.xlsx')).mode & 0o777).toBe(0o600);
  });

  it('writes the docx of the whole deployment under its standard name', async () => {
    const out = report('docx');
    expect(out.status).toBe(0);
    const path = join(dir, 'bao-cao-dvk-HATINH-2026.docx');
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const xml = await (await JSZip.loadAsync(readFileSync(path))).file('word/document.xml')!.async('string');
    expect(xml.replace(/<[^>]+>/g, '')).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
  });

  it('refuses an unknown unit, a wrong period and a wrong format with exit code 1 and writes nothing', () => {
    expect(report('xlsx', '--don-vi', 'KHONGCO')).toMatchObject({ status: 1, stderr: expect.stringContaining('Đơn vị KHONGCO không có') });
    expect(report('xlsx', '--ky', 'quy 7')).toMatchObject({ status: 1, stderr: expect.stringContaining('Không có quý 7') });
    expect(report('xlsx', '--ky', 'quy 1 abc')).toMatchObject({ status: 1, stderr: expect.stringContaining('Không hiểu “abc”') });
    expect(report('pdf')).toMatchObject({ status: 1, stderr: 'Định dạng phải là xlsx hoặc docx.\n' });
    expect(existsSync(join(dir, 'bao-cao-dvk-HATINH-2026.xlsx'))).toBe(false);
  });
});
