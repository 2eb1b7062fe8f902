import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { findCaller } from '../../db/people.js';
import { auditLog, joinBlocks, models, progressUpdates, roles, units } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { DANGKY_ANSWERS } from '../helpers/dangkyAnswers.js';
import { decideText } from '../helpers/decide.js';
import { demoPerTest, type Harness, type SayOptions } from '../helpers/harness.js';
import { modelOf, unitOf } from '../helpers/rows.js';

/**
 * Issue 16, tried as a hostile or careless group member would, through the registered commands:
 * deciding on one's own model, join codes read in a group, a revoked officer coming back, a
 * stopped unit still working, other units' models probed by code.
 */

const NOW = '2026-11-21T09:00:00+07:00';
const GROUP = { group: DEMO_GROUP };
const PRIVATE = { private: true };
const { admin: HOA, leader: BINH } = DEMO_PEOPLE;
const DUNG = 'Phạm Thị Dung'; // officer of Xã Cẩm Bình (CAMBINH), seen in the province group
const LONG = 'Ngô Văn Long'; // officer of Tỉnh đoàn Hà Tĩnh (TINHDOAN), under the Ủy ban MTTQ tỉnh (MTTQ)

let h: Harness;
const demo = demoPerTest({ now: NOW });

const personOf = (name: string) => findCaller(h.db, 'console', name)!.personId;

async function grant(name: string, role: 'leader' | 'officer', shortCode: string) {
  await h.say(name, '/huongdan', GROUP);
  h.db
    .insert(roles)
    .values({ personId: personOf(name), role, unitId: unitOf(h.db, shortCode).id, createdAt: 0 })
    .run();
}

let registered = 0;

/** Registers a model through /dangky (a new name each time); `unit` answers the unit question. */
async function register(who: string, unit?: string, options: SayOptions = GROUP): Promise<string> {
  const first = await h.text(who, '/dangky', options);
  if (unit) {
    expect(first).toContain('Bạn đăng ký cho đơn vị nào?');
    await h.say(who, unit, options);
  }
  const answers: string[] = [...DANGKY_ANSWERS];
  answers[3] = `Mô hình thử số ${++registered}`;
  for (const answer of answers) await h.say(who, answer, options);
  const done = await h.text(who, 'đồng ý', options);
  const code = /Mã: (DVK-\d{4}-\d{4,})/.exec(done)?.[1];
  expect(code, done).toBeDefined();
  return code!;
}

function model(code: string) {
  return h.db.select().from(models).where(eq(models.code, code)).get()!;
}

/** Everything a refused decision must leave alone. */
function decisions() {
  return {
    models: h.db.select().from(models).orderBy(asc(models.id)).all(),
    audit: h.db.select().from(auditLog).where(eq(auditLog.entity, 'model')).all().length,
  };
}

describe('separation of duties: nobody decides on their own work', () => {
  it('a leader of one unit who is the officer of another cannot approve, recognise, replicate or commend that other unit’s model', async () => {
    h = await demo();
    // Sơn leads Xã Đức Thọ and is also the officer of Xã Cẩm Bình (outside Đức Thọ).
    await grant('Lê Văn Sơn', 'leader', 'DUCTHO');
    await grant('Lê Văn Sơn', 'officer', 'CAMBINH');
    const code = await register('Lê Văn Sơn', 'CAMBINH');
    const before = decisions();
    const who = 'Người có thể duyệt: Trần Văn Bình (lãnh đạo), Nguyễn Thị Hoa (quản trị).';
    expect(await h.text('Lê Văn Sơn', `/duyet ${code}`, GROUP)).toBe(
      `Bạn đã đăng ký mô hình ${code} nên không tự duyệt được: người đăng ký không quyết định trên mô hình của mình. ${who}`,
    );
    expect(await h.text('Lê Văn Sơn', `/tralai ${code} Cần bổ sung kết quả dự kiến`, GROUP)).toContain('nên không tự trả lại được');
    expect(decisions()).toEqual(before);

    // Approved by the province leader, then the same person still cannot take it further; neither
    // can the commune's officer registered by someone else.
    expect(await decideText(h, BINH, `/duyet ${code}`, GROUP)).toContain(`✅ Đã duyệt ${code}`);
    const other = await register(DUNG, undefined, GROUP);
    expect(await decideText(h, BINH, `/duyet ${other}`, GROUP)).toContain('✅ Đã duyệt');
    expect(await h.text('Lê Văn Sơn', `/duyet ${other}`, GROUP)).toBe(`Bạn là cán bộ đầu mối của Xã Cẩm Bình nên không duyệt mô hình của đơn vị mình. ${who}`);
    h.db.update(models).set({ state: 'proposed' }).where(eq(models.code, other)).run();
    const proposed = decisions();
    expect(await h.text('Lê Văn Sơn', `/congnhan ${other}`, GROUP)).toBe(
      'Bạn là cán bộ đầu mối của Xã Cẩm Bình nên không công nhận mô hình của đơn vị mình. Người có thể công nhận: Trần Văn Bình (lãnh đạo), Nguyễn Thị Hoa (quản trị).',
    );
    h.db.update(models).set({ state: 'recognised' }).where(eq(models.code, other)).run();
    expect(await h.text('Lê Văn Sơn', `/nhanrong ${other}`, GROUP)).toContain('nên không ghi nhận nhân rộng mô hình của đơn vị mình.');
    expect(await h.text('Lê Văn Sơn', `/bieuduong ${other}`, GROUP)).toContain('nên không ghi nhận biểu dương, khen thưởng mô hình của đơn vị mình.');
    expect(await h.text('Lê Văn Sơn', `/congnhan ${code} khong Chưa có kết quả`, GROUP)).toContain('nên không tự kết luận không công nhận được');
    expect(decisions().audit).toBe(proposed.audit);
    expect(model(other).replicatedAt).toBeNull();
    expect(model(other).commendedAt).toBeNull();
  });

  it('a leader whose subtree holds their own unit cannot decide on that unit’s models, nor on what they registered themselves', async () => {
    h = await demo();
    // Sơn leads the Mặt trận and is also the officer of Tỉnh đoàn, under it.
    await grant('Lê Văn Sơn', 'leader', 'MTTQ');
    await grant('Lê Văn Sơn', 'officer', 'TINHDOAN');
    const waiting = modelOf(h.db, 'TINHDOAN').code; // the demo's pending model of Tỉnh đoàn
    const own = await register(LONG, undefined, GROUP);
    expect(await h.text('Lê Văn Sơn', `/duyet ${own}`, GROUP)).toContain(
      'Bạn là cán bộ đầu mối của Tỉnh đoàn Hà Tĩnh nên không duyệt mô hình của đơn vị mình.',
    );
    // A leader alone may register for a unit of their subtree, but not then approve it.
    const led = await register('Lê Văn Sơn', 'HOILHPN');
    expect(await h.text('Lê Văn Sơn', `/duyet ${led}`, GROUP)).toContain(`Bạn đã đăng ký mô hình ${led} nên không tự duyệt được`);
    // The list of what waits leaves their own work out, and says so.
    const list = await h.text('Lê Văn Sơn', '/duyet', GROUP);
    expect(list).not.toContain(own);
    expect(list).not.toContain(led);
    expect(list).not.toContain(waiting);
    expect(list).toContain('Không liệt kê 3 mô hình do chính bạn đăng ký hoặc của đơn vị bạn là cán bộ đầu mối: người khác quyết định các mô hình này.');
    expect(model(own).state).toBe('pending');
    expect(model(led).state).toBe('pending');
  });

  it('an admin who registered a model may not decide on it, unless the deployment allows it; then the audit row says so', async () => {
    h = await demo();
    const code = await register(HOA, 'SNV');
    expect(await h.text(HOA, `/duyet ${code}`, GROUP)).toBe(
      `Bạn đã đăng ký mô hình ${code} nên không tự duyệt được: người đăng ký không quyết định trên mô hình của mình. Người có thể duyệt: Trần Văn Bình (lãnh đạo).`,
    );
    expect(model(code).state).toBe('pending');
    h.close();

    h = await demo({ policy: { adminMayDecideOwn: true } });
    const allowed = await register(HOA, 'SNV');
    expect(await decideText(h, HOA, `/duyet ${allowed}`, GROUP)).toContain(`✅ Đã duyệt ${allowed}`);
    const row = h.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'model.approve'), eq(auditLog.entityId, String(model(allowed).id))))
      .get()!;
    expect(row.after).toMatchObject({ state: 'in_progress', selfDecision: 'registered' });
    expect(await h.text(HOA, `/nhatky ${allowed}`, PRIVATE)).toContain('tự quyết trên mô hình do chính mình đăng ký');
    // The setting is for admins acting alone: a leader is still held to the rule.
    h.db
      .update(roles)
      .set({ role: 'leader', unitId: unitOf(h.db, 'HATINH').id })
      .where(eq(roles.personId, personOf(HOA)))
      .run();
    h.db
      .insert(roles)
      .values({ personId: personOf(BINH), role: 'admin', unitId: null, createdAt: 0 })
      .run();
    const third = await register(HOA, 'SNV');
    expect(await h.text(HOA, `/duyet ${third}`, GROUP)).toContain('nên không tự duyệt được');
  });

  it('when nobody else could decide, says who must be given the role', async () => {
    h = await demo();
    const code = await register(HOA, 'SNV');
    h.db
      .delete(roles)
      .where(eq(roles.personId, personOf(BINH)))
      .run();
    expect(await h.text(HOA, `/duyet ${code}`, GROUP)).toContain(
      'Hiện chưa có ai khác có quyền duyệt mô hình này; quản trị cần cấp quyền lãnh đạo cho một người khác (/phanquyen lãnh đạo <người> <mã đơn vị>).',
    );
  });
});

describe('join codes never appear in a group', () => {
  const codesIn = (text: string) =>
    h.db
      .select()
      .from(units)
      .all()
      .filter((u) => text.includes(u.joinCode));

  it('/donvi in a group shows the tree without codes and sends them to the admin’s private chat', async () => {
    h = await demo();
    // Never wrote to the bot privately: told how to ask there.
    const first = await h.say(HOA, '/donvi', GROUP);
    expect(first).toHaveLength(1);
    expect(codesIn(first[0]!.text)).toEqual([]);
    expect(first[0]!.text).toContain('  Xã Cẩm Xuyên (CAMXUYEN)\n');
    expect(first[0]!.text).toContain(
      'Mã tham gia chỉ hiện trong tin nhắn riêng với bot: bạn mở tin nhắn riêng với bot (bấm vào tên bot, chọn nhắn tin) rồi gõ /donvi.',
    );

    await h.say(HOA, '/huongdan', PRIVATE);
    const sent = await h.say(HOA, '/donvi camxuyen', GROUP);
    const inGroup = sent.filter((s) => s.chat.kind === 'group');
    const toAdmin = sent.filter((s) => s.chat.kind === 'private');
    expect(inGroup).toHaveLength(1);
    expect(codesIn(inGroup[0]!.text)).toEqual([]);
    expect(inGroup[0]!.text).toContain('Mã tham gia đã gửi riêng cho bạn (tin nhắn riêng với bot).');
    expect(toAdmin.map((s) => s.chat.id)).toEqual([`private:${HOA}`]);
    expect(toAdmin[0]!.text).toContain(`Xã Cẩm Xuyên (CAMXUYEN) — mã tham gia: ${unitOf(h.db, 'CAMXUYEN').joinCode}`);
  });

  it('/themdonvi and “cấp lại mã” in a group send the new code privately, never to the group', async () => {
    h = await demo();
    await h.say(HOA, '/huongdan', PRIVATE);
    await h.say(HOA, '/themdonvi', GROUP);
    for (const answer of ['Xã Cẩm Lạc', 'CAMLAC', 'xa', 'HATINH']) await h.say(HOA, answer, GROUP);
    const saved = await h.say(HOA, '1', GROUP);
    const unit = unitOf(h.db, 'CAMLAC');
    expect(saved.filter((s) => s.chat.kind === 'group').map((s) => s.text)).toEqual([
      '✅ Đã thêm Xã Cẩm Lạc (CAMLAC), thuộc Tỉnh Hà Tĩnh (HATINH).\nMã tham gia được gửi riêng cho bạn; nếu chưa thấy, bạn nhắn riêng cho bot /donvi CAMLAC.',
    ]);
    expect(saved.filter((s) => s.chat.kind === 'private').map((s) => s.text)).toEqual([`Mã tham gia của Xã Cẩm Lạc (CAMLAC): ${unit.joinCode}`]);

    const old = unit.joinCode;
    await h.say(HOA, '/suadonvi CAMLAC', GROUP);
    const summary = await h.text(HOA, 'cấp lại mã tham gia', GROUP);
    expect(summary).not.toContain(old);
    const renewed = await h.say(HOA, '1', GROUP);
    const fresh = unitOf(h.db, 'CAMLAC').joinCode;
    expect(fresh).not.toBe(old);
    const groupText = renewed
      .filter((s) => s.chat.kind === 'group')
      .map((s) => s.text)
      .join('\n');
    expect(groupText).not.toContain(fresh);
    expect(groupText).not.toContain(old);
    expect(renewed.filter((s) => s.chat.kind === 'private').map((s) => s.text)).toEqual([`Mã tham gia của Xã Cẩm Lạc (CAMLAC): ${fresh}`]);
    // Nothing the bot wrote to any group, in the whole session, held a join code.
    for (const s of h.sent.filter((x) => x.chat.kind === 'group')) expect(codesIn(s.text)).toEqual([]);
  });
});

describe('revoking sticks', () => {
  it('an officer whose role was taken back cannot rejoin with the old code; only /phanquyen brings them back', async () => {
    h = await demo();
    const code = unitOf(h.db, 'CAMBINH').joinCode;
    await h.say(HOA, '/huongdan', PRIVATE);
    const sent = await h.say(HOA, `/thuquyen cán bộ ${DUNG} CAMBINH`, GROUP);
    expect(sent.find((s) => s.chat.kind === 'group')!.text).toContain('Người này không còn thuộc đơn vị và mã tham gia của đơn vị không đưa họ vào lại được');
    // The offer of a new code goes to the admin alone.
    expect(sent.find((s) => s.chat.kind === 'private')!.text).toContain('bạn cấp mã mới: gõ /suadonvi CAMBINH rồi chọn “Cấp lại mã tham gia”');
    expect(findCaller(h.db, 'console', DUNG)).toMatchObject({ unitId: null, grants: [] });

    expect(await h.text(DUNG, `/thamgia ${code}`, GROUP)).toBe(
      'Quyền cán bộ đầu mối của bạn tại Xã Cẩm Bình đã được quản trị thu hồi, nên mã tham gia không đưa bạn vào đơn vị này nữa. Nếu có nhầm lẫn, bạn hãy liên hệ quản trị.',
    );
    expect(findCaller(h.db, 'console', DUNG)!.grants).toEqual([]);
    expect(await h.text(DUNG, '/dangky', GROUP)).toContain('chỉ dành cho cán bộ đầu mối');

    // An admin's grant lifts the block.
    await h.say(HOA, `/phanquyen cán bộ ${DUNG} CAMBINH`, GROUP);
    expect(h.db.select().from(joinBlocks).all()).toEqual([]);
    await h.say(HOA, `/thuquyen cán bộ ${DUNG} CAMBINH`, GROUP);
    await h.say(HOA, `/phanquyen cán bộ ${DUNG} CAMBINH`, GROUP);
    expect(await h.text(DUNG, `/thamgia ${code}`, GROUP)).toBe('Bạn đã thuộc Xã Cẩm Bình rồi; không có gì thay đổi.');
  });
});

describe('a stopped unit is stopped', () => {
  async function stopCamBinh() {
    h.db.update(units).set({ active: false }).where(eq(units.shortCode, 'CAMBINH')).run();
  }
  const DUNG_GROUP = GROUP;
  const STOPPED =
    'Xã Cẩm Bình đã ngừng hoạt động nên không đăng ký, cập nhật hay đề nghị công nhận mô hình được nữa. Bạn vẫn xem được mô hình (/mohinh) và báo cáo (/baocao) của đơn vị.';

  it('its officers can no longer register, update, correct an update or propose; they can still read', async () => {
    h = await demo();
    const running = h.db
      .select()
      .from(models)
      .where(and(eq(models.unitId, unitOf(h.db, 'CAMBINH').id), eq(models.state, 'in_progress')))
      .get()!;
    // Correcting this month's update, begun before the stop: refused at its end, what was typed kept.
    expect(await h.text(DUNG, `/capnhat ${running.code}`, DUNG_GROUP)).toContain('Bạn muốn sửa cập nhật đó hay thêm cập nhật mới?');
    await h.say(DUNG, 'sửa cập nhật đó', DUNG_GROUP);
    await h.say(DUNG, 'Đã tổ chức thêm hai buổi tuyên truyền.', DUNG_GROUP);
    await h.say(DUNG, '80', DUNG_GROUP);
    await h.say(DUNG, 'bỏ qua', DUNG_GROUP);
    await stopCamBinh();
    const updates = h.db.select().from(progressUpdates).all().length;
    const refused = await h.text(DUNG, 'đồng ý', DUNG_GROUP);
    expect(refused).toContain(STOPPED);
    expect(refused).toContain('Đã tổ chức thêm hai buổi tuyên truyền.');
    expect(h.db.select().from(progressUpdates).all()).toHaveLength(updates);
    await h.say(DUNG, '/huy', DUNG_GROUP);

    expect(await h.text(DUNG, '/dangky', DUNG_GROUP)).toBe(STOPPED);
    expect(await h.text(DUNG, '/capnhat', DUNG_GROUP)).toBe(STOPPED);
    expect(await h.text(DUNG, `/capnhat ${running.code}`, DUNG_GROUP)).toBe(STOPPED);
    expect(await h.text(DUNG, `/denghi ${running.code}`, DUNG_GROUP)).toBe(STOPPED);
    expect(model(running.code).state).toBe('in_progress');
    expect(h.db.select().from(progressUpdates).all()).toHaveLength(updates);

    expect(await h.text(DUNG, '/mohinh', DUNG_GROUP)).toContain('(Đơn vị đã ngừng hoạt động: chỉ còn xem được, không đăng ký hay cập nhật thêm.)');
    expect(await h.text(DUNG, `/mohinh ${running.code}`, DUNG_GROUP)).toContain(`${running.code} “${running.name}”`);
    expect(await h.text(DUNG, '/baocao', DUNG_GROUP)).toContain('Xã Cẩm Bình');
  });
});
