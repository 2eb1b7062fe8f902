import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import { type AppDatabase, openDatabase } from '../../db/client.js';
import {
  expiredUnpurgedFileLinks,
  fileLinkByTokenHash,
  insertFileLink,
  markFileLinkPurged,
  type NewFileLink,
  recordFileLinkDownload,
} from '../../db/fileLinks.js';
import { auditLog } from '../../db/schema.js';
import { upgradedFrom } from '../helpers/nextMigration.js';

const clock = fixedClock('2026-03-10T09:00:00+07:00');
const T0 = clock.now().getTime();
const HOUR = 3_600_000;

let app: AppDatabase;
beforeEach(async () => {
  clock.set(new Date(T0));
  app = await openDatabase(':memory:');
});
afterEach(() => app.close());

const link = (n: number, over: Partial<NewFileLink> = {}): NewFileLink => ({
  tokenHash: String(n).repeat(64).slice(0, 64),
  fileName: `Báo cáo quý ${n}.xlsx`,
  mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  sizeBytes: 1000 + n,
  storedName: `stored-${n}`,
  platform: 'zalo-oa',
  platformChatId: 'g-579745863508352884',
  createdAt: T0,
  expiresAt: T0 + 72 * HOUR,
  ...over,
});

const audits = () => app.db.select().from(auditLog).where(eq(auditLog.action, 'file_link.download')).all();

describe('the file link rows', () => {
  it('are found by the hash of their token, and a second link with the same hash is refused', () => {
    const row = insertFileLink(app.db, link(1));
    expect(row).toMatchObject({ ...link(1), downloads: 0, lastDownloadAt: null, purgedAt: null });
    expect(fileLinkByTokenHash(app.db, link(1).tokenHash)?.id).toBe(row.id);
    expect(fileLinkByTokenHash(app.db, link(2).tokenHash)).toBeUndefined();
    expect(() => insertFileLink(app.db, link(1, { storedName: 'other' }))).toThrow(/UNIQUE/);
  });

  it('count each download and write one audit row for it, with the file and the chat but no one’s address', () => {
    const row = insertFileLink(app.db, link(1));
    recordFileLinkDownload(app.db, row.id, new Date(T0 + HOUR));
    const second = recordFileLinkDownload(app.db, row.id, new Date(T0 + 2 * HOUR));
    expect(second).toMatchObject({ downloads: 2, lastDownloadAt: T0 + 2 * HOUR });
    const rows = audits();
    expect(rows.map((r) => [r.at, r.actorPersonId, r.actorLabel, r.entity, r.entityId])).toEqual([
      [T0 + HOUR, null, 'system', 'file_link', String(row.id)],
      [T0 + 2 * HOUR, null, 'system', 'file_link', String(row.id)],
    ]);
    expect(rows[1]?.after).toEqual({ fileName: 'Báo cáo quý 1.xlsx', sizeBytes: 1001, platform: 'zalo-oa', chatId: 'g-579745863508352884', downloads: 2 });
    expect(rows[1]?.before).toBeNull();
  });

  it('record nothing for a link that does not exist', () => {
    expect(recordFileLinkDownload(app.db, 999, new Date(T0))).toBeUndefined();
    expect(audits()).toEqual([]);
  });

  it('list the links expired by now whose files are still on disk, and drop them once marked purged', () => {
    const a = insertFileLink(app.db, link(1, { expiresAt: T0 }));
    const b = insertFileLink(app.db, link(2, { expiresAt: T0 - HOUR }));
    insertFileLink(app.db, link(3, { expiresAt: T0 + 1 }));
    expect(expiredUnpurgedFileLinks(app.db, new Date(T0)).map((r) => r.id)).toEqual([b.id, a.id]);
    markFileLinkPurged(app.db, b.id, new Date(T0));
    expect(expiredUnpurgedFileLinks(app.db, new Date(T0)).map((r) => r.id)).toEqual([a.id]);
    expect(fileLinkByTokenHash(app.db, link(2).tokenHash)?.purgedAt).toBe(T0);
    // A second mark keeps the first instant.
    markFileLinkPurged(app.db, b.id, new Date(T0 + HOUR));
    expect(fileLinkByTokenHash(app.db, link(2).tokenHash)?.purgedAt).toBe(T0);
  });
});

describe('migration 0007', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dvk-file-links-db-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an upgraded database gains the table, empty, with its unique token index', async () => {
    const { upgraded, hadTable } = await upgradedFrom(dir, join(dir, 'dvk.sqlite'), '0006_zalo_oa_tokens', 'file_links', clock);
    try {
      expect(hadTable).toBe(false);
      expect(upgraded.backupPath).not.toBeNull();
      const indexes = upgraded.sqlite.prepare('select name, "unique" as u from pragma_index_list(\'file_links\') order by name').all();
      expect(indexes).toEqual([
        { name: 'file_links_token_hash_uq', u: 1 },
        { name: 'file_links_unpurged_idx', u: 0 },
      ]);
      const row = insertFileLink(upgraded.db, link(1));
      expect(fileLinkByTokenHash(upgraded.db, link(1).tokenHash)?.id).toBe(row.id);
    } finally {
      upgraded.close();
    }
  });
});
