import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { adminAccounts } from '../db/roles.js';
import type { Deliver, Platform } from '../core/chat.js';
import { formatVnDateTime } from '../core/clock.js';
import type { ZaloStop } from './zalo/supervisor.js';

/**
 * Tells every admin, in a private chat on `platform`, about something an operator must act on
 * (a platform that stopped). One admin unreachable never keeps the others from hearing it;
 * returns how many were told.
 */
export async function alertAdmins(deps: { db: Db; deliver: Deliver; log: Logger }, platform: Platform, text: string): Promise<number> {
  let told = 0;
  for (const id of adminAccounts(deps.db, platform)) {
    try {
      await deps.deliver({ platform, id, kind: 'private' }, { text });
      told++;
    } catch (error) {
      deps.log.error({ err: error, platform }, 'an admin could not be alerted');
    }
  }
  return told;
}

/**
 * What the admins read when the bot let go of the Zalo account, and what to do about it.
 * `credentialsPath` (ZALO_CREDENTIALS) goes into the login command, so it writes the file the bot reads.
 */
export function zaloStoppedAlert(stop: ZaloStop, credentialsPath?: string): string {
  const when = formatVnDateTime(stop.at);
  switch (stop.reason) {
    case 'opened-elsewhere':
      return `⚠️ Bot đã ngừng dùng tài khoản Zalo vì tài khoản vừa được mở ở nơi khác (Zalo Web hoặc Zalo PC, mã ${stop.code}, lúc ${when}). Tin nhắn trong các nhóm Zalo sẽ không được trả lời cho đến khi bot chạy lại. Cách khắc phục: đăng xuất tài khoản bot khỏi Zalo Web/PC, rồi khởi động lại bot.`;
    case 'login-refused':
      return `⚠️ Từ ${when}, Zalo không nhận phiên đăng nhập đã lưu của bot nữa, nên bot đã ngừng dùng tài khoản Zalo: tin nhắn trong các nhóm Zalo sẽ không được trả lời. Cách khắc phục: trên máy chủ, chạy \`npm run zalo -- login${credentialsPath ? ` --out ${credentialsPath}` : ''}\`, quét mã QR bằng điện thoại của tài khoản Zalo của bot, rồi khởi động lại bot.`;
    case 'login-budget':
      return `⚠️ Từ ${when}, bot đã ngừng dùng tài khoản Zalo: kết nối cứ bị ngắt và bot đã phải đăng nhập lại ${stop.logins} lần trong 1 giờ, đăng nhập thêm dễ bị Zalo khóa tài khoản. Tin nhắn trong các nhóm Zalo sẽ không được trả lời cho đến khi bot chạy lại. Cách khắc phục: kiểm tra mạng của máy chủ và chắc chắn tài khoản không mở ở nơi khác, rồi khởi động lại bot.`;
  }
}

/**
 * Tells that the bot let go of the Zalo account on every channel the process has: the log, at
 * error level, always (on a server with that route alone it is the only one), and the admins on
 * Telegram and on the Zalo Official Account's private chats when those run. Returns how many
 * admins were told.
 */
export async function reportZaloStopped(
  deps: { db: Db; deliver: Deliver; log: Logger },
  stop: ZaloStop,
  options: { telegram: boolean; zaloOa?: boolean; credentialsPath?: string },
): Promise<number> {
  const text = zaloStoppedAlert(stop, options.credentialsPath);
  let told = options.telegram ? await alertAdmins(deps, 'telegram', text) : 0;
  if (options.zaloOa) told += await alertAdmins(deps, 'zalo-oa', text);
  deps.log.error(
    { reason: stop.reason, at: stop.at.toISOString(), toldAdmins: told, telegram: options.telegram, zaloOa: options.zaloOa ?? false },
    'zalo: the bot no longer uses the Zalo account until it is restarted (see the line before for why and what to do)',
  );
  return told;
}
