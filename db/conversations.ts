import { and, eq, sql } from 'drizzle-orm';
import type { Platform } from '../bot/chat.js';
import type { Db } from './client.js';
import { conversations } from './schema.js';

/** A conversation belongs to one person in one chat on one platform. */
export interface OwnerKey {
  platform: Platform;
  chatId: string;
  userId: string;
}

export type ConversationRow = typeof conversations.$inferSelect;

type Writer = Pick<Db, 'insert' | 'update' | 'delete' | 'select'>;

export function findConversation(db: Writer, key: OwnerKey): ConversationRow | undefined {
  return db
    .select()
    .from(conversations)
    .where(
      and(eq(conversations.platform, key.platform), eq(conversations.chatId, key.chatId), eq(conversations.userId, key.userId)),
    )
    .get();
}

export function insertConversation(
  db: Writer,
  key: OwnerKey,
  init: { flow: string; step: string; context: Record<string, unknown>; now: Date; expiresAt: Date },
): ConversationRow {
  return db
    .insert(conversations)
    .values({
      platform: key.platform,
      chatId: key.chatId,
      userId: key.userId,
      flow: init.flow,
      step: init.step,
      answers: {},
      context: init.context,
      startedAt: init.now.getTime(),
      updatedAt: init.now.getTime(),
      expiresAt: init.expiresAt.getTime(),
    })
    .returning()
    .get();
}

/**
 * Moves a conversation only if nobody moved it since it was read (same version): a message
 * delivered twice, or two handlers racing, moves it once. Returns the new row or undefined.
 */
export function advanceConversation(
  db: Writer,
  row: ConversationRow,
  next: { step: string; answers: Record<string, unknown>; now: Date; expiresAt: Date },
): ConversationRow | undefined {
  return db
    .update(conversations)
    .set({
      step: next.step,
      answers: next.answers,
      updatedAt: next.now.getTime(),
      expiresAt: next.expiresAt.getTime(),
      version: row.version + 1,
    })
    .where(and(eq(conversations.id, row.id), eq(conversations.version, row.version)))
    .returning()
    .get();
}

export function recordPrompt(db: Writer, row: ConversationRow, promptMessageId: string): void {
  db.update(conversations)
    .set({ promptMessageId })
    .where(and(eq(conversations.id, row.id), eq(conversations.version, row.version)))
    .run();
}

/** Deletes the conversation if still at the version read; true when this call deleted it. */
export function deleteConversation(db: Writer, row: ConversationRow): boolean {
  const deleted = db
    .delete(conversations)
    .where(and(eq(conversations.id, row.id), eq(conversations.version, row.version)))
    .returning({ id: conversations.id })
    .all();
  return deleted.length > 0;
}

/** The conversation a hand-off token was given for, if its owner is the one asking. */
export function findByHandoff(db: Writer, platform: Platform, userId: string, token: string): ConversationRow | undefined {
  return db
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.platform, platform),
        eq(conversations.userId, userId),
        sql`json_extract(${conversations.context}, '$.handoff') = ${token}`,
      ),
    )
    .get();
}

/** Moves a conversation to another chat of the same platform (a group → the owner's private chat). */
export function moveConversation(db: Writer, row: ConversationRow, chatId: string, now: Date): ConversationRow | undefined {
  return db
    .update(conversations)
    .set({ chatId, promptMessageId: null, updatedAt: now.getTime(), version: row.version + 1 })
    .where(and(eq(conversations.id, row.id), eq(conversations.version, row.version)))
    .returning()
    .get();
}
