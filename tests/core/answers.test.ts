import { describe, expect, it } from 'vitest';
import { dateAnswer, matchChoice, parseVietnameseDate, percentAnswer, textAnswer } from '../../core/answers.js';
import { fold, normalizeIncomingText } from '../../core/text.js';

const fields = [
  { value: 'a', label: 'Kinh tế' },
  { value: 'b', label: 'Văn hóa - xã hội' },
  { value: 'c', label: 'Quốc phòng - an ninh' },
  { value: 'd', label: 'Xây dựng Đảng và hệ thống chính trị' },
];

describe('fold', () => {
  it('makes NFC, NFD, no diacritics and any case compare equal', () => {
    const nfd = 'Kinh tế'.normalize('NFD');
    expect(nfd).not.toBe('Kinh tế');
    expect(fold(nfd)).toBe('kinh te');
    expect(fold('  KINH   TẾ ')).toBe('kinh te');
    expect(fold('Đảng')).toBe('dang');
  });

  it('incoming text is NFC without control characters', () => {
    expect(normalizeIncomingText(' Hà\u0000 Tĩnh\u200b '.normalize('NFD'))).toBe('Hà Tĩnh');
  });
});

describe('choices', () => {
  const kinds = [
    { value: 'k1', label: 'Mô hình “Dân vận khéo”' },
    { value: 'k2', label: 'Điểm sáng về dân vận chính quyền' },
    { value: 'k3', label: 'Điểm sáng về thực hiện dân chủ ở cơ sở', formerly: ['Điểm sáng về thực hiện quy chế dân chủ ở cơ sở'] },
  ];
  it.each([
    ['dan van kheo', 'k1'],
    ['diem sang chinh quyen', 'k2'],
    ['ĐIỂM SÁNG QUY CHẾ DÂN CHỦ'.normalize('NFD'), 'k3'],
    ['diem sang dan chu', 'k3'],
  ])('kinds: %j picks %s', (typed, value) => {
    expect(matchChoice(kinds, typed)?.value).toBe(value);
  });
  it('kinds: words shared by two labels pick nothing', () => {
    expect(matchChoice(kinds, 'diem sang')).toBeUndefined();
    expect(matchChoice(kinds, 'dan van')).toBeUndefined();
  });

  it.each([
    ['2', 'b'],
    ['2.', 'b'],
    ['Văn hóa - xã hội', 'b'],
    ['van hoa - xa hoi', 'b'],
    ['VĂN HÓA - XÃ HỘI'.normalize('NFD'), 'b'],
    ['kinh', 'a'],
    ['quoc phong', 'c'],
    ['xay dung dang', 'd'],
  ])('%j picks %s', (typed, value) => {
    expect(matchChoice(fields, typed)?.value).toBe(value);
  });

  it.each(['0', '5', '', 'an', 'y tế'])('%j picks nothing', (typed) => {
    expect(matchChoice(fields, typed)).toBeUndefined();
  });
});

describe('Vietnamese dates', () => {
  it.each([
    ['15/1', '2026-01-15'],
    ['15/01/2026', '2026-01-15'],
    ['15-1-2026', '2026-01-15'],
    ['15.1.26', '2026-01-15'],
    ['2026-01-15', '2026-01-15'],
    ['ngày 15 tháng 1 năm 2026', '2026-01-15'],
    ['ngay 15 thang 1 nam 2026', '2026-01-15'],
    ['Ngày 15 tháng 1'.normalize('NFD'), '2026-01-15'],
    ['15 tháng 1, 2027', '2027-01-15'],
    ['29/2/2028', '2028-02-29'],
  ])('%j is %s', (typed, iso) => {
    expect(parseVietnameseDate(typed, 2026)).toBe(iso);
  });

  it.each(['29/2/2026', '31/4/2026', '0/1', '15/13', '15', 'mai', '1/1/1', '32/1/2026'])('%j is refused', (typed) => {
    expect(parseVietnameseDate(typed, 2026)).toBeUndefined();
  });

  it('a date step can require a day not before another', () => {
    const schema = dateAnswer({ currentYear: 2026, notBefore: { day: '2026-03-01', message: 'Sau ngày bắt đầu.' } });
    expect(schema.safeParse('1/3').data).toBe('2026-03-01');
    expect(schema.safeParse('28/2').error!.issues[0]!.message).toBe('Sau ngày bắt đầu.');
    expect(schema.safeParse('30/2').error!.issues[0]!.message).toContain('Ngày chưa đúng');
  });
});

describe('text and percent', () => {
  it('text is trimmed and measured in characters, not UTF-16 units', () => {
    const schema = textAnswer({ max: 6 });
    expect(schema.safeParse('  Hà Nội ').data).toBe('Hà Nội');
    expect(schema.safeParse('🎉🎉🎉🎉🎉🎉').success).toBe(true); // 12 UTF-16 units, 6 characters
    expect(schema.safeParse('🎉🎉🎉🎉🎉🎉🎉').error!.issues[0]!.message).toContain('tối đa 6 ký tự (bạn đã gửi 7)');
    expect(schema.safeParse('   ').error!.issues[0]!.message).toContain('trống');
  });

  it.each([
    ['70', 70],
    ['70%', 70],
    ['70 %', 70],
    ['100', 100],
    ['0', 0],
    ['70 phần trăm', 70],
  ])('%j is %d%%', (typed, n) => {
    expect(percentAnswer().safeParse(typed).data).toBe(n);
  });

  it.each(['101', '-5', 'bảy mươi', '70%%'])('%j is refused', (typed) => {
    expect(percentAnswer().safeParse(typed).success).toBe(false);
  });
});
