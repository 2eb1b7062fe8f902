import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { addOneOffDeadline } from '../../db/deadlines.js';
import type { ModelRow } from '../../db/models.js';
import { addUpdate } from '../../db/updates.js';
import { auditLog, deadlines, models, modelStateHistory, roles } from '../../db/schema.js';
import { DEMO_COMMUNE_GROUP, DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { decide, decideText } from '../helpers/decide.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { modelOf, personIdOf } from '../helpers/rows.js';

/**
 * `/hoantac` (issue 22, item 4): within ten minutes, a person's last decision on a model is
 * undone — the model back as it was, the decision and its undo both kept — unless the model
 * moved on since; whoever heard of the decision hears of the undo.
 */

const NOW = '2026-11-21T09:00:00+07:00';
const GROUP = { group: DEMO_GROUP };
const CX_GROUP = { group: DEMO_COMMUNE_GROUP };
const { admin: HOA, leader: BINH, officer: CHAU } = DEMO_PEOPLE;
const DUNG = 'Phạm Thị Dung'; // officer of Xã Cẩm Bình, seen only in the province group
const MINUTE = 60_000;

let h: Harness;
const demo = demoPerTest({ now: NOW });

function fresh(model: ModelRow): ModelRow {
  return h.db.select().from(models).where(eq(models.id, model.id)).get()!;
}

function historyOf(model: ModelRow) {
  return h.db.select().from(modelStateHistory).where(eq(modelStateHistory.modelId, model.id)).orderBy(asc(modelStateHistory.id)).all();
}

function auditOf(model: ModelRow) {
  return h.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'model'), eq(auditLog.entityId, String(model.id))))
    .orderBy(asc(auditLog.id))
    .all();
}

/** Everything an undo could change. */
function snapshot() {
  return {
    models: h.db.select().from(models).orderBy(asc(models.id)).all(),
    history: h.db.select().from(modelStateHistory).all().length,
    audit: h.db.select().from(auditLog).all().length,
  };
}

describe('/hoantac undoes the last decision', () => {
  it('an approval: the model waits again, the approval and its undo are both in the history and the audit, the unit is told', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN'); // its officer, Ngô Văn Long, is in the province group
    await decide(h, BINH, `/duyet ${model.code}`, GROUP);
    const approved = fresh(model);
    h.clock.advance(9 * MINUTE);

    const sent = await h.say(BINH, '/hoantac', GROUP);
    expect(sent.map((s) => [s.chat.id, s.text])).toEqual([
      [DEMO_GROUP, `@Ngô Văn Long: ↩️ Đã hoàn tác việc duyệt ${model.code} “${model.name}” của Tỉnh đoàn Hà Tĩnh: mô hình trở lại “chờ duyệt”.`],
    ]);
    expect(fresh(model)).toMatchObject({ state: 'pending', updatedAt: h.clock.now().getTime() });
    const binh = personIdOf(h.db, BINH);
    expect(historyOf(model).slice(-2)).toEqual([
      expect.objectContaining({ fromState: 'pending', toState: 'in_progress', actorPersonId: binh }),
      expect.objectContaining({ fromState: 'in_progress', toState: 'pending', reason: 'Hoàn tác việc duyệt', actorPersonId: binh }),
    ]);
    const audit = auditOf(model);
    const approval = audit.find((a) => a.action === 'model.approve')!;
    expect(audit.at(-1)).toMatchObject({
      action: 'model.undo',
      actorPersonId: binh,
      before: expect.objectContaining({ state: 'in_progress', updatedAt: approved.updatedAt }),
      after: expect.objectContaining({ state: 'pending', undoes: approval.id, undoneAction: 'model.approve' }),
    });
    // Back in the list of what waits, and /nhatky tells the undo.
    expect(await h.text(BINH, '/duyet', GROUP)).toContain(`1. ${model.code}`);
    expect(await h.text(HOA, `/nhatky ${model.code}`, { private: true })).toContain(
      `Hoàn tác việc duyệt mô hình ${model.code} (Tỉnh đoàn Hà Tĩnh): đang thực hiện → chờ duyệt`,
    );
  });

  it('a return told in another group: the undo is told there too, and the reason of the return stays in the history', async () => {
    h = await demo();
    const model = modelOf(h.db, 'CAMXUYEN');
    h.db.update(models).set({ state: 'pending' }).where(eq(models.id, model.id)).run();
    await decide(h, BINH, `/tralai ${model.code} Cần ghi rõ kết quả dự kiến`, GROUP);
    expect(fresh(model).state).toBe('returned');
    const sent = await h.say(BINH, '/hoantac', GROUP);
    // Lê Minh Châu is in both groups: called in this one, told in the commune's.
    expect(sent.map((s) => [s.chat.id, s.text])).toEqual([
      [DEMO_GROUP, `@${CHAU}: ↩️ Đã hoàn tác việc trả lại ${model.code} “${model.name}” của Xã Cẩm Xuyên: mô hình trở lại “chờ duyệt”.`],
      [DEMO_COMMUNE_GROUP, `@${CHAU}: ${BINH} đã hoàn tác việc trả lại mô hình ${model.code} “${model.name}” của Xã Cẩm Xuyên; mô hình trở lại “chờ duyệt”.`],
    ]);
    expect(fresh(model).state).toBe('pending');
    expect(historyOf(model).map((r) => r.reason)).toContain('Cần ghi rõ kết quả dự kiến');
  });

  it('an approval of a returned model goes back to “bị trả lại” with the reason it was returned for', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    await decide(h, BINH, `/tralai ${model.code} Thiếu số hộ tham gia`, GROUP);
    h.clock.advance(20 * MINUTE);
    await decide(h, BINH, `/duyet ${model.code}`, GROUP);
    await h.say(BINH, '/hoantac', GROUP);
    expect(fresh(model).state).toBe('returned');
    expect(historyOf(model).at(-1)).toMatchObject({
      toState: 'returned',
      reason: 'Hoàn tác việc duyệt; lý do bị trả lại trước đó: Thiếu số hộ tham gia',
    });
  });

  it('a “not recognised” goes back to waiting for recognition; a replication loses its mark, the state staying', async () => {
    h = await demo();
    const proposed = modelOf(h.db, 'SYT');
    await decide(h, BINH, `/congnhan ${proposed.code} không Chưa có số liệu đối chứng`, GROUP);
    expect(await h.text(BINH, '/hoantac', GROUP)).toContain('mô hình trở lại “đề nghị công nhận”.');
    expect(fresh(proposed).state).toBe('proposed');

    await decide(h, BINH, `/congnhan ${proposed.code}`, GROUP);
    h.clock.advance(MINUTE);
    await decide(h, BINH, `/nhanrong ${proposed.code}`, GROUP);
    expect(fresh(proposed).replicatedAt).not.toBeNull();
    expect(await h.text(BINH, '/hoantac', GROUP)).toBe(
      `@Võ Thị Hằng: ↩️ Đã hoàn tác việc ghi nhận nhân rộng ${proposed.code} “${proposed.name}” của Sở Y tế: mô hình không còn được ghi nhận nhân rộng.`,
    );
    expect(fresh(proposed)).toMatchObject({ state: 'recognised', replicatedAt: null });
    expect(historyOf(proposed).at(-1)).toMatchObject({ fromState: 'recognised', toState: 'recognised', reason: 'Hoàn tác việc ghi nhận nhân rộng' });
    // The recognition before it is not touched by a second /hoantac: only the last decision is undone.
    expect(await h.text(BINH, '/hoantac', GROUP)).toMatch(/^Quyết định gần nhất của bạn \(ghi nhận nhân rộng .* đã được hoàn tác lúc/);
    expect(fresh(proposed).state).toBe('recognised');
  });

  it('an officer undoes their own proposal; nobody is called about it but the unit’s group still hears', async () => {
    h = await demo();
    const model = modelOf(h.db, 'CAMBINH');
    await decide(h, DUNG, `/denghi ${model.code}`, CX_GROUP);
    const sent = await h.say(DUNG, '/hoantac', CX_GROUP);
    expect(sent.map((s) => [s.chat.id, s.text])).toEqual([
      [DEMO_COMMUNE_GROUP, `↩️ Đã hoàn tác việc đề nghị công nhận ${model.code} “${model.name}” của Xã Cẩm Bình: mô hình trở lại “đang thực hiện”.`],
      [DEMO_GROUP, `${DUNG} đã hoàn tác việc đề nghị công nhận mô hình ${model.code} “${model.name}” của Xã Cẩm Bình; mô hình trở lại “đang thực hiện”.`],
    ]);
    expect(fresh(model).state).toBe('in_progress');
  });
});

describe('/hoantac refuses kindly, and changes nothing', () => {
  it('after ten minutes', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    await decide(h, BINH, `/duyet ${model.code}`, GROUP);
    h.clock.advance(10 * MINUTE + 1000);
    const before = snapshot();
    expect(await h.text(BINH, '/hoantac', GROUP)).toBe(
      `Quyết định gần nhất của bạn (duyệt ${model.code} lúc 09:00 21/11/2026) đã quá 10 phút nên không hoàn tác được nữa. Chưa có gì thay đổi.`,
    );
    expect(snapshot()).toEqual(before);
  });

  it('when someone else decided on the model since, and says who', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    await decide(h, BINH, `/duyet ${model.code}`, GROUP);
    h.clock.advance(MINUTE);
    await decide(h, HOA, `/congnhan ${model.code}`, CX_GROUP);
    const before = snapshot();
    expect(await h.text(BINH, '/hoantac', GROUP)).toBe(
      `Mô hình ${model.code} đã thay đổi sau khi bạn duyệt: ${HOA} đã công nhận mô hình lúc 09:01 21/11/2026, nên không hoàn tác được nữa. Chưa có gì thay đổi.`,
    );
    expect(snapshot()).toEqual(before);
  });

  it('when a progress update arrived on an approved model (it cannot wait for approval with an update)', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    await decide(h, BINH, `/duyet ${model.code}`, GROUP);
    h.clock.advance(2 * MINUTE);
    h.db.transaction((tx) =>
      addUpdate(
        tx,
        model.id,
        { text: 'Tổ chức buổi đối thoại đầu tiên.', percent: 10, progressState: 'in_progress', attachments: [] },
        { personId: null, label: 'test' },
        h.clock.now(),
      ),
    );
    const before = snapshot();
    expect(await h.text(BINH, '/hoantac', GROUP)).toBe(
      `Đơn vị đã gửi cập nhật tiến độ cho ${model.code} lúc 09:02 21/11/2026, sau khi bạn duyệt, nên không hoàn tác được việc duyệt. Chưa có gì thay đổi.`,
    );
    expect(snapshot()).toEqual(before);
  });

  it('when the role that decided was taken away', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    await decide(h, BINH, `/duyet ${model.code}`, GROUP);
    h.db
      .delete(roles)
      .where(eq(roles.personId, personIdOf(h.db, BINH)))
      .run();
    const before = snapshot();
    // Without any role the dispatcher refuses the command itself.
    expect(await h.text(BINH, '/hoantac', GROUP)).toContain('Lệnh /hoantac chỉ dành cho cán bộ đầu mối của đơn vị');
    h.db
      .insert(roles)
      .values({ personId: personIdOf(h.db, BINH), role: 'officer', unitId: modelOf(h.db, 'DUCTHO').unitId, createdAt: 0 })
      .run();
    expect(await h.text(BINH, '/hoantac', GROUP)).toBe(`Không còn tìm thấy mô hình ${model.code} trong phạm vi của bạn. Chưa có gì thay đổi.`);
    expect(snapshot().models).toEqual(before.models);
  });

  it('with nothing decided, with words after it, and for another person’s decision', async () => {
    h = await demo();
    const before = snapshot();
    expect(await h.text(BINH, '/hoantac', GROUP)).toBe(
      'Bạn chưa có quyết định nào về mô hình trong thời gian gần đây để hoàn tác. /hoantac chỉ hoàn tác được trong 10 phút sau khi quyết định.',
    );
    expect(await h.text(BINH, '/hoantac DVK-2026-0007', GROUP)).toBe(
      'Lệnh /hoantac không cần gõ thêm gì: bot hoàn tác quyết định gần nhất của bạn (trong 10 phút). Chưa có gì thay đổi.',
    );
    const model = modelOf(h.db, 'TINHDOAN');
    await decide(h, BINH, `/duyet ${model.code}`, GROUP);
    const approved = snapshot();
    // The admin decided nothing: Bình's decision is his alone to undo.
    expect(await h.text(HOA, '/hoantac', GROUP)).toContain('Bạn chưa có quyết định nào');
    expect(snapshot()).toEqual(approved);
    expect(approved.history).toBe(before.history + 1);
  });

  it('a removed deadline is not brought back, and the model decision before it is not undone instead', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    await decide(h, HOA, `/duyet ${model.code}`, GROUP);
    const deadline = addOneOffDeadline(
      h.db,
      { title: 'Nộp báo cáo chuyên đề', date: '2026-12-05', done: 'none', unitId: null },
      { personId: null, label: 'test' },
      h.clock.now(),
    );
    expect(await decideText(h, HOA, `/xoahan ${deadline.id}`, GROUP)).toContain(`✅ Đã xóa hạn số ${deadline.id}`);
    const before = snapshot();
    expect(await h.text(HOA, '/hoantac', GROUP)).toBe(
      `Việc gần nhất của bạn là xóa hạn số ${deadline.id} (Nộp báo cáo chuyên đề); /hoantac không khôi phục hạn đã xóa. Bạn thêm lại bằng /themhan. Chưa có gì thay đổi.`,
    );
    expect(snapshot()).toEqual(before);
    expect(h.db.select().from(deadlines).where(eq(deadlines.id, deadline.id)).get()!.active).toBe(false);
    expect(fresh(model).state).toBe('in_progress');
  });
});
