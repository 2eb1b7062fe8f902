import { and, eq, sql } from 'drizzle-orm';
import type { Platform } from '../core/chat.js';
import type { Db } from './client.js';
import type { ConversationRow } from './conversations.js';
import { chats, conversations } from './schema.js';

/**
 * A conversation that lapsed is kept as a draft for a day after its owner is told, so `/tieptuc`
 * can restore it at the step where it stopped with every answer. The row stays where it was (one
 * per person per chat): the mark is a key of its context, and its `expires_at` becomes the end of
 * that day, when the lapse job forgets it. No column is needed, so no migration.
 */

/** How long a lapsed conversation can be resumed after its owner is told it lapsed. */
export const RESUMABLE_FOR_MS = 24 * 60 * 60_000;

/** The context key of the mark; the engine keeps it apart from the flows' own keys. */
const LAPSED_KEY = 'lapsedAt';

/** When the owner was told the conversation lapsed, or undefined while it is under way. */
export function lapsedAt(row: Pick<ConversationRow, 'context'>): number | undefined {
  const at = row.context[LAPSED_KEY];
  return typeof at === 'number' ? at : undefined;
}

/**
 * Marks a conversation lapsed at `now`, kept until a day later; only if nobody moved it since it
 * was read. Returns the marked row, or undefined.
 */
export function markLapsed(db: Pick<Db, 'update'>, row: ConversationRow, now: Date): ConversationRow | undefined {
  return db
    .update(conversations)
    .set({ context: { ...row.context, [LAPSED_KEY]: now.getTime() }, expiresAt: now.getTime() + RESUMABLE_FOR_MS, version: row.version + 1 })
    .where(and(eq(conversations.id, row.id), eq(conversations.version, row.version)))
    .returning()
    .get();
}

/** Takes a lapsed (or lapsed, not yet told) conversation up again: unmarked, with a new deadline. */
export function resumeConversation(db: Pick<Db, 'update'>, row: ConversationRow, now: Date, expiresAt: Date): ConversationRow | undefined {
  const context = { ...row.context };
  delete context[LAPSED_KEY];
  return db
    .update(conversations)
    .set({ context, expiresAt: expiresAt.getTime(), updatedAt: now.getTime(), version: row.version + 1 })
    .where(and(eq(conversations.id, row.id), eq(conversations.version, row.version)))
    .returning()
    .get();
}

/** A person's conversation in some chat, with what the bot knows of that chat (to say where it is). */
export interface Draft {
  row: ConversationRow;
  chatKind?: 'group' | 'private';
  chatTitle?: string;
}

/** Every conversation of a person on a platform, in any chat, the latest first. */
export function draftsOf(db: Pick<Db, 'select'>, platform: Platform, userId: string): Draft[] {
  return db
    .select({ row: conversations, chatKind: chats.kind, chatTitle: chats.title })
    .from(conversations)
    .leftJoin(chats, and(eq(chats.platform, conversations.platform), eq(chats.platformChatId, conversations.chatId)))
    .where(and(eq(conversations.platform, platform), eq(conversations.userId, userId)))
    .orderBy(sql`${conversations.updatedAt} desc`, sql`${conversations.id} desc`)
    .all()
    .map((d) => ({ row: d.row, chatKind: d.chatKind ?? undefined, chatTitle: d.chatTitle ?? undefined }));
}
