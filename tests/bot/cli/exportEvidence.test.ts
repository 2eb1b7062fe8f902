import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchAttachment } from '../../../bot/attachmentFetch.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { Harness } from '../../helpers/harness.js';
import { cleanEnv, npm } from '../../helpers/processes.js';

/**
 * `npm run admin -- export-evidence <mã> --ra <thư mục>` as the operator types it on the server,
 * over a database where an officer sent a photo with /capnhat and the bot kept it.
 */
const GROUP = { group: DEMO_GROUP };
let dir: string;

const cdn: FetchAttachment = async () => ({
  body: (async function* () {
    yield Buffer.from('JPEG ảnh nghiệm thu');
  })(),
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-export-'));
  const h = await Harness.demo({ dir, fetchers: { console: cdn } });
  const officer = DEMO_PEOPLE.officer;
  for (const line of ['/capnhat DVK-2026-0001', 'Nghiệm thu 5 thôn.', 'hoàn thành']) await h.say(officer, line, GROUP);
  await h.say(officer, '', { ...GROUP, attachments: [{ kind: 'photo', ref: 'https://cdn.example/nghiem-thu.jpg' }] });
  await h.say(officer, '1', GROUP);
  await h.core.evidence!.idle();
  h.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function admin(...args: string[]) {
  return npm(['run', '--silent', 'admin', '--', ...args], { env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), DVK_NOW: '2026-03-10T10:00:00+07:00' }) });
}

describe('npm run admin -- export-evidence', { timeout: 120_000 }, () => {
  it('writes the kept files of a model into a private folder; an unknown model is refused with exit 1', () => {
    const out = join(dir, 'minh-chung');
    const done = admin('export-evidence', 'DVK-2026-0001', '--ra', out);
    expect(done.stderr).toBe('');
    expect(done.status).toBe(0);
    expect(done.stdout).toBe(`Đã ghi 1 tệp minh chứng của DVK-2026-0001 vào ${out}.\n`);
    expect(readdirSync(out)).toEqual(['2026-03-10_01_anh.jpg']);
    expect(readFileSync(join(out, '2026-03-10_01_anh.jpg'), 'utf8')).toBe('JPEG ảnh nghiệm thu');
    expect(statSync(join(out, '2026-03-10_01_anh.jpg')).mode & 0o777).toBe(0o600);

    const refused = admin('export-evidence', 'DVK-2026-9999', '--ra', join(dir, 'khac'));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe('Không có mô hình DVK-2026-9999.\n');
  });
});
