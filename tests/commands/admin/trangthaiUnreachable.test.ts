import { describe, expect, it } from 'vitest';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../../helpers/harness.js';

/**
 * /trangthai lists the chats the bot stopped writing to because the platform said it could not
 * (issue 17 items 7 and 8): where, why, since when — read back from the chats' audit rows.
 */

const { admin: HOA, officer: CHAU } = DEMO_PEOPLE;
const HEADER = '⚠️ Bot không gửi được tới';

let h: Harness;
const demo = demoPerTest();

const status = (options: { private?: boolean; group?: string } = { private: true }) => h.text(HOA, '/trangthai', options);

/** Lines of the unreachable section, without its header and footer. */
function listed(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(HEADER));
  if (start < 0) return [];
  return lines.slice(start + 1).filter((l, i, all) => l.startsWith('• ') && all.slice(0, i).every((p) => p.startsWith('• ')));
}

describe('/trangthai: chats the bot can no longer write to', () => {
  it('says nothing of them when there are none', async () => {
    h = await demo();
    expect(await status()).not.toContain(HEADER);
  });

  it('lists the newest ten with why and since when, counts the rest; a chat back in use or moved to a new id is not listed', async () => {
    h = await demo();
    for (let i = 1; i <= 12; i++) await h.say(CHAU, '/huongdan', { group: `Nhóm ${i}` });
    await h.say(CHAU, '/huongdan', { group: 'Nhóm cũ' });
    await h.say(CHAU, '/huongdan', { group: 'Nhóm mới' });
    const reasons = ['removed', 'disbanded', 'refused', undefined] as const;
    for (let i = 1; i <= 12; i++) {
      h.clock.advance(60_000);
      h.core.hooks.chatGone('console', `Nhóm ${i}`, reasons[i % 4]);
    }
    // Gone, then the group spoke to the bot again (it was added back): reachable.
    h.core.hooks.chatGone('console', DEMO_GROUP, 'removed');
    await h.say(CHAU, '/huongdan', { group: DEMO_GROUP });
    // Gone, then moved to a new id that the bot already knew: its data lives on there.
    h.core.hooks.chatGone('console', 'Nhóm cũ', 'removed');
    h.core.hooks.chatMigrated('console', 'Nhóm cũ', 'Nhóm mới');

    const text = await status();
    expect(text).toContain(`${HEADER} 12 nơi (đã thôi gửi, kể cả nhắc hạn):`);
    expect(listed(text)).toEqual([
      '• Bản mô phỏng, nhóm “Nhóm 12” — bot không còn trong nhóm, từ 09:12 10/03/2026',
      // No reason given (Telegram's 403 gives none).
      '• Bản mô phỏng, nhóm “Nhóm 11” — nền tảng báo bot không gửi được nữa, từ 09:11 10/03/2026',
      '• Bản mô phỏng, nhóm “Nhóm 10” — người nhận không nhận tin nhắn từ tài khoản bot, từ 09:10 10/03/2026',
      '• Bản mô phỏng, nhóm “Nhóm 9” — nhóm đã giải tán, từ 09:09 10/03/2026',
      '• Bản mô phỏng, nhóm “Nhóm 8” — bot không còn trong nhóm, từ 09:08 10/03/2026',
      '• Bản mô phỏng, nhóm “Nhóm 7” — nền tảng báo bot không gửi được nữa, từ 09:07 10/03/2026',
      '• Bản mô phỏng, nhóm “Nhóm 6” — người nhận không nhận tin nhắn từ tài khoản bot, từ 09:06 10/03/2026',
      '• Bản mô phỏng, nhóm “Nhóm 5” — nhóm đã giải tán, từ 09:05 10/03/2026',
      '• Bản mô phỏng, nhóm “Nhóm 4” — bot không còn trong nhóm, từ 09:04 10/03/2026',
      '• Bản mô phỏng, nhóm “Nhóm 3” — nền tảng báo bot không gửi được nữa, từ 09:03 10/03/2026',
      '• … và 2 nơi khác',
    ]);
    expect(text).not.toContain(DEMO_GROUP);
    expect(text).not.toContain('Nhóm cũ');
  });

  it('a person who does not take the bot’s messages is named to the admin in private, and only counted in a group', async () => {
    h = await demo();
    await h.say('Trần Thị Thu', '/huongdan', { private: true });
    h.core.hooks.chatGone('console', 'private:Trần Thị Thu', 'refused');
    expect(listed(await status())).toEqual([
      '• Bản mô phỏng, nhắn riêng với Trần Thị Thu — người nhận không nhận tin nhắn từ tài khoản bot, từ 09:00 10/03/2026',
    ]);
    const inGroup = await status({ group: DEMO_GROUP });
    expect(listed(inGroup)).toEqual(['• Bản mô phỏng, nhắn riêng với một người — người nhận không nhận tin nhắn từ tài khoản bot, từ 09:00 10/03/2026']);
    expect(inGroup).not.toContain('Trần Thị Thu');
  });
});
