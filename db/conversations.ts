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

/** Asked for every message: built once per connection rather than on each call. */
const findQueries = new WeakMap<object, ReturnType<typeof prepareFind>>();

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
  let query = findQueries.get(db);
  if (!query) findQueries.set(db, (query = prepareFind(db)));
  return query.get({ platform: key.platform, chatId: key.chatId, userId: key.userId });
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
  return stepQueriesOf(db).advance.get({
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
  stepQueriesOf(db).prompt.run({ id: row.id, version: row.version, promptMessageId });
}

/** The two writes of every step of every conversation, built once per connection. */
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
    prompt: db.update(conversations).set({ promptMessageId: sql`${sql.placeholder('promptMessageId')}` }).where(current).prepare(),
  };
}

const stepQueries = new WeakMap<object, ReturnType<typeof prepareStepQueries>>();

function stepQueriesOf(db: Writer): ReturnType<typeof prepareStepQueries> {
  let queries = stepQueries.get(db);
  if (!queries) stepQueries.set(db, (queries = prepareStepQueries(db)));
  return queries;
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
