import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Credentials } from 'zca-js';
import { readCredentials, writeCredentials, ZaloCredentialsError, type ZaloCredentials } from '../../../bot/zalo/credentials.js';

const SECRET = 'zpw_sek_SECRET-9f3a7c1e';

const creds: ZaloCredentials = {
  imei: '3f1b2c4d-imei',
  cookie: [
    { domain: '.zalo.me', name: 'zpw_sek', value: SECRET, path: '/', secure: true, httpOnly: true },
    { domain: 'chat.zalo.me', key: 'zpsid', value: 'another-value' },
  ],
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
  language: 'vi',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-zalo-cred-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;

function readError(path: string): ZaloCredentialsError {
  try {
    readCredentials(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ZaloCredentialsError);
    return error as ZaloCredentialsError;
  }
  throw new Error('expected readCredentials to fail');
}

describe('Zalo credentials file', () => {
  it('round-trips what was written, and what is read can be given to zca-js login', () => {
    const path = join(dir, 'zalo.json');
    writeCredentials(path, creds);
    const back = readCredentials(path);
    expect(back).toEqual(creds);
    const forLogin: Credentials = back;
    expect(forLogin.imei).toBe(creds.imei);
    // No temp file left behind.
    expect(readdirSync(dir)).toEqual(['zalo.json']);
  });

  it('reads the { url, cookies } export form as the plain list', () => {
    const path = join(dir, 'zalo.json');
    writeFileSync(path, JSON.stringify({ ...creds, cookie: { url: 'https://chat.zalo.me', cookies: creds.cookie } }));
    expect(readCredentials(path).cookie).toEqual(creds.cookie);
  });

  it('creates the file with mode 0600, inside a missing folder too', () => {
    const path = join(dir, 'nested', 'zalo.json');
    writeCredentials(path, creds);
    expect(mode(path)).toBe(0o600);
  });

  it('narrows a pre-existing 0644 file to 0600 when rewriting it', () => {
    const path = join(dir, 'zalo.json');
    writeFileSync(path, '{}');
    chmodSync(path, 0o644);
    expect(mode(path)).toBe(0o644);
    writeCredentials(path, { ...creds, imei: 'new-imei' });
    expect(mode(path)).toBe(0o600);
    expect(readCredentials(path).imei).toBe('new-imei');
  });

  it('names the file and the wrong fields, never the cookie values', () => {
    const path = join(dir, 'zalo.json');
    writeFileSync(path, JSON.stringify({ cookie: [{ name: 'zpw_sek', value: SECRET }, { value: SECRET }], userAgent: '' }));
    const error = readError(path);
    expect(error.message).toContain(path);
    expect(error.message).toContain('imei');
    expect(error.message).toContain('userAgent');
    expect(error.message).toContain('cookie[1]');
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('zpw_sek');
  });

  it('does not quote the content of a file that is not JSON', () => {
    const path = join(dir, 'zalo.json');
    writeFileSync(path, `{"imei": "x", "cookie": ${SECRET} }`);
    const error = readError(path);
    expect(error.message).toBe(`Tệp đăng nhập Zalo ${path} không phải JSON hợp lệ. Vui lòng đăng nhập Zalo lại.`);
    expect(String(error.cause ?? '')).not.toContain(SECRET);
  });

  it('does not quote a cookie given in the wrong shape', () => {
    const path = join(dir, 'zalo.json');
    writeFileSync(path, JSON.stringify({ ...creds, cookie: `zpw_sek=${SECRET}; zpsid=abc` }));
    const error = readError(path);
    expect(error.message).toContain('cookie');
    expect(error.message).not.toContain(SECRET);
  });

  it('says clearly when the file is missing', () => {
    const path = join(dir, 'absent.json');
    expect(readError(path).message).toBe(`Không tìm thấy tệp đăng nhập Zalo ${path}. Vui lòng đăng nhập Zalo lại để tạo tệp này.`);
  });

  it('refuses to save incomplete credentials and leaves the old file alone', () => {
    const path = join(dir, 'zalo.json');
    writeCredentials(path, creds);
    expect(() => writeCredentials(path, { ...creds, imei: '' })).toThrow(ZaloCredentialsError);
    expect(readCredentials(path)).toEqual(creds);
    expect(readdirSync(dir)).toEqual(['zalo.json']);
  });
});
