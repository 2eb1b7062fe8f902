import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { adminAccounts } from '../db/roles.js';
import type { Deliver, Platform } from './chat.js';

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

/** What the admins read when the Zalo account was opened elsewhere and the bot let go of it. */
export function zaloStoppedAlert(code: number): string {
  return `⚠️ Bot đã ngừng dùng tài khoản Zalo vì tài khoản vừa được mở ở nơi khác (Zalo Web hoặc Zalo PC, mã ${code}). Tin nhắn trong các nhóm Zalo sẽ không được trả lời cho đến khi bot chạy lại. Cách khắc phục: đăng xuất tài khoản bot khỏi Zalo Web/PC, rồi khởi động lại bot.`;
}
