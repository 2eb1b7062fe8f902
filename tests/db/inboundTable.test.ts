import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import { openDatabase } from '../../db/client.js';
import { firstDelivery } from '../../db/inbound.js';
import { migrationsUpTo } from '../helpers/nextMigration.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-inbound-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const clock = fixedClock('2026-11-23T08:30:00+07:00');

describe('processed_inbound without a rowid (migration 0003)', () => {
  it('an upgraded database keeps the delivery keys it had, still refuses them, and stores the table without a rowid', async () => {
    const path = join(dir, 'dvk.sqlite');
    const old = await openDatabase(path, { clock, migrationsFolder: migrationsUpTo(dir, '0002_lighter_hot_writes') });
    const now = clock.now();
    expect(firstDelivery(old.db, 'telegram', '900001', now)).toBe(true);
    expect(firstDelivery(old.db, 'zalo', '7716345123456789012', now)).toBe(true);
    const withoutRowid = (app: typeof old) =>
      (app.sqlite.prepare("select wr from pragma_table_list where name = 'processed_inbound'").get() as { wr: number }).wr;
    expect(withoutRowid(old)).toBe(0);
    old.close();

    const app = await openDatabase(path, { clock });
    try {
      expect(app.backupPath).not.toBeNull();
      expect(withoutRowid(app)).toBe(1);
      expect(app.sqlite.prepare('select platform, key, at from processed_inbound order by platform').all()).toEqual([
        { platform: 'telegram', key: '900001', at: now.getTime() },
        { platform: 'zalo', key: '7716345123456789012', at: now.getTime() },
      ]);
      // A redelivery of either is still caught; a new key passes once.
      expect(firstDelivery(app.db, 'telegram', '900001', now)).toBe(false);
      expect(firstDelivery(app.db, 'zalo', '7716345123456789012', now)).toBe(false);
      expect(firstDelivery(app.db, 'telegram', '900002', now)).toBe(true);
      expect(firstDelivery(app.db, 'telegram', '900002', now)).toBe(false);
      expect(app.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      app.close();
    }
  });
});
