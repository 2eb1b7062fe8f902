import { describe, expect, it } from 'vitest';
import { emptyPerTest, type Harness } from '../helpers/harness.js';
import { readDocx } from '../helpers/docxXml.js';
import { addPerson, buildIssuerTree } from '../helpers/issuerTree.js';

/**
 * Who issues the Word report /baocao sends: the unit of the person who asks, or one they name
 * after "banhanh" among the units they belong to or have a role on. The files are made on the
 * report thread, so the issuer travels there with the job.
 */

const NOW = '2026-11-22T09:00:00+07:00';
const GROUP = { group: 'Dân vận khéo tỉnh Hà Tĩnh' };
const NOI = 'Trần Thị Nội'; // officer of Sở Nội vụ
const HOA = 'Nguyễn Thị Hoa'; // admin, works for Sở Nội vụ
const BINH = 'Lê Văn Bình'; // leader of the province, officer of Sở Nội vụ
const TUYEN = 'Phan Văn Tuyên'; // officer of the Ban Tuyên giáo và Dân vận Tỉnh ủy
const OPERATOR = 'Quản trị'; // admin of no unit

const open = emptyPerTest({ now: NOW });

async function withPeople(): Promise<Harness> {
  const h = await open();
  const now = h.clock.now();
  const ids = buildIssuerTree(h.db, now);
  addPerson(h.db, NOI, [{ role: 'officer', unit: 'SNV' }], ids, now);
  addPerson(h.db, HOA, [{ role: 'admin', unit: null }], ids, now, 'SNV');
  addPerson(
    h.db,
    BINH,
    [
      { role: 'officer', unit: 'SNV' },
      { role: 'leader', unit: 'HATINH' },
    ],
    ids,
    now,
  );
  addPerson(h.db, TUYEN, [{ role: 'officer', unit: 'BTGDVTU' }], ids, now);
  addPerson(h.db, OPERATOR, [{ role: 'admin', unit: null }], ids, now);
  return h;
}

/** The one Word file the bot sent in answer, and the left and right of its header block. */
async function wordFrom(h: Harness, person: string, command: string) {
  const replies = await h.say(person, command, GROUP);
  const files = replies.flatMap((r) => r.reply.files ?? []);
  expect(files.map((f) => f.fileName.split('.').pop())).toEqual(['docx']);
  const doc = await readDocx(files[0]!.data);
  const nonEmpty = (ps: { text: string }[]) => ps.map((p) => p.text).filter((t) => t !== '');
  return { file: files[0]!, doc, left: nonEmpty(doc.header.left), right: nonEmpty(doc.header.right) };
}

describe('/baocao word: the issuer is the unit of the person who asks', () => {
  it('issues an officer’s report as Sở Nội vụ under UBND TỈNH HÀ TĨNH', async () => {
    const h = await withPeople();
    const { left, right } = await wordFrom(h, NOI, '/baocao word');
    expect(left).toEqual(['UBND TỈNH HÀ TĨNH', 'SỞ NỘI VỤ', 'Số:        /BC-SNV']);
    expect(right[0]).toBe('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
  });

  it('issues the province’s report as Sở Nội vụ when an admin of Sở Nội vụ asks, not as the province', async () => {
    const h = await withPeople();
    const { file, left, right } = await wordFrom(h, HOA, '/baocao word quý 4');
    expect(file.fileName).toBe('bao-cao-dvk-HATINH-2026-q4.docx');
    expect(left).toEqual(['UBND TỈNH HÀ TĨNH', 'SỞ NỘI VỤ', 'Số:        /BC-SNV']);
    expect(right.at(-1)).toBe('Hà Tĩnh, ngày 22 tháng 11 năm 2026');
  });

  it('lays a Party body’s report out in the Party format', async () => {
    const h = await withPeople();
    const { left, right } = await wordFrom(h, TUYEN, '/baocao word');
    expect(left).toEqual(['TỈNH ỦY HÀ TĨNH', 'BAN TUYÊN GIÁO VÀ DÂN VẬN', '*', 'Số      -BC/BTGDVTU']);
    expect(right).toEqual(['ĐẢNG CỘNG SẢN VIỆT NAM', 'Hà Tĩnh, ngày 22 tháng 11 năm 2026']);
  });

  it('keeps the report’s root as the issuer for a person of no unit', async () => {
    const h = await withPeople();
    const { left } = await wordFrom(h, OPERATOR, '/baocao word');
    expect(left).toEqual(['ỦY BAN NHÂN DÂN', 'TỈNH HÀ TĨNH', 'Số:        /BC-UBND']);
  });
});

describe('/baocao word banhanh <mã>: another issuer', () => {
  it('takes a unit the caller leads, typed as one word or as “ban hành”', async () => {
    const h = await withPeople();
    const ban = await wordFrom(h, BINH, '/baocao word banhanh BTGDVTU');
    expect(ban.left.slice(0, 2)).toEqual(['TỈNH ỦY HÀ TĨNH', 'BAN TUYÊN GIÁO VÀ DÂN VẬN']);
    const commune = await wordFrom(h, BINH, '/baocao quý 4 ban hành ducambinh');
    expect(commune.file.fileName).toBe('bao-cao-dvk-HATINH-2026-q4.docx');
    expect(commune.left.slice(0, 2)).toEqual(['ĐẢNG BỘ TỈNH HÀ TĨNH', 'ĐẢNG ỦY XÃ CẨM BÌNH']);
  });

  it('keeps the scope words apart from the issuer', async () => {
    const h = await withPeople();
    const { file, left } = await wordFrom(h, BINH, '/baocao SNV word banhanh HATINH');
    expect(file.fileName).toBe('bao-cao-dvk-SNV-2026.docx');
    expect(left).toEqual(['ỦY BAN NHÂN DÂN', 'TỈNH HÀ TĨNH', 'Số:        /BC-UBND']);
  });

  it('refuses kindly a unit outside the caller’s units, and makes nothing', async () => {
    const h = await withPeople();
    for (const command of ['/baocao word banhanh SYT', '/baocao word banhanh KHONGCO']) {
      const replies = await h.say(NOI, command, GROUP);
      expect(replies).toHaveLength(1);
      expect(replies[0]!.reply.files).toBeUndefined();
      expect(replies[0]!.text).toBe(
        `Đơn vị ${command.split(' ').pop()} không có hoặc không phải đơn vị bạn thuộc hay phụ trách, nên bot chưa ghi được đơn vị đó là cơ quan ban hành báo cáo. ` +
          'Bạn gõ mã một đơn vị của mình (ví dụ /baocao word banhanh SNV), hoặc bỏ phần “banhanh” để bot ghi đơn vị của bạn.',
      );
    }
    expect(h.sent.some((s) => s.reply.files !== undefined)).toBe(false);
  });

  it('asks for the code when none follows, and asks for the Word report by itself', async () => {
    const h = await withPeople();
    const replies = await h.say(NOI, '/baocao word banhanh', GROUP);
    expect(replies.map((r) => r.text)).toEqual(['Sau “banhanh”, bạn gõ mã đơn vị ban hành báo cáo, ví dụ: /baocao word banhanh SNV']);
    expect(replies[0]!.reply.files).toBeUndefined();
    const { left } = await wordFrom(h, HOA, '/baocao banhanh BTGDVTU');
    expect(left[1]).toBe('BAN TUYÊN GIÁO VÀ DÂN VẬN');
  });
});
