import { and, eq, isNotNull, isNull, ne, sql } from 'drizzle-orm';
import type { Platform, PlatformUser } from '../core/chat.js';
import type { Actor } from './audit.js';
import { recordAudit } from './audit.js';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { identities, people, type Role, roles } from './schema.js';

export interface RoleGrant {
  role: Role;
  /** null = the whole deployment */
  unitId: number | null;
}

/** The person behind a message, as far as permissions are concerned. */
export interface Caller {
  personId: number;
  displayName: string;
  platform: Platform;
  platformUserId: string;
  /** The unit the person works for, if any. */
  unitId: number | null;
  grants: RoleGrant[];
}

export function actorOf(caller: Caller): Actor {
  return { personId: caller.personId, label: `${caller.displayName} (${caller.platform}:${caller.platformUserId})` };
}

/**
 * Finds the person behind a platform identity, creating both on first contact, and keeps the
 * display name fresh. Only called when the bot acts on a message, so group chatter writes nothing.
 */
export function resolveCaller(db: Db, platform: Platform, user: PlatformUser, now: Date): Caller {
  const at = now.getTime();
  // Nearly every message comes from someone known: two prepared reads, and one UPDATE (atomic on
  // its own) when their name changed or their last-seen time went stale — two when they took a
  // username another account held, released first so no crash leaves it with both. Only a first
  // contact needs a transaction.
  const seen = findIdentity(db, platform, user.id);
  if (seen) {
    if (needsRefresh(seen.identity, user, at)) refreshIdentity(db, platform, seen.identity, user, at);
    const { person } = seen;
    return { personId: person.id, displayName: person.displayName, platform, platformUserId: user.id, unitId: person.unitId, grants: grantsOf(db, person.id) };
  }
  return db.transaction((tx) => {
    const found = findIdentity(tx, platform, user.id);

    let personId: number;
    let unitId: number | null;
    let displayName: string;
    if (found) {
      // Another process met them first, between the read above and this transaction.
      personId = found.person.id;
      unitId = found.person.unitId;
      displayName = found.person.displayName;
      if (needsRefresh(found.identity, user, at)) refreshIdentity(tx, platform, found.identity, user, at);
    } else {
      const person = tx.insert(people).values({ displayName: user.displayName, createdAt: at, updatedAt: at }).returning({ id: people.id }).get();
      personId = person.id;
      unitId = null;
      displayName = user.displayName;
      const identity = tx
        .insert(identities)
        .values({
          personId,
          platform,
          platformUserId: user.id,
          username: user.username ?? null,
          displayName: user.displayName,
          lastSeenAt: at,
        })
        .returning({ id: identities.id })
        .get();
      if (user.username) queriesOf(tx).releaseUsername.run({ platform, username: user.username, id: identity.id });
      recordAudit(tx, { personId, label: `${user.displayName} (${platform}:${user.id})` }, now, {
        action: 'person.first_contact',
        entity: 'person',
        entityId: personId,
        after: { displayName: user.displayName, platform, platformUserId: user.id },
      });
    }

    return { personId, displayName, platform, platformUserId: user.id, unitId, grants: grantsOf(tx, personId) };
  });
}

/** The person behind an identity, without creating anything; undefined if unknown. */
export function findCaller(db: Db, platform: Platform, platformUserId: string): (Caller & { username: string | null }) | undefined {
  const found = findIdentity(db, platform, platformUserId);
  if (!found) return undefined;
  return {
    personId: found.person.id,
    displayName: found.identity.displayName,
    username: found.identity.username,
    platform,
    platformUserId,
    unitId: found.person.unitId,
    grants: grantsOf(db, found.person.id),
  };
}

/**
 * How stale a last-seen time (an identity's, a chat member's) may get before a message refreshes
 * it. They answer questions of days — which of a person's accounts to mention, which groups they
 * are in — so a quarter of an hour is precise enough, and a person going through a flow (a
 * message every few seconds) costs no write per answer for it.
 */
export const LAST_SEEN_REFRESH_MS = 15 * 60_000;

/**
 * Writes a new name, username or last-seen time. A username just seen on this account is no
 * longer held by any other account of the platform (Telegram usernames are unique at any one
 * time, and a freed one can be taken by someone else): a mention of it then names this account
 * only, never the one that held it before (db/personRef.ts).
 */
function refreshIdentity(db: Reader, platform: Platform, identity: { id: number; username: string | null }, user: PlatformUser, at: number): void {
  const queries = queriesOf(db);
  if (user.username && user.username !== identity.username) queries.releaseUsername.run({ platform, username: user.username, id: identity.id });
  queries.refresh.run({ id: identity.id, displayName: user.displayName, username: user.username ?? null, lastSeenAt: at });
}

/** A new name or username (written at once), or a last-seen time gone stale. */
function needsRefresh(identity: { displayName: string; username: string | null; lastSeenAt: number }, user: PlatformUser, at: number): boolean {
  const renamed = identity.displayName !== user.displayName || (identity.username ?? undefined) !== user.username;
  return renamed || at - identity.lastSeenAt >= LAST_SEEN_REFRESH_MS;
}

type Reader = Pick<Db, 'select' | 'update'>;

/** What every message asks (and, once in a while, writes) about its sender. */
function prepareCallerQueries(db: Reader) {
  return {
    identity: db
      .select({ identity: identities, person: people })
      .from(identities)
      .innerJoin(people, eq(people.id, identities.personId))
      .where(and(eq(identities.platform, sql.placeholder('platform')), eq(identities.platformUserId, sql.placeholder('userId'))))
      .prepare(),
    // roles has no index on person_id alone, but each half of this union is covered by one of its
    // two partial unique indexes (unit roles, deployment-wide roles): a lookup instead of a scan.
    grants: db
      .select({ id: roles.id, role: roles.role, unitId: roles.unitId })
      .from(roles)
      .where(and(eq(roles.personId, sql.placeholder('personId')), isNotNull(roles.unitId)))
      .unionAll(
        db
          .select({ id: roles.id, role: roles.role, unitId: roles.unitId })
          .from(roles)
          .where(and(eq(roles.personId, sql.placeholder('personId')), isNull(roles.unitId))),
      )
      .prepare(),
    refresh: db
      .update(identities)
      // drizzle types take placeholders in `set` only wrapped in sql``; these columns need no mapping.
      .set({
        displayName: sql`${sql.placeholder('displayName')}`,
        username: sql`${sql.placeholder('username')}`,
        lastSeenAt: sql`${sql.placeholder('lastSeenAt')}`,
      })
      .where(eq(identities.id, sql.placeholder('id')))
      .prepare(),
    // Rare (a new account, a changed username), so the scan of a table without a username index is fine.
    releaseUsername: db
      .update(identities)
      .set({ username: null })
      .where(
        and(
          eq(identities.platform, sql.placeholder('platform')),
          sql`lower(${identities.username}) = lower(${sql.placeholder('username')})`,
          ne(identities.id, sql.placeholder('id')),
        ),
      )
      .prepare(),
  };
}

function queriesOf(db: Reader): ReturnType<typeof prepareCallerQueries> {
  return prepared(db, prepareCallerQueries);
}

function findIdentity(db: Reader, platform: Platform, platformUserId: string) {
  return queriesOf(db).identity.get({ platform, userId: platformUserId });
}

function grantsOf(db: Reader, personId: number): RoleGrant[] {
  // In the order they were granted, as a plain read of the table gives them.
  const rows = queriesOf(db).grants.all({ personId });
  return rows.sort((a, b) => a.id - b.id).map(({ role, unitId }) => ({ role, unitId }));
}
