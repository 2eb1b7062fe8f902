import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LoginQRCallbackEventType, type LoginQRCallback, type LoginQRCallbackEvent, type Zalo } from 'zca-js';
import { ellipsize } from '../../core/text.js';
import { writeCredentials, type ZaloCookie, type ZaloCredentials, ZaloCredentialsError } from './credentials.js';

/**
 * The first Zalo login: the operator scans a QR code with the bot's own phone account, and the
 * cookie zca-js gets back is saved (0600) for ZALO_CREDENTIALS. zca-js is injected so tests
 * never touch the network.
 *
 * Nothing printed here or thrown from here ever contains a cookie value.
 */

export interface QrLoginOptions {
  zalo: { loginQR: Zalo['loginQR'] };
  credentialsPath: string;
  qrPngPath: string;
  print: (line: string) => void;
  /** Draws the QR image (base64 PNG) in the terminal; undefined when it cannot (the PNG path is printed anyway). */
  renderQr?: (pngBase64: string) => string | undefined;
  /** Saved with the credentials; zca-js defaults to Vietnamese too. */
  language?: string;
  /**
   * With a callback, zca-js leaves an expired QR to us (without one it renews forever); a few
   * renewals give a slow operator time without leaving the command hanging all day.
   */
  maxQrRenewals?: number;
}

/** The login did not finish; the message is one safe Vietnamese line for the operator. */
export class QrLoginError extends Error {
  override name = 'QrLoginError';
}

/** Seconds a QR stays valid in zca-js 2.2.0 (its own 100 000 ms timer). */
const QR_LIFETIME_SECONDS = 100;

const RUN_AGAIN = 'Vui lòng chạy lại: npm run zalo -- login';

function writeQrPng(path: string, image: string): void {
  const bytes = Buffer.from(image.replace(/^data:image\/png;base64,/, ''), 'base64');
  if (bytes.length === 0) throw new QrLoginError(`Zalo trả về ảnh mã QR rỗng. ${RUN_AGAIN}`);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Removing first means the new file is created 0600 rather than inheriting an old file's mode.
  rmSync(path, { force: true });
  writeFileSync(path, bytes, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

/**
 * tough-cookie's JSON leaves out fields equal to their defaults (an empty value has no
 * `value`), while the credentials file requires one; a cookie without a name cannot be sent back.
 */
function cookiesOf(serialized: readonly Record<string, unknown>[]): ZaloCookie[] {
  return serialized
    .filter((c) => typeof c.key === 'string' && c.key.length > 0)
    .map((c) => ({ ...c, value: typeof c.value === 'string' ? c.value : '' }) as ZaloCookie);
}

/** Library errors may carry a server response on later lines; only the first line is shown. */
function safeReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return ellipsize(message.split('\n')[0]?.trim() || 'lỗi không rõ', 120);
}

export async function qrLogin(options: QrLoginOptions): Promise<string> {
  const { credentialsPath, qrPngPath, print } = options;
  const maxRenewals = options.maxQrRenewals ?? 2;
  let renewals = 0;
  let saved = false;
  // Set when we stop the login ourselves: it replaces zca-js's "Operation aborted".
  let refusal: string | undefined;

  const onQr = (event: Extract<LoginQRCallbackEvent, { type: LoginQRCallbackEventType.QRCodeGenerated }>) => {
    try {
      writeQrPng(qrPngPath, event.data.image);
    } catch (error) {
      refusal = error instanceof QrLoginError ? error.message : `Không lưu được ảnh mã QR vào ${qrPngPath} (${safeReason(error)}).`;
      event.actions.abort();
      return;
    }
    print('Mở Zalo trên điện thoại của tài khoản dành riêng cho bot → Quét mã QR (biểu tượng cạnh ô tìm kiếm) → quét mã này, rồi bấm Đăng nhập.');
    print(`Ảnh mã QR đã lưu tại ${qrPngPath}`);
    const drawn = options.renderQr?.(event.data.image);
    if (drawn) {
      print(drawn);
    } else {
      print(`Mở ảnh bằng trình xem ảnh (ví dụ: xdg-open ${qrPngPath} trên Linux, open ${qrPngPath} trên macOS) hoặc chép ảnh sang máy khác để quét.`);
    }
    print(`Mã QR hết hạn sau khoảng ${QR_LIFETIME_SECONDS} giây.`);
  };

  const onLoginInfo = (data: { cookie: Record<string, unknown>[]; imei: string; userAgent: string }) => {
    const creds: ZaloCredentials = { imei: data.imei, cookie: cookiesOf(data.cookie), userAgent: data.userAgent };
    if (options.language !== undefined) creds.language = options.language;
    writeCredentials(credentialsPath, creds);
    saved = true;
    print(`Đã lưu thông tin đăng nhập vào ${credentialsPath} (chỉ chủ máy đọc được). Đặt ZALO_CREDENTIALS=${credentialsPath} trong .env`);
  };

  const callback: LoginQRCallback = (event) => {
    switch (event.type) {
      case LoginQRCallbackEventType.QRCodeGenerated:
        onQr(event);
        return;
      case LoginQRCallbackEventType.QRCodeScanned:
        print(`Đã quét mã QR (tài khoản ${ellipsize(event.data.display_name, 60)}). Vui lòng bấm xác nhận đăng nhập trên điện thoại.`);
        return;
      case LoginQRCallbackEventType.QRCodeExpired:
        if (renewals < maxRenewals) {
          renewals += 1;
          print('Mã QR đã hết hạn; đang tạo mã mới…');
          event.actions.retry();
        } else {
          print('Mã QR đã hết hạn.');
          refusal = `Mã QR đã hết hạn mà chưa được quét nên chưa lưu gì. ${RUN_AGAIN}`;
          event.actions.abort();
        }
        return;
      case LoginQRCallbackEventType.QRCodeDeclined:
        // zca-js neither resolves nor rejects after a decline: without abort the command would hang.
        print('Yêu cầu đăng nhập đã bị từ chối trên điện thoại.');
        refusal = `Đăng nhập bị từ chối trên điện thoại nên chưa lưu gì. Nếu là nhầm lẫn: ${RUN_AGAIN}`;
        event.actions.abort();
        return;
      case LoginQRCallbackEventType.GotLoginInfo:
        onLoginInfo(event.data);
        return;
    }
  };

  const loginOptions = { qrPath: qrPngPath, ...(options.language === undefined ? {} : { language: options.language }) };
  try {
    await options.zalo.loginQR(loginOptions, callback);
  } catch (error) {
    if (refusal !== undefined) throw new QrLoginError(refusal);
    if (error instanceof ZaloCredentialsError) throw new QrLoginError(error.message);
    if (saved) {
      // The cookie came back but zca-js's own first use of it failed (often the network).
      throw new QrLoginError(
        `Đã lưu thông tin đăng nhập vào ${credentialsPath} nhưng chưa kiểm tra được phiên với Zalo (${safeReason(error)}). Nếu bot không đăng nhập được: ${RUN_AGAIN}`,
      );
    }
    throw new QrLoginError(`Đăng nhập Zalo không thành công (${safeReason(error)}); chưa lưu gì. ${RUN_AGAIN}`);
  }
  if (!saved) throw new QrLoginError(`Zalo không trả về thông tin đăng nhập nên chưa lưu gì. ${RUN_AGAIN}`);
  return credentialsPath;
}
