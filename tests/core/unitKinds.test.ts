import { describe, expect, it } from 'vitest';
import { UNIT_KINDS } from '../../core/domain.js';
import { CURRENT_UNIT_KINDS, cityKind, isFormerKind, readUnitKind, UNIT_KIND_LABEL, UNIT_KINDS_ACCEPTED, unitKindOf } from '../../core/unitKinds.js';

/** Every kind's words as officials type them, with diacritics, without, and in NFD (some phones). */
const WORDS: [string, string][] = [
  ['Tỉnh', 'province'],
  ['Thành phố trực thuộc trung ương', 'province'],
  ['province', 'province'],
  ['Đảng ủy', 'party'],
  ['dang uy', 'party'],
  ['Đảng ủy xã/phường', 'party'],
  ['Đảng ủy UBND tỉnh', 'party'],
  ['Ban Tuyên giáo và Dân vận', 'party'],
  ['ban tuyen giao', 'party'],
  ['Tỉnh ủy', 'party'],
  ['chi bo', 'party'],
  ['Cơ quan Đảng', 'party'],
  ['party', 'party'],
  ['Sở', 'department'],
  ['so', 'department'],
  ['ban', 'department'],
  ['sở / ban / ngành', 'department'],
  ['Xã', 'commune'],
  ['phuong', 'commune'],
  ['Đặc khu', 'commune'],
  ['dac khu', 'commune'],
  ['commune', 'commune'],
  ['Mặt trận', 'organisation'],
  ['Ủy ban MTTQ', 'organisation'],
  ['uy ban mttq tinh', 'organisation'],
  ['Đoàn thể', 'organisation'],
  ['tổ chức', 'organisation'],
  ['Hội', 'organisation'],
  ['Tỉnh đoàn', 'organisation'],
  ['hoi lhpn', 'organisation'],
  ['Đoàn Thanh niên', 'organisation'],
  ['trường học', 'school'],
  ['benh vien', 'hospital'],
  ['Biên phòng', 'armed_forces'],
  ['cong an', 'armed_forces'],
  ['quân sự', 'armed_forces'],
  ['armed_forces', 'armed_forces'],
  ['doanh nghiệp', 'enterprise'],
  ['khác', 'other'],
];

describe('unit kinds in 2026', () => {
  it.each(WORDS)('reads “%s” as %s, as typed, without diacritics and in NFD', (typed, kind) => {
    const bare = typed.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd');
    for (const text of [typed, bare, typed.normalize('NFD'), typed.toUpperCase()]) {
      expect(readUnitKind(text), text).toEqual({ kind, former: false });
    }
  });

  it('reads every label back as its own kind, the former label too', () => {
    for (const kind of UNIT_KINDS) expect(unitKindOf(UNIT_KIND_LABEL[kind], 'province'), kind).toBe(kind);
  });

  it('names the kinds as they are since 1/7/2025', () => {
    expect(UNIT_KIND_LABEL.commune).toBe('Xã, phường, đặc khu');
    expect(UNIT_KIND_LABEL.organisation).toBe('Mặt trận và đoàn thể');
    expect(UNIT_KIND_LABEL.party).toBe('Cơ quan Đảng');
    expect(UNIT_KIND_LABEL.district).toContain('cấp huyện cũ, trước 1/7/2025');
  });

  it('reads the district level and thị trấn as former, with the kind they were', () => {
    for (const typed of ['Huyện', 'huyen', 'Quận', 'thi xa', 'Thị xã', 'Thành phố thuộc tỉnh', 'district', 'Huyện, thành phố, thị xã', 'Huyện, quận, thị xã']) {
      expect(readUnitKind(typed), typed).toEqual({ kind: 'district', former: true });
    }
    expect(readUnitKind('Thị trấn')).toEqual({ kind: 'commune', former: true });
    expect(readUnitKind('thi tran')).toEqual({ kind: 'commune', former: true });
    expect(readUnitKind('Xã, phường, thị trấn')).toEqual({ kind: 'commune', former: true });
    expect(readUnitKind('Huyện ủy')).toEqual({ kind: 'party', former: true });
    expect(isFormerKind('district')).toBe(true);
    expect(isFormerKind('commune')).toBe(false);
  });

  it('leaves “thành phố” alone to the parent: a province-level city at the root or not under a province, a former district-level city under one', () => {
    expect(readUnitKind('Thành phố')).toEqual({ city: true });
    expect(readUnitKind('TP')).toEqual({ city: true });
    expect(readUnitKind('thanh pho Ha Tinh')).toEqual({ city: true });
    expect(unitKindOf('thành phố', null)).toBe('province');
    expect(unitKindOf('thành phố')).toBe('province');
    expect(unitKindOf('thanh pho', 'other')).toBe('province');
    expect(unitKindOf('THÀNH PHỐ', 'province')).toBe('district');
    expect(cityKind('province')).toBe('district');
    // Said in full, the level is not the parent's to decide.
    expect(unitKindOf('thành phố trực thuộc trung ương', 'province')).toBe('province');
    expect(unitKindOf('thành phố thuộc tỉnh', null)).toBe('district');
  });

  it('hints current kinds only', () => {
    expect(CURRENT_UNIT_KINDS).not.toContain('district');
    expect(CURRENT_UNIT_KINDS).toContain('party');
    expect(UNIT_KINDS_ACCEPTED).toBe(
      'tỉnh/thành phố trực thuộc trung ương; cơ quan đảng; sở/ban/ngành; xã/phường/đặc khu; mặt trận và đoàn thể; trường học; bệnh viện; lực lượng vũ trang; doanh nghiệp; khác',
    );
    expect(UNIT_KINDS_ACCEPTED).not.toMatch(/huyện|thị trấn|thị xã/);
  });

  it('names no kind for mixed or unknown words', () => {
    expect(readUnitKind('xã, sở')).toBeUndefined();
    expect(readUnitKind('thành phố, xã')).toBeUndefined();
    expect(readUnitKind('hội đồng')).toBeUndefined();
    expect(readUnitKind('câu lạc bộ')).toBeUndefined();
    expect(readUnitKind('')).toBeUndefined();
    expect(readUnitKind('  ,  ')).toBeUndefined();
  });
});
