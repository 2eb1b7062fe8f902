import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { progressAnswer } from '../../commands/capnhat.js';
import { attachments, auditLog, conversations, models, progressUpdates } from '../../db/schema.js';
import { DEMO_COMMUNE_GROUP, DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, type Harness, type SayOptions } from '../helpers/harness.js';
import { auditsOf, personIdOf } from '../helpers/rows.js';

const GROUP = { group: DEMO_GROUP };
const OFFICER = DEMO_PEOPLE.officer; // Lê Minh Châu, Xã Cẩm Xuyên: DVK-2026-0001 (recognised)
const LAN = 'Bùi Thị Lan'; // Xã Đức Thọ: DVK-2026-0006 (returned)
const LONG = 'Ngô Văn Long'; // Tỉnh đoàn Hà Tĩnh: DVK-2026-0007 (pending)
const DUNG = 'Phạm Thị Dung'; // Xã Cẩm Bình: DVK-2026-0002 (in progress, updated on 8 March)
const CX_MODEL = 'DVK-2026-0001';
const CX_NAME = 'Dân vận khéo trong xây dựng khu dân cư nông thôn mới kiểu mẫu';

let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });

function modelId(code: string): number {
  return h.db.select().from(models).where(eq(models.code, code)).get()!.id;
}

function updatesOf(code: string) {
  return h.db
    .select()
    .from(progressUpdates)
    .where(eq(progressUpdates.modelId, modelId(code)))
    .orderBy(progressUpdates.id)
    .all();
}

/** Runs a whole update up to the confirmation; `command` null continues a flow already started. */
async function update(who: string, command: string | null, answers: readonly string[], options: SayOptions = GROUP): Promise<string> {
  if (command !== null) await h.say(who, command, options);
  for (const answer of answers) await h.say(who, answer, options);
  return h.text(who, '1', options);
}

describe('/capnhat', () => {
  it('updates a model chosen from the list, for the current month and quarter, with an audit row', async () => {
    h = await demo();
    const before = updatesOf(CX_MODEL).length;

    const first = await h.say(OFFICER, '/capnhat', GROUP);
    expect(first).toHaveLength(1);
    expect(first[0]!.text).toBe('(1/4) Bạn cập nhật tiến độ mô hình nào? (chọn trong danh sách, hoặc gõ mã mô hình)');
    // Officers see their own unit only: not the communes of Cẩm Xuyên, not other districts.
    expect(first[0]!.reply.choices).toEqual([{ value: CX_MODEL, label: `${CX_MODEL} — Dân vận khéo trong xây dựng khu dân cư nông…` }]);

    expect(await h.text(OFFICER, '1', GROUP)).toBe('(2/4) Kết quả đã làm được? (vài câu ngắn)');
    expect(await h.text(OFFICER, 'Đã hoàn thiện 3 km đường hoa; 12 hộ chỉnh trang cổng ngõ.', GROUP)).toContain(
      '(3/4) Tiến độ đến nay? Gõ phần trăm (ví dụ 70 hoặc 70%)',
    );
    // The model was “hoàn thành” (100%) at its last update: a lower figure is confirmed first.
    expect(await h.text(OFFICER, '70%', GROUP)).toBe('(4/5) Tiến độ giảm từ 100% xuống 70%, bạn chắc chứ? Gõ “đồng ý” để ghi, hoặc gõ lại tiến độ.');
    expect(await h.text(OFFICER, 'đồng ý', GROUP)).toContain('(5/5) Gửi kèm ảnh hoặc tệp');
    const summary = await h.text(OFFICER, 'bỏ qua', GROUP);
    expect(summary).toContain(`(1) Mô hình: ${CX_MODEL} — Dân vận khéo`);
    expect(summary).toContain('(2) Kết quả đã làm được: Đã hoàn thiện 3 km đường hoa; 12 hộ chỉnh trang cổng ngõ.');
    expect(summary).toContain('(3) Tiến độ: 70%');
    expect(summary).toContain('Tiến độ giảm: đã đồng ý ghi 70% (lần trước 100%)');
    expect(summary).toContain('(5) Ảnh, tệp đính kèm: (không có)');

    const sentBefore = h.sent.length;
    expect(await h.text(OFFICER, 'đồng ý', GROUP)).toBe(`✅ Đã ghi nhận tiến độ của ${CX_MODEL} “${CX_NAME}”: 70% — tháng 3/2026.`);
    // Said in the group: no notices anywhere else.
    expect(h.sent.slice(sentBefore).map((s) => s.chat.id)).toEqual([DEMO_GROUP]);

    const rows = updatesOf(CX_MODEL);
    expect(rows).toHaveLength(before + 1);
    const saved = rows.at(-1)!;
    expect(saved).toMatchObject({
      authorPersonId: personIdOf(h.db, OFFICER),
      text: 'Đã hoàn thiện 3 km đường hoa; 12 hộ chỉnh trang cổng ngõ.',
      percent: 70,
      progressState: 'in_progress',
      periodYear: 2026,
      periodMonth: 3,
      periodQuarter: 1,
      createdAt: h.clock.now().getTime(),
      updatedAt: h.clock.now().getTime(),
    });
    expect(h.db.select().from(attachments).where(eq(attachments.updateId, saved.id)).all()).toEqual([]);
    const audit = auditsOf(h.db, 'update.add');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity: 'progress_update', entityId: String(saved.id), actorPersonId: personIdOf(h.db, OFFICER), before: null });
    expect(audit[0]!.after).toMatchObject({ id: saved.id, percent: 70, attachments: [] });
  });

  it('starts with the model named by its code, in a private chat: an attachment is kept and the unit’s groups are told', async () => {
    h = await demo();
    const first = await h.text(OFFICER, '/capnhat dvk-2026-0001', { private: true });
    expect(first).toBe(`(1/3) Cập nhật tiến độ ${CX_MODEL} “${CX_NAME}”.\nKết quả đã làm được? (vài câu ngắn)`);
    await h.say(OFFICER, 'Toàn bộ 5 thôn đạt chuẩn khu dân cư kiểu mẫu.', { private: true });
    await h.say(OFFICER, 'hoàn thành', { private: true });
    const photo = { kind: 'photo' as const, ref: 'tg-file-id-42', fileName: 'bien-ban-nghiem-thu.jpg', mimeType: 'image/jpeg', sizeBytes: 81234 };
    const summary = await h.text(OFFICER, '', { private: true, attachments: [photo] });
    expect(summary).toContain(`• Mô hình: ${CX_MODEL}`);
    expect(summary).toMatch(/\(\d+\) Tiến độ: Hoàn thành \(100%\)/);
    expect(summary).toMatch(/\(\d+\) Ảnh, tệp đính kèm: 1 tệp: bien-ban-nghiem-thu\.jpg/);

    const [reply, ...notices] = await h.say(OFFICER, '1', { private: true });
    expect(reply!.chat.kind).toBe('private');
    expect(reply!.text).toBe(`✅ Đã ghi nhận tiến độ của ${CX_MODEL} “${CX_NAME}”: hoàn thành (100%) — tháng 3/2026.`);
    const saved = updatesOf(CX_MODEL).at(-1)!;
    expect(saved).toMatchObject({ percent: 100, progressState: 'done', text: 'Toàn bộ 5 thôn đạt chuẩn khu dân cư kiểu mẫu.' });
    expect(h.db.select().from(attachments).where(eq(attachments.updateId, saved.id)).all()).toEqual([
      expect.objectContaining({
        platform: 'console',
        kind: 'photo',
        ref: 'tg-file-id-42',
        fileName: 'bien-ban-nghiem-thu.jpg',
        mimeType: 'image/jpeg',
        sizeBytes: 81234,
      }),
    ]);

    expect(h.sent.filter((s) => s.chat.kind === 'group')).toEqual(notices);
    expect(notices.map((n) => n.chat.id).sort()).toEqual([DEMO_GROUP, DEMO_COMMUNE_GROUP]);
    for (const notice of notices) {
      expect(notice.text).toBe(`@${OFFICER}: ${OFFICER} vừa cập nhật tiến độ ${CX_MODEL} “${CX_NAME}”: hoàn thành (100%) (tháng 3/2026).`);
    }
  });

  it('understands states typed without diacritics', async () => {
    h = await demo();
    await update(OFFICER, `/capnhat ${CX_MODEL}`, ['Nghiệm thu xong 5 thôn.', 'hoan thanh', 'bq']);
    expect(updatesOf(CX_MODEL).at(-1)).toMatchObject({ percent: 100, progressState: 'done', text: 'Nghiệm thu xong 5 thôn.' });
    h.clock.set('2026-04-02T09:00:00+07:00');
    await update(OFFICER, `/capnhat ${CX_MODEL}`, ['Tiếp tục duy trì đường hoa.', 'DANG TRIEN KHAI', 'bỏ qua']);
    expect(updatesOf(CX_MODEL).at(-1)).toMatchObject({ percent: null, progressState: 'in_progress', text: 'Tiếp tục duy trì đường hoa.' });
  });

  it('the progress schema accepts NFD, any case and percentages; a bare number is always a percentage', () => {
    const parse = (raw: string) => progressAnswer().safeParse(raw);
    const nfd = 'Đang Triển Khai'.normalize('NFD');
    expect(nfd).not.toBe('Đang Triển Khai');
    expect(parse(nfd)).toEqual({ success: true, data: { percent: null, state: 'in_progress' } });
    expect(parse('HOÀN THÀNH'.normalize('NFD'))).toEqual({ success: true, data: { percent: 100, state: 'done' } });
    expect(parse('70')).toEqual({ success: true, data: { percent: 70, state: 'in_progress' } });
    expect(parse('70 %')).toEqual({ success: true, data: { percent: 70, state: 'in_progress' } });
    expect(parse('100%')).toEqual({ success: true, data: { percent: 100, state: 'done' } });
    expect(parse('0')).toEqual({ success: true, data: { percent: 0, state: 'in_progress' } });
    // Never the second option “Hoàn thành”: the step offers no numbered options.
    expect(parse('2')).toEqual({ success: true, data: { percent: 2, state: 'in_progress' } });
    expect(parse('1')).toEqual({ success: true, data: { percent: 1, state: 'in_progress' } });
    expect(parse('2%')).toEqual({ success: true, data: { percent: 2, state: 'in_progress' } });
    expect(parse('done')).toEqual({ success: true, data: { percent: 100, state: 'done' } });
    for (const bad of ['120', '120%', 'abc', '-5', '']) expect(parse(bad).success).toBe(false);
  });

  it('re-asks a wrong percentage and saves nothing', async () => {
    h = await demo();
    const before = h.db.select().from(progressUpdates).all().length;
    await h.say(OFFICER, `/capnhat ${CX_MODEL}`, GROUP);
    await h.say(OFFICER, 'Đã hoàn thiện 3 km đường hoa.', GROUP);
    const asked = '(2/3) Tiến độ đến nay? Gõ phần trăm (ví dụ 70 hoặc 70%), hoặc gõ “đang triển khai” hay “hoàn thành”.';
    expect(await h.text(OFFICER, '120', GROUP)).toBe(`⚠️ Tiến độ tối đa là 100% (bạn gõ 120). Bạn gõ một số từ 0 đến 100, ví dụ 70%.\n\n${asked}`);
    expect(await h.text(OFFICER, 'abc', GROUP)).toBe(
      '⚠️ Chưa hiểu tiến độ “abc”. Bạn gõ phần trăm đã làm được, ví dụ 70, 70%, “khoảng 60%” hoặc “một nửa”; ' +
        `gõ “hoàn thành” nếu đã xong, “đang triển khai” nếu chưa ước được phần trăm.\n\n${asked}`,
    );
    expect(h.db.select().from(progressUpdates).all()).toHaveLength(before);
    expect(await h.text(OFFICER, '75', GROUP)).toContain('(3/4) Tiến độ giảm từ 100% xuống 75%');
    expect(await h.text(OFFICER, 'đồng ý', GROUP)).toContain('(4/4) Gửi kèm ảnh hoặc tệp');
  });

  it('refuses a giant result without echoing it, typed text at the attachment step, and a photo sent for the result', async () => {
    h = await demo();
    await h.say(OFFICER, `/capnhat ${CX_MODEL}`, GROUP);
    const giant = 'Kết quả rất dài. '.repeat(200);
    const reply = await h.text(OFFICER, giant, GROUP);
    expect(reply).toContain('⚠️ Câu trả lời dài quá: tối đa 1000 ký tự');
    expect(reply.length).toBeLessThan(400);
    // A photo with a caption sent for the result is neither half-taken nor dropped silently.
    const photo = { kind: 'photo' as const, ref: 'p1', fileName: 'duong-hoa.jpg' };
    const refused = await h.text(OFFICER, 'Đường hoa đẹp', { ...GROUP, attachments: [photo] });
    expect(refused).toContain('⚠️ Câu này cần trả lời bằng chữ, nên bot chưa lấy ảnh hoặc tệp vừa gửi. Ảnh, tệp bạn gửi ở câu hỏi về tệp đính kèm sau nhé.');
    expect(refused).toContain('Kết quả đã làm được?');
    await h.say(OFFICER, 'Đã hoàn thiện 3 km đường hoa.', GROUP);
    await h.say(OFFICER, '60', GROUP);
    await h.say(OFFICER, 'đồng ý', GROUP);
    expect(await h.text(OFFICER, 'ảnh ở trong máy', GROUP)).toContain('⚠️ Bạn gửi ảnh hoặc tệp kèm theo, hoặc gõ "bỏ qua" nếu không có.');
    expect(await h.text(OFFICER, '', { ...GROUP, attachments: [photo] })).toMatch(/\(\d+\) Ảnh, tệp đính kèm: 1 tệp: duong-hoa\.jpg/);
  });

  it('refuses a model of another unit, and starts nothing', async () => {
    h = await demo();
    const before = h.db.select().from(progressUpdates).all().length;
    expect(await h.text(LAN, `/capnhat ${CX_MODEL}`, GROUP)).toBe(
      `Không có mô hình ${CX_MODEL} hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã, hoặc gõ /capnhat để chọn trong danh sách.`,
    );
    expect(h.db.select().from(conversations).all()).toEqual([]);
    // Typing the code inside the flow is refused the same way; Phạm Thị Dung's commune is under
    // Cẩm Xuyên, but an officer acts for their own unit only.
    await h.say(DUNG, '/capnhat', GROUP);
    expect(await h.text(DUNG, CX_MODEL, GROUP)).toContain(`⚠️ Không có mô hình ${CX_MODEL} hoặc mô hình ở ngoài phạm vi của bạn.`);
    expect(h.db.select().from(progressUpdates).all()).toHaveLength(before);
  });

  it('refuses models that are not approved yet, kindly, and says when nothing can be updated', async () => {
    h = await demo();
    expect(await h.text(LONG, '/capnhat DVK-2026-0007', GROUP)).toBe(
      'Mô hình DVK-2026-0007 đang chờ duyệt nên chưa cập nhật tiến độ được. Khi mô hình được duyệt, bạn gõ /capnhat DVK-2026-0007 nhé.',
    );
    expect(await h.text(LAN, '/capnhat dvk-2026-6', GROUP)).toBe(
      'Mô hình DVK-2026-0006 đã bị trả lại nên chưa cập nhật tiến độ được: đơn vị bổ sung theo góp ý và được duyệt lại thì mới cập nhật được.',
    );
    expect(await h.text(LAN, '/capnhat', GROUP)).toBe(
      'Chưa có mô hình nào của đơn vị bạn phụ trách đang thực hiện trong năm 2026 để cập nhật. ' +
        'Chỉ mô hình đã được duyệt mới cập nhật tiến độ được; mô hình đang chờ duyệt hoặc bị trả lại cần được duyệt trước.',
    );
    expect(await h.text(LAN, '/capnhat DVK-2026-9999', GROUP)).toBe(
      'Không có mô hình DVK-2026-9999 hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã, hoặc gõ /capnhat để chọn trong danh sách.',
    );
    expect(await h.text(LAN, '/capnhat đường hoa', GROUP)).toBe(
      '“đường hoa” không phải mã mô hình. Mã có dạng DVK-2026-0003; bạn cũng có thể gõ /capnhat rồi chọn trong danh sách.',
    );
    expect(h.db.select().from(conversations).all()).toEqual([]);
  });

  it('is refused by the dispatcher to a person without a role', async () => {
    h = await demo();
    expect(await h.text('Nguyễn Văn An', '/capnhat', GROUP)).toBe(
      'Lệnh /capnhat chỉ dành cho cán bộ đầu mối của đơn vị, lãnh đạo và quản trị. Bạn chưa thuộc đơn vị nào: gõ /thamgia <mã đơn vị> (mã do quản trị của nhóm cung cấp), hoặc nhờ quản trị thêm bạn vào đơn vị của mình.',
    );
    expect(h.db.select().from(conversations).all()).toEqual([]);
  });

  it('a second update in the same month offers to edit: “Sửa” rewrites the same row, “Thêm” adds one', async () => {
    h = await demo();
    await update(OFFICER, '/capnhat', ['1', 'Đã hoàn thiện 3 km đường hoa.', '70', 'đồng ý', 'bỏ qua']);
    const first = updatesOf(CX_MODEL).at(-1)!;
    const count = updatesOf(CX_MODEL).length;

    h.clock.set('2026-03-12T14:30:00+07:00');
    await h.say(OFFICER, '/capnhat', GROUP);
    const offer = await h.say(OFFICER, '1', GROUP);
    expect(offer[0]!.text).toBe(
      '(2/5) Tháng này đơn vị đã cập nhật mô hình này lúc 09:00 10/03/2026 (nội dung “Đã hoàn thiện 3 km đường hoa.”, tiến độ 70%). ' +
        'Bạn muốn sửa cập nhật đó hay thêm cập nhật mới?',
    );
    expect(offer[0]!.reply.choices!.map((c) => c.label)).toEqual(['Sửa cập nhật đó', 'Thêm cập nhật mới']);
    await h.say(OFFICER, 'Sửa', GROUP);
    await h.say(OFFICER, 'Đã hoàn thiện 3,5 km đường hoa; 20 hộ chỉnh trang cổng ngõ.', GROUP);
    await h.say(OFFICER, '75%', GROUP);
    const summary = await h.text(OFFICER, 'bỏ qua', GROUP);
    expect(summary).toContain('(2) Cách ghi: Sửa cập nhật đó');
    expect(await h.text(OFFICER, '1', GROUP)).toBe(`✅ Đã sửa cập nhật tháng 3/2026 của ${CX_MODEL} “${CX_NAME}”: 75%.`);

    const afterEdit = updatesOf(CX_MODEL);
    expect(afterEdit).toHaveLength(count);
    expect(afterEdit.at(-1)).toMatchObject({
      id: first.id,
      text: 'Đã hoàn thiện 3,5 km đường hoa; 20 hộ chỉnh trang cổng ngõ.',
      percent: 75,
      periodMonth: 3,
      createdAt: first.createdAt,
      updatedAt: h.clock.now().getTime(),
    });
    const edits = auditsOf(h.db, 'update.edit');
    expect(edits).toHaveLength(1);
    expect(edits[0]).toMatchObject({ entityId: String(first.id), actorPersonId: personIdOf(h.db, OFFICER) });
    expect(edits[0]!.before).toMatchObject({ id: first.id, text: 'Đã hoàn thiện 3 km đường hoa.', percent: 70 });
    expect(edits[0]!.after).toMatchObject({ id: first.id, text: 'Đã hoàn thiện 3,5 km đường hoa; 20 hộ chỉnh trang cổng ngõ.', percent: 75 });

    // The offer now shows the corrected update; "Thêm" adds a second row for March.
    await h.say(OFFICER, `/capnhat ${CX_MODEL}`, GROUP);
    expect(h.sent.at(-1)!.text).toContain('(nội dung “Đã hoàn thiện 3,5 km đường hoa; 20 hộ chỉnh trang cổng ngõ.”, tiến độ 75%)');
    await update(OFFICER, null, ['Thêm cập nhật mới', 'Tổ chức ra quân vệ sinh môi trường.', '80', 'bỏ qua']);
    const afterAdd = updatesOf(CX_MODEL);
    expect(afterAdd).toHaveLength(count + 1);
    expect(afterAdd.at(-1)).toMatchObject({ text: 'Tổ chức ra quân vệ sinh môi trường.', percent: 80, periodMonth: 3 });
    expect(afterAdd.at(-2)!.text).toBe('Đã hoàn thiện 3,5 km đường hoa; 20 hộ chỉnh trang cổng ngõ.');
    expect(auditsOf(h.db, 'update.add')).toHaveLength(2);
  });

  it('offers to edit an update of the month whoever wrote it', async () => {
    h = await demo();
    // The demo's own update of DVK-2026-0002 is from 8 March; a leader of the province sees it.
    const leader = DEMO_PEOPLE.leader;
    await h.say(leader, '/capnhat DVK-2026-0002', GROUP);
    expect(h.sent.at(-1)!.text).toMatch(
      /^\(1\/4\) Cập nhật tiến độ DVK-2026-0002 “Vận động nhân dân hiến đất mở rộng đường giao thông nông thôn”\.\nTháng này đơn vị đã cập nhật mô hình này lúc \d\d:\d\d 0[1-9]\/03\/2026/,
    );
    const seeded = updatesOf('DVK-2026-0002').at(-1)!;
    await update(leader, null, ['sua', 'Đã bê tông hóa 2 km đường liên thôn.', '85', 'bỏ qua']);
    const rows = updatesOf('DVK-2026-0002');
    expect(rows.at(-1)).toMatchObject({ id: seeded.id, text: 'Đã bê tông hóa 2 km đường liên thôn.', percent: 85, authorPersonId: personIdOf(h.db, leader) });
  });

  it('does not offer to edit in the next month', async () => {
    h = await demo();
    await update(OFFICER, '/capnhat', ['1', 'Đã hoàn thiện 3 km đường hoa.', '70', 'đồng ý', 'bỏ qua']);
    const count = updatesOf(CX_MODEL).length;
    h.clock.set('2026-04-02T09:00:00+07:00');
    await h.say(OFFICER, '/capnhat', GROUP);
    expect(await h.text(OFFICER, '1', GROUP)).toBe('(2/4) Kết quả đã làm được? (vài câu ngắn)');
    for (const answer of ['Thêm 2 km đường hoa.', '85', 'bỏ qua']) await h.say(OFFICER, answer, GROUP);
    expect(await h.text(OFFICER, '1', GROUP)).toBe(`✅ Đã ghi nhận tiến độ của ${CX_MODEL} “${CX_NAME}”: 85% — tháng 4/2026.`);
    expect(updatesOf(CX_MODEL)).toHaveLength(count + 1);
    expect(updatesOf(CX_MODEL).at(-1)).toMatchObject({ periodYear: 2026, periodMonth: 4, periodQuarter: 2 });
  });

  it('counts the period in Vietnam time', async () => {
    h = await demo();
    h.clock.set('2026-03-31T23:30:00+07:00');
    await update(OFFICER, `/capnhat ${CX_MODEL}`, ['Tổng kết quý I.', '80', 'đồng ý', 'bỏ qua']);
    expect(updatesOf(CX_MODEL).at(-1)).toMatchObject({ text: 'Tổng kết quý I.', periodMonth: 3, periodQuarter: 1 });

    // 17:30 UTC on 31 March is already 00:30 on 1 April in Vietnam: April, second quarter,
    // and March's update is not offered for editing.
    h.clock.set('2026-03-31T17:30:00Z');
    expect(await h.text(OFFICER, `/capnhat ${CX_MODEL}`, GROUP)).toContain('Kết quả đã làm được?');
    for (const answer of ['Mở đầu quý II.', '85', 'bỏ qua']) await h.say(OFFICER, answer, GROUP);
    expect(await h.text(OFFICER, '1', GROUP)).toContain('— tháng 4/2026.');
    expect(updatesOf(CX_MODEL).at(-1)).toMatchObject({ text: 'Mở đầu quý II.', periodYear: 2026, periodMonth: 4, periodQuarter: 2 });
  });

  it('re-checks the model at save time: one no longer open for updates is refused, nothing saved', async () => {
    h = await demo();
    await h.say(DUNG, '/capnhat', GROUP);
    for (const answer of ['1', 'thêm', 'Vận động thêm 5 hộ hiến đất.', '85', 'bỏ qua']) await h.say(DUNG, answer, GROUP);
    const count = updatesOf('DVK-2026-0002').length;
    h.db.update(models).set({ state: 'not_recognised' }).where(eq(models.code, 'DVK-2026-0002')).run();
    const reply = await h.text(DUNG, '1', GROUP);
    expect(reply).toContain(
      '⚠️ Mô hình DVK-2026-0002 đã có kết luận không công nhận nên không nhận cập nhật tiến độ nữa. Chưa có gì được lưu; bạn chọn mô hình khác.',
    );
    expect(updatesOf('DVK-2026-0002')).toHaveLength(count);
    expect(
      h.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entity, 'progress_update')))
        .all(),
    ).toEqual([]);
  });
});
