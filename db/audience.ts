import { and, eq, sql } from 'drizzle-orm';
import type { ChatRef, PersonRef } from '../core/chat.js';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { chatMembers, chats, identities, roles } from './schema.js';
import { ancestorIds } from './units.js';

/** A group where some of a unit's officers can be reached, and those officers. */
export interface AudienceChat {
  /** The chats table row, for what is stored about the chat (the reminder outbox). */
  rowId: number;
  chat: ChatRef;
  officers: PersonRef[];
}

/**
 * Where a unit's officers are: every active group they were seen in, with them to mention. If
 * none of them was ever seen in a group, the groups bound to the unit or its nearest ancestor
 * (without mentions), so a change is never announced to nobody.
 */
function prepareAudience(db: Db) {
  return db
    .select({ chat: chats, userId: identities.platformUserId, name: identities.displayName, username: identities.username })
    .from(roles)
    .innerJoin(chatMembers, eq(chatMembers.personId, roles.personId))
    .innerJoin(chats, eq(chats.id, chatMembers.chatId))
    .innerJoin(identities, and(eq(identities.personId, roles.personId), eq(identities.platform, chats.platform)))
    .where(and(eq(roles.role, 'officer'), eq(roles.unitId, sql.placeholder('unitId')), eq(chats.active, true), eq(chats.kind, 'group')))
    .orderBy(chats.id, identities.displayName)
    .prepare();
}

export function unitAudience(db: Db, unitId: number): AudienceChat[] {
  const rows = prepared(db, prepareAudience).all({ unitId });
  const byChat = new Map<number, AudienceChat>();
  for (const row of rows) {
    const entry = byChat.get(row.chat.id) ?? { rowId: row.chat.id, chat: chatRefOf(row.chat), officers: [] };
    if (!entry.officers.some((o) => o.platformUserId === row.userId)) {
      entry.officers.push({ platformUserId: row.userId, displayName: row.name, username: row.username ?? undefined });
    }
    byChat.set(row.chat.id, entry);
  }
  if (byChat.size > 0) return [...byChat.values()];

  for (const id of ancestorIds(db, unitId)) {
    const bound = db
      .select()
      .from(chats)
      .where(and(eq(chats.unitId, id), eq(chats.active, true), eq(chats.kind, 'group')))
      .all();
    if (bound.length > 0) return bound.map((c) => ({ rowId: c.id, chat: chatRefOf(c), officers: [] }));
  }
  return [];
}

export function chatRefOf(row: typeof chats.$inferSelect): ChatRef {
  return { platform: row.platform, id: row.platformChatId, kind: row.kind, title: row.title ?? undefined };
}

/** The person as they can be mentioned in that chat: only if they were seen there (chat_members). */
export function memberRefIn(db: Db, personId: number, chatRowId: number): PersonRef | undefined {
  const row = db
    .select({ userId: identities.platformUserId, name: identities.displayName, username: identities.username })
    .from(chatMembers)
    .innerJoin(chats, eq(chats.id, chatMembers.chatId))
    .innerJoin(identities, and(eq(identities.personId, chatMembers.personId), eq(identities.platform, chats.platform)))
    .where(and(eq(chatMembers.personId, personId), eq(chatMembers.chatId, chatRowId)))
    .get();
  return row ? { platformUserId: row.userId, displayName: row.name, username: row.username ?? undefined } : undefined;
}
