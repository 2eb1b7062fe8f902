import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FetchAttachment } from '../../bot/attachmentFetch.js';
import { createCore } from '../../bot/app.js';
import { fixedClock } from '../../core/clock.js';
import { silentLogger } from '../../bot/logger.js';
import { openDatabase } from '../../db/client.js';
import type { AppDatabase } from '../../db/client.js';
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
    // Rows written in SQL as a 0004 database holds them: today's schema (and the demo built on
    // it) has columns that did not exist yet.
    const sentAt = clock.now().getTime() - 86_400_000;
    const update = seedAt0004(old.sqlite, sentAt);
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

/** One unit, person, model and progress update, in the columns migration 0004 had. */
function seedAt0004(sqlite: AppDatabase['sqlite'], at: number): { id: number } {
  sqlite
    .prepare(`insert into units (name, short_code, kind, join_code, created_at, updated_at) values ('Xã Cẩm Bình', 'CAMBINH', 'commune', 'K7MX2P', ?, ?)`)
    .run(at, at);
  sqlite.prepare(`insert into people (display_name, unit_id, created_at, updated_at) values ('Phạm Thị Dung', 1, ?, ?)`).run(at, at);
  sqlite.prepare(`insert into fields (label) values ('Kinh tế')`).run();
  sqlite
    .prepare(
      `insert into models (code, year, unit_id, kind, holder_type, field_id, name, name_key, content, start_date, end_date, person_in_charge, state, created_by, created_at, updated_at)
       values ('DVK-2026-0001', 2026, 1, 'dan_van_kheo', 'collective', 1, 'Hiến đất mở đường', 'hien dat mo duong', 'Vận động hiến đất', '2026-02-01', '2026-12-31', 'Trần Thị Thu', 'in_progress', 1, ?, ?)`,
    )
    .run(at, at);
  return sqlite
    .prepare(
      `insert into progress_updates (model_id, author_person_id, text, percent, progress_state, period_year, period_month, period_quarter, created_at, updated_at)
       values (1, 1, 'Đã vận động 37 hộ', 40, 'in_progress', 2026, 3, 1, ?, ?) returning id`,
    )
    .get(at, at) as { id: number };
}
