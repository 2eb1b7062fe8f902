import { basename } from 'node:path';
import { vietnameseCli } from './vietnameseCli.js';
import { CLI_ACTOR } from '../../db/bootstrap.js';
import type { Db } from '../../db/client.js';
import { formatRowError, joinCodesCsv, type UnitChange, UnitImportError, type UnitSnapshot } from '../../db/unitImport.js';
import { UNIT_KIND_LABEL } from '../../core/unitKinds.js';
import { exitWith, runWithDatabase } from './database.js';
import { importUnitFile } from './unitFile.js';

/**
 * `npm run units -- import donvi.xlsx [--dry-run]` and `npm run units -- export-codes`: the unit
 * tree from the office's spreadsheet, and the join codes to hand out. Arguments and printing
 * only; unitFile.ts reads the file, db/unitImport.ts checks and writes the units.
 *
 * Exit codes: 0 done, 1 the file was refused (nothing imported), 2 wrong configuration.
 */

const run = (job: (db: Db, now: Date) => Promise<string>) =>
  runWithDatabase(job, (error) =>
    error instanceof UnitImportError
      ? `Tệp có ${error.errors.length} lỗi nên chưa nhập đơn vị nào:\n${error.errors.map((e) => `${formatRowError(e)}\n`).join('')}`
      : undefined,
  );

function describeChange(change: UnitChange): string {
  if (!change.before) {
    const code = change.joinCode ? ` (mã tham gia ${change.joinCode})` : '';
    return `${change.shortCode} — ${change.name}${code}.`;
  }
  const { before, after } = change;
  const diffs: string[] = [];
  if (before.name !== after.name) diffs.push(`tên “${before.name}” → “${after.name}”`);
  if (before.kind !== after.kind) diffs.push(`loại ${UNIT_KIND_LABEL[before.kind]} → ${UNIT_KIND_LABEL[after.kind]}`);
  if (before.parentCode !== after.parentCode) diffs.push(`cấp trên ${parentLabel(before)} → ${parentLabel(after)}`);
  return `${change.shortCode} — ${diffs.join('; ')}.`;
}

const parentLabel = (s: UnitSnapshot) => s.parentCode ?? '(không có)';

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const cli = vietnameseCli('units')
    .description('Đơn vị của bot “Dân vận khéo”: nhập danh sách từ tệp, xuất mã tham gia')
    .showHelpAfterError('(gõ --help để xem cách dùng)');

  cli
    .command('import')
    .description('nhập hoặc cập nhật đơn vị từ tệp .csv hay .xlsx (cột ma, ten, loai, ma_cap_tren)')
    .argument('<tệp>', 'tệp .csv (UTF-8, dấu phẩy hoặc chấm phẩy) hoặc .xlsx')
    .option('--dry-run', 'chỉ kiểm tra và cho biết sẽ thay đổi gì, chưa lưu')
    .action(async (file: string, options: { dryRun?: boolean }) => {
      code = await run(async (db, now) => {
        const report = await importUnitFile(db, file, CLI_ACTOR, now, { dryRun: options.dryRun === true });
        const counts = `thêm mới ${report.created.length}, cập nhật ${report.updated.length}, giữ nguyên ${report.unchanged.length}`;
        const lines = [
          report.dryRun ? `Chạy thử ${basename(file)}, chưa lưu gì: sẽ ${counts}.` : `Đã nhập ${basename(file)}: ${counts}.`,
          ...report.created.map((c) => `${report.dryRun ? 'Sẽ thêm' : 'Thêm'}: ${describeChange(c)}`),
          ...report.updated.map((c) => `${report.dryRun ? 'Sẽ cập nhật' : 'Cập nhật'}: ${describeChange(c)}`),
          ...report.notes.map((n) => `Lưu ý: ${formatRowError(n)}`),
        ];
        if (!report.dryRun && report.created.length > 0) lines.push('Xem mã tham gia của mọi đơn vị: npm run units -- export-codes');
        return lines.map((l) => `${l}\n`).join('');
      });
    });

  cli
    .command('export-codes')
    .description('in mã tham gia của từng đơn vị dạng CSV (ma, ten, ma_tham_gia) để gửi cho các đơn vị')
    // The BOM lets Excel open the Vietnamese names as UTF-8 when the output is saved to a .csv file.
    .action(async () => {
      code = await run(async (db) => `\ufeff${joinCodesCsv(db)}`);
    });

  await cli.parseAsync(argv);
  return code;
}

exitWith('units', () => main(process.argv));
