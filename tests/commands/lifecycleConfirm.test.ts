import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type ModelRow, registerModel } from '../../db/models.js';
import { auditLog, models, modelStateHistory, roles } from '../../db/schema.js';
import { DEMO_COMMUNE_GROUP, DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { asksToConfirm, decide } from '../helpers/decide.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { modelOf, newModel, personIdOf, unitOf } from '../helpers/rows.js';

/**
 * Decisions by list number, and the "đồng ý" every decision waits for (issue 22, item 4): what the
 * leader agrees to is exactly what is changed, whatever moved in between, and nothing else does.
 */

const NOW = '2026-11-21T09:00:00+07:00';
const GROUP = { group: DEMO_GROUP };
const CX_GROUP = { group: DEMO_COMMUNE_GROUP };
const { admin: HOA, leader: BINH } = DEMO_PEOPLE;
const DUNG = 'Phạm Thị Dung'; // officer of Xã Cẩm Bình, seen only in the province group
const HOUR = 60 * 60_000;

let h: Harness;
const demo = demoPerTest({ now: NOW });

function fresh(model: ModelRow): ModelRow {
  return h.db.select().from(models).where(eq(models.id, model.id)).get()!;
}

/** Everything a decision could have changed. */
function snapshot() {
  return {
    models: h.db.select().from(models).orderBy(asc(models.id)).all(),
    history: h.db.select().from(modelStateHistory).all().length,
    audit: h.db.select().from(auditLog).where(eq(auditLog.entity, 'model')).all().length,
  };
}

/** A pending registration of a unit, sent at the harness's current time. */
function registerPending(shortCode: string, name: string): ModelRow {
  const input = newModel(h.db, unitOf(h.db, shortCode).id, name, { startDate: '2026-12-01' });
  return h.db.transaction((tx) => registerModel(tx, input, { personId: null, label: 'test' }, h.clock.now()));
}

/** Three models waiting, sent a day apart after the demo's own (Tỉnh đoàn, 18/11). */
function threeWaiting(): [ModelRow, ModelRow, ModelRow, ModelRow] {
  const demoPending = modelOf(h.db, 'TINHDOAN');
  h.clock.set('2026-11-19T10:00:00+07:00');
  const a = registerPending('CAMBINH', 'Chợ phiên 0 đồng');
  h.clock.set('2026-11-20T10:00:00+07:00');
  const b = registerPending('DUCTHO', 'Tổ hòa giải ở cơ sở');
  h.clock.set(NOW);
  const c = registerPending('CAMDUE', 'Đường hoa nông thôn mới');
  return [demoPending, a, b, c];
}

describe('the numbered list', () => {
  it('/duyet numbers what waits, oldest first, with the unit and the day it was sent', async () => {
    h = await demo();
    const [first, a, b, c] = threeWaiting();
    expect(await h.text(BINH, '/duyet', GROUP)).toBe(
      [
        'Mô hình chờ duyệt trong phạm vi bạn phụ trách (4):',
        `1. ${first.code} “${first.name}” — Tỉnh đoàn Hà Tĩnh, gửi 18/11`,
        `2. ${a.code} “Chợ phiên 0 đồng” — Xã Cẩm Bình, gửi 19/11`,
        `3. ${b.code} “Tổ hòa giải ở cơ sở” — Xã Đức Thọ, gửi 20/11`,
        `4. ${c.code} “Đường hoa nông thôn mới” — Xã Cẩm Duệ, gửi 21/11`,
        'Gõ /duyet <số> để duyệt (ví dụ /duyet 1), hoặc /tralai <số> <lý do> để trả lại; gõ mã mô hình thay cho số cũng được.',
      ].join('\n'),
    );
    // /tralai lists the same models in the same order: its numbers mean the same.
    expect((await h.text(BINH, '/tralai', GROUP)).split('\n').slice(1, 5)).toEqual((await h.text(BINH, '/duyet', GROUP)).split('\n').slice(1, 5));
  });

  it('/duyet 2 asks about the second model, names it, and “đồng ý” approves that one alone', async () => {
    h = await demo();
    const [first, a, b] = threeWaiting();
    const asked = await h.say(BINH, '/duyet 2', GROUP);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.text).toBe(
      [
        'Mời bạn kiểm tra lại trước khi xác nhận:',
        `• Mô hình: ${a.code} “Chợ phiên 0 đồng” của Xã Cẩm Bình`,
        '• Duyệt: mô hình chuyển sang “đang thực hiện”.',
        '',
        'Nếu nhầm, bạn gõ /hoantac trong 10 phút để hoàn tác. Gõ “đồng ý” để làm; trả lời khác sẽ hủy.',
      ].join('\n'),
    );
    // A button where the platform has buttons.
    expect(asked[0]!.reply.choices?.map((c) => c.label)).toEqual(['Đồng ý', 'Hủy']);
    expect(fresh(a).state).toBe('pending'); // nothing yet

    await h.say(BINH, 'đồng ý', GROUP);
    expect([fresh(first).state, fresh(a).state, fresh(b).state]).toEqual(['pending', 'in_progress', 'pending']);
  });

  it('the model agreed to is the one named, even when the list moved before “đồng ý”', async () => {
    h = await demo();
    const [first, a, b] = threeWaiting();
    await h.say(BINH, '/duyet 2', GROUP); // a, the second now
    // Meanwhile the admin approves the first: b becomes the second of the list.
    await decide(h, HOA, `/duyet ${first.code}`, CX_GROUP);
    expect(await h.text(BINH, 'đồng ý', GROUP)).toContain(`✅ Đã duyệt ${a.code} “Chợ phiên 0 đồng” của Xã Cẩm Bình.`);
    expect(fresh(a).state).toBe('in_progress');
    expect(fresh(b).state).toBe('pending');
  });

  it('a number typed after the list moved picks from the list as it is now, and the confirmation shows which', async () => {
    h = await demo();
    const [first, a, b] = threeWaiting();
    await decide(h, HOA, `/duyet ${first.code}`, CX_GROUP);
    const asked = await h.text(BINH, '/duyet 2', GROUP);
    expect(asked).toContain(`• Mô hình: ${b.code} “Tổ hòa giải ở cơ sở” của Xã Đức Thọ`);
    expect(asked).not.toContain(a.code);
  });

  it('a number with a reason returns, and /congnhan 1 không records “not recognised” without ✅', async () => {
    h = await demo();
    const [, a] = threeWaiting();
    expect(await h.text(BINH, '/tralai 2 Cần ghi rõ số hộ tham gia', GROUP)).toContain(`• Mô hình: ${a.code} “Chợ phiên 0 đồng” của Xã Cẩm Bình`);
    // Xã Cẩm Bình's officer is in this group: called here, and the hint names who may undo.
    expect(await h.text(BINH, 'đồng ý', GROUP)).toBe(
      `@${DUNG}: ↩️ ${a.code} “Chợ phiên 0 đồng” của Xã Cẩm Bình được trả lại để bổ sung. Lý do: Cần ghi rõ số hộ tham gia. Đơn vị gõ /suamohinh ${a.code} để sửa và gửi lại.\n` +
        `Nếu nhầm, ${BINH} gõ /hoantac trong 10 phút để hoàn tác.`,
    );
    expect(fresh(a)).toMatchObject({ state: 'returned' });

    const proposed = modelOf(h.db, 'SYT');
    const asked = await h.text(BINH, '/congnhan 1 không Chưa có số liệu đối chứng', GROUP);
    expect(asked).toContain(`• Mô hình: ${proposed.code}`);
    expect(asked).toContain('• Kết luận không công nhận: mô hình chuyển sang “không công nhận”.\n• Lý do: Chưa có số liệu đối chứng');
    const done = await h.text(BINH, 'đồng ý', GROUP);
    expect(done).toContain(`${proposed.code} “${proposed.name}” của Sở Y tế không được công nhận. Lý do: Chưa có số liệu đối chứng.`);
    expect(done).not.toContain('✅');
    expect(fresh(proposed).state).toBe('not_recognised');
  });

  it('a number outside the list, or with nothing waiting, is refused kindly and changes nothing', async () => {
    h = await demo();
    const before = snapshot();
    expect(await h.text(BINH, '/duyet 5', GROUP)).toBe('Danh sách chỉ có 1 mô hình, không có số 5. Gõ /duyet để xem danh sách. Chưa có gì thay đổi.');
    expect(await h.text(BINH, '/duyet 0', GROUP)).toBe('Số thứ tự bắt đầu từ 1. Gõ /duyet để xem danh sách.');
    expect(await h.text(BINH, '/nhanrong 3', GROUP)).toBe('Danh sách chỉ có 1 mô hình, không có số 3. Gõ /nhanrong để xem danh sách. Chưa có gì thay đổi.');
    await decide(h, BINH, '/duyet 1', GROUP);
    const approved = snapshot();
    expect(await h.text(BINH, '/duyet 1', GROUP)).toBe('Hiện không có mô hình chờ duyệt nào để chọn số 1. Chưa có gì thay đổi.');
    expect(snapshot()).toEqual(approved);
    expect(approved.history).toBe(before.history + 1);
  });
});

describe('the confirmation', () => {
  for (const answer of ['không', 'thôi', 'dong y di', '/huy']) {
    it(`“${answer}” instead of “đồng ý” cancels kindly and changes nothing`, async () => {
      h = await demo();
      const model = modelOf(h.db, 'TINHDOAN');
      const before = snapshot();
      expect(asksToConfirm(await h.say(BINH, `/duyet ${model.code}`, GROUP), BINH)).toBe(true);
      expect(await h.text(BINH, answer, GROUP)).toBe('Đã hủy quyết định. Chưa có gì được lưu. Gõ /duyet nếu muốn làm lại.');
      expect(snapshot()).toEqual(before);
      // Nothing is left waiting: the next "đồng ý" is chatter.
      expect(await h.text(BINH, 'đồng ý', GROUP)).toBe('');
      expect(fresh(model).state).toBe('pending');
    });
  }

  it('the “Đồng ý” button decides like the typed word', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    const [asked] = await h.say(BINH, `/duyet ${model.code}`, GROUP);
    const save = asked!.reply.choices!.find((c) => c.label === 'Đồng ý')!;
    await h.say(BINH, '', { ...GROUP, choice: { value: save.value, promptMessageId: asked!.messageId } });
    expect(fresh(model).state).toBe('in_progress');
  });

  it('checks the role again at “đồng ý”: a leader whose role was taken meanwhile changes nothing', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    await h.say(BINH, `/duyet ${model.code}`, GROUP);
    h.db
      .delete(roles)
      .where(eq(roles.personId, personIdOf(h.db, BINH)))
      .run();
    const before = snapshot();
    expect(await h.text(BINH, 'đồng ý', GROUP)).toBe('Không còn tìm thấy mô hình này trong phạm vi của bạn. Chưa có gì thay đổi.');
    expect(snapshot()).toEqual(before);
  });

  it('checks the separation of duties again at “đồng ý”: made the unit’s officer meanwhile, the leader decides nothing', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    await h.say(BINH, `/duyet ${model.code}`, GROUP);
    h.db
      .insert(roles)
      .values({ personId: personIdOf(h.db, BINH), role: 'officer', unitId: model.unitId, createdAt: 0 })
      .run();
    const before = snapshot();
    expect(await h.text(BINH, 'đồng ý', GROUP)).toBe(
      'Bạn là cán bộ đầu mối của Tỉnh đoàn Hà Tĩnh nên không duyệt mô hình của đơn vị mình. Người có thể duyệt: Nguyễn Thị Hoa (quản trị). Chưa có gì thay đổi.',
    );
    expect(snapshot()).toEqual(before);
  });

  it('checks the model again at “đồng ý”: decided by someone else meanwhile, it is not decided twice', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    await h.say(BINH, `/tralai ${model.code} Cần ghi rõ kết quả dự kiến`, GROUP);
    await decide(h, HOA, `/duyet ${model.code}`, CX_GROUP);
    const before = snapshot();
    expect(await h.text(BINH, 'đồng ý', GROUP)).toBe(
      `Mô hình ${model.code} đang ở trạng thái “đang thực hiện”, không thể trả lại. Chỉ trả lại được mô hình ở trạng thái “chờ duyệt”. Chưa có gì thay đổi.`,
    );
    expect(snapshot()).toEqual(before);
  });

  it('a repeated proposal says the model already waits for the leaders', async () => {
    h = await demo();
    const model = modelOf(h.db, 'CAMBINH');
    await decide(h, DUNG, `/denghi ${model.code}`, GROUP);
    expect(fresh(model).state).toBe('proposed');
    expect(await h.text(DUNG, `/denghi ${model.code}`, GROUP)).toBe(`${model.code} đã được đề nghị công nhận, đang chờ lãnh đạo xem xét.`);
  });

  it('nobody is called (@) about their own decision: an admin who is also the unit’s officer, where allowed', async () => {
    h = await demo({ policy: { adminMayDecideOwn: true } });
    const model = modelOf(h.db, 'TINHDOAN');
    h.db
      .insert(roles)
      .values({ personId: personIdOf(h.db, HOA), role: 'officer', unitId: unitOf(h.db, 'TINHDOAN').id, createdAt: 0 })
      .run();
    // Hoa is seen in both groups; Tỉnh đoàn's other officer, Ngô Văn Long, in the province group.
    const sent = await decide(h, HOA, `/duyet ${model.code}`, GROUP);
    expect(sent.map((s) => s.chat.id)).toEqual([DEMO_GROUP, DEMO_COMMUNE_GROUP]);
    expect(sent[0]!.reply.text).toContainEqual({ mention: expect.objectContaining({ platformUserId: 'Ngô Văn Long' }) });
    for (const s of sent) expect(s.reply.text).not.toContainEqual({ mention: expect.objectContaining({ platformUserId: HOA }) });
    expect(sent[1]!.text).toBe(`${HOA} đã duyệt mô hình ${model.code} “${model.name}” của Tỉnh đoàn Hà Tĩnh; mô hình chuyển sang “đang thực hiện”.`);
  });

  it('a model sent in an earlier year shows the year; someone else’s “đồng ý” does not answer the confirmation', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    h.clock.advance(24 * HOUR * 60); // 20/01/2027
    expect(await h.text(BINH, '/duyet', GROUP)).toContain(`1. ${model.code} “${model.name}” — Tỉnh đoàn Hà Tĩnh, gửi 18/11/2026`);
    await h.say(BINH, '/duyet 1', GROUP);
    expect(await h.text('Nguyễn Văn An', 'đồng ý', GROUP)).toBe('');
    expect(await h.text(HOA, 'đồng ý', GROUP)).toBe('');
    expect(fresh(model).state).toBe('pending');
    await h.say(BINH, 'đồng ý', GROUP);
    expect(fresh(model).state).toBe('in_progress');
  });
});
