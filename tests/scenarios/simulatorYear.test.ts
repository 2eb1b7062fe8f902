import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, npm, REPO_ROOT } from '../helpers/processes.js';

/**
 * A year of Xã Thiên Cầm in the simulator (issue 22, "Done when"), played from one script with
 * `⏰` lines moving the clock: the admin binds the commune's group; a new officer joins with the
 * unit's code, registers two models (going back with /quaylai, fixing the name with "sửa mục 4",
 * a Telex-typed name questioned); the province's leader, who reads the morning digest, approves by
 * list number with a confirmation, undoes a wrong approval with /hoantac, returns the second model;
 * the officer fixes and resends it (/suamohinh, the leader mentioned), updates monthly with photos
 * and answers as officials type them ("khoảng 30%", "một nửa", "~60%", "bay muoi", "hoàn thành"),
 * proposes the finished model, which the leader recognises; the admin reads the province's report
 * on one screen; the officer asks for the evidence files in a private chat.
 *
 * Every message the bot sends is compared with the expected transcript, line by line. After a
 * deliberate change of wording, rewrite it with `UPDATE_SIMULATOR_YEAR=1 npx vitest run
 * tests/scenarios/simulatorYear.test.ts` and read the diff before committing it.
 */
const FIXTURES = join(REPO_ROOT, 'tests/fixtures/simulator');
const SCRIPT = join(FIXTURES, 'nam-2026-xa-thien-cam.txt');
const EXPECTED = join(FIXTURES, 'nam-2026-xa-thien-cam.expected.txt');
const FILES = join(FIXTURES, 'tep');
const OUT = '<thư mục tệp>';

let dir: string;
let transcript: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-year-'));
  const result = npm(['start', '--silent', '--', '--demo'], {
    input: readFileSync(SCRIPT, 'utf8'),
    env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), DVK_OUT_DIR: join(dir, 'out'), DVK_NOW: '2026-01-05T08:30:00+07:00' }),
  });
  expect(result.status, result.stderr).toBe(0);
  // Files the bot sends are written under a temporary folder: its path is the one thing that changes.
  transcript = result.stdout.split(join(dir, 'out')).join(OUT);
  if (process.env.UPDATE_SIMULATOR_YEAR === '1') writeFileSync(EXPECTED, transcript);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a scripted year of a commune', () => {
  it('says exactly the expected Vietnamese, message after message', () => {
    const expected = readFileSync(EXPECTED, 'utf8').split('\n');
    const got = transcript.split('\n');
    // Line by line, so a difference names its line rather than dumping two long texts.
    for (let i = 0; i < Math.max(expected.length, got.length); i++) expect(got[i], `line ${i + 1}`).toBe(expected[i]);
  });

  it('covers what the year is about: digest, numbered decisions, undo, return and resend, updates, one-screen report', () => {
    const commune = '[Dân vận khéo xã Thiên Cầm]';
    expect(transcript).toContain(`${commune} Bot: ☀️ Chào buổi sáng. Đang chờ lãnh đạo xem xét (2):`);
    expect(transcript).toContain(`${commune} Bot: @Võ Thị Thanh: ↩️ Đã hoàn tác việc duyệt DVK-2026-0011 “Một cửa thân thiện” của Xã Thiên Cầm`);
    expect(transcript).toContain('[Dân vận khéo tỉnh Hà Tĩnh] Bot: @Trần Văn Bình: Võ Thị Thanh đã sửa và gửi lại DVK-2026-0011');
    // "khoảng 30%", "một nửa", "~60%", "80%.", "hoàn thành"; "20 phần trăm" and "bay muoi" for the second model.
    for (const progress of ['30%', '50%', '60%', '80%', 'hoàn thành (100%)']) expect(transcript).toContain(`“Chợ phiên nông sản sạch”: ${progress} —`);
    for (const progress of ['20%', '70%']) expect(transcript).toContain(`“Một cửa thân thiện”: ${progress} —`);
    expect(transcript).toContain(`${commune} Bot: @Võ Thị Thanh: ✅ Đã công nhận DVK-2026-0010 “Chợ phiên nông sản sạch” của Xã Thiên Cầm.`);
    // The admin's report of the province fits a phone screen.
    const report = transcript.slice(transcript.indexOf('Bot: 📊 Báo cáo “Dân vận khéo” năm 2026'));
    const reportLines = report.split('\n').filter((l) => l.startsWith('[Dân vận khéo tỉnh Hà Tĩnh]'));
    const end = reportLines.findIndex((l) => l.includes('Gõ /baocao chitiet'));
    expect(end).toBeGreaterThan(0);
    expect(end + 1).toBeLessThanOrEqual(20);
    // Nothing went wrong on the way.
    expect(transcript).not.toContain('Xin lỗi, bot gặp lỗi');
  });

  it('hands the officer the very files she sent, privately', () => {
    const sent = readdirSync(join(dir, 'out')).sort();
    expect(sent).toHaveLength(4);
    for (const name of ['phien-cho-thang-3.png', 'phien-cho-thang-4.png', 'danh-sach-ho.pdf', 'tong-ket-cho-phien.png']) {
      const file = sent.find((f) => f.endsWith(name))!;
      expect(readFileSync(join(dir, 'out', file))).toEqual(readFileSync(join(FILES, name)));
    }
  });
});
