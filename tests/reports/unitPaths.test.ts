import { describe, expect, it } from 'vitest';
import type { ScopeUnit } from '../../db/reportData.js';
import { unitPaths } from '../../reports/unitPaths.js';

const unit = (id: number, name: string, parentId: number | null, depth: number): ScopeUnit => ({
  id,
  name,
  shortCode: `U${id}`,
  kind: 'other',
  parentId,
  depth,
});

describe('unitPaths', () => {
  it('names every unit from the report’s top down to itself', () => {
    const paths = unitPaths([unit(1, 'Tỉnh Hà Tĩnh', null, 0), unit(2, 'Ủy ban MTTQ tỉnh', 1, 1), unit(3, 'Tỉnh đoàn', 2, 2), unit(4, 'Xã Cẩm Xuyên', 1, 1)]);
    expect(paths.get(1)).toBe('Tỉnh Hà Tĩnh');
    expect(paths.get(3)).toBe('Tỉnh Hà Tĩnh › Ủy ban MTTQ tỉnh › Tỉnh đoàn');
    expect(paths.get(4)).toBe('Tỉnh Hà Tĩnh › Xã Cẩm Xuyên');
  });

  it('starts a unit report at its root, whose parent is not in the report', () => {
    const paths = unitPaths([unit(2, 'Ủy ban MTTQ tỉnh', 1, 0), unit(3, 'Tỉnh đoàn', 2, 1)]);
    expect(paths.get(2)).toBe('Ủy ban MTTQ tỉnh');
    expect(paths.get(3)).toBe('Ủy ban MTTQ tỉnh › Tỉnh đoàn');
  });
});
