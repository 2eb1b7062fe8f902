import { type Options, Zalo, ZaloApiError } from 'zca-js';
import type { ZaloApiLike } from './adapter.js';
import { readCredentials } from './credentials.js';
import { ZaloLoginRefusedError, ZaloUnreachableError } from './supervisor.js';

/**
 * How zca-js reaches the network. Production passes nothing (the global fetch); the tests' fake
 * Zalo passes its own `fetch` through zca-js's `polyfill` option, so zca-js's real login and send
 * code runs against it.
 */
export type ZaloNetwork = Pick<Partial<Options>, 'polyfill'>;

/**
 * Logs in from the saved credentials. Update checks are off: the library version is pinned, and
 * every extra request is one more thing Zalo sees of an automated account.
 *
 * `selfListen` is on: zca-js otherwise drops every event that names the account itself, and the
 * bot's own removal from a group is such an event (bot/zalo/groupEvents.ts). The account's own
 * messages (from this session or its phone), which then arrive too, are dropped by
 * incomingFromZalo, as the ones in Zalo's history batches always were.
 */
export function zaloClient(network: ZaloNetwork = {}): Zalo {
  // Spread first: whatever is passed, the settings below hold.
  return new Zalo({ ...network, checkUpdate: false, selfListen: true, logging: false });
}

/**
 * Logs in from the saved credentials, saying how a failed login failed, which decides what the
 * supervisor does next (bot/zalo/supervisor.ts):
 * - Zalo answered every request (HTTP 2xx) and zca-js still refused — getServerInfo without data,
 *   "zpw_sek bị thiếu hoặc không đúng" (zca-js #315), or no login info: ZaloLoginRefusedError, the
 *   saved cookies are dead and only a new QR login mends them;
 * - no request got an answer at all (network down, DNS): ZaloUnreachableError, Zalo saw nothing;
 * - anything else (an HTTP error status, an answer zca-js could not read) as it is: tried again.
 * zca-js says neither, so its requests are counted through the `polyfill` it calls for each one.
 */
export async function loginFromCredentials(credentialsPath: string, network: ZaloNetwork = {}): Promise<ZaloApiLike> {
  const credentials = readCredentials(credentialsPath);
  const base: typeof fetch = network.polyfill ?? ((input, init) => globalThis.fetch(input, init));
  let answers = 0;
  let httpErrors = 0;
  const polyfill: typeof fetch = async (input, init) => {
    const response = await base(input, init);
    answers++;
    if (!response.ok) httpErrors++;
    return response;
  };
  try {
    const api = await zaloClient({ polyfill }).login(credentials);
    return api as unknown as ZaloApiLike;
  } catch (error) {
    // zca-js's own error is the cause (the log shows its words after these).
    if (answers === 0) throw new ZaloUnreachableError('Zalo could not be reached', { cause: error });
    if (httpErrors === 0 && error instanceof ZaloApiError) throw new ZaloLoginRefusedError('Zalo refused the saved login', { cause: error });
    throw error;
  }
}
