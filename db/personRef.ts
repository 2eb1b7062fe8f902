import { and, desc, eq, sql } from 'drizzle-orm';
import type { IncomingMessage, PersonRef } from '../core/chat.js';
import { fold } from '../core/text.js';
import type { Db } from './client.js';
import { identities, people } from './schema.js';

/**
 * Finds the person an admin names in a command: a mention, "#12" (a person's number), or the
 * display name they go by on this platform. Only people the bot has already seen can be named —
 * the bot cannot invent someone's platform id.
 */

export interface NamedPerson {
  personId: number;
  /** The name they go by on the message's platform (or their record's name if they have none there). */
  displayName: string;
  unitId: number | null;
  /** Their identity on the message's platform, to mention them; absent when they have none there. */
  ref?: PersonRef;
}

export interface SeenPerson extends NamedPerson {
  /** When the account the mention matched last used the bot (ms). */
  lastSeenAt: number;
}

export type PersonLookup =
  | { kind: 'found'; person: NamedPerson }
  /** Several people go by that name: the admin must pick one by "#id". */
  | { kind: 'ambiguous'; people: NamedPerson[] }
  /**
   * A @username the bot cannot pin on one person for sure — several people were seen with it, or
   * its holder was last seen too long ago to know it has not changed hands. Most recently seen
   * first; the admin confirms by "#id".
   */
  | { kind: 'unconfirmed'; username: string; people: SeenPerson[] }
  | { kind: 'unknown' }
  /** Nothing was typed and nobody was mentioned. */
  | { kind: 'empty' };

type IdentityRow = typeof identities.$inferSelect;

/**
 * How long a username seen on an account is trusted to still be that account's. Telegram lets
 * anyone take a username its holder gave up, and the bot learns of the change only when the new
 * holder writes to it; past this, a mention of the username is confirmed by "#id" before a role
 * moves. A week covers "ask them to type /huongdan, then grant", the usual way of naming someone.
 */
export const USERNAME_TRUSTED_MS = 7 * 24 * 60 * 60_000;

export function findPersonRef(db: Pick<Db, 'select'>, msg: IncomingMessage, text: string, now: Date = msg.receivedAt): PersonLookup {
  const platform = msg.chat.platform;

  // A mention names exactly one account: it wins over whatever text surrounds it.
  const mention = msg.mentions[0];
  if (mention?.userId !== undefined) {
    const row = db
      .select({ identity: identities, person: people })
      .from(identities)
      .innerJoin(people, eq(people.id, identities.personId))
      .where(and(eq(identities.platform, platform), eq(identities.platformUserId, mention.userId)))
      .get();
    return row ? { kind: 'found', person: named(row.person, row.identity) } : { kind: 'unknown' };
  }
  if (mention) return byUsername(db, platform, mention.username ?? '', now);

  const typed = text.trim();
  const byNumber = /^#\s*(\d{1,9})$/.exec(typed);
  if (byNumber) {
    const person = db
      .select()
      .from(people)
      .where(eq(people.id, Number(byNumber[1])))
      .get();
    // A removed person ("người đã xóa #id") keeps their row for the models they wrote, but is
    // nobody a role or a mention can be given to any more.
    if (!person || person.removedAt !== null) return { kind: 'unknown' };
    const identity = db
      .select()
      .from(identities)
      .where(and(eq(identities.personId, person.id), eq(identities.platform, platform)))
      .orderBy(desc(identities.lastSeenAt))
      .get();
    return { kind: 'found', person: named(person, identity) };
  }

  // "@Nguyễn Văn An" typed by hand (not a real mention) is still the name.
  const key = fold(typed.replace(/^@+/, ''));
  if (key === '') return { kind: 'empty' };
  const rows = db
    .select({ identity: identities, person: people })
    .from(identities)
    .innerJoin(people, eq(people.id, identities.personId))
    .where(eq(identities.platform, platform))
    .orderBy(desc(identities.lastSeenAt))
    .all()
    .filter((r) => fold(r.identity.displayName) === key);
  const byPerson = new Map<number, NamedPerson>();
  // Most recently seen first, so a person's freshest identity is the one mentioned.
  for (const r of rows) if (!byPerson.has(r.person.id)) byPerson.set(r.person.id, named(r.person, r.identity));
  const found = [...byPerson.values()].sort((a, b) => a.personId - b.personId);
  if (found.length === 0) return { kind: 'unknown' };
  if (found.length === 1) return { kind: 'found', person: found[0]! };
  return { kind: 'ambiguous', people: found };
}

/**
 * Telegram's plain @username mention carries no id: the username the bot last saw is the key.
 * resolveCaller keeps one holder per username from now on, but rows written before that may share
 * one; either way a role goes only to a holder that is the only one and was seen lately.
 */
function byUsername(db: Pick<Db, 'select'>, platform: IdentityRow['platform'], username: string, now: Date): PersonLookup {
  const rows = db
    .select({ identity: identities, person: people })
    .from(identities)
    .innerJoin(people, eq(people.id, identities.personId))
    .where(and(eq(identities.platform, platform), eq(sql`lower(${identities.username})`, username.toLowerCase())))
    .orderBy(desc(identities.lastSeenAt), desc(identities.id))
    .all();
  const byPerson = new Map<number, SeenPerson>();
  for (const r of rows) {
    if (!byPerson.has(r.person.id)) byPerson.set(r.person.id, { ...named(r.person, r.identity), lastSeenAt: r.identity.lastSeenAt });
  }
  const holders = [...byPerson.values()];
  if (holders.length === 0) return { kind: 'unknown' };
  if (holders.length === 1 && now.getTime() - holders[0]!.lastSeenAt <= USERNAME_TRUSTED_MS) {
    const { lastSeenAt: _seen, ...person } = holders[0]!;
    return { kind: 'found', person };
  }
  return { kind: 'unconfirmed', username, people: holders };
}

function named(person: typeof people.$inferSelect, identity: IdentityRow | undefined): NamedPerson {
  if (!identity) return { personId: person.id, displayName: person.displayName, unitId: person.unitId };
  return {
    personId: person.id,
    displayName: identity.displayName,
    unitId: person.unitId,
    ref: { platformUserId: identity.platformUserId, displayName: identity.displayName, username: identity.username ?? undefined },
  };
}
