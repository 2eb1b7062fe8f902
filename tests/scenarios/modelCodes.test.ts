import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { fold } from '../../core/text.js';
import { parseModelCode } from '../../core/modelCode.js';
import { type ModelRow } from '../../db/models.js';
import { identities, models, units } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { decideText } from '../helpers/decide.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';

/**
 * Issue 16, item 8: model codes past 9999 (DVK-2026-10000 follows DVK-2026-9999) are found by
 * every command that takes a code, however the code is typed, through one parser.
 */

const GROUP = { group: DEMO_GROUP };
const { admin: HOA, leader: BINH, officer: CHAU } = DEMO_PEOPLE;

let h: Harness;
const demo = demoPerTest();

describe('parseModelCode', () => {
  it.each([
    ['DVK-2026-0007', 'DVK-2026-0007'],
    ['dvk 2026 7', 'DVK-2026-0007'],
    ['Dvk20260007', 'DVK-2026-0007'],
    ['DVK-2026-10001', 'DVK-2026-10001'],
    ['dvk-2026-010001', 'DVK-2026-10001'], // zeros beyond four digits are not part of the code
    ['DVK_2026_123456', 'DVK-2026-123456'],
    ['DVK-2026-000042', 'DVK-2026-0042'],
    ['DVK-2026-1234567', undefined], // seven digits: not a code
    ['DVK-26-0001', undefined],
    ['CX-2026-0001', undefined],
  ])('%s → %s', (typed, code) => {
    expect(parseModelCode(typed)).toBe(code);
  });
});

/** A model of Xã Cẩm Xuyên registered by its officer, under a code the counter reaches one day. */
function addModel(code: string): ModelRow {
  const template = h.db.select().from(models).where(eq(models.code, 'DVK-2026-0001')).get()!;
  const camxuyen = h.db.select().from(units).where(eq(units.shortCode, 'CAMXUYEN')).get()!;
  const chau = h.db.select().from(identities).where(eq(identities.platformUserId, CHAU)).get()!.personId;
  const { id: _id, ...rest } = template;
  const name = `Mô hình thử mã ${code}`;
  return h.db
    .insert(models)
    .values({
      ...rest,
      code,
      year: 2026,
      unitId: camxuyen.id,
      name,
      nameKey: fold(name),
      state: 'pending',
      replicatedAt: null,
      commendedAt: null,
      createdBy: chau,
    })
    .returning()
    .get();
}

function fresh(model: ModelRow): ModelRow {
  return h.db.select().from(models).where(eq(models.id, model.id)).get()!;
}

const FIRST_LINE = (text: string) => text.split('\n')[0]!;

describe.each([
  // [the code, the next one, how someone may type the code]
  ['DVK-2026-10001', 'DVK-2026-10002', 'dvk-2026-010001'],
  ['DVK-2026-123456', 'DVK-2026-123457', 'dvk 2026 123456'],
])('a model coded %s', (code, next, typed) => {
  it('is found by /mohinh, /tralai, /duyet, /capnhat, /denghi, /congnhan, /nhanrong, /bieuduong and /nhatky', async () => {
    h = await demo({ now: '2026-03-10T09:00:00+07:00' });
    const model = addModel(code);
    const other = addModel(next);
    const oneWord = typed.replace(/ /g, '-');

    // Typed with spaces, the code is still read whole: not a year in /mohinh, not a reason after /duyet.
    for (const spelling of [code, oneWord, typed]) {
      expect(FIRST_LINE(await h.text(CHAU, `/mohinh ${spelling}`, GROUP)), spelling).toBe(`${code} “Mô hình thử mã ${code}”`);
    }

    const nextTyped = typed.includes(' ') ? next.replace(/-/g, ' ').toLowerCase() : next.toLowerCase();
    expect(await decideText(h, BINH, `/tralai ${nextTyped} Cần ghi rõ kết quả dự kiến`, GROUP)).toContain(
      `↩️ ${next} “Mô hình thử mã ${next}” của Xã Cẩm Xuyên được trả lại để bổ sung. Lý do: Cần ghi rõ kết quả dự kiến.`,
    );
    expect(fresh(other).state).toBe('returned');

    expect(await decideText(h, BINH, `/duyet ${typed}`, GROUP)).toContain(`✅ Đã duyệt ${code}`);
    expect(fresh(model).state).toBe('in_progress');

    for (const spelling of [code, typed]) {
      expect(await h.text(CHAU, `/capnhat ${spelling}`, GROUP), spelling).toContain(`Cập nhật tiến độ ${code} “Mô hình thử mã ${code}”.`);
      await h.say(CHAU, '/huy', GROUP);
    }

    expect(await decideText(h, CHAU, `/denghi ${code}`, GROUP)).toContain(code);
    expect(fresh(model).state).toBe('proposed');
    expect(await decideText(h, BINH, `/congnhan ${oneWord}`, GROUP)).toContain(code);
    expect(fresh(model).state).toBe('recognised');
    expect(await decideText(h, BINH, `/nhanrong ${code}`, GROUP)).toContain(code);
    expect(fresh(model).replicatedAt).not.toBeNull();
    expect(await decideText(h, BINH, `/bieuduong ${oneWord}`, GROUP)).toContain(code);
    expect(fresh(model).commendedAt).not.toBeNull();

    for (const spelling of [code, oneWord]) {
      expect(FIRST_LINE(await h.text(HOA, `/nhatky ${spelling}`, GROUP)), spelling).toContain(`của mô hình ${code} — trang 1/1`);
    }
  });
});
