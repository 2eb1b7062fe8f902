import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { AttachmentGoneError, type FetchAttachment } from '../../bot/attachmentFetch.js';
import type { IncomingAttachment } from '../../core/chat.js';
import { EvidenceExportRefused, writeModelEvidence } from '../../commands/shared/evidenceExport.js';
import { auditLog } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, type Harness, type SayOptions } from '../helpers/harness.js';

/**
 * Issue 17 item 11: an admin takes a model's kept evidence out — `/mohinh <mã> tep` in a private
 * chat, or `npm run admin -- export-evidence` on the server (writeModelEvidence). Nobody else may:
 * the files are personal data.
 */

const GROUP: SayOptions = { group: DEMO_GROUP };
const PRIVATE: SayOptions = { private: true };
const { admin: ADMIN, leader: LEADER, officer: OFFICER } = DEMO_PEOPLE;
const MODEL = 'DVK-2026-0001';
const NAME = 'Dân vận khéo trong xây dựng khu dân cư nông thôn mới kiểu mẫu';
const CAP = 1000;

let h: Harness;
const demo = demoPerTest();

/** A CDN where each ref `…/<text>` serves the text itself; `…/lon` is over the cap. */
const cdn: FetchAttachment = async (attachment) => {
  const last = attachment.ref.split('/').pop()!;
  if (last === 'mat') throw new AttachmentGoneError('HTTP 404');
  const data = last === 'lon' ? Buffer.alloc(CAP + 1) : Buffer.from(`nội dung ${last}`);
  return {
    body: (async function* () {
      yield data;
    })(),
  };
};

async function withEvidence(files: IncomingAttachment[]) {
  h = await demo({ fetchers: { console: cdn }, evidenceMaxBytes: CAP });
  await h.say(OFFICER, `/capnhat ${MODEL}`, GROUP);
  await h.say(OFFICER, 'Ra mắt tủ sách pháp luật ở thôn Đông.', GROUP);
  await h.say(OFFICER, '80%', GROUP);
  await h.say(OFFICER, 'đồng ý', GROUP); // down from 100%: confirmed (issue 22)
  await h.say(OFFICER, '', { ...GROUP, attachments: files });
  expect(await h.text(OFFICER, '1', GROUP)).toMatch(/^✅ Đã ghi nhận/);
  await h.core.evidence!.idle();
}

const doc = (name: string, fileName?: string, mimeType?: string): IncomingAttachment => ({
  kind: fileName ? 'document' : 'photo',
  ref: `https://cdn.example/${name}`,
  ...(fileName ? { fileName } : {}),
  ...(mimeType ? { mimeType } : {}),
});

describe('/mohinh <mã> tep', () => {
  it('gives the unit’s officer and the leader above it the files the card offers, privately; someone out of reach gets the card’s refusal', async () => {
    await withEvidence([doc('a')]);
    for (const who of [OFFICER, LEADER]) {
      const card = await h.text(who, `/mohinh ${MODEL}`, PRIVATE);
      expect(card).toContain('  📎 ảnh (12 B) — đã lưu');
      expect(card).toContain(`Gõ /mohinh ${MODEL} tep để nhận ảnh, tệp minh chứng đã lưu (bot gửi trong tin nhắn riêng).`);
      const sent = await h.say(who, `/mohinh ${MODEL} tep`, PRIVATE);
      expect(sent.flatMap((s) => s.reply.files ?? []).map((f) => f.data.toString())).toEqual(['nội dung a']);
      expect(sent.every((s) => s.chat.kind === 'private')).toBe(true);
    }
    expect(h.db.select().from(auditLog).where(eq(auditLog.action, 'evidence.export')).all()).toHaveLength(2);

    // An officer of another commune: the same words as for a model that does not exist, no file.
    await h.say('Lê Văn Tâm', '/toi', GROUP);
    expect(await h.text(ADMIN, '/phanquyen cán bộ Lê Văn Tâm CAMBINH', GROUP)).toContain('bạn đã được cấp quyền cán bộ');
    const other = await h.say('Lê Văn Tâm', `/mohinh ${MODEL} tep`, PRIVATE);
    expect(other.map((s) => s.text)).toEqual([`Không có mô hình ${MODEL} hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã (dạng DVK-2026-0001).`]);
    expect(other.flatMap((s) => s.reply.files ?? [])).toEqual([]);
    expect(h.db.select().from(auditLog).where(eq(auditLog.action, 'evidence.export')).all()).toHaveLength(2);
  });

  it('sends an admin the files in their private chat, a few per message, named by date, with what is missing said', async () => {
    await withEvidence([
      doc('1', 'bien-ban.pdf', 'application/pdf'),
      doc('2'),
      doc('3', 'danh sách/hộ.xlsx'),
      doc('4'),
      doc('5', 'ảnh 5'),
      doc('6', 'bao-cao', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
      doc('lon', 'video.mp4'),
      doc('mat'),
    ]);
    const sent = await h.say(ADMIN, `/mohinh ${MODEL} tep`, PRIVATE);
    expect(sent.map((s) => s.text)).toEqual([`📎 Minh chứng của ${MODEL} “${NAME}”: 6 tệp. 2 tệp khác không có bản sao (xem /mohinh ${MODEL}).`, 'Tệp 6–6/6']);
    expect(sent.every((s) => s.chat.kind === 'private')).toBe(true);
    const files = sent.flatMap((s) => s.reply.files ?? []);
    expect(sent[0]!.reply.files).toHaveLength(5);
    expect(files.map((f) => [f.fileName, f.mimeType, f.data.toString()])).toEqual([
      ['2026-03-10_01_bien-ban.pdf', 'application/pdf', 'nội dung 1'],
      ['2026-03-10_02_anh.jpg', 'image/jpeg', 'nội dung 2'],
      // A name is the person's, but never a path.
      ['2026-03-10_03_danh sách-hộ.xlsx', 'application/octet-stream', 'nội dung 3'],
      ['2026-03-10_04_anh.jpg', 'image/jpeg', 'nội dung 4'],
      ['2026-03-10_05_ảnh 5', 'application/octet-stream', 'nội dung 5'],
      ['2026-03-10_06_bao-cao.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'nội dung 6'],
    ]);
    const audit = h.db.select().from(auditLog).where(eq(auditLog.action, 'evidence.export')).all();
    expect(audit).toEqual([expect.objectContaining({ entity: 'model', after: { code: MODEL, files: 6 } })]);
    expect(await h.text(ADMIN, `/nhatky ${MODEL}`, PRIVATE)).toContain(`Tải 6 tệp minh chứng của mô hình ${MODEL} (Xã Cẩm Xuyên)`);
  });

  it('typed in a group, sends the files privately (or says how to ask there); the group sees no file', async () => {
    await withEvidence([doc('a')]);
    const asked = await h.say(ADMIN, `/mohinh ${MODEL} tep`, GROUP);
    expect(asked.map((s) => s.text)).toEqual([
      `Ảnh, tệp minh chứng là dữ liệu cá nhân nên bot chỉ gửi trong tin nhắn riêng: bạn mở tin nhắn riêng với bot (bấm vào tên bot, chọn nhắn tin) rồi gõ /mohinh ${MODEL} tep.`,
    ]);

    // Once the admin has written to the bot privately, the files go there.
    await h.say(ADMIN, '/toi', PRIVATE);
    const sent = await h.say(ADMIN, `/mohinh ${MODEL} tep`, GROUP);
    const inGroup = sent.filter((s) => s.chat.kind === 'group');
    expect(inGroup.map((s) => s.text)).toEqual([`Bot đã gửi riêng cho bạn 1 tệp minh chứng của ${MODEL} (12 B).`]);
    expect(inGroup.flatMap((s) => s.reply.files ?? [])).toEqual([]);
    const privately = h.sent.filter((s) => s.chat.kind === 'private' && (s.reply.files?.length ?? 0) > 0);
    expect(privately.map((s) => s.reply.files!.map((f) => f.fileName))).toEqual([['2026-03-10_01_anh.jpg']]);
  });

  it('says so when a model has nothing kept', async () => {
    await withEvidence([doc('mat')]);
    expect(await h.text(ADMIN, `/mohinh ${MODEL} tep`, PRIVATE)).toBe(
      `Mô hình ${MODEL} chưa có ảnh, tệp minh chứng nào được bot lưu. 1 tệp khác không có bản sao (xem /mohinh ${MODEL}).`,
    );
  });
});

describe('writeModelEvidence (npm run admin -- export-evidence)', () => {
  it('writes the kept files into a private folder, lists what has no copy, and overwrites nothing', async () => {
    await withEvidence([doc('1', 'bien-ban.pdf'), doc('2'), doc('lon', 'video.mp4')]);
    const out = join(h.dir, 'xuat', 'minh-chung');
    const lines = writeModelEvidence(h.db, h.core.evidence!.store, 'dvk 2026 1', out, h.clock.now());
    expect(lines).toEqual([`Đã ghi 2 tệp minh chứng của ${MODEL} vào ${out}.`, 'Không có bản sao: “video.mp4” gửi ngày 10/03/2026 — không lưu vì tệp quá lớn']);
    expect(readdirSync(out).sort()).toEqual(['2026-03-10_01_bien-ban.pdf', '2026-03-10_02_anh.jpg']);
    expect(readFileSync(join(out, '2026-03-10_01_bien-ban.pdf'), 'utf8')).toBe('nội dung 1');
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(statSync(join(out, '2026-03-10_02_anh.jpg')).mode & 0o777).toBe(0o600);
    expect(h.db.select().from(auditLog).where(eq(auditLog.action, 'evidence.export')).all()).toEqual([
      expect.objectContaining({ actorLabel: 'cli', after: { code: MODEL, files: 2 } }),
    ]);

    // Run again into the same folder: refused before anything is written.
    expect(() => writeModelEvidence(h.db, h.core.evidence!.store, MODEL, out, h.clock.now())).toThrow(EvidenceExportRefused);
    expect(() => writeModelEvidence(h.db, h.core.evidence!.store, 'DVK-2026-9999', join(h.dir, 'khac'), h.clock.now())).toThrow(
      'Không có mô hình DVK-2026-9999.',
    );
    expect(() => writeModelEvidence(h.db, h.core.evidence!.store, 'CAMXUYEN', join(h.dir, 'khac'), h.clock.now())).toThrow('không phải mã mô hình');
    expect(existsSync(join(h.dir, 'khac'))).toBe(false);
  });

  it('says which kept file is missing from the folder (removed by hand) instead of failing', async () => {
    await withEvidence([doc('1', 'bien-ban.pdf')]);
    const store = h.core.evidence!.store;
    const [row] = h.core.database.sqlite.prepare('select sha256 from attachments where sha256 is not null').all() as Array<{ sha256: string }>;
    rmSync(store.pathOf(row!.sha256));
    const lines = writeModelEvidence(h.db, store, MODEL, join(h.dir, 'ra'), h.clock.now());
    expect(lines).toEqual([
      `Đã ghi 0 tệp minh chứng của ${MODEL} vào ${join(h.dir, 'ra')}.`,
      'Không tìm thấy bản sao trên máy chủ (thư mục lưu đã bị xóa bớt?): 2026-03-10_01_bien-ban.pdf',
    ]);
  });
});
