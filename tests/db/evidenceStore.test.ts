import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceStore, EvidenceTooLargeError, evidenceDirFor } from '../../db/evidenceStore.js';

/** Issue 17 item 11: the bot's own copies of what people send, content-addressed and private. */

let root: string;
let store: EvidenceStore;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'dvk-evidence-'));
  store = new EvidenceStore(join(root, 'evidence'), 1000);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const mode = (path: string) => statSync(path).mode & 0o777;

/** Everything under the store's folder, as relative paths. */
function files(): string[] {
  const dir = store.dir;
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

async function* chunks(...parts: Array<string | Error>): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    if (part instanceof Error) throw part;
    yield Buffer.from(part);
  }
}

describe('EvidenceStore', () => {
  it('lives in evidence/ beside the database file', () => {
    expect(evidenceDirFor('/srv/dvk/data/dvk.sqlite')).toBe('/srv/dvk/data/evidence');
  });

  it('keeps a file under its SHA-256, readable by its owner only, in private folders', async () => {
    const photo = Buffer.from('ảnh buổi ra mắt tủ sách pháp luật');
    // Streamed in chunks as a download arrives, or given whole: the same content, the same name.
    const streamed = await store.put(chunks('ảnh buổi ra mắt ', 'tủ sách pháp luật'));
    expect(streamed).toEqual({ sha256: sha(photo), bytes: photo.length });

    const whole = await store.put(photo);
    expect(whole).toEqual({ sha256: sha(photo), bytes: photo.length });
    const path = join(store.dir, whole.sha256.slice(0, 2), whole.sha256);
    expect(store.pathOf(whole.sha256)).toBe(path);
    expect(readFileSync(path)).toEqual(photo);
    expect(store.read(whole.sha256)).toEqual(photo);
    expect(mode(path)).toBe(0o600);
    expect(mode(store.dir)).toBe(0o700);
    expect(mode(join(store.dir, whole.sha256.slice(0, 2)))).toBe(0o700);
    expect(() => store.pathOf('../../etc/passwd')).toThrow();
  });

  it('stores the same content once, whoever sends it and however often', async () => {
    const first = await store.put(chunks('biên bản ', 'nghiệm thu'));
    const second = await store.put(Buffer.from('biên bản nghiệm thu'));
    expect(second).toEqual(first);
    expect(files()).toEqual([join(first.sha256.slice(0, 2), first.sha256)]);
  });

  it('refuses a file past the cap, stops reading it, and leaves nothing behind', async () => {
    let read = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (;;) {
        read++;
        yield Buffer.alloc(400, 1);
      }
    }
    await expect(store.put(endless())).rejects.toBeInstanceOf(EvidenceTooLargeError);
    // 3 × 400 bytes pass 1000: the fourth chunk is never asked for.
    expect(read).toBe(3);
    expect(files()).toEqual([]);
    // Exactly the cap is kept.
    expect((await store.put(Buffer.alloc(1000, 2))).bytes).toBe(1000);
  });

  it('gives a file its name only once it is whole: a source that fails half-way leaves no file', async () => {
    let seenWhileWriting: string[] = [];
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('phần đầu ');
      // Mid-download only a partial file exists, under the temporary folder.
      seenWhileWriting = files();
      yield Buffer.from('phần sau');
    }
    const kept = await store.put(slow());
    expect(seenWhileWriting).toHaveLength(1);
    expect(seenWhileWriting[0]).toMatch(/^tmp\/[0-9a-f]+\.part$/);
    expect(files()).toEqual([join(kept.sha256.slice(0, 2), kept.sha256)]);

    await expect(store.put(chunks('một nửa', new Error('connection reset')))).rejects.toThrow('connection reset');
    expect(files()).toEqual([join(kept.sha256.slice(0, 2), kept.sha256)]);
  });

  it('sweeps files no row refers to and partial files of a crash, and nothing else', async () => {
    const keep = await store.put(Buffer.from('còn được tham chiếu'));
    const drop = await store.put(Buffer.from('cập nhật đã bị xóa'));
    writeFileSync(join(store.dir, 'tmp', 'dead.part'), 'nửa tệp của lần tải bị ngắt');
    // Something put there by hand is not the store's to delete.
    writeFileSync(join(store.dir, 'GHI-CHU.txt'), 'ghi chú của quản trị');

    const result = store.sweep((h) => h === keep.sha256);
    expect(result).toEqual({ removed: 1, removedBytes: Buffer.byteLength('cập nhật đã bị xóa'), partials: 1 });
    expect(store.has(keep.sha256)).toBe(true);
    expect(store.has(drop.sha256)).toBe(false);
    expect(files()).toEqual(['GHI-CHU.txt', join(keep.sha256.slice(0, 2), keep.sha256)].sort());
    // An empty shard folder goes too; a second sweep finds nothing.
    if (drop.sha256.slice(0, 2) !== keep.sha256.slice(0, 2)) expect(existsSync(join(store.dir, drop.sha256.slice(0, 2)))).toBe(false);
    expect(store.sweep((h) => h === keep.sha256)).toEqual({ removed: 0, removedBytes: 0, partials: 0 });
  });
});
