import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FetchAttachment } from '../../bot/attachmentFetch.js';
import { createCore } from '../../bot/app.js';
import { fixedClock } from '../../core/clock.js';
import { silentLogger } from '../../bot/logger.js';
import { openDatabase } from '../../db/client.js';
import { seedDemo } from '../../db/seed/demo.js';
import { migrationsUpTo } from '../helpers/nextMigration.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-evidence-migration-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const clock = fixedClock('2026-03-10T09:00:00+07:00');

describe('attachments with evidence columns (migration 0005)', () => {
  it('an upgraded database keeps its attachments as they were and fetches a copy of each', async () => {
    const path = join(dir, 'dvk.sqlite');
    const old = await openDatabase(path, { clock, migrationsFolder: migrationsUpTo(dir, '0004_authorization') });
    seedDemo(old.db, clock.now());
    const update = old.sqlite.prepare('select id from progress_updates order by id limit 1').get() as { id: number };
    const sentAt = clock.now().getTime() - 86_400_000;
    old.sqlite
      .prepare(
        `insert into attachments (update_id, platform, kind, ref, file_name, mime_type, size_bytes, created_at)
         values (?, 'telegram', 'document', 'BQACAgUAAxkBAAIBold', 'bien-ban.pdf', 'application/pdf', 8, ?)`,
      )
      .run(update.id, sentAt);
    old.close();

    const requested: string[] = [];
    const telegram: FetchAttachment = async (attachment) => {
      requested.push(attachment.ref);
      return {
        body: (async function* () {
          yield Buffer.from('%PDF-1.4');
        })(),
      };
    };
    const core = await createCore({
      dbPath: path,
      clock,
      log: silentLogger,
      flowTtlMinutes: 60,
      deliver: async () => ({ messageId: '1' }),
      evidence: { fetchers: { telegram } },
    });
    try {
      expect(core.database.backupPath).not.toBeNull();
      await core.evidence!.idle();
      expect(requested).toEqual(['BQACAgUAAxkBAAIBold']);
      const row = core.database.sqlite
        .prepare('select ref, file_name, mime_type, size_bytes, created_at, evidence_state, stored_bytes, fetch_attempts, next_fetch_at from attachments')
        .get();
      expect(row).toEqual({
        ref: 'BQACAgUAAxkBAAIBold',
        file_name: 'bien-ban.pdf',
        mime_type: 'application/pdf',
        size_bytes: 8,
        created_at: sentAt,
        evidence_state: 'stored',
        stored_bytes: 8,
        fetch_attempts: 1,
        next_fetch_at: null,
      });
      expect(core.database.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      core.close();
    }
  });
});
