import { and, eq, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { type ZaloOaTokenState, zaloOaTokens } from './schema.js';

/**
 * The Zalo Official Account's OAuth tokens, one row per OA.
 *
 * Zalo's refresh token works once: each refresh returns a new pair and the old refresh token is
 * dead from then on. So whatever replaces the stored pair names the refresh token it replaces, and
 * the write happens only if that is still the stored one (a compare-and-swap): a slow answer, a
 * retry or a second process can never put an older pair over a newer one, and an operator's newly
 * loaded token is never overwritten by a refresh that began before it.
 *
 * The values are secrets: nothing here logs, and callers must not log a row.
 */

export type ZaloOaTokens = typeof zaloOaTokens.$inferSelect;

export interface RefreshedPair {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
}

export function readZaloOaTokens(db: Db, oaId: string): ZaloOaTokens | undefined {
  return prepared(db, prepareRead).get({ oaId });
}

/**
 * Stores a refresh token the operator obtained (API Explorer or the consent flow), starting over:
 * no access token (the next use refreshes), state ok. Replaces whatever was stored.
 */
export function loadRefreshToken(db: Db, oaId: string, refreshToken: string, refreshExpiresAt: number, now: Date): void {
  const at = now.getTime();
  const row = {
    oaId,
    accessToken: null,
    accessExpiresAt: null,
    refreshToken,
    refreshExpiresAt,
    state: 'ok' as ZaloOaTokenState,
    stateSince: at,
    stateReason: null,
    updatedAt: at,
  };
  const { oaId: _key, ...update } = row;
  db.insert(zaloOaTokens).values(row).onConflictDoUpdate({ target: zaloOaTokens.oaId, set: update }).run();
}

/**
 * Stores the pair the consent flow just issued (an authorization code traded for tokens), starting
 * over: state ok, replacing whatever was stored, like loadRefreshToken. One statement, so the four
 * values land together. The comparing is done on the other side: a refresh that began before this
 * write names the refresh token it spent, which is no longer the stored one, so its answer cannot
 * overwrite the operator's new pair.
 */
export function storeAuthorisedPair(db: Db, oaId: string, pair: RefreshedPair, now: Date): void {
  const at = now.getTime();
  const row = { oaId, ...pair, state: 'ok' as ZaloOaTokenState, stateSince: at, stateReason: null, updatedAt: at };
  const { oaId: _key, ...update } = row;
  db.insert(zaloOaTokens).values(row).onConflictDoUpdate({ target: zaloOaTokens.oaId, set: update }).run();
}

/**
 * Writes the pair a refresh of `replacing` returned, only if `replacing` is still the stored
 * refresh token. One UPDATE: in SQLite a statement is its own transaction, so the check and the
 * write cannot be separated, and the four values land together or not at all. A pair that was
 * just issued proves the authorisation good, so the row is (back) in state ok.
 * @returns whether the pair was stored; false means a newer pair or a newly loaded token is there.
 */
export function saveRefreshedPair(db: Db, oaId: string, replacing: string, pair: RefreshedPair, now: Date): boolean {
  const at = now.getTime();
  const result = db
    .update(zaloOaTokens)
    .set({
      accessToken: pair.accessToken,
      accessExpiresAt: pair.accessExpiresAt,
      refreshToken: pair.refreshToken,
      refreshExpiresAt: pair.refreshExpiresAt,
      updatedAt: at,
      state: 'ok',
      stateReason: null,
      stateSince: sql`case when ${zaloOaTokens.state} = 'ok' then ${zaloOaTokens.stateSince} else ${at} end`,
    })
    .where(and(eq(zaloOaTokens.oaId, oaId), eq(zaloOaTokens.refreshToken, replacing)))
    .run();
  return result.changes === 1;
}

/**
 * Records that Zalo refused `refreshToken`, if it is still the stored one and the row was ok.
 * @returns true only for the write that moved the row into needs_reauthorisation, so the alert
 * goes out once however many callers or processes saw the refusal.
 */
export function markNeedsReauthorisation(db: Db, oaId: string, refreshToken: string, reason: string, now: Date): boolean {
  const at = now.getTime();
  const result = db
    .update(zaloOaTokens)
    .set({ state: 'needs_reauthorisation', stateSince: at, stateReason: reason, updatedAt: at })
    .where(and(eq(zaloOaTokens.oaId, oaId), eq(zaloOaTokens.refreshToken, refreshToken), eq(zaloOaTokens.state, 'ok')))
    .run();
  return result.changes === 1;
}

function prepareRead(db: Db) {
  return db
    .select()
    .from(zaloOaTokens)
    .where(eq(zaloOaTokens.oaId, sql.placeholder('oaId')))
    .prepare();
}
