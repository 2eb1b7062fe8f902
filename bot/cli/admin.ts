import { resolve } from 'node:path';
import { vietnameseCli } from './vietnameseCli.js';
import type { Db } from '../../db/client.js';
import { addAdmin, BootstrapError, CLI_ACTOR, formatIdentity, type IdentityRef, listAdmins, parseIdentity, removeAdmin } from '../../db/bootstrap.js';
import { EvidenceExportRefused, writeModelEvidence } from '../../commands/shared/evidenceExport.js';
import { EvidenceStore, evidenceDirFor } from '../../db/evidenceStore.js';
import { PersonRemovalRefused, removedPersonName, removePerson } from '../../db/personRemoval.js';
import { loadConfigOrSay } from '../config.js';
import { exitWith, runWithDatabase } from './database.js';

/**
 * `npm run admin -- add telegram:<id> --ten "Họ tên"`: the deployment's administrators, set by
 * the operator before anyone can do it in a chat. Parsing and printing only; db/bootstrap.ts
 * does the work. `export-evidence <mã>` writes a model's kept photos and files into a folder
 * (commands/evidenceExport.ts): whoever runs it on the server is trusted with the data already.
 * `remove <số> --ly-do "…"` removes a person's personal data (db/personRemoval.ts), as /xoanguoi
 * does in chat; `remove <nền tảng>:<mã>` still takes an administrator's role away.
 *
 * Exit codes: 0 done (also when nothing had to change), 1 refused, 2 wrong configuration.
 */

/** Each job returns its lines; the wrapper prints them. */
const run = (job: (db: Db, now: Date) => string[]) =>
  runWithDatabase(
    (db, now) =>
      job(db, now)
        .map((l) => `${l}\n`)
        .join(''),
    (error) => (error instanceof BootstrapError || error instanceof PersonRemovalRefused ? `${error.message}\n` : undefined),
  );

/**
 * The simulator's ids are names with spaces: `add console:Nguyễn Văn An` arrives as three words.
 * Checked before the database is opened, so a typo creates no file.
 */
function identityOf(words: string[]): IdentityRef | undefined {
  try {
    return parseIdentity(words.join(' '));
  } catch (error) {
    if (!(error instanceof BootstrapError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return undefined;
  }
}

/**
 * `remove 12 --ly-do "…"`: the operator removes person #12 (the audit actor is `cli`). No question
 * is asked, as for every subcommand here; the reason is required so the trail says why.
 */
async function removeByNumber(personId: number, reason: string | undefined): Promise<number> {
  const why = reason?.normalize('NFC').replace(/\s+/g, ' ').trim() ?? '';
  if (why === '' || [...why].length > 200) {
    process.stderr.write('Cần ghi lý do xóa (tối đa 200 ký tự), ví dụ: npm run admin -- remove 12 --ly-do "theo đề nghị của người này"\n');
    return 1;
  }
  return run((db, now) => {
    const removed = removePerson(db, personId, CLI_ACTOR, now, why);
    return [
      `Đã xóa thông tin cá nhân của người dùng #${personId}: tài khoản, vai trò, đơn vị, nhóm chat riêng với bot và những gì đang làm dở.`,
      `Vẫn giữ ${removed.modelsKept} mô hình và ${removed.updatesKept} cập nhật tiến độ ở đơn vị, ghi là “${removedPersonName(personId)}”.`,
    ];
  });
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const cli = vietnameseCli('admin')
    .description('Quản trị của bot “Dân vận khéo”: thêm, gỡ, xem danh sách; xuất tệp minh chứng')
    .showHelpAfterError('(gõ --help để xem cách dùng)');

  cli
    .command('add')
    .description('cấp quyền quản trị cho một tài khoản (tạo người dùng nếu chưa có)')
    .argument('<tài-khoản...>', 'nền tảng:mã, ví dụ telegram:123456789, zalo:8327193047618893562, console:Nguyễn Văn An')
    .option('--ten <họ-tên>', 'họ tên hiển thị của người mới')
    .action(async (words: string[], options: { ten?: string }) => {
      const ref = identityOf(words);
      if (!ref) {
        code = 1;
        return;
      }
      code = await run((db, now) => {
        const { person, createdPerson, granted } = addAdmin(db, ref, options.ten, now);
        const lines: string[] = [];
        if (createdPerson) lines.push(`Đã tạo người dùng #${person.id} ${person.displayName} (${formatIdentity(ref)}).`);
        lines.push(
          granted
            ? `Đã cấp quyền quản trị cho #${person.id} ${person.displayName}.`
            : `#${person.id} ${person.displayName} đã là quản trị; không có gì thay đổi.`,
        );
        return lines;
      });
    });

  cli
    .command('remove')
    .description(
      'gỡ quyền quản trị của một tài khoản (không gỡ được quản trị cuối cùng); với số của một người (#12 hoặc 12): xóa thông tin cá nhân của người đó',
    )
    .argument('<tài-khoản...>', 'nền tảng:mã, ví dụ telegram:123456789; hoặc số của người, ví dụ 12')
    .option('--ly-do <lý-do>', 'khi xóa một người: lý do, ghi vào nhật ký (bắt buộc)')
    .action(async (words: string[], options: { lyDo?: string }) => {
      const number = words.length === 1 ? /^#?(\d{1,9})$/.exec(words[0]!.trim()) : null;
      if (number) {
        code = await removeByNumber(Number(number[1]), options.lyDo);
        return;
      }
      const ref = identityOf(words);
      if (!ref) {
        code = 1;
        return;
      }
      code = await run((db, now) => {
        const { person, removed } = removeAdmin(db, ref, now);
        return [
          removed
            ? `Đã gỡ quyền quản trị của #${person.id} ${person.displayName}.`
            : `#${person.id} ${person.displayName} không phải quản trị; không có gì thay đổi.`,
        ];
      });
    });

  cli
    .command('list')
    .description('liệt kê các quản trị')
    .action(async () => {
      code = await run((db) => {
        const admins = listAdmins(db);
        if (admins.length === 0) return ['Chưa có quản trị nào. Thêm bằng: npm run admin -- add telegram:<mã> --ten "Họ tên"'];
        return admins.map((a) => `#${a.id} ${a.displayName} — ${a.identities.map(formatIdentity).join(', ') || 'chưa có tài khoản'}`);
      });
    });

  cli
    .command('export-evidence')
    .description('ghi các ảnh, tệp minh chứng bot đã lưu của một mô hình vào một thư mục (chỉ người quản trị máy chủ)')
    .argument('<mã-mô-hình>', 'ví dụ DVK-2026-0001')
    .option('--ra <thư-mục>', 'thư mục sẽ ghi (mặc định: ./minh-chung-<mã>)')
    .action(async (typed: string, options: { ra?: string }) => {
      const config = loadConfigOrSay();
      if (!config) {
        code = 2;
        return;
      }
      const store = new EvidenceStore(config.DVK_EVIDENCE_DIR ?? evidenceDirFor(config.DB_PATH));
      // `npm run` starts scripts in the project folder; a relative path means where the admin typed it.
      const dir = resolve(process.env.INIT_CWD ?? process.cwd(), options.ra ?? `minh-chung-${typed.trim().replace(/[^\w-]+/g, '-')}`);
      code = await runWithDatabase(
        (db, now) =>
          writeModelEvidence(db, store, typed, dir, now)
            .map((l) => `${l}\n`)
            .join(''),
        (error) => (error instanceof EvidenceExportRefused ? `${error.message}\n` : undefined),
      );
    });

  await cli.parseAsync(argv);
  return code;
}

exitWith('admin', () => main(process.argv));
