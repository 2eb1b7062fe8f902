import { describe, expect, it } from 'vitest';
import { byVietnameseName, vietnameseCollator } from '../../core/vietnameseOrder.js';

describe('Vietnamese order', () => {
  it('puts "Đức Thọ" after "Đồng" and before "Hà", where byte order puts it last', () => {
    const names = ['Hà Linh', 'Đức Thọ', 'Đồng Lộc', 'Dương Thủy', 'Cẩm Xuyên', 'Ân Phú'];
    expect([...names].sort(vietnameseCollator.compare)).toEqual(['Ân Phú', 'Cẩm Xuyên', 'Dương Thủy', 'Đồng Lộc', 'Đức Thọ', 'Hà Linh']);
    expect([...names].sort()).not.toEqual([...names].sort(vietnameseCollator.compare));
  });

  it('breaks a tie of names by id when asked, so equal names keep one order', () => {
    const units = [
      { id: 9, name: 'Xã Sơn Tây' },
      { id: 2, name: 'Xã Sơn Tây' },
    ];
    expect(units.sort((a, b) => byVietnameseName(a, b, (u) => u.id)).map((u) => u.id)).toEqual([2, 9]);
  });
});
