import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { registerModel } from '../../db/models.js';
import { modelStateHistory, models, roles } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { decideText } from '../helpers/decide.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { auditsOf, modelOf, newModel, personIdOf, unitOf } from '../helpers/rows.js';

/**
 * /suamohinh (issue 22, item 1): a returned model fixed and sent again, through /dangky's questions
 * with the current answers offered and kept with "giữ nguyên".
 */

const NOW = '2026-11-21T09:00:00+07:00';
const GROUP = { group: DEMO_GROUP };
const LAN = 'Bùi Thị Lan'; // officer of Xã Đức Thọ, whose model the demo returned on 12/2
const PRIVATE = { private: true };
const { admin: HOA, leader: BINH, officer: CHAU } = DEMO_PEOPLE;

let h: Harness;
const demo = demoPerTest({ now: NOW });

function fresh(id: number) {
  return h.db.select().from(models).where(eq(models.id, id)).get()!;
}

function historyOf(id: number) {
  return h.db.select().from(modelStateHistory).where(eq(modelStateHistory.modelId, id)).orderBy(asc(modelStateHistory.id)).all();
}

/** Answers to the ten questions: every one kept but the expected result. */
const KEEP_BUT_EXPECTED = [
  'giữ nguyên',
  'giữ nguyên',
  'giữ nguyên',
  'giữ nguyên',
  'giữ nguyên',
  'Mỗi thôn có 500 m đường hoa.',
  'giữ nguyên',
  'giữ nguyên',
  'giữ nguyên',
];

describe('/suamohinh', () => {
  it('the officer fixes a returned model: one answer changed, the others kept, pending again, history kept, leaders told, /duyet lists it', async () => {
    h = await demo();
    const model = modelOf(h.db, 'DUCTHO');
    expect(model.state).toBe('returned');
    const first = await h.text(LAN, `/suamohinh ${model.code}`, PRIVATE);
    expect(first).toContain('(1/9) Đăng ký loại nào?');
    expect(first).toContain('Hiện tại: Mô hình “Dân vận khéo”\nBạn gõ câu trả lời mới, hoặc “giữ nguyên” để giữ như hiện tại.');
    const asked: string[] = [];
    for (const answer of KEEP_BUT_EXPECTED) asked.push(await h.text(LAN, answer, PRIVATE));
    expect(asked[0]).toContain('Hiện tại: Tập thể\n');
    expect(asked[2]).toContain(`Tên mô hình là gì?\nHiện tại: ${model.name}\n`);
    expect(asked[4]).toContain(`Hiện tại: ${model.expectedResult}\n`);
    const summary = asked.at(-1)!;
    expect(summary).toContain('Mời bạn kiểm tra lại trước khi lưu:');
    expect(summary).toContain('Kết quả dự kiến: Mỗi thôn có 500 m đường hoa.');
    expect(summary).toContain(`Tên mô hình: ${model.name}`);

    const saved = await h.say(LAN, 'Lưu', PRIVATE);
    expect(saved[0]!.text).toBe(`✅ Đã sửa và gửi lại ${model.code} để lãnh đạo xem xét.`);
    // The leaders' group hears of it (the leaders were seen in the province group).
    const notice = saved.find((r) => r.chat.id === DEMO_GROUP);
    // The admin who returned it is named there: she is the one waiting for it.
    expect(notice?.text).toBe(
      `@${HOA}: ${LAN} đã sửa và gửi lại ${model.code} “${model.name}” của Xã Đức Thọ (trước đó bị trả lại). Mô hình đang chờ duyệt: gõ /duyet để xem.`,
    );

    const after = fresh(model.id);
    expect(after).toMatchObject({
      state: 'pending',
      expectedResult: 'Mỗi thôn có 500 m đường hoa.',
      name: model.name,
      content: model.content,
      kind: model.kind,
      holderType: model.holderType,
      fieldId: model.fieldId,
      startDate: model.startDate,
      endDate: model.endDate,
      personInCharge: model.personInCharge,
      code: model.code,
    });
    const history = historyOf(model.id);
    expect(history.map((r) => [r.fromState, r.toState])).toEqual([
      [null, 'pending'],
      ['pending', 'returned'],
      ['returned', 'pending'],
    ]);
    expect(history.at(-1)).toMatchObject({ reason: 'Đơn vị sửa và gửi lại', actorPersonId: personIdOf(h.db, LAN) });
    const audit = auditsOf(h.db, 'model.edit');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.entityId).toBe(String(model.id));
    expect((audit[0]!.before as { expectedResult: string }).expectedResult).toBe(model.expectedResult);

    expect(await h.text(BINH, '/duyet', GROUP)).toContain(`${model.code} “${model.name}” — Xã Đức Thọ, gửi 21/11`);
  });

  it('a pending model is corrected and stays pending, with an audit row and no new history row', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    expect(model.state).toBe('pending');
    await h.say('Ngô Văn Long', `/suamohinh ${model.code}`, GROUP);
    for (const answer of [
      'giữ nguyên',
      'giữ nguyên',
      'giữ nguyên',
      'Đối thoại hằng tháng với đoàn viên, thanh niên',
      'giữ nguyên',
      'bỏ qua',
      'giữ nguyên',
      'giữ nguyên',
    ]) {
      await h.say('Ngô Văn Long', answer, GROUP);
    }
    const last = await h.text('Ngô Văn Long', 'giữ nguyên', GROUP);
    expect(last).toContain('Kết quả dự kiến: (không có)');
    expect(await h.text('Ngô Văn Long', '1', GROUP)).toContain(`✅ Đã sửa và gửi lại ${model.code} để lãnh đạo xem xét.`);
    expect(fresh(model.id)).toMatchObject({ state: 'pending', name: 'Đối thoại hằng tháng với đoàn viên, thanh niên', expectedResult: null });
    expect(historyOf(model.id)).toHaveLength(1);
    expect(auditsOf(h.db, 'model.edit')).toHaveLength(1);
  });

  it('a holder changed to an individual asks who, with nothing to keep; /quaylai shows the earlier answer', async () => {
    h = await demo();
    const model = modelOf(h.db, 'DUCTHO'); // collective
    await h.say(LAN, `/suamohinh ${model.code}`, GROUP);
    await h.say(LAN, 'giữ nguyên', GROUP);
    const who = await h.text(LAN, 'cá nhân', GROUP);
    expect(who).toContain('Cá nhân đó là ai? (họ tên, chức vụ)');
    expect(who).not.toContain('Hiện tại:');
    expect(await h.text(LAN, 'giữ nguyên', GROUP)).toContain('⚠️ Mục này chưa có thông tin để giữ nguyên; bạn gõ câu trả lời nhé.');
    expect(await h.text(LAN, 'Phạm Văn Sơn, Phó Chủ tịch UBND xã', GROUP)).toContain('Mô hình thuộc lĩnh vực nào?');
    expect(await h.text(LAN, '/quaylai', GROUP)).toContain('Đã quay lại câu trước (bạn đã trả lời: Phạm Văn Sơn, Phó Chủ tịch UBND xã).');
    expect(fresh(model.id).holderType).toBe('collective');
  });

  it('asked again after /quaylai, a question shows the model’s value once and offers “giữ nguyên” once', async () => {
    h = await demo();
    const model = modelOf(h.db, 'DUCTHO');
    await h.say(LAN, `/suamohinh ${model.code}`, GROUP);
    await h.say(LAN, 'giữ nguyên', GROUP);
    await h.say(LAN, 'giữ nguyên', GROUP);
    const again = await h.text(LAN, '/quaylai', GROUP);
    expect(again).toContain('Mô hình của tập thể hay cá nhân?');
    expect(again).toContain('Trước khi sửa, mô hình ghi: Tập thể');
    expect(again.match(/giữ nguyên/g)).toHaveLength(1);
    expect(again).not.toContain('Hiện tại:');
    // "giữ nguyên" keeps it and the flow goes on.
    expect(await h.text(LAN, 'giữ nguyên', GROUP)).toContain('Mô hình thuộc lĩnh vực nào?');
  });

  it('an end date already past is asked about once, as in /dangky, and saved as confirmed', async () => {
    h = await demo();
    const model = modelOf(h.db, 'DUCTHO');
    await h.say(LAN, `/suamohinh ${model.code}`, GROUP);
    for (const answer of ['giữ nguyên', 'giữ nguyên', 'giữ nguyên', 'giữ nguyên', 'giữ nguyên', 'giữ nguyên', 'giữ nguyên']) await h.say(LAN, answer, GROUP);
    const asked = await h.text(LAN, '1/11/2026', GROUP);
    expect(asked).toContain('Ngày kết thúc 01/11/2026 đã qua. Bạn gõ “đồng ý” nếu đúng như vậy, hoặc gõ lại ngày kết thúc.');
    expect(await h.text(LAN, 'đồng ý', GROUP)).toContain('Ai phụ trách mô hình?');
    const summary = await h.text(LAN, 'giữ nguyên', GROUP);
    expect(summary).toContain('Ngày kết thúc: 01/11/2026');
    expect(summary).toContain('Ngày kết thúc đã qua: đã xác nhận');
    await h.say(LAN, 'Lưu', GROUP);
    expect(fresh(model.id)).toMatchObject({ state: 'pending', endDate: '2026-11-01' });
  });

  it('refuses an officer of another unit and a leader of another subtree, the same way as a code that does not exist', async () => {
    h = await demo();
    const model = modelOf(h.db, 'DUCTHO');
    const outside = `Không có mô hình ${model.code} hoặc mô hình không thuộc đơn vị bạn phụ trách. Bạn kiểm tra lại mã (gõ /mohinh để xem mô hình của đơn vị).`;
    expect(await h.text(CHAU, `/suamohinh ${model.code}`, GROUP)).toBe(outside);
    // A leader of the Mặt trận's subtree only.
    await h.say('Lê Văn Thành', '/huongdan', GROUP);
    h.db
      .insert(roles)
      .values({ personId: personIdOf(h.db, 'Lê Văn Thành'), role: 'leader', unitId: unitOf(h.db, 'MTTQ').id, createdAt: 0 })
      .run();
    expect(await h.text('Lê Văn Thành', `/suamohinh ${model.code}`, GROUP)).toBe(outside);
    expect(await h.text(CHAU, '/suamohinh DVK-2026-0999', GROUP)).toBe(outside.replace(model.code, 'DVK-2026-0999'));
    // The province's leader may: he may register for every unit of the province.
    expect(await h.text(BINH, `/suamohinh ${model.code}`, GROUP)).toContain('(1/9) Đăng ký loại nào?');
    expect(fresh(model.id).state).toBe('returned');
  });

  it('refuses a model already decided on, naming its state, and a command without a code', async () => {
    h = await demo();
    const recognised = modelOf(h.db, 'CAMXUYEN');
    expect(await h.text(CHAU, `/suamohinh ${recognised.code}`, GROUP)).toBe(
      `Chỉ sửa được mô hình “bị trả lại” hoặc “chờ duyệt”. ${recognised.code} đang ở trạng thái “được công nhận”.`,
    );
    expect(await h.text(CHAU, '/suamohinh', GROUP)).toBe('Bạn gõ /suamohinh <mã mô hình>, ví dụ /suamohinh DVK-2026-0006.');
    expect(await h.text(CHAU, '/suamohinh chợ phiên', GROUP)).toBe('Bạn gõ /suamohinh <mã mô hình>, ví dụ /suamohinh DVK-2026-0006.');
    expect(auditsOf(h.db, 'model.edit')).toHaveLength(0);
  });

  it('refuses the name of another model of the unit and year, and takes the model’s own name typed again', async () => {
    h = await demo();
    const model = modelOf(h.db, 'DUCTHO');
    const other = h.db.transaction((tx) =>
      registerModel(tx, newModel(h.db, model.unitId, 'Tổ hòa giải ở cơ sở'), { personId: null, label: 'test' }, h.clock.now()),
    );
    await h.say(LAN, `/suamohinh ${model.code}`, GROUP);
    for (const answer of ['giữ nguyên', 'giữ nguyên', 'giữ nguyên']) await h.say(LAN, answer, GROUP);
    const refused = await h.text(LAN, 'to hoa giai o co so', GROUP);
    expect(refused).toContain(`⚠️ Đơn vị đã đăng ký một mô hình cùng tên trong năm 2026 (mã ${other.code})`);
    expect(refused).toContain('Tên mô hình là gì?');
    expect(await h.text(LAN, model.name.toUpperCase(), GROUP)).toContain('Mục tiêu và nội dung chính của mô hình?');
    expect(fresh(model.id).state).toBe('returned');
  });

  it('a model approved while the unit edits it: the save refuses, naming its state, and changes nothing', async () => {
    h = await demo();
    const model = modelOf(h.db, 'DUCTHO'); // 15/02 to 31/12
    await h.say(LAN, `/suamohinh ${model.code}`, GROUP);
    for (const answer of ['giữ nguyên', 'giữ nguyên', 'giữ nguyên', 'giữ nguyên', 'giữ nguyên', 'giữ nguyên']) await h.say(LAN, answer, GROUP);
    expect(await h.text(LAN, '1/6/2026', GROUP)).toContain('Hiện tại: 31/12/2026\n');
    await h.say(LAN, '/quaylai', GROUP);
    // A later decision by a leader: the save finds the model no longer editable and changes nothing.
    expect(await decideText(h, HOA, `/duyet ${model.code}`, GROUP)).toContain(model.code);
    await h.say(LAN, '1/3/2026', GROUP);
    await h.say(LAN, 'giữ nguyên', GROUP);
    const summary = await h.text(LAN, 'giữ nguyên', GROUP);
    expect(summary).toContain('Ngày bắt đầu: 01/03/2026');
    expect(await h.text(LAN, 'Lưu', GROUP)).toContain(`Chỉ sửa được mô hình “bị trả lại” hoặc “chờ duyệt”. ${model.code} đang ở trạng thái “đang thực hiện”.`);
    expect(fresh(model.id)).toMatchObject({ state: 'in_progress', startDate: model.startDate });
    expect(auditsOf(h.db, 'model.edit')).toHaveLength(0);
  });
});
