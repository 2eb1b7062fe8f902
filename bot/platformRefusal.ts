import type { Platform, PlatformRefusedError } from '../core/chat.js';
import { PLATFORM_LABEL } from '../core/labels.js';

/**
 * What the process does when a platform refuses the bot itself (bot/main.ts acts on it), and the
 * exit codes its supervisor reads (deploy/dvk-bot.service, deploy/Dockerfile):
 * 0   stopped as asked (a signal, the end of the simulator's input, a closed output pipe);
 * 1   an unexpected failure: restart;
 * 2   the configuration is wrong: no restart, it would read the same files;
 * 75  (EX_TEMPFAIL) worth another start after a pause: another process takes this bot's
 *     Telegram updates (409; it may be an old copy still shutting down), or another process kept
 *     the database locked past the busy timeout while this one started;
 * 78  (EX_CONFIG) Telegram refuses the token (401: revoked or wrong): no restart can mend it
 *     until an operator puts a new one in the env file, so systemd leaves it stopped.
 */
export const EXIT_FAILURE = 1;
export const EXIT_TEMPFAIL = 75;
export const EXIT_REFUSED = 78;

export type RefusalOutcome =
  /** End the whole process (cleanly) with this code, so the supervisor acts on it. */
  | { kind: 'exit'; code: number }
  /** Only this platform stops; the admins are told on the platforms still running. */
  | { kind: 'carry-on'; alert: string };

/**
 * A revoked token ends the process when nothing else runs, so the supervisor sees it. But Zalo is
 * where most officials are (Telegram has been blocked in Vietnam since mid-2025): a Telegram token
 * gone bad must not take the Zalo side down with it, so with another platform running only
 * Telegram stops and the admins are told there. A second poller (409) still ends everything: it
 * means a second copy of this bot is running, and that copy holds the Zalo account too.
 */
export function refusalOutcome(error: PlatformRefusedError, othersRunning: readonly Platform[]): RefusalOutcome {
  if (error.reason === 'credentials' && othersRunning.length > 0) {
    return {
      kind: 'carry-on',
      alert: `⚠️ Bot đã ngừng nhận tin trên ${PLATFORM_LABEL[error.platform]}: ${refusedLine(error)} Các nền tảng khác vẫn chạy bình thường.`,
    };
  }
  return { kind: 'exit', code: error.reason === 'credentials' ? EXIT_REFUSED : EXIT_TEMPFAIL };
}

/** The one line on stderr (and in the admins' alert) when a platform refuses the bot itself. */
export function refusedLine(error: PlatformRefusedError): string {
  if (error.platform === 'telegram' && error.reason === 'credentials') {
    return 'Telegram không nhận mã bot (lỗi 401): mã đã bị thu hồi hoặc không đúng. Hãy đặt mã mới vào TELEGRAM_BOT_TOKEN trong tệp môi trường rồi khởi động lại bot.';
  }
  if (error.platform === 'telegram') {
    return 'Một tiến trình khác đang nhận tin Telegram bằng cùng mã bot (lỗi 409), nên bot dừng để chạy lại sau ít giây. Nếu lỗi cứ lặp lại, hãy tắt bản bot đang chạy ở nơi khác.';
  }
  return `Nền tảng ${PLATFORM_LABEL[error.platform]} từ chối bot (lỗi ${error.code}), nên bot dừng.`;
}
