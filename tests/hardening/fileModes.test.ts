import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoginQRCallbackEventType, type LoginQRCallback, type Zalo } from 'zca-js';
import { fixedClock } from '../../core/clock.js';
import { writeCredentials, type ZaloCredentials } from '../../bot/zalo/credentials.js';
import { qrLogin } from '../../bot/zalo/qrLogin.js';
import { ZaloSessionSaver } from '../../bot/zalo/sessionSaver.js';
import { openDatabase } from '../../db/client.js';
import { seedDemo } from '../../db/seed/demo.js';
import { migrationsWithOneMore } from '../helpers/nextMigration.js';

/**
 * Every file holding people's data or a login is readable by its owner only (0600), from the
 * moment it exists: the database and its -wal/-shm, the copy made before migrations, and the Zalo
 * login however it is written. (Nightly backups are db/backup.ts's own test; report files
 * written by the CLI and the simulator are checked in tests/bot/cli/report.test.ts and
 * tests/scenarios/simulatorReports.test.ts.)
 */

const NOW = '2026-03-10T09:00:00+07:00';
const clock = fixedClock(NOW);
const mode = (path: string) => statSync(path).mode & 0o777;

const CREDS: ZaloCredentials = {
  imei: 'imei-file-modes',
  cookie: [{ name: 'zpw_sek', value: 'cookie-file-modes-secret', domain: '.zalo.me', path: '/' }],
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-modes-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('files are created 0600', () => {
  it('the database file and its -wal and -shm', async () => {
    const path = join(dir, 'data', 'dvk.sqlite');
    const database = await openDatabase(path, { clock });
    seedDemo(database.db, clock.now());
    // While the connection is open, SQLite keeps both companions next to the file.
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      expect(existsSync(file)).toBe(true);
      expect(mode(file), file).toBe(0o600);
    }
    database.close();
    expect(mode(path)).toBe(0o600);
    // The folder made for it as well.
    expect(mode(join(dir, 'data'))).toBe(0o700);
  });

  it('the copy made before migrations is private while it is being written, not only once done', async () => {
    const path = join(dir, 'dvk.sqlite');
    const first = await openDatabase(path, { clock });
    seedDemo(first.db, clock.now());
    // Enough pages that the copy takes several steps, with the event loop turning in between.
    first.sqlite.exec('create table filler (b blob)');
    const insert = first.sqlite.prepare('insert into filler values (randomblob(4000))');
    for (let i = 0; i < 600; i++) insert.run();
    first.close();

    const backupPath = `${path}.before-migration-20260310-090000.bak`;
    const seen: number[] = [];
    let done = false;
    const watch = () => {
      if (done) return;
      if (existsSync(backupPath)) seen.push(mode(backupPath));
      setImmediate(watch);
    };
    setImmediate(watch);
    const upgraded = await openDatabase(path, {
      clock,
      migrationsFolder: migrationsWithOneMore(dir, '9999_modes', 'ALTER TABLE `units` ADD `modes_test` text;'),
    });
    done = true;
    expect(upgraded.backupPath).toBe(backupPath);
    upgraded.close();

    // The copy was looked at while it was being written (so a wider mode there would show).
    expect(seen.length).toBeGreaterThan(2);
    expect(new Set(seen)).toEqual(new Set([0o600]));
    expect(mode(backupPath)).toBe(0o600);
  });

  it('the Zalo login file, new or replacing a file others could read', () => {
    const path = join(dir, 'zalo', 'credentials.json');
    writeCredentials(path, CREDS);
    expect(mode(path)).toBe(0o600);
    expect(mode(join(dir, 'zalo'))).toBe(0o700);

    // An operator copied the file in with a loose mode: the next write makes it private again.
    chmodSync(path, 0o644);
    writeCredentials(path, CREDS);
    expect(mode(path)).toBe(0o600);
  });

  it('the Zalo login file rewritten by the session saver when cookies were renewed', () => {
    const path = join(dir, 'zalo.json');
    writeCredentials(path, CREDS);
    chmodSync(path, 0o644);
    const saver = new ZaloSessionSaver(path, pino({ level: 'silent' }));
    const renewed = [{ key: 'zpw_sek', value: 'cookie-renewed-secret', domain: 'zalo.me', path: '/' }];
    expect(saver.save({ getCookie: () => ({ toJSON: () => ({ cookies: renewed }) }) })).toBe(true);
    expect(readFileSync(path, 'utf8')).toContain('cookie-renewed-secret');
    expect(mode(path)).toBe(0o600);
  });

  it('the Zalo login file and QR image written by the QR login command', async () => {
    const credentialsPath = join(dir, 'data', 'zalo-credentials.json');
    const qrPngPath = join(dir, 'data', 'zalo-qr.png');
    const loginQR = async (_options: unknown, callback?: LoginQRCallback) => {
      const actions = { retry: () => {}, abort: () => {} };
      callback!({
        type: LoginQRCallbackEventType.QRCodeGenerated,
        data: {
          code: 'c',
          image: Buffer.from('not really a png').toString('base64'),
          token: 't',
          options: { enabledCheckOCR: false, enabledMultiLayer: false },
        },
        actions: { ...actions, saveToFile: async () => {} },
      });
      callback!({
        type: LoginQRCallbackEventType.GotLoginInfo,
        data: { cookie: [{ key: 'zpw_sek', value: 'cookie-qr-secret', domain: 'zalo.me' }], imei: 'imei-qr', userAgent: 'UA' },
        actions: null,
      });
      return {} as Awaited<ReturnType<Zalo['loginQR']>>;
    };
    await qrLogin({ zalo: { loginQR: loginQR as Zalo['loginQR'] }, credentialsPath, qrPngPath, print: () => {} });
    expect(mode(credentialsPath)).toBe(0o600);
    expect(mode(qrPngPath)).toBe(0o600);
  });
});
