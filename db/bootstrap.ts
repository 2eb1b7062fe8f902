import { and, asc, eq, inArray } from 'drizzle-orm';
import { PLATFORMS, type Platform } from '../core/chat.js';
import { charLength, nfc, stripControls } from '../core/text.js';
import { type Actor, recordAudit } from './audit.js';
import type { Db } from './client.js';
import { grantRole, LastAdmin, revokeRole } from './roles.js';
import { identities, people, roles } from './schema.js';

/**
 * The operator's way in: deployment-wide administrators set from the command line, so a fresh
 * deployment has someone who may bind groups and hand out join codes before anyone can do it
 * in a chat.
 */

export const CLI_ACTOR: Actor = { personId: null, label: 'cli' };

/** A platform identity as the operator types it: "telegram:123456789", "console:Nguyễn Văn An". */
export interface IdentityRef {
  platform: Platform;
  platformUserId: string;
}

/** A refusal the operator can act on; the message is Vietnamese and names what to fix. */
export class BootstrapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootstrapError';
  }
}

const MAX_NAME = 100;

export function parseIdentity(raw: string): IdentityRef {
  const text = stripControls(nfc(raw)).trim();
  const colon = text.indexOf(':');
  const platform = (colon < 0 ? '' : text.slice(0, colon).trim().toLowerCase()) as Platform;
  const id = colon < 0 ? '' : text.slice(colon + 1).trim();
  if (!PLATFORMS.includes(platform) || id === '') {
    throw new BootstrapError(
      `Tài khoản “${text.slice(0, 60)}” chưa đúng dạng <nền tảng>:<mã>, nền tảng là ${PLATFORMS.join(', ')} (ví dụ telegram:123456789).`,
    );
  }
  // Telegram and Zalo user ids are numbers (kept as text); the simulator's id is the typed name.
  if (platform !== 'console' && !/^\d{1,30}$/.test(id)) {
    throw new BootstrapError(`Mã tài khoản ${platform} phải là một dãy số (đang là “${id.slice(0, 40)}”).`);
  }
  if (charLength(id) > MAX_NAME) throw new BootstrapError(`Mã tài khoản dài quá ${MAX_NAME} ký tự.`);
  return { platform, platformUserId: id };
}

export function formatIdentity(ref: IdentityRef): string {
  return `${ref.platform}:${ref.platformUserId}`;
}

export interface PersonBrief {
  id: number;
  displayName: string;
}

export interface AddAdminResult {
  person: PersonBrief;
  /** The person and identity did not exist and were created. */
  createdPerson: boolean;
  /** False when the person already was an administrator (nothing changed). */
  granted: boolean;
}

/** Makes the person behind `ref` a deployment-wide administrator, creating them if needed. */
export function addAdmin(db: Db, ref: IdentityRef, displayName: string | undefined, now: Date, actor: Actor = CLI_ACTOR): AddAdminResult {
  const name = displayName === undefined ? ref.platformUserId : stripControls(nfc(displayName)).replace(/\s+/g, ' ').trim();
  if (name === '' || charLength(name) > MAX_NAME) throw new BootstrapError(`Họ tên phải có từ 1 đến ${MAX_NAME} ký tự.`);

  return db.transaction((tx) => {
    const at = now.getTime();
    let person = personOf(tx, ref);
    let createdPerson = false;
    if (!person) {
      person = tx
        .insert(people)
        .values({ displayName: name, createdAt: at, updatedAt: at })
        .returning({ id: people.id, displayName: people.displayName })
        .get();
      // lastSeenAt is when the identity entered the system; the person has not written yet.
      tx.insert(identities)
        .values({ personId: person.id, platform: ref.platform, platformUserId: ref.platformUserId, displayName: name, lastSeenAt: at })
        .run();
      recordAudit(tx, actor, now, {
        action: 'person.create',
        entity: 'person',
        entityId: person.id,
        after: { displayName: name, platform: ref.platform, platformUserId: ref.platformUserId },
      });
      createdPerson = true;
    }

    const { result } = grantRole(tx, { personId: person.id, role: 'admin', unitId: null }, actor, now);
    if (result === 'already') return { person, createdPerson, granted: false };
    return { person, createdPerson, granted: true };
  });
}

export interface RemoveAdminResult {
  person: PersonBrief;
  /** False when the person was not an administrator (nothing changed). */
  removed: boolean;
}

/** Takes every administrator role from the person behind `ref`; never the last administrator's. */
export function removeAdmin(db: Db, ref: IdentityRef, now: Date, actor: Actor = CLI_ACTOR): RemoveAdminResult {
  return db.transaction((tx) => {
    const person = personOf(tx, ref);
    if (!person) throw new BootstrapError(`Không có ai với tài khoản ${formatIdentity(ref)}; không có gì thay đổi.`);
    try {
      if (revokeRole(tx, { personId: person.id, role: 'admin', unitId: null }, actor, now) === 'absent') return { person, removed: false };
    } catch (error) {
      if (!(error instanceof LastAdmin)) throw error;
      throw new BootstrapError(`#${person.id} ${person.displayName} là quản trị cuối cùng nên không gỡ được: hãy thêm một quản trị khác trước.`);
    }
    return { person, removed: true };
  });
}

export interface AdminInfo extends PersonBrief {
  identities: IdentityRef[];
}

/** Every administrator with their accounts, by person id. */
export function listAdmins(db: Db): AdminInfo[] {
  const admins = db
    .selectDistinct({ id: people.id, displayName: people.displayName })
    .from(roles)
    .innerJoin(people, eq(people.id, roles.personId))
    .where(eq(roles.role, 'admin'))
    .orderBy(asc(people.id))
    .all();
  if (admins.length === 0) return [];
  const accounts = db
    .select({ personId: identities.personId, platform: identities.platform, platformUserId: identities.platformUserId })
    .from(identities)
    .where(
      inArray(
        identities.personId,
        admins.map((a) => a.id),
      ),
    )
    .orderBy(asc(identities.platform), asc(identities.id))
    .all();
  return admins.map((a) => ({
    ...a,
    identities: accounts.filter((i) => i.personId === a.id).map(({ platform, platformUserId }) => ({ platform, platformUserId })),
  }));
}

function personOf(db: Pick<Db, 'select'>, ref: IdentityRef): PersonBrief | undefined {
  return db
    .select({ id: people.id, displayName: people.displayName })
    .from(identities)
    .innerJoin(people, eq(people.id, identities.personId))
    .where(and(eq(identities.platform, ref.platform), eq(identities.platformUserId, ref.platformUserId)))
    .get();
}
