import { textWidth } from './docxLayout.js';

/**
 * Fitting a name in capitals (an issuer, its superior) into a header column: at the largest size
 * the format allows that holds it on one line, else broken into lines by hand. Word would break
 * it at any space, and "ỦY BAN NHÂN DÂN TỈNH HÀ / TĨNH" splits the place name, which no clerk
 * accepts; the breaks chosen here never fall inside a place name.
 */

/**
 * textWidth uses Times' advance widths; Times New Roman (and Liberation Serif, which stands in for
 * it) prints a hair wider on some letters with a horn (Ư, Ơ), so a line is given 2% of room.
 */
export const WIDTH_SLACK = 1.02;

export interface FittedLines {
  /** Points. */
  size: number;
  lines: string[];
}

/**
 * `sizes` largest first: the first that holds the whole name on one line within `width` twips
 * wins; otherwise the smallest, broken where `allowedBreaks` permits, each line as full as it can be.
 */
export function fitLines(text: string, width: number, sizes: readonly number[], bold: boolean): FittedLines {
  const fits = (line: string, size: number) => textWidth(line, size, bold) * WIDTH_SLACK <= width;
  for (const size of sizes) if (fits(text, size)) return { size, lines: [text] };
  const size = sizes.at(-1)!;
  const words = text.split(/\s+/).filter((w) => w !== '');
  const allowed = allowedBreaks(words);
  const lines: string[] = [];
  let start = 0;
  while (start < words.length) {
    let end = -1;
    // The last allowed break after which the line still fits; the first allowed one if none does.
    for (let i = start + 1; i <= words.length; i++) {
      if (i < words.length && !allowed[i]) continue;
      if (fits(words.slice(start, i).join(' '), size)) end = i;
      else {
        if (end === -1) end = i;
        break;
      }
    }
    lines.push(words.slice(start, end).join(' '));
    start = end;
  }
  return { size, lines };
}

/** Words that begin an administrative place's name: the place runs from them to the end. */
const PLACE_WORDS = new Set(['TỈNH', 'THÀNH', 'HUYỆN', 'QUẬN', 'THỊ', 'XÃ', 'PHƯỜNG', 'ĐẶC']);

/** Word groups never broken across lines. */
const UNBROKEN: readonly (readonly string[])[] = [
  ['VIỆT', 'NAM'],
  ['ỦY', 'BAN'],
  ['ỦY', 'BAN', 'NHÂN', 'DÂN'],
  ['ĐẢNG', 'ỦY'],
  ['BAN', 'THƯỜNG', 'VỤ'],
  ['MẶT', 'TRẬN', 'TỔ', 'QUỐC'],
  ['HỘI', 'ĐỒNG', 'NHÂN', 'DÂN'],
];

/**
 * `allowed[i]`: whether a line may start at word i. Not inside a place — an administrative word
 * ("TỈNH", "XÃ", "THÀNH PHỐ"…) and every word after it, since Vietnamese names end with their place
 * ("SỞ Y TẾ TỈNH HÀ TĨNH"); not inside "VIỆT NAM", "ỦY BAN NHÂN DÂN" and the like (UNBROKEN); not
 * before a number nor before the last word of the name (a place without its administrative word is
 * its last two words at least: "… CẨM BÌNH", "SƠN KIM 1").
 */
export function allowedBreaks(words: readonly string[]): boolean[] {
  const allowed = words.map((_, i) => i > 0);
  const place = words.findIndex((w, i) => PLACE_WORDS.has(w) && i > 0);
  if (place > 0) for (let i = place + 1; i < words.length; i++) allowed[i] = false;
  words.forEach((w, i) => {
    if (/^\d/.test(w)) allowed[i] = false;
  });
  // Names of bodies read as one word: "ĐẢNG ỦY ỦY BAN NHÂN / DÂN TỈNH" is as wrong as a split place.
  for (const phrase of UNBROKEN) {
    for (let i = 0; i + phrase.length <= words.length; i++) {
      if (phrase.every((p, k) => words[i + k] === p)) for (let k = 1; k < phrase.length; k++) allowed[i + k] = false;
    }
  }
  // The place's last name word stays with the one before it ("SƠN KIM 1" whole, not "SƠN / KIM 1").
  let last = words.length - 1;
  while (last > 0 && /^\d/.test(words[last]!)) last--;
  if (last > 0) allowed[last] = false;
  return allowed;
}
