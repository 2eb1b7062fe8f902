import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LoginQRCallback, LoginQRCallbackEventType, ZaloApiLoginQRAborted, type Zalo } from 'zca-js';
import { readCredentials } from '../../../bot/zalo/credentials.js';
import { QrLoginError, qrLogin } from '../../../bot/zalo/qrLogin.js';

// A real 1×1 PNG, as zca-js hands it over (the data: prefix already stripped).
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const SECRET = 'zpw_sek_TOPSECRET-51c9e2';
const USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
const IMEI = '8d4b1f3e-0a2c-4e6b-9f1d-2c3b4a5d6e7f-a1b2c3';

// tough-cookie JSON as zca-js returns it; an empty value is left out by tough-cookie.
const COOKIES = [
  { key: 'zpw_sek', value: SECRET, domain: 'chat.zalo.me', path: '/', secure: true, httpOnly: true, hostOnly: false, creation: '2026-03-02T01:00:00.000Z' },
  { key: 'zpsid', value: 'zpsid-value', domain: 'zalo.me', path: '/', hostOnly: false },
  { key: '_zlang', domain: 'zalo.me', path: '/' },
];

type Step = 'qr' | 'scanned' | 'expired' | 'declined' | 'info';

interface FakeRun {
  zalo: { loginQR: Zalo['loginQR'] };
  calls: { options: unknown; retries: number; aborts: number };
}

/**
 * Plays the events zca-js 2.2.0 would emit. Like the library, abort rejects with
 * ZaloApiLoginQRAborted; an expired QR nobody renews ends in "Cannot get scan result".
 * `afterInfo` is what zca-js's own cookie login then does (resolve, or fail).
 */
function fakeZalo(steps: Step[], afterInfo: () => Promise<void> = async () => {}): FakeRun {
  const calls = { options: undefined as unknown, retries: 0, aborts: 0 };
  const loginQR = async (options: unknown, callback?: LoginQRCallback) => {
    calls.options = options;
    if (!callback) throw new Error('the test expects a callback');
    let stopped: 'abort' | 'retry' | undefined;
    const actions = {
      retry: () => {
        calls.retries += 1;
        stopped = 'retry';
      },
      abort: () => {
        calls.aborts += 1;
        stopped = 'abort';
      },
    };
    for (const step of steps) {
      stopped = undefined;
      switch (step) {
        case 'qr':
          callback({
            type: LoginQRCallbackEventType.QRCodeGenerated,
            data: { code: 'qr-code-7f3a', image: PNG_BASE64, token: 'tok-91b2', options: { enabledCheckOCR: false, enabledMultiLayer: false } },
            actions: { ...actions, saveToFile: async () => {} },
          });
          break;
        case 'scanned':
          callback({ type: LoginQRCallbackEventType.QRCodeScanned, data: { avatar: 'https://example.invalid/a.jpg', display_name: 'Bot Dân vận' }, actions });
          break;
        case 'expired':
          callback({ type: LoginQRCallbackEventType.QRCodeExpired, data: null, actions });
          if (stopped === undefined) throw new Error('Cannot get scan result');
          break;
        case 'declined':
          callback({ type: LoginQRCallbackEventType.QRCodeDeclined, data: { code: 'qr-code-7f3a' }, actions });
          break;
        case 'info':
          callback({
            type: LoginQRCallbackEventType.GotLoginInfo,
            data: { cookie: structuredClone(COOKIES), imei: IMEI, userAgent: USER_AGENT },
            actions: null,
          });
          await afterInfo();
          break;
      }
      if (stopped === 'abort') throw new ZaloApiLoginQRAborted();
    }
    return {} as Awaited<ReturnType<Zalo['loginQR']>>;
  };
  return { zalo: { loginQR: loginQR as Zalo['loginQR'] }, calls };
}

let dir: string;
let lines: string[];
const print = (line: string) => lines.push(line);
const mode = (path: string) => statSync(path).mode & 0o777;
const paths = () => ({ credentialsPath: join(dir, 'data', 'zalo-credentials.json'), qrPngPath: join(dir, 'data', 'zalo-qr.png') });

async function refusal(run: Promise<unknown>): Promise<QrLoginError> {
  try {
    await run;
  } catch (error) {
    expect(error).toBeInstanceOf(QrLoginError);
    return error as QrLoginError;
  }
  throw new Error('expected qrLogin to fail');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-zalo-qr-'));
  lines = [];
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('first Zalo login by QR code', () => {
  it('saves the QR image and the credentials 0600, tells where, and never prints the cookie', async () => {
    const { credentialsPath, qrPngPath } = paths();
    // A QR left from an earlier run, readable by all: it must not keep that mode.
    mkdirSync(join(dir, 'data'));
    writeFileSync(qrPngPath, 'old');
    chmodSync(qrPngPath, 0o644);
    const fake = fakeZalo(['qr', 'scanned', 'info']);

    const result = await qrLogin({ zalo: fake.zalo, credentialsPath, qrPngPath, print, language: 'vi' });

    expect(result).toBe(credentialsPath);
    expect(fake.calls.options).toEqual({ qrPath: qrPngPath, language: 'vi' });

    expect(mode(qrPngPath)).toBe(0o600);
    expect(readFileSync(qrPngPath).equals(Buffer.from(PNG_BASE64, 'base64'))).toBe(true);
    expect(readFileSync(qrPngPath).subarray(1, 4).toString('latin1')).toBe('PNG');

    expect(mode(credentialsPath)).toBe(0o600);
    expect(readCredentials(credentialsPath)).toEqual({
      imei: IMEI,
      userAgent: USER_AGENT,
      language: 'vi',
      cookie: [COOKIES[0], COOKIES[1], { ...COOKIES[2], value: '' }],
    });

    const out = lines.join('\n');
    expect(out).toContain('Mở Zalo trên điện thoại của tài khoản dành riêng cho bot → Quét mã QR');
    expect(out).toContain(`Ảnh mã QR đã lưu tại ${qrPngPath}`);
    expect(out).toContain(`xdg-open ${qrPngPath}`);
    expect(out).toContain('Đã quét mã QR (tài khoản Bot Dân vận)');
    expect(out).toContain(`Đã lưu thông tin đăng nhập vào ${credentialsPath} (chỉ chủ máy đọc được). Đặt ZALO_CREDENTIALS=${credentialsPath} trong .env`);
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain('zpsid-value');
  });

  it('shows the QR in the terminal when a renderer is given', async () => {
    const { credentialsPath, qrPngPath } = paths();
    const fake = fakeZalo(['qr', 'scanned', 'info']);
    await qrLogin({ zalo: fake.zalo, credentialsPath, qrPngPath, print, renderQr: (png) => `[QR of ${png.length} base64 characters]` });
    expect(lines).toContain(`[QR of ${PNG_BASE64.length} base64 characters]`);
    expect(lines.join('\n')).not.toContain('xdg-open');
    expect(readCredentials(credentialsPath).language).toBeUndefined();
  });

  it('when the image cannot be drawn in the terminal, says how to open the PNG', async () => {
    const { credentialsPath, qrPngPath } = paths();
    await qrLogin({ zalo: fakeZalo(['qr', 'scanned', 'info']).zalo, credentialsPath, qrPngPath, print, renderQr: () => undefined });
    expect(lines.join('\n')).toContain(`xdg-open ${qrPngPath}`);
  });

  it('a QR declined on the phone stops the login, says so, and saves no credentials', async () => {
    const { credentialsPath, qrPngPath } = paths();
    const fake = fakeZalo(['qr', 'scanned', 'declined', 'info']);
    const error = await refusal(qrLogin({ zalo: fake.zalo, credentialsPath, qrPngPath, print }));
    expect(error.message).toBe('Đăng nhập bị từ chối trên điện thoại nên chưa lưu gì. Nếu là nhầm lẫn: Vui lòng chạy lại: npm run zalo -- login');
    expect(lines).toContain('Yêu cầu đăng nhập đã bị từ chối trên điện thoại.');
    expect(fake.calls.aborts).toBe(1);
    expect(existsSync(credentialsPath)).toBe(false);
  });

  it('an expired QR is renewed a limited number of times, then the operator is told to run again', async () => {
    const { credentialsPath, qrPngPath } = paths();
    const fake = fakeZalo(['qr', 'expired', 'qr', 'expired', 'qr', 'info']);
    const error = await refusal(qrLogin({ zalo: fake.zalo, credentialsPath, qrPngPath, print, maxQrRenewals: 1 }));
    expect(error.message).toBe('Mã QR đã hết hạn mà chưa được quét nên chưa lưu gì. Vui lòng chạy lại: npm run zalo -- login');
    expect(fake.calls.retries).toBe(1);
    expect(fake.calls.aborts).toBe(1);
    expect(lines.filter((l) => l === 'Mã QR đã hết hạn; đang tạo mã mới…')).toHaveLength(1);
    expect(lines).toContain('Mã QR đã hết hạn.');
    expect(existsSync(credentialsPath)).toBe(false);
  });

  it('a renewed QR can still be scanned and saved', async () => {
    const { credentialsPath, qrPngPath } = paths();
    const fake = fakeZalo(['qr', 'expired', 'qr', 'scanned', 'info']);
    await qrLogin({ zalo: fake.zalo, credentialsPath, qrPngPath, print });
    expect(fake.calls.retries).toBe(1);
    expect(readCredentials(credentialsPath).imei).toBe(IMEI);
  });

  it('a failure after the cookie arrived says the file was saved, without quoting the server response', async () => {
    const { credentialsPath, qrPngPath } = paths();
    const fake = fakeZalo(['qr', 'scanned', 'info'], async () => {
      throw new Error(`An error has occurred.\nResponse: {"cookie":"${SECRET}"}`);
    });
    const error = await refusal(qrLogin({ zalo: fake.zalo, credentialsPath, qrPngPath, print }));
    expect(error.message).toBe(
      `Đã lưu thông tin đăng nhập vào ${credentialsPath} nhưng chưa kiểm tra được phiên với Zalo (An error has occurred.). Nếu bot không đăng nhập được: Vui lòng chạy lại: npm run zalo -- login`,
    );
    expect(error.message).not.toContain(SECRET);
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(mode(credentialsPath)).toBe(0o600);
  });

  it('a network failure before any QR is one safe line and nothing is written', async () => {
    const { credentialsPath, qrPngPath } = paths();
    const zalo = { loginQR: (async () => Promise.reject(new Error('fetch failed'))) as Zalo['loginQR'] };
    const error = await refusal(qrLogin({ zalo, credentialsPath, qrPngPath, print }));
    expect(error.message).toBe('Đăng nhập Zalo không thành công (fetch failed); chưa lưu gì. Vui lòng chạy lại: npm run zalo -- login');
    expect(existsSync(credentialsPath)).toBe(false);
    expect(existsSync(qrPngPath)).toBe(false);
  });
});
