import { Zalo } from 'zca-js';
import type { ZaloApiLike } from './adapter.js';
import { readCredentials } from './credentials.js';

/**
 * Logs in from the saved credentials. Update checks are off: the library version is pinned, and
 * every extra request is one more thing Zalo sees of an automated account.
 */
export function zaloClient(): Zalo {
  return new Zalo({ checkUpdate: false, selfListen: false, logging: false });
}

export async function loginFromCredentials(credentialsPath: string): Promise<ZaloApiLike> {
  const api = await zaloClient().login(readCredentials(credentialsPath));
  return api as unknown as ZaloApiLike;
}
