import { createHash, randomBytes } from 'node:crypto';

/**
 * The operator's side of Zalo's OAuth v4 consent (docs/zalo-oa-api.md §5a–§5c): the PKCE pair, and
 * reading what the operator pastes back from the browser. The exchange itself is api.ts's
 * exchangeAuthorizationCode; the conversation with the operator is bot/cli/zaloOa.ts's.
 */

export interface PkcePair {
  /** Kept in memory only, until the code is traded; never printed. */
  verifier: string;
  /** base64url(SHA-256(ASCII(verifier))) without padding: RFC 7636 S256, as Zalo's PHP SDK computes it. */
  challenge: string;
}

/**
 * Zalo asks for a verifier of 43 characters "with upper case, lower case and digits". 32 random
 * bytes in base64url are 43 characters; drawn again until they hold all three and nothing else
 * (no "-" or "_", which RFC 7636 allows but Zalo's wording does not name): about four draws, and
 * the verifier still carries over 250 bits.
 */
export function pkcePair(random: (size: number) => Buffer = randomBytes): PkcePair {
  for (let draw = 0; draw < 1000; draw++) {
    const verifier = random(32).toString('base64url');
    if (/^[A-Za-z0-9]{43}$/.test(verifier) && /[A-Z]/.test(verifier) && /[a-z]/.test(verifier) && /\d/.test(verifier)) {
      return { verifier, challenge: codeChallenge(verifier) };
    }
  }
  throw new Error('zalo-oa: the random source gave no usable PKCE verifier');
}

export function codeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export type AuthorizationAnswer = { ok: true; code: string; oaId: string | undefined } | { ok: false; reason: 'empty' | 'no-code' | 'other-oa'; oaId?: string };

/**
 * What the operator pasted: the `code` alone, or the whole address the browser was sent to
 * (`<callback>?code=…&oa_id=…`), from which the code is taken. An address naming another OA than
 * the configured one is refused: its tokens would act for that OA while the bot stores them as
 * this one's.
 */
export function readAuthorizationAnswer(typed: string, expectedOaId: string): AuthorizationAnswer {
  const text = typed.trim();
  if (text === '') return { ok: false, reason: 'empty' };
  let params: URLSearchParams | undefined;
  if (/^https?:\/\//i.test(text)) {
    try {
      params = new URL(text).searchParams;
    } catch {
      return { ok: false, reason: 'no-code' };
    }
  } else if (/[?&]?code=/.test(text)) params = new URLSearchParams(text.replace(/^[^?]*\?/, ''));
  if (params) {
    const code = params.get('code')?.trim() ?? '';
    const oaId = params.get('oa_id')?.trim() || undefined;
    if (oaId !== undefined && oaId !== expectedOaId) return { ok: false, reason: 'other-oa', oaId };
    if (code === '') return { ok: false, reason: 'no-code' };
    return { ok: true, code, oaId };
  }
  // A bare code: one word of URL-safe characters, nothing that says it is something else.
  if (!/^[\w.~-]+$/.test(text)) return { ok: false, reason: 'no-code' };
  return { ok: true, code: text, oaId: undefined };
}
