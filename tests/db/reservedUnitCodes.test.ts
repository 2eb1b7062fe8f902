import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { RESERVED_UNIT_SHAPES, RESERVED_UNIT_WORDS, reservedUnitCodeReason } from '../../db/reservedUnitCodes.js';
import { auditLog, units } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { generateJoinCode } from '../../db/unitAdmin.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { findUnit } from '../helpers/rows.js';

/**
 * Issue 16, item 6: a word a command reads where (or just before where) it reads a unit code is
 * never a unit's code. One list (db/reservedUnitCodes.ts) serves /themdonvi, /suadonvi and the
 * import; the last test shows, for each entry of the list, the command that reserves it misreading
 * a unit that has it as its code.
 */

const GROUP = { group: DEMO_GROUP };
const ADMIN = DEMO_PEOPLE.admin;

/** Every code the list refuses: its words, and one example of each shape. */
const RESERVED = [...RESERVED_UNIT_WORDS.map((w) => w.word), ...RESERVED_UNIT_SHAPES.map((s) => s.example)];

let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });

function refusal(code: string): string {
  return `⚠️ “${code}” không dùng làm mã đơn vị được: ${reservedUnitCodeReason(code)}. Bạn chọn mã khác.`;
}

describe('reserved words are not unit codes', () => {
  it('/themdonvi refuses each reserved word and shape with the reason, as typed in any case, and changes nothing', async () => {
    h = await demo();
    const before = h.db.select().from(units).all();
    await h.say(ADMIN, '/themdonvi', GROUP);
    expect(await h.text(ADMIN, 'Xã Cẩm Lộc', GROUP)).toContain('(2/4) Mã ngắn của đơn vị?');
    for (const code of RESERVED) {
      const reply = await h.text(ADMIN, code.toLowerCase(), GROUP);
      expect(reply, code).toContain(refusal(code));
      expect(reply, code).toContain('(2/4) Mã ngắn của đơn vị?');
    }
    // Typed with diacritics and the model code's other spellings, they are the same words.
    expect(await h.text(ADMIN, 'quý', GROUP)).toContain(refusal('QUY'));
    expect(await h.text(ADMIN, 'Tháng3', GROUP)).toContain(refusal('THANG3'));
    expect(await h.text(ADMIN, 'dvk-2026-10001', GROUP)).toContain(refusal('DVK-2026-10001'));
    expect(await h.text(ADMIN, 'DVK20260007', GROUP)).toContain(refusal('DVK20260007'));
    await h.say(ADMIN, '/huy', GROUP);
    expect(h.db.select().from(units).all()).toEqual(before);
  });

  it('/suadonvi refuses them as a new code, and the unit keeps its own', async () => {
    h = await demo();
    await h.say(ADMIN, '/suadonvi CAMBINH', GROUP);
    expect(await h.text(ADMIN, 'mã', GROUP)).toContain('Mã ngắn mới?');
    for (const code of RESERVED) expect(await h.text(ADMIN, code, GROUP), code).toContain(refusal(code));
    expect(await h.text(ADMIN, 'CAMBINH-2', GROUP)).toMatch(/\(\d+\) Mã mới: CAMBINH-2/);
    expect(await h.text(ADMIN, '1', GROUP)).toBe('✅ Đã đổi mã của Xã Cẩm Bình: CAMBINH → CAMBINH-2.');
    expect(h.db.select().from(auditLog).where(eq(auditLog.action, 'unit.update')).all()).toHaveLength(1);
  });

  it('/themdonvi never suggests a reserved code', async () => {
    h = await demo();
    for (const [name, suggestion] of [
      ['Phường 10', 'PHUONG10'], // "10" alone would be a number
      ['Xã Năm', 'XANAM'], // "NAM" is the year word
      ['Tháng Tám', 'THANGTAM'], // a short name kept whole anyway
    ]) {
      await h.say(ADMIN, '/themdonvi', GROUP);
      expect(await h.text(ADMIN, name!, GROUP), name).toContain(`Gợi ý: ${suggestion} —`);
      await h.say(ADMIN, '/huy', GROUP);
    }
  });

  /**
   * Each entry of the list, shown misread: a unit given that code directly in the database is not
   * what the command reading the word finds; the same command with an ordinary code finds its unit.
   */
  const MISREAD: Record<string, { command: (code: string) => string; instead: string }> = {
    TOANTINH: { command: (c) => `/phanquyen lãnh đạo Nguyễn Văn An ${c}`, instead: 'lãnh đạo toàn tỉnh' },
    TINH: { command: (c) => `/phanquyen lãnh đạo Lê Văn Toàn ${c}`, instead: 'Chưa thấy người này' },
    MACDINH: { command: (c) => `/chitieu ${c} 2`, instead: 'Chỉ tiêu mặc định: mỗi đơn vị 2 mô hình/năm' },
    NAM: { command: (c) => `/mohinh ${c} 2025`, instead: 'Năm 2025' },
    QUY: { command: (c) => `/baocao ${c}`, instead: 'Xin ghi rõ quý mấy' },
    THANG: { command: (c) => `/baocao ${c}`, instead: 'Xin ghi rõ tháng mấy' },
    EXCEL: { command: (c) => `/baocao ${c}`, instead: '📎 Báo cáo “Dân vận khéo” năm 2026 — Tỉnh Hà Tĩnh' },
    XLSX: { command: (c) => `/baocao ${c}`, instead: '📎 Báo cáo “Dân vận khéo” năm 2026 — Tỉnh Hà Tĩnh' },
    WORD: { command: (c) => `/baocao ${c}`, instead: '📎 Báo cáo “Dân vận khéo” năm 2026 — Tỉnh Hà Tĩnh' },
    DOCX: { command: (c) => `/baocao ${c}`, instead: '📎 Báo cáo “Dân vận khéo” năm 2026 — Tỉnh Hà Tĩnh' },
    BIEUDO: { command: (c) => `/baocao ${c}`, instead: '📎 Báo cáo “Dân vận khéo” năm 2026 — Tỉnh Hà Tĩnh' },
    CHART: { command: (c) => `/baocao ${c}`, instead: '📎 Báo cáo “Dân vận khéo” năm 2026 — Tỉnh Hà Tĩnh' },
    TEP: { command: (c) => `/baocao ${c}`, instead: '📎 Báo cáo “Dân vận khéo” năm 2026 — Tỉnh Hà Tĩnh' },
    TATCA: { command: (c) => `/baocao ${c}`, instead: '📎 Báo cáo “Dân vận khéo” năm 2026 — Tỉnh Hà Tĩnh' },
    DONVI: { command: (c) => `/baocao ${c}`, instead: '📎 Báo cáo “Dân vận khéo” năm 2026 — Tỉnh Hà Tĩnh' },
    THEODONVI: { command: (c) => `/baocao ${c}`, instead: '📎 Báo cáo “Dân vận khéo” năm 2026 — Tỉnh Hà Tĩnh' },
    LINHVUC: { command: (c) => `/baocao ${c}`, instead: 'Tỉnh Hà Tĩnh ·' },
    THEOLINHVUC: { command: (c) => `/baocao ${c}`, instead: 'Tỉnh Hà Tĩnh ·' },
    TRANG: { command: (c) => `/nhatky ${c}`, instead: '📜 Nhật ký thao tác — trang 1/' },
    // Shapes, by their examples.
    '42': { command: (c) => `/nhatky ${c}`, instead: 'chỉ có' },
    '15-2-2026': { command: (c) => `/baocao ${c}`, instead: 'Khoảng ngày ghi theo mẫu' },
    QUY1: { command: (c) => `/baocao ${c}`, instead: 'quý I năm 2026' },
    'DVK-2026-0001': { command: (c) => `/mohinh ${c}`, instead: 'DVK-2026-0001' },
  };

  it('every entry of the list has a command that misreads a unit of that code', async () => {
    expect(Object.keys(MISREAD).sort()).toEqual([...RESERVED].sort());
    h = await demo();
    const hatinh = findUnit(h.db, 'HATINH')!;
    const add = (shortCode: string, name: string) =>
      h.db
        .insert(units)
        .values({ name, shortCode, kind: 'other', parentId: hatinh.id, joinCode: generateJoinCode(h.db), createdAt: 0, updatedAt: 0 })
        .run();
    const ORDINARY = 'DOICHUNG';
    add(ORDINARY, 'Đơn vị Đối Chứng');
    for (const name of ['Nguyễn Văn An', 'Lê Văn Toàn']) await h.say(name, '/huongdan', GROUP);

    for (const [code, { command, instead }] of Object.entries(MISREAD)) {
      add(code, `Đơn vị Mã ${code}`);
      const reply = await h.text(ADMIN, command(code), GROUP);
      const head = reply.split('\n').slice(0, 2).join('\n');
      expect(head, command(code)).not.toContain(`Đơn vị Mã ${code}`);
      expect(reply, command(code)).toContain(instead);
      // The same command does find a unit whose code is an ordinary one.
      const control = await h.text(ADMIN, command(ORDINARY), GROUP);
      expect(control.split('\n').slice(0, 2).join('\n'), command(ORDINARY)).toContain('Đơn vị Đối Chứng');
    }
  }, 60_000);
});
