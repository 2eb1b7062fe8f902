import { describe, expect, it } from 'vitest';
import { units } from '../../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../../helpers/harness.js';
import { findUnit } from '../../helpers/rows.js';

const GROUP = { group: DEMO_GROUP };
const PRIVATE = { private: true };
const ADMIN = DEMO_PEOPLE.admin; // Nguyễn Thị Hoa

let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });

describe('/donvi', () => {
  it('shows the tree indented by level, each unit with its join code (in the admin’s private chat)', async () => {
    h = await demo();
    const reply = await h.text(ADMIN, '/donvi', PRIVATE);
    const lines = reply.split('\n');
    const hatinh = findUnit(h.db, 'HATINH')!;
    const front = `  Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh (MTTQ) — mã tham gia: ${findUnit(h.db, 'MTTQ')!.joinCode}`;
    const youth = `    Tỉnh đoàn Hà Tĩnh (TINHDOAN) — mã tham gia: ${findUnit(h.db, 'TINHDOAN')!.joinCode}`;
    expect(lines[0]).toBe(`Các đơn vị (${h.db.select().from(units).all().length}):`);
    expect(lines[1]).toBe(`Tỉnh Hà Tĩnh (HATINH) — mã tham gia: ${hatinh.joinCode}`);
    expect(lines).toContain(`  Xã Cẩm Xuyên (CAMXUYEN) — mã tham gia: ${findUnit(h.db, 'CAMXUYEN')!.joinCode}`);
    expect(lines).toContain(front);
    expect(lines).toContain(youth);
    // An organisation follows its own parent (the Mặt trận), not another unit.
    const parent = lines.indexOf(front);
    const child = lines.indexOf(youth);
    expect(child).toBeGreaterThan(parent);
    expect(lines.slice(parent + 1, child).every((l) => l.startsWith('    '))).toBe(true);
    expect(reply).not.toContain('… còn');
  });

  it('shows one branch by code, and cuts a long tree at 60 units with a hint', async () => {
    h = await demo();
    const branch = await h.text(ADMIN, '/donvi mttq', PRIVATE);
    const lines = branch.split('\n');
    expect(lines[0]).toBe('Nhánh Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh (MTTQ), thuộc Tỉnh Hà Tĩnh (HATINH) — 3 đơn vị:');
    expect(lines[1]).toMatch(/^Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh \(MTTQ\) — mã tham gia: \w{6}$/);
    expect(lines).toContain(`  Tỉnh đoàn Hà Tĩnh (TINHDOAN) — mã tham gia: ${findUnit(h.db, 'TINHDOAN')!.joinCode}`);
    expect(lines).toContain(`  Hội Liên hiệp Phụ nữ tỉnh Hà Tĩnh (HOILHPN) — mã tham gia: ${findUnit(h.db, 'HOILHPN')!.joinCode}`);
    expect(branch).not.toContain('Sở Nội vụ');
    expect(await h.text(ADMIN, '/donvi KHONGCO', GROUP)).toBe('Không có đơn vị mã “KHONGCO”. Gõ /donvi để xem cả cây đơn vị.');

    // A commune's villages, as a deployment may add them.
    const ductho = findUnit(h.db, 'DUCTHO')!;
    for (let i = 1; i <= 70; i++) {
      h.db
        .insert(units)
        .values({
          name: `Thôn ${i}`,
          shortCode: `DUCTHO-THON${i}`,
          kind: 'other',
          parentId: ductho.id,
          joinCode: `T${String(i).padStart(5, '0')}`,
          createdAt: 0,
          updatedAt: 0,
        })
        .run();
    }
    const total = h.db.select().from(units).all().length;
    const text = await h.text(ADMIN, '/donvi', PRIVATE);
    const long = text.split('\n');
    expect(long[0]).toBe(`Các đơn vị (${total}):`);
    expect(long.filter((l) => l.includes(' — mã tham gia: '))).toHaveLength(60);
    expect(long).toContain(`… còn ${total - 60} đơn vị; gõ /donvi <mã> để xem một nhánh.`);
    expect(text.length).toBeLessThan(4096);
  });
});
