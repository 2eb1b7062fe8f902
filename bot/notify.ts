import type { Logger } from 'pino';
import type { Deliver, Notice } from '../core/chat.js';

/**
 * Sends notices one by one. They are told after the change is committed, so a platform that is
 * down loses a notice (logged) but never the change itself.
 */
export async function sendNotices(deliver: Deliver, notices: readonly Notice[], log: Logger): Promise<void> {
  for (const notice of notices) {
    try {
      await deliver(notice.chat, notice.reply);
    } catch (error) {
      log.warn({ err: error, chat: notice.chat.id, platform: notice.chat.platform }, 'notice not delivered');
    }
  }
}
