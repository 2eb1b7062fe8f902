import { describe, expect, it } from 'vitest';
import { decodeTelex, readTelex, telexSuggestion } from '../../core/telex.js';

describe('Telex leftovers', () => {
  it.each([
    ['tapj theer', 'tạp thể'],
    ['taajp theer', 'tập thể'],
    ['kinh tees', 'kinh tế'],
    ['dongf ys', 'dòng ý'],
    ['ddoongf ys', 'đồng ý'],
    ['Nguyeenx Thij Huyeenf', 'Nguyễn Thị Huyền'],
    // j is the dot below: Huyện, as typed (the issue's “Huyeenj”).
    ['Nguyeenx Thij Huyeenj', 'Nguyễn Thị Huyện'],
    ['nguowif', 'người'],
    ['dduwowcj', 'được'],
    ['Vieetj Nam', 'Việt Nam'],
    ['quys', 'quý'],
    ['gif', 'gì'],
    ['hoas', 'hóa'],
    ['ngoaif', 'ngoài'],
    ['THIJ', 'THỊ'],
    ['bor qua.', 'bỏ qua.'],
    // The tone letter typed inside the vowels, before the glide, as Telex keyboards allow.
    ['Nguyeenx Vawn Haaju', 'Nguyễn Văn Hậu'],
    ['Tafi', 'Tài'],
  ])('%j → %j', (typed, meant) => {
    expect(decodeTelex(typed)).toBe(meant);
  });

  it.each(['ok', 'yes', 'excel', 'James', 'ross', 'DVK-2026-0001', 'Hà Tĩnh', 'Nguyen Thi Huyen', 'x', 'bq', 'fast', '70%', 'Asia', 'Jesus', 'Tokyo'])(
    'leaves %j as typed',
    (typed) => {
      expect(decodeTelex(typed)).toBe(typed);
    },
  );

  it('counts the words decoded and those with a vowel shape', () => {
    expect(readTelex('Nguyeenx Thij Hoa')).toEqual({ text: 'Nguyễn Thị Hoa', decoded: 2, shaped: 1 });
  });

  it('suggests only what is clearly Telex: two decoded words, or one with a vowel shape', () => {
    expect(telexSuggestion('Nguyeenx Thij Huyeenf')).toBe('Nguyễn Thị Huyền');
    expect(telexSuggestion('Nguyeenx')).toBe('Nguyễn');
    expect(telexSuggestion('Thij Hoa')).toBeUndefined();
    expect(telexSuggestion('Max Nguyễn')).toBeUndefined();
    expect(telexSuggestion('Nguyễn Thị Huyền')).toBeUndefined();
  });
});
