import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupMessage, type TGroupMessage } from 'zca-js';
import type { IncomingMessage } from '../../../core/chat.js';
import { zaloAttachmentFetcher } from '../../../bot/zalo/download.js';
import { incomingFromZalo } from '../../../bot/zalo/incoming.js';
import { SYSTEM_ACTOR } from '../../../db/audit.js';
import { resolveCaller } from '../../../db/people.js';
import { grantRole } from '../../../db/roles.js';
import { attachments, units } from '../../../db/schema.js';
import { Harness } from '../../helpers/harness.js';

/**
 * Issue 17 item 11 on the Zalo path: a photo as zca-js hands it over (the recorded shape in
 * tests/fixtures/zalo/photo.json), read by the bot's Zalo translation, saved by /capnhat, then
 * downloaded from its CDN link by the Zalo fetcher — through an injected fetch that plays Zalo's
 * CDN; the real network is never used.
 */

const OWN_ID = '8912345678901234567';
const CHAU = { id: '7234567890123456789', name: 'Lê Minh Châu' };
const MODEL = 'DVK-2026-0001';
const FIXTURES = new URL('../../fixtures/zalo/', import.meta.url);
const photoFixture = JSON.parse(readFileSync(new URL('photo.json', FIXTURES), 'utf8')) as { message: TGroupMessage };
const textFixture = JSON.parse(readFileSync(new URL('text.json', FIXTURES), 'utf8')) as { message: TGroupMessage };
const PHOTO_URL = (photoFixture.message.content as { href: string }).href;
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('ảnh ra mắt tủ sách pháp luật thôn Đông')]);

let h: Harness;
let seq = 0;
let cdn: { requests: string[]; fetch: typeof fetch };

beforeEach(() => {
  vi.stubGlobal('fetch', () => Promise.reject(new Error('tests never use the network')));
});
afterEach(() => {
  h?.close();
  vi.unstubAllGlobals();
});

/** Zalo's CDN as the fetcher sees it: the photo at its link, 404 for anything else. */
function fakeCdn(files: Record<string, Buffer>) {
  const requests: string[] = [];
  const fetchImpl = (async (input: string | URL | Request) => {
    const url = String(input);
    requests.push(url);
    const data = files[url];
    if (!data) return new Response('not found', { status: 404 });
    return new Response(data, { status: 200, headers: { 'content-type': 'image/jpeg', 'content-length': String(data.length) } });
  }) as typeof fetch;
  return { requests, fetch: fetchImpl };
}

async function start(files: Record<string, Buffer>) {
  cdn = fakeCdn(files);
  h = await Harness.demo({ fetchers: { zalo: zaloAttachmentFetcher(cdn.fetch) } });
  // Lê Minh Châu's Zalo account is the officer of Xã Cẩm Xuyên (as in the Zalo test bed).
  const caller = resolveCaller(h.db, 'zalo', { id: CHAU.id, displayName: CHAU.name }, h.clock.now());
  const unit = h.db.select().from(units).where(eq(units.shortCode, 'CAMXUYEN')).get()!;
  h.db.transaction((tx) => grantRole(tx, { personId: caller.personId, role: 'officer', unitId: unit.id }, SYSTEM_ACTOR, h.clock.now()));
  // The keeper's look at start finds nothing: what it fetches later, /capnhat woke it for.
  await h.core.evidence!.idle();
}

/** A group message from Lê Minh Châu as zca-js builds it, through the bot's Zalo translation, to the core. */
async function deliver(fixture: { message: TGroupMessage }, over: Partial<TGroupMessage> = {}): Promise<string> {
  seq++;
  const data = { ...fixture.message, msgId: `71023456789000${9000 + seq}`, ...over } as TGroupMessage;
  const msg = incomingFromZalo(new GroupMessage(OWN_ID, data), OWN_ID) as IncomingMessage;
  const before = h.sent.length;
  await h.core.dispatcher.handle(msg, h.outbound(msg.chat));
  return h.sent
    .slice(before)
    .map((s) => s.text)
    .join('\n');
}

const say = (text: string) => deliver(textFixture, { content: text });

async function updateWithPhoto(photoOver: Partial<TGroupMessage> = {}): Promise<string> {
  await say(`/capnhat ${MODEL}`);
  await say('Ra mắt tủ sách pháp luật ở thôn Đông, 40 người dự.');
  await say('80%');
  await say('đồng ý'); // down from 100%: confirmed (issue 22)
  expect(await deliver(photoFixture, photoOver)).toMatch(/\(\d+\) Ảnh, tệp đính kèm: 1 tệp: ảnh/);
  return say('1');
}

describe('evidence on Zalo', () => {
  it('downloads the photo from its CDN link once /capnhat is saved, keeps it, and the card lists it', async () => {
    await start({ [PHOTO_URL]: JPEG });
    expect(await updateWithPhoto()).toMatch(/^✅ Đã ghi nhận tiến độ của DVK-2026-0001/);
    await h.core.evidence!.idle();

    expect(cdn.requests).toEqual([PHOTO_URL]);
    const row = h.db.select().from(attachments).where(eq(attachments.ref, PHOTO_URL)).get()!;
    expect(row).toMatchObject({ platform: 'zalo', kind: 'photo', evidenceState: 'stored', storedBytes: JPEG.length });
    expect(row.sha256).toBe(createHash('sha256').update(JPEG).digest('hex'));
    expect(h.core.evidence!.store.read(row.sha256!)).toEqual(JPEG);

    const card = await say(`/mohinh ${MODEL}`);
    expect(card).toContain(`• 10/03/2026 — 80% — Ra mắt tủ sách pháp luật ở thôn Đông, 40 người dự.\n  📎 ảnh (${JPEG.length} B) — đã lưu`);
  });

  it('an expired link is recorded as not kept, without retries; the update stays', async () => {
    await start({});
    await updateWithPhoto();
    await h.core.evidence!.idle();
    expect(cdn.requests).toEqual([PHOTO_URL]);
    expect(h.db.select().from(attachments).where(eq(attachments.ref, PHOTO_URL)).get()).toMatchObject({
      evidenceState: 'failed',
      fetchError: 'HTTP 404',
      fetchAttempts: 1,
    });
    expect(await say(`/mohinh ${MODEL}`)).toContain('  📎 ảnh — không lưu được');
  });

  it('never fetches a link that points at the bot’s own machine or network', async () => {
    await start({});
    const inside = 'http://127.0.0.1:8081/bot123/getMe';
    await updateWithPhoto({ content: { ...(photoFixture.message.content as object), href: inside } as TGroupMessage['content'] });
    await h.core.evidence!.idle();
    expect(cdn.requests).toEqual([]);
    expect(h.db.select().from(attachments).where(eq(attachments.ref, inside)).get()).toMatchObject({ evidenceState: 'failed', fetchAttempts: 1 });
    for (const href of ['https://10.0.0.1/a.jpg', 'https://[::1]/a.jpg', 'https://localhost/a.jpg', 'ftp://photo.zalo.invalid/a.jpg']) {
      const fetcher = zaloAttachmentFetcher(cdn.fetch);
      await expect(fetcher({ kind: 'photo', ref: href }, { signal: new AbortController().signal }), href).rejects.toThrow('not a Zalo CDN link');
    }
    expect(cdn.requests).toEqual([]);
  });

  it('follows a CDN redirect only to another CDN link, never to the bot’s own machine', async () => {
    const requests: string[] = [];
    const redirecting = (async (input: string | URL | Request) => {
      const url = String(input);
      requests.push(url);
      if (url === 'https://photo.zalo.invalid/a.jpg') return new Response(null, { status: 302, headers: { location: 'https://photo-2.zalo.invalid/a.jpg' } });
      if (url === 'https://photo-2.zalo.invalid/a.jpg') return new Response(Buffer.from('JPEG'), { status: 200, headers: { 'content-length': '4' } });
      if (url === 'https://photo.zalo.invalid/b.jpg') return new Response(null, { status: 301, headers: { location: 'http://127.0.0.1:8081/bot123/getMe' } });
      return new Response(null, { status: 404 });
    }) as typeof fetch;
    const fetcher = zaloAttachmentFetcher(redirecting);
    const signal = new AbortController().signal;
    const fetched = await fetcher({ kind: 'photo', ref: 'https://photo.zalo.invalid/a.jpg' }, { signal });
    const chunks: Uint8Array[] = [];
    for await (const chunk of fetched.body) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('JPEG');
    await expect(fetcher({ kind: 'photo', ref: 'https://photo.zalo.invalid/b.jpg' }, { signal })).rejects.toThrow(
      'redirected to a link the bot does not fetch',
    );
    expect(requests).toEqual(['https://photo.zalo.invalid/a.jpg', 'https://photo-2.zalo.invalid/a.jpg', 'https://photo.zalo.invalid/b.jpg']);
  });
});
