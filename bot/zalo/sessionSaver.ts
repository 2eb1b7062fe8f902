import type { Logger } from 'pino';
import { readCredentials, writeCredentials, type ZaloCookie } from './credentials.js';

/**
 * Zalo renews the session's cookies as the bot talks to it (Set-Cookie on its answers, kept in
 * zca-js's cookie jar). If only the first login's cookies stayed on disk, a restart weeks later
 * would log in with stale ones and need a new QR scan; so the jar is written back to the
 * credentials file — only when a cookie actually changed, atomically and 0600 like the first time.
 */

/** What zca-js's `api.getCookie()` returns: a tough-cookie CookieJar, as far as it is used here. */
export interface CookieJarLike {
  toJSON(): { cookies: Array<Record<string, unknown>> } | undefined;
}

export interface SessionSource {
  getCookie(): CookieJarLike;
}

/** The parts of a cookie that matter to Zalo; bookkeeping such as lastAccessed changes on every use. */
function fingerprint(cookies: readonly Record<string, unknown>[]): string {
  const essential = cookies.map((c) => [c.key ?? c.name, c.value, c.domain ?? null, c.path ?? null, c.expires ?? null].map(String).join('\u0000'));
  return JSON.stringify(essential.sort());
}

export class ZaloSessionSaver {
  constructor(
    private readonly credentialsPath: string,
    private readonly log: Logger,
  ) {}

  /** Writes the session's cookies into the credentials file if they differ from it; true if written. Never throws. */
  save(session: SessionSource): boolean {
    try {
      const cookies = (session.getCookie().toJSON()?.cookies ?? []).filter(
        (c): c is ZaloCookie => typeof c.value === 'string' && typeof (c.key ?? c.name) === 'string',
      );
      // An empty jar is a broken session, not a newer one: keep what is on disk.
      if (cookies.length === 0) return false;
      const saved = readCredentials(this.credentialsPath);
      if (fingerprint(saved.cookie) === fingerprint(cookies)) return false;
      writeCredentials(this.credentialsPath, { ...saved, cookie: cookies });
      this.log.info({ cookies: cookies.length }, 'zalo: refreshed session cookies saved');
      return true;
    } catch (error) {
      // Errors from credentials.ts name fields only; anything else is reduced to its message class.
      this.log.error({ error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown' }, 'zalo: could not save the session cookies');
      return false;
    }
  }
}
