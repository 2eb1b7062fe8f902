import { and, eq, sql } from 'drizzle-orm';
import type { IncomingMessage, Platform } from '../core/chat.js';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { conversations } from './schema.js';

/** A conversation belongs to one person in one chat on one platform. */
export interface OwnerKey {
  platform: Platform;
  chatId: string;
  userId: string;
}

/** The conversation a message belongs to: its sender's, in its chat. */
export function ownerKey(msg: IncomingMessage): OwnerKey {
  return { platform: msg.chat.platform, chatId: msg.chat.id, userId: msg.sender.id };
}

export type ConversationRow = typeof conversations.$inferSelect;

type Writer = Pick<Db, 'insert' | 'update' | 'delete' | 'select'>;

/** Asked for every message. */
function prepareFind(db: Writer) {
  return db
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.platform, sql.placeholder('platform')),
        eq(conversations.chatId, sql.placeholder('chatId')),
        eq(conversations.userId, sql.placeholder('userId')),
      ),
    )
    .prepare();
}

export function findConversation(db: Writer, key: OwnerKey): ConversationRow | undefined {
  return prepared(db, prepareFind).get({ platform: key.platform, chatId: key.chatId, userId: key.userId });
}

export function insertConversation(
  db: Writer,
  key: OwnerKey,
  init: { flow: string; step: string; context: Record<string, unknown>; now: Date; expiresAt: Date },
): ConversationRow {
  return prepared(db, prepareInsert).get({
    platform: key.platform,
    chatId: key.chatId,
    userId: key.userId,
    flow: init.flow,
    step: init.step,
    context: init.context,
    at: init.now.getTime(),
    expiresAt: init.expiresAt.getTime(),
  });
}

function prepareInsert(db: Writer) {
  return db
    .insert(conversations)
    .values({
      platform: sql.placeholder('platform'),
      chatId: sql.placeholder('chatId'),
      userId: sql.placeholder('userId'),
      flow: sql.placeholder('flow'),
      step: sql.placeholder('step'),
      answers: {},
      context: sql.placeholder('context'),
      startedAt: sql.placeholder('at'),
      updatedAt: sql.placeholder('at'),
      expiresAt: sql.placeholder('expiresAt'),
    })
    .returning()
    .prepare();
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
  return prepared(db, prepareStepQueries).advance.get({
    id: row.id,
    version: row.version,
    step: next.step,
    // The column is JSON: a placeholder inside sql`` skips drizzle's own encoding, so it is done here.
    answers: JSON.stringify(next.answers),
    updatedAt: next.now.getTime(),
    expiresAt: next.expiresAt.getTime(),
  });
}

export function recordPrompt(db: Writer, row: ConversationRow, promptMessageId: string): void {
  prepared(db, prepareStepQueries).prompt.run({ id: row.id, version: row.version, promptMessageId });
}

/** The writes of every step of every conversation. */
function prepareStepQueries(db: Writer) {
  const current = and(eq(conversations.id, sql.placeholder('id')), eq(conversations.version, sql.placeholder('version')));
  return {
    advance: db
      .update(conversations)
      .set({
        step: sql`${sql.placeholder('step')}`,
        answers: sql`${sql.placeholder('answers')}`,
        updatedAt: sql`${sql.placeholder('updatedAt')}`,
        expiresAt: sql`${sql.placeholder('expiresAt')}`,
        version: sql`${conversations.version} + 1`,
      })
      .where(current)
      .returning()
      .prepare(),
    prompt: db
      .update(conversations)
      .set({ promptMessageId: sql`${sql.placeholder('promptMessageId')}` })
      .where(current)
      .prepare(),
    /** At the end of every conversation (saved, cancelled, lapsed). */
    remove: db.delete(conversations).where(current).prepare(),
  };
}

/** Deletes the conversation if still at the version read; true when this call deleted it. */
export function deleteConversation(db: Writer, row: ConversationRow): boolean {
  return prepared(db, prepareStepQueries).remove.run({ id: row.id, version: row.version }).changes > 0;
}

/** The conversation a hand-off token was given for, if its owner is the one asking. */
export function findByHandoff(db: Writer, platform: Platform, userId: string, token: string): ConversationRow | undefined {
  return db
    .select()
    .from(conversations)
    .where(and(eq(conversations.platform, platform), eq(conversations.userId, userId), sql`json_extract(${conversations.context}, '$.handoff') = ${token}`))
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

/**
 * The open conversation whose current question is message `promptMessageId` of the chat, if any:
 * whose a pressed button is, so a press on someone else's question can say so. The chat's prefix
 * of the owner index finds the chat's few open conversations.
 */
export function conversationAsking(db: Writer, platform: Platform, chatId: string, promptMessageId: string): ConversationRow | undefined {
  return db
    .select()
    .from(conversations)
    .where(and(eq(conversations.platform, platform), eq(conversations.chatId, chatId), eq(conversations.promptMessageId, promptMessageId)))
    .get();
}
