/**
 * How tall a spreadsheet row must be for its wrapped texts to show whole. Excel and LibreOffice
 * size a row to its wrapped text only when they lay the sheet out themselves; a row written by a
 * program keeps the default height of one line unless it says otherwise, and exceljs measures
 * nothing. So the lines are counted here, as a word wrap at the column's width would break them.
 */

/**
 * Characters of Vietnamese text that fit in one unit of column width. Excel counts widths in the
 * default font's digit "0" (7 px in Calibri 11); running text is a little narrower (about 6 px a
 * character), but a guess too low leaves only blank space under a row, one too high hides text.
 */
const CHARS_PER_WIDTH = 1;

/** Points per line of 11-point Calibri: Excel's own default row height. */
const POINTS_PER_LINE = 15;

/** Excel's tallest row, in points. */
export const MAX_ROW_HEIGHT = 409;

/** Lines `text` takes, wrapped at word boundaries in a column `width` characters wide. */
export function wrappedLines(text: string, width: number, fontSize = 11): number {
  const capacity = Math.max(1, Math.floor((width * CHARS_PER_WIDTH * 11) / fontSize));
  // Most cells (names, dates, short labels) fit on one line: no need to walk them.
  if (text.length <= capacity && !text.includes('\n')) return 1;
  let lines = 1;
  let used = 0;
  let word = 0;
  for (let i = 0; i <= text.length; i++) {
    // The end of the text ends its last word as a line break would.
    const code = i < text.length ? text.charCodeAt(i) : 10;
    if (code !== 32 && code !== 10) {
      word++;
      continue;
    }
    if (word > 0) {
      if (used > 0 && used + 1 + word > capacity) {
        lines++;
        used = 0;
      }
      used += (used > 0 ? 1 : 0) + word;
      // A word longer than the line is broken across lines, as Excel does.
      if (used > capacity) {
        lines += Math.ceil(used / capacity) - 1;
        used = used % capacity || capacity;
      }
      word = 0;
    }
    if (code === 10 && i < text.length) {
      lines++;
      used = 0;
    }
  }
  return lines;
}

/** A row's height for its tallest cell's lines; undefined for one line, which Excel's default fits. */
export function rowHeight(lines: number, fontSize = 11): number | undefined {
  if (lines <= 1 && fontSize <= 11) return undefined;
  return Math.min(MAX_ROW_HEIGHT, Math.ceil(lines * POINTS_PER_LINE * (fontSize / 11)));
}
