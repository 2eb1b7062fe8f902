import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { type Core, createCore } from '../../../bot/app.js';
import type { ZaloOaSettings } from '../../../bot/config.js';
import type { ZaloOaAdapter } from '../../../bot/zalo-oa/adapter.js';
import { type ZaloOaRoute, zaloOaRoute } from '../../../bot/zalo-oa/wiring.js';
import type { IncomingHandler } from '../../../core/chat.js';
import { fixedClock } from '../../../core/clock.js';
import { seedDemo } from '../../../db/seed/demo.js';
import { FakeZaloOpenApi } from './openApi.js';
import { type PostOptions, postEvent, type WebhookTarget } from './webhookDriver.js';

/**
 * The bot's real OA route over the fake Zalo, wired as bot/main.ts wires it (bot/zalo-oa/wiring.ts:
 * the OpenAPI client, the token store, the file links, the adapter with its HTTP server on
 * loopback) and feeding the core's dispatcher over the demo deployment. Zalo's side is the fake
 * OpenAPI and OAuth server (openApi.ts) and signed webhook posts (webhookDriver.ts). Differences
 * from main.ts: the pace is the fake's (4,000 calls a minute unless told), and the public address
 * is https://dvk.example.gov.vn, which `local()` maps onto the loopback server.
 */

export const OA_GROUP = 'f414c8f76fa586fbdfb4';
export const OA_GROUP_NAME = 'Dân vận khéo xã Cẩm Xuyên';
export const OA_SECRET_KEY = 'fake-oa-secret-key-for-webhooks';
export const PUBLIC_URL = 'https://dvk.example.gov.vn';
export const OA_NOW = '2026-03-10T09:00:00+07:00';

export interface OaBedOptions {
  log?: Logger;
  /** The demo deployment in the database (default true). */
  demo?: boolean;
  callsPerMinute?: number;
  /** The fake's rate limit per minute (X-RateLimit-Limit). */
  ratePerMinute?: number;
  /** Runs on every message before the core handles it (a slow handler, a tap). */
  tap?: (...args: Parameters<IncomingHandler>) => void | Promise<void>;
  /** Before the adapter starts: the database and the fake as they are then. */
  prepare?: (bed: { core: Core; fake: FakeZaloOpenApi; route: ZaloOaRoute }) => void | Promise<void>;
  /** `restart()`: the same fake and data folder. */
  reuse?: { fake: FakeZaloOpenApi; dir: string };
}

export class OaBed {
  /** The adapter's run (settles when it stops). */
  running: Promise<void> = Promise.resolve();
  private constructor(
    readonly fake: FakeZaloOpenApi,
    /** What the admins were told (the alert main sends to the other routes). */
    readonly alerts: string[],
    readonly core: Core,
    readonly route: ZaloOaRoute,
    /** The core's clock (DVK_NOW-like, fixed; `advance` moves it). */
    readonly clock: ReturnType<typeof fixedClock>,
    readonly dir: string,
    private readonly options: OaBedOptions,
  ) {}

  get adapter(): ZaloOaAdapter {
    return this.route.adapter;
  }

  /** Where Zalo posts: the webhook on the loopback server, signed with the bed's keys. */
  get target(): WebhookTarget {
    return { url: `http://${this.adapter.address}/zalo-oa/webhook`, appId: this.fake.appId, secretKey: OA_SECRET_KEY };
  }

  static async start(options: OaBedOptions = {}): Promise<OaBed> {
    const fake = options.reuse?.fake ?? (await FakeZaloOpenApi.start({ ratePerMinute: options.ratePerMinute ?? 4000 }));
    if (!options.reuse) fake.addGroup(OA_GROUP, { name: OA_GROUP_NAME });
    const dir = options.reuse?.dir ?? mkdtempSync(join(tmpdir(), 'dvk-zalo-oa-'));
    mkdirSync(dir, { recursive: true });
    const log = options.log ?? pino({ level: 'silent' });
    const clock = fixedClock(OA_NOW);
    const settings: ZaloOaSettings = {
      appId: fake.appId,
      oaId: fake.oaId,
      appSecret: fake.appSecret,
      secretKey: OA_SECRET_KEY,
      publicUrl: PUBLIC_URL,
      port: 0,
      host: '127.0.0.1',
      callsPerMinute: options.callsPerMinute ?? 4000,
      filesDir: join(dir, 'files'),
      apiUrl: fake.url,
      oauthUrl: fake.url,
    };
    let route: ZaloOaRoute | undefined;
    const alerts: string[] = [];
    const core = await createCore({
      dbPath: join(dir, 'dvk.sqlite'),
      clock,
      log,
      flowTtlMinutes: 60,
      // As main runs it: WAL checkpoints on their own thread, off the one that answers the webhook.
      backgroundCheckpoints: true,
      deliver: (chat, reply) => (chat.platform === 'zalo-oa' ? route!.adapter.send(chat, reply) : Promise.reject(new Error(`no adapter for ${chat.platform}`))),
    });
    if (!options.reuse && options.demo !== false) seedDemo(core.database.db, clock.now());
    route = zaloOaRoute({
      settings,
      db: core.database.db,
      dbPath: join(dir, 'dvk.sqlite'),
      clock,
      hooks: core.hooks,
      log,
      alert: async (text) => {
        alerts.push(text);
      },
    });
    // The operator's first token, as `npm run zalo-oa -- nap-token` stores it.
    if (!options.reuse) route.tokens.load(fake.refreshToken);
    const bed = new OaBed(fake, alerts, core, route, clock, dir, options);
    await options.prepare?.({ core, fake, route });
    const tap = options.tap;
    bed.running = route.adapter.start(
      tap
        ? async (message, outbound) => {
            await tap(message, outbound);
            await core.dispatcher.handle(message, outbound);
          }
        : core.dispatcher.handle,
    );
    await route.adapter.listening;
    return bed;
  }

  /** Zalo posts an event; resolves with the HTTP status once the bot has handled everything so far. */
  async post(event: Record<string, unknown>, options: PostOptions = {}): Promise<number> {
    const { status } = await postEvent(this.target, event, options);
    await this.adapter.idle();
    await this.core.evidence?.idle();
    return status;
  }

  /** A member writes in the group: the history gets it and the webhook is posted. Returns the event. */
  async say(userId: string, text: string, groupId = OA_GROUP): Promise<Record<string, unknown>> {
    const event = this.fake.memberSays(groupId, userId, text);
    await this.post(event);
    return event;
  }

  /** A person writes to the OA in their 1:1 chat with it: their window opens and the webhook is posted. Returns the event. */
  async sayPrivately(userId: string, text: string): Promise<Record<string, unknown>> {
    const event = this.fake.userSays(userId, text);
    await this.post(event);
    return event;
  }

  /** A link the bot gave out (on its public address), on the loopback server. */
  local(url: string): string {
    if (!url.startsWith(`${PUBLIC_URL}/`)) throw new Error(`not the bot's link: ${url}`);
    return `http://${this.adapter.address}${url.slice(PUBLIC_URL.length)}`;
  }

  /** The process stops; the fake and the data folder stay for `restart()`. */
  async stop(): Promise<void> {
    await this.adapter.stop();
    await this.running.catch(() => undefined);
    await this.core.reports?.stop();
    this.core.close();
  }

  /** A new process on the same database and the same Zalo. */
  restart(options: Omit<OaBedOptions, 'reuse'> = {}): Promise<OaBed> {
    return OaBed.start({ ...this.options, ...options, reuse: { fake: this.fake, dir: this.dir } });
  }

  async close(): Promise<void> {
    await this.stop();
    await this.fake.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
