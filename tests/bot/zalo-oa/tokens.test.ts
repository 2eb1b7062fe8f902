import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZaloOaTokenRefused } from '../../../bot/zalo-oa/api.js';
import { DEFAULT_REFRESH_MARGIN_MS, TokenKeeper, type TokenKeeperOptions, ZaloOaNeedsReauthorisation } from '../../../bot/zalo-oa/tokens.js';
import { fixedClock } from '../../../core/clock.js';
import { type AppDatabase, openDatabase } from '../../../db/client.js';
import { readZaloOaTokens, saveRefreshedPair } from '../../../db/zaloOaTokens.js';
import { capturingLogger } from '../../helpers/logs.js';

const OA = '4318745201947336512';
const HOUR = 3_600_000;
const START = '2026-03-10T09:00:00+07:00';

/**
 * Zalo's OAuth server as documented: a refresh token works once. It is spent when Zalo handles
 * the request, before its answer travels back, so an answer can be lost with the token already
 * gone. `hold()` keeps the next answers back until `release()`.
 */
class SingleUseOAuth {
  readonly valid = new Set<string>();
  readonly spent: string[] = [];
  calls = 0;
  private issued = 0;
  private gate: { promise: Promise<void>; open: () => void } | undefined;
  /** What the stub checks while it answers (commit-before-use). */
  onAnswer: ((refreshToken: string) => void) | undefined;

  issue(): string {
    const token = `rt-${++this.issued}-${'s'.repeat(30)}`;
    this.valid.add(token);
    return token;
  }

  hold(): void {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.gate = { promise, open };
  }

  release(): void {
    this.gate?.open();
    this.gate = undefined;
  }

  readonly refresh = async (refreshToken: string) => {
    this.calls++;
    if (!this.valid.delete(refreshToken)) {
      // A careless client might quote the token in its error: the keeper must not pass it on.
      throw new ZaloOaTokenRefused(-14014, `Invalid refresh token ${refreshToken}`, 200);
    }
    this.spent.push(refreshToken);
    const accessToken = `at-${this.issued + 1}-${'a'.repeat(30)}`;
    const next = this.issue();
    if (this.gate) await this.gate.promise;
    this.onAnswer?.(refreshToken);
    return { accessToken, refreshToken: next, expiresInSeconds: 90_000 };
  };
}

let app: AppDatabase;
let clock: ReturnType<typeof fixedClock>;
let zalo: SingleUseOAuth;
let logs: ReturnType<typeof capturingLogger>;
let alerts: string[];

beforeEach(async () => {
  app = await openDatabase(':memory:');
  clock = fixedClock(START);
  zalo = new SingleUseOAuth();
  logs = capturingLogger();
  alerts = [];
});
afterEach(() => app.close());

function keeper(overrides: Partial<TokenKeeperOptions> = {}): TokenKeeper {
  return new TokenKeeper({
    db: app.db,
    oaId: OA,
    clock,
    refresh: zalo.refresh,
    log: logs.log,
    onRefused: (reason) => {
      alerts.push(reason);
    },
    ...overrides,
  });
}

/** A keeper with a first refresh token loaded and refreshed once: a stored pair, 25 h ahead. */
async function running(): Promise<{ keeper: TokenKeeper; accessToken: string }> {
  const k = keeper();
  k.load(zalo.issue());
  const accessToken = await k.accessToken();
  return { keeper: k, accessToken };
}

const row = () => readZaloOaTokens(app.db, OA);

describe('TokenKeeper', () => {
  it('uses the stored access token while more than the margin is left, and refreshes once less is', async () => {
    const { keeper: k, accessToken } = await running();
    expect(zalo.calls).toBe(1);
    clock.advance(25 * HOUR - DEFAULT_REFRESH_MARGIN_MS - 1);
    expect(await k.accessToken()).toBe(accessToken);
    expect(zalo.calls).toBe(1);
    clock.advance(1);
    const next = await k.accessToken();
    expect(next).not.toBe(accessToken);
    expect(zalo.calls).toBe(2);
    expect(row()).toMatchObject({ accessToken: next, accessExpiresAt: clock.now().getTime() + 25 * HOUR, state: 'ok' });
  });

  it('single-flight: ten callers at once share one refresh and get the same token', async () => {
    const k = keeper();
    k.load(zalo.issue());
    zalo.hold();
    const callers = Array.from({ length: 10 }, () => k.accessToken());
    await new Promise((resolve) => setTimeout(resolve, 10));
    zalo.release();
    const tokens = await Promise.all(callers);
    expect(zalo.calls).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(row()?.accessToken).toBe(tokens[0]);
    // The scheduler's refresh ahead joins a refresh under way too.
    clock.advance(25 * HOUR - DEFAULT_REFRESH_MARGIN_MS);
    zalo.hold();
    const both = Promise.all([k.accessToken(), k.refreshAhead(clock.now()), k.accessToken()]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    zalo.release();
    const [a, outcome, b] = await both;
    expect(outcome).toBe('refreshed');
    expect(a).toBe(b);
    expect(zalo.calls).toBe(2);
  });

  it('commits the new pair before the new access token is returned', async () => {
    const k = keeper();
    const first = zalo.issue();
    k.load(first);
    const seen: Array<string | null | undefined> = [];
    zalo.onAnswer = (spent) => {
      // While Zalo's answer is on its way back, the database still holds the spent token.
      seen.push(row()?.refreshToken, row()?.accessToken);
      expect(spent).toBe(first);
    };
    const accessToken = await k.accessToken().then((token) => {
      // The moment it resolves, the pair is already stored.
      expect(row()).toMatchObject({ accessToken: token, refreshToken: [...zalo.valid][0] });
      return token;
    });
    expect(seen).toEqual([first, null]);
    expect(zalo.valid.size).toBe(1);
    expect(row()?.refreshToken).toBe([...zalo.valid][0]);
    expect(accessToken).toMatch(/^at-/);
  });

  it('a crash between Zalo’s answer and the commit loses the pair; the next process is refused and alerts, never silently', async () => {
    const { accessToken: old } = await running();
    const stored = row()!.refreshToken;
    clock.advance(25 * HOUR - DEFAULT_REFRESH_MARGIN_MS);
    // The disk fails at the commit (or the process dies there): Zalo has already spent `stored`.
    app.sqlite.exec("create trigger die before update on zalo_oa_tokens begin select raise(abort, 'disk I/O error'); end");
    const dying = keeper();
    await expect(dying.accessToken()).rejects.toThrow(/disk I\/O error/);
    expect(zalo.spent).toContain(stored);
    expect(row()).toMatchObject({ refreshToken: stored, accessToken: old, state: 'ok' });
    expect(alerts).toEqual([]);
    app.sqlite.exec('drop trigger die');

    // The process restarts: a new keeper, the same database. Zalo refuses the spent token.
    const restarted = keeper();
    const callsBefore = zalo.calls;
    await expect(restarted.accessToken()).rejects.toBeInstanceOf(ZaloOaNeedsReauthorisation);
    expect(zalo.calls).toBe(callsBefore + 1);
    expect(row()).toMatchObject({ refreshToken: stored, state: 'needs_reauthorisation', stateSince: clock.now().getTime() });
    expect(alerts).toHaveLength(1);
    expect(logs.lines.some((l) => l.msg.includes('could not be stored and is lost'))).toBe(true);
  });

  it('a refused refresh: needs re-authorisation, one alert, and no more calls to Zalo until a new token is loaded', async () => {
    const k = keeper();
    k.load('rt-typed-wrong-by-the-operator-xxxxxxxxxxxx');
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => k.accessToken()));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof ZaloOaNeedsReauthorisation)).toBe(true);
    expect(zalo.calls).toBe(1);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain('-14014');
    expect(alerts[0]).not.toContain('rt-typed-wrong');
    expect(row()).toMatchObject({ state: 'needs_reauthorisation', stateReason: alerts[0] });

    clock.advance(HOUR);
    await expect(k.accessToken()).rejects.toBeInstanceOf(ZaloOaNeedsReauthorisation);
    expect(await k.refreshAhead(clock.now())).toBe('needs_reauthorisation');
    // A restarted process does not alert again either.
    await expect(keeper().accessToken()).rejects.toBeInstanceOf(ZaloOaNeedsReauthorisation);
    expect(zalo.calls).toBe(1);
    expect(alerts).toHaveLength(1);

    k.load(zalo.issue());
    expect(row()).toMatchObject({ state: 'ok', stateReason: null });
    expect(await k.accessToken()).toMatch(/^at-/);
    expect(zalo.calls).toBe(2);
  });

  it('an answer without both tokens is a refusal', async () => {
    const k = keeper({ refresh: async () => ({ accessToken: 'at-only', refreshToken: '', expiresInSeconds: 90_000 }) });
    k.load(zalo.issue());
    await expect(k.accessToken()).rejects.toBeInstanceOf(ZaloOaNeedsReauthorisation);
    expect(row()).toMatchObject({ state: 'needs_reauthorisation', accessToken: null });
    expect(alerts).toHaveLength(1);
  });

  it('a network failure is not a refusal: the state stays ok and the next attempt refreshes', async () => {
    let fail = true;
    const k = keeper({
      refresh: (token) => (fail ? Promise.reject(new Error('fetch failed: ETIMEDOUT')) : zalo.refresh(token)),
    });
    k.load(zalo.issue());
    await expect(k.refreshAhead(clock.now())).rejects.toThrow(/ETIMEDOUT/);
    expect(row()?.state).toBe('ok');
    expect(alerts).toEqual([]);
    fail = false;
    expect(await k.refreshAhead(clock.now())).toBe('refreshed');
    expect(await k.refreshAhead(clock.now())).toBe('fresh');
    expect(zalo.calls).toBe(1);
  });

  it('never overwrites a token stored meanwhile: an operator’s load during a refresh wins, and is then used', async () => {
    const k = keeper();
    k.load(zalo.issue());
    zalo.hold();
    const pending = k.accessToken();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const fromOperator = zalo.issue();
    keeper().load(fromOperator);
    zalo.release();
    const token = await pending;
    // The answer to the older refresh was dropped; the operator's token was refreshed and stored.
    expect(zalo.spent).toContain(fromOperator);
    expect(zalo.calls).toBe(2);
    expect(row()).toMatchObject({ accessToken: token, refreshToken: [...zalo.valid].at(-1), state: 'ok' });
    expect(logs.lines.some((l) => l.msg.includes('answer is dropped'))).toBe(true);
  });

  it('a second process finds the pair the first stored and does not refresh', async () => {
    const { accessToken } = await running();
    expect(await keeper().accessToken()).toBe(accessToken);
    // and a late, stale pair from elsewhere is refused by the store
    expect(
      saveRefreshedPair(app.db, OA, zalo.spent[0]!, { accessToken: 'old', accessExpiresAt: 0, refreshToken: 'old', refreshExpiresAt: 0 }, clock.now()),
    ).toBe(false);
    expect(await keeper().accessToken()).toBe(accessToken);
    expect(zalo.calls).toBe(1);
  });

  it('no token appears in any log line, whatever happened', async () => {
    const k = keeper({ onRefused: () => Promise.reject(new Error('no admin channel')) });
    k.load(zalo.issue());
    await k.accessToken();
    clock.advance(25 * HOUR);
    await k.refreshAhead(clock.now());
    app.sqlite.exec("create trigger die before update on zalo_oa_tokens begin select raise(abort, 'disk I/O error'); end");
    clock.advance(25 * HOUR);
    await expect(k.accessToken()).rejects.toThrow();
    app.sqlite.exec('drop trigger die');
    await expect(k.accessToken()).rejects.toBeInstanceOf(ZaloOaNeedsReauthorisation);

    const secrets = [...zalo.spent, ...zalo.valid];
    const messages = logs.lines.map((l) => l.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'zalo-oa: refresh token loaded',
        'zalo-oa: token pair refreshed',
        'zalo-oa: the refreshed token pair could not be stored and is lost',
        'zalo-oa: Zalo refused the refresh token; the OA needs re-authorisation',
        'zalo-oa: the re-authorisation alert failed',
      ]),
    );
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const line of logs.lines) {
      const text = JSON.stringify(line);
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/at-\d+-a{30}/);
    }
  });
});
