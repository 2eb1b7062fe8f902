import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { formatVnDate } from '../../core/clock.js';
import { type ModelRow, registerModel } from '../../db/models.js';
import { quotaStatus } from '../../db/quotas.js';
import { identities, type ModelState, MODEL_STATES, models, progressUpdates, roles, settings, unitQuotas } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { decide } from '../helpers/decide.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { modelsOf, newModel, unitOf } from '../helpers/rows.js';

const NOW = '2026-11-21T09:00:00+07:00';
const GROUP = { group: DEMO_GROUP };
const { admin: HOA, leader: BINH, officer: CHAU } = DEMO_PEOPLE; // Châu: officer of Xã Cẩm Xuyên

let h: Harness;
const demo = demoPerTest({ now: NOW });

/** The unit's models of the year that fill its quota (approved ones), counted straight from the table. */
function countedInDb(shortCode: string, year: number): number {
  return h.db
    .select()
    .from(models)
    .where(and(eq(models.unitId, unitOf(h.db, shortCode).id), eq(models.year, year), inArray(models.state, ['in_progress', 'proposed', 'recognised'])))
    .all().length;
}

function requiredInDb(shortCode: string, year: number): number | undefined {
  return h.db
    .select()
    .from(unitQuotas)
    .where(and(eq(unitQuotas.unitId, unitOf(h.db, shortCode).id), eq(unitQuotas.year, year)))
    .get()?.required;
}

/** Registers a model for the unit and year, then puts it in the given state. */
function addModel(shortCode: string, year: number, name: string, state: ModelState = 'pending'): ModelRow {
  const input = newModel(h.db, unitOf(h.db, shortCode).id, name, { year });
  const model = h.db.transaction((tx) => registerModel(tx, input, { personId: null, label: 'test' }, h.clock.now()));
  return h.db.update(models).set({ state }).where(eq(models.id, model.id)).returning().get();
}

describe('/mohinh for an officer', () => {
  it('lists the unit’s models of the year with progress, against the quota', async () => {
    h = await demo();
    const own = modelsOf(h.db, 'CAMXUYEN', 2026);
    const counted = countedInDb('CAMXUYEN', 2026);
    const required = requiredInDb('CAMXUYEN', 2026)!;
    // The demo asks Cẩm Xuyên for two models and registers one: a gap to show.
    expect([counted, required]).toEqual([1, 2]);
    const reply = await h.text(CHAU, '/mohinh', GROUP);
    expect(reply).toBe(
      [
        `Mô hình, điểm sáng năm 2026 của Xã Cẩm Xuyên: ${counted}/${required} theo chỉ tiêu (còn thiếu ${required - counted})`,
        `• ${own[0]!.code} “${own[0]!.name}” — được công nhận, đã nhân rộng, 100%, đã hoàn thành (20/08)`,
        'Gõ /mohinh <mã mô hình> để xem chi tiết một mô hình.',
      ].join('\n'),
    );
    // Only the unit's own models: the communes under it are other units.
    expect(reply).not.toContain(modelsOf(h.db, 'CAMBINH', 2026)[0]!.code);
  });

  it('a model without updates says so; the quota is met by a second model, not by a returned one', async () => {
    h = await demo();
    const returned = addModel('CAMXUYEN', 2026, 'Mô hình bị trả lại của xã', 'returned');
    let reply = await h.text(CHAU, '/mohinh', GROUP);
    expect(reply).toContain('1/2 theo chỉ tiêu (còn thiếu 1)');
    expect(reply).toContain(`• ${returned.code} “Mô hình bị trả lại của xã” — bị trả lại, chưa có cập nhật (không tính vào chỉ tiêu)`);

    const second = addModel('CAMXUYEN', 2026, 'Mô hình thứ hai của xã', 'in_progress');
    h.db
      .insert(progressUpdates)
      .values({
        modelId: second.id,
        text: 'Đã triển khai ở 3 thôn.',
        percent: 40,
        progressState: 'in_progress',
        periodYear: 2026,
        periodMonth: 11,
        periodQuarter: 4,
        createdAt: Date.parse('2026-11-15T10:00:00+07:00'),
        updatedAt: Date.parse('2026-11-15T10:00:00+07:00'),
      })
      .run();
    expect(countedInDb('CAMXUYEN', 2026)).toBe(2);
    reply = await h.text(CHAU, '/mohinh', GROUP);
    expect(reply.split('\n')[0]).toBe('Mô hình, điểm sáng năm 2026 của Xã Cẩm Xuyên: 2/2 theo chỉ tiêu (đã đủ chỉ tiêu)');
    expect(reply).toContain(`• ${second.code} “Mô hình thứ hai của xã” — đang thực hiện, 40% (15/11)`);
  });

  it('a pending model is shown apart and fills the quota only once a leader approves it', async () => {
    h = await demo();
    const waiting = addModel('CAMXUYEN', 2026, 'Mô hình mới đăng ký của xã');
    expect(quotaStatus(h.db, unitOf(h.db, 'CAMXUYEN').id, 2026)).toEqual({ year: 2026, required: 2, counted: 1, pending: 1, missing: 1 });
    let reply = await h.text(CHAU, '/mohinh', GROUP);
    expect(reply.split('\n')[0]).toBe('Mô hình, điểm sáng năm 2026 của Xã Cẩm Xuyên: 1/2 theo chỉ tiêu (còn thiếu 1; 1 mô hình đang chờ duyệt)');
    expect(reply).toContain(`• ${waiting.code} “Mô hình mới đăng ký của xã” — chờ duyệt, chưa có cập nhật (chưa tính vào chỉ tiêu)`);

    await decide(h, BINH, `/duyet ${waiting.code}`, GROUP);
    expect(countedInDb('CAMXUYEN', 2026)).toBe(2);
    reply = await h.text(CHAU, '/mohinh', GROUP);
    expect(reply.split('\n')[0]).toBe('Mô hình, điểm sáng năm 2026 của Xã Cẩm Xuyên: 2/2 theo chỉ tiêu (đã đủ chỉ tiêu)');
    expect(reply).toContain(`• ${waiting.code} “Mô hình mới đăng ký của xã” — đang thực hiện, chưa có cập nhật\n`);
  });

  it('counts each year on its own: a 2025 model does not fill the 2026 quota', async () => {
    h = await demo();
    const old = addModel('CAMXUYEN', 2025, 'Mô hình năm trước của xã', 'recognised');
    expect(old.code).toBe('DVK-2025-0001');
    expect(quotaStatus(h.db, unitOf(h.db, 'CAMXUYEN').id, 2026)).toEqual({ year: 2026, required: 2, counted: 1, pending: 0, missing: 1 });

    const now = await h.text(CHAU, '/mohinh', GROUP);
    expect(now.split('\n')[0]).toBe('Mô hình, điểm sáng năm 2026 của Xã Cẩm Xuyên: 1/2 theo chỉ tiêu (còn thiếu 1)');
    expect(now).not.toContain(old.code);

    // 2025 has no quota row of its own: the default of one applies, met by that model alone.
    expect(requiredInDb('CAMXUYEN', 2025)).toBeUndefined();
    const last = await h.text(CHAU, '/mohinh 2025', GROUP);
    expect(await h.text(BINH, '/mohinh CAMXUYEN năm 2025', GROUP)).toBe(last);
    expect(await h.text(BINH, '/mohinh 2025 camxuyen', GROUP)).toBe(last);
    expect(last).toBe(
      [
        'Mô hình, điểm sáng năm 2025 của Xã Cẩm Xuyên: 1/1 theo chỉ tiêu (đã đủ chỉ tiêu)',
        `• ${old.code} “Mô hình năm trước của xã” — được công nhận, chưa có cập nhật`,
        'Gõ /mohinh <mã mô hình> để xem chi tiết một mô hình.',
      ].join('\n'),
    );
  });

  it('takes the default quota from the settings when the unit has no row for the year', async () => {
    h = await demo();
    h.db.update(settings).set({ value: 2 }).where(eq(settings.key, 'quota.default')).run();
    expect(await h.text('Bùi Thị Lan', '/mohinh', GROUP)).toContain(
      // Đức Thọ's only model was returned, so nothing counts yet.
      'Mô hình, điểm sáng năm 2026 của Xã Đức Thọ: 0/2 theo chỉ tiêu (còn thiếu 2)',
    );
    expect(await h.text(CHAU, '/mohinh', GROUP)).toContain('1/2 theo chỉ tiêu'); // its own row still wins
  });

  it('shows a card with the history and updates, most recent first', async () => {
    h = await demo();
    const model = modelsOf(h.db, 'CAMXUYEN', 2026)[0]!;
    const card = await h.text(CHAU, `/mohinh ${model.code.toLowerCase()}`, GROUP);
    const lines = card.split('\n');
    expect(lines.slice(0, 10)).toEqual([
      `${model.code} “${model.name}”`,
      '• Đơn vị: Xã Cẩm Xuyên',
      '• Loại: Mô hình “Dân vận khéo”',
      '• Chủ thể: Tập thể',
      '• Lĩnh vực: Xây dựng nông thôn mới',
      '• Thời gian: 01/02/2026 – 30/11/2026',
      '• Người phụ trách: Nguyễn Văn Hùng, Phó Chủ tịch UBND xã',
      `• Nội dung: ${model.content}`,
      `• Kết quả dự kiến: ${model.expectedResult}`,
      `• Trạng thái: được công nhận; đã nhân rộng (${formatVnDate(new Date(model.replicatedAt!))})`,
    ]);
    const history = lines.slice(lines.indexOf('Lịch sử:') + 1, lines.indexOf('Cập nhật:') - 1);
    expect(history).toEqual([
      `• 10/11/2026 — nhân rộng — ${BINH}`,
      `• 12/10/2026 — được công nhận — ${BINH}`,
      `• 25/08/2026 — đề nghị công nhận — ${CHAU}`,
      `• 05/02/2026 — được duyệt, đang thực hiện — ${HOA}`,
      `• 15/01/2026 — đăng ký, chờ duyệt — ${CHAU}`,
    ]);
    const updates = lines.slice(lines.indexOf('Cập nhật:') + 1);
    expect(updates.map((l) => l.slice(0, 30))).toEqual([
      '• 20/08/2026 — 100%, đã hoàn t',
      '• 14/07/2026 — 90% — Thêm 6 kh',
      '• 13/05/2026 — 60% — Hoàn thàn',
      '• 14/03/2026 — 30% — Đã tổ chứ',
    ]);
  });

  it('shows a reason in the history, and at most ten updates with a count of the rest', async () => {
    h = await demo();
    const model = modelsOf(h.db, 'DUCTHO', 2026)[0]!;
    for (let i = 1; i <= 12; i++) {
      const at = Date.parse(`2026-10-${String(i).padStart(2, '0')}T10:00:00+07:00`);
      h.db
        .insert(progressUpdates)
        .values({
          modelId: model.id,
          text: `Cập nhật số ${i}`,
          percent: i * 5,
          progressState: 'in_progress',
          periodYear: 2026,
          periodMonth: 10,
          periodQuarter: 4,
          createdAt: at,
          updatedAt: at,
        })
        .run();
    }
    const card = await h.text('Bùi Thị Lan', `/mohinh ${model.code}`, GROUP);
    expect(card).toContain(
      '• 12/02/2026 — bị trả lại — Nguyễn Thị Hoa — Lý do: Nội dung trùng với mô hình năm trước; đề nghị bổ sung mục tiêu và kết quả dự kiến cụ thể.',
    );
    const updates = card.split('\n').slice(card.split('\n').indexOf('Cập nhật:') + 1);
    expect(updates).toHaveLength(11);
    expect(updates[0]).toBe('• 12/10/2026 — 60% — Cập nhật số 12');
    expect(updates[9]).toBe('• 03/10/2026 — 15% — Cập nhật số 3');
    expect(updates[10]).toBe('… và 2 cập nhật cũ hơn.');
  });

  it('refuses another unit’s model and another unit’s list, even a commune under theirs', async () => {
    h = await demo();
    const other = modelsOf(h.db, 'CAMBINH', 2026)[0]!;
    // Another unit's model or list reads exactly like one that does not exist: no enumeration.
    const notHere = (code: string) =>
      `Không có mô hình ${code} hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã (dạng DVK-2026-0001); gõ /mohinh để xem danh sách.`;
    expect(await h.text(CHAU, `/mohinh ${other.code}`, GROUP)).toBe(notHere(other.code));
    expect(await h.text(CHAU, '/mohinh DVK-2026-0999', GROUP)).toBe(notHere('DVK-2026-0999'));
    const noUnit = (typed: string) => `Không có đơn vị hay mô hình “${typed}” hoặc ở ngoài phạm vi của bạn. `;
    expect(await h.text(CHAU, '/mohinh cx-cambinh', GROUP)).toMatch(new RegExp(`^${noUnit('cx-cambinh')}Bạn gõ /mohinh`));
    expect(await h.text(CHAU, '/mohinh cx-khongco', GROUP)).toMatch(new RegExp(`^${noUnit('cx-khongco')}Bạn gõ /mohinh`));
    expect(await h.text(CHAU, '/mohinh Xã Cẩm Bình', GROUP)).toMatch(new RegExp(`^${noUnit('Xã Cẩm Bình')}Bạn gõ /mohinh`));
    expect(await h.text(CHAU, '/mohinh abcxyz', GROUP)).toMatch(new RegExp(`^${noUnit('abcxyz')}Bạn gõ /mohinh`));
  });

  it('is refused to people without a unit role', async () => {
    h = await demo();
    expect(await h.text('Nguyễn Văn An', '/mohinh', GROUP)).toBe(
      'Lệnh /mohinh chỉ dành cho cán bộ đầu mối của đơn vị, lãnh đạo và quản trị. Bạn chưa thuộc đơn vị nào: gõ /thamgia <mã đơn vị> (mã do quản trị của nhóm cung cấp), hoặc nhờ quản trị thêm bạn vào đơn vị của mình.',
    );
  });
});

describe('/mohinh for leaders and admins', () => {
  it('gives an overview of the scope: models per state, matching the database', async () => {
    h = await demo();
    const all = h.db.select().from(models).where(eq(models.year, 2026)).all();
    const expected = [`Mô hình, điểm sáng năm 2026 trong phạm vi bạn phụ trách: ${all.length}.`];
    for (const state of MODEL_STATES) {
      const n = all.filter((m) => m.state === state).length;
      if (n > 0) expected.push(`• ${stateLabel(state)}: ${n}`);
    }
    const replicated = all.filter((m) => m.replicatedAt !== null).length;
    expect(replicated).toBe(1);
    expected.push(`• đã nhân rộng: ${replicated}`);
    const commended = all.filter((m) => m.commendedAt !== null).length;
    expect(commended).toBe(1);
    expected.push(`• đã biểu dương, khen thưởng: ${commended}`);
    expected.push('Có 1 mô hình chờ duyệt: gõ /duyet để xem.');
    expected.push('Gõ /mohinh <mã đơn vị> hoặc /mohinh <mã mô hình> để xem chi tiết.');
    expect(await h.text(BINH, '/mohinh', GROUP)).toBe(expected.join('\n'));
    expect((await h.text(HOA, '/mohinh', GROUP)).split('\n')[0]).toBe(`Mô hình, điểm sáng năm 2026 trong toàn bộ các đơn vị: ${all.length}.`);
  });

  it('lists a unit of the scope by its code and opens any card in it', async () => {
    h = await demo();
    const list = await h.text(BINH, '/mohinh camxuyen', GROUP);
    expect(list.split('\n')[0]).toBe('Mô hình, điểm sáng năm 2026 của Xã Cẩm Xuyên: 1/2 theo chỉ tiêu (còn thiếu 1)');
    const commune = modelsOf(h.db, 'CAMBINH', 2026)[0]!;
    expect(await h.text(BINH, `/mohinh ${commune.code}`, GROUP)).toContain('• Đơn vị: Xã Cẩm Bình');
    expect(await h.text(BINH, '/mohinh HUONGSON', GROUP)).toBe(
      'Mô hình, điểm sáng năm 2026 của Xã Hương Sơn: 0/1 theo chỉ tiêu (còn thiếu 1)\nChưa có mô hình nào. Gõ /dangky để đăng ký.',
    );
  });

  it('a leader of the Mặt trận sees it and its organisations only', async () => {
    h = await demo();
    await h.say('Lê Văn Sơn', '/huongdan', GROUP);
    const son = h.db.select().from(identities).where(eq(identities.platformUserId, 'Lê Văn Sơn')).get()!;
    h.db
      .insert(roles)
      .values({ personId: son.personId, role: 'leader', unitId: unitOf(h.db, 'MTTQ').id, createdAt: 0 })
      .run();

    const overview = await h.text('Lê Văn Sơn', '/mohinh', GROUP);
    // The Mặt trận has a model not recognised, Tỉnh đoàn (under it) a pending one.
    expect(overview.split('\n').slice(0, 3)).toEqual(['Mô hình, điểm sáng năm 2026 trong phạm vi bạn phụ trách: 2.', '• chờ duyệt: 1', '• không công nhận: 1']);
    // Tỉnh đoàn's one model still waits for approval: it does not fill the quota yet, and is named apart.
    expect(await h.text('Lê Văn Sơn', '/mohinh TINHDOAN', GROUP)).toContain(
      'Mô hình, điểm sáng năm 2026 của Tỉnh đoàn Hà Tĩnh: 0/1 theo chỉ tiêu (còn thiếu 1; 1 mô hình đang chờ duyệt)',
    );
    expect(await h.text('Lê Văn Sơn', '/mohinh CAMXUYEN', GROUP)).toMatch(/^Không có đơn vị hay mô hình “CAMXUYEN” hoặc ở ngoài phạm vi của bạn\./);
    const outside = modelsOf(h.db, 'CAMXUYEN', 2026)[0]!;
    expect(await h.text('Lê Văn Sơn', `/mohinh ${outside.code}`, GROUP)).toBe(
      `Không có mô hình ${outside.code} hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã (dạng DVK-2026-0001); gõ /mohinh để xem danh sách.`,
    );
  });

  it('shows a decision in the card right after it is made', async () => {
    h = await demo();
    const model = modelsOf(h.db, 'TINHDOAN', 2026)[0]!;
    await decide(h, BINH, `/tralai ${model.code} Cần bổ sung kết quả dự kiến.`, GROUP);
    h.clock.advance(60 * 60_000);
    await decide(h, BINH, `/duyet ${model.code}`, GROUP);
    const card = await h.text(BINH, `/mohinh ${model.code}`, GROUP);
    const history = card.split('\n').slice(card.split('\n').indexOf('Lịch sử:') + 1, card.split('\n').indexOf('Cập nhật: chưa có.') - 1);
    expect(history).toEqual([
      `• 21/11/2026 — được duyệt, đang thực hiện — ${BINH}`,
      `• 21/11/2026 — bị trả lại — ${BINH} — Lý do: Cần bổ sung kết quả dự kiến.`,
      '• 18/11/2026 — đăng ký, chờ duyệt — Ngô Văn Long',
    ]);
  });
});

function stateLabel(state: ModelState): string {
  return {
    pending: 'chờ duyệt',
    returned: 'bị trả lại',
    in_progress: 'đang thực hiện',
    proposed: 'đề nghị công nhận',
    recognised: 'được công nhận',
    not_recognised: 'không công nhận',
  }[state];
}
