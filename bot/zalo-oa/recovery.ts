import type { Logger } from 'pino';
import type { HistoryMessage } from './api.js';

/**
 * What a group said while the bot was away. Zalo retries a failed webhook post for about two hours
 * and then gives up (docs/zalo-oa-api.md §2b), and a post answered by a process that died before
 * handling it is not sent again; so at start the adapter reads each group's recent history
 * (`group/conversation`, newest first, ten at a time) back to the last message it handled — at
 * most a day back: a command typed yesterday and answered today surprises more than it helps —
 * and hands what it finds to the core oldest first. The core's delivery keys drop what was handled
 * before (the history's `message_id` is taken to be the webhook's `msg_id`, which Zalo does not
 * state; the time bound keeps a mismatch from replaying old messages). Files are not in Zalo's
 * history types, so a file sent while the bot was away is not recovered.
 */

export const RECOVERY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Zalo documents 5 by default and, for 1:1 chats, 10 at most. */
const PAGE = 10;
/** 500 messages: more than a day of a work group; beyond it the rest is left and said in the log. */
const MAX_PAGES = 50;

export interface HistorySource {
  conversation(groupId: string, offset: number, count: number): Promise<HistoryMessage[]>;
}

/**
 * The messages of `groupId` newer than `since` (ms), oldest first; the OA's own are included (the
 * caller leaves them out) so the paging stops at the right place.
 */
export async function missedMessages(source: HistorySource, groupId: string, since: number, log: Logger): Promise<HistoryMessage[]> {
  const found: HistoryMessage[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const items = await source.conversation(groupId, page * PAGE, PAGE);
    for (const item of items) {
      if (item.at.getTime() < since) return found.reverse();
      found.push(item);
    }
    if (items.length < PAGE) return found.reverse();
  }
  log.warn({ groupId, read: found.length }, 'zalo-oa: more missed messages than the recovery reads; the oldest are left');
  return found.reverse();
}

/**
 * The webhook's timestamp is when Zalo posted, a little after the member wrote: a message written
 * just before the last one handled but never delivered would fall behind it. A minute's overlap is
 * read again and dropped by the delivery keys.
 */
const OVERLAP_MS = 60_000;

/** Where the recovery starts: the last handled message, but never more than a day back; none before the first run. */
export function recoverySince(handledUntil: number | undefined, now: number): number | undefined {
  if (handledUntil === undefined) return undefined;
  return Math.max(handledUntil - OVERLAP_MS, now - RECOVERY_WINDOW_MS);
}
