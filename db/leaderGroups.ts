import { and, eq, inArray } from 'drizzle-orm';
import type { ChatRef } from '../core/chat.js';
import { chatRefOf } from './audience.js';
import type { Db } from './client.js';
import type { RoleGrant } from './people.js';
import { chatMembers, chats, roles } from './schema.js';
import { decisionScopeOf, type Scope } from './scope.js';
import { subtreeIds } from './units.js';

/** An active group where a leader has been seen, and what the leaders seen there may decide on. */
export interface LeaderGroup {
  /** The chats table row. */
  rowId: number;
  chat: ChatRef;
  /** The union of the decision scopes of the leaders seen in the group. */
  scope: Scope;
}

/**
 * The groups where leaders can be told what waits for them (the morning digest): every active
 * group a leader was seen in, with the union of those leaders' decision scopes (decisionScopeOf,
 * so a deployment-wide leader, or a leader who is also an admin, covers everything). In chat
 * order, leaving out the groups in `except`. A group where no leader was seen gets nothing: its
 * officers cannot act on the list.
 */
export function leaderGroups(db: Db, except: ReadonlySet<number> = new Set()): LeaderGroup[] {
  const seen = db
    .selectDistinct({ chat: chats, personId: roles.personId })
    .from(roles)
    .innerJoin(chatMembers, eq(chatMembers.personId, roles.personId))
    .innerJoin(chats, eq(chats.id, chatMembers.chatId))
    .where(and(eq(roles.role, 'leader'), eq(chats.active, true), eq(chats.kind, 'group')))
    .orderBy(chats.id, roles.personId)
    .all()
    // Groups already dealt with are left out before any scope is computed: the digest asks every minute.
    .filter((s) => !except.has(s.chat.id));
  if (seen.length === 0) return [];
  const scopes = decisionScopesOf(db, [...new Set(seen.map((s) => s.personId))]);
  const byChat = new Map<number, LeaderGroup>();
  for (const { chat, personId } of seen) {
    const group = byChat.get(chat.id) ?? { rowId: chat.id, chat: chatRefOf(chat), scope: { all: false, unitIds: new Set<number>() } };
    group.scope = union(group.scope, scopes.get(personId)!);
    byChat.set(chat.id, group);
  }
  // A group bound to a unit (/ganhom) is that unit's: it hears of what waits in its subtree only,
  // not of the whole province because the province's leader once spoke there.
  const boundChats = new Map(seen.filter((s) => s.chat.unitId !== null).map((s) => [s.chat.id, s.chat.unitId!]));
  for (const [chatId, unitId] of boundChats) {
    const group = byChat.get(chatId)!;
    group.scope = intersect(group.scope, new Set(subtreeIds(db, [unitId])));
  }
  return [...byChat.values()];
}

function intersect(scope: Scope, units: ReadonlySet<number>): Scope {
  const within = scope.all ? [...units] : [...scope.unitIds].filter((id) => units.has(id));
  return { all: false, unitIds: new Set(within) };
}

/** Each person's decision scope, from all their roles, as a command of theirs would see it (a scope reads the grants only). */
function decisionScopesOf(db: Db, personIds: readonly number[]): Map<number, Scope> {
  const rows = db
    .select({ personId: roles.personId, role: roles.role, unitId: roles.unitId })
    .from(roles)
    .where(inArray(roles.personId, [...personIds]))
    .all();
  const grants = new Map<number, RoleGrant[]>();
  for (const row of rows) grants.set(row.personId, [...(grants.get(row.personId) ?? []), { role: row.role, unitId: row.unitId }]);
  return new Map([...grants].map(([id, own]) => [id, decisionScopeOf(db, { grants: own })]));
}

function union(a: Scope, b: Scope): Scope {
  if (a.all || b.all) return { all: true, unitIds: new Set() };
  return { all: false, unitIds: new Set([...a.unitIds, ...b.unitIds]) };
}
