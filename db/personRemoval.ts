import { and, count, eq, inArray, ne, or, sql } from 'drizzle-orm';
import type { Platform, TextPart } from '../core/chat.js';
import { formatVnDate } from '../core/clock.js';
import { type Actor, recordAudit } from './audit.js';
import type { Db } from './client.js';
import { JOIN_FAILED } from './membership.js';
import { LINK_FAILED } from './personLink.js';
import type { RoleGrant } from './people.js';
import {
  auditLog,
  chatMembers,
  chats,
  conversations,
  fileLinks,
  identities,
  joinBlocks,
  linkCodes,
  models,
  people,
  progressUpdates,
  reminderOutbox,
  roles,
} from './schema.js';

/**
 * Removing a person (Law 91/2025/QH15, Decree 356/2025: deletion on request, and personal data
 * kept only as long as it serves): an admin's `/xoanguoi`, the operator's `npm run admin -- remove`,
 * and the retention job all come here.
 *
 * Table by table, in one transaction:
 * - deleted: their platform identities (every platform), chat memberships, private chats with the
 *   bot (the chat id is their platform id, the title their name; reminders queued there go with
 *   them), roles, join blocks, conversations under way (drafts hold what they typed), link codes
 *   they asked for, and their wrong-code tries (audit rows that only count guesses);
 * - anonymised: the people row keeps its id, named "người đã xóa #id", with no unit nor position;
 *   the audit rows they wrote or that are about them lose the names, usernames and platform ids
 *   stored in them (the actor's label, before/after snapshots); reminders already written that
 *   mention them name them the same way; links to files sent to their private chat forget where;
 * - kept: the models they registered, their progress updates, state changes and deadlines,
 *   under the unit, still pointing at the anonymised row, so every report counts exactly the same.
 *   What was typed into a model (the person in charge, an individual holder's name) is the unit's
 *   record of the model, kept as typed.
 *
 * SQLite leaves deleted content in free space of the file until it is reused; secure_delete is on
 * for this transaction so the old values are overwritten with zeros. Backups taken before still
 * hold them until they age out (DVK_BACKUP_KEEP).
 */

/** What a removed person is called everywhere afterwards. */
export function removedPersonName(personId: number): string {
  return `người đã xóa #${personId}`;
}

export type RemovalRefusalReason = 'unknown' | 'already_removed' | 'self' | 'last_admin';

/** Why a person cannot be removed, in Vietnamese; nothing was changed. */
export class PersonRemovalRefused extends Error {
  constructor(
    readonly reason: RemovalRefusalReason,
    readonly personId: number,
    message: string,
  ) {
    super(message);
    this.name = 'PersonRemovalRefused';
  }
}

/** What removing the person does, as the admin confirms it. */
export interface RemovalPreview {
  personId: number;
  displayName: string;
  unitId: number | null;
  roles: RoleGrant[];
  /** The platforms of their accounts, each once. */
  platforms: Platform[];
  /** Models they registered: kept under their unit. */
  modelsKept: number;
  /** Progress updates they wrote: kept. */
  updatesKept: number;
}

export interface RemovalResult {
  personId: number;
  modelsKept: number;
  updatesKept: number;
}

type Reader = Pick<Db, 'select' | 'selectDistinct'>;

/** The person as they are before removal; throws PersonRemovalRefused when they cannot be removed. */
export function removalPreview(db: Reader, personId: number, actor: Actor): RemovalPreview {
  const person = db.select().from(people).where(eq(people.id, personId)).get();
  if (!person)
    throw new PersonRemovalRefused('unknown', personId, `Không có người dùng #${personId} nên không có gì thay đổi. Bạn kiểm tra lại số của người đó.`);
  if (person.removedAt !== null) {
    throw new PersonRemovalRefused(
      'already_removed',
      personId,
      `#${personId} đã được xóa từ ngày ${formatVnDate(new Date(person.removedAt))} rồi nên không có gì thay đổi.`,
    );
  }
  if (actor.personId === personId) {
    throw new PersonRemovalRefused(
      'self',
      personId,
      'Bạn không tự xóa chính mình được; nếu muốn thôi dùng bot, bạn nhờ một quản trị khác xóa giúp. Không có gì thay đổi.',
    );
  }
  const grants = db.select({ role: roles.role, unitId: roles.unitId }).from(roles).where(eq(roles.personId, personId)).orderBy(roles.id).all();
  if (grants.some((g) => g.role === 'admin')) {
    const other = db
      .select({ id: roles.id })
      .from(roles)
      .where(and(eq(roles.role, 'admin'), ne(roles.personId, personId)))
      .get();
    if (!other) {
      throw new PersonRemovalRefused(
        'last_admin',
        personId,
        `#${personId} ${person.displayName} là quản trị cuối cùng nên chưa xóa được: hãy cấp quyền quản trị cho người khác trước. Không có gì thay đổi.`,
      );
    }
  }
  const platforms = db.selectDistinct({ platform: identities.platform }).from(identities).where(eq(identities.personId, personId)).all();
  return {
    personId,
    displayName: person.displayName,
    unitId: person.unitId,
    roles: grants,
    platforms: platforms.map((p) => p.platform),
    modelsKept: db.select({ n: count() }).from(models).where(eq(models.createdBy, personId)).get()?.n ?? 0,
    updatesKept: db.select({ n: count() }).from(progressUpdates).where(eq(progressUpdates.authorPersonId, personId)).get()?.n ?? 0,
  };
}

/**
 * Removes the person (see the top of this file); `reason` goes into the audit row, with the
 * person's names in it replaced. Throws PersonRemovalRefused, changing nothing, for an unknown
 * or already removed person, the actor themselves, or the last administrator.
 */
export function removePerson(db: Db, personId: number, actor: Actor, now: Date, reason: string | null): RemovalResult {
  return db.transaction((tx) => {
    const seen = removalPreview(tx, personId, actor);
    // A pragma is not undone by a rollback: the connection's own setting comes back whatever happens.
    const secureDelete = tx.get<{ secure_delete: number }>(sql`pragma secure_delete`).secure_delete;
    tx.run(sql`pragma secure_delete = on`);
    try {
      return erase(tx, seen, actor, now, reason);
    } finally {
      tx.run(sql.raw(`pragma secure_delete = ${secureDelete === 2 ? 'fast' : secureDelete ? 'on' : 'off'}`));
    }
  });
}

/** The removal itself, inside removePerson's transaction. */
function erase(tx: Db, seen: RemovalPreview, actor: Actor, now: Date, reason: string | null): RemovalResult {
  const { personId } = seen;
  const at = now.getTime();
  const label = removedPersonName(personId);
  const accounts = tx.select().from(identities).where(eq(identities.personId, personId)).all();
  const platformIds = new Set(accounts.map((a) => a.platformUserId));
  // What they were called, longest first so "Nguyễn Văn An (xã Hòa Phú)" goes before "Nguyễn Văn An";
  // a username only as "@name", where it cannot be a piece of an ordinary word.
  const names = [...new Set([seen.displayName, ...accounts.map((a) => a.displayName), ...accounts.flatMap((a) => (a.username ? [`@${a.username}`] : []))])]
    .map((n) => n.normalize('NFC').trim())
    .filter((n) => n.length >= 2)
    .sort((a, b) => b.length - a.length);

  // A private chat with the bot is theirs alone: its id is their platform id, its title their name.
  const privateChats = tx
    .select({ id: chats.id, platform: chats.platform, platformChatId: chats.platformChatId })
    .from(chats)
    .innerJoin(chatMembers, and(eq(chatMembers.chatId, chats.id), eq(chatMembers.personId, personId)))
    .where(and(eq(chats.kind, 'private'), sql`not exists (select 1 from ${chatMembers} m where m.chat_id = ${chats.id} and m.person_id <> ${personId})`))
    .all();
  const privateChatIds = new Set(privateChats.map((c) => c.platformChatId));

  for (const account of accounts) {
    tx.delete(conversations)
      .where(and(eq(conversations.platform, account.platform), eq(conversations.userId, account.platformUserId)))
      .run();
  }
  tx.delete(linkCodes).where(eq(linkCodes.personId, personId)).run();
  // A request of theirs waiting on someone else's code is dropped; the code stays its owner's.
  tx.update(linkCodes).set({ redeemerPersonId: null, redeemedAt: null }).where(eq(linkCodes.redeemerPersonId, personId)).run();
  tx.delete(joinBlocks).where(eq(joinBlocks.personId, personId)).run();
  tx.delete(roles).where(eq(roles.personId, personId)).run();
  for (const chat of privateChats) {
    // The link row stays for the file's purge and the audit trail; where it went does not.
    tx.update(fileLinks)
      .set({ platformChatId: '' })
      .where(and(eq(fileLinks.platform, chat.platform), eq(fileLinks.platformChatId, chat.platformChatId)))
      .run();
  }
  tx.delete(chatMembers).where(eq(chatMembers.personId, personId)).run();
  if (privateChats.length > 0) {
    tx.delete(chats)
      .where(
        inArray(
          chats.id,
          privateChats.map((c) => c.id),
        ),
      )
      .run();
  }
  tx.delete(identities).where(eq(identities.personId, personId)).run();

  scrubReminders(tx, platformIds, names, label);
  scrubAudit(tx, personId, { platformIds, privateChatIds, names, label });

  tx.update(people).set({ displayName: label, position: null, unitId: null, removedAt: at, updatedAt: at }).where(eq(people.id, personId)).run();
  const typed = reason === null ? null : replaceNames(reason, names, label);
  recordAudit(tx, actor, now, { action: 'person.remove', entity: 'person', entityId: personId, after: { reason: typed } });
  return { personId, modelsKept: seen.modelsKept, updatesKept: seen.updatesKept };
}

/** Reminders (queued or sent) that mention the person: the mention and their name become the label. */
function scrubReminders(tx: Db, platformIds: ReadonlySet<string>, names: readonly string[], label: string): void {
  const needles = [...platformIds, ...names];
  if (needles.length === 0) return;
  const rows = tx
    .select({ id: reminderOutbox.id, payload: reminderOutbox.payload })
    .from(reminderOutbox)
    .where(or(...needles.map((n) => sql`instr(${reminderOutbox.payload}, ${JSON.stringify(n).slice(1, -1)}) > 0`)))
    .all();
  for (const row of rows) {
    const parts = Array.isArray(row.payload.parts) ? (row.payload.parts as TextPart[]) : [];
    const scrubbed = parts.map((part) =>
      typeof part === 'string' ? replaceNames(part, names, label) : platformIds.has(part.mention.platformUserId) ? label : part,
    );
    tx.update(reminderOutbox)
      .set({ payload: { ...row.payload, parts: scrubbed } })
      .where(eq(reminderOutbox.id, row.id))
      .run();
  }
}

/**
 * The audit trail keeps what happened and drops who they were: their guesses at codes go, the rows
 * they wrote get the label as actor, and the names, usernames and platform ids stored in the rows
 * by or about them are replaced (first contact, accounts linked). Rows are matched by id, never by
 * name, so a namesake's rows are left alone.
 */
function scrubAudit(
  tx: Db,
  personId: number,
  seen: { platformIds: ReadonlySet<string>; privateChatIds: ReadonlySet<string>; names: readonly string[]; label: string },
): void {
  tx.delete(auditLog)
    .where(and(eq(auditLog.actorPersonId, personId), inArray(auditLog.action, [JOIN_FAILED, LINK_FAILED])))
    .run();
  tx.update(auditLog).set({ actorLabel: seen.label }).where(eq(auditLog.actorPersonId, personId)).run();
  const about = or(eq(auditLog.actorPersonId, personId), and(eq(auditLog.entity, 'person'), eq(auditLog.entityId, String(personId))));
  const rows = tx.select({ id: auditLog.id, before: auditLog.before, after: auditLog.after }).from(auditLog).where(about).all();
  for (const row of rows) {
    const before = scrubValue(row.before, seen);
    const after = scrubValue(row.after, seen);
    if (JSON.stringify(before) === JSON.stringify(row.before) && JSON.stringify(after) === JSON.stringify(row.after)) continue;
    tx.update(auditLog).set({ before, after }).where(eq(auditLog.id, row.id)).run();
  }
  // A file sent by link to their private chat: the download's row named that chat (their platform id).
  for (const chatId of seen.privateChatIds) {
    const downloads = tx
      .select({ id: auditLog.id, after: auditLog.after })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'file_link.download'), sql`json_extract(${auditLog.after}, '$.chatId') = ${chatId}`))
      .all();
    for (const row of downloads) {
      tx.update(auditLog)
        .set({ after: { ...(row.after as Record<string, unknown>), chatId: null } })
        .where(eq(auditLog.id, row.id))
        .run();
    }
  }
}

const PERSONAL_KEYS: Record<string, 'name' | 'drop'> = { displayName: 'name', username: 'drop', platformUserId: 'drop' };

/** A before/after snapshot with the person's names and ids replaced, anywhere in it. */
function scrubValue(value: unknown, seen: { platformIds: ReadonlySet<string>; names: readonly string[]; label: string }): unknown {
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, seen));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const kind = Object.hasOwn(PERSONAL_KEYS, key) ? PERSONAL_KEYS[key] : undefined;
      if (kind === 'name' && typeof v === 'string') out[key] = seen.label;
      else if (kind === 'drop') out[key] = null;
      else out[key] = scrubValue(v, seen);
    }
    return out;
  }
  if (typeof value === 'string') return seen.platformIds.has(value) ? null : replaceNames(value, seen.names, seen.label);
  return value;
}

/** The text with each of the names (any case, as whole words) replaced by the label: "An" leaves "Thanh" alone. */
function replaceNames(text: string, names: readonly string[], label: string): string {
  let out = text.normalize('NFC');
  for (const name of names) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'giu'), label);
  }
  return out;
}
