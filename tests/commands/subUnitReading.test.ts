import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { FetchAttachment } from '../../bot/attachmentFetch.js';
import type { Db } from '../../db/client.js';
import { registerModel } from '../../db/models.js';
import { auditLog, conversations, models, progressUpdates, roles } from '../../db/schema.js';
import { DEMO_GROUP } from '../../db/seed/demo.js';
import { demoPerTest, type Harness, type SayOptions } from '../helpers/harness.js';
import { modelsOf, newModel, personIdOf, snapshotOf, unitOf } from '../helpers/rows.js';

/**
 * Issue 22 item 6: the officer of a unit with units under it (here the Ủy ban MTTQ tỉnh, with Tỉnh
 * đoàn and Hội Liên hiệp Phụ nữ) reads their models, evidence and reports, but works on none of
 * them: each has its own officers. Reading goes down the tree only, never up or sideways.
 */

const GROUP: SayOptions = { group: DEMO_GROUP };
const PRIVATE: SayOptions = { private: true };
const NGOC = 'Trương Thị Ngọc'; // officer of the Ủy ban MTTQ tỉnh (MTTQ)
const LONG = 'Ngô Văn Long'; // officer of Tỉnh đoàn Hà Tĩnh (TINHDOAN), under MTTQ
const TINHDOAN = 'Tỉnh đoàn Hà Tĩnh';
const FRONT = 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh';

/** Serves each ref's last part as the file's content. */
const cdn: FetchAttachment = async (attachment) => {
  const data = Buffer.from(`nội dung ${attachment.ref.split('/').pop()}`);
  return {
    body: (async function* () {
      yield data;
    })(),
  };
};

let h: Harness;
const demo = demoPerTest({ now: '2026-11-22T09:00:00+07:00', fetchers: { console: cdn } });

const snapshot = (db: Db) => snapshotOf(db, { models, updates: progressUpdates, roles, conversations });

/** Tỉnh đoàn's model of the demo (waiting for approval). */
function youthModel() {
  const [model] = modelsOf(h.db, 'TINHDOAN', 2026);
  expect(model!.state).toBe('pending');
  return model!;
}

function setState(code: string, state: 'pending' | 'in_progress') {
  h.db.update(models).set({ state }).where(eq(models.code, code)).run();
}

describe('the officer of a unit above reads its sub-units', () => {
  it('holds only the officer role of the front, and Long only that of Tỉnh đoàn', async () => {
    h = await demo();
    const grants = (name: string) =>
      h.db
        .select()
        .from(roles)
        .where(eq(roles.personId, personIdOf(h.db, name)))
        .all()
        .map((r) => [r.role, r.unitId]);
    expect(grants(NGOC)).toEqual([['officer', unitOf(h.db, 'MTTQ').id]]);
    expect(grants(LONG)).toEqual([['officer', unitOf(h.db, 'TINHDOAN').id]]);
    expect(unitOf(h.db, 'TINHDOAN').parentId).toBe(unitOf(h.db, 'MTTQ').id);
  });

  it('lists a sub-unit’s models by its code, and names the sub-units under its own list', async () => {
    h = await demo();
    const model = youthModel();
    const list = await h.text(NGOC, '/mohinh TINHDOAN', GROUP);
    expect(list.split('\n')[0]).toMatch(new RegExp(`^Mô hình, điểm sáng năm 2026 của ${TINHDOAN}: `));
    expect(list).toContain(`• ${model.code} “${model.name}” — chờ duyệt`);
    // A sub-unit with nothing yet: not invited to register for it.
    const empty = await h.text(NGOC, '/mohinh HOILHPN', GROUP);
    expect(empty).toContain('Chưa có mô hình nào.');
    expect(empty).not.toContain('/dangky');

    const own = await h.text(NGOC, '/mohinh', GROUP);
    expect(own.split('\n')[0]).toMatch(new RegExp(`^Mô hình, điểm sáng năm 2026 của ${FRONT}: `));
    // Its own list only; the units under it named, in Vietnamese order, to be picked.
    expect(own).not.toContain(model.code);
    expect(own.split('\n').at(-1)).toBe(
      `Đơn vị trực thuộc (bạn xem được, không đăng ký hay cập nhật thay): Hội Liên hiệp Phụ nữ tỉnh Hà Tĩnh (HOILHPN); ${TINHDOAN} (TINHDOAN). Gõ /mohinh <mã đơn vị> để xem, ví dụ /mohinh HOILHPN.`,
    );
    // The sub-unit's own officer sees no such line: nothing is under Tỉnh đoàn.
    expect(await h.text(LONG, '/mohinh', GROUP)).not.toContain('Đơn vị trực thuộc');
  });

  it('opens a sub-unit’s model card without any hint to work on it, saying whose work it is', async () => {
    h = await demo();
    const model = youthModel();
    const card = await h.text(NGOC, `/mohinh ${model.code}`, GROUP);
    expect(card.startsWith(`${model.code} “${model.name}”\n• Đơn vị: ${TINHDOAN}\n`)).toBe(true);
    expect(card.split('\n').at(-1)).toBe(
      `(Mô hình của đơn vị trực thuộc: bạn chỉ xem được; cập nhật, sửa, đề nghị công nhận do cán bộ đầu mối của ${TINHDOAN} làm.)`,
    );
    for (const work of ['/capnhat', '/suamohinh', '/denghi', '/rutlai', '/dangky']) expect(card).not.toContain(work);
    // The unit's own officer reads the same card without that line.
    const ownCard = await h.text(LONG, `/mohinh ${model.code}`, GROUP);
    expect(ownCard.startsWith(`${model.code} “${model.name}”\n`)).toBe(true);
    expect(ownCard).not.toContain('đơn vị trực thuộc');
  });

  it('gets a sub-unit’s kept evidence files, privately, with the handover audited', async () => {
    h = await demo();
    const model = youthModel();
    setState(model.code, 'in_progress');
    await h.say(LONG, `/capnhat ${model.code}`, GROUP);
    await h.say(LONG, 'Tổ chức 2 buổi đối thoại ở xã Cẩm Xuyên.', GROUP);
    await h.say(LONG, '40%', GROUP);
    await h.say(LONG, '', { ...GROUP, attachments: [{ kind: 'photo', ref: 'https://cdn.example/doi-thoai' }] });
    expect(await h.text(LONG, '1', GROUP)).toMatch(/^✅ Đã ghi nhận/);
    await h.core.evidence!.idle();

    const card = await h.text(NGOC, `/mohinh ${model.code}`, PRIVATE);
    expect(card).toContain(`Gõ /mohinh ${model.code} tep để nhận ảnh, tệp minh chứng đã lưu`);
    const sent = await h.say(NGOC, `/mohinh ${model.code} tep`, PRIVATE);
    expect(sent[0]!.text).toMatch(new RegExp(`^📎 Minh chứng của ${model.code} `));
    expect(sent.flatMap((s) => s.reply.files ?? []).map((f) => f.data.toString())).toEqual(['nội dung doi-thoai']);
    const audits = h.db.select().from(auditLog).where(eq(auditLog.action, 'evidence.export')).all();
    expect(audits.map((a) => a.actorPersonId)).toEqual([personIdOf(h.db, NGOC)]);
  });

  it('gets a report of its unit with the units under it by default, and of a sub-unit by its code', async () => {
    h = await demo();
    const model = youthModel();
    const report = await h.text(NGOC, '/baocao chitiet', GROUP);
    expect(report).toContain(`${FRONT} · 3 đơn vị`);
    expect(report).toContain(`▪️ ${model.code} ${model.name} — ${TINHDOAN} (chờ duyệt)`);
    const youth = await h.text(NGOC, '/baocao TINHDOAN chitiet', GROUP);
    expect(youth).toContain(`${TINHDOAN} · 1 đơn vị`);
    expect(youth).toContain(`▪️ ${model.code} `);
    // A report is issued only in the name of a unit the officer works for.
    const before = snapshot(h.db);
    expect(await h.text(NGOC, '/baocao word banhanh TINHDOAN', GROUP)).toMatch(/^Đơn vị TINHDOAN không có hoặc không phải đơn vị bạn thuộc hay phụ trách/);
    expect(snapshot(h.db)).toEqual(before);
  });
});

describe('reading a sub-unit never lets its parent’s officer work on it', () => {
  it.each([
    ['/capnhat', 'in_progress', /^(\S+) thuộc Tỉnh đoàn Hà Tĩnh: việc cập nhật tiến độ do cán bộ đầu mối của đơn vị đó làm\. Bạn chỉ xem được mô hình này/],
    ['/denghi', 'in_progress', /^(\S+) thuộc Tỉnh đoàn Hà Tĩnh, do cán bộ đầu mối của đơn vị đó đề nghị công nhận\. Bạn chỉ xem được mô hình này/],
    ['/suamohinh', 'pending', /^(\S+) thuộc Tỉnh đoàn Hà Tĩnh: việc sửa và gửi lại do cán bộ đầu mối của đơn vị đó làm\. Bạn chỉ xem được mô hình này/],
    ['/rutlai', 'pending', /^(\S+) thuộc Tỉnh đoàn Hà Tĩnh: việc rút lại đăng ký do cán bộ đầu mối của đơn vị đó làm\. Bạn chỉ xem được mô hình này/],
    ['/duyet', 'pending', /^Lệnh \/duyet chỉ dành cho /],
  ] as const)('%s on the sub-unit’s %s model is refused, and nothing changes', async (command, state, refusal) => {
    h = await demo();
    const model = youthModel();
    setState(model.code, state);
    const before = snapshot(h.db);
    // A reason where the command takes one, so the refusal cannot hide behind a usage message.
    const reason = command === '/rutlai' ? ' Đơn vị xin rút để làm lại' : '';
    const reply = await h.text(NGOC, `${command} ${model.code}${reason}`, GROUP);
    expect(reply).toMatch(refusal);
    expect(snapshot(h.db)).toEqual(before);
  });
});

describe('reading goes down the tree only', () => {
  it('the sub-unit’s officer reads neither the unit above nor a sibling unit', async () => {
    h = await demo();
    const front = modelsOf(h.db, 'MTTQ', 2026)[0]!;
    const sibling = h.db.transaction((tx) =>
      registerModel(tx, newModel(h.db, unitOf(h.db, 'HOILHPN').id, 'Phụ nữ giúp nhau phát triển kinh tế'), { personId: null, label: 'test' }, h.clock.now()),
    );
    const before = snapshot(h.db);
    for (const code of [front.code, sibling.code]) {
      expect(await h.text(LONG, `/mohinh ${code}`, GROUP)).toMatch(new RegExp(`^Không có mô hình ${code} hoặc mô hình ở ngoài phạm vi của bạn\\.`));
      expect(await h.text(LONG, `/mohinh ${code} tep`, PRIVATE)).toMatch(new RegExp(`^Không có mô hình ${code} hoặc mô hình ở ngoài phạm vi của bạn\\.`));
    }
    for (const unit of ['MTTQ', 'HOILHPN']) {
      const list = await h.text(LONG, `/mohinh ${unit}`, GROUP);
      expect(list).toMatch(new RegExp(`^Không có đơn vị hay mô hình “${unit}” hoặc ở ngoài phạm vi của bạn\\.`));
      expect(await h.text(LONG, `/baocao ${unit}`, GROUP)).toMatch(new RegExp(`^Đơn vị ${unit} không có hoặc ở ngoài phạm vi bạn được xem báo cáo\\.`));
    }
    // Its own report is its own unit alone, as before.
    expect(await h.text(LONG, '/baocao', GROUP)).toContain(`${TINHDOAN} · 1 đơn vị`);
    expect(snapshot(h.db)).toEqual(before);
  });
});
