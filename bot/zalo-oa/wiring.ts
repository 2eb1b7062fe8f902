import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { AdapterHooks } from '../../core/chat.js';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../db/client.js';
import { findCaller } from '../../db/people.js';
import type { Job } from '../../scheduler/ticker.js';
import type { ZaloOaSettings } from '../config.js';
import { type AlertOptions, ZaloOaAdapter } from './adapter.js';
import { refreshAccessToken, ZaloOaApi } from './api.js';
import { FileLinks, fileLinksJob, linkNotice } from './fileLinks.js';
import { zaloOaJob } from './jobs.js';
import { OaSendQueue } from './sendQueue.js';
import { TokenKeeper } from './tokens.js';

/**
 * The OA route put together from its settings (bot/main.ts loads this module only when the
 * ZALO_OA_* variables are set): the OpenAPI client, the token store, the file links, the adapter,
 * and the jobs it brings to the scheduler.
 */

export interface ZaloOaRouteDeps {
  settings: ZaloOaSettings;
  db: Db;
  dbPath: string;
  clock: Clock;
  hooks: AdapterHooks;
  log: Logger;
  /** Tells the admins (on the routes that can write to them alone) and the log. */
  alert: (text: string, options?: AlertOptions) => Promise<void>;
  /** Tests: a fetch that reaches the fake Zalo. */
  fetch?: typeof fetch;
  /** Tests: real time in ms for Zalo's timestamps. */
  now?: () => number;
}

export interface ZaloOaRoute {
  adapter: ZaloOaAdapter;
  api: ZaloOaApi;
  tokens: TokenKeeper;
  links: FileLinks;
  jobs: Job[];
}

/** Where files sent by link are kept by default: `zalo-oa-files/` beside the database file. */
export function fileLinksDirFor(dbPath: string): string {
  return join(dirname(resolve(dbPath)), 'zalo-oa-files');
}

export function zaloOaRoute(deps: ZaloOaRouteDeps): ZaloOaRoute {
  const { settings, db, clock, log } = deps;
  let adapter: ZaloOaAdapter | undefined;
  const tokens = new TokenKeeper({
    db,
    oaId: settings.oaId,
    clock,
    log,
    refresh: (refreshToken) =>
      refreshAccessToken({ appId: settings.appId, appSecret: settings.appSecret, refreshToken }, { oauthUrl: settings.oauthUrl, fetch: deps.fetch }),
    onRefused: async (reason) => {
      adapter?.needsReauthorisation();
      await deps.alert(
        `⚠️ Zalo không nhận mã làm mới (refresh token) của OA nữa (${reason}), nên bot không gửi được vào các nhóm Zalo OA. Cách khắc phục: trên máy chủ, chạy \`npm run zalo-oa -- cap-quyen\` (hoặc lấy mã mới trong API Explorer rồi chạy \`npm run zalo-oa -- nap-token\`); bot dùng mã mới ngay, không cần khởi động lại.`,
      );
    },
  });
  const api = new ZaloOaApi({ baseUrl: settings.apiUrl, oauthUrl: settings.oauthUrl, fetch: deps.fetch, clock, accessToken: () => tokens.accessToken() });
  const links = new FileLinks({ db, dir: settings.filesDir ?? fileLinksDirFor(deps.dbPath), publicUrl: settings.publicUrl, clock, log });
  const queue = new OaSendQueue({ perMinute: settings.callsPerMinute, rateLimit: () => api.rateLimit, log });
  adapter = new ZaloOaAdapter({
    queue,
    appId: settings.appId,
    oaId: settings.oaId,
    secretKey: settings.secretKey,
    api,
    tokens,
    hooks: deps.hooks,
    log,
    listen: { host: settings.host, port: settings.port },
    links,
    linkNotice,
    knownUser: (userId) => findCaller(db, 'zalo-oa', userId) !== undefined,
    alert: deps.alert,
    now: deps.now,
  });
  return { adapter, api, tokens, links, jobs: [zaloOaJob({ adapter, tokens, log }), fileLinksJob(links, log)] };
}
