import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * The bot's own copies of the photos and files people send with their updates (evidence of what a
 * unit did), kept because Zalo's CDN links expire. Content-addressed: a file is stored once under
 * its SHA-256 (`<dir>/ab/abcdef…`), whoever sent it and however often; the name and type people
 * gave stay in the `attachments` rows that point at it. Files are private (0600, folders 0700:
 * they are personal data), written under a temporary name and renamed into place, so a file
 * under a hash name is always whole, and capped in size.
 *
 * Nothing here knows the database: what is still referenced is the caller's question (the sweep).
 */

/** Zalo's and Telegram's everyday photos and scans are far below; Telegram's Bot API hands out at most 20 MB. */
export const DEFAULT_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024;

/** Where the copies live by default: `evidence/` beside the database file (DB_PATH). */
export function evidenceDirFor(dbPath: string): string {
  return join(dirname(resolve(dbPath)), 'evidence');
}

/** The file is larger than the store keeps; nothing of it was kept. */
export class EvidenceTooLargeError extends Error {
  override name = 'EvidenceTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`larger than ${maxBytes} bytes`);
  }
}

export interface KeptFile {
  sha256: string;
  bytes: number;
}

export interface SweepResult {
  /** Kept files no row refers to any more, deleted. */
  removed: number;
  removedBytes: number;
  /** Temporary files of downloads that never finished (a crash, a stop), deleted. */
  partials: number;
}

const HASH = /^[0-9a-f]{64}$/;
const SHARD = /^[0-9a-f]{2}$/;
const PARTIAL_DIR = 'tmp';

export class EvidenceStore {
  constructor(
    readonly dir: string,
    /** The largest file kept, in bytes. */
    readonly maxBytes: number = DEFAULT_EVIDENCE_MAX_BYTES,
  ) {}

  /** Where the copy of this content lives (whether or not it is there). */
  pathOf(sha256: string): string {
    if (!HASH.test(sha256)) throw new Error('not a SHA-256 in hex');
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  has(sha256: string): boolean {
    return existsSync(this.pathOf(sha256));
  }

  read(sha256: string): Buffer {
    return readFileSync(this.pathOf(sha256));
  }

  /**
   * Keeps the bytes as they arrive. Past `maxBytes` it stops reading and throws
   * EvidenceTooLargeError; any failure of the source leaves nothing behind but a partial file
   * that is removed at once (or by the sweep, after a crash). Content already kept is not written twice.
   */
  async put(body: AsyncIterable<Uint8Array> | Uint8Array): Promise<KeptFile> {
    const partials = join(this.dir, PARTIAL_DIR);
    mkdirSync(partials, { recursive: true, mode: 0o700 });
    const partial = join(partials, `${randomBytes(12).toString('hex')}.part`);
    const hash = createHash('sha256');
    let bytes = 0;
    const file = await open(partial, 'wx', 0o600);
    let kept = false;
    try {
      for await (const chunk of body instanceof Uint8Array ? [body] : body) {
        bytes += chunk.length;
        if (bytes > this.maxBytes) throw new EvidenceTooLargeError(this.maxBytes);
        hash.update(chunk);
        await file.write(chunk);
      }
      // On disk before it gets its name: a power cut must not leave a hash name over a hole.
      await file.sync();
      await file.close();
      const sha256 = hash.digest('hex');
      const target = this.pathOf(sha256);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      if (existsSync(target)) {
        await rm(partial, { force: true });
      } else {
        await rename(partial, target);
      }
      kept = true;
      return { sha256, bytes };
    } finally {
      if (!kept) {
        await file.close().catch(() => undefined);
        await rm(partial, { force: true });
      }
    }
  }

  /**
   * Deletes kept files `referenced` says no row needs any more (their updates or models were
   * deleted), and partial files. Run it only while nothing is being put (bot/evidenceKeeper.ts
   * serialises both), or a download about to be renamed into place would lose its partial file.
   */
  sweep(referenced: (sha256: string) => boolean): SweepResult {
    const result: SweepResult = { removed: 0, removedBytes: 0, partials: 0 };
    if (!existsSync(this.dir)) return result;
    for (const entry of readdirSync(this.dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const folder = join(this.dir, entry.name);
      if (entry.name === PARTIAL_DIR) {
        for (const name of readdirSync(folder)) {
          rmSync(join(folder, name), { force: true });
          result.partials++;
        }
        continue;
      }
      if (!SHARD.test(entry.name)) continue;
      for (const name of readdirSync(folder)) {
        // Only what the store itself named: anything else put there by hand is left alone.
        if (!HASH.test(name) || name.slice(0, 2) !== entry.name || referenced(name)) continue;
        const path = join(folder, name);
        result.removedBytes += statSync(path).size;
        rmSync(path, { force: true });
        result.removed++;
      }
      if (readdirSync(folder).length === 0) rmdirSync(folder);
    }
    return result;
  }
}
