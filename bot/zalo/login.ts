import { type Options, Zalo } from 'zca-js';
import type { ZaloApiLike } from './adapter.js';
import { readCredentials } from './credentials.js';

/**
 * How zca-js reaches the network. Production passes nothing (the global fetch); the tests' fake
 * Zalo passes its own `fetch` through zca-js's `polyfill` option, so zca-js's real login and send
 * code runs against it.
 */
export type ZaloNetwork = Pick<Partial<Options>, 'polyfill'>;

/**
 * Logs in from the saved credentials. Update checks are off: the library version is pinned, and
 * every extra request is one more thing Zalo sees of an automated account.
 */
export function zaloClient(network: ZaloNetwork = {}): Zalo {
  // Spread first: whatever is passed, the settings below hold.
  return new Zalo({ ...network, checkUpdate: false, selfListen: false, logging: false });
}

export async function loginFromCredentials(credentialsPath: string, network: ZaloNetwork = {}): Promise<ZaloApiLike> {
  const api = await zaloClient(network).login(readCredentials(credentialsPath));
  return api as unknown as ZaloApiLike;
}
