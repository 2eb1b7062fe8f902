import { describe, expect, it } from 'vitest';
import { readNumberWords } from '../../core/numberWords.js';
import { readPercent } from '../../core/percent.js';

describe('Vietnamese number words', () => {
  it.each([
    ['không', 0],
    ['năm', 5],
    ['mười', 10],
    ['mười lăm', 15],
    ['muoi nam', 15],
    ['mười một', 11],
    ['mười tư', 14],
    ['hai mươi', 20],
    ['hai mốt', 21],
    ['bảy mươi', 70],
    ['bay muoi', 70],
    ['bảy chục', 70],
    ['bảy mươi mốt', 71],
    ['sáu mươi tư', 64],
    ['bảy mươi lăm', 75],
    ['tám lăm', 85],
    ['chín mươi chín', 99],
    ['một trăm', 100],
    ['trăm', 100],
    ['một trăm linh năm', 105],
    ['một trăm lẻ một', 101],
    ['BẢY MƯƠI'.normalize('NFD'), 70],
  ])('%j is %d', (typed, n) => {
    expect(readNumberWords(typed)).toBe(n);
  });

  it.each(['', 'ba bốn', 'mười mươi', 'bảy mươi mươi', 'một mươi', 'hoàn thành', 'trăm trăm', 'một trăm linh'])('%j is not a number', (typed) => {
    expect(readNumberWords(typed)).toBeUndefined();
  });
});

describe('percentages as typed', () => {
  it.each([
    ['70', 70],
    ['khoảng 60%', 60],
    ['60%.', 60],
    ['~80%', 80],
    ['≈ 80 %', 80],
    ['50-60%', 60],
    ['50 đến 60%', 60],
    ['một nửa', 50],
    ['nửa', 50],
    ['ba phần tư', 75],
    ['bảy mươi phần trăm', 70],
    ['bay muoi', 70],
    // "tầm" folds to "tam", also "tám" (8): a number first, then the qualifier dropped.
    ['tam muoi', 80],
    ['tầm 60%', 60],
    ['hoàn thành 80%', 80],
    ['đã đạt khoảng 90%', 90],
  ])('%j is %d%%', (typed, n) => {
    expect(readPercent(typed)).toEqual({ kind: 'percent', percent: n });
  });

  it('says when a figure is over 100', () => {
    expect(readPercent('120%')).toEqual({ kind: 'over', typed: 120 });
    expect(readPercent('một trăm lẻ năm')).toEqual({ kind: 'over', typed: 105 });
  });

  it('reads zero from “0” or “không phần trăm”, but not from a bare “không” (a “no”)', () => {
    expect(readPercent('0')).toEqual({ kind: 'percent', percent: 0 });
    expect(readPercent('không phần trăm')).toEqual({ kind: 'percent', percent: 0 });
    expect(readPercent('Không.')).toEqual({ kind: 'unread' });
  });

  it.each(['', 'gần xong', 'dưới 60%', '60-50%', 'hoàn thành', '70%%', '-5', 'khoảng'])('%j is not read', (typed) => {
    expect(readPercent(typed)).toEqual({ kind: 'unread' });
  });
});
