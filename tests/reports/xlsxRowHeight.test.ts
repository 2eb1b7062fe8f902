import { describe, expect, it } from 'vitest';
import { MAX_ROW_HEIGHT, rowHeight, wrappedLines } from '../../reports/xlsxRowHeight.js';

describe('wrappedLines', () => {
  it('keeps a text that fits the column on one line', () => {
    expect(wrappedLines('Xã Cẩm Xuyên', 12)).toBe(1);
    expect(wrappedLines('', 12)).toBe(1);
  });

  it('breaks between words, as a word wrap does', () => {
    // "Vận động" (8) fits 10; " nhân" would make 14, so "nhân dân" goes on a second line.
    expect(wrappedLines('Vận động nhân dân', 10)).toBe(2);
    // Three words of 4 in a column of 9: two per line would take 9, so two lines.
    expect(wrappedLines('aaaa bbbb cccc', 9)).toBe(2);
    expect(wrappedLines('aaaa bbbb cccc', 8)).toBe(3);
  });

  it('breaks a word longer than the line across lines', () => {
    expect(wrappedLines('x'.repeat(25), 10)).toBe(3);
    expect(wrappedLines(`ab ${'x'.repeat(20)}`, 10)).toBe(3);
  });

  it('starts a line at each line break', () => {
    expect(wrappedLines('một\nhai\nba', 40)).toBe(3);
  });

  it('counts more lines for a larger font in the same column', () => {
    const title = 'Báo cáo mô hình “Dân vận khéo” — từ 15/02/2026 đến 14/03/2026';
    expect(wrappedLines(title, 64)).toBe(1);
    expect(wrappedLines(title, 64, 14)).toBe(2);
  });

  it('grows with the text', () => {
    const sentence = 'Vận động nhân dân hiến đất, góp ngày công chỉnh trang đường làng. ';
    expect(wrappedLines(sentence.repeat(10), 50)).toBeGreaterThan(wrappedLines(sentence.repeat(2), 50));
  });
});

describe('rowHeight', () => {
  it('leaves a row of one line at the default height and gives more lines 15 points each', () => {
    expect(rowHeight(1)).toBeUndefined();
    expect(rowHeight(3)).toBe(45);
  });

  it('scales with the font and stops at Excel’s tallest row', () => {
    expect(rowHeight(1, 14)).toBe(20);
    expect(rowHeight(100)).toBe(MAX_ROW_HEIGHT);
  });
});
