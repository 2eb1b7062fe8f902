import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { Api, GrammyError } from 'grammy';
import { AttachmentGoneError, type FetchAttachment, AttachmentTooLargeError, httpDownload } from '../attachmentFetch.js';

const DEFAULT_API_ROOT = 'https://api.telegram.org';

/**
 * A file a person sent on Telegram, by its file_id: `getFile` gives a path, valid for an hour, that
 * is downloaded from `<apiRoot>/file/bot<token>/<path>`. Telegram's own server hands out files of
 * up to 20 MB ("file is too big" beyond). A self-hosted Bot API server started with `--local`
 * answers with a path on its own disk instead, read from there (it runs on the bot's machine).
 *
 * Errors never carry the download URL: it holds the bot's token.
 */
export function telegramAttachmentFetcher(options: { token: string; apiRoot?: string; fetch?: typeof fetch }): FetchAttachment {
  const root = options.apiRoot ?? DEFAULT_API_ROOT;
  const api = new Api(options.token, { apiRoot: root });
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return async (attachment, { signal }) => {
    let filePath: string | undefined;
    try {
      filePath = (await api.getFile(attachment.ref, signal as Parameters<Api['getFile']>[1])).file_path;
    } catch (error) {
      if (!(error instanceof GrammyError)) throw new Error(signal.aborted ? 'download aborted' : 'Telegram could not be reached');
      if (/too big/i.test(error.description)) throw new AttachmentTooLargeError(`Telegram ${error.error_code}: file is too big`);
      // "wrong file_id", "file not found", "invalid file_id": this id will never work.
      if (error.error_code === 400) throw new AttachmentGoneError(`Telegram ${error.error_code}: ${error.description.slice(0, 100)}`);
      throw new Error(`Telegram ${error.error_code}`);
    }
    if (!filePath) throw new AttachmentGoneError('Telegram gave no file path');
    if (isAbsolute(filePath)) {
      const size = (await stat(filePath)).size;
      return { body: createReadStream(filePath, { signal }), sizeBytes: size };
    }
    return httpDownload(fetchImpl, `${root}/file/bot${options.token}/${filePath}`, signal);
  };
}
