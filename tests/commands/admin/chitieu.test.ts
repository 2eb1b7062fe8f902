import { describe, expect, it } from 'vitest';
import { defaultQuota } from '../../../db/quotas.js';
import { auditLog, settings, unitQuotas } from '../../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../../helpers/harness.js';
import { auditsOf, findUnit, modelsOf } from '../../helpers/rows.js';

const GROUP = { group: DEMO_GROUP };
const ADMIN = DEMO_PEOPLE.admin; // Nguyễn Thị Hoa

let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });

describe('/chitieu', () => {
  function quotaRows() {
    return h.db.select().from(unitQuotas).all();
  }

  it('sets a unit’s quota for this year or another, and the default; shows them back', async () => {
    h = await demo();
    const shown = await h.text(ADMIN, '/chitieu', GROUP);
    expect(shown).toContain('Chỉ tiêu mặc định: mỗi đơn vị 1 mô hình/năm.\nChỉ tiêu riêng năm 2026:\n• Xã Cẩm Xuyên (CAMXUYEN): 2 mô hình');

    expect(await h.text(ADMIN, '/chitieu ductho 2', GROUP)).toBe('✅ Chỉ tiêu năm 2026 của Xã Đức Thọ (DUCTHO): 2 mô hình.');
    expect(await h.text(ADMIN, '/chitieu DUCTHO 3 2027', GROUP)).toBe('✅ Chỉ tiêu năm 2027 của Xã Đức Thọ (DUCTHO): 3 mô hình.');
    expect(await h.text(ADMIN, '/chitieu CAMXUYEN 0', GROUP)).toBe('✅ Chỉ tiêu năm 2026 của Xã Cẩm Xuyên (CAMXUYEN): 0 mô hình.');
    expect(await h.text(ADMIN, '/chitieu mặc định 2', GROUP)).toContain('✅ Chỉ tiêu mặc định: mỗi đơn vị 2 mô hình/năm.');
    const ductho = findUnit(h.db, 'DUCTHO')!.id;
    expect(quotaRows()).toEqual(
      expect.arrayContaining([
        { unitId: ductho, year: 2026, required: 2 },
        { unitId: ductho, year: 2027, required: 3 },
        { unitId: findUnit(h.db, 'CAMXUYEN')!.id, year: 2026, required: 0 },
      ]),
    );
    expect(defaultQuota(h.db)).toBe(2);
    expect(auditsOf(h.db, 'quota.set')).toHaveLength(4);
    expect(auditsOf(h.db, 'quota.set')[0]).toMatchObject({
      entityId: `${ductho}:2026`,
      before: { required: null },
      after: { unitId: ductho, year: 2026, required: 2 },
    });

    const again = await h.text(ADMIN, '/chitieu', GROUP);
    expect(again).toContain('Chỉ tiêu mặc định: mỗi đơn vị 2 mô hình/năm.');
    expect(again).toContain('• Xã Cẩm Xuyên (CAMXUYEN): 0 mô hình\n• Xã Đức Thọ (DUCTHO): 2 mô hình');
    expect(again).not.toContain('3 mô hình');
  });

  it('refuses bad numbers, years and codes, and changes nothing', async () => {
    h = await demo();
    const before = { quotas: quotaRows(), settings: h.db.select().from(settings).all(), audit: h.db.select().from(auditLog).all().length };
    const cases: [string, string][] = [
      ['/chitieu DUCTHO 21', 'Số mô hình phải là số nguyên từ 0 đến 20'],
      ['/chitieu DUCTHO -1', 'Số mô hình phải là số nguyên từ 0 đến 20'],
      ['/chitieu DUCTHO hai', 'Số mô hình phải là số nguyên từ 0 đến 20'],
      ['/chitieu DUCTHO 1.5', 'Số mô hình phải là số nguyên từ 0 đến 20'],
      ['/chitieu DUCTHO 2 26', 'Năm chưa đúng: bạn gõ năm có 4 chữ số, ví dụ /chitieu DUCTHO 2 2027.'],
      ['/chitieu DUCTHO 2 1999', 'Năm chưa đúng'],
      ['/chitieu DUCTHO 2 2026 thêm', 'Cách gõ:'],
      ['/chitieu macdinh 25', 'Số mô hình mặc định phải là số nguyên từ 0 đến 20'],
      ['/chitieu macdinh', 'Số mô hình mặc định phải là số nguyên từ 0 đến 20'],
      ['/chitieu KHONGCO 2', 'Không tìm thấy đơn vị “KHONGCO” (theo mã hoặc tên).'],
      ['/chitieu Xã Không Có 2 2027', 'Không tìm thấy đơn vị “Xã Không Có” (theo mã hoặc tên). Gõ /donvi để xem mã và tên các đơn vị. Chưa có gì thay đổi.'],
      ['/chitieu Cẩm Bình 21', 'Số mô hình phải là số nguyên từ 0 đến 20'],
      ['/chitieu cam binh 2 26', 'Năm chưa đúng: bạn gõ năm có 4 chữ số, ví dụ /chitieu CAMBINH 2 2027.'],
      // Several units have “Cẩm” in their names: they are listed, and nothing is set.
      [
        '/chitieu Cẩm 2',
        'Có 4 đơn vị khớp, ví dụ: Xã Cẩm Xuyên (CAMXUYEN); Xã Thiên Cầm (THIENCAM); Xã Cẩm Bình (CAMBINH); Xã Cẩm Duệ (CAMDUE). Bạn gõ mã đơn vị cho chắc. Chưa có gì thay đổi.',
      ],
      ['/chitieu DUCTHO 2 2026 thêm', 'Cách gõ:'],
      [`/chitieu ${'9'.repeat(200)}`, 'Nội dung lệnh dài quá.'],
    ];
    for (const [command, expected] of cases) expect(await h.text(ADMIN, command, GROUP), command).toContain(expected);
    expect(quotaRows()).toEqual(before.quotas);
    expect(h.db.select().from(settings).all()).toEqual(before.settings);
    expect(h.db.select().from(auditLog).all()).toHaveLength(before.audit);
  });

  it('takes a unit by its name, with or without diacritics, the number and year after it', async () => {
    h = await demo();
    expect(await h.text(ADMIN, '/chitieu Xã Cẩm Bình 2', GROUP)).toBe('✅ Chỉ tiêu năm 2026 của Xã Cẩm Bình (CAMBINH): 2 mô hình.');
    expect(await h.text(ADMIN, '/chitieu cam binh 3 2027', GROUP)).toBe('✅ Chỉ tiêu năm 2027 của Xã Cẩm Bình (CAMBINH): 3 mô hình.');
    // A name ending in a number: the unit is the longest run of words that names one.
    expect(await h.text(ADMIN, '/chitieu Sơn Kim 1 4', GROUP)).toBe('✅ Chỉ tiêu năm 2026 của Xã Sơn Kim 1 (SONKIM1): 4 mô hình.');
    const cambinh = findUnit(h.db, 'CAMBINH')!.id;
    expect(quotaRows()).toEqual(
      expect.arrayContaining([
        { unitId: cambinh, year: 2026, required: 2 },
        { unitId: cambinh, year: 2027, required: 3 },
        { unitId: findUnit(h.db, 'SONKIM1')!.id, year: 2026, required: 4 },
      ]),
    );
    expect(auditsOf(h.db, 'quota.set')).toHaveLength(3);
  });

  it('shows one unit’s quota, its own or the default, and the models that fill it', async () => {
    h = await demo();
    const before = { quotas: quotaRows(), audit: h.db.select().from(auditLog).all().length };
    const approved = (code: string) => modelsOf(h.db, code, 2026).filter((m) => ['in_progress', 'proposed', 'recognised'].includes(m.state)).length;
    const waiting = (code: string) => modelsOf(h.db, code, 2026).filter((m) => m.state === 'pending').length;

    expect(await h.text(ADMIN, '/chitieu Cẩm Bình', GROUP)).toBe(
      'Chỉ tiêu năm 2026 của Xã Cẩm Bình (CAMBINH): 1 mô hình (theo chỉ tiêu mặc định).\n' +
        `Tính vào chỉ tiêu: ${approved('CAMBINH')} mô hình đã được duyệt.\n` +
        'Đặt chỉ tiêu riêng: /chitieu CAMBINH <số> [năm].',
    );
    expect(approved('CAMBINH')).toBe(1);
    // Xã Cẩm Xuyên has its own quota of 2 for 2026 in the demo.
    expect((await h.text(ADMIN, '/chitieu cam xuyen', GROUP)).split('\n')[0]).toBe(
      'Chỉ tiêu năm 2026 của Xã Cẩm Xuyên (CAMXUYEN): 2 mô hình (chỉ tiêu riêng của đơn vị).',
    );
    expect((await h.text(ADMIN, '/chitieu CAMXUYEN 2027', GROUP)).split('\n')[0]).toBe(
      'Chỉ tiêu năm 2027 của Xã Cẩm Xuyên (CAMXUYEN): 1 mô hình (theo chỉ tiêu mặc định).',
    );
    // A unit with a registration waiting: shown apart, not counted.
    const withPending = ['CAMXUYEN', 'THIENCAM', 'CAMDUE', 'DUCTHO', 'HUONGSON', 'SONTAY', 'THANHSEN', 'TRANPHU', 'SYT', 'CAT', 'SGDDT', 'TINHDOAN'].find(
      (code) => waiting(code) > 0,
    )!;
    expect(withPending).toBeDefined();
    expect((await h.text(ADMIN, `/chitieu ${withPending}`, GROUP)).split('\n')[1]).toBe(
      `Tính vào chỉ tiêu: ${approved(withPending)} mô hình đã được duyệt; ${waiting(withPending)} mô hình đang chờ duyệt (chưa tính).`,
    );
    expect(quotaRows()).toEqual(before.quotas);
    expect(h.db.select().from(auditLog).all()).toHaveLength(before.audit);
  });
});
