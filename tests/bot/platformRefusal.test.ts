import { describe, expect, it } from 'vitest';
import { PlatformRefusedError } from '../../core/chat.js';
import { EXIT_REFUSED, EXIT_TEMPFAIL, refusalOutcome } from '../../bot/platformRefusal.js';

/**
 * What the process does when Telegram refuses the bot (bot/main.ts acts on it; the spawned-process
 * side is tests/hardening/exitCodes.test.ts). Zalo is where most officials are: a Telegram token
 * revoked must not take the Zalo side down.
 */
describe('a platform refusing the bot', () => {
  const revoked = new PlatformRefusedError('telegram', 'credentials', 401);
  const secondPoller = new PlatformRefusedError('telegram', 'conflict', 409);

  it('alone: a revoked token ends the process with 78 (no restart), a second poller with 75 (restart)', () => {
    expect(refusalOutcome(revoked, [])).toEqual({ kind: 'exit', code: EXIT_REFUSED });
    expect(refusalOutcome(secondPoller, [])).toEqual({ kind: 'exit', code: EXIT_TEMPFAIL });
  });

  it('with Zalo running: a revoked Telegram token stops Telegram only, and the admins are told on Zalo why', () => {
    const outcome = refusalOutcome(revoked, ['zalo']);
    expect(outcome.kind).toBe('carry-on');
    if (outcome.kind !== 'carry-on') return;
    expect(outcome.alert).toBe(
      '⚠️ Bot đã ngừng nhận tin trên Telegram: Telegram không nhận mã bot (lỗi 401): mã đã bị thu hồi hoặc không đúng. Hãy đặt mã mới vào TELEGRAM_BOT_TOKEN trong tệp môi trường rồi khởi động lại bot. Các nền tảng khác vẫn chạy bình thường.',
    );
  });

  it('with Zalo running: a second poller still ends everything (a second copy of the bot holds the Zalo account too)', () => {
    expect(refusalOutcome(secondPoller, ['zalo'])).toEqual({ kind: 'exit', code: EXIT_TEMPFAIL });
  });
});
