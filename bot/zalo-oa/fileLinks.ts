import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import type { IncomingMessage as HttpRequest, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import type { ChatRef, OutgoingFile } from '../../core/chat.js';
import { type Clock, formatVnDateTime } from '../../core/clock.js';
import { sizeText } from '../../core/labels.js';
import { nfc } from '../../core/text.js';
import type { Db } from '../../db/client.js';
import { expiredUnpurgedFileLinks, fileLinkByTokenHash, insertFileLink, markFileLinkPurged, recordFileLinkDownload } from '../../db/fileLinks.js';
import type { Job } from '../../scheduler/ticker.js';

/**
 * Files the OA cannot send, served by the bot itself at an unguessable link.
 *
 * Zalo's OA API carries only PDF/DOC/DOCX files up to 5 MB (images up to 1 MB) and 5,000 uploads a
 * month (docs/zalo-oa-api.md): an xlsx report, a larger file, or any file once the quota is out is
 * written here and the group gets a link to it instead. The link is served by the same node:http
 * server that receives Zalo's webhook, behind the operator's HTTPS proxy.
 *
 * - The token is 32 random bytes: 256 bits, far past guessing. Only its SHA-256 is stored, and a
 *   request is looked up by the hash of what it presents, so no comparison ever runs on the token
 *   itself (nothing to time) and a copy of the database opens nothing.
 * - A link works for 72 hours; after that it answers 410 and the hourly purge deletes the file.
 *   The row stays, for the audit trail.
 * - Each complete GET is a download: counted, and written to the audit log. A HEAD or a transfer
 *   cut off before its last byte is not.
 * - Neither the token nor the URL is ever logged: lines name the link's row id.
 * - Files are 0600 in a 0700 folder, under random names (the group's file name may say what it
 *   holds), written under a temporary name and renamed, so a half-written file is never served.
 */

export const FILE_LINK_TTL_MS = 72 * 60 * 60 * 1000;
export const FILE_LINK_PATH_PREFIX = '/zalo-oa/tep/';

/** 32 bytes in base64url, no padding: exactly 43 characters of [A-Za-z0-9_-]. */
const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const PARTIAL_SUFFIX = '.part';

export interface FileLinksOptions {
  db: Db;
  /** Where the files live (created 0700). */
  dir: string;
  /** The bot's public https address, without a trailing slash: https://dvk.example.gov.vn */
  publicUrl: string;
  clock: Clock;
  log: Logger;
  /** How long a link works; 72 hours unless told. */
  ttlMs?: number;
  /** The path the links live under, with both slashes: '/zalo-oa/tep/' unless told. */
  pathPrefix?: string;
}

export interface OfferedLink {
  url: string;
  expiresAt: Date;
}

export class FileLinks {
  readonly ttlMs: number;
  readonly pathPrefix: string;
  private readonly publicUrl: string;
  /** Responses still sending (or about to record their download): what idle() waits for. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Temporary files offer() is writing now: the purge leaves these alone and removes any other. */
  private readonly writing = new Set<string>();

  constructor(private readonly options: FileLinksOptions) {
    this.ttlMs = options.ttlMs ?? FILE_LINK_TTL_MS;
    this.pathPrefix = options.pathPrefix ?? FILE_LINK_PATH_PREFIX;
    this.publicUrl = options.publicUrl.replace(/\/+$/, '');
  }

  /** Keeps `file` for `chat` and returns its link and when the link stops working. */
  async offer(file: OutgoingFile, chat: ChatRef): Promise<OfferedLink> {
    const { db, dir, clock, log } = this.options;
    // 256 bits from the system's CSPRNG; the issue asks for at least 128.
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const storedName = randomBytes(16).toString('hex');
    const partialName = `${storedName}${PARTIAL_SUFFIX}`;
    const partial = join(dir, partialName);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir leaves an existing folder's mode as it was: the files are people's data.
    await chmod(dir, 0o700);
    this.writing.add(partialName);
    try {
      const handle = await open(partial, 'wx', 0o600);
      try {
        await handle.writeFile(file.data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + this.ttlMs);
      // The row first, then the name: a crash in between leaves a row whose file is missing
      // (answered as gone) or a partial file (swept by the purge), never a file nothing points at.
      const row = insertFileLink(db, {
        tokenHash: hashToken(token),
        fileName: nfc(file.fileName),
        mimeType: file.mimeType,
        sizeBytes: file.data.length,
        storedName,
        platform: chat.platform,
        platformChatId: chat.id,
        createdAt: now.getTime(),
        expiresAt: expiresAt.getTime(),
      });
      await rename(partial, join(dir, storedName));
      log.info({ link: row.id, bytes: row.sizeBytes, mimeType: row.mimeType, chat: `${chat.platform}:${chat.id}` }, 'zalo-oa: file offered by link');
      return { url: `${this.publicUrl}${this.pathPrefix}${token}`, expiresAt };
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    } finally {
      this.writing.delete(partialName);
    }
  }

  /** For node:http's server: answers requests under the links' path; false for any other request. */
  handle(req: HttpRequest, res: ServerResponse): boolean {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(this.pathPrefix)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', ...PRIVATE_HEADERS }).end();
      return true;
    }
    const serving = this.serve(req, res, path.slice(this.pathPrefix.length)).catch((error) => {
      this.options.log.error({ err: error }, 'zalo-oa: file link request failed');
      if (!res.headersSent) res.writeHead(500, PRIVATE_HEADERS);
      res.end();
    });
    this.inFlight.add(serving);
    void serving.finally(() => this.inFlight.delete(serving));
    return true;
  }

  /** Settles when every request received so far has been answered and its download recorded. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Deletes the files of links expired by `now` and marks their rows purged (the rows stay), and
   * removes temporary files left by an offer that never finished (a crash, a full disk).
   * @returns how many links were purged.
   */
  async purge(now: Date): Promise<number> {
    const { db, dir, log } = this.options;
    let purged = 0;
    for (const link of expiredUnpurgedFileLinks(db, now)) {
      try {
        await rm(join(dir, link.storedName), { force: true });
      } catch (error) {
        log.error({ err: error, link: link.id }, 'zalo-oa: expired link file could not be deleted');
        continue;
      }
      markFileLinkPurged(db, link.id, now);
      purged++;
    }
    let partials: string[] = [];
    try {
      partials = (await readdir(dir)).filter((name) => name.endsWith(PARTIAL_SUFFIX) && !this.writing.has(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const name of partials) await rm(join(dir, name), { force: true });
    if (purged > 0 || partials.length > 0) log.info({ purged, partials: partials.length }, 'zalo-oa: expired file links purged');
    return purged;
  }

  private async serve(req: HttpRequest, res: ServerResponse, token: string): Promise<void> {
    const { db, dir, clock, log } = this.options;
    // A malformed token is not looked up: it cannot be one the bot made.
    const link = TOKEN_SHAPE.test(token) ? fileLinkByTokenHash(db, hashToken(token)) : undefined;
    if (!link) {
      sendText(res, 404, NOT_FOUND_TEXT);
      return;
    }
    if (link.purgedAt !== null || clock.now().getTime() >= link.expiresAt) {
      sendText(res, 410, expiredText(this.ttlMs));
      return;
    }
    let handle: Awaited<ReturnType<typeof open>>;
    let size: number;
    try {
      handle = await open(join(dir, link.storedName), 'r');
      size = (await handle.stat()).size;
    } catch (error) {
      // A live link without its file: deleted by hand, or a crash between the row and the rename.
      log.error({ err: error, link: link.id }, 'zalo-oa: file of a live link is missing');
      sendText(res, 410, MISSING_TEXT);
      return;
    }
    res.writeHead(200, {
      'content-type': safeMimeType(link.mimeType),
      'content-length': String(size),
      'content-disposition': contentDisposition(link.fileName),
      ...PRIVATE_HEADERS,
    });
    if (req.method === 'HEAD') {
      await handle.close();
      res.end();
      return;
    }
    try {
      // pipeline settles only when the response has handed over its last byte, and fails if the
      // transfer was cut off: only then is it a download.
      await pipeline(handle.createReadStream(), res);
    } catch (error) {
      log.info({ link: link.id, reason: (error as NodeJS.ErrnoException).code ?? 'error' }, 'zalo-oa: file link transfer not completed');
      return;
    }
    const counted = recordFileLinkDownload(db, link.id, clock.now());
    log.info({ link: link.id, downloads: counted?.downloads }, 'zalo-oa: file downloaded by link');
  }
}

/** What the group reads with the link: the file, its size, the link, and until when it works. */
export function linkNotice(file: Pick<OutgoingFile, 'fileName' | 'data'>, link: OfferedLink): string {
  return `📎 ${nfc(file.fileName)} (${sizeText(file.data.length)}): ${link.url}\nLiên kết tải về dùng được đến ${formatVnDateTime(link.expiresAt)}.`;
}

/** The purge, run from the minute tick about once an hour. */
export function fileLinksJob(links: Pick<FileLinks, 'purge'>, log: Logger, everyMs = 60 * 60 * 1000): Job {
  let lastRun: number | null = null;
  return {
    name: 'zalo-oa-file-links',
    async run(now) {
      const at = now.getTime();
      // A clock set back (DVK_NOW) runs it rather than waiting for the old instant to come again.
      if (lastRun !== null && at >= lastRun && at - lastRun < everyMs) return;
      lastRun = at;
      try {
        await links.purge(now);
      } catch (error) {
        // Tried again in an hour, not every minute: a full or read-only disk would flood the log.
        log.error({ err: error }, 'zalo-oa: purging expired file links failed');
      }
    },
  };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): browsers take the UTF-8 name with
 * its diacritics; the plain one is for old clients, Vietnamese letters spelled without marks.
 */
export function contentDisposition(fileName: string): string {
  const name = nfc(fileName);
  const ascii =
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .replace(/[^\x20-\x7e]|["\\]/g, '_')
      .trim() || 'tep';
  // encodeURIComponent leaves ' ( ) * unescaped, which RFC 5987 does not allow in a value.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A type the response can carry as is; anything odd goes out as plain bytes rather than fail the header. */
function safeMimeType(mimeType: string): string {
  return /^[\w.+-]+\/[\w.+-]+$/.test(mimeType) ? mimeType : 'application/octet-stream';
}

/** Every answer: never cached by the proxy or the browser, never sniffed, the link never sent on as a referrer. */
const PRIVATE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

const NOT_FOUND_TEXT =
  'Không tìm thấy tệp: liên kết không đúng hoặc bị thiếu ký tự.\nHãy mở lại đúng liên kết bot đã gửi trong nhóm, hoặc nhắn bot để nhận liên kết mới (ví dụ gõ lại /baocao).\n';

const MISSING_TEXT = 'Tệp của liên kết này không còn trên máy chủ của bot.\nHãy nhắn bot để nhận liên kết mới (ví dụ gõ lại /baocao).\n';

function expiredText(ttlMs: number): string {
  const hours = Math.round(ttlMs / 3_600_000);
  return `Liên kết này đã hết hạn: liên kết tải tệp chỉ dùng được trong ${hours} giờ kể từ khi bot gửi.\nHãy nhắn bot trong nhóm để nhận liên kết mới (ví dụ gõ lại /baocao).\n`;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length), ...PRIVATE_HEADERS }).end(body);
}
