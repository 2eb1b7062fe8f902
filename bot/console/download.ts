import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AttachmentGoneError, type FetchAttachment } from '../attachmentFetch.js';

/**
 * The simulator's `📎 anh.jpg`: a path on this machine, read from `baseDir` (where the operator
 * typed `npm start`). A name with no file behind it — most scripted sessions only play sending a
 * file — is recorded as not kept, without retries.
 */
export function consoleAttachmentFetcher(baseDir: string): FetchAttachment {
  return async (attachment, { signal }) => {
    const path = resolve(baseDir, attachment.ref);
    const found = await stat(path).catch(() => undefined);
    if (!found?.isFile()) throw new AttachmentGoneError('no such file');
    return { body: createReadStream(path, { signal }), sizeBytes: found.size };
  };
}
