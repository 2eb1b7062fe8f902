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
    const found = tx
      .select({ identity: identities, person: people })
      .from(identities)
      .innerJoin(people, eq(people.id, identities.personId))
      .where(and(eq(identities.platform, platform), eq(identities.platformUserId, user.id)))
      .get();

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

    const grants = tx
      .select({ role: roles.role, unitId: roles.unitId })
      .from(roles)
      .where(eq(roles.personId, personId))
      .all();
    return { personId, displayName, platform, platformUserId: user.id, unitId, grants };
  });
}
