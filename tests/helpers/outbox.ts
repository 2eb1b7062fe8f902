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
    const deadlineId = insertDeadline(tx, at, '2027-01-29');
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
      ids.push(
        insertReminder(tx, { deadlineId, occurrence: '2027-01-29', chatId: chat.id, text: `Nhắc nhóm ${i}`, at, expiresAt: options.expiresAt?.getTime() }),
      );
    }
    return ids;
  });
}

/**
 * One reminder for the chat row `chatId` (its own one-off deadline on `date`), due from
 * `notBefore`, expiring three days later — one row as the planner leaves it.
 */
export function queueReminder(db: Db, chatId: number, options: { notBefore: Date; text: string; date: string }): number {
  const at = options.notBefore.getTime();
  return db.transaction((tx) =>
    insertReminder(tx, { deadlineId: insertDeadline(tx, at, options.date), occurrence: options.date, chatId, text: options.text, at }),
  );
}

function insertDeadline(db: Db, at: number, date: string): number {
  return db
    .insert(deadlines)
    .values({ key: null, title: 'Hạn thử', rule: 'once', params: { date }, doneCriterion: 'none', policy: {}, source: 'chat', createdAt: at, updatedAt: at })
    .returning({ id: deadlines.id })
    .get().id;
}

function insertReminder(db: Db, row: { deadlineId: number; occurrence: string; chatId: number; text: string; at: number; expiresAt?: number }): number {
  return db
    .insert(reminderOutbox)
    .values({
      deadlineId: row.deadlineId,
      occurrence: row.occurrence,
      chatId: row.chatId,
      kind: 'before-7',
      payload: { parts: [row.text], unitIds: [] },
      notBefore: row.at,
      expiresAt: row.expiresAt ?? row.at + 3 * 24 * 3600_000,
      createdAt: row.at,
    })
    .returning({ id: reminderOutbox.id })
    .get().id;
}

export function statusOf(db: Db, id: number) {
  return db.select().from(reminderOutbox).where(eq(reminderOutbox.id, id)).get();
}
