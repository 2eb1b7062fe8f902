import { and, desc, eq, sql } from 'drizzle-orm';
import type { ChatGoneReason, ChatRef, Platform } from '../core/chat.js';
import { recordAudit, SYSTEM_ACTOR } from './audit.js';
import type { Db } from './client.js';
import { LAST_SEEN_REFRESH_MS } from './people.js';
import { prepared } from './prepared.js';
import { chatMembers, chats, conversations, reminderOutbox } from './schema.js';

/** What every message asks and writes. */
function preparePresence(db: Db) {
  return {
    known: db
      .select({ id: chats.id, title: chats.title, active: chats.active, lastSeenAt: chatMembers.lastSeenAt })
      .from(chats)
      .leftJoin(chatMembers, and(eq(chatMembers.chatId, chats.id), eq(chatMembers.personId, sql.placeholder('personId'))))
      .where(and(eq(chats.platform, sql.placeholder('platform')), eq(chats.platformChatId, sql.placeholder('chatId'))))
      .prepare(),
    seen: db
      .insert(chatMembers)
      .values({ chatId: sql.placeholder('chatId'), personId: sql.placeholder('personId'), lastSeenAt: sql.placeholder('at') })
      .onConflictDoUpdate({ target: [chatMembers.chatId, chatMembers.personId], set: { lastSeenAt: sql`excluded.last_seen_at` } })
      .prepare(),
  };
}

/**
 * Remembers the chat a message came from (and its current title) and that the person was seen
 * there: reminders later go to the groups where a unit's officers actually are.
 */
export function recordChatPresence(db: Db, chat: ChatRef, personId: number, now: Date): number {
  const at = now.getTime();
  // Every message passes here. A chat already known as it is needs at most the member's last-seen
  // time (one statement, refreshed as seldom as an identity's); a new, renamed or returning chat
  // goes the careful way below.
  const presence = prepared(db, preparePresence);
  const known = presence.known.get({ personId, platform: chat.platform, chatId: chat.id });
  if (known?.active && (chat.title == null || chat.title === known.title)) {
    if (known.lastSeenAt === null || at - known.lastSeenAt >= LAST_SEEN_REFRESH_MS) presence.seen.run({ chatId: known.id, personId, at });
    return known.id;
  }
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
        // A chat marked gone that speaks to the bot again has it back (re-added to the group).
        set: { title: sql`coalesce(excluded.title, ${chats.title})`, active: true, updatedAt: at },
        setWhere: sql`(${chats.title} is not excluded.title and excluded.title is not null) or ${chats.active} = 0`,
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

/**
 * A group got a new id (Telegram moves a group to a supergroup): its binding, members, pending
 * reminders and conversations follow it. If the new id was already seen, the two are merged
 * into the new one and the old one is retired.
 */
export function migrateChat(db: Db, platform: Platform, fromId: string, toId: string, now: Date): void {
  const at = now.getTime();
  db.transaction((tx) => {
    const from = tx
      .select()
      .from(chats)
      .where(and(eq(chats.platform, platform), eq(chats.platformChatId, fromId)))
      .get();
    if (!from) return;
    const to = tx
      .select()
      .from(chats)
      .where(and(eq(chats.platform, platform), eq(chats.platformChatId, toId)))
      .get();
    if (!to) {
      tx.update(chats).set({ platformChatId: toId, kind: 'group', active: true, updatedAt: at }).where(eq(chats.id, from.id)).run();
    } else {
      tx.update(chats)
        .set({ unitId: to.unitId ?? from.unitId, active: true, updatedAt: at })
        .where(eq(chats.id, to.id))
        .run();
      for (const member of tx.select().from(chatMembers).where(eq(chatMembers.chatId, from.id)).all()) {
        tx.insert(chatMembers)
          .values({ ...member, chatId: to.id })
          .onConflictDoNothing()
          .run();
      }
      tx.update(reminderOutbox).set({ chatId: to.id }).where(eq(reminderOutbox.chatId, from.id)).run();
      tx.update(chats).set({ active: false, unitId: null, updatedAt: at }).where(eq(chats.id, from.id)).run();
    }
    tx.update(conversations)
      .set({ chatId: toId })
      .where(and(eq(conversations.platform, platform), eq(conversations.chatId, fromId)))
      .run();
    recordAudit(tx, SYSTEM_ACTOR, now, {
      action: 'chat.migrate',
      entity: 'chat',
      entityId: from.id,
      before: { platformChatId: fromId },
      after: { platformChatId: toId, mergedInto: to?.id ?? null },
    });
  });
}

/**
 * The bot can no longer write to this chat: nothing is sent there until it speaks again. The
 * reason, when the platform gave one, stays in the audit row (no column needed): /trangthai
 * reads it back (see unreachableChats).
 */
export function markChatGone(db: Db, platform: Platform, platformChatId: string, now: Date, reason?: ChatGoneReason): void {
  db.transaction((tx) => {
    const row = tx
      .select()
      .from(chats)
      .where(and(eq(chats.platform, platform), eq(chats.platformChatId, platformChatId)))
      .get();
    if (!row || !row.active) return;
    tx.update(chats).set({ active: false, updatedAt: now.getTime() }).where(eq(chats.id, row.id)).run();
    recordAudit(tx, SYSTEM_ACTOR, now, {
      action: 'chat.inactive',
      entity: 'chat',
      entityId: row.id,
      before: { active: true },
      after: reason ? { active: false, reason } : { active: false },
    });
  });
}

export interface UnreachableChat {
  platform: Platform;
  kind: 'group' | 'private';
  platformChatId: string;
  title: string | null;
  /** The unit the group serves, if an admin bound it. */
  unitName: string | null;
  /** A private chat: the person on the other side (the one member seen there). */
  personName: string | null;
  /** When the bot stopped writing there. */
  since: Date;
  reason: ChatGoneReason | null;
}

/**
 * Chats the bot stopped writing to because the platform said it could not (markChatGone), still
 * so: newest first, at most `limit`, and how many there are in all. A chat that merely moved to a
 * new id (chat.migrate) is not listed: its data lives on under the new id.
 */
export function unreachableChats(db: Db, limit: number): { total: number; chats: UnreachableChat[] } {
  const gone = sql`
    select c.id, c.platform, c.kind, c.platform_chat_id as platformChatId, c.title,
           u.name as unitName,
           (select p.display_name from chat_members m join people p on p.id = m.person_id
             where m.chat_id = c.id order by m.last_seen_at desc limit 1) as personName,
           a.at as since, json_extract(a.after, '$.reason') as reason
      from chats c
      join audit_log a on a.id = (select max(x.id) from audit_log x
                                   where x.entity = 'chat' and x.entity_id = cast(c.id as text) and x.action = 'chat.inactive')
      left join units u on u.id = c.unit_id
     where c.active = 0
       and not exists (select 1 from audit_log m where m.entity = 'chat' and m.entity_id = cast(c.id as text)
                        and m.action = 'chat.migrate' and m.id > a.id)`;
  const rows = db.all<Omit<UnreachableChat, 'since'> & { id: number; since: number }>(sql`${gone} order by a.at desc, c.id desc`);
  return {
    total: rows.length,
    chats: rows.slice(0, limit).map(({ id: _id, since, ...row }) => ({ ...row, since: new Date(since) })),
  };
}

/**
 * The person's private chat with the bot on a platform, the most recently used: where the bot may
 * write to them alone (a join code, a link to confirm). Telegram lets a bot write privately only
 * to someone who wrote to it first, and on Zalo writing to a stranger risks the account, so "the
 * person opened a private chat with the bot" is the one rule on every platform.
 */
export function privateChatOf(db: Db, personId: number, platform: Platform): ChatRef | undefined {
  const row = db
    .select({ chat: chats })
    .from(chats)
    .innerJoin(chatMembers, and(eq(chatMembers.chatId, chats.id), eq(chatMembers.personId, personId)))
    .where(and(eq(chats.platform, platform), eq(chats.kind, 'private'), eq(chats.active, true)))
    .orderBy(desc(chatMembers.lastSeenAt))
    .get();
  return row ? { platform: row.chat.platform, id: row.chat.platformChatId, kind: 'private', title: row.chat.title ?? undefined } : undefined;
}

/** Every private chat the person has with the bot, one per platform (see privateChatOf). */
export function privateChatsOf(db: Db, personId: number): ChatRef[] {
  const platforms = db
    .selectDistinct({ platform: chats.platform })
    .from(chats)
    .innerJoin(chatMembers, and(eq(chatMembers.chatId, chats.id), eq(chatMembers.personId, personId)))
    .where(and(eq(chats.kind, 'private'), eq(chats.active, true)))
    .all();
  return platforms.map((p) => privateChatOf(db, personId, p.platform)).filter((c): c is ChatRef => c !== undefined);
}
