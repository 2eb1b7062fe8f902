import type { IncomingAttachment, Platform } from '../core/chat.js';

/**
 * Downloading what people sent, so the bot keeps its own copy (bot/evidenceKeeper.ts): Zalo's
 * CDN links expire, a Telegram file_id is only good through the Bot API. Each platform gives one
 * function (bot/telegram/download.ts, bot/zalo/download.ts, bot/console/download.ts); main.ts
 * hands them to the core. Nothing here knows a platform's library.
 */

/** A download under way: the bytes as they arrive, so a file past the cap is cut off early. */
export interface FetchedFile {
  body: AsyncIterable<Uint8Array>;
  /** The size the server announces (Content-Length, Telegram's file_size), when it does. */
  sizeBytes?: number;
}

/** What the fetcher is given: the attachment as it was stored (`ref` is the platform's handle). */
export type AttachmentToFetch = Pick<IncomingAttachment, 'kind' | 'ref' | 'fileName' | 'mimeType' | 'sizeBytes'>;

export type FetchAttachment = (attachment: AttachmentToFetch, options: { signal: AbortSignal }) => Promise<FetchedFile>;

export type AttachmentFetchers = Partial<Record<Platform, FetchAttachment>>;

/**
 * The platform says the file is not there any more (HTTP 404/410, Telegram "file not found"), or
 * never was (a console path that does not exist): trying again will not bring it back.
 */
export class AttachmentGoneError extends Error {
  override name = 'AttachmentGoneError';
}

/** The platform will not hand over a file this large (Telegram's Bot API: 20 MB). */
export class AttachmentTooLargeError extends Error {
  override name = 'AttachmentTooLargeError';
}

/** Statuses after which the link is dead for good; others (5xx, 429, 408) are worth a retry. */
const GONE_STATUSES = new Set([401, 403, 404, 410]);

/** Redirects followed at most, each one checked like the first link. */
const MAX_REDIRECTS = 5;

/**
 * GET `url` and hand over its body. Errors say the status or the network failure, never the URL:
 * a Telegram file URL carries the bot's token, and a Zalo one points at a person's photo.
 * Redirects are followed by hand, and each target must pass `allowed` too: a link that passes the
 * check must not be able to send the bot somewhere that does not (a CDN answering 302 to a local
 * address).
 */
export async function httpDownload(
  fetchImpl: typeof fetch,
  url: string,
  signal: AbortSignal,
  allowed: (url: URL) => boolean = () => true,
): Promise<FetchedFile> {
  let response: Response;
  let at = new URL(url);
  for (let hop = 0; ; hop++) {
    try {
      response = await fetchImpl(at.href, { signal, redirect: 'manual' });
    } catch (error) {
      if (signal.aborted) throw new Error('download aborted');
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      throw new Error(`network error${typeof code === 'string' ? ` (${code})` : ''}`);
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) break;
    await response.body?.cancel().catch(() => undefined);
    if (hop >= MAX_REDIRECTS) throw new Error('too many redirects');
    at = new URL(location, at);
    if (!allowed(at)) throw new AttachmentGoneError('redirected to a link the bot does not fetch');
  }
  if (!response.ok) {
    // The body is not wanted; let the connection go.
    await response.body?.cancel().catch(() => undefined);
    if (GONE_STATUSES.has(response.status)) throw new AttachmentGoneError(`HTTP ${response.status}`);
    throw new Error(`HTTP ${response.status}`);
  }
  if (!response.body) throw new Error('empty response');
  const length = Number(response.headers.get('content-length'));
  return {
    body: response.body as unknown as AsyncIterable<Uint8Array>,
    ...(Number.isSafeInteger(length) && length >= 0 && response.headers.has('content-length') ? { sizeBytes: length } : {}),
  };
}
