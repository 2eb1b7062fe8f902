import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import { openDatabase, pendingMigrations } from '../../db/client.js';
import { units } from '../../db/schema.js';
import { migrationsWithOneMore } from '../helpers/nextMigration.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const clock = fixedClock('2026-03-10T09:00:00+07:00');

function tables(sqlite: Database.Database): string[] {
  return (sqlite.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[]).map((r) => r.name);
}

describe('openDatabase', () => {
  it('creates every table on an empty file, with WAL, busy timeout and foreign keys on', async () => {
    const path = join(dir, 'nested', 'dvk.sqlite');
    const database = await openDatabase(path, { clock });
    const { sqlite } = database;
    expect(tables(sqlite)).toEqual(
      expect.arrayContaining([
        'units',
        'people',
        'identities',
        'roles',
        'link_codes',
        'chats',
        'chat_members',
        'fields',
        'models',
        'model_state_history',
        'unit_quotas',
        'progress_updates',
        'attachments',
        'deadlines',
        'reminder_outbox',
        'conversations',
        'processed_inbound',
        'settings',
        'audit_log',
      ]),
    );
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(database.backupPath).toBeNull();
    expect(pendingMigrations(sqlite)).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // Foreign keys are enforced, not just declared.
    expect(() =>
      database.db.insert(units).values({ name: 'Xã mồ côi', shortCode: 'X', kind: 'commune', parentId: 999, joinCode: 'J', createdAt: 0, updatedAt: 0 }).run(),
    ).toThrow(/FOREIGN KEY/);
    database.close();
  });

  it('reopens an up-to-date database without a backup and with its data', async () => {
    const path = join(dir, 'dvk.sqlite');
    const first = await openDatabase(path, { clock });
    first.db.insert(units).values({ name: 'Tỉnh Hà Tĩnh', shortCode: 'HT', kind: 'province', joinCode: 'HT1', createdAt: 1, updatedAt: 1 }).run();
    first.close();

    const second = await openDatabase(path, { clock });
    expect(second.backupPath).toBeNull();
    expect(
      second.db
        .select()
        .from(units)
        .all()
        .map((u) => u.name),
    ).toEqual(['Tỉnh Hà Tĩnh']);
    second.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.bak'))).toEqual([]);
  });

  it('backs up an existing database before applying new migrations, keeping its data', async () => {
    const path = join(dir, 'dvk.sqlite');
    const first = await openDatabase(path, { clock });
    first.db.insert(units).values({ name: 'Tỉnh Hà Tĩnh', shortCode: 'HT', kind: 'province', joinCode: 'HT1', createdAt: 1, updatedAt: 1 }).run();
    first.close();

    const upgraded = await openDatabase(path, {
      clock,
      migrationsFolder: migrationsWithOneMore(dir, '9999_test_next', 'ALTER TABLE `units` ADD `website` text;'),
    });
    expect(upgraded.backupPath).toBe(`${path}.before-migration-20260310-090000.bak`);
    const columns = (upgraded.sqlite.prepare('pragma table_info(units)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('website');
    expect(
      upgraded.db
        .select()
        .from(units)
        .all()
        .map((u) => u.name),
    ).toEqual(['Tỉnh Hà Tĩnh']);
    upgraded.close();

    // The backup is the database as it was: same data, old schema, private.
    expect(existsSync(upgraded.backupPath!)).toBe(true);
    expect(statSync(upgraded.backupPath!).mode & 0o777).toBe(0o600);
    const backup = new Database(upgraded.backupPath!, { readonly: true });
    expect(backup.prepare('select name from units').all()).toEqual([{ name: 'Tỉnh Hà Tĩnh' }]);
    expect((backup.prepare('pragma table_info(units)').all() as { name: string }[]).map((c) => c.name)).not.toContain('website');
    backup.close();
  });

  it('a failing migration leaves the database as it was', async () => {
    const path = join(dir, 'dvk.sqlite');
    (await openDatabase(path, { clock })).close();
    const folder = migrationsWithOneMore(dir, '9999_test_next', 'ALTER TABLE `units` ADD `website` text;');
    writeFileSync(join(folder, '9999_test_next.sql'), 'ALTER TABLE `units` ADD `website` text;--> statement-breakpoint\nSELECT * FROM no_such_table;');
    await expect(openDatabase(path, { clock, migrationsFolder: folder })).rejects.toThrow(/no_such_table/);
    const again = await openDatabase(path, { clock });
    const columns = (again.sqlite.prepare('pragma table_info(units)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).not.toContain('website');
    again.close();
  });
});
