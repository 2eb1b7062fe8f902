import { describe, expect, it } from 'vitest';
import { allowedBreaks, fitLines, WIDTH_SLACK } from '../../reports/docxFit.js';
import { textWidth } from '../../reports/docxLayout.js';

/** A header column's width in twips (6.5 cm, Decree 30's usual issuer column). */
const COLUMN = 3685;

describe('fitLines', () => {
  it('keeps a name that fits on one line at the largest size', () => {
    expect(fitLines('SỞ NỘI VỤ', COLUMN, [13, 12], true)).toEqual({ size: 13, lines: ['SỞ NỘI VỤ'] });
  });

  it('takes the smaller size when only it holds the name on one line', () => {
    const name = 'BAN DÂN TỘC VÀ TÔN GIÁO';
    const width = Math.ceil(textWidth(name, 12, true) * WIDTH_SLACK) + 10;
    expect(textWidth(name, 13, true) * WIDTH_SLACK).toBeGreaterThan(width);
    expect(fitLines(name, width, [13, 12], true)).toEqual({ size: 12, lines: [name] });
  });

  it('breaks a committee before its place, never inside "HÀ TĨNH"', () => {
    expect(fitLines('ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH', COLUMN, [13], true).lines).toEqual(['ỦY BAN NHÂN DÂN', 'TỈNH HÀ TĨNH']);
  });

  it('never breaks inside "ỦY BAN NHÂN DÂN", even where more of it would fit', () => {
    // Wide enough for "ĐẢNG ỦY ỦY BAN NHÂN" but not for the whole name.
    const width = Math.ceil(textWidth('ĐẢNG ỦY ỦY BAN NHÂN', 14, true) * WIDTH_SLACK) + 10;
    expect(fitLines('ĐẢNG ỦY ỦY BAN NHÂN DÂN TỈNH', width, [14], true).lines).toEqual(['ĐẢNG ỦY', 'ỦY BAN NHÂN DÂN TỈNH']);
  });

  it('puts every line within the width when the breaks allow it', () => {
    const name = 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ CẨM XUYÊN';
    const { lines, size } = fitLines(name, COLUMN, [13], true);
    expect(lines.join(' ')).toBe(name);
    expect(lines.at(-1)).toBe('XÃ CẨM XUYÊN');
    for (const line of lines) expect(textWidth(line, size, true) * WIDTH_SLACK).toBeLessThanOrEqual(COLUMN);
  });
});

describe('allowedBreaks', () => {
  const breaks = (name: string) => {
    const words = name.split(' ');
    return words.slice(1).filter((_, i) => allowedBreaks(words)[i + 1]);
  };

  it('allows a break only before the place, not inside it', () => {
    expect(breaks('SỞ Y TẾ TỈNH HÀ TĨNH')).toEqual(['Y', 'TẾ', 'TỈNH']);
  });

  it('keeps a place without its administrative word, and a number, with the word before', () => {
    expect(breaks('TRƯỜNG TIỂU HỌC SƠN KIM 1')).toEqual(['TIỂU', 'HỌC', 'SƠN']);
  });

  it('keeps the names of bodies whole', () => {
    expect(breaks('ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM')).toEqual(['MẶT', 'VIỆT']);
    // Nor a lone "TỈNH" on the last line.
    expect(breaks('ĐẢNG ỦY ỦY BAN NHÂN DÂN TỈNH')).toEqual(['ỦY']);
  });
});
