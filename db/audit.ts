import { sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { auditLog } from './schema.js';

export interface Actor {
  personId: number | null;
  /** Who, readable in the trail even if the person is deleted: "Nguyễn Văn An (telegram:123)", "cli", "system". */
  label: string;
}

export const SYSTEM_ACTOR: Actor = { personId: null, label: 'system' };

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
}

/** Writes one audit row; call it inside the transaction that makes the change. */
export function recordAudit(db: Pick<Db, 'insert'>, actor: Actor, at: Date, entry: AuditEntry): void {
  prepared(db, prepareInsert).run({
    at: at.getTime(),
    actorPersonId: actor.personId,
    actorLabel: actor.label,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId == null ? null : String(entry.entityId),
    before: entry.before ?? null,
    after: entry.after ?? null,
  });
}

function prepareInsert(db: Pick<Db, 'insert'>) {
  const p = sql.placeholder;
  return db
    .insert(auditLog)
    .values({
      at: p('at'),
      actorPersonId: p('actorPersonId'),
      actorLabel: p('actorLabel'),
      action: p('action'),
      entity: p('entity'),
      entityId: p('entityId'),
      before: p('before'),
      after: p('after'),
    })
    .prepare();
}
