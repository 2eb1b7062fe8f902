import { describe, expect, it } from 'vitest';
import { leadingModelCode, parseModelCode } from '../../core/modelCode.js';

describe('leadingModelCode', () => {
  it('reads a code typed as one word or in up to three, and says how many words it took', () => {
    expect(leadingModelCode(['DVK-2026-0001', 'đủ', 'hồ', 'sơ'])).toEqual({ code: 'DVK-2026-0001', words: 1 });
    expect(leadingModelCode(['dvk', '2026', '1', 'đủ'])).toEqual({ code: 'DVK-2026-0001', words: 3 });
    expect(leadingModelCode(['dvk-2026', '7'])).toEqual({ code: 'DVK-2026-0007', words: 2 });
    expect(leadingModelCode(['DVK', '2026', '10001'])).toEqual({ code: 'DVK-2026-10001', words: 3 });
  });

  it('finds nothing where the words do not start with a code', () => {
    expect(leadingModelCode([])).toBeUndefined();
    expect(leadingModelCode(['CAMXUYEN', 'DVK-2026-0001'])).toBeUndefined();
    expect(leadingModelCode(['dvk', '26', '1'])).toBeUndefined();
  });

  it('agrees with parseModelCode on the whole text', () => {
    for (const typed of ['DVK-2026-0001', 'dvk 2026 1', 'Dvk20260007', 'DVK_2026_0042']) {
      expect(leadingModelCode(typed.split(' '))?.code).toBe(parseModelCode(typed));
    }
  });
});
