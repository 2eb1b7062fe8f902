import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../core/clock.js';
import { openDatabase } from '../../../db/client.js';
import { readDocx } from '../../helpers/docxXml.js';
import { buildIssuerTree } from '../../helpers/issuerTree.js';
import { cleanEnv, npm, REPO_ROOT } from '../../helpers/processes.js';

/** `npm run report -- docx --ban-hanh <mã>`: the operator names the unit that issues the Word report. */
const NOW = '2026-11-22T09:00:00+07:00';
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-report-issuer-'));
  const database = await openDatabase(join(dir, 'dvk.sqlite'), { clock: fixedClock(NOW) });
  buildIssuerTree(database.db, new Date(NOW));
  database.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function report(...args: string[]) {
  return npm(['--prefix', REPO_ROOT, 'run', '--silent', 'report', '--', ...args], {
    cwd: dir,
    env: cleanEnv({ DB_PATH: join(dir, 'dvk.sqlite'), DVK_NOW: NOW }),
  });
}

describe('npm run report -- docx --ban-hanh', { timeout: 120_000 }, () => {
  it('lays the report out for the unit named, in its format', async () => {
    const out = report('docx', '--ban-hanh', 'btgdvtu', '--ra', 'ban.docx');
    expect(out.stderr).not.toContain('Không tìm thấy');
    expect(out.status).toBe(0);
    const doc = await readDocx(readFileSync(join(dir, 'ban.docx')));
    expect(doc.header.left.map((p) => p.text).filter((t) => t !== '')).toEqual(['TỈNH ỦY HÀ TĨNH', 'BAN TUYÊN GIÁO VÀ DÂN VẬN', '*', 'Số      -BC/BTGDVTU']);
    expect(doc.header.right[0]!.text).toBe('ĐẢNG CỘNG SẢN VIỆT NAM');
  });

  it('keeps the root as the issuer without it, and refuses an unknown unit with exit code 1', async () => {
    expect(report('docx', '--ra', 'goc.docx').status).toBe(0);
    const doc = await readDocx(readFileSync(join(dir, 'goc.docx')));
    // Broken before its place, as a committee's name is printed.
    expect(doc.header.left.slice(0, 2).map((p) => p.text)).toEqual(['ỦY BAN NHÂN DÂN', 'TỈNH HÀ TĨNH']);
    expect(report('docx', '--ban-hanh', 'KHONGCO', '--ra', 'x.docx')).toMatchObject({
      status: 1,
      stderr: 'Không tìm thấy đơn vị “KHONGCO” đang hoạt động để ghi là cơ quan ban hành (--ban-hanh). Gõ đúng mã đơn vị.\n',
    });
    expect(existsSync(join(dir, 'x.docx'))).toBe(false);
  });
});
