import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentDisposition, FILE_LINK_TTL_MS, FileLinks, fileLinksJob, hashToken, linkNotice } from '../../../bot/zalo-oa/fileLinks.js';
import type { ChatRef, OutgoingFile } from '../../../core/chat.js';
import { fixedClock } from '../../../core/clock.js';
import { type AppDatabase, openDatabase } from '../../../db/client.js';
import { auditLog, fileLinks } from '../../../db/schema.js';
import { capturingLogger } from '../../helpers/logs.js';

const PUBLIC_URL = 'https://dvk.example.gov.vn';
const PREFIX = '/zalo-oa/tep/';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const GROUP: ChatRef = { platform: 'zalo-oa', id: '579745863508352884', kind: 'group', title: 'Dân vận khéo xã Cẩm Xuyên' };
/** Typed on a Mac: decomposed (NFD); the link must carry it composed. */
const NAME = 'Báo cáo quý I – Đắk Lắk.xlsx';
const HOUR = 3_600_000;

const clock = fixedClock('2026-03-07T14:05:00+07:00');
const T0 = clock.now().getTime();

let app: AppDatabase;
let dir: string;
let server: Server | undefined;
beforeEach(async () => {
  clock.set(new Date(T0));
  app = await openDatabase(':memory:');
  dir = mkdtempSync(join(tmpdir(), 'dvk-file-links-'));
});
afterEach(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
  }
  app.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The links on a loopback server; a request the links do not take gets 418, so a test sees handle() said false. */
async function start(options: { ttlMs?: number } = {}) {
  const { log, lines } = capturingLogger();
  const folder = join(dir, 'zalo-oa-files');
  const links = new FileLinks({ db: app.db, dir: folder, publicUrl: PUBLIC_URL, clock, log, ...options });
  server = createServer((req, res) => {
    if (!links.handle(req, res)) res.writeHead(418).end('not mine');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  /** The public URL as the group reads it, fetched from the loopback server. */
  const local = (url: string) => base + url.slice(PUBLIC_URL.length);
  return { links, lines, folder, base, local };
}

const xlsx = (bytes: number, fileName = NAME.normalize('NFD')): OutgoingFile => ({ fileName, mimeType: XLSX, data: randomBytes(bytes) });
const tokenOf = (url: string) => url.slice(`${PUBLIC_URL}${PREFIX}`.length);
const downloadAudits = () => app.db.select().from(auditLog).where(eq(auditLog.action, 'file_link.download')).all();
const rowOf = (token: string) =>
  app.db
    .select()
    .from(fileLinks)
    .where(eq(fileLinks.tokenHash, hashToken(token)))
    .get();

describe('a file offered by link', () => {
  it('gives a URL under the public address with a 256-bit token, different for every file', async () => {
    const { links } = await start();
    const tokens = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const { url, expiresAt } = await links.offer(xlsx(10), GROUP);
      expect(url.startsWith(`${PUBLIC_URL}${PREFIX}`)).toBe(true);
      expect(expiresAt.getTime()).toBe(T0 + 72 * HOUR);
      const token = tokenOf(url);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url').length * 8).toBe(256);
      tokens.add(token);
    }
    expect(tokens.size).toBe(50);
    // 50 × 43 random characters use all 64 letters of the alphabet (a constant or narrow token would not).
    expect(new Set([...tokens].join('')).size).toBe(64);
  });

  it('downloads as the exact bytes under its Vietnamese name, each time counted once in the audit log; HEAD is not a download', async () => {
    const { links, local } = await start();
    const file = xlsx(2_411_725);
    const { url } = await links.offer(file, GROUP);

    const head = await fetch(local(url), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(file.data.length));
    await links.idle();
    expect(downloadAudits()).toHaveLength(0);

    for (const n of [1, 2]) {
      clock.advance(HOUR);
      const res = await fetch(local(url));
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(file.data)).toBe(true);
      expect(res.headers.get('content-type')).toBe(XLSX);
      expect(res.headers.get('content-length')).toBe(String(file.data.length));
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const disposition = res.headers.get('content-disposition')!;
      expect(disposition).toBe(`attachment; filename="Bao cao quy I _ Dak Lak.xlsx"; filename*=UTF-8''${encodeURIComponent(NAME.normalize('NFC'))}`);
      expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1]!)).toBe(NAME.normalize('NFC'));
      await links.idle();
      expect(downloadAudits()).toHaveLength(n);
    }
    const row = rowOf(tokenOf(url))!;
    expect(row).toMatchObject({ downloads: 2, lastDownloadAt: T0 + 2 * HOUR, fileName: NAME.normalize('NFC'), sizeBytes: file.data.length });
    expect(downloadAudits().map((a) => [a.at, a.entity, a.entityId, a.after])).toEqual(
      [T0 + HOUR, T0 + 2 * HOUR].map((at, i) => [
        at,
        'file_link',
        String(row.id),
        { fileName: NAME.normalize('NFC'), sizeBytes: file.data.length, platform: 'zalo-oa', chatId: GROUP.id, downloads: i + 1 },
      ]),
    );
  });

  it('stops downloading when its 72 hours are up: 410 with a Vietnamese page, and nothing counted', async () => {
    const { links, local } = await start();
    const { url, expiresAt } = await links.offer(xlsx(1000), GROUP);
    clock.set(new Date(expiresAt.getTime() - 1));
    expect((await fetch(local(url), { method: 'HEAD' })).status).toBe(200);
    clock.set(expiresAt);
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(local(url), { method });
      expect(res.status).toBe(410);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      if (method === 'GET') {
        const text = await res.text();
        expect(text).toContain('đã hết hạn');
        expect(text).toContain('72 giờ');
        expect(text).toContain('/baocao');
      }
    }
    await links.idle();
    expect(downloadAudits()).toHaveLength(0);
    expect(rowOf(tokenOf(url))?.downloads).toBe(0);
  });

  it('answers 404 in Vietnamese to a wrong token, a token one character off, and malformed ones', async () => {
    const { links, local, base } = await start();
    const { url } = await links.offer(xlsx(1000), GROUP);
    const token = tokenOf(url);
    const flip = (at: number) => token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    const wrong = [
      randomBytes(32).toString('base64url'),
      flip(20),
      flip(42),
      token.slice(0, 42),
      `${token}A`,
      `${token}/x`,
      '',
      '..%2F..%2Fetc%2Fpasswd',
      hashToken(token),
    ];
    for (const candidate of wrong) {
      const res = await fetch(`${base}${PREFIX}${candidate}`);
      expect(res.status, candidate).toBe(404);
      expect(await res.text()).toContain('Không tìm thấy tệp');
    }
    // The right one still works, with a query string appended by a chat app.
    expect((await fetch(`${local(url)}?zarsrc=1`)).status).toBe(200);
  });

  it('takes only GET and HEAD under its path, and leaves every other path to the server', async () => {
    const { links, local, base } = await start();
    const { url } = await links.offer(xlsx(1000), GROUP);
    const post = await fetch(local(url), { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    for (const path of ['/zalo-oa/webhook', '/zalo-oa/tep', '/', `/khac${PREFIX}${tokenOf(url)}`]) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(418);
    }
    await links.idle();
    expect(downloadAudits()).toHaveLength(0);
  });

  it('does not count a transfer cut off before its last byte', async () => {
    const { links, local } = await start();
    // Far more than the loopback socket buffers hold, so the server is still sending when the client leaves.
    const file = xlsx(24 * 1024 * 1024);
    const { url } = await links.offer(file, GROUP);
    await new Promise<void>((resolve, reject) => {
      const req = request(local(url), (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error) => ((error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error)));
      req.end();
    });
    await links.idle();
    expect(downloadAudits()).toHaveLength(0);
    expect(rowOf(tokenOf(url))?.downloads).toBe(0);
    // The same link still downloads whole afterwards.
    const res = await fetch(local(url));
    expect(Buffer.from(await res.arrayBuffer()).equals(file.data)).toBe(true);
    await links.idle();
    expect(downloadAudits()).toHaveLength(1);
  });

  it('keeps the file 0600 in a 0700 folder under a random name, even in a folder that was open before', async () => {
    const { links, folder } = await start();
    mkdirSync(folder, { mode: 0o755 });
    chmodSync(folder, 0o755);
    const file = xlsx(1000);
    const { url } = await links.offer(file, GROUP);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const names = readdirSync(folder);
    expect(names).toHaveLength(1);
    const stored = names[0]!;
    expect(stored).toMatch(/^[0-9a-f]{32}$/);
    expect(stored).toBe(rowOf(tokenOf(url))?.storedName);
    expect(statSync(join(folder, stored)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(folder, stored)).equals(file.data)).toBe(true);
  });

  it('leaves no token in the database (only its hash), in any table or in the file', async () => {
    const { links, local } = await start();
    const { url } = await links.offer(xlsx(1000), GROUP);
    await (await fetch(local(url))).arrayBuffer();
    await links.idle();
    const token = tokenOf(url);
    const tables = app.sqlite.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>;
    const everything = JSON.stringify(tables.map(({ name }) => app.sqlite.prepare(`select * from "${name}"`).all()));
    expect(everything).toContain(hashToken(token));
    expect(everything).not.toContain(token);
    expect(app.sqlite.serialize().includes(Buffer.from(token))).toBe(false);
  });

  it('never logs the token or the URL, whatever happens to the link', async () => {
    const { links, lines, local, folder } = await start();
    const a = await links.offer(xlsx(1000), GROUP);
    const b = await links.offer(xlsx(1000), GROUP);
    await (await fetch(local(a.url))).arrayBuffer();
    await (await fetch(local(a.url), { method: 'HEAD' })).arrayBuffer();
    // A live link whose file went missing is logged as an error, by row id.
    rmSync(join(folder, rowOf(tokenOf(b.url))!.storedName));
    const missing = await fetch(local(b.url));
    expect(missing.status).toBe(410);
    expect(await missing.text()).toContain('không còn trên máy chủ');
    clock.advance(FILE_LINK_TTL_MS);
    await (await fetch(local(a.url))).arrayBuffer();
    await links.purge(clock.now());
    await links.idle();
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['zalo-oa: file offered by link', 'zalo-oa: file downloaded by link', 'zalo-oa: file of a live link is missing']),
    );
    expect(lines.find((l) => l.msg === 'zalo-oa: file downloaded by link')?.link).toBe(rowOf(tokenOf(a.url))?.id);
    const logged = JSON.stringify(lines);
    for (const { url } of [a, b]) {
      expect(logged).not.toContain(tokenOf(url));
      expect(logged).not.toContain(hashToken(tokenOf(url)));
    }
    expect(logged).not.toContain(PREFIX);
  });
});

describe('the purge', () => {
  it('deletes the files of expired links and keeps their rows; live links and their files stay', async () => {
    const { links, folder, local } = await start();
    const old = await links.offer(xlsx(1000), GROUP);
    clock.advance(HOUR);
    const fresh = await links.offer(xlsx(1000), GROUP);
    const oldRow = rowOf(tokenOf(old.url))!;
    const freshRow = rowOf(tokenOf(fresh.url))!;

    expect(await links.purge(new Date(T0 + 72 * HOUR - 1))).toBe(0);
    expect(existsSync(join(folder, oldRow.storedName))).toBe(true);

    const at = new Date(T0 + 72 * HOUR);
    expect(await links.purge(at)).toBe(1);
    expect(existsSync(join(folder, oldRow.storedName))).toBe(false);
    expect(existsSync(join(folder, freshRow.storedName))).toBe(true);
    expect(rowOf(tokenOf(old.url))).toMatchObject({ id: oldRow.id, fileName: NAME.normalize('NFC'), purgedAt: at.getTime() });
    expect(rowOf(tokenOf(fresh.url))?.purgedAt).toBeNull();
    expect(await links.purge(at)).toBe(0);

    clock.set(at);
    expect((await fetch(local(old.url))).status).toBe(410);
    expect((await fetch(local(fresh.url))).status).toBe(200);
  });

  it('removes temporary files an unfinished offer left behind', async () => {
    const { links, folder } = await start();
    await links.offer(xlsx(10), GROUP);
    writeFileSync(join(folder, 'deadbeef.part'), 'half');
    expect(await links.purge(clock.now())).toBe(0);
    expect(readdirSync(folder)).toHaveLength(1);
  });

  it('runs from the minute tick about once an hour', async () => {
    const { log } = capturingLogger();
    const calls: number[] = [];
    const job = fileLinksJob(
      {
        async purge(now) {
          calls.push(now.getTime());
          return 0;
        },
      },
      log,
    );
    for (let minute = 0; minute <= 120; minute++) await job.run(new Date(T0 + minute * 60_000));
    expect(calls).toEqual([T0, T0 + HOUR, T0 + 2 * HOUR]);
  });

  it('logs a failed purge and tries again an hour later, not every minute', async () => {
    const { log, lines } = capturingLogger();
    let calls = 0;
    const job = fileLinksJob(
      {
        async purge() {
          calls++;
          throw new Error('EROFS');
        },
      },
      log,
    );
    for (let minute = 0; minute < 60; minute++) await job.run(new Date(T0 + minute * 60_000));
    expect(calls).toBe(1);
    expect(lines.filter((l) => l.msg === 'zalo-oa: purging expired file links failed')).toHaveLength(1);
  });
});

describe('what the group reads', () => {
  it('names the file and its size, gives the link and the time it works until, in Vietnam time', async () => {
    const { links } = await start();
    const file = xlsx(Math.round(2.3 * 1024 * 1024), 'bao-cao-quy-1.xlsx');
    const link = await links.offer(file, GROUP);
    expect(linkNotice(file, link)).toBe(`📎 bao-cao-quy-1.xlsx (2,3 MB): ${link.url}\nLiên kết tải về dùng được đến 14:05 10/03/2026.`);
  });

  it('a name with quotes and symbols stays whole in the UTF-8 name and harmless in the plain one', () => {
    const header = contentDisposition('Tổng hợp "Dân vận khéo" (2026)*.docx');
    expect(header).toBe(
      `attachment; filename="Tong hop _Dan van kheo_ (2026)*.docx"; filename*=UTF-8''T%E1%BB%95ng%20h%E1%BB%A3p%20%22D%C3%A2n%20v%E1%BA%ADn%20kh%C3%A9o%22%20%282026%29%2A.docx`,
    );
    expect(decodeURIComponent(header.split("''")[1]!)).toBe('Tổng hợp "Dân vận khéo" (2026)*.docx');
  });
});
