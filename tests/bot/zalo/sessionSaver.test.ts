import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { CookieJar } from 'tough-cookie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zaloClient } from '../../../bot/zalo/login.js';
import { readCredentials, writeCredentials, type ZaloCredentials } from '../../../bot/zalo/credentials.js';
import { ZaloSessionSaver } from '../../../bot/zalo/sessionSaver.js';

const OLD_SECRET = 'zpw_sek_OLD-1a2b3c';
const NEW_SECRET = 'zpw_sek_NEW-7e8f9a';

/** As a browser-extension export or the QR login writes it. */
const firstLogin: ZaloCredentials = {
  imei: '3f1b2c4d-imei',
  cookie: [
    { domain: '.zalo.me', name: 'zpw_sek', value: OLD_SECRET, path: '/', secure: true, httpOnly: true },
    { domain: 'chat.zalo.me', name: 'zpsid', value: 'zpsid-value', path: '/' },
  ],
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  language: 'vi',
};

/** The cookie jar zca-js builds at login from saved credentials (its own parser, as `login` calls it). */
function jarFromCredentials(creds: ZaloCredentials): CookieJar {
  const client = zaloClient() as unknown as { parseCookies(cookie: unknown): CookieJar };
  return client.parseCookies(structuredClone(creds.cookie));
}

let dir: string;
let path: string;
let logs: string[];
let saver: ZaloSessionSaver;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-zalo-session-'));
  path = join(dir, 'zalo.json');
  writeCredentials(path, firstLogin);
  logs = [];
  saver = new ZaloSessionSaver(path, pino({ level: 'trace' }, { write: (line: string) => void logs.push(line) }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('saving the cookies the Zalo session refreshed', () => {
  it('writes a renewed cookie back (0600), keeps imei and user agent, and zca-js logs in with it', () => {
    const jar = jarFromCredentials(readCredentials(path));
    // Zalo answers a request with Set-Cookie: zca-js stores it in the same jar.
    jar.setCookieSync(`zpw_sek=${NEW_SECRET}; Domain=zalo.me; Path=/; Secure; HttpOnly`, 'https://chat.zalo.me');

    expect(saver.save({ getCookie: () => jar })).toBe(true);

    expect(statSync(path).mode & 0o777).toBe(0o600);
    const saved = readCredentials(path);
    expect(saved).toMatchObject({ imei: firstLogin.imei, userAgent: firstLogin.userAgent, language: 'vi' });
    const raw = readFileSync(path, 'utf8');
    expect(raw).toContain(NEW_SECRET);
    expect(raw).not.toContain(OLD_SECRET);
    // A restart logs in from the file: zca-js's parser turns it into a jar that sends the new cookie.
    const header = jarFromCredentials(saved).getCookieStringSync('https://chat.zalo.me');
    expect(header).toContain(`zpw_sek=${NEW_SECRET}`);
    expect(header).toContain('zpsid=zpsid-value');
    // The log says it happened, never with a cookie in it.
    expect(logs.join('\n')).toContain('refreshed session cookies saved');
    expect(logs.join('\n')).not.toContain(NEW_SECRET);
  });

  it('does not rewrite the file when nothing but bookkeeping changed', () => {
    const jar = jarFromCredentials(readCredentials(path));
    expect(saver.save({ getCookie: () => jar })).toBe(true); // first time: the format becomes tough-cookie's
    const before = readFileSync(path, 'utf8');
    jar.getCookieStringSync('https://chat.zalo.me'); // touches lastAccessed
    expect(saver.save({ getCookie: () => jar })).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('an empty jar (a broken session) never replaces the saved login', () => {
    const before = readFileSync(path, 'utf8');
    const empty = jarFromCredentials({ ...firstLogin, cookie: [] });
    expect(saver.save({ getCookie: () => empty })).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('a failure to save is logged without any cookie value and never throws', () => {
    const jar = jarFromCredentials(firstLogin);
    jar.setCookieSync(`zpw_sek=${NEW_SECRET}; Domain=zalo.me; Path=/`, 'https://chat.zalo.me');
    rmSync(path);
    expect(saver.save({ getCookie: () => jar })).toBe(false);
    const text = logs.join('\n');
    expect(text).toContain('could not save the session cookies');
    expect(text).toContain('Không tìm thấy tệp đăng nhập Zalo');
    expect(text).not.toContain(NEW_SECRET);
    expect(text).not.toContain(OLD_SECRET);
  });
});
