import { and, count, desc, eq, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { auditLog, chats, deadlines, models, people } from './schema.js';

/** Reading the audit trail (`/nhatky`); writing it is `audit.ts`. */

export interface AuditLogRow {
  id: number;
  at: number;
  actorPersonId: number | null;
  actorLabel: string;
  /** The actor's display name now, null when the actor is not a person (or was deleted). */
  actorName: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

export type AuditFilter = { unitId: number } | { modelId: number } | { personId: number };

/** What a filter matches: the thing itself, and what hangs off it (a model's updates, a unit's models and roles). */
function whereOf(filter: AuditFilter | undefined): SQL | undefined {
  if (!filter) return undefined;
  const isUpdate = eq(auditLog.entity, 'progress_update');
  if ('modelId' in filter) {
    const id = filter.modelId;
    return or(and(eq(auditLog.entity, 'model'), eq(auditLog.entityId, String(id))), and(isUpdate, sql`json_extract(${auditLog.after}, '$.modelId') = ${id}`));
  }
  if ('personId' in filter) {
    const id = filter.personId;
    return or(eq(auditLog.actorPersonId, id), and(eq(auditLog.entity, 'person'), eq(auditLog.entityId, String(id))));
  }
  const id = filter.unitId;
  return or(
    and(eq(auditLog.entity, 'unit'), eq(auditLog.entityId, String(id))),
    and(eq(auditLog.entity, 'unit_quota'), sql`${auditLog.entityId} like ${`${id}:%`}`),
    // Models, roles, joins, group bindings, quotas and deadlines all name their unit.
    sql`json_extract(${auditLog.after}, '$.unitId') = ${id}`,
    sql`json_extract(${auditLog.before}, '$.unitId') = ${id}`,
    and(isUpdate, sql`json_extract(${auditLog.after}, '$.modelId') in (select ${models.id} from ${models} where ${models.unitId} = ${id})`),
  );
}

/** One page of the trail, newest first, and how many rows the filter matches in all. */
export function auditPage(db: Db, filter: AuditFilter | undefined, page: number, pageSize: number): { total: number; rows: AuditLogRow[] } {
  const where = whereOf(filter);
  const total = db.select({ n: count() }).from(auditLog).where(where).get()?.n ?? 0;
  const rows = db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      actorPersonId: auditLog.actorPersonId,
      actorLabel: auditLog.actorLabel,
      actorName: people.displayName,
      action: auditLog.action,
      entity: auditLog.entity,
      entityId: auditLog.entityId,
      before: auditLog.before,
      after: auditLog.after,
    })
    .from(auditLog)
    .leftJoin(people, eq(people.id, auditLog.actorPersonId))
    .where(where)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  return { total, rows };
}

// What the trail's rows point at, looked up by id: the row may outlive what it names.

export function personNameById(db: Pick<Db, 'select'>, id: number): string | undefined {
  return db.select({ name: people.displayName }).from(people).where(eq(people.id, id)).get()?.name;
}

export function chatTitleById(db: Pick<Db, 'select'>, id: number): string | null | undefined {
  return db.select({ title: chats.title }).from(chats).where(eq(chats.id, id)).get()?.title;
}

export function deadlineTitleById(db: Pick<Db, 'select'>, id: number): string | undefined {
  return db.select({ title: deadlines.title }).from(deadlines).where(eq(deadlines.id, id)).get()?.title;
}
