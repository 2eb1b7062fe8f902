import { describe, expect, it } from 'vitest';
import { quotaHeader } from '../../../commands/shared/modelText.js';

/** The line atop a unit's /mohinh: approved models against the quota, the waiting ones apart. */
describe('quotaHeader', () => {
  const header = (counted: number, required: number, pending = 0) =>
    quotaHeader('Xã Cẩm Xuyên', { year: 2026, counted, required, pending, missing: Math.max(0, required - counted) });

  it('says how many are missing, and the registrations still waiting', () => {
    expect(header(1, 2, 1)).toBe('Mô hình, điểm sáng năm 2026 của Xã Cẩm Xuyên: 1/2 theo chỉ tiêu (còn thiếu 1; 1 mô hình đang chờ duyệt)');
  });

  it('says met, or beyond, when the approved models reach the quota', () => {
    expect(header(2, 2)).toBe('Mô hình, điểm sáng năm 2026 của Xã Cẩm Xuyên: 2/2 theo chỉ tiêu (đã đủ chỉ tiêu)');
    expect(header(3, 2)).toBe('Mô hình, điểm sáng năm 2026 của Xã Cẩm Xuyên: 3/2 theo chỉ tiêu (vượt chỉ tiêu)');
  });
});
