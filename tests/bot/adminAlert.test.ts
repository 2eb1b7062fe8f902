import { describe, expect, it } from 'vitest';
import { reportZaloStopped, zaloStoppedAlert } from '../../bot/adminAlert.js';
import { silentLogger } from '../../bot/logger.js';
import type { ChatRef, Reply } from '../../core/chat.js';
import { addAdmin } from '../../db/bootstrap.js';
import { openDatabase } from '../../db/client.js';

describe('telling the admins that the personal Zalo route stopped', () => {
  it('reaches them privately on Telegram and on the Zalo OA when those run, and on no route that does not', async () => {
    const database = await openDatabase(':memory:');
    const now = new Date('2026-03-10T09:00:00+07:00');
    addAdmin(database.db, { platform: 'telegram', platformUserId: '512345678' }, 'Nguyễn Thị Hoa', now);
    addAdmin(database.db, { platform: 'zalo-oa', platformUserId: '8100000000000000031' }, 'Trần Văn Bình', now);
    const sent: Array<{ chat: ChatRef; reply: Reply }> = [];
    const deps = { db: database.db, log: silentLogger, deliver: async (chat: ChatRef, reply: Reply) => (sent.push({ chat, reply }), { messageId: '1' }) };
    const stop = { reason: 'login-refused', at: now } as const;

    expect(await reportZaloStopped(deps, stop, { telegram: true, zaloOa: true })).toBe(2);
    expect(sent.map((s) => s.chat)).toEqual([
      { platform: 'telegram', id: '512345678', kind: 'private' },
      { platform: 'zalo-oa', id: '8100000000000000031', kind: 'private' },
    ]);
    expect(sent.every((s) => s.reply.text === zaloStoppedAlert(stop))).toBe(true);

    sent.length = 0;
    expect(await reportZaloStopped(deps, stop, { telegram: false })).toBe(0);
    expect(sent).toEqual([]);
    database.close();
  });
});
