import { and, eq, sql } from 'drizzle-orm';
import type { ChatRef } from '../bot/chat.js';
import type { Db } from './client.js';
import { chatMembers, chats } from './schema.js';

/**
 * Remembers the chat a message came from (and its current title) and that the person was seen
 * there: reminders later go to the groups where a unit's officers actually are.
 */
export function recordChatPresence(db: Db, chat: ChatRef, personId: number, now: Date): number {
  const at = now.getTime();
  return db.transaction((tx) => {
    const row = tx
      .insert(chats)
      .values({
        platform: chat.platform,
        platformChatId: chat.id,
        kind: chat.kind,
        title: chat.title ?? null,
        createdAt: at,
        updatedAt: at,
      })
      .onConflictDoUpdate({
        target: [chats.platform, chats.platformChatId],
        set: { title: sql`coalesce(excluded.title, ${chats.title})`, updatedAt: at },
        setWhere: sql`${chats.title} is not excluded.title and excluded.title is not null`,
      })
      .returning({ id: chats.id })
      .get();
    const chatId =
      row?.id ??
      tx
        .select({ id: chats.id })
        .from(chats)
        .where(and(eq(chats.platform, chat.platform), eq(chats.platformChatId, chat.id)))
        .get()!.id;
    tx.insert(chatMembers)
      .values({ chatId, personId, lastSeenAt: at })
      .onConflictDoUpdate({ target: [chatMembers.chatId, chatMembers.personId], set: { lastSeenAt: at } })
      .run();
    return chatId;
  });
}
