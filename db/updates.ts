import { and, desc, eq, sql } from 'drizzle-orm';
import type { Platform } from '../core/chat.js';
import { type Period, periodOf } from '../core/clock.js';
import { type Actor, recordAudit } from './audit.js';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { attachments, type ProgressState, progressUpdates } from './schema.js';

export type UpdateRow = typeof progressUpdates.$inferSelect;
export type AttachmentRow = typeof attachments.$inferSelect;

export interface NewAttachment {
  platform: Platform;
  kind: AttachmentRow['kind'];
  /** What the platform needs to fetch it again (Telegram file_id, Zalo URL, a simulator path). */
  ref: string;
  fileName?: string | null;
  mimeType?: string | null;
  sizeBytes?: number | null;
}

export interface UpdateInput {
  text: string;
  /** null when only a state was given ("đang triển khai"). */
  percent: number | null;
  progressState: ProgressState;
  attachments: readonly NewAttachment[];
}

/** The most recent update of a model counting for that month, whoever wrote it. */
export function latestUpdateInPeriod(db: Pick<Db, 'select'>, modelId: number, period: Pick<Period, 'year' | 'month'>): UpdateRow | undefined {
  return prepared(db, prepareLatest).get({ modelId, year: period.year, month: period.month });
}

/**
 * /capnhat asks it at every step (does the month already have an update?): built once per
 * connection. No LIMIT: `.get()` reads one row and the index gives them newest first. A bound
 * `limit ?` (what drizzle's `.limit(1)` writes) makes SQLite re-plan the statement every time it
 * runs, which costs ten times the lookup itself.
 */
function prepareLatest(db: Pick<Db, 'select'>) {
  return db
    .select()
    .from(progressUpdates)
    .where(
      and(
        eq(progressUpdates.modelId, sql.placeholder('modelId')),
        eq(progressUpdates.periodYear, sql.placeholder('year')),
        eq(progressUpdates.periodMonth, sql.placeholder('month')),
      ),
    )
    .orderBy(desc(progressUpdates.createdAt), desc(progressUpdates.id))
    .prepare();
}

export function attachmentsOf(db: Pick<Db, 'select'>, updateId: number): AttachmentRow[] {
  return prepared(db, prepareAttachmentsOf).all({ updateId });
}

function prepareAttachmentsOf(db: Pick<Db, 'select'>) {
  return db
    .select()
    .from(attachments)
    .where(eq(attachments.updateId, sql.placeholder('updateId')))
    .orderBy(attachments.id)
    .prepare();
}

/**
 * A new update, counting for the Vietnamese month and quarter of `now`, with its attachments
 * and an audit row. Runs inside the caller's transaction.
 */
export function addUpdate(tx: Db, modelId: number, input: UpdateInput, actor: Actor, now: Date): UpdateRow {
  const at = now.getTime();
  const period = periodOf(now);
  const row = prepared(tx, prepareAdd).get({
    modelId,
    authorPersonId: actor.personId,
    text: input.text,
    percent: input.percent,
    progressState: input.progressState,
    periodYear: period.year,
    periodMonth: period.month,
    periodQuarter: period.quarter,
    at,
  });
  const added = insertAttachments(tx, row.id, input.attachments, at);
  recordAudit(tx, actor, now, { action: 'update.add', entity: 'progress_update', entityId: row.id, after: { ...row, attachments: added } });
  return row;
}

/** Every /capnhat saved as a new update. */
function prepareAdd(db: Db) {
  const value = (key: string) => sql.placeholder(key);
  return db
    .insert(progressUpdates)
    .values({
      modelId: value('modelId'),
      authorPersonId: value('authorPersonId'),
      text: value('text'),
      percent: value('percent'),
      progressState: value('progressState'),
      periodYear: value('periodYear'),
      periodMonth: value('periodMonth'),
      periodQuarter: value('periodQuarter'),
      createdAt: value('at'),
      updatedAt: value('at'),
    })
    .returning()
    .prepare();
}

/**
 * Rewrites an update in place (same id, same period): the text and progress become the new
 * ones and the editor its author. Earlier attachments stay, since evidence once sent should not
 * vanish because a sentence was corrected; new ones are added. The audit row keeps before/after.
 */
export function editUpdate(tx: Db, existing: UpdateRow, input: UpdateInput, actor: Actor, now: Date): UpdateRow {
  const at = now.getTime();
  const before = { ...existing, attachments: attachmentsOf(tx, existing.id) };
  const row = tx
    .update(progressUpdates)
    .set({ text: input.text, percent: input.percent, progressState: input.progressState, authorPersonId: actor.personId, updatedAt: at })
    .where(eq(progressUpdates.id, existing.id))
    .returning()
    .get();
  insertAttachments(tx, row.id, input.attachments, at);
  recordAudit(tx, actor, now, {
    action: 'update.edit',
    entity: 'progress_update',
    entityId: row.id,
    before,
    after: { ...row, attachments: attachmentsOf(tx, row.id) },
  });
  return row;
}

function insertAttachments(tx: Db, updateId: number, list: readonly NewAttachment[], at: number): AttachmentRow[] {
  return list.map((a) =>
    tx
      .insert(attachments)
      .values({
        updateId,
        platform: a.platform,
        kind: a.kind,
        ref: a.ref,
        fileName: a.fileName ?? null,
        mimeType: a.mimeType ?? null,
        sizeBytes: a.sizeBytes ?? null,
        createdAt: at,
        // Due at once: the evidence keeper fetches a copy while the link still works.
        nextFetchAt: at,
      })
      .returning()
      .get(),
  );
}
