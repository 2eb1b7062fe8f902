import { describe, expect, it } from 'vitest';
import { choiceAnswer, dateAnswer, isSkipWord, isYesWord, matchChoice, parseVietnameseDate, percentAnswer, textAnswer } from '../../core/answers.js';
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

  const defaultFields = [
    ...fields,
    { value: 'e', label: 'Cải cách hành chính' },
    { value: 'f', label: 'Tiếp dân và giải quyết đơn thư' },
    { value: 'g', label: 'Xây dựng nông thôn mới' },
  ];
  it.each([
    ['NTM', 'g'],
    ['ntm.', 'g'],
    ['CCHC', 'e'],
    ['QP-AN', 'c'],
    ['qpan', 'c'],
    ['VHXH', 'b'],
    ['kinh tees', 'a'],
    ['Vawn hoas', 'b'],
    ['xaay dungj nong thoon mowis', 'g'],
  ])('abbreviations and Telex: %j picks %s', (typed, value) => {
    expect(matchChoice(defaultFields, typed)?.value).toBe(value);
  });
  it('an abbreviation that is a word of the labels is not expanded', () => {
    const codes = [
      { value: 'DVK-2026-0001', label: 'DVK-2026-0001 — Dân vận khéo trong xây dựng nông thôn mới' },
      { value: 'DVK-2026-0002', label: 'DVK-2026-0002 — Hiến đất mở đường' },
    ];
    expect(matchChoice(codes, 'DVK')).toBeUndefined();
    expect(matchChoice(codes, 'NTM')?.value).toBe('DVK-2026-0001');
  });

  it('an abbreviation of a field the deployment does not have picks nothing', () => {
    expect(matchChoice(fields, 'NTM')).toBeUndefined();
    expect(matchChoice(defaultFields, 'KT-XH')).toBeUndefined();
  });
  it.each([
    ['DVK', 'k1'],
    ['dvk', 'k1'],
    ['QCDC', 'k3'],
  ])('kinds by abbreviation: %j picks %s', (typed, value) => {
    expect(matchChoice(kinds, typed)?.value).toBe(value);
  });
  it('holders in Telex', () => {
    const holders = [
      { value: 'collective', label: 'Tập thể' },
      { value: 'individual', label: 'Cá nhân' },
    ];
    expect(matchChoice(holders, 'tapj theer')?.value).toBe('collective');
    expect(matchChoice(holders, 'taajp theer')?.value).toBe('collective');
    expect(matchChoice(holders, 'cas nhaan')?.value).toBe('individual');
  });

  it('a wrong choice lists the numbered labels when there are at most four', () => {
    const holders = [
      { value: 'collective', label: 'Tập thể' },
      { value: 'individual', label: 'Cá nhân' },
    ];
    expect(choiceAnswer(holders).safeParse('3').error!.issues[0]!.message).toBe('Chưa rõ bạn chọn mục nào. Bạn gõ 1 (Tập thể) hoặc 2 (Cá nhân).');
    expect(choiceAnswer(fields).safeParse('y tế').error!.issues[0]!.message).toBe(
      'Chưa rõ bạn chọn mục nào. Bạn gõ 1 (Kinh tế), 2 (Văn hóa - xã hội), 3 (Quốc phòng - an ninh) hoặc 4 (Xây dựng Đảng và hệ thống chính trị).',
    );
    expect(choiceAnswer(defaultFields).safeParse('y tế').error!.issues[0]!.message).toBe(
      'Chưa rõ bạn chọn mục nào. Bạn hãy trả lời bằng số từ 1 đến 7 hoặc gõ tên mục.',
    );
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
    expect(schema.safeParse('30/2').error!.issues[0]!.message).toBe('Tháng 2/2026 không có ngày 30, bạn gõ lại ngày khác.');
    expect(schema.safeParse('mai').error!.issues[0]!.message).toContain('Ngày chưa đúng');
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
    // Issue 22: what officials type.
    ['khoảng 60%', 60],
    ['60%.', 60],
    ['~80%', 80],
    ['tầm 60', 60],
    ['hơn 60 %', 60],
    ['đạt 85%', 85],
    ['62,5%', 62],
    ['50-60%', 60],
    ['50% - 60%', 60],
    ['một nửa', 50],
    ['mot nua', 50],
    ['bảy mươi phần trăm', 70],
    ['bay muoi', 70],
    ['bảy mươi lăm', 75],
  ])('%j is %d%%', (typed, n) => {
    expect(percentAnswer().safeParse(typed).data).toBe(n);
  });

  it.each(['101', '-5', 'dưới 60%', '70%%', 'gần xong', '60-50%'])('%j is refused', (typed) => {
    expect(percentAnswer().safeParse(typed).success).toBe(false);
  });

  it('says why a figure above 100 is refused', () => {
    expect(percentAnswer().safeParse('120%').error!.issues[0]!.message).toBe('Tiến độ tối đa là 100% (bạn gõ 120). Bạn gõ một số từ 0 đến 100, ví dụ 70%.');
    expect(percentAnswer().safeParse('abc').error!.issues[0]!.message).toBe('Tiến độ là một số từ 0 đến 100, ví dụ 70 hoặc 70%.');
  });

  it('a name typed in Telex with the Vietnamese mode off is questioned, only where asked', () => {
    const name = textAnswer({ min: 3, max: 150, suggestTelex: true });
    expect(name.safeParse('Nguyeenx Thij Huyeenf').error!.issues[0]!.message).toBe(
      'Có phải bạn muốn gõ “Nguyễn Thị Huyền”? Bàn phím có lẽ đang tắt tiếng Việt; bạn gõ lại (có dấu hay không dấu đều được).',
    );
    // Written with diacritics or without, or a foreign name: never questioned.
    for (const ok of ['Nguyễn Thị Huyền', 'Nguyen Thi Huyen', 'Max Nguyễn', 'James Ross']) expect(name.safeParse(ok).data, ok).toBe(ok);
    expect(textAnswer({ min: 3, max: 150 }).safeParse('Nguyeenx Thij Huyeenf').data).toBe('Nguyeenx Thij Huyeenf');
  });
});

describe('short answers', () => {
  it.each(['đồng ý', 'dong y', 'Đồng ý.', 'dongf ys', 'cos', 'OK'])('%j confirms', (typed) => {
    expect(isYesWord(typed)).toBe(true);
  });
  it.each(['không', 'đồng', 'dongf', '2', ''])('%j does not confirm', (typed) => {
    expect(isYesWord(typed)).toBe(false);
  });
  it('skips with “bỏ qua” typed in Telex too', () => {
    expect(isSkipWord('bor qua')).toBe(true);
    expect(isSkipWord('khoong')).toBe(true);
    expect(isSkipWord('bo')).toBe(false);
  });
});
