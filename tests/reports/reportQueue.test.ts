import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../bot/app.js';
import type { ChatRef, IncomingMessage, Reply } from '../../core/chat.js';
import { plainText } from '../../core/chat.js';
import { fixedClock } from '../../core/clock.js';
import { silentLogger } from '../../bot/logger.js';
import { SYSTEM_ACTOR } from '../../db/audit.js';
import { resolveCaller } from '../../db/people.js';
import { grantRole } from '../../db/roles.js';
import { DEMO_GROUP, DEMO_PEOPLE, seedDemo } from '../../db/seed/demo.js';
import { MAX_WAITING, ReportQueue } from '../../reports/reportQueue.js';
import { yearPeriod } from '../../core/period.js';
import { demoPerTest, type Harness, type SentReply } from '../helpers/harness.js';

/**
 * Issue 16, item 11: report files are made on the report thread, one at a time, so the bot keeps
 * answering while a large one is made. The demo deployment is small; `heavyReportRows` makes its
 * reports "heavy" (the weight of a whole country) so they take the path a national report takes.
 */

const NOW = '2026-11-22T09:00:00+07:00';
const GROUP = { group: DEMO_GROUP };
const ADMIN = DEMO_PEOPLE.admin; // Nguyễn Thị Hoa: the whole deployment (Tỉnh Hà Tĩnh)
const LEADER = DEMO_PEOPLE.leader; // Trần Văn Bình: Tỉnh Hà Tĩnh
const OFFICER = DEMO_PEOPLE.officer; // Lê Minh Châu: Xã Cẩm Xuyên only
const OFFICERS = ['Phạm Thị Dung', 'Hoàng Văn Đức', 'Võ Thị Hằng', 'Đặng Quốc Huy']; // one unit each
const BACKGROUND = { waitForReports: false } as const;
/** In the person's private chat, returning once the handler has answered. */
const PRIVATELY = { private: true, waitForReports: false } as const;
const STARTED = '⏳ Báo cáo này nhiều số liệu nên cần một lúc để làm; bot sẽ gửi tệp vào đây khi xong.';
const waiting = (ahead: number) => `⏳ Báo cáo đang được làm, bot sẽ gửi vào đây khi xong (đang chờ: ${ahead} báo cáo trước).`;
const DROPPED = 'Bot phải dừng (bảo trì hoặc khởi động lại) trước khi làm xong báo cáo bạn yêu cầu. Bạn vui lòng gửi lại lệnh /baocao sau ít phút.';

let h: Harness;
/** Every file report of the demo is heavy (weight ≥ 1). */
const demo = demoPerTest({ now: NOW, heavyReportRows: 1 });

const inChat = (chatId: string) => h.sent.filter((s) => s.chat.id === chatId);
const withFiles = (list: readonly SentReply[]) => list.filter((s) => (s.reply.files?.length ?? 0) > 0);

describe('/baocao files on the report thread', () => {
  it('answers another person while a heavy file is being made, and sends the file afterwards', async () => {
    h = await demo();
    // The event loop's turns while the file is made: a thread held by the report would not turn.
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };

    const asked = await h.say(ADMIN, '/baocao tep', { ...GROUP, ...BACKGROUND });
    expect(asked.map((s) => s.text)).toEqual([STARTED]);
    expect(withFiles(asked)).toEqual([]);
    setImmediate(count);
    const other = await h.say(OFFICER, '/mohinh', { ...GROUP, ...BACKGROUND });
    expect(other).toHaveLength(1);
    expect(other[0]!.text).toContain('Xã Cẩm Xuyên');

    await h.core.reports!.idle();
    counting = false;
    const files = withFiles(h.sent);
    expect(files).toHaveLength(1);
    // The other person's answer came before the file, and the loop turned many times meanwhile.
    expect(h.sent.indexOf(other[0]!)).toBeLessThan(h.sent.indexOf(files[0]!));
    expect(turns).toBeGreaterThan(100);
    // In the group, the file names the person who asked for it.
    expect(files[0]!.text).toBe(`@${ADMIN} 📎 Báo cáo “Dân vận khéo” năm 2026 — Tỉnh Hà Tĩnh: 9 mô hình, 24 đơn vị.`);
    expect(files[0]!.reply.files!.map((f) => f.fileName)).toEqual([
      'bao-cao-dvk-HATINH-2026.xlsx',
      'bao-cao-dvk-HATINH-2026.docx',
      'bao-cao-dvk-HATINH-2026-linh-vuc.png',
    ]);
  });

  it('queues five heavy requests at once with their place in line, and gives each chat its files exactly once', async () => {
    h = await demo();
    const people = [ADMIN, LEADER, OFFICER, ...OFFICERS.slice(0, 2)];
    const acks: string[] = [];
    for (const person of people) acks.push(await h.text(person, '/baocao excel', PRIVATELY));
    expect(acks).toEqual([STARTED, waiting(1), waiting(2), waiting(3), waiting(4)]);
    expect(withFiles(h.sent)).toEqual([]);

    await h.core.reports!.idle();
    const scopes = ['HATINH', 'HATINH', 'CAMXUYEN', 'CAMBINH', 'THANHSEN'];
    people.forEach((person, i) => {
      const delivered = withFiles(inChat(`private:${person}`));
      expect(delivered, person).toHaveLength(1);
      expect(delivered[0]!.reply.files!.map((f) => f.fileName)).toEqual([`bao-cao-dvk-${scopes[i]}-2026.xlsx`]);
      // A private chat has only the person who asked: no mention.
      expect(delivered[0]!.text).toMatch(/^📎 Báo cáo/);
    });
    // In the order they were asked for: the one being made first, then the queue.
    expect(withFiles(h.sent).map((s) => s.chat.id)).toEqual(people.map((p) => `private:${p}`));
    expect(withFiles(h.sent)).toHaveLength(5);
  });

  it('makes the same files as the bot makes without the thread', async () => {
    h = await demo();
    const [threaded] = withFiles(await h.say(LEADER, '/baocao tep quý 4', { private: true }));

    // An in-memory database cannot be opened by the thread: the handler makes the files itself.
    const clock = fixedClock(NOW);
    const sent: Reply[] = [];
    const core = await createCore({ dbPath: ':memory:', clock, log: silentLogger, flowTtlMinutes: 60, deliver: async () => ({ messageId: 'x' }) });
    try {
      expect(core.reports).toBeUndefined();
      seedDemo(core.database.db, clock.now());
      const chat: ChatRef = { platform: 'console', id: `private:${LEADER}`, kind: 'private' };
      const msg: IncomingMessage = {
        chat,
        sender: { id: LEADER, displayName: LEADER },
        messageId: 'm1',
        text: '/baocao tep quý 4',
        mentions: [],
        attachments: [],
        receivedAt: clock.now(),
      };
      await core.dispatcher.handle(msg, { answerMode: 'next-message', send: async (reply) => (sent.push(reply), { messageId: 'b1' }) });
    } finally {
      core.close();
    }
    // Made during the handling itself: one message, with the files.
    expect(sent).toHaveLength(1);
    const inline = sent[0]!;
    expect(plainText(inline.text)).toBe(threaded!.text);
    const [xlsxA, docxA, pngA] = threaded!.reply.files!;
    const [xlsxB, docxB, pngB] = inline.files!;
    expect([xlsxA, docxA, pngA].map((f) => [f!.fileName, f!.mimeType, f!.width, f!.height])).toEqual(
      [xlsxB, docxB, pngB].map((f) => [f!.fileName, f!.mimeType, f!.width, f!.height]),
    );
    expect(await sheets(xlsxA!.data)).toEqual(await sheets(xlsxB!.data));
    expect(await docxText(docxA!.data)).toEqual(await docxText(docxB!.data));
    expect(pngA!.data.equals(pngB!.data)).toBe(true);
  });

  it('tells a person who asks again that their report is still being made, and sends it once', async () => {
    h = await demo();
    expect(await h.text(ADMIN, '/baocao excel', PRIVATELY)).toBe(STARTED);
    expect(await h.text(LEADER, '/baocao word', PRIVATELY)).toBe(waiting(1));
    expect(await h.text(ADMIN, '/baocao word', PRIVATELY)).toBe(
      'Báo cáo bạn yêu cầu lúc trước đang được làm; bot sẽ gửi khi xong. Nhận xong báo cáo đó, bạn hãy yêu cầu báo cáo tiếp theo.',
    );
    expect(await h.text(LEADER, '/baocao tep', PRIVATELY)).toBe(
      'Báo cáo bạn yêu cầu lúc trước đang chờ (1 báo cáo trước); bot sẽ gửi khi xong. Nhận xong báo cáo đó, bạn hãy yêu cầu báo cáo tiếp theo.',
    );
    await h.core.reports!.idle();
    expect(withFiles(inChat(`private:${ADMIN}`)).map((s) => s.reply.files!.map((f) => f.fileName))).toEqual([['bao-cao-dvk-HATINH-2026.xlsx']]);
    expect(withFiles(inChat(`private:${LEADER}`)).map((s) => s.reply.files!.map((f) => f.fileName))).toEqual([['bao-cao-dvk-HATINH-2026.docx']]);
  });

  it('makes a light report before the heavy ones waiting', async () => {
    // The province (24 units, 9 models) is heavy at 20; Xã Cẩm Xuyên alone (1 unit, 1 model) is light.
    h = await demo({ heavyReportRows: 20 });
    expect(await h.text(ADMIN, '/baocao excel', PRIVATELY)).toBe(STARTED);
    expect(await h.text(LEADER, '/baocao excel', PRIVATELY)).toBe(waiting(1));
    // Behind the one being made, ahead of the leader's.
    expect(await h.text(OFFICER, '/baocao excel', PRIVATELY)).toBe(waiting(1));
    await h.core.reports!.idle();
    expect(withFiles(h.sent).map((s) => s.chat.id)).toEqual([`private:${ADMIN}`, `private:${OFFICER}`, `private:${LEADER}`]);
  });

  it('sends a light report that waited for nobody without a word before it', async () => {
    h = await demo({ heavyReportRows: 20 });
    const replies = await h.say(OFFICER, '/baocao excel', GROUP);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toBe('📎 Báo cáo “Dân vận khéo” năm 2026 — Xã Cẩm Xuyên: 1 mô hình, 1 đơn vị.');
  });

  it(`takes at most ${MAX_WAITING} heavy requests waiting, and says so to the next`, async () => {
    h = await demo();
    const people = Array.from({ length: MAX_WAITING + 2 }, (_, i) => `Quản trị ${i + 1}`);
    h.db.transaction((tx) => {
      for (const name of people) {
        const caller = resolveCaller(tx, 'console', { id: name, displayName: name }, h.clock.now());
        grantRole(tx, { personId: caller.personId, role: 'admin', unitId: null }, SYSTEM_ACTOR, h.clock.now());
      }
    });
    const acks: string[] = [];
    for (const person of people) acks.push(await h.text(person, '/baocao excel', PRIVATELY));
    expect(acks.slice(0, MAX_WAITING + 1)).toEqual([STARTED, ...Array.from({ length: MAX_WAITING }, (_, i) => waiting(i + 1))]);
    expect(acks.at(-1)).toBe(
      `Bot đang có nhiều báo cáo chờ làm (${MAX_WAITING} báo cáo) nên chưa nhận thêm. Bạn vui lòng gửi lại sau ít phút, hoặc thêm mã đơn vị để lấy báo cáo phạm vi hẹp hơn.`,
    );
    await h.core.reports!.idle();
    expect(withFiles(h.sent).map((s) => s.chat.id)).toEqual(people.slice(0, MAX_WAITING + 1).map((p) => `private:${p}`));
  });

  it('tells the person kindly when their report cannot be made', async () => {
    h = await demo();
    expect(await h.text(ADMIN, '/baocao excel', PRIVATELY)).toBe(STARTED);
    expect(await h.text(LEADER, '/baocao CAMXUYEN excel', PRIVATELY)).toBe(waiting(1));
    // The database file is moved away while the leader's report waits: when its turn comes, the
    // thread cannot open it (the bot's own connection keeps working on the moved file).
    renameSync(h.dbPath, `${h.dbPath}.moved`);
    try {
      await h.core.reports!.idle();
    } finally {
      renameSync(`${h.dbPath}.moved`, h.dbPath);
    }
    expect(inChat(`private:${LEADER}`).map((s) => s.text)).toEqual([
      waiting(1),
      'Xin lỗi, bot chưa làm được tệp báo cáo bạn yêu cầu. Bạn vui lòng thử lại sau ít phút, hoặc thêm mã đơn vị để lấy báo cáo phạm vi hẹp hơn; bản tóm tắt vẫn xem được bằng /baocao.',
    ]);
    // The report being made may have opened the file before it moved: either way, one answer.
    expect(inChat(`private:${ADMIN}`)).toHaveLength(2);
    // The next one is made as usual.
    expect(withFiles(await h.say(LEADER, '/baocao CAMXUYEN excel', { private: true }))).toHaveLength(1);
  });

  it('at shutdown, tells everyone still waiting that their report will not come, and takes no new one', async () => {
    h = await demo();
    expect(await h.text(ADMIN, '/baocao tep', { ...GROUP, ...BACKGROUND })).toBe(STARTED);
    expect(await h.text(LEADER, '/baocao excel', PRIVATELY)).toBe(waiting(1));
    await h.core.reports!.stop();
    expect(withFiles(h.sent)).toEqual([]);
    expect(inChat(DEMO_GROUP).map((s) => s.text)).toEqual([STARTED, `@${ADMIN} ${DROPPED}`]);
    expect(inChat(`private:${LEADER}`).map((s) => s.text)).toEqual([waiting(1), DROPPED]);
    expect(await h.text(OFFICER, '/baocao excel', GROUP)).toBe(
      'Bot đang dừng để bảo trì hoặc khởi động lại nên chưa làm báo cáo. Bạn vui lòng gửi lại lệnh sau ít phút.',
    );
  });
});

describe('the report thread', () => {
  it('fails the report once when the thread dies, and makes the next one on a new thread', async () => {
    h = await demo();
    const log = silentLogger;
    const outcomes: string[] = [];
    const job = { scope: { rootUnitId: null, subtree: true }, period: yearPeriod(2026), now: h.clock.now(), formats: ['xlsx' as const] };
    // A heap far too small for the thread to even load its modules: it dies with "out of memory".
    const starved = new ReportQueue({ dbPath: h.dbPath, log, maxHeapMb: 2 });
    const request = (owner: string) => ({
      owner,
      job,
      heavy: true,
      done: async () => void outcomes.push(`${owner} done`),
      failed: async () => void outcomes.push(`${owner} failed`),
      dropped: async () => void outcomes.push(`${owner} dropped`),
    });
    expect(starved.submit(request('a'))).toEqual({ status: 'started' });
    expect(starved.submit(request('b'))).toEqual({ status: 'queued', ahead: 1 });
    await starved.idle();
    expect(outcomes).toEqual(['a failed', 'b failed']);
    await starved.stop();

    const healthy = new ReportQueue({ dbPath: h.dbPath, log });
    expect(healthy.submit(request('c'))).toEqual({ status: 'started' });
    await healthy.idle();
    await healthy.stop();
    expect(outcomes).toEqual(['a failed', 'b failed', 'c done']);
  });
});

describe('a bot process closed while a report is being made', () => {
  const ROOT = new URL('../..', import.meta.url).pathname;
  const CHILD = new URL('../fixtures/reports/closeWhileReporting.ts', import.meta.url).pathname;

  /** Runs the fixture under `node --import tsx`; resolves when the process ends by itself. */
  function run(mode: 'stop' | 'close'): Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    sent: Array<{ chat: string; text: string; files: string[] }>;
    stderr: string;
    dbPath: string;
  }> {
    const dir = mkdtempSync(join(tmpdir(), 'dvk-report-close-'));
    const dbPath = join(dir, 'dvk.sqlite');
    dirs.push(dir);
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      // A process the thread keeps alive would never get here: the test's timeout would fail it.
      child.on('close', (code, signal) =>
        resolve({
          code,
          signal,
          stderr,
          dbPath,
          sent: out
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as { chat: string; text: string; files: string[] }),
        }),
      );
    });
  }
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => {
    // One that hangs (the failure this looks for) is ended when its test has failed.
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('stopping the reports tells the person, ends the thread, and the process exits by itself with the database closed cleanly', async () => {
    const result = await run('stop');
    expect(result, result.stderr).toMatchObject({ code: 0, signal: null });
    expect(result.stderr).toContain('closed');
    expect(result.sent.map((s) => s.text)).toEqual([STARTED, DROPPED]);
    expect(result.sent.flatMap((s) => s.files)).toEqual([]);
    // Every connection closed, the bot's last: SQLite folded the log into the file and removed it.
    expect(existsSync(`${result.dbPath}-wal`)).toBe(false);
  }, 60_000);

  it('closing the core at once ends the thread too, and the process exits by itself', async () => {
    const result = await run('close');
    expect(result, result.stderr).toMatchObject({ code: 0, signal: null });
    expect(result.sent.map((s) => s.text)).toEqual([STARTED, DROPPED]);
    expect(result.sent.flatMap((s) => s.files)).toEqual([]);
  }, 60_000);
});

/** Every sheet's cell values, row by row (the zip around them carries its own timestamps). */
async function sheets(data: Buffer): Promise<Record<string, unknown[]>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(data as never);
  const out: Record<string, unknown[]> = {};
  for (const sheet of workbook.worksheets) {
    const rows: unknown[] = [];
    sheet.eachRow((row) => rows.push(row.values));
    out[sheet.name] = rows;
  }
  return out;
}

async function docxText(data: Buffer): Promise<string> {
  return (await JSZip.loadAsync(data)).file('word/document.xml')!.async('string');
}
