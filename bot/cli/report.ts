import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { vietnameseCli } from './vietnameseCli.js';
import type { Caller } from '../../db/people.js';
import { reportData } from '../../db/reportData.js';
import { reportModelDetails } from '../../db/reportModelDetails.js';
import { resolveReportIssuer, resolveReportScope } from '../../commands/shared/reportScope.js';
import { docxOptionsFor, reportDocx } from '../../reports/docx.js';
import { issuerOptionsOf } from '../../reports/issuer.js';
import { parsePeriod, periodTitle } from '../../core/period.js';
import { reportFileName } from '../../reports/reportFiles.js';
import { writeReportXlsx } from '../../reports/xlsx.js';
import { exitWith, runWithDatabase } from './database.js';

/**
 * `npm run report -- xlsx|docx [--ky "quy 1 2026"] [--don-vi HATINH] [--ban-hanh SNV] [--ra tep.xlsx]`:
 * the report that goes upward, written to a file by an administrator on the server — the same files
 * /baocao sends, for any scope however large (the spreadsheet is streamed to disk row by row). A
 * progress bar on stderr (in a terminal) follows the rows written. `--ban-hanh`: the unit that
 * issues the Word report, laid out in its format (reports/issuer.ts); without it, the report's
 * root unit, as the operator belongs to no unit.
 *
 * Exit codes: 0 written, 1 refused (unknown unit, wrong period), 2 wrong configuration.
 */

/** Whoever runs this on the server is an administrator of the whole deployment. */
const OPERATOR: Caller = {
  personId: 0,
  displayName: 'CLI',
  platform: 'console',
  platformUserId: 'cli',
  unitId: null,
  grants: [{ role: 'admin', unitId: null }],
};

class Refused extends Error {}

async function main(argv: string[]): Promise<number> {
  const cli = vietnameseCli('report')
    .description('Xuất báo cáo “Dân vận khéo” ra tệp Excel hoặc Word')
    .argument('<định-dạng>', 'xlsx (Excel) hoặc docx (Word)')
    .option('--ky <kỳ>', 'kỳ báo cáo như trong /baocao: 2026, "quy 1", "thang 3 2026", 15/2/2026-14/3/2026 (mặc định: năm nay)', '')
    .option('--don-vi <mã>', 'mã đơn vị gốc (mặc định: toàn bộ)', '')
    .option('--ban-hanh <mã>', 'mã đơn vị ban hành báo cáo Word (mặc định: đơn vị gốc của báo cáo)', '')
    .option('--ra <tệp>', 'tệp sẽ ghi (mặc định: tên chuẩn trong thư mục hiện tại)')
    .showHelpAfterError('(gõ --help để xem cách dùng)')
    .parse(argv);
  const [format] = cli.args as [string];
  const options = cli.opts<{ ky: string; donVi: string; banHanh: string; ra?: string }>();
  if (format !== 'xlsx' && format !== 'docx') {
    process.stderr.write('Định dạng phải là xlsx hoặc docx.\n');
    return 1;
  }
  return runWithDatabase(
    async (db, now) => {
      const parsed = parsePeriod(options.ky, now);
      if (!parsed.ok) throw new Refused(parsed.error);
      if (parsed.rest.length > 0) throw new Refused(`Không hiểu “${parsed.rest.join(' ')}” trong --ky.`);
      const scope = resolveReportScope(db, OPERATOR, options.donVi);
      if (!scope.ok) throw new Refused(scope.error);
      const issuer = resolveReportIssuer(db, OPERATOR, options.banHanh.trim());
      // The chat's words speak of the units a person may speak for; the operator may name any.
      if (!issuer.ok)
        throw new Refused(`Không tìm thấy đơn vị “${options.banHanh.trim()}” đang hoạt động để ghi là cơ quan ban hành (--ban-hanh). Gõ đúng mã đơn vị.`);

      const bar = new SingleBar({
        format: ' {bar} {percentage}% | {value}/{total} dòng',
        stream: process.stderr,
        // Without a terminal (a cron job, a pipe) the bar would only add noise to a log.
        noTTYOutput: false,
        hideCursor: true,
      });
      const showBar = process.stderr.isTTY === true;
      process.stderr.write(`Đang đọc số liệu ${periodTitle(parsed.period)}…\n`);
      const data = reportData(db, scope.scope, parsed.period, now);
      // `npm run` starts scripts in the project folder; a relative path means where the admin typed it.
      const path = resolve(process.env.INIT_CWD ?? process.cwd(), options.ra ?? reportFileName(data, format));
      if (showBar) bar.start(Math.max(1, data.models.length), 0);
      try {
        if (format === 'xlsx') {
          await writeReportXlsx(data, reportModelDetails(db, data), path, {
            onProgress: (done, total) => {
              if (!showBar) return;
              bar.setTotal(total);
              bar.update(done);
            },
          });
        } else {
          const docx = (issuer.unitId === null ? undefined : issuerOptionsOf(db, issuer.unitId)) ?? docxOptionsFor(data);
          writeFileSync(path, await reportDocx(data, docx), { mode: 0o600 });
          if (showBar) bar.update(Math.max(1, data.models.length));
        }
      } finally {
        if (showBar) bar.stop();
      }
      const scopeName = data.root ? data.root.name : 'tất cả đơn vị';
      return `Đã ghi ${path}: ${scopeName}, ${data.totals.units} đơn vị, ${data.totals.models} mô hình.\n`;
    },
    (error) => (error instanceof Refused ? `${error.message}\n` : undefined),
  );
}

exitWith('report', () => main(process.argv));
