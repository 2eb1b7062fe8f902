import { and, eq } from 'drizzle-orm';
import type { Platform, PlatformUser } from '../bot/chat.js';
import type { Actor } from './audit.js';
import { recordAudit } from './audit.js';
import type { Db } from './client.js';
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
  return db.transaction((tx) => {
    const at = now.getTime();
    const found = findIdentity(tx, platform, user.id);

    let personId: number;
    let unitId: number | null;
    let displayName: string;
    if (found) {
      personId = found.person.id;
      unitId = found.person.unitId;
      displayName = found.person.displayName;
      const renamed = found.identity.displayName !== user.displayName || (found.identity.username ?? undefined) !== user.username;
      // lastSeenAt is refreshed at most once a minute: it only feeds "who is around" questions.
      if (renamed || at - found.identity.lastSeenAt > 60_000) {
        tx.update(identities)
          .set({ displayName: user.displayName, username: user.username ?? null, lastSeenAt: at })
          .where(eq(identities.id, found.identity.id))
          .run();
      }
    } else {
      const person = tx
        .insert(people)
        .values({ displayName: user.displayName, createdAt: at, updatedAt: at })
        .returning({ id: people.id })
        .get();
      personId = person.id;
      unitId = null;
      displayName = user.displayName;
      tx.insert(identities)
        .values({
          personId,
          platform,
          platformUserId: user.id,
          username: user.username ?? null,
          displayName: user.displayName,
          lastSeenAt: at,
        })
        .run();
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

function findIdentity(db: Pick<Db, 'select'>, platform: Platform, platformUserId: string) {
  return db
    .select({ identity: identities, person: people })
    .from(identities)
    .innerJoin(people, eq(people.id, identities.personId))
    .where(and(eq(identities.platform, platform), eq(identities.platformUserId, platformUserId)))
    .get();
}

function grantsOf(db: Pick<Db, 'select'>, personId: number): RoleGrant[] {
  return db.select({ role: roles.role, unitId: roles.unitId }).from(roles).where(eq(roles.personId, personId)).all();
}
