import { and, asc, eq, isNotNull, lte, sql } from 'drizzle-orm';
import type { Platform } from '../core/chat.js';
import type { Db } from './client.js';
import type { EvidenceStore, SweepResult } from './evidenceStore.js';
import { inJsonList, prepared } from './prepared.js';
import { attachments, progressUpdates } from './schema.js';
import type { AttachmentRow } from './updates.js';

/**
 * Where each attachment's kept copy stands (the `evidence_state` columns of `attachments`): the
 * queue the fetcher works through, what it records, and what the card and the export read.
 */

/**
 * What commands reach of the evidence keeper (bot/evidenceKeeper.ts), through the database handle
 * they are given, as /baocao reaches the report queue: no new field on every command's context.
 */
export interface EvidenceService {
  /** New attachments were saved (or a retry came due): fetch what waits, in the background. */
  wake(): void;
  /** Deletes kept files no row refers to any more; serialised with the downloads. */
  sweep(): Promise<SweepResult>;
  readonly store: EvidenceStore;
}

const SERVICES = new WeakMap<Db, EvidenceService>();

export function attachEvidence(db: Db, service: EvidenceService): void {
  SERVICES.set(db, service);
}

/** Undefined for a database opened without a keeper (a tool, some tests): attachments then wait. */
export function evidenceFor(db: Db): EvidenceService | undefined {
  return SERVICES.get(db);
}

/** The attachment waiting longest whose download is due now, on one of `platforms`. */
export function nextDueAttachment(db: Db, platforms: readonly Platform[], now: Date): AttachmentRow | undefined {
  return prepared(db, prepareNextDue).get({ now: now.getTime(), platforms: JSON.stringify(platforms) });
}

function prepareNextDue(db: Db) {
  return db
    .select()
    .from(attachments)
    .where(
      and(
        // The partial index attachments_pending_idx holds exactly these rows, by next_fetch_at
        // (set when a row is saved, so none waits with a null).
        eq(attachments.evidenceState, 'pending'),
        lte(attachments.nextFetchAt, sql.placeholder('now')),
        inJsonList(attachments.platform, 'platforms'),
      ),
    )
    .orderBy(asc(attachments.nextFetchAt), asc(attachments.id))
    .prepare();
}

export function markStored(db: Db, id: number, kept: { sha256: string; bytes: number }, now: Date): void {
  db.update(attachments)
    .set({
      evidenceState: 'stored',
      sha256: kept.sha256,
      storedBytes: kept.bytes,
      storedAt: now.getTime(),
      fetchAttempts: sql`${attachments.fetchAttempts} + 1`,
      nextFetchAt: null,
      fetchError: null,
    })
    .where(eq(attachments.id, id))
    .run();
}

/** Nothing of it is kept: larger than the cap (announced or found while downloading). */
export function markTooLarge(db: Db, id: number, reason: string): void {
  db.update(attachments).set({ evidenceState: 'too_large', nextFetchAt: null, fetchError: reason }).where(eq(attachments.id, id)).run();
}

/** A download failed: tried again at `retryAt`, or given up on when there is none. */
export function markFetchFailed(db: Db, id: number, reason: string, retryAt: Date | undefined): void {
  db.update(attachments)
    .set({
      evidenceState: retryAt ? 'pending' : 'failed',
      fetchAttempts: sql`${attachments.fetchAttempts} + 1`,
      nextFetchAt: retryAt ? retryAt.getTime() : null,
      fetchError: reason,
    })
    .where(eq(attachments.id, id))
    .run();
}

/** Every hash a row still points at: a kept file outside this set belongs to no update any more. */
export function referencedHashes(db: Db): Set<string> {
  const rows = db.selectDistinct({ sha256: attachments.sha256 }).from(attachments).where(isNotNull(attachments.sha256)).all();
  return new Set(rows.map((r) => r.sha256!));
}

/** The attachments of these updates, in the order they were sent (a model card shows them). */
export function attachmentsOfUpdates(db: Db, updateIds: readonly number[]): AttachmentRow[] {
  if (updateIds.length === 0) return [];
  return prepared(db, prepareOfUpdates).all({ updateIds: JSON.stringify(updateIds) });
}

function prepareOfUpdates(db: Db) {
  return db.select().from(attachments).where(inJsonList(attachments.updateId, 'updateIds')).orderBy(asc(attachments.id)).prepare();
}

export interface ModelEvidence {
  attachment: AttachmentRow;
  /** When the update it came with was first sent. */
  updateCreatedAt: number;
}

/** Every attachment of a model's updates, oldest first: what an export writes out. */
export function evidenceOfModel(db: Db, modelId: number): ModelEvidence[] {
  return db
    .select({ attachment: attachments, updateCreatedAt: progressUpdates.createdAt })
    .from(attachments)
    .innerJoin(progressUpdates, eq(progressUpdates.id, attachments.updateId))
    .where(eq(progressUpdates.modelId, modelId))
    .orderBy(asc(progressUpdates.createdAt), asc(attachments.id))
    .all();
}
