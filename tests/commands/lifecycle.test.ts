import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type ModelRow, registerModel } from '../../db/models.js';
import { auditLog, identities, models, modelStateHistory, roles } from '../../db/schema.js';
import { DEMO_COMMUNE_GROUP, DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { decide, decideText } from '../helpers/decide.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { modelOf, newModel, unitOf } from '../helpers/rows.js';

const NOW = '2026-11-21T09:00:00+07:00';
const GROUP = { group: DEMO_GROUP };
const CX_GROUP = { group: DEMO_COMMUNE_GROUP }; // Xã Cẩm Xuyên's group: Lê Minh Châu and Nguyễn Thị Hoa
const { admin: HOA, leader: BINH, officer: CHAU } = DEMO_PEOPLE;
const DUNG = 'Phạm Thị Dung'; // officer of Xã Cẩm Bình, seen only in the province group
/** The last line of a decision's answer: who can undo it, and how long. */
const UNDO_SELF = 'Nếu nhầm, bạn gõ /hoantac trong 10 phút để hoàn tác.';
const UNDO_BY = (name: string) => `Nếu nhầm, ${name} gõ /hoantac trong 10 phút để hoàn tác.`;

let h: Harness;
const demo = demoPerTest({ now: NOW });

function fresh(model: ModelRow): ModelRow {
  return h.db.select().from(models).where(eq(models.id, model.id)).get()!;
}

function historyOf(model: ModelRow) {
  return h.db.select().from(modelStateHistory).where(eq(modelStateHistory.modelId, model.id)).orderBy(asc(modelStateHistory.id)).all();
}

function auditOf(model: ModelRow, action?: string) {
  return h.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'model'), eq(auditLog.entityId, String(model.id)), action ? eq(auditLog.action, action) : undefined))
    .all();
}

/** Everything a decision could have changed, to compare before and after a refusal. */
function snapshot() {
  return {
    models: h.db.select().from(models).orderBy(asc(models.id)).all(),
    history: h.db.select().from(modelStateHistory).all().length,
    audit: h.db.select().from(auditLog).where(eq(auditLog.entity, 'model')).all().length,
  };
}

/** A fresh pending registration, as /dangky would save it. */
function registerPending(shortCode: string, name: string): ModelRow {
  const input = newModel(h.db, unitOf(h.db, shortCode).id, name, { startDate: '2026-12-01' });
  return h.db.transaction((tx) => registerModel(tx, input, { personId: null, label: 'test' }, h.clock.now()));
}

/** A person who first says hello, then is given a role on a unit. */
async function grant(name: string, role: 'leader' | 'officer', shortCode: string) {
  await h.say(name, '/huongdan', GROUP);
  const person = h.db.select().from(identities).where(eq(identities.platformUserId, name)).get()!;
  h.db
    .insert(roles)
    .values({ personId: person.personId, role, unitId: unitOf(h.db, shortCode).id, createdAt: 0 })
    .run();
}

describe('/duyet', () => {
  it('without a code lists the models waiting for review in the leader’s scope', async () => {
    h = await demo();
    const pending = h.db.select().from(models).where(eq(models.state, 'pending')).all();
    expect(pending).toHaveLength(1);
    const reply = await h.text(BINH, '/duyet', GROUP);
    expect(reply).toBe(
      [
        'Mô hình chờ duyệt trong phạm vi bạn phụ trách (1):',
        `1. ${pending[0]!.code} “${pending[0]!.name}” — Tỉnh đoàn Hà Tĩnh, gửi 18/11`,
        'Gõ /duyet <số> để duyệt (ví dụ /duyet 1), hoặc /tralai <số> <lý do> để trả lại; gõ mã mô hình thay cho số cũng được.',
      ].join('\n'),
    );
  });

  it('approves a model typed in lower case: state, history, audit, and its officer mentioned here', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    expect(model.state).toBe('pending');
    const sent = await decide(h, BINH, `/duyet ${model.code.toLowerCase()}`, GROUP);
    expect(sent).toHaveLength(1); // Ngô Văn Long is in this group: no notice elsewhere
    expect(sent[0]!.text).toBe(`@Ngô Văn Long: ✅ Đã duyệt ${model.code} “${model.name}” của Tỉnh đoàn Hà Tĩnh.\n${UNDO_BY(BINH)}`);
    expect(sent[0]!.reply.text).toContainEqual({ mention: expect.objectContaining({ platformUserId: 'Ngô Văn Long' }) });

    const after = fresh(model);
    expect(after.state).toBe('in_progress');
    const binh = h.db.select().from(identities).where(eq(identities.platformUserId, BINH)).get()!;
    expect(historyOf(model).at(-1)).toMatchObject({ fromState: 'pending', toState: 'in_progress', reason: null, actorPersonId: binh.personId });
    const audit = auditOf(model, 'model.approve');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorPersonId: binh.personId,
      before: expect.objectContaining({ state: 'pending' }),
      after: expect.objectContaining({ state: 'in_progress' }),
    });
  });

  it('tells the unit’s officers in their own group when the decision is made elsewhere', async () => {
    h = await demo();
    const model = registerPending('CAMBINH', 'Mô hình thử của xã Cẩm Bình');
    // Decided in Xã Cẩm Xuyên's group, where nobody of Xã Cẩm Bình is.
    const sent = await decide(h, BINH, `/duyet ${model.code}`, CX_GROUP);
    expect(sent.map((s) => [s.chat.id, s.text])).toEqual([
      [DEMO_COMMUNE_GROUP, `✅ Đã duyệt ${model.code} “Mô hình thử của xã Cẩm Bình” của Xã Cẩm Bình.\n${UNDO_SELF}`],
      [DEMO_GROUP, `@${DUNG}: ${BINH} đã duyệt mô hình ${model.code} “Mô hình thử của xã Cẩm Bình” của Xã Cẩm Bình; mô hình chuyển sang “đang thực hiện”.`],
    ]);
    expect(fresh(model).state).toBe('in_progress');
  });

  it('refuses a model that is not waiting for review, and changes nothing', async () => {
    h = await demo();
    const model = modelOf(h.db, 'CAMBINH');
    const before = snapshot();
    expect(await h.text(BINH, `/duyet ${model.code}`, GROUP)).toBe(
      `Mô hình ${model.code} đang ở trạng thái “đang thực hiện”, không thể duyệt. Chỉ duyệt được mô hình ở trạng thái “chờ duyệt” hoặc “bị trả lại”.`,
    );
    expect(snapshot()).toEqual(before);
  });

  it('does not approve when the words after the code are not understood', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    const before = snapshot();
    expect(await h.text(BINH, `/duyet ${model.code} khong dong y`, GROUP)).toContain('muốn trả lại, gõ /duyet <số hoặc mã> trả lại <lý do>');
    expect(snapshot()).toEqual(before);
  });

  it('refuses an unknown code and what is not a code', async () => {
    h = await demo();
    const before = snapshot();
    expect(await h.text(BINH, '/duyet DVK-2026-0999', GROUP)).toBe(
      'Không có mô hình DVK-2026-0999 hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã; gõ /duyet để xem các mô hình đang chờ.',
    );
    expect(await h.text(BINH, '/duyet mohinh-so-1', GROUP)).toBe(
      '“mohinh-so-1” không phải số thứ tự trong danh sách hay mã mô hình (mã có dạng DVK-2026-0001). Cách dùng: /duyet <số hoặc mã> [trả lại <lý do>]. Gõ /duyet để xem danh sách.',
    );
    expect(snapshot()).toEqual(before);
  });
});

describe('returning a registration', () => {
  it('/tralai returns it with the reason, told to the unit', async () => {
    h = await demo();
    const model = registerPending('CAMBINH', 'Mô hình thử của xã Cẩm Bình');
    const reason = 'Cần ghi rõ kết quả dự kiến và số hộ tham gia.';
    const sent = await decide(h, HOA, `/tralai ${model.code} ${reason}`, CX_GROUP);
    const resubmit = `Đơn vị gõ /suamohinh ${model.code} để sửa và gửi lại.`;
    expect(sent.map((s) => [s.chat.id, s.text])).toEqual([
      [DEMO_COMMUNE_GROUP, `↩️ ${model.code} “Mô hình thử của xã Cẩm Bình” của Xã Cẩm Bình được trả lại để bổ sung. Lý do: ${reason} ${resubmit}\n${UNDO_SELF}`],
      [DEMO_GROUP, `@${DUNG}: ${HOA} đã trả lại mô hình ${model.code} “Mô hình thử của xã Cẩm Bình” của Xã Cẩm Bình để bổ sung. Lý do: ${reason} ${resubmit}`],
    ]);
    expect(fresh(model).state).toBe('returned');
    expect(historyOf(model).at(-1)).toMatchObject({ fromState: 'pending', toState: 'returned', reason });
    expect(auditOf(model, 'model.return')[0]).toMatchObject({
      before: expect.objectContaining({ state: 'pending' }),
      after: expect.objectContaining({ state: 'returned' }),
    });
  });

  it('/duyet <mã> trả lại <lý do> does the same, with or without diacritics', async () => {
    h = await demo();
    const first = modelOf(h.db, 'TINHDOAN');
    const second = registerPending('CAMBINH', 'Mô hình thử của xã Cẩm Bình');
    expect(await decideText(h, BINH, `/duyet ${first.code} Trả lại: Nội dung trùng với năm trước.`, GROUP)).toContain(`↩️ ${first.code}`);
    expect(await decideText(h, BINH, `/duyet ${second.code} TRA LAI thiếu kết quả dự kiến`, GROUP)).toContain(
      `↩️ ${second.code} “Mô hình thử của xã Cẩm Bình” của Xã Cẩm Bình được trả lại để bổ sung. Lý do: thiếu kết quả dự kiến. Đơn vị gõ /suamohinh`,
    );
    expect(historyOf(first).at(-1)).toMatchObject({ toState: 'returned', reason: 'Nội dung trùng với năm trước.' });
    expect(historyOf(second).at(-1)).toMatchObject({ toState: 'returned', reason: 'thiếu kết quả dự kiến' });
  });

  it('refuses a return without a usable reason, and changes nothing', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    const before = snapshot();
    const missing = `Bạn cần ghi lý do trả lại (từ 5 đến 500 ký tự), ví dụ: /tralai ${model.code} Cần ghi rõ kết quả dự kiến. Chưa có gì thay đổi.`;
    expect(await h.text(BINH, `/tralai ${model.code}`, GROUP)).toBe(missing);
    expect(await h.text(BINH, `/duyet ${model.code} tra lai`, GROUP)).toBe(missing);
    expect(await h.text(BINH, `/tralai ${model.code} ok`, GROUP)).toBe(missing);
    const giant = await h.text(BINH, `/tralai ${model.code} ${'rất dài '.repeat(1000)}`, GROUP);
    expect(giant).toBe('Lý do dài quá: tối đa 500 ký tự (bạn đã gửi 7999). Bạn vui lòng rút gọn; chưa có gì thay đổi.');
    expect(snapshot()).toEqual(before);
  });

  it('refuses to return a model already being carried out', async () => {
    h = await demo();
    const model = modelOf(h.db, 'CAMBINH');
    const before = snapshot();
    expect(await h.text(BINH, `/tralai ${model.code} Nội dung chưa rõ ràng`, GROUP)).toBe(
      `Mô hình ${model.code} đang ở trạng thái “đang thực hiện”, không thể trả lại. Chỉ trả lại được mô hình ở trạng thái “chờ duyệt”.`,
    );
    expect(snapshot()).toEqual(before);
  });
});

describe('/denghi', () => {
  it('the unit’s officer proposes its model; the unit’s group is told', async () => {
    h = await demo();
    const model = modelOf(h.db, 'CAMBINH');
    const sent = await decide(h, DUNG, `/denghi ${model.code}`, CX_GROUP);
    // Dung typed in Xã Cẩm Xuyên's group, so she is now seen there too; she is called by her own act nowhere.
    expect(sent.map((s) => [s.chat.id, s.text])).toEqual([
      [DEMO_COMMUNE_GROUP, `✅ Đã đề nghị công nhận ${model.code} “${model.name}” của Xã Cẩm Bình; mô hình chờ lãnh đạo xem xét.\n${UNDO_SELF}`],
      [DEMO_GROUP, `${DUNG} đã đề nghị công nhận mô hình ${model.code} “${model.name}” của Xã Cẩm Bình.`],
    ]);
    expect(fresh(model).state).toBe('proposed');
    expect(historyOf(model).at(-1)).toMatchObject({ fromState: 'in_progress', toState: 'proposed' });
    expect(auditOf(model, 'model.propose')).toHaveLength(1);
  });

  it('an officer cannot propose another unit’s model, not even one of a commune under theirs', async () => {
    h = await demo();
    const model = modelOf(h.db, 'CAMBINH');
    const before = snapshot();
    // Told exactly as a code that does not exist, so nobody maps other units' models.
    expect(await h.text(CHAU, `/denghi ${model.code}`, GROUP)).toBe(
      `Không có mô hình ${model.code} hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã; gõ /denghi để xem các mô hình đang chờ.`,
    );
    expect(await h.text(CHAU, '/denghi DVK-2026-0999', GROUP)).toBe(
      'Không có mô hình DVK-2026-0999 hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã; gõ /denghi để xem các mô hình đang chờ.',
    );
    expect(snapshot()).toEqual(before);
  });
});

describe('/congnhan', () => {
  it('recognises a proposed model', async () => {
    h = await demo();
    const model = modelOf(h.db, 'SYT');
    expect(model.state).toBe('proposed');
    expect(await decideText(h, BINH, `/congnhan ${model.code}`, GROUP)).toBe(
      `@Võ Thị Hằng: ✅ Đã công nhận ${model.code} “${model.name}” của Sở Y tế.\n${UNDO_BY(BINH)}`,
    );
    expect(fresh(model).state).toBe('recognised');
    expect(historyOf(model).at(-1)).toMatchObject({ fromState: 'proposed', toState: 'recognised', reason: null });
    expect(auditOf(model, 'model.recognise')[0]).toMatchObject({ after: expect.objectContaining({ state: 'recognised' }) });
  });

  for (const word of ['Không', 'khong', 'KHÔNG'.normalize('NFD'), 'không công nhận']) {
    it(`records “not recognised” with a reason after “${word}”`, async () => {
      h = await demo();
      const model = modelOf(h.db, 'SYT');
      const reply = await decideText(h, BINH, `/congnhan ${model.code} ${word} Chưa có số liệu đối chứng.`, GROUP);
      // A negative decision carries no ✅.
      expect(reply).toBe(`@Võ Thị Hằng: ${model.code} “${model.name}” của Sở Y tế không được công nhận. Lý do: Chưa có số liệu đối chứng.\n${UNDO_BY(BINH)}`);
      expect(fresh(model).state).toBe('not_recognised');
      expect(historyOf(model).at(-1)).toMatchObject({ fromState: 'proposed', toState: 'not_recognised', reason: 'Chưa có số liệu đối chứng.' });
      expect(auditOf(model, 'model.not_recognise')).toHaveLength(1);
    });
  }

  it('refuses “not recognised” without a reason, and a model not yet approved', async () => {
    h = await demo();
    const before = snapshot();
    const proposed = modelOf(h.db, 'SYT');
    expect(await h.text(BINH, `/congnhan ${proposed.code} không`, GROUP)).toBe(
      `Bạn cần ghi lý do không công nhận (từ 5 đến 500 ký tự), ví dụ: /congnhan ${proposed.code} không Chưa có kết quả rõ nét. Chưa có gì thay đổi.`,
    );
    const pending = modelOf(h.db, 'TINHDOAN');
    expect(await h.text(BINH, `/congnhan ${pending.code}`, GROUP)).toBe(
      `Mô hình ${pending.code} đang ở trạng thái “chờ duyệt”, không thể công nhận. Chỉ công nhận được mô hình ở trạng thái “đề nghị công nhận” hoặc “đang thực hiện”.`,
    );
    expect(snapshot()).toEqual(before);
  });
});

describe('/nhanrong and /bieuduong', () => {
  it('mark a recognised model replicated and commended, once each', async () => {
    h = await demo();
    // The demo's recognised models already have their after-life events: recognise Sở Y tế's first.
    const proposed = modelOf(h.db, 'SYT');
    await decide(h, BINH, `/congnhan ${proposed.code}`, GROUP);
    const model = fresh(proposed);
    expect(model).toMatchObject({ state: 'recognised', replicatedAt: null, commendedAt: null });
    expect(await decideText(h, BINH, `/nhanrong ${model.code}`, GROUP)).toBe(
      `@Võ Thị Hằng: ✅ Đã ghi nhận nhân rộng ${model.code} “${model.name}” của Sở Y tế.\n${UNDO_BY(BINH)}`,
    );
    expect(await decideText(h, HOA, `/bieuduong ${model.code}`, GROUP)).toBe(
      `@Võ Thị Hằng: ✅ Đã ghi nhận biểu dương, khen thưởng ${model.code} “${model.name}” của Sở Y tế.\n${UNDO_BY(HOA)}`,
    );
    const after = fresh(model);
    expect(after).toMatchObject({ state: 'recognised', replicatedAt: h.clock.now().getTime(), commendedAt: h.clock.now().getTime() });
    expect(historyOf(model).slice(-2)).toEqual([
      expect.objectContaining({ fromState: 'recognised', toState: 'replicated' }),
      expect.objectContaining({ fromState: 'recognised', toState: 'commended' }),
    ]);
    expect(auditOf(model, 'model.replicate')[0]).toMatchObject({
      before: expect.objectContaining({ replicatedAt: null }),
      after: expect.objectContaining({ replicatedAt: after.replicatedAt }),
    });
    expect(auditOf(model, 'model.commend')).toHaveLength(1);

    const before = snapshot();
    expect(await h.text(BINH, `/nhanrong ${model.code}`, GROUP)).toBe(`Mô hình ${model.code} đã được ghi nhận nhân rộng từ 21/11/2026.`);
    expect(await h.text(BINH, `/bieuduong ${model.code}`, GROUP)).toBe(`Mô hình ${model.code} đã được ghi nhận biểu dương, khen thưởng từ 21/11/2026.`);
    expect(snapshot()).toEqual(before);
  });

  it('the unit’s officers in both groups hear of it', async () => {
    h = await demo();
    const model = modelOf(h.db, 'CAMXUYEN'); // Lê Minh Châu is in both demo groups
    const sent = await decide(h, BINH, `/bieuduong ${model.code}`, GROUP);
    expect(sent.map((s) => [s.chat.id, s.text])).toEqual([
      [DEMO_GROUP, `@${CHAU}: ✅ Đã ghi nhận biểu dương, khen thưởng ${model.code} “${model.name}” của Xã Cẩm Xuyên.\n${UNDO_BY(BINH)}`],
      [DEMO_COMMUNE_GROUP, `@${CHAU}: ${BINH} đã ghi nhận mô hình ${model.code} “${model.name}” của Xã Cẩm Xuyên được biểu dương, khen thưởng.`],
    ]);
  });

  it('refuse a model that is not recognised', async () => {
    h = await demo();
    const model = modelOf(h.db, 'CAMBINH');
    const before = snapshot();
    expect(await h.text(BINH, `/nhanrong ${model.code}`, GROUP)).toBe(
      `Mô hình ${model.code} đang ở trạng thái “đang thực hiện”, không thể ghi nhận nhân rộng. Chỉ ghi nhận nhân rộng được mô hình ở trạng thái “được công nhận”.`,
    );
    expect(snapshot()).toEqual(before);
  });
});

describe('who may decide', () => {
  it('officers are refused the decision commands by the dispatcher', async () => {
    h = await demo();
    const model = modelOf(h.db, 'CAMXUYEN'); // their own unit's model, even
    const before = snapshot();
    for (const command of ['duyet', 'tralai', 'congnhan', 'nhanrong', 'bieuduong']) {
      expect(await h.text(CHAU, `/${command} ${model.code} Lý do đủ dài`, GROUP)).toBe(
        `Lệnh /${command} chỉ dành cho lãnh đạo và quản trị. Nếu bạn cần dùng, hãy nhờ quản trị cấp quyền.`,
      );
    }
    expect(await h.text('Nguyễn Văn An', `/denghi ${model.code}`, GROUP)).toContain(
      'Lệnh /denghi chỉ dành cho cán bộ đầu mối của đơn vị, lãnh đạo và quản trị.',
    );
    expect(snapshot()).toEqual(before);
  });

  it('a leader of the Mặt trận decides inside it (its organisations included) only', async () => {
    h = await demo();
    await grant('Lê Văn Sơn', 'leader', 'MTTQ');
    const inside = modelOf(h.db, 'TINHDOAN');
    const outside = modelOf(h.db, 'SYT');
    expect(await h.text('Lê Văn Sơn', '/congnhan', GROUP)).toBe(
      'Hiện không có mô hình đề nghị công nhận trong phạm vi bạn phụ trách.\nCách dùng: /congnhan <số hoặc mã> [không <lý do>].',
    );
    const before = snapshot();
    expect(await h.text('Lê Văn Sơn', `/congnhan ${outside.code}`, GROUP)).toBe(
      `Không có mô hình ${outside.code} hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã; gõ /congnhan để xem các mô hình đang chờ.`,
    );
    expect(snapshot()).toEqual(before);
    expect(fresh(outside).state).toBe('proposed');

    expect(await h.text('Lê Văn Sơn', '/duyet', GROUP)).toContain(`1. ${inside.code} “${inside.name}” — Tỉnh đoàn Hà Tĩnh`);
    expect(await decideText(h, 'Lê Văn Sơn', `/duyet ${inside.code}`, GROUP)).toContain(`✅ Đã duyệt ${inside.code}`);
    expect(fresh(inside).state).toBe('in_progress');
  });
});
