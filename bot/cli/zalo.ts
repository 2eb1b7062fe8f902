import { vietnameseCli } from './vietnameseCli.js';
import { QrLoginError, qrLogin } from '../zalo/qrLogin.js';
import { exitWith } from './database.js';
import { zaloClient } from '../zalo/login.js';
import { terminalQr } from '../zalo/terminalQr.js';

/**
 * `npm run zalo -- login [--out <path>] [--qr <png>]`: the first Zalo login by QR code, which
 * writes the credentials file that ZALO_CREDENTIALS then points to. It takes the path as an
 * argument rather than from the configuration, because the configuration requires that file
 * to exist already.
 *
 * Exit codes: 0 saved, 1 the login was refused, expired or failed (one line saying why).
 */

const DEFAULT_CREDENTIALS = './data/zalo-credentials.json';
const DEFAULT_QR = './data/zalo-qr.png';

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const cli = vietnameseCli('zalo').description('Tài khoản Zalo của bot “Dân vận khéo”').showHelpAfterError('(gõ --help để xem cách dùng)');

  cli
    .command('login')
    .description('đăng nhập lần đầu bằng mã QR và lưu thông tin đăng nhập (chỉ chủ máy đọc được)')
    .option('--out <đường-dẫn>', 'tệp lưu thông tin đăng nhập', DEFAULT_CREDENTIALS)
    .option('--qr <đường-dẫn-png>', 'nơi lưu ảnh mã QR', DEFAULT_QR)
    .action(async (options: { out: string; qr: string }) => {
      // No update check: it is a network call the operator did not ask for, and its log is English.
      const zalo = zaloClient();
      try {
        await qrLogin({
          zalo,
          credentialsPath: options.out,
          qrPngPath: options.qr,
          language: 'vi',
          renderQr: terminalQr,
          print: (line) => process.stdout.write(`${line}\n`),
        });
      } catch (error) {
        if (!(error instanceof QrLoginError)) throw error;
        process.stderr.write(`${error.message}\n`);
        code = 1;
      }
    });

  await cli.parseAsync(argv);
  return code;
}

exitWith('zalo', () => main(process.argv));
