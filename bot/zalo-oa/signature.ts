import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The signature Zalo puts on each webhook post (header X-ZEvent-Signature): the SHA-256, in hex,
 * of the app id, the raw body as sent, the body's `timestamp` and the OA's secret key, joined
 * without separators. Zalo's documentation shows the header both bare and as "mac=<hex>".
 */
export function webhookSignature(appId: string, rawBody: string, timestamp: string, secretKey: string): string {
  return createHash('sha256').update(`${appId}${rawBody}${timestamp}${secretKey}`, 'utf8').digest('hex');
}

/** Whether a post's header matches; compared in constant time, so a forger learns nothing from timing. */
export function signatureMatches(header: string | undefined, expected: string): boolean {
  if (!header) return false;
  const given = header.trim().replace(/^mac=/i, '').toLowerCase();
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
