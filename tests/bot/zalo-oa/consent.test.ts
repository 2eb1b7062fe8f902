import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeZaloOpenApi } from '../../../bench/fakes/zaloOa/openApi.js';
import { exchangeAuthorizationCode, ZaloOaTokenRefused } from '../../../bot/zalo-oa/api.js';
import { codeChallenge, pkcePair, readAuthorizationAnswer } from '../../../bot/zalo-oa/consent.js';

const OA = '579745863508352884';

describe('the PKCE pair', () => {
  it('computes S256 as RFC 7636 does (its appendix B example)', () => {
    expect(codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('draws 43 characters with upper case, lower case and digits only, drawing again otherwise', () => {
    const draws = [
      Buffer.alloc(32, 0xff), // "__________…": none of the three
      Buffer.alloc(32, 0x41), // "QUFB…": no digit
      Buffer.from('0123456789abcdefghijklmnopqrstuv'),
    ];
    let n = 0;
    const pair = pkcePair(() => draws[n++]!);
    expect(n).toBe(3);
    expect(pair.verifier).toBe(Buffer.from('0123456789abcdefghijklmnopqrstuv').toString('base64url'));
    expect(pair.verifier).toMatch(/^[A-Za-z0-9]{43}$/);
    expect(pair.challenge).toBe(codeChallenge(pair.verifier));

    const fresh = pkcePair();
    expect(fresh.verifier).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)[A-Za-z0-9]{43}$/);
    expect(pkcePair().verifier).not.toBe(fresh.verifier);
  });
});

describe('what the operator pastes back', () => {
  it('takes the code from the callback address, or a bare code', () => {
    expect(readAuthorizationAnswer(`https://dvk.hatinh.gov.vn/cb?code=AbC-123_x&oa_id=${OA}`, OA)).toEqual({ ok: true, code: 'AbC-123_x', oaId: OA });
    expect(readAuthorizationAnswer('  https://dvk.hatinh.gov.vn/cb?code=AbC  ', OA)).toEqual({ ok: true, code: 'AbC', oaId: undefined });
    expect(readAuthorizationAnswer('?code=AbC&oa_id=' + OA, OA)).toEqual({ ok: true, code: 'AbC', oaId: OA });
    expect(readAuthorizationAnswer('AbC-123_x.~', OA)).toEqual({ ok: true, code: 'AbC-123_x.~', oaId: undefined });
  });

  it('refuses nothing, an address without a code, words, and an address for another OA', () => {
    expect(readAuthorizationAnswer('   ', OA)).toEqual({ ok: false, reason: 'empty' });
    expect(readAuthorizationAnswer('https://dvk.hatinh.gov.vn/cb?oa_id=' + OA, OA)).toEqual({ ok: false, reason: 'no-code' });
    expect(readAuthorizationAnswer('mã là ABC', OA)).toEqual({ ok: false, reason: 'no-code' });
    expect(readAuthorizationAnswer('https://dvk.hatinh.gov.vn/cb?code=AbC&oa_id=1111111111', OA)).toEqual({
      ok: false,
      reason: 'other-oa',
      oaId: '1111111111',
    });
  });
});

describe('trading the authorization code', () => {
  let fake: FakeZaloOpenApi;
  beforeEach(async () => {
    fake = await FakeZaloOpenApi.start();
  });
  afterEach(() => fake.close());

  it('posts code, app_id, grant_type=authorization_code and code_verifier with secret_key, and returns the pair', async () => {
    const pkce = pkcePair();
    const code = fake.issueAuthorizationCode(pkce.challenge);
    const pair = await exchangeAuthorizationCode({ appId: fake.appId, appSecret: fake.appSecret, code, codeVerifier: pkce.verifier }, { oauthUrl: fake.url });
    expect(pair).toEqual({ accessToken: fake.accessToken, refreshToken: fake.refreshToken, expiresInSeconds: 90_000 });
    const [call] = fake.calls;
    expect(call).toMatchObject({
      method: 'POST',
      path: '/v4/oa/access_token',
      headers: { secret_key: fake.appSecret, 'content-type': 'application/x-www-form-urlencoded' },
      body: { code, app_id: fake.appId, grant_type: 'authorization_code', code_verifier: pkce.verifier },
    });
  });

  it('is refused for a wrong verifier and for a code used once already, without quoting code, verifier or secret', async () => {
    const pkce = pkcePair();
    const other = pkcePair();
    const credentials = { appId: fake.appId, appSecret: fake.appSecret, code: fake.issueAuthorizationCode(pkce.challenge), codeVerifier: other.verifier };
    const wrong = await exchangeAuthorizationCode(credentials, { oauthUrl: fake.url }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ZaloOaTokenRefused);
    expect(wrong).toMatchObject({ grant: 'authorization code', httpStatus: 200, reason: expect.stringContaining('Invalid code verifier') });

    const code = fake.issueAuthorizationCode(pkce.challenge);
    await exchangeAuthorizationCode({ ...credentials, code, codeVerifier: pkce.verifier }, { oauthUrl: fake.url });
    fake.fail('/v4/oa/access_token', -14999, { message: `code ${code} verifier ${pkce.verifier} secret ${fake.appSecret}` });
    const quoted = (await exchangeAuthorizationCode({ ...credentials, code, codeVerifier: pkce.verifier }, { oauthUrl: fake.url }).catch(
      (e: unknown) => e,
    )) as Error;
    const reused = (await exchangeAuthorizationCode({ ...credentials, code, codeVerifier: pkce.verifier }, { oauthUrl: fake.url }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(reused).toMatchObject({ name: 'ZaloOaTokenRefused', reason: expect.stringContaining('Invalid authorization code') });
    expect(reused.message).toMatch(/^Zalo OAuth refused the authorization code /);
    for (const error of [wrong as Error, quoted, reused]) {
      for (const secret of [code, pkce.verifier, other.verifier, fake.appSecret]) expect(`${error.message}${error.stack}`).not.toContain(secret);
    }
    expect(fake.authorizations).toBe(1);
  });
});
