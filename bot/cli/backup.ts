import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { vietnameseCli } from './vietnameseCli.js';
import { BackupCheckError, backupDatabase, backupDir } from '../../db/backup.js';
import { fixedClock, systemClock } from '../../core/clock.js';
import { loadConfigOrSay } from '../config.js';
import { exitWith } from './database.js';

/**
 * `npm run backup`: an online backup now, the same as the nightly one (same folder, same
 * retention). Safe while the bot runs. Exit codes as the other commands: 0 done, 1 nothing
 * backed up (no database, or the copy failed its check), 2 wrong configuration.
 *
 * Unlike runWithDatabase it does not go through openDatabase: a backup must not change what it
 * copies, and openDatabase would run pending migrations (and create an empty database when
 * DB_PATH is wrong) underneath a bot that may still be running the previous release.
 */
async function main(argv: string[]): Promise<number> {
  vietnameseCli('backup')
    .description('Sao lưu cơ sở dữ liệu ngay (bot đang chạy cũng sao lưu được)')
    .showHelpAfterError('(gõ --help để xem cách dùng)')
    .parse(argv);

  const config = loadConfigOrSay();
  if (!config) return 2;
  const dbPath = config.DB_PATH;
  if (!existsSync(dbPath) || statSync(dbPath).size === 0) {
    process.stderr.write(`Không tìm thấy cơ sở dữ liệu ở ${dbPath} (DB_PATH): không có gì để sao lưu.\n`);
    return 1;
  }
  const now = (config.DVK_NOW ? fixedClock(config.DVK_NOW) : systemClock).now();
  const dir = backupDir(dbPath, config.DVK_BACKUP_DIR);
  const keep = config.DVK_BACKUP_KEEP;

  const sqlite = new Database(dbPath, { fileMustExist: true });
  try {
    sqlite.pragma('busy_timeout = 5000');
    const result = await backupDatabase({ sqlite, path: dbPath }, { dir, keep, now });
    const lines = [`Đã sao lưu cơ sở dữ liệu vào ${result.file}`, `Đã xóa ${result.removed.length} bản sao lưu cũ (giữ ${keep} bản mới nhất).`];
    if (result.cleaned.length > 0) lines.push(`Đã dọn ${result.cleaned.length} tệp tạm của lần sao lưu bị gián đoạn trước đó.`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof BackupCheckError)) throw error;
    process.stderr.write(`Bản sao không qua được kiểm tra toàn vẹn (${error.problems.slice(0, 3).join('; ')}): đã bỏ, không giữ lại.\n`);
    return 1;
  } finally {
    sqlite.close();
  }
}

exitWith('backup', () => main(process.argv));
