import { and, desc, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Platform } from '../core/chat.js';
import { fold } from '../core/text.js';
import { type Actor, recordAudit } from './audit.js';
import { CODE_ALPHABET, LINK_CODE_LENGTH, uniqueCode } from './codes.js';
import type { Db } from './client.js';
import {
  auditLog,
  chatMembers,
  deadlines,
  identities,
  joinBlocks,
  linkCodes,
  models,
  modelStateHistory,
  people,
  progressUpdates,
  type Role,
  roles,
} from './schema.js';
import type { RoleGrant } from './people.js';

/**
 * One person on several platforms: a one-time code asked for on one platform and typed on the
 * other merges the two people the bot knew into one (the code's person is kept). The code is
 * only ever shown in a private chat, so typing it proves both accounts belong to one person.
 */

export const LINK_CODE_TTL_MS = 15 * 60_000;

/** "ABCD-EFGH": easier to read and type than eight characters in a row. */
export function formatLinkCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** "abcd efgh", "ABCD-EFGH" → "ABCDEFGH"; undefined when it cannot be a link code. */
export function normalizeLinkCode(raw: string): string | undefined {
  const code = fold(raw).replace(/[\s-]/g, '').toUpperCase();
  return code.length === LINK_CODE_LENGTH && [...code].every((c) => CODE_ALPHABET.includes(c)) ? code : undefined;
}

/**
 * A fresh code for the person, valid for 15 minutes. Only one is active per person: asking again
 * replaces the one before.
 */
export function createLinkCode(db: Db, personId: number, actor: Actor, now: Date): { code: string; expiresAt: Date } {
  return db.transaction((tx) => {
    const at = now.getTime();
    // Burnt codes stay, so typing one later says why it no longer works.
    tx.delete(linkCodes)
      .where(and(eq(linkCodes.personId, personId), isNull(linkCodes.usedAt), isNull(linkCodes.burntAt)))
      .run();
    const code = uniqueCode(LINK_CODE_LENGTH, (c) => tx.select({ code: linkCodes.code }).from(linkCodes).where(eq(linkCodes.code, c)).get() !== undefined);
    const expiresAt = at + LINK_CODE_TTL_MS;
    tx.insert(linkCodes).values({ code, personId, expiresAt, createdAt: at }).run();
    // The code itself stays out of the trail: it is a credential for the next 15 minutes.
    recordAudit(tx, actor, now, { action: 'person.link_code', entity: 'person', entityId: personId, after: { expiresAt } });
    return { code, expiresAt: new Date(expiresAt) };
  });
}

export type LinkRefusalReason = 'unknown' | 'expired' | 'used' | 'burnt' | 'own' | 'same_platform';

/** Why a code was not accepted; nothing was changed. */
export class LinkRefusal extends Error {
  constructor(
    readonly reason: LinkRefusalReason,
    /** For same_platform: the platforms both people already have. */
    readonly platforms: Platform[] = [],
  ) {
    super(`link refused: ${reason}`);
    this.name = 'LinkRefusal';
  }
}

/** A wrong try at someone's link code, counted like wrong join codes (db/wrongCodes.ts). */
export const LINK_FAILED = 'person.link_failed';

/**
 * Every column that points at a person, and how a merge treats it. A test compares this list
 * with the schema's foreign keys, so a new table that refers to people cannot be forgotten here.
 */
export const PERSON_REFERENCES = [
  'identities.person_id',
  'link_codes.person_id',
  'link_codes.redeemer_person_id',
  'join_blocks.person_id',
  'join_blocks.blocked_by',
  'roles.person_id',
  'roles.granted_by',
  'chat_members.person_id',
  'models.created_by',
  'model_state_history.actor_person_id',
  'progress_updates.author_person_id',
  'deadlines.created_by',
  'audit_log.actor_person_id',
] as const;

export interface PersonState {
  id: number;
  displayName: string;
  unitId: number | null;
  position: string | null;
  identities: { platform: Platform; platformUserId: string; displayName: string; username: string | null }[];
  roles: { role: Role; unitId: number | null }[];
}

function stateOf(db: Pick<Db, 'select'>, personId: number): PersonState | undefined {
  const person = db.select().from(people).where(eq(people.id, personId)).get();
  if (!person) return undefined;
  return {
    id: person.id,
    displayName: person.displayName,
    unitId: person.unitId,
    position: person.position,
    identities: db
      .select({ platform: identities.platform, platformUserId: identities.platformUserId, displayName: identities.displayName, username: identities.username })
      .from(identities)
      .where(eq(identities.personId, personId))
      .orderBy(identities.id)
      .all(),
    roles: db.select({ role: roles.role, unitId: roles.unitId }).from(roles).where(eq(roles.personId, personId)).orderBy(roles.id).all(),
  };
}

export interface LinkResult {
  /** The person who remains, with every identity of both. */
  person: PersonState;
  /** The caller's former person id, now gone. */
  mergedPersonId: number;
}

/** What redeeming a code would do: read first, shown to the redeemer, who confirms. */
export interface LinkPreview {
  /** The normalised code. */
  code: string;
  /** The code's person: whom the redeemer becomes. */
  keep: PersonState;
  /** The redeemer, merged into `keep`. */
  drop: PersonState;
  /** Roles that decide (admin, leader) the code's person holds and the redeemer does not. */
  gainedByRedeemer: RoleGrant[];
  /** Roles that decide the redeemer holds and the code's person does not. */
  gainedByOwner: RoleGrant[];
}

/** Roles that let a person decide for others: a merge that hands one over needs its holder's word. */
const POWERFUL: readonly Role[] = ['admin', 'leader'];

function rolesMissing(from: PersonState, to: PersonState): RoleGrant[] {
  return from.roles.filter((r) => POWERFUL.includes(r.role)).filter((r) => !to.roles.some((t) => t.role === r.role && t.unitId === r.unitId));
}

/** The code's row if `callerPersonId` may redeem it now; throws LinkRefusal otherwise. */
function redeemable(db: Pick<Db, 'select'>, code: string, callerPersonId: number, now: Date) {
  const row = db.select().from(linkCodes).where(eq(linkCodes.code, code)).get();
  if (!row) throw new LinkRefusal('unknown');
  if (row.burntAt !== null) throw new LinkRefusal('burnt');
  if (row.usedAt !== null || row.redeemerPersonId !== null) throw new LinkRefusal('used');
  if (row.expiresAt <= now.getTime()) throw new LinkRefusal('expired');
  if (row.personId === callerPersonId) throw new LinkRefusal('own');
  return row;
}

function preview(db: Pick<Db, 'select'>, code: string, keepId: number, dropId: number): LinkPreview {
  const keep = stateOf(db, keepId);
  const drop = stateOf(db, dropId);
  if (!keep || !drop) throw new LinkRefusal('unknown');
  const shared = keep.identities.map((i) => i.platform).filter((p) => drop.identities.some((i) => i.platform === p));
  if (shared.length > 0) throw new LinkRefusal('same_platform', [...new Set(shared)]);
  return { code, keep, drop, gainedByRedeemer: rolesMissing(keep, drop), gainedByOwner: rolesMissing(drop, keep) };
}

/** What `/lienket <mã>` would do for the caller, changing nothing; throws LinkRefusal. */
export function previewLink(db: Db, rawCode: string, callerPersonId: number, now: Date): LinkPreview {
  const code = normalizeLinkCode(rawCode);
  if (!code) throw new LinkRefusal('unknown');
  const row = redeemable(db, code, callerPersonId, now);
  return preview(db, code, row.personId, callerPersonId);
}

export type Redemption =
  | { kind: 'linked'; result: LinkResult }
  /** The code's person holds a role the redeemer would gain: they confirm on their own platform. */
  | { kind: 'awaiting_owner'; preview: LinkPreview };

/**
 * Redeems a link code typed (and confirmed) by `callerPersonId`, in one transaction: the caller's
 * person is merged into the code's person — unless that hands the caller a role only the code's
 * person holds (admin, leader): then the redemption waits for the code's person to confirm
 * (confirmPendingLink). A role only the caller holds needs no more than the caller's own
 * confirmation, which they gave. Throws LinkRefusal (changing nothing).
 */
export function redeemLinkCode(db: Db, rawCode: string, callerPersonId: number, actor: Actor, now: Date): Redemption {
  const code = normalizeLinkCode(rawCode);
  if (!code) throw new LinkRefusal('unknown');
  return db.transaction((tx): Redemption => {
    const row = redeemable(tx, code, callerPersonId, now);
    const seen = preview(tx, code, row.personId, callerPersonId);
    if (seen.gainedByRedeemer.length > 0) {
      tx.update(linkCodes).set({ redeemerPersonId: callerPersonId, redeemedAt: now.getTime() }).where(eq(linkCodes.code, code)).run();
      recordAudit(tx, actor, now, {
        action: 'person.link_requested',
        entity: 'person',
        entityId: row.personId,
        after: { redeemerPersonId: callerPersonId, rolesGained: seen.gainedByRedeemer },
      });
      return { kind: 'awaiting_owner', preview: seen };
    }
    const result = mergePeople(tx, row.personId, callerPersonId, actor, now);
    tx.update(linkCodes).set({ usedAt: now.getTime() }).where(eq(linkCodes.code, code)).run();
    return { kind: 'linked', result };
  });
}

/** The redemption waiting for `ownerPersonId`'s word, if one is still open. */
function pendingFor(db: Pick<Db, 'select'>, ownerPersonId: number, now: Date) {
  return db
    .select()
    .from(linkCodes)
    .where(and(eq(linkCodes.personId, ownerPersonId), isNotNull(linkCodes.redeemerPersonId), isNull(linkCodes.usedAt), isNull(linkCodes.burntAt)))
    .orderBy(desc(linkCodes.redeemedAt))
    .all()
    .find((row) => (row.redeemedAt ?? 0) + LINK_CODE_TTL_MS > now.getTime());
}

/** Who waits for the owner's confirmation, to show them before they confirm. */
export function pendingLink(db: Db, ownerPersonId: number, now: Date): LinkPreview | undefined {
  const row = pendingFor(db, ownerPersonId, now);
  if (!row || row.redeemerPersonId === null) return undefined;
  try {
    return preview(db, row.code, row.personId, row.redeemerPersonId);
  } catch {
    return undefined; // the redeemer is gone or linked elsewhere since: nothing left to confirm
  }
}

/** The code's person confirms a waiting redemption: the merge happens now. */
export function confirmPendingLink(db: Db, ownerPersonId: number, actor: Actor, now: Date): LinkResult | undefined {
  return db.transaction((tx) => {
    const row = pendingFor(tx, ownerPersonId, now);
    if (!row || row.redeemerPersonId === null) return undefined;
    const result = mergePeople(tx, ownerPersonId, row.redeemerPersonId, actor, now);
    tx.update(linkCodes).set({ usedAt: now.getTime() }).where(eq(linkCodes.code, row.code)).run();
    return result;
  });
}

/** The code's person refuses a waiting redemption: the code is burnt; returns the redeemer. */
export function declinePendingLink(db: Db, ownerPersonId: number, actor: Actor, now: Date): number | undefined {
  return db.transaction((tx) => {
    const row = pendingFor(tx, ownerPersonId, now);
    if (!row || row.redeemerPersonId === null) return undefined;
    tx.update(linkCodes).set({ burntAt: now.getTime() }).where(eq(linkCodes.code, row.code)).run();
    recordAudit(tx, actor, now, {
      action: 'person.link_declined',
      entity: 'person',
      entityId: ownerPersonId,
      after: { redeemerPersonId: row.redeemerPersonId },
    });
    return row.redeemerPersonId;
  });
}

/**
 * A code typed where others could read it is burnt at once, whoever typed it: it proved nothing
 * any more. Returns the code's person (to tell them privately), or undefined for no live code.
 */
export function burnLinkCode(db: Db, rawCode: string, actor: Actor, now: Date): { ownerPersonId: number; createdAt: number } | undefined {
  const code = normalizeLinkCode(rawCode);
  if (!code) return undefined;
  return db.transaction((tx) => {
    const row = tx.select().from(linkCodes).where(eq(linkCodes.code, code)).get();
    if (!row || row.usedAt !== null || row.burntAt !== null || row.expiresAt <= now.getTime()) return undefined;
    tx.update(linkCodes).set({ burntAt: now.getTime() }).where(eq(linkCodes.code, code)).run();
    // The code stays out of the trail, as when it was made.
    recordAudit(tx, actor, now, { action: 'person.link_code_burnt', entity: 'person', entityId: row.personId, after: { reason: 'typed_in_group' } });
    return { ownerPersonId: row.personId, createdAt: row.createdAt };
  });
}

/**
 * Moves everything of person `dropId` onto person `keepId` and deletes `dropId`. Call inside a
 * transaction. The kept person's name stays; their unit stays, or becomes the other's if they
 * had none.
 */
export function mergePeople(tx: Db, keepId: number, dropId: number, actor: Actor, now: Date): LinkResult {
  const keep = stateOf(tx, keepId);
  const drop = stateOf(tx, dropId);
  if (!keep || !drop) throw new LinkRefusal('unknown');
  if (keepId === dropId) throw new LinkRefusal('own');
  const shared = keep.identities.map((i) => i.platform).filter((p) => drop.identities.some((i) => i.platform === p));
  if (shared.length > 0) throw new LinkRefusal('same_platform', [...new Set(shared)]);

  const at = now.getTime();
  tx.update(identities).set({ personId: keepId }).where(eq(identities.personId, dropId)).run();

  // Roles: the same role on the same unit is kept once.
  const keptRoles = tx.select().from(roles).where(eq(roles.personId, keepId)).all();
  for (const role of tx.select().from(roles).where(eq(roles.personId, dropId)).all()) {
    const duplicate = keptRoles.some((k) => k.role === role.role && k.unitId === role.unitId);
    if (duplicate) tx.delete(roles).where(eq(roles.id, role.id)).run();
    else tx.update(roles).set({ personId: keepId }).where(eq(roles.id, role.id)).run();
  }
  tx.update(roles).set({ grantedBy: keepId }).where(eq(roles.grantedBy, dropId)).run();

  // Chat presence: one row per chat, the latest sighting wins.
  const keptChats = new Map(
    tx
      .select()
      .from(chatMembers)
      .where(eq(chatMembers.personId, keepId))
      .all()
      .map((m) => [m.chatId, m.lastSeenAt]),
  );
  for (const member of tx.select().from(chatMembers).where(eq(chatMembers.personId, dropId)).all()) {
    const seen = keptChats.get(member.chatId);
    if (seen === undefined) {
      tx.update(chatMembers)
        .set({ personId: keepId })
        .where(and(eq(chatMembers.chatId, member.chatId), eq(chatMembers.personId, dropId)))
        .run();
      continue;
    }
    if (member.lastSeenAt > seen) {
      tx.update(chatMembers)
        .set({ lastSeenAt: member.lastSeenAt })
        .where(and(eq(chatMembers.chatId, member.chatId), eq(chatMembers.personId, keepId)))
        .run();
    }
    tx.delete(chatMembers)
      .where(and(eq(chatMembers.chatId, member.chatId), eq(chatMembers.personId, dropId)))
      .run();
  }

  // Authorship follows the person, so history still says who did what.
  tx.update(models).set({ createdBy: keepId }).where(eq(models.createdBy, dropId)).run();
  tx.update(progressUpdates).set({ authorPersonId: keepId }).where(eq(progressUpdates.authorPersonId, dropId)).run();
  tx.update(modelStateHistory).set({ actorPersonId: keepId }).where(eq(modelStateHistory.actorPersonId, dropId)).run();
  tx.update(deadlines).set({ createdBy: keepId }).where(eq(deadlines.createdBy, dropId)).run();
  tx.update(auditLog).set({ actorPersonId: keepId }).where(eq(auditLog.actorPersonId, dropId)).run();
  // A unit whose join code was closed to either stays closed to the one person they now are.
  for (const block of tx.select().from(joinBlocks).where(eq(joinBlocks.personId, dropId)).all()) {
    tx.insert(joinBlocks)
      .values({ ...block, personId: keepId })
      .onConflictDoNothing()
      .run();
  }
  tx.delete(joinBlocks).where(eq(joinBlocks.personId, dropId)).run();
  tx.update(joinBlocks).set({ blockedBy: keepId }).where(eq(joinBlocks.blockedBy, dropId)).run();
  tx.update(linkCodes).set({ redeemerPersonId: keepId }).where(eq(linkCodes.redeemerPersonId, dropId)).run();
  // A code the dropped person had asked for must not later merge someone into the kept person.
  tx.update(linkCodes)
    .set({ usedAt: at })
    .where(and(eq(linkCodes.personId, dropId), isNull(linkCodes.usedAt)))
    .run();
  tx.update(linkCodes).set({ personId: keepId }).where(eq(linkCodes.personId, dropId)).run();

  tx.update(people)
    .set({ unitId: keep.unitId ?? drop.unitId, position: keep.position ?? drop.position, updatedAt: at })
    .where(eq(people.id, keepId))
    .run();
  tx.delete(people).where(eq(people.id, dropId)).run();

  const merged = stateOf(tx, keepId)!;
  // The caller usually is the dropped person, whose row no longer exists.
  const by = actor.personId === dropId ? { ...actor, personId: keepId } : actor;
  recordAudit(tx, by, now, {
    action: 'person.link',
    entity: 'person',
    entityId: keepId,
    before: { kept: keep, merged: drop },
    after: merged,
  });
  return { person: merged, mergedPersonId: dropId };
}
