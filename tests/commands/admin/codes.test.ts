import { afterEach, describe, expect, it } from 'vitest';
import { suggestShortCode } from '../../../commands/admin/donvi.js';
import { parseRoleArgs } from '../../../commands/admin/phanquyen.js';
import { units } from '../../../db/schema.js';
import { CODE_ALPHABET as JOIN_CODE_ALPHABET } from '../../../db/codes.js';
import { generateJoinCode } from '../../../db/unitAdmin.js';
import { Harness } from '../../helpers/harness.js';

let h: Harness;
afterEach(() => h?.close());

async function demo() {
  h = await Harness.demo({ now: '2026-03-10T09:00:00+07:00' });
  return h;
}

describe('generateJoinCode', () => {
  it('uses six unambiguous characters', async () => {
    await demo();
    expect(JOIN_CODE_ALPHABET).not.toMatch(/[0O1I]/);
    for (let i = 0; i < 50; i++) expect(generateJoinCode(h.db)).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
  });

  it('steps past a code another unit already has', async () => {
    await demo();
    h.db.insert(units).values({ name: 'Thôn A', shortCode: 'THON-A', kind: 'other', joinCode: 'AAAAAA', createdAt: 0, updatedAt: 0 }).run();
    const picks = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
    expect(generateJoinCode(h.db, () => picks.shift()!)).toBe('BBBBBB');
    expect(picks).toEqual([]);
  });
});

describe('suggestShortCode', () => {
  it.each([
    ['Xã Cẩm Lộc', 'CAMLOC'],
    ['Thị xã Kỳ Anh', 'KYANH'],
    ['Thành phố Vinh', 'VINH'],
    ['Sở Tài chính và Kế hoạch', 'STCKH'],
    ['Công an', 'CONGAN'],
    ['Huyện Cẩm Xuyên', 'CAMXUYEN-2'], // CAMXUYEN is taken in the demo
    ['Tỉnh Hà Tĩnh', 'HATINH-2'],
  ])('%s → %s', async (name, code) => {
    await demo();
    expect(suggestShortCode(h.db, name)).toBe(code);
  });
});

describe('parseRoleArgs', () => {
  it('reads the role first, the unit code last and the person between', async () => {
    await demo();
    expect(parseRoleArgs(h.db, 'cán bộ đầu mối Nguyễn Văn An camxuyen')).toMatchObject({
      role: 'officer',
      personText: 'Nguyễn Văn An',
      unit: expect.objectContaining({ shortCode: 'CAMXUYEN' }),
      whole: false,
    });
    expect(parseRoleArgs(h.db, 'LÃNH ĐẠO #12 toàn tỉnh')).toMatchObject({ role: 'leader', personText: '#12', unit: undefined, whole: true });
    expect(parseRoleArgs(h.db, 'quantri Lê Văn Sơn')).toMatchObject({ role: 'admin', personText: 'Lê Văn Sơn', unit: undefined, lastWord: 'Sơn' });
    expect(parseRoleArgs(h.db, 'thư ký Lê Văn Sơn')).toBeUndefined();
  });
});
