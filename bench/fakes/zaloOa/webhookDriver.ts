import { webhookSignature } from '../../../bot/zalo-oa/signature.js';

/**
 * Zalo's side of the OA webhook, as the tests and the benchmark play it: posts an event to the
 * bot's webhook on loopback, signed as Zalo signs it (X-ZEvent-Signature over the app id, the raw
 * body, the body's timestamp and the OA secret key). Nothing here leaves the machine.
 */

export interface WebhookTarget {
  url: string;
  appId: string;
  secretKey: string;
}

export interface PostOptions {
  /** Zalo's redelivery counter (header num_retry). */
  retry?: number;
  /** A signature to send instead of the right one (a forger's). */
  signature?: string;
  /** "mac=<hex>", as some of Zalo's documentation shows it. */
  macPrefix?: boolean;
}

export async function postEvent(target: WebhookTarget, event: Record<string, unknown>, options: PostOptions = {}): Promise<{ status: number }> {
  const body = JSON.stringify(event);
  const signature = options.signature ?? webhookSignature(target.appId, body, String(event.timestamp ?? ''), target.secretKey);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-zevent-signature': options.macPrefix ? `mac=${signature}` : signature,
  };
  if (options.retry !== undefined) headers.num_retry = String(options.retry);
  const response = await fetch(target.url, { method: 'POST', headers, body });
  await response.arrayBuffer();
  return { status: response.status };
}

/** A member's text in an OA group, shaped as Zalo's user_send_group_text event. */
export function groupText(appId: string, oaId: string, groupId: string, userId: string, text: string, msgId: string, at: Date): Record<string, unknown> {
  return {
    app_id: appId,
    oa_id: oaId,
    user_id_by_app: `app-${userId}`,
    event_name: 'user_send_group_text',
    timestamp: String(at.getTime()),
    sender: { id: userId },
    recipient: { id: groupId },
    message: { msg_id: msgId, text },
  };
}
