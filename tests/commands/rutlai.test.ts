import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { modelStateHistory, models } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { asksToConfirm, decide } from '../helpers/decide.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { auditsOf, modelOf, personIdOf } from '../helpers/rows.js';

/**
 * /rutlai (issue 22, item 1): the unit withdraws a pending registration, with a reason and an
 * "đồng ý"; the model is marked returned with the unit's reason, so its history stays and it can
 * be fixed and sent again.
 */

const NOW = '2026-11-21T09:00:00+07:00';
const GROUP = { group: DEMO_GROUP };
const LONG = 'Ngô Văn Long'; // officer of Tỉnh đoàn, whose model waits since 18/11
const { leader: BINH, officer: CHAU } = DEMO_PEOPLE;
const REASON = 'Đơn vị đăng ký nhầm, sẽ đăng ký lại';

let h: Harness;
const demo = demoPerTest({ now: NOW });

function fresh(id: number) {
  return h.db.select().from(models).where(eq(models.id, id)).get()!;
}

function historyOf(id: number) {
  return h.db.select().from(modelStateHistory).where(eq(modelStateHistory.modelId, id)).orderBy(asc(modelStateHistory.id)).all();
}

describe('/rutlai', () => {
  it('asks for “đồng ý”, then marks the pending model returned with the unit’s reason; it leaves /duyet and can be fixed again', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    const asked = await h.say(LONG, `/rutlai ${model.code} ${REASON}`, { private: true });
    expect(asksToConfirm(asked, LONG)).toBe(true);
    expect(asked.at(-1)!.text).toContain(`• Mô hình: ${model.code} “${model.name}” của Tỉnh đoàn Hà Tĩnh`);
    expect(asked.at(-1)!.text).toContain(`• Lý do: ${REASON}`);
    expect(fresh(model.id).state).toBe('pending');

    const done = await h.say(LONG, 'đồng ý', { private: true });
    expect(done[0]!.text).toBe(
      `↩️ Đã rút lại ${model.code} “${model.name}” của Tỉnh đoàn Hà Tĩnh. Lý do: ${REASON}\nMuốn gửi lại, gõ /suamohinh ${model.code} để sửa và gửi lại.`,
    );
    // The unit's group hears of it.
    expect(done.find((r) => r.chat.id === DEMO_GROUP)?.text).toContain(`${LONG} đã rút lại đăng ký ${model.code}`);
    expect(fresh(model.id).state).toBe('returned');
    expect(historyOf(model.id).map((r) => [r.fromState, r.toState, r.reason])).toEqual([
      [null, 'pending', null],
      ['pending', 'returned', `Đơn vị rút lại: ${REASON}`],
    ]);
    expect(historyOf(model.id).at(-1)!.actorPersonId).toBe(personIdOf(h.db, LONG));
    expect(auditsOf(h.db, 'model.withdraw')).toHaveLength(1);
    expect(auditsOf(h.db, 'model.return')).toHaveLength(0);
    expect(await h.text(BINH, '/duyet', GROUP)).not.toContain(model.code);
    expect(await h.text(LONG, `/suamohinh ${model.code}`, GROUP)).toContain('(1/9) Đăng ký loại nào?');
  });

  it('anything but “đồng ý” cancels, and nothing changes', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    await h.say(LONG, `/rutlai ${model.code} ${REASON}`, GROUP);
    expect(await h.text(LONG, 'thôi', GROUP)).toContain('Đã hủy');
    expect(fresh(model.id).state).toBe('pending');
    expect(historyOf(model.id)).toHaveLength(1);
    expect(auditsOf(h.db, 'model.withdraw')).toHaveLength(0);
  });

  it('without a reason, or without a code: a kind usage message, and nothing changes', async () => {
    h = await demo();
    const model = modelOf(h.db, 'TINHDOAN');
    expect(await h.text(LONG, `/rutlai ${model.code}`, GROUP)).toBe(
      `Bạn cần ghi lý do rút lại (từ 5 đến 500 ký tự). Ví dụ: /rutlai ${model.code} Đơn vị đăng ký nhầm, sẽ đăng ký lại. Chưa có gì thay đổi.`,
    );
    expect(await h.text(LONG, '/rutlai', GROUP)).toBe('Bạn gõ /rutlai <mã mô hình> <lý do>, ví dụ /rutlai DVK-2026-0007 Đơn vị đăng ký nhầm, sẽ đăng ký lại.');
    expect(fresh(model.id).state).toBe('pending');
    expect(auditsOf(h.db, 'model.withdraw')).toHaveLength(0);
  });

  it('refuses another unit’s model and a model no longer pending', async () => {
    h = await demo();
    const pending = modelOf(h.db, 'TINHDOAN');
    expect(await h.text(CHAU, `/rutlai ${pending.code} ${REASON}`, GROUP)).toContain(
      `Không có mô hình ${pending.code} hoặc mô hình không thuộc đơn vị bạn phụ trách.`,
    );
    const recognised = modelOf(h.db, 'CAMXUYEN');
    expect(await h.text(CHAU, `/rutlai ${recognised.code} ${REASON}`, GROUP)).toBe(
      `Chỉ rút lại được mô hình đang “chờ duyệt”. ${recognised.code} đang ở trạng thái “được công nhận”.`,
    );
    // Approved between the command and the "đồng ý": the withdrawal changes nothing.
    await h.say(LONG, `/rutlai ${pending.code} ${REASON}`, GROUP);
    await decide(h, BINH, `/duyet ${pending.code}`, GROUP);
    expect(await h.text(LONG, 'đồng ý', GROUP)).toBe(
      `Chỉ rút lại được mô hình đang “chờ duyệt”. ${pending.code} đang ở trạng thái “đang thực hiện”. Chưa có gì thay đổi.`,
    );
    expect(fresh(pending.id).state).toBe('in_progress');
    expect(auditsOf(h.db, 'model.withdraw')).toHaveLength(0);
  });
});
