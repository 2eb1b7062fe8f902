import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import { type AppDatabase, openDatabase } from '../../db/client.js';
import { loadRefreshToken, markNeedsReauthorisation, readZaloOaTokens, saveRefreshedPair, storeAuthorisedPair } from '../../db/zaloOaTokens.js';
import { upgradedFrom } from '../helpers/nextMigration.js';

const OA = '4318745201947336512';
const clock = fixedClock('2026-03-10T09:00:00+07:00');
const T0 = clock.now().getTime();
const HOUR = 3_600_000;

let app: AppDatabase;
beforeEach(async () => {
  clock.set(new Date(T0));
  app = await openDatabase(':memory:');
});
afterEach(() => app.close());

const pair = (n: number) => ({
  accessToken: `access-${n}`,
  accessExpiresAt: T0 + 25 * HOUR + n,
  refreshToken: `refresh-${n}`,
  refreshExpiresAt: T0 + 89 * 24 * HOUR + n,
});

describe('the Zalo OA token row', () => {
  it('is absent at first; a loaded refresh token starts over with no access token, state ok', () => {
    expect(readZaloOaTokens(app.db, OA)).toBeUndefined();
    loadRefreshToken(app.db, OA, 'refresh-0', T0 + 1000, clock.now());
    expect(readZaloOaTokens(app.db, OA)).toEqual({
      oaId: OA,
      accessToken: null,
      accessExpiresAt: null,
      refreshToken: 'refresh-0',
      refreshExpiresAt: T0 + 1000,
      state: 'ok',
      stateSince: T0,
      stateReason: null,
      updatedAt: T0,
    });
    expect(readZaloOaTokens(app.db, '999')).toBeUndefined();
  });

  it('stores a refreshed pair only over the refresh token it replaces (a retry of an older refresh changes nothing)', () => {
    loadRefreshToken(app.db, OA, 'refresh-0', T0 + 1000, clock.now());
    clock.advance(HOUR);
    expect(saveRefreshedPair(app.db, OA, 'refresh-0', pair(1), clock.now())).toBe(true);
    clock.advance(HOUR);
    expect(saveRefreshedPair(app.db, OA, 'refresh-1', pair(2), clock.now())).toBe(true);
    // A slow answer to the first refresh, or a second process that spent refresh-0 too, arrives late.
    expect(saveRefreshedPair(app.db, OA, 'refresh-0', pair(9), clock.now())).toBe(false);
    expect(saveRefreshedPair(app.db, OA, 'refresh-1', pair(9), clock.now())).toBe(false);
    expect(readZaloOaTokens(app.db, OA)).toMatchObject({ ...pair(2), state: 'ok', stateSince: T0, updatedAt: T0 + 2 * HOUR });
    // Nothing is created for an OA with no row.
    expect(saveRefreshedPair(app.db, '999', 'refresh-0', pair(3), clock.now())).toBe(false);
    expect(readZaloOaTokens(app.db, '999')).toBeUndefined();
  });

  it('enters needs_reauthorisation once, only for the stored token; a new pair or a loaded token leaves it', () => {
    loadRefreshToken(app.db, OA, 'refresh-0', T0 + 1000, clock.now());
    saveRefreshedPair(app.db, OA, 'refresh-0', pair(1), clock.now());
    clock.advance(HOUR);
    // A refusal of a token that is no longer stored says nothing about the stored one.
    expect(markNeedsReauthorisation(app.db, OA, 'refresh-0', 'refused', clock.now())).toBe(false);
    expect(readZaloOaTokens(app.db, OA)?.state).toBe('ok');
    expect(markNeedsReauthorisation(app.db, OA, 'refresh-1', 'Zalo: invalid refresh token', clock.now())).toBe(true);
    clock.advance(HOUR);
    expect(markNeedsReauthorisation(app.db, OA, 'refresh-1', 'again', clock.now())).toBe(false);
    expect(readZaloOaTokens(app.db, OA)).toMatchObject({
      ...pair(1),
      state: 'needs_reauthorisation',
      stateSince: T0 + HOUR,
      stateReason: 'Zalo: invalid refresh token',
    });

    // Another process held a good pair from refresh-1 and stores it: the authorisation is good.
    expect(saveRefreshedPair(app.db, OA, 'refresh-1', pair(2), clock.now())).toBe(true);
    expect(readZaloOaTokens(app.db, OA)).toMatchObject({ state: 'ok', stateSince: T0 + 2 * HOUR, stateReason: null });

    markNeedsReauthorisation(app.db, OA, 'refresh-2', 'refused', clock.now());
    clock.advance(HOUR);
    loadRefreshToken(app.db, OA, 'refresh-from-operator', T0 + 5000, clock.now());
    expect(readZaloOaTokens(app.db, OA)).toMatchObject({
      accessToken: null,
      accessExpiresAt: null,
      refreshToken: 'refresh-from-operator',
      state: 'ok',
      stateSince: T0 + 3 * HOUR,
      stateReason: null,
    });
  });
});

describe('zalo_oa_tokens (migration 0006)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dvk-zalo-oa-tokens-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an upgraded database gains the table, empty, and keeps its file private', async () => {
    const path = join(dir, 'dvk.sqlite');
    const { upgraded, hadTable } = await upgradedFrom(dir, path, '0005_evidence', 'zalo_oa_tokens', clock);
    try {
      expect(hadTable).toBe(false);
      expect(upgraded.backupPath).not.toBeNull();
      expect(readZaloOaTokens(upgraded.db, OA)).toBeUndefined();
      loadRefreshToken(upgraded.db, OA, 'refresh-0', T0 + 1000, clock.now());
      expect(readZaloOaTokens(upgraded.db, OA)?.refreshToken).toBe('refresh-0');
      expect(statSync(path).mode & 0o777).toBe(0o600);
    } finally {
      upgraded.close();
    }
  });
});

const consented = { accessToken: 'access-consent', accessExpiresAt: T0 + 25 * HOUR, refreshToken: 'refresh-consent', refreshExpiresAt: T0 + 89 * 24 * HOUR };

describe('the pair the consent flow stores', () => {
  it('creates the row with both tokens, state ok', () => {
    storeAuthorisedPair(app.db, OA, consented, clock.now());
    expect(readZaloOaTokens(app.db, OA)).toEqual({ oaId: OA, ...consented, state: 'ok', stateSince: T0, stateReason: null, updatedAt: T0 });
  });

  it('replaces a refused row, and a refresh that spent the old token before it cannot overwrite it', () => {
    loadRefreshToken(app.db, OA, 'refresh-old', T0 + 1000, clock.now());
    markNeedsReauthorisation(app.db, OA, 'refresh-old', 'Invalid refresh token', clock.now());
    clock.advance(HOUR);
    storeAuthorisedPair(app.db, OA, consented, clock.now());
    expect(readZaloOaTokens(app.db, OA)).toMatchObject({ ...consented, state: 'ok', stateSince: T0 + HOUR, stateReason: null });

    const late = { accessToken: 'access-late', accessExpiresAt: T0 + 30 * HOUR, refreshToken: 'refresh-late', refreshExpiresAt: T0 + 90 * 24 * HOUR };
    expect(saveRefreshedPair(app.db, OA, 'refresh-old', late, clock.now())).toBe(false);
    expect(readZaloOaTokens(app.db, OA)).toMatchObject(consented);
  });
});
