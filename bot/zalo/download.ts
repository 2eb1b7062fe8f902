import { isIP } from 'node:net';
import { AttachmentGoneError, type FetchAttachment, httpDownload } from '../attachmentFetch.js';

/**
 * Zalo's photos and files are links on its CDN (the attachment's `ref`), readable without the
 * account's session, and not for long: the bot downloads them as soon as they are saved.
 *
 * Only https links to a host name are fetched. The link comes inside a message, so a crafted one
 * could point the bot at the machine it runs on or its network (127.0.0.1, 10.x, a metadata
 * address) and have the answer kept as "evidence"; Zalo's CDN is never reached by an IP literal.
 */
export function zaloAttachmentFetcher(fetchImpl: typeof fetch = globalThis.fetch): FetchAttachment {
  return async (attachment, { signal }) => {
    let url: URL;
    try {
      url = new URL(attachment.ref);
    } catch {
      throw new AttachmentGoneError('not a link');
    }
    if (!isCdnLink(url)) throw new AttachmentGoneError('not a Zalo CDN link');
    // A redirect must lead to such a link too.
    return httpDownload(fetchImpl, url.href, signal, isCdnLink);
  };
}

/** An https link to a host name (never an IP literal, localhost or a bare name). */
function isCdnLink(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return url.protocol === 'https:' && isIP(host) === 0 && host !== 'localhost' && host.includes('.');
}
