import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../db/client.js';
import { loadRefreshToken, markNeedsReauthorisation, readZaloOaTokens, saveRefreshedPair, type ZaloOaTokens } from '../../db/zaloOaTokens.js';
import { type TokenPair, ZaloOaTokenRefused } from './api.js';

/**
 * The OA's access token, kept fresh from the one row in SQLite (db/zaloOaTokens.ts).
 *
 * Zalo's refresh token is single-use: the refresh that spends it returns the only copy of the next
 * one. So a refresh is single-flight (every caller in this process waits on the same call; the
 * wait lasts as long as the call, however long its timeout), and the new pair is committed to
 * SQLite before its access token is returned to anyone. Nothing runs between Zalo's answer and
 * that commit but a check of the answer's shape: no await, no log line.
 *
 * The one window Zalo's design leaves: the process dies (or the commit fails) after Zalo answered
 * and before the commit. The pair is then lost and the stored refresh token is already spent; so
 * is it when a request times out after Zalo handled it. Neither is silent: the next refresh is
 * refused, the row goes to needs_reauthorisation and `onRefused` alerts the admins, who load a new
 * refresh token (API Explorer, or the consent flow) through the operator's CLI.
 *
 * A refusal (the refresh function throws ZaloOaTokenRefused, which is also what an answer without
 * both tokens is) marks the row and calls `onRefused` once; from then on `accessToken()` throws
 * ZaloOaNeedsReauthorisation without asking Zalo, until `load()` stores a new refresh token.
 * Another process refreshing at the same time (the CLI beside the bot) cannot overwrite a newer
 * pair (the store compares the refresh token it replaces); it can still spend the same token
 * first, which this process then sees as a refusal.
 */

/** Zalo documents the refresh token's life as three months from issue; the shortest three months. */
export const REFRESH_TOKEN_LIFETIME_MS = 89 * 24 * 60 * 60 * 1000;

/** Refresh once less than this is left of the access token (25 h long): an hour of slack for a failing refresh to be retried. */
export const DEFAULT_REFRESH_MARGIN_MS = 60 * 60 * 1000;

/** The adapter cannot get an access token until an operator loads a new refresh token. */
export class ZaloOaNeedsReauthorisation extends Error {
  override readonly name = 'ZaloOaNeedsReauthorisation';
  constructor(readonly reason: string) {
    super(`Zalo OA needs re-authorisation: ${reason}`);
  }
}

export interface TokenKeeperOptions {
  db: Db;
  oaId: string;
  clock: Clock;
  /** Trades a refresh token for a new pair (bot/zalo-oa/api.ts refreshAccessToken); throws ZaloOaTokenRefused when Zalo refuses. */
  refresh: (refreshToken: string) => Promise<TokenPair>;
  log: Logger;
  /** Called once when the row enters needs_reauthorisation, with Zalo's reason (no token in it). */
  onRefused: (reason: string) => void | Promise<void>;
  marginMs?: number;
}

export type RefreshAheadOutcome = 'fresh' | 'refreshed' | 'needs_reauthorisation';

export class TokenKeeper {
  private inflight: Promise<string> | undefined;
  private readonly marginMs: number;

  constructor(private readonly options: TokenKeeperOptions) {
    this.marginMs = options.marginMs ?? DEFAULT_REFRESH_MARGIN_MS;
  }

  /** The stored access token if more than the margin is left of it; otherwise a refreshed one, committed first. */
  async accessToken(): Promise<string> {
    if (this.inflight) return this.inflight;
    const row = this.read();
    if (isFresh(row, this.options.clock.now().getTime(), this.marginMs)) return row.accessToken;
    return this.refreshShared();
  }

  /**
   * Zalo refused `rejected` as expired or invalid (-216, -220, -124) although the row still called
   * it fresh (revoked by a new consent, the clocks disagreeing): refreshes, unless the stored token
   * already changed since the caller read it (another caller refreshed meanwhile).
   */
  async refreshAfterRejection(rejected: string): Promise<string> {
    if (this.inflight) return this.inflight;
    const row = this.read();
    if (row.accessToken !== null && row.accessToken !== rejected && isFresh(row, this.options.clock.now().getTime(), this.marginMs)) return row.accessToken;
    return this.refreshShared();
  }

  /** The row's state without asking Zalo: what /trangthai and the start-up check read. */
  state(): { kind: 'missing' } | { kind: 'needs_reauthorisation'; reason: string } | { kind: 'active'; accessExpiresAt: Date | null } {
    const row = readZaloOaTokens(this.options.db, this.options.oaId);
    if (!row) return { kind: 'missing' };
    if (row.state === 'needs_reauthorisation') return { kind: 'needs_reauthorisation', reason: row.stateReason ?? 'refused' };
    return { kind: 'active', accessExpiresAt: row.accessExpiresAt === null ? null : new Date(row.accessExpiresAt) };
  }

  /**
   * For the scheduler's tick: refreshes when less than the margin is left at `now`. A refusal is
   * an outcome (already alerted through onRefused); a network failure throws, for the next tick.
   */
  async refreshAhead(now: Date): Promise<RefreshAheadOutcome> {
    try {
      if (this.inflight) {
        await this.inflight;
        return 'refreshed';
      }
      if (isFresh(this.read(), now.getTime(), this.marginMs)) return 'fresh';
      await this.refreshShared();
      return 'refreshed';
    } catch (error) {
      if (error instanceof ZaloOaNeedsReauthorisation) return 'needs_reauthorisation';
      throw error;
    }
  }

  /** Stores a first (or replacement) refresh token from the operator; the state starts over. */
  load(refreshToken: string): void {
    const token = refreshToken.trim();
    if (token === '') throw new Error('zalo-oa: an empty refresh token');
    const now = this.options.clock.now();
    loadRefreshToken(this.options.db, this.options.oaId, token, now.getTime() + REFRESH_TOKEN_LIFETIME_MS, now);
    this.options.log.info({ oaId: this.options.oaId }, 'zalo-oa: refresh token loaded');
  }

  private read(): ZaloOaTokens {
    const row = readZaloOaTokens(this.options.db, this.options.oaId);
    if (!row) throw new ZaloOaNeedsReauthorisation('no refresh token has been loaded');
    if (row.state === 'needs_reauthorisation') throw new ZaloOaNeedsReauthorisation(row.stateReason ?? 'refused');
    return row;
  }

  private refreshShared(): Promise<string> {
    if (!this.inflight) {
      this.inflight = this.refreshStored().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async refreshStored(): Promise<string> {
    const { db, oaId, clock, log } = this.options;
    // A second round only when the stored token changed under us (another process, an operator's load).
    for (let round = 0; round < 2; round++) {
      const row = this.read();
      if (round > 0 && isFresh(row, clock.now().getTime(), this.marginMs)) return row.accessToken;
      const spent = row.refreshToken;
      let pair: TokenPair;
      try {
        pair = checked(await this.options.refresh(spent));
      } catch (error) {
        if (!(error instanceof ZaloOaTokenRefused)) throw error;
        const reason = scrub(error.message, spent);
        if (!markNeedsReauthorisation(db, oaId, spent, reason, clock.now())) continue;
        log.error({ oaId, reason }, 'zalo-oa: Zalo refused the refresh token; the OA needs re-authorisation');
        await this.alert(reason);
        throw new ZaloOaNeedsReauthorisation(reason);
      }
      // Zalo has spent `spent`: this commit is the only thing between its answer and the pair's use.
      const at = clock.now();
      const accessExpiresAt = at.getTime() + pair.expiresInSeconds * 1000;
      let saved: boolean;
      try {
        saved = saveRefreshedPair(
          db,
          oaId,
          spent,
          { accessToken: pair.accessToken, accessExpiresAt, refreshToken: pair.refreshToken, refreshExpiresAt: at.getTime() + REFRESH_TOKEN_LIFETIME_MS },
          at,
        );
      } catch (error) {
        // The pair is lost and `spent` is dead at Zalo: the next refresh will be refused and alerted.
        log.error({ err: error, oaId }, 'zalo-oa: the refreshed token pair could not be stored and is lost');
        throw error;
      }
      if (saved) {
        log.info({ oaId, accessExpiresAt: new Date(accessExpiresAt).toISOString() }, 'zalo-oa: token pair refreshed');
        return pair.accessToken;
      }
      log.warn({ oaId }, 'zalo-oa: the stored refresh token changed during a refresh; its answer is dropped');
    }
    throw new Error('zalo-oa: the stored refresh token kept changing during refreshes');
  }

  private async alert(reason: string): Promise<void> {
    try {
      await this.options.onRefused(reason);
    } catch (error) {
      this.options.log.error({ err: error, oaId: this.options.oaId }, 'zalo-oa: the re-authorisation alert failed');
    }
  }
}

function isFresh(row: ZaloOaTokens, now: number, marginMs: number): row is ZaloOaTokens & { accessToken: string } {
  return row.accessToken !== null && row.accessExpiresAt !== null && row.accessExpiresAt - now > marginMs;
}

/** Zalo's answer without both tokens is a refusal, whoever parsed it (docs/zalo-oa-api.md §5f). */
function checked(pair: TokenPair): TokenPair {
  if (typeof pair?.accessToken !== 'string' || pair.accessToken === '' || typeof pair.refreshToken !== 'string' || pair.refreshToken === '') {
    throw new ZaloOaTokenRefused(undefined, 'an answer without both tokens', 200);
  }
  const seconds = Number(pair.expiresInSeconds);
  // The documented 25 h when the answer's lifetime is unreadable: the pair is good and must not be thrown away.
  return { ...pair, expiresInSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 90_000 };
}

/** A refusal's text should hold no token (api.ts scrubs it); the spent token is taken out again here in case another client does not. */
function scrub(text: string, secret: string): string {
  return secret === '' ? text : text.replaceAll(secret, '[…]');
}
