import { AlignmentType, BorderStyle, Paragraph, TextRun } from 'docx';

/**
 * The page and the type of every Word report, in twips (1/20 pt; 1 mm = 56.7 twips) and
 * half-points as Word counts them: A4, Times New Roman, the margins and sizes both Decree 30 and
 * the Party's Hướng dẫn 36-HD/VPTW allow, and the few building blocks (a run, a centred line, a
 * rule) the header, the body and the signing block are made of.
 */

export const FONT = 'Times New Roman';
export const BODY_PT = 14;
export const TABLE_PT = 13;
export const A4 = { width: 11906, height: 16838 };
/** Decree 30: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm; the smallest of each. */
export const MARGIN = { top: 1134, bottom: 1134, left: 1701, right: 851, header: 567, footer: 567 };
export const TEXT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
/** The text width of a landscape page (an appendix's wide table), with the same margins turned. */
export const LANDSCAPE_TEXT_WIDTH = A4.height - MARGIN.left - MARGIN.right;
export const FIRST_LINE = 720; // 1.27 cm
export const BODY_SPACING = { before: 120, after: 0, line: 276 }; // 6 pt between paragraphs, 1.15 lines

export const pt = (points: number) => points * 2;

export interface RunStyle {
  bold?: boolean;
  italics?: boolean;
  underline?: boolean;
  /** Points; the body's 14 unless said. */
  size?: number;
}

export function run(text: string, style: RunStyle = {}): TextRun {
  return new TextRun({
    text,
    bold: style.bold,
    italics: style.italics,
    ...(style.underline ? { underline: {} } : {}),
    size: pt(style.size ?? BODY_PT),
  });
}

/** A horizontal line `length` twips long centred in `width`: an empty paragraph's bottom border. */
export function rule(length: number, width: number, spacing: { before?: number; after?: number } = {}): Paragraph {
  const side = Math.max(0, Math.round((width - length) / 2));
  return new Paragraph({
    indent: { left: side, right: side },
    spacing: { before: 0, after: 0, ...spacing, line: 120, lineRule: 'exact' },
    border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 } },
    children: [],
  });
}

// Times (Roman and Bold) advance widths in 1/1000 em for A–Z and a–z: Times New Roman has the same.
const UPPER = {
  regular: [722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611],
  bold: [722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667],
};
const LOWER = {
  regular: [444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444],
  bold: [500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444],
};

/**
 * About how wide a line of text prints, in twips: Decree 30 sizes the lines under the issuer,
 * the motto and the title by the text above them, and Word draws a line only as long as asked.
 */
export function textWidth(text: string, sizePt: number, bold: boolean): number {
  const weight = bold ? 'bold' : 'regular';
  let em = 0;
  // Diacritics stacked on a letter do not widen it; đ/Đ are d/D with a bar.
  for (const ch of text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D')) {
    const code = ch.charCodeAt(0);
    if (code >= 65 && code <= 90) em += UPPER[weight][code - 65]!;
    else if (code >= 97 && code <= 122) em += LOWER[weight][code - 97]!;
    else if (/\d/.test(ch)) em += 500;
    else if (ch === ' ' || ch === '.' || ch === ',') em += 250;
    else em += 333;
  }
  return (em / 1000) * sizePt * 20;
}

/** Cells of the borderless layout tables (header, signing block) start at their very edge. */
export const NO_MARGINS = { left: 0, right: 0, top: 0, bottom: 0 };

export function centred(text: string, style: RunStyle, spacing: { before?: number; after?: number } = {}): Paragraph {
  return new Paragraph({ alignment: AlignmentType.CENTER, spacing, children: [run(text, style)] });
}
