import { and, asc, count, desc, eq, or, type SQL } from 'drizzle-orm';
import type { Platform } from '../core/chat.js';
import type { Db } from './client.js';
import {
  attachments,
  auditLog,
  chatMembers,
  chats,
  identities,
  joinBlocks,
  type ModelState,
  models,
  people,
  type ProgressState,
  progressUpdates,
  type Role,
  roles,
} from './schema.js';

/**
 * Everything the database holds about one person, read for the person themself (`/toi`, and the
 * file of `/toi taive`: Law 91/2025's right to see one's data and to take a copy). Rows only; what
 * of another person may be shown is the caller's decision (commands/shared/personDataExport.ts).
 */

export type PersonRow = typeof people.$inferSelect;
export type IdentityRow = typeof identities.$inferSelect;

export interface PersonRole {
  role: Role;
  /** null: the whole deployment. */
  unitId: number | null;
  grantedBy: number | null;
  createdAt: number;
}

export interface PersonChat {
  platform: Platform;
  kind: 'group' | 'private';
  title: string | null;
  lastSeenAt: number;
}

export interface PersonModel {
  id: number;
  code: string;
  year: number;
  name: string;
  unitId: number;
  state: ModelState;
  createdAt: number;
}

export interface PersonUpdate {
  id: number;
  modelCode: string;
  text: string;
  percent: number | null;
  progressState: ProgressState | null;
  periodYear: number;
  periodMonth: number;
  createdAt: number;
  updatedAt: number;
  attachments: Array<{ kind: string; fileName: string | null; mimeType: string | null; sizeBytes: number | null; createdAt: number }>;
}

export type AuditRow = typeof auditLog.$inferSelect;

export function personRow(db: Pick<Db, 'select'>, personId: number): PersonRow | undefined {
  return db.select().from(people).where(eq(people.id, personId)).get();
}

/** Every platform account of the person, oldest first. */
export function identitiesOfPerson(db: Pick<Db, 'select'>, personId: number): IdentityRow[] {
  return db.select().from(identities).where(eq(identities.personId, personId)).orderBy(asc(identities.id)).all();
}

export function rolesOfPerson(db: Pick<Db, 'select'>, personId: number): PersonRole[] {
  return db
    .select({ role: roles.role, unitId: roles.unitId, grantedBy: roles.grantedBy, createdAt: roles.createdAt })
    .from(roles)
    .where(eq(roles.personId, personId))
    .orderBy(asc(roles.id))
    .all();
}

/** Units whose join code no longer takes the person in (their officer role there was taken back). */
export function joinBlocksOfPerson(db: Pick<Db, 'select'>, personId: number): Array<{ unitId: number; createdAt: number }> {
  return db
    .select({ unitId: joinBlocks.unitId, createdAt: joinBlocks.createdAt })
    .from(joinBlocks)
    .where(eq(joinBlocks.personId, personId))
    .orderBy(asc(joinBlocks.createdAt))
    .all();
}

/** The chats the person was seen in, and when last. */
export function chatsOfPerson(db: Pick<Db, 'select'>, personId: number): PersonChat[] {
  return db
    .select({ platform: chats.platform, kind: chats.kind, title: chats.title, lastSeenAt: chatMembers.lastSeenAt })
    .from(chatMembers)
    .innerJoin(chats, eq(chats.id, chatMembers.chatId))
    .where(eq(chatMembers.personId, personId))
    .orderBy(asc(chats.id))
    .all();
}

/** The models the person registered, by code. */
export function modelsRegisteredBy(db: Pick<Db, 'select'>, personId: number): PersonModel[] {
  return db
    .select({ id: models.id, code: models.code, year: models.year, name: models.name, unitId: models.unitId, state: models.state, createdAt: models.createdAt })
    .from(models)
    .where(eq(models.createdBy, personId))
    .orderBy(asc(models.code))
    .all();
}

/** The progress updates the person wrote, oldest first, with what the files sent along were called. */
export function updatesAuthoredBy(db: Pick<Db, 'select'>, personId: number): PersonUpdate[] {
  const rows = db
    .select({
      id: progressUpdates.id,
      modelCode: models.code,
      text: progressUpdates.text,
      percent: progressUpdates.percent,
      progressState: progressUpdates.progressState,
      periodYear: progressUpdates.periodYear,
      periodMonth: progressUpdates.periodMonth,
      createdAt: progressUpdates.createdAt,
      updatedAt: progressUpdates.updatedAt,
    })
    .from(progressUpdates)
    .innerJoin(models, eq(models.id, progressUpdates.modelId))
    .where(eq(progressUpdates.authorPersonId, personId))
    .orderBy(asc(progressUpdates.createdAt), asc(progressUpdates.id))
    .all();
  return rows.map((row) => ({
    ...row,
    attachments: db
      .select({
        kind: attachments.kind,
        fileName: attachments.fileName,
        mimeType: attachments.mimeType,
        sizeBytes: attachments.sizeBytes,
        createdAt: attachments.createdAt,
      })
      .from(attachments)
      .where(eq(attachments.updateId, row.id))
      .orderBy(asc(attachments.id))
      .all(),
  }));
}

/**
 * The audit rows about the person: what they did, and what was done to their person row (by them,
 * an admin or the system). The same rows as `/nhatky #id` (db/auditLog.ts).
 */
function aboutPerson(personId: number): SQL | undefined {
  return or(eq(auditLog.actorPersonId, personId), and(eq(auditLog.entity, 'person'), eq(auditLog.entityId, String(personId))));
}

export function auditCountAbout(db: Pick<Db, 'select'>, personId: number): number {
  return db.select({ n: count() }).from(auditLog).where(aboutPerson(personId)).get()?.n ?? 0;
}

/** Newest first; every row when `limit` is left out (the export is never capped). */
export function auditRowsAbout(db: Pick<Db, 'select'>, personId: number, limit?: number): AuditRow[] {
  const query = db.select().from(auditLog).where(aboutPerson(personId)).orderBy(desc(auditLog.at), desc(auditLog.id));
  return limit === undefined ? query.all() : query.limit(limit).all();
}

/** Who holds the admin role now: an admin's act on the person is shown as "quản trị #id". */
export function adminIds(db: Pick<Db, 'selectDistinct'>): Set<number> {
  return new Set(
    db
      .selectDistinct({ personId: roles.personId })
      .from(roles)
      .where(eq(roles.role, 'admin'))
      .all()
      .map((r) => r.personId),
  );
}
