import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { demoDatabasePerTest } from '../helpers/harness.js';
import { reportData } from '../../db/reportData.js';
import { yearPeriod } from '../../core/period.js';
import { makeReport } from '../../reports/reportJob.js';
import { renderReportFile } from '../../reports/reportFiles.js';

const NOW = new Date('2026-11-22T09:00:00+07:00');
const ALL = { rootUnitId: null, subtree: true } as const;
const database = demoDatabasePerTest(NOW);

async function modelsSheet(bytes: Uint8Array): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(new Uint8Array(bytes).buffer);
  return workbook.getWorksheet('Mô hình')!;
}

describe('makeReport', () => {
  it('reads the models’ texts with the data, in the same read, when a spreadsheet is asked for', async () => {
    let reads = 0;
    const made = await makeReport(
      database().db,
      { scope: ALL, period: yearPeriod(2026), now: NOW, formats: ['xlsx'] },
      {
        read: (readData) => {
          reads++;
          return readData();
        },
      },
    );
    expect(reads).toBe(1);
    const ws = await modelsSheet(made.files[0]!.data);
    const texts: unknown[] = [];
    for (let n = 5; n <= ws.rowCount; n++) texts.push(ws.getRow(n).getCell(12).value, ws.getRow(n).getCell(18).value);
    expect(texts).toContain('Vận động nhân dân đóng góp cây hoa, công lao động và kinh phí lắp đèn chiếu sáng các tuyến đường khu dân cư.');
    expect(texts).toContain('Nội dung trùng với mô hình năm trước; đề nghị bổ sung mục tiêu và kết quả dự kiến cụ thể.');
  });
});

describe('renderReportFile', () => {
  it('refuses to make a spreadsheet without the models’ texts rather than leave their columns empty', async () => {
    const data = reportData(database().db, ALL, yearPeriod(2026), NOW);
    await expect(renderReportFile(data, 'xlsx')).rejects.toThrow(/details/);
  });
});
