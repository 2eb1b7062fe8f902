import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, conversations, identities, models, modelStateHistory, roles, units } from '../../db/schema.js';
import { DEMO_COMMUNE_GROUP, DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { DANGKY_ANSWERS } from '../helpers/dangkyAnswers.js';
import { demoPerTest, type Harness, type SayOptions } from '../helpers/harness.js';
import { modelsOf } from '../helpers/rows.js';

const GROUP = { group: DEMO_GROUP };
const OFFICER = DEMO_PEOPLE.officer; // Lê Minh Châu, Xã Cẩm Xuyên
let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });

const ANSWERS: readonly string[] = DANGKY_ANSWERS;

async function register(who: string, answers = ANSWERS, options: SayOptions = GROUP) {
  await h.say(who, '/dangky', options);
  for (const answer of answers) await h.say(who, answer, options);
  return h.text(who, 'đồng ý', options);
}

describe('/dangky', () => {
  it('registers a model for the officer’s unit, pending, with a code, history and audit', async () => {
    h = await demo();
    const before = modelsOf(h.db, 'CAMXUYEN').length;
    const reply = await register(OFFICER);
    expect(reply).toMatch(
      /^✅ Đã ghi nhận “Chợ phiên 0 đồng cho hộ nghèo” \(Mô hình “Dân vận khéo”\) của Xã Cẩm Xuyên\.\nMã: DVK-2026-(\d{4}) — trạng thái: chờ duyệt\.$/,
    );
    const saved = modelsOf(h.db, 'CAMXUYEN');
    expect(saved).toHaveLength(before + 1);
    const model = saved.find((m) => m.name === 'Chợ phiên 0 đồng cho hộ nghèo')!;
    expect(reply).toContain(model.code);
    expect(model).toMatchObject({
      year: 2026,
      kind: 'dan_van_kheo',
      holderType: 'collective',
      holderName: null,
      state: 'pending',
      startDate: '2026-03-01',
      endDate: '2026-12-31',
      expectedResult: null,
      personInCharge: 'Lê Minh Châu, chuyên viên',
      nameKey: 'cho phien 0 dong cho ho ngheo',
    });
    // Codes run on: the demo registered nine models this year.
    expect(model.code).toBe('DVK-2026-0010');
    expect(h.db.select().from(modelStateHistory).where(eq(modelStateHistory.modelId, model.id)).all()).toEqual([
      expect.objectContaining({ fromState: null, toState: 'pending', actorPersonId: model.createdBy }),
    ]);
    const audit = h.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'model.register'), eq(auditLog.entityId, String(model.id))))
      .all();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorLabel).toBe(`${OFFICER} (console:${OFFICER})`);
  });

  it('names the third kind as the Law on Grassroots Democracy 2022 does, and still understands the old “quy chế” words', async () => {
    h = await demo();
    const reply = await register(OFFICER, ['điểm sáng quy chế dân chủ', ...ANSWERS.slice(1)]);
    expect(reply).toContain('(Điểm sáng về thực hiện dân chủ ở cơ sở)');
    expect(modelsOf(h.db, 'CAMXUYEN').find((m) => m.name === 'Chợ phiên 0 đồng cho hộ nghèo')?.kind).toBe('diem_sang_qcdc');
  });

  it('refuses people without a unit role, and saves nothing', async () => {
    h = await demo();
    expect(await h.text('Nguyễn Văn An', '/dangky', GROUP)).toBe(
      'Lệnh /dangky chỉ dành cho cán bộ đầu mối của đơn vị, lãnh đạo và quản trị. Bạn chưa thuộc đơn vị nào: gõ /thamgia <mã đơn vị> (mã do quản trị của nhóm cung cấp), hoặc nhờ quản trị thêm bạn vào đơn vị của mình.',
    );
  });

  it('catches the same name twice for one unit and year, typed differently', async () => {
    h = await demo();
    await register(OFFICER);
    await h.say(OFFICER, '/dangky', GROUP);
    for (const answer of ANSWERS.slice(0, 3)) await h.say(OFFICER, answer, GROUP);
    const reply = await h.text(OFFICER, 'CHỢ PHIÊN 0 ĐỒNG CHO HỘ NGHÈO'.normalize('NFD'), GROUP);
    expect(reply).toContain('⚠️ Đơn vị đã đăng ký một mô hình cùng tên trong năm 2026 (mã DVK-2026-0010)');
    expect(reply).toContain('Tên mô hình là gì?');
  });

  it('two officers of one unit confirming the same name at once: one is saved, the other asked for a new name', async () => {
    h = await demo();
    const camxuyen = h.db.select().from(units).where(eq(units.shortCode, 'CAMXUYEN')).get()!;
    await h.say('Trần Thị Thu', '/huongdan', GROUP); // first contact creates the person
    const thu = h.db.select().from(identities).where(eq(identities.platformUserId, 'Trần Thị Thu')).get()!;
    h.db.insert(roles).values({ personId: thu.personId, role: 'officer', unitId: camxuyen.id, createdAt: 0 }).run();

    for (const who of [OFFICER, 'Trần Thị Thu']) {
      await h.say(who, '/dangky', GROUP);
      for (const answer of ANSWERS) await h.say(who, answer, GROUP);
    }
    const [first, second] = await Promise.all([h.text(OFFICER, '1', GROUP), h.text('Trần Thị Thu', '1', GROUP)]);
    expect(first).toContain('✅ Đã ghi nhận');
    expect(second).toContain('⚠️ Đơn vị đã đăng ký một mô hình cùng tên trong năm 2026');
    expect(second).toContain('Tên mô hình là gì?');
    expect(modelsOf(h.db, 'CAMXUYEN').filter((m) => m.name === 'Chợ phiên 0 đồng cho hộ nghèo')).toHaveLength(1);
    // Thu gives another name and her other answers are kept.
    expect(await h.text('Trần Thị Thu', 'Chợ phiên nghĩa tình', GROUP)).toContain('Mời bạn kiểm tra lại trước khi lưu:');
    expect(await h.text('Trần Thị Thu', '1', GROUP)).toContain('✅ Đã ghi nhận “Chợ phiên nghĩa tình”');
  });

  it('re-asks impossible dates and an end before the start', async () => {
    h = await demo();
    await h.say(OFFICER, '/dangky', GROUP);
    for (const answer of ANSWERS.slice(0, 6)) await h.say(OFFICER, answer, GROUP);
    expect(await h.text(OFFICER, '30/02/2026', GROUP)).toContain('⚠️ Tháng 2/2026 không có ngày 30, bạn gõ lại ngày khác.');
    expect(await h.text(OFFICER, 'ngày 1 tháng 6', GROUP)).toContain('Ngày kết thúc dự kiến?');
    expect(await h.text(OFFICER, '31/5/2026', GROUP)).toContain('⚠️ Ngày kết thúc phải từ ngày bắt đầu (01/06/2026) trở đi.');
  });

  it('a leader picks a unit of their subtree by code or name; others are refused', async () => {
    h = await demo();
    const leader = DEMO_PEOPLE.leader; // Ban Tuyên giáo và Dân vận, leader of the whole province
    expect(await h.text(leader, '/dangky', GROUP)).toContain('(1/10) Bạn đăng ký cho đơn vị nào?');
    expect(await h.text(leader, 'Cẩm', GROUP)).toMatch(/Chưa tìm thấy đơn vị đó\. Có \d+ đơn vị khớp, ví dụ: .*Xã Cẩm Bình \(CAMBINH\)/);
    expect(await h.text(leader, 'cambinh', GROUP)).toContain('(2/10) Đăng ký loại nào?');
    for (const answer of ANSWERS) await h.say(leader, answer, GROUP);
    expect(h.sent.at(-1)!.text).toContain('(1) Đơn vị: Xã Cẩm Bình');
    expect(await h.text(leader, '1', GROUP)).toContain('của Xã Cẩm Bình');
    expect(modelsOf(h.db, 'CAMBINH').some((m) => m.name === 'Chợ phiên 0 đồng cho hộ nghèo')).toBe(true);
  });

  it('a leader of a unit with units under it (the Mặt trận) cannot register for a unit outside it', async () => {
    h = await demo();
    const front = h.db.select().from(units).where(eq(units.shortCode, 'MTTQ')).get()!;
    await h.say('Lê Văn Sơn', '/huongdan', GROUP);
    const son = h.db.select().from(identities).where(eq(identities.platformUserId, 'Lê Văn Sơn')).get()!;
    h.db.insert(roles).values({ personId: son.personId, role: 'leader', unitId: front.id, createdAt: 0 }).run();
    await h.say('Lê Văn Sơn', '/dangky', GROUP);
    expect(h.sent.at(-1)!.reply.choices!.map((c) => c.label)).toEqual([
      'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh',
      'Tỉnh đoàn Hà Tĩnh',
      'Hội Liên hiệp Phụ nữ tỉnh Hà Tĩnh',
    ]);
    expect(await h.text('Lê Văn Sơn', 'CAMBINH', GROUP)).toContain('⚠️ Chưa tìm thấy đơn vị đó.');
    expect(await h.text('Lê Văn Sơn', 'tinh doan', GROUP)).toContain('Đăng ký loại nào?');
  });

  it('an individual holder is asked who, and the answer is saved', async () => {
    h = await demo();
    const answers = [...ANSWERS];
    answers.splice(1, 1, 'cá nhân', 'Thiếu tá Nguyễn Văn Hùng, Công an xã');
    await register(OFFICER, answers);
    const model = modelsOf(h.db, 'CAMXUYEN').find((m) => m.name === 'Chợ phiên 0 đồng cho hộ nghèo')!;
    expect(model).toMatchObject({ holderType: 'individual', holderName: 'Thiếu tá Nguyễn Văn Hùng, Công an xã' });
  });
});

describe('/dangky in a private chat', () => {
  it('answers privately and tells the unit’s group, mentioning its officers', async () => {
    h = await demo();
    const reply = await register(OFFICER, ANSWERS, { private: true });
    expect(reply).toContain('✅ Đã ghi nhận “Chợ phiên 0 đồng cho hộ nghèo”');
    const notices = h.sent.filter((s) => s.chat.kind === 'group');
    // Lê Minh Châu is an officer of Cẩm Xuyên seen in both demo groups.
    expect(notices.map((n) => n.chat.id).sort()).toEqual([DEMO_GROUP, DEMO_COMMUNE_GROUP]);
    for (const notice of notices) {
      expect(notice.text).toBe(`@${OFFICER}: ${OFFICER} vừa đăng ký “Chợ phiên 0 đồng cho hộ nghèo” cho Xã Cẩm Xuyên (mã DVK-2026-0010, chờ duyệt).`);
    }
  });
});

describe('/dangky validates every step and saves nothing on a wrong answer', () => {
  // [step reached after these answers, a wrong answer, the reason shown]
  const CASES: Array<[number, string, string]> = [
    [0, '', 'Chưa rõ bạn chọn mục nào'],
    [
      0,
      '4',
      'Chưa rõ bạn chọn mục nào. Bạn gõ 1 (Mô hình “Dân vận khéo”), 2 (Điểm sáng về dân vận chính quyền) hoặc 3 (Điểm sáng về thực hiện dân chủ ở cơ sở).',
    ],
    [0, 'điểm sáng', 'Chưa rõ bạn chọn mục nào'], // two kinds share these words
    [1, 'nhóm', 'Chưa rõ bạn chọn mục nào'],
    [2, 'y tế', 'Chưa rõ bạn chọn mục nào. Bạn hãy trả lời bằng số từ 1 đến 7'],
    [3, '   ', 'Câu trả lời đang trống'],
    [3, 'Chợ', 'ngắn quá: cần ít nhất 5 ký tự'],
    [3, 'Tên '.repeat(60), 'dài quá: tối đa 200 ký tự (bạn đã gửi 239)'],
    [4, 'Ngắn', 'ngắn quá: cần ít nhất 10 ký tự'],
    [4, 'x'.repeat(2001), 'tối đa 2000 ký tự (bạn đã gửi 2001)'],
    [6, '31/4/2026', 'Tháng 4/2026 không có ngày 31, bạn gõ lại ngày khác.'],
    [6, 'tháng sau', 'Ngày chưa đúng'],
    [7, '28/2/2026', 'Ngày kết thúc phải từ ngày bắt đầu (01/03/2026) trở đi.'],
    [8, 'An', 'ngắn quá: cần ít nhất 3 ký tự'],
  ];

  it.each(CASES)('after %i answers, %j is refused: %s', async (reached, wrong, reason) => {
    h = await demo();
    const before = h.db.select().from(models).all().length;
    await h.say(OFFICER, '/dangky', GROUP);
    for (const answer of ANSWERS.slice(0, reached)) await h.say(OFFICER, answer, GROUP);
    const question = h.sent.at(-1)!.text;
    const reply = await h.text(OFFICER, wrong, GROUP);
    expect(reply).toContain(`⚠️ `);
    expect(reply).toContain(reason);
    // The same question is asked again, and a giant answer is never echoed back.
    expect(reply.endsWith(question.replace(/^⚠️[^\n]*\n\n/, ''))).toBe(true);
    expect(reply.length).toBeLessThan(question.length + 250);
    // The wrong answer was not taken: only the earlier answers are kept.
    expect(Object.keys(h.db.select().from(conversations).get()!.answers as object)).toHaveLength(reached);
    expect(h.db.select().from(models).all()).toHaveLength(before);
  });
});
