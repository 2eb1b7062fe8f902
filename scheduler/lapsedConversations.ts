import { and, eq, lte } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { ChatRef, Deliver } from '../core/chat.js';
import { vnParts } from '../core/clock.js';
import type { Db } from '../db/client.js';
import { lapsedAt, markLapsed } from '../db/conversationDrafts.js';
import { type ConversationRow, deleteConversation } from '../db/conversations.js';
import { type Caller, findCaller } from '../db/people.js';
import { chats, conversations } from '../db/schema.js';
import type { Job } from './ticker.js';

/** The notice for a lapsed conversation, and whether it offers /tieptuc (the row is then kept a day). */
type LapseNotice = (row: ConversationRow, caller: Caller, now: Date, chat: ChatRef) => { text: string; resumable: boolean };

/**
 * Tells people whose conversation lapsed what they had typed, in the chat where they typed it,
 * then keeps the conversation a day for /tieptuc (db/conversationDrafts.ts) and forgets it after
 * that day. Only in working hours: nobody wants a ping at night, and a person who comes back
 * first is told by the engine itself.
 */
export function lapsedConversationsJob(deps: {
  db: Db;
  /**
   * What to tell the person: the engine knows the flow and lists what they had typed, and whether
   * /tieptuc can take the conversation up (then it is kept a day).
   */
  lapseNotice: LapseNotice;
  deliver: Deliver;
  log: Logger;
  workingHours?: { from: number; to: number };
  batch?: number;
}): Job {
  const hours = deps.workingHours ?? { from: 8, to: 17 };
  return {
    name: 'lapsed-conversations',
    async run(now) {
      const { hour, weekday } = vnParts(now);
      if (hour < hours.from || hour >= hours.to || weekday === 0 || weekday === 6) return;
      const lapsed = deps.db
        .select()
        .from(conversations)
        .where(lte(conversations.expiresAt, now.getTime()))
        .limit(deps.batch ?? 50)
        .all();
      for (const row of lapsed) {
        if (lapsedAt(row) !== undefined) {
          // Told a day ago and not taken up with /tieptuc: forgotten, without a second notice.
          deleteConversation(deps.db, row);
          continue;
        }
        // One row that cannot be handled (a person or chat that cannot be read, a notice that
        // cannot be built or sent) is logged and left; it never keeps the others from being told.
        try {
          await tellLapsed(deps, row, now);
        } catch (error) {
          deps.log.warn({ err: error, conversation: row.id, platform: row.platform, chat: row.chatId }, 'could not handle a lapsed conversation');
        }
      }
    },
  };
}

async function tellLapsed(deps: { db: Db; lapseNotice: LapseNotice; deliver: Deliver }, row: ConversationRow, now: Date): Promise<void> {
  const caller = findCaller(deps.db, row.platform, row.userId);
  const chat = deps.db
    .select()
    .from(chats)
    .where(and(eq(chats.platform, row.platform), eq(chats.platformChatId, row.chatId)))
    .get();
  if (!caller || !chat || !chat.active) {
    deleteConversation(deps.db, row); // nobody left to tell
    return;
  }
  const ref: ChatRef = { platform: row.platform, id: row.chatId, kind: chat.kind, title: chat.title ?? undefined };
  // Also for a flow an upgrade removed: the owner gets what they typed back as text.
  const { text: notice, resumable } = deps.lapseNotice(row, caller, now, ref);
  const owner = { platformUserId: caller.platformUserId, displayName: caller.displayName, username: caller.username ?? undefined };
  // Sent before the row is marked or dropped: if sending fails, the answers are still there for the next run.
  await deps.deliver(ref, { text: chat.kind === 'group' ? [{ mention: owner }, ` ${notice}`] : notice });
  if (resumable) markLapsed(deps.db, row, now);
  else deleteConversation(deps.db, row);
}
