import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { chats, deadlines, reminderOutbox } from '../../db/schema.js';

/**
 * An outbox filled by hand: one deadline, `count` groups on `platform`, one pending reminder per
 * group, due from `notBefore` — what the planner leaves behind, without the planner in the way.
 */
let groupSeq = 0;

export function fillOutbox(db: Db, options: { count: number; notBefore: Date; expiresAt?: Date; platform?: 'console' | 'telegram' | 'zalo' }): number[] {
  const at = options.notBefore.getTime();
  return db.transaction((tx) => {
    const deadline = tx
      .insert(deadlines)
      .values({
        key: null,
        title: 'Hạn thử',
        rule: 'once',
        params: { date: '2027-01-29' },
        doneCriterion: 'none',
        policy: {},
        source: 'chat',
        createdAt: at,
        updatedAt: at,
      })
      .returning({ id: deadlines.id })
      .get();
    const ids: number[] = [];
    for (let i = 1; i <= options.count; i++) {
      groupSeq++;
      const chat = tx
        .insert(chats)
        .values({
          platform: options.platform ?? 'console',
          platformChatId: `group-${groupSeq}`,
          kind: 'group',
          title: `Nhóm ${i}`,
          createdAt: at,
          updatedAt: at,
        })
        .returning({ id: chats.id })
        .get();
      const row = tx
        .insert(reminderOutbox)
        .values({
          deadlineId: deadline.id,
          occurrence: '2027-01-29',
          chatId: chat.id,
          kind: 'before-7',
          payload: { parts: [`Nhắc nhóm ${i}`], unitIds: [] },
          notBefore: at,
          expiresAt: options.expiresAt?.getTime() ?? at + 3 * 24 * 3600_000,
          createdAt: at,
        })
        .returning({ id: reminderOutbox.id })
        .get();
      ids.push(row.id);
    }
    return ids;
  });
}

export function statusOf(db: Db, id: number) {
  return db.select().from(reminderOutbox).where(eq(reminderOutbox.id, id)).get();
}
