import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm';
import { recordAudit, SYSTEM_ACTOR } from './audit.js';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { fileLinks } from './schema.js';

/**
 * Files the bot serves by link (what a platform cannot carry: the Zalo OA takes only small
 * PDF/DOC/DOCX files): one row per offered file, kept after the file is gone so the trail of who
 * was sent what, and how often it was fetched, stays.
 *
 * Only the token's SHA-256 is stored: a copy of the database (a backup) hands out no working link.
 * A download is counted and written to the audit log in one transaction. No IP address or user
 * agent is kept: the link is meant for the group it was sent to, and who in it fetched it is
 * personal data the bot does not need.
 */

export type FileLink = typeof fileLinks.$inferSelect;

export interface NewFileLink {
  tokenHash: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  storedName: string;
  platform: FileLink['platform'];
  platformChatId: string;
  createdAt: number;
  expiresAt: number;
}

export function insertFileLink(db: Db, link: NewFileLink): FileLink {
  return db.insert(fileLinks).values(link).returning().get();
}

/** The link whose token hashes to `tokenHash`; the lookup is by the hash, so nothing is compared against the token itself. */
export function fileLinkByTokenHash(db: Db, tokenHash: string): FileLink | undefined {
  return prepared(db, prepareByHash).get({ tokenHash });
}

/**
 * Counts one complete download of link `id` and writes its audit row ('file_link.download'):
 * the file's name and size and the chat it was sent to. Returns the updated row, or undefined
 * when there is no such link.
 */
export function recordFileLinkDownload(db: Db, id: number, at: Date): FileLink | undefined {
  return db.transaction((tx) => {
    const row = tx
      .update(fileLinks)
      .set({ downloads: sql`${fileLinks.downloads} + 1`, lastDownloadAt: at.getTime() })
      .where(eq(fileLinks.id, id))
      .returning()
      .get();
    if (!row) return undefined;
    recordAudit(tx, SYSTEM_ACTOR, at, {
      action: 'file_link.download',
      entity: 'file_link',
      entityId: row.id,
      after: {
        fileName: row.fileName,
        sizeBytes: row.sizeBytes,
        platform: row.platform,
        chatId: row.platformChatId,
        downloads: row.downloads,
      },
    });
    return row;
  });
}

/** Links whose time is up (at or before `now`) and whose file is still on disk, oldest first. */
export function expiredUnpurgedFileLinks(db: Db, now: Date): FileLink[] {
  return db
    .select()
    .from(fileLinks)
    .where(and(isNull(fileLinks.purgedAt), lte(fileLinks.expiresAt, now.getTime())))
    .orderBy(asc(fileLinks.expiresAt))
    .all();
}

/** Records that the file of link `id` was deleted from disk; the row stays. */
export function markFileLinkPurged(db: Db, id: number, at: Date): void {
  db.update(fileLinks)
    .set({ purgedAt: at.getTime() })
    .where(and(eq(fileLinks.id, id), isNull(fileLinks.purgedAt)))
    .run();
}

function prepareByHash(db: Db) {
  return db
    .select()
    .from(fileLinks)
    .where(eq(fileLinks.tokenHash, sql.placeholder('tokenHash')))
    .prepare();
}
