import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, parseConfig, zaloOaSettings } from '../../bot/config.js';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has defaults for everything optional', () => {
    const config = parseConfig({});
    expect(config.DB_PATH).toBe('./data/dvk.sqlite');
    expect(config.DVK_OUT_DIR).toBe('./data/out');
    expect(config.DVK_FLOW_TTL_MINUTES).toBe(1440);
    expect(config.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(config.DVK_NOW).toBeUndefined();
    expect(config.LOG_LEVEL).toBeUndefined();
  });

  it('treats blank values as unset', () => {
    const config = parseConfig({ DB_PATH: ' ', TELEGRAM_BOT_TOKEN: '', DVK_NOW: '' });
    expect(config.DB_PATH).toBe('./data/dvk.sqlite');
    expect(config.TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it('parses DVK_NOW with its offset', () => {
    const config = parseConfig({ DVK_NOW: '2026-01-15T08:00:00+07:00' });
    expect(config.DVK_NOW!.toISOString()).toBe('2026-01-15T01:00:00.000Z');
  });

  it.each([
    ['DVK_NOW', '2026-01-15T08:00:00', 'thời điểm ISO có múi giờ'],
    ['DVK_NOW', 'hôm nay', 'thời điểm ISO có múi giờ'],
    ['LOG_LEVEL', 'verbose', 'một trong fatal, error, warn, info, debug, trace, silent'],
    ['TELEGRAM_API_ROOT', 'not a url', 'địa chỉ http(s)'],
    ['TELEGRAM_API_ROOT', 'ftp://example.org', 'địa chỉ http(s)'],
    ['ZALO_CREDENTIALS', '/nonexistent/zalo.json', 'tệp phải tồn tại'],
    ['DVK_FLOW_TTL_MINUTES', '2', 'từ 5 đến 10080'],
    ['DVK_FLOW_TTL_MINUTES', 'một ngày', 'từ 5 đến 10080'],
  ])('rejects %s=%j with one line naming it', (name, value, expected) => {
    const error = errorOf({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toContain(`Cấu hình sai: ${name} phải là`);
    expect(error.message).toContain(expected);
    expect(error.message).toContain(`"${value}"`);
    expect(error.message).not.toContain('\n');
  });

  it('lets an admin decide on their own models only when DVK_ADMIN_SELF_DECISION says so', () => {
    expect(parseConfig({}).DVK_ADMIN_SELF_DECISION).toBe(false);
    for (const yes of ['co', 'Có', 'TRUE', '1']) expect(parseConfig({ DVK_ADMIN_SELF_DECISION: yes }).DVK_ADMIN_SELF_DECISION).toBe(true);
    for (const no of ['khong', 'không', 'false', '0', ' ']) expect(parseConfig({ DVK_ADMIN_SELF_DECISION: no }).DVK_ADMIN_SELF_DECISION).toBe(false);
    expect(errorOf({ DVK_ADMIN_SELF_DECISION: 'yes' }).message).toContain('co hoặc khong (mặc định khong)');
  });

  it('accepts a Bot API root with a trailing slash, without it', () => {
    expect(parseConfig({ TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/' }).TELEGRAM_API_ROOT).toBe('http://127.0.0.1:8081');
  });

  it('never echoes a wrong bot token', () => {
    const token = 'oops-this-is-secret-value';
    const error = errorOf({ TELEGRAM_BOT_TOKEN: token });
    expect(error.variable).toBe('TELEGRAM_BOT_TOKEN');
    expect(error.message).not.toContain(token);
  });

  it('accepts a well-formed token and an existing credentials file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvk-config-'));
    const file = join(dir, 'zalo.json');
    writeFileSync(file, '{}');
    const token = '123456789:AAHk1x9ZrLq0PpQ2mN3bV4cX5zY6wT7uS8r';
    const config = parseConfig({ TELEGRAM_BOT_TOKEN: token, ZALO_CREDENTIALS: file, TELEGRAM_API_ROOT: 'http://127.0.0.1:8081' });
    expect(config.TELEGRAM_BOT_TOKEN).toBe(token);
    expect(config.ZALO_CREDENTIALS).toBe(file);
  });

  it('documents every variable in docs/deployment.md', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/deployment.md', import.meta.url), 'utf8');
    for (const { name } of CONFIG_VARIABLES) expect(doc).toContain(`\`${name}\``);
  });

  describe('the Zalo OA route', () => {
    const OA = {
      ZALO_OA_APP_ID: '1234567890123456789',
      ZALO_OA_ID: '579745863508352884',
      ZALO_OA_APP_SECRET: 'AbCdEfGhIjKlMnOpQrSt',
      ZALO_OA_SECRET_KEY: 'ZyXwVuTsRqPoNmLkJiHg',
      ZALO_OA_PUBLIC_URL: 'https://dvk.hatinh.gov.vn/',
    };

    it('is off with none of its settings, and on with all five, defaults filled in', () => {
      expect(zaloOaSettings(parseConfig({}))).toBeUndefined();
      expect(zaloOaSettings(parseConfig(OA))).toEqual({
        appId: OA.ZALO_OA_APP_ID,
        oaId: OA.ZALO_OA_ID,
        appSecret: OA.ZALO_OA_APP_SECRET,
        secretKey: OA.ZALO_OA_SECRET_KEY,
        publicUrl: 'https://dvk.hatinh.gov.vn',
        port: 8790,
        host: '127.0.0.1',
        callsPerMinute: 100,
        filesDir: undefined,
        apiUrl: undefined,
        oauthUrl: undefined,
      });
    });

    it('names the first setting missing when only some are given, without printing a secret', () => {
      const { ZALO_OA_SECRET_KEY: _, ...rest } = OA;
      const error = errorOf(rest);
      expect(error.variable).toBe('ZALO_OA_SECRET_KEY');
      expect(error.message).toContain('cần đủ ZALO_OA_APP_ID, ZALO_OA_ID, ZALO_OA_APP_SECRET, ZALO_OA_SECRET_KEY, ZALO_OA_PUBLIC_URL');
      expect(error.message).not.toContain(OA.ZALO_OA_APP_SECRET);
    });

    it('wants an https address (Zalo posts only to https) and never echoes a wrong secret', () => {
      expect(errorOf({ ...OA, ZALO_OA_PUBLIC_URL: 'http://dvk.hatinh.gov.vn' }).variable).toBe('ZALO_OA_PUBLIC_URL');
      const wrong = errorOf({ ...OA, ZALO_OA_APP_SECRET: 'short' });
      expect(wrong.variable).toBe('ZALO_OA_APP_SECRET');
      expect(wrong.message).not.toContain('short');
      expect(errorOf({ ...OA, ZALO_OA_CALLS_PER_MINUTE: '5' }).variable).toBe('ZALO_OA_CALLS_PER_MINUTE');
    });
  });
});
