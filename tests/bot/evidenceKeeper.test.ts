import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AttachmentGoneError, type AttachmentFetchers, type AttachmentToFetch, type FetchAttachment } from '../../bot/attachmentFetch.js';
import type { IncomingAttachment } from '../../core/chat.js';
import { RETRY_AFTER_MS } from '../../bot/evidenceKeeper.js';
import { attachments, models, progressUpdates } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { evidenceJob } from '../../scheduler/evidenceJob.js';
import { demoPerTest, type Harness, type SayOptions } from '../helpers/harness.js';

/**
 * Issue 17 item 11: photos and files sent with /capnhat are fetched at once, in the background,
 * and kept by the bot; the card says which were kept. Downloads here are fake functions (the
 * platforms' own fetchers have their tests: tests/bot/zalo/evidence.test.ts,
 * tests/bot/telegram/evidence.test.ts); the keeper, the store and the database are real.
 */

const GROUP: SayOptions = { group: DEMO_GROUP };
const OFFICER = DEMO_PEOPLE.officer; // Lê Minh Châu, Xã Cẩm Xuyên
const MODEL = 'DVK-2026-0001'; // Xã Cẩm Xuyên's, recognised: may be updated
const CAP = 1000;
const PHOTO = Buffer.from('JPEG: buổi ra mắt tủ sách pháp luật thôn Đông, 40 người dự');

let h: Harness;
const demo = demoPerTest();

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function photo(ref: string, over: Partial<IncomingAttachment> = {}): IncomingAttachment {
  return { kind: 'photo', ref, ...over };
}

async function* once(data: Buffer): AsyncGenerator<Uint8Array> {
  yield data;
}

/** A download that serves `files` by ref, counting the calls; anything else is gone. */
function served(files: Record<string, Buffer | Error | (() => Promise<Buffer>)>): { fetch: FetchAttachment; calls: string[] } {
  const calls: string[] = [];
  const fetch: FetchAttachment = async (attachment: AttachmentToFetch) => {
    calls.push(attachment.ref);
    const file = files[attachment.ref];
    if (file === undefined) throw new AttachmentGoneError('HTTP 404');
    if (file instanceof Error) throw file;
    const data = Buffer.isBuffer(file) ? file : await file();
    return { body: once(data) };
  };
  return { fetch, calls };
}

async function start(fetchers: AttachmentFetchers, options: { log?: pino.Logger } = {}) {
  h = await demo({ fetchers, evidenceMaxBytes: CAP, log: options.log });
  // The keeper's look at start finds nothing: what it fetches later, /capnhat woke it for.
  await h.core.evidence!.idle();
  return h;
}

/** A whole /capnhat of `code` with these files, up to and including the confirmation; returns the bot's answer. */
async function updateWith(who: string, code: string, files: IncomingAttachment[], options: SayOptions = GROUP): Promise<string> {
  const first = await h.text(who, `/capnhat ${code}`, options);
  // A second update in the month: added, not a correction of the first.
  if (first.includes('hay thêm cập nhật mới')) await h.say(who, '2', options);
  await h.say(who, 'Ra mắt tủ sách pháp luật ở thôn Đông.', options);
  // A drop from a model's last percentage is confirmed first (issue 22).
  if ((await h.text(who, '80%', options)).includes('Tiến độ giảm')) await h.say(who, 'đồng ý', options);
  await h.say(who, '', { ...options, attachments: files });
  return h.text(who, '1', options);
}

function rowsOf(code: string) {
  const model = h.db.select().from(models).where(eq(models.code, code)).get()!;
  return h.db
    .select({ attachment: attachments })
    .from(attachments)
    .innerJoin(progressUpdates, eq(progressUpdates.id, attachments.updateId))
    .where(eq(progressUpdates.modelId, model.id))
    .orderBy(attachments.id)
    .all()
    .map((r) => r.attachment);
}

/** The evidence lines of a model's card, as /mohinh shows them. */
async function cardFiles(code: string, who = OFFICER): Promise<string[]> {
  const card = await h.text(who, `/mohinh ${code}`, GROUP);
  return card.split('\n').filter((l) => l.startsWith('  📎'));
}

describe('the evidence keeper', () => {
  it('answers the person at once and keeps the photo in the background; the card says so', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let begun!: () => void;
    const started = new Promise<void>((resolve) => (begun = resolve));
    const cdn = served({
      'https://cdn.example/anh-1.jpg': async () => {
        begun();
        await held;
        return PHOTO;
      },
    });
    await start({ console: cdn.fetch });

    const answer = await updateWith(OFFICER, MODEL, [photo('https://cdn.example/anh-1.jpg', { fileName: 'ra-mat.jpg' })]);
    expect(answer).toMatch(/^✅ Đã ghi nhận tiến độ của DVK-2026-0001/);
    // The download starts by itself and is held (a slow CDN): the person already had the answer.
    await started;
    expect(cdn.calls).toEqual(['https://cdn.example/anh-1.jpg']);
    expect(rowsOf(MODEL).at(-1)).toMatchObject({ evidenceState: 'pending', sha256: null });
    expect(await cardFiles(MODEL)).toEqual(['  📎 “ra-mat.jpg” — đang lưu']);

    release();
    await h.core.evidence!.idle();
    const row = rowsOf(MODEL).at(-1)!;
    expect(row).toMatchObject({
      evidenceState: 'stored',
      sha256: sha(PHOTO),
      storedBytes: PHOTO.length,
      storedAt: h.clock.now().getTime(),
      fetchAttempts: 1,
      fetchError: null,
      // What the platform said stays as it was.
      fileName: 'ra-mat.jpg',
      ref: 'https://cdn.example/anh-1.jpg',
    });
    const path = h.core.evidence!.store.pathOf(row.sha256!);
    expect(path.startsWith(`${h.dir}/evidence/`)).toBe(true);
    expect(readFileSync(path)).toEqual(PHOTO);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await cardFiles(MODEL)).toEqual([`  📎 “ra-mat.jpg” (${PHOTO.length} B) — đã lưu`]);
  });

  it('tries a failed download again after 1, 5 and 15 minutes (woken by the minute tick), then gives up and says so', async () => {
    const logs: Array<{ level: number; msg: string; reason?: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const cdn = served({ 'https://cdn.example/cham.jpg': new Error('HTTP 503'), 'https://cdn.example/lan-3.jpg': new Error('HTTP 503') });
    await start({ console: cdn.fetch }, { log });
    const job = evidenceJob({ evidence: h.core.evidence!, log });
    const tick = async () => {
      await job.run(h.clock.now());
      await h.core.evidence!.idle();
    };

    await updateWith(OFFICER, MODEL, [photo('https://cdn.example/cham.jpg')]);
    await h.core.evidence!.idle();
    const t0 = h.clock.now().getTime();
    expect(rowsOf(MODEL).at(-1)).toMatchObject({ evidenceState: 'pending', fetchAttempts: 1, nextFetchAt: t0 + 60_000, fetchError: 'HTTP 503' });

    // Not before it is due: a tick within the minute changes nothing.
    h.clock.advance(59_000);
    await tick();
    expect(cdn.calls).toHaveLength(1);

    for (let i = 0; i < RETRY_AFTER_MS.length; i++) {
      h.clock.set(new Date(rowsOf(MODEL).at(-1)!.nextFetchAt!));
      await tick();
      expect(cdn.calls).toHaveLength(i + 2);
      const next = RETRY_AFTER_MS[i + 1];
      if (next !== undefined) expect(rowsOf(MODEL).at(-1)!.nextFetchAt).toBe(h.clock.now().getTime() + next);
    }
    expect(rowsOf(MODEL).at(-1)).toMatchObject({ evidenceState: 'failed', fetchAttempts: 4, nextFetchAt: null, fetchError: 'HTTP 503' });
    expect(logs.filter((l) => l.level === 40).map((l) => [l.msg, l.reason])).toEqual([['evidence not kept: download failed for good', 'HTTP 503']]);
    // Nothing of the link is in the logs (a Telegram one holds the bot's token).
    expect(JSON.stringify(logs)).not.toContain('cdn.example');
    expect(await cardFiles(MODEL)).toEqual(['  📎 ảnh — không lưu được']);
    // The update itself was saved whatever became of its file.
    expect(rowsOf(MODEL)).toHaveLength(1);
    await tick();
    expect(cdn.calls).toHaveLength(4);
  });

  it('does not retry a link the platform says is gone', async () => {
    const cdn = served({});
    await start({ console: cdn.fetch });
    await updateWith(OFFICER, MODEL, [photo('https://cdn.example/het-han.jpg')]);
    await h.core.evidence!.idle();
    expect(rowsOf(MODEL).at(-1)).toMatchObject({ evidenceState: 'failed', fetchAttempts: 1, fetchError: 'HTTP 404' });
    expect(cdn.calls).toHaveLength(1);
  });

  it('keeps nothing of a file over the cap: announced (the person is told at once) or found while downloading', async () => {
    const big = Buffer.alloc(CAP + 1, 7);
    const cdn = served({ 'https://cdn.example/video.mp4': big, 'https://cdn.example/anh-lon.jpg': big });
    await start({ console: cdn.fetch });

    const answer = await updateWith(OFFICER, MODEL, [
      { kind: 'video', ref: 'https://cdn.example/video.mp4', fileName: 'le-ra-mat.mp4', sizeBytes: 25 * 1024 * 1024 },
    ]);
    expect(answer).toBe(
      '✅ Đã ghi nhận tiến độ của DVK-2026-0001 “Dân vận khéo trong xây dựng khu dân cư nông thôn mới kiểu mẫu”: 80% — tháng 3/2026.\n' +
        '⚠️ Bot không lưu giữ được bản sao của “le-ra-mat.mp4” (25 MB) vì lớn hơn 1.000 B; nội dung cập nhật vẫn được ghi nhận đầy đủ. ' +
        'Nếu cần lưu minh chứng, bạn gửi bản nhỏ hơn (ảnh chụp các trang chính, hoặc tệp nén nhỏ lại) bằng một lần /capnhat nữa nhé.',
    );
    await h.core.evidence!.idle();
    // Announced too large: not even downloaded.
    expect(cdn.calls).toEqual([]);
    expect(rowsOf(MODEL).at(-1)).toMatchObject({ evidenceState: 'too_large', sha256: null, sizeBytes: 25 * 1024 * 1024 });

    // A photo says no size (Zalo's): found out while downloading, cut off at the cap.
    await updateWith(OFFICER, MODEL, [photo('https://cdn.example/anh-lon.jpg')]);
    await h.core.evidence!.idle();
    expect(cdn.calls).toEqual(['https://cdn.example/anh-lon.jpg']);
    expect(rowsOf(MODEL).at(-1)).toMatchObject({ evidenceState: 'too_large', sha256: null });
    expect(await cardFiles(MODEL)).toEqual(['  📎 ảnh — không lưu vì tệp quá lớn', '  📎 “le-ra-mat.mp4” (25 MB) — không lưu vì tệp quá lớn']);
  });

  it('fetches after a restart what was saved while it could not (the process stopped, or the platform had no fetcher)', async () => {
    const fetchers: AttachmentFetchers = {};
    await start(fetchers);
    await updateWith(OFFICER, MODEL, [photo('https://cdn.example/anh-1.jpg')]);
    await h.core.evidence!.idle();
    expect(rowsOf(MODEL).at(-1)).toMatchObject({ evidenceState: 'pending', fetchAttempts: 0 });

    fetchers.console = served({ 'https://cdn.example/anh-1.jpg': PHOTO }).fetch;
    await h.restart();
    await h.core.evidence!.idle();
    expect(rowsOf(MODEL).at(-1)).toMatchObject({ evidenceState: 'stored', sha256: sha(PHOTO) });
  });

  it('stores the same photo once; deleting models deletes their rows, and the sweep the files no row needs', async () => {
    const cdn = served({ 'https://cdn.example/a.jpg': PHOTO, 'https://cdn.example/b.jpg': PHOTO, 'https://cdn.example/c.jpg': Buffer.from('khác') });
    await start({ console: cdn.fetch });
    const ADMIN = DEMO_PEOPLE.admin;
    await updateWith(OFFICER, MODEL, [photo('https://cdn.example/a.jpg'), photo('https://cdn.example/c.jpg')]);
    await updateWith(ADMIN, 'DVK-2026-0002', [photo('https://cdn.example/b.jpg')]);
    await h.core.evidence!.idle();
    const [a, c] = rowsOf(MODEL);
    const [b] = rowsOf('DVK-2026-0002');
    expect(a!.sha256).toBe(b!.sha256);
    const store = h.core.evidence!.store;

    // Personal data goes with its model: the rows by cascade, the files by the sweep.
    h.core.database.sqlite.prepare('delete from models where code = ?').run(MODEL);
    expect(h.db.select().from(attachments).where(eq(attachments.id, a!.id)).all()).toEqual([]);
    expect(await h.core.evidence!.sweep()).toEqual({ removed: 1, removedBytes: Buffer.byteLength('khác'), partials: 0 });
    // The shared photo is still referenced by the other model's update.
    expect(store.has(a!.sha256!)).toBe(true);
    expect(store.has(c!.sha256!)).toBe(false);

    h.core.database.sqlite.prepare('delete from models where code = ?').run('DVK-2026-0002');
    // The daily job runs the sweep (the first time at start).
    await evidenceJob({ evidence: h.core.evidence!, log: h.core.log }).run(h.clock.now());
    await h.core.evidence!.idle();
    expect(store.has(a!.sha256!)).toBe(false);
  });

  it('a sweep asked for during a download runs after it, and neither loses the file being written', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let begun!: () => void;
    const started = new Promise<void>((resolve) => (begun = resolve));
    async function* halves(): AsyncGenerator<Uint8Array> {
      yield PHOTO.subarray(0, 10);
      begun();
      await held;
      yield PHOTO.subarray(10);
    }
    await start({ console: async () => ({ body: halves() }) });
    await updateWith(OFFICER, MODEL, [photo('https://cdn.example/anh-1.jpg')]);
    // Half of the photo is in a partial file when the sweep is asked for.
    await started;
    const swept = h.core.evidence!.sweep();
    release();
    expect(await swept).toEqual({ removed: 0, removedBytes: 0, partials: 0 });
    await h.core.evidence!.idle();
    const row = rowsOf(MODEL).at(-1)!;
    expect(row).toMatchObject({ evidenceState: 'stored', sha256: sha(PHOTO) });
    expect(h.core.evidence!.store.read(row.sha256!)).toEqual(PHOTO);
  });
});
