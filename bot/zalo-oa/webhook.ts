import type { IncomingMessage as HttpRequest, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ChatChains } from '../chatChains.js';
import { signatureMatches, webhookSignature } from './signature.js';

/**
 * The OA's webhook: Zalo posts every event of the OA's groups, and of its 1:1 chats, here. Zalo
 * wants a 200 within 2 s and retries a failed post (the same body, a `num_retry` header) before it
 * disables the webhook, so the post is answered as soon as it is known to be Zalo's, and handled
 * afterwards: one group (or one person's 1:1 chat) at a time, in the order received, different
 * ones at once.
 *
 * What is checked before anything is handled: the path and method, the size (1 MB), the signature
 * (X-ZEvent-Signature, constant time), the JSON, and that the event is for this app and this OA.
 * A post that fails is dropped and logged without its body (it may hold people's messages).
 * The signing key is the OA Secret Key of the app's Webhook page, not the app secret; the shapes
 * and where they come from are in docs/zalo-oa-api.md.
 */

export const MAX_WEBHOOK_BODY = 1024 * 1024;

/** The envelope every event shares; the rest of the event is read by the adapter (incoming.ts). */
/** Ids come as strings; a number (Zalo's examples vary) is read as its digits. */
const zaloId = z.union([z.string(), z.number()]).transform(String);

const envelopeSchema = z
  .object({
    event_name: z.string().min(1),
    app_id: zaloId,
    oa_id: zaloId.optional(),
    timestamp: zaloId,
    sender: z.object({ id: zaloId }).passthrough().optional(),
    recipient: z.object({ id: zaloId }).passthrough().optional(),
    /** Group lifecycle events (user_join_group, user_out_group, add_group_admin…) name their group here, flat. */
    group_id: zaloId.optional(),
    /** follow / unfollow name the person here (docs/zalo-oa-api.md §8), with no sender or recipient. */
    follower: z.object({ id: zaloId }).passthrough().optional(),
  })
  .passthrough();

export type WebhookEvent = z.output<typeof envelopeSchema>;

export interface WebhookOptions {
  /** Where Zalo posts, e.g. "/zalo-oa/webhook" (the path of ZALO_OA_PUBLIC_URL's webhook). */
  path: string;
  appId: string;
  oaId: string;
  /** The OA secret key of the webhook settings (not the app secret). */
  secretKey: string;
  log: Logger;
  /** One verified event, after the 200 went out; events of one group in the order received. */
  onEvent(event: WebhookEvent, delivery: { retry: number; rawBody: string }): Promise<void>;
}

export class ZaloOaWebhook {
  private readonly chains: ChatChains;

  constructor(private readonly options: WebhookOptions) {
    this.chains = new ChatChains((error, key) => options.log.error({ err: error, key }, 'zalo-oa: event failed'));
  }

  /** For node:http's server: answers the posts of its path; false for any other request. */
  handle(req: HttpRequest, res: ServerResponse): boolean {
    const path = (req.url ?? '').split('?')[0];
    if (path !== this.options.path) return false;
    if (req.method === 'GET' || req.method === 'HEAD') {
      // Zalo's console may check the URL with a GET when it is saved (docs/zalo-oa-api.md §1d): a 200, nothing else.
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(req.method === 'GET' ? 'dvk-bot' : undefined);
      return true;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, HEAD, POST' }).end();
      return true;
    }
    void this.receive(req, res);
    return true;
  }

  /** Settles when every event received so far has been handled. */
  idle(): Promise<void> {
    return this.chains.idle();
  }

  private async receive(req: HttpRequest, res: ServerResponse): Promise<void> {
    const log = this.options.log;
    const raw = await readBody(req, MAX_WEBHOOK_BODY);
    if (raw === undefined) {
      log.warn({ bytes: req.headers['content-length'] }, 'zalo-oa: webhook post too large, dropped');
      res.writeHead(413, { connection: 'close' }).end();
      return;
    }
    let event: WebhookEvent;
    try {
      event = envelopeSchema.parse(JSON.parse(raw));
    } catch {
      // Saving the URL in Zalo's console is reported to post an unsigned `{}` that must get a 200
      // (docs/zalo-oa-api.md §1d): nothing in it to handle, so a 200 costs nothing.
      log.info({ bytes: raw.length }, 'zalo-oa: webhook post that is not an event (Zalo checking the URL?), answered and ignored');
      res.writeHead(200).end();
      return;
    }
    const expected = webhookSignature(this.options.appId, raw, event.timestamp, this.options.secretKey);
    const header = req.headers['x-zevent-signature'];
    if (!signatureMatches(Array.isArray(header) ? header[0] : header, expected)) {
      // Not Zalo, or a secret key that does not match the OA's: say which without the body.
      log.warn({ event: event.event_name, bytes: raw.length }, 'zalo-oa: webhook post with a wrong signature, dropped');
      res.writeHead(401).end();
      return;
    }
    if (event.app_id !== this.options.appId || (event.oa_id !== undefined && event.oa_id !== this.options.oaId)) {
      log.warn({ event: event.event_name, app: event.app_id, oa: event.oa_id }, 'zalo-oa: event for another app or OA, dropped');
      res.writeHead(200).end();
      return;
    }
    res.writeHead(200).end();
    const retry = Number(req.headers.num_retry ?? req.headers['num-retry'] ?? 0) || 0;
    void this.chains.run(chainOf(event), () => this.options.onEvent(event, { retry, rawBody: raw }));
  }
}

/**
 * Events of one group share a chain: the group is the recipient of a member's post and of the OA's
 * echo, and the flat `group_id` of a lifecycle event (docs/zalo-oa-api.md §1). A 1:1 chat is the
 * person's: the sender of their message, the recipient of the OA's echo, the follower of a
 * (un)follow (§8). So one person's messages stay in order, and different people and groups run side
 * by side.
 */
export function chainOf(event: WebhookEvent): string {
  const name = event.event_name;
  if (name.startsWith('user_send_group_') || name.startsWith('oa_send_group_')) {
    const group = event.recipient?.id;
    if (group) return `group:${group}`;
  } else if (name.startsWith('user_send_')) {
    if (event.sender?.id) return `user:${event.sender.id}`;
  } else if (name.startsWith('oa_send_')) {
    if (event.recipient?.id) return `user:${event.recipient.id}`;
  } else if (event.follower?.id) return `user:${event.follower.id}`;
  if (event.group_id) return `group:${event.group_id}`;
  return `event:${name}`;
}

/** The body as text, or undefined past `limit` bytes (the rest is not read). */
function readBody(req: HttpRequest, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        req.pause();
        resolve(undefined);
        return;
      }
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}
