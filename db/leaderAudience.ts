import { and, eq, inArray, isNull, or } from 'drizzle-orm';
import { type AudienceChat, chatRefOf } from './audience.js';
import type { Db } from './client.js';
import { chatMembers, chats, roles, units } from './schema.js';
import { ancestorIds } from './units.js';

/**
 * Where escalations go: the groups where leaders whose scope covers the whole deadline have been
 * seen (a leader of the unit it concerns or of a unit above it, or a deployment-wide leader). If no
 * such leader was ever seen in a group, the groups bound to that unit or its nearest ancestor.
 */
export function leaderChats(db: Db, scopeUnitId: number | null): Omit<AudienceChat, 'officers'>[] {
  const covering =
    scopeUnitId === null
      ? db
          .select({ id: units.id })
          .from(units)
          .where(isNull(units.parentId))
          .all()
          .map((u) => u.id)
      : ancestorIds(db, scopeUnitId);
  const rows = db
    .selectDistinct({ chat: chats })
    .from(roles)
    .innerJoin(chatMembers, eq(chatMembers.personId, roles.personId))
    .innerJoin(chats, eq(chats.id, chatMembers.chatId))
    .where(
      and(
        eq(roles.role, 'leader'),
        covering.length > 0 ? or(isNull(roles.unitId), inArray(roles.unitId, covering)) : isNull(roles.unitId),
        eq(chats.active, true),
        eq(chats.kind, 'group'),
      ),
    )
    .orderBy(chats.id)
    .all();
  // A group bound to a unit (/ganhom) is that unit's: it hears of what concerns its unit or a unit
  // above it, not of the whole province because the province's leader once spoke there.
  const theirs = rows.filter((r) => r.chat.unitId === null || covering.includes(r.chat.unitId));
  if (theirs.length > 0) return theirs.map((r) => ({ rowId: r.chat.id, chat: chatRefOf(r.chat) }));
  for (const id of covering) {
    const bound = db
      .select()
      .from(chats)
      .where(and(eq(chats.unitId, id), eq(chats.active, true), eq(chats.kind, 'group')))
      .all();
    if (bound.length > 0) return bound.map((c) => ({ rowId: c.id, chat: chatRefOf(c) }));
  }
  return [];
}
