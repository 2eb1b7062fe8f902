import { type Paragraph, Table, TableBorders, TableCell, TableLayoutType, TableRow, WidthType } from 'docx';
import { vnParts } from '../core/clock.js';
import { type DocxOptions, initials, upper } from './docxOptions.js';
import { BODY_PT, centred, NO_MARGINS, rule, TEXT_WIDTH, textWidth } from './docxLayout.js';
import { type FittedLines, fitLines, WIDTH_SLACK } from './docxFit.js';

/**
 * The top of a Word report's first page — the header block and the title — in the issuer's
 * format: a state body's after Decree 30/2020/NĐ-CP (Phụ lục I), a Party body's after Hướng dẫn
 * 36-HD/VPTW (Quy định 399-QĐ/TW). Both are a borderless two-column table, as every Word template
 * of either has it: the issuer on the left, the national name or the Party's on the right.
 */

export function headerBlock(options: DocxOptions, generatedAt: Date): Table {
  return options.format === 'party' ? partyHeader(options, generatedAt) : stateHeader(options, generatedAt);
}

/** "BÁO CÁO" and the report's subject, with what each format puts under the subject. */
export function titleBlock(options: DocxOptions, title: string): Paragraph[] {
  if (options.format === 'party') {
    return [
      // Hướng dẫn 36: the kind of document 15–16 pt, the subject 14–15 pt, both bold, then five hyphens.
      centred('BÁO CÁO', { bold: true, size: 16 }, { before: 360 }),
      centred(title, { bold: true, size: BODY_PT }),
      centred('-----', { size: BODY_PT }, { after: 240 }),
    ];
  }
  return [
    centred('BÁO CÁO', { bold: true }, { before: 360 }),
    centred(title, { bold: true }),
    // 1/3 to 1/2 of the title's line.
    rule(Math.min(textWidth(title, BODY_PT, true), TEXT_WIDTH) * 0.4, TEXT_WIDTH, { after: 240 }),
  ];
}

/**
 * What follows the number the clerk writes in: "/BC-SNV" (Decree 30), "-BC/BTGDVTU" (a Party body).
 * The appendix repeats it to say which report it goes with.
 */
export function numberSymbol(options: DocxOptions): string {
  const code = options.issuerCode ?? initials(upper(options.issuer));
  return options.format === 'party' ? `-BC/${code}` : `/BC-${code}`;
}

/**
 * "Hà Tĩnh, ngày 05 tháng 02 năm 2026": Decree 30 writes a day below 10 and the months 1 and 2
 * with a leading 0 (so "tháng 02" but "tháng 3"), in Vietnam time; Party documents write it the
 * same way.
 */
export function placeDateLine(place: string, instant: Date): string {
  const { year, month, day } = vnParts(instant);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${place}, ngày ${day < 10 ? two(day) : day} tháng ${month < 3 ? two(month) : month} năm ${year}`;
}

// ---------------------------------------------------------------------------------------------
// Decree 30: superior (13 pt) and issuer (13 pt bold; a long name on two lines, broken before its
// place, as "ỦY BAN NHÂN DÂN / TỈNH HÀ TĨNH" is always printed, rather than set smaller) with a short
// rule, "Số: …/BC-…" on the left; the national name (12 pt bold), the motto (13 pt bold) with its
// rule, place and date (14 pt italic) on the right. Two rows: the number and the place and date
// share the second, so they stand level whatever the issuer's lines above them take.

const MOTTO = 'Độc lập - Tự do - Hạnh phúc';
const NATIONAL_NAME = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
/** Decree 30's usual 6.5 cm at the least for the issuer, whatever the right column asks. */
const STATE_MIN_LEFT = 3685;

function stateHeader(options: DocxOptions, generatedAt: Date): Table {
  const dateLine = placeDateLine(options.place, generatedAt);
  const columns = splitColumns([textWidth(NATIONAL_NAME, 12, true), textWidth(MOTTO, 13, true), textWidth(dateLine, 14, false)], STATE_MIN_LEFT);
  const [left, right] = columns;
  const issuer = fitLines(upper(options.issuer), left, [13], true);
  const issuerLines = [
    ...(options.parentIssuer ? linesOf(fitLines(upper(options.parentIssuer), left, [13], false), false) : []),
    ...linesOf(issuer, true),
    // 1/3 to 1/2 of the issuer's longest line.
    rule(Math.max(...issuer.lines.map((l) => textWidth(l, issuer.size, true))) * 0.4, left, { after: 120 }),
  ];
  const mottoLines = [
    centred(NATIONAL_NAME, { bold: true, size: 12 }),
    centred(MOTTO, { bold: true, size: 13 }),
    // As long as the motto itself.
    rule(textWidth(MOTTO, 13, true), right, { after: 120 }),
  ];
  return layoutTable(columns, [
    [issuerLines, mottoLines],
    // The number is written in by the clerk (văn thư) when the report is issued.
    [[centred(`Số:        ${numberSymbol(options)}`, { size: 13 })], [centred(dateLine, { italics: true, size: 14 })]],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Hướng dẫn 36-HD/VPTW: the superior (14 pt caps) and the issuer (14 pt bold caps) with a "*"
// under it, then "Số …-BC/…" (14 pt, no colon) on the left; "ĐẢNG CỘNG SẢN VIỆT NAM" (15 pt bold
// caps) with a rule as long as itself, then place and date (14 pt italic) on the right.

const PARTY_TITLE = 'ĐẢNG CỘNG SẢN VIỆT NAM';
/** 8.65 cm at the least for the issuer: "ĐẢNG ỦY ỦY BAN NHÂN DÂN TỈNH" in 14 pt bold fits one line, with WIDTH_SLACK. */
const PARTY_MIN_LEFT = 4900;

function partyHeader(options: DocxOptions, generatedAt: Date): Table {
  const dateLine = placeDateLine(options.place, generatedAt);
  const columns = splitColumns([textWidth(PARTY_TITLE, 15, true), textWidth(dateLine, 14, false)], PARTY_MIN_LEFT);
  const [left, right] = columns;
  const issuer = upper(options.issuer);
  const issuerLines = [
    // Hướng dẫn 36 sets these at 14 pt and names no smaller size: a long name breaks into lines instead.
    ...(options.parentIssuer ? linesOf(fitLines(upper(options.parentIssuer), left, [14], false), false) : []),
    ...linesOf(fitLines(issuer, left, [14], true), true),
    centred('*', { size: 14 }),
    // Number and ký hiệu joined by a hyphen, without "Số:"'s colon; the clerk writes the number in.
    centred(`Số      ${numberSymbol(options)}`, { size: 14 }, { before: 60 }),
  ];
  const partyLines = [
    centred(PARTY_TITLE, { bold: true, size: 15 }),
    rule(Math.min(textWidth(PARTY_TITLE, 15, true), right), right, { after: 240 }),
    centred(dateLine, { italics: true, size: 14 }),
  ];
  return layoutTable(columns, [[issuerLines, partyLines]]);
}

/** Room between the columns' texts: half on either side of the right column's widest line. */
const GUTTER = 240;

/**
 * The two columns' widths: the right one as wide as its widest line needs (the national name, the
 * motto, a long place in the date line) and the gutter, the left one the rest, but never below `minLeft`.
 */
function splitColumns(rightLines: readonly number[], minLeft: number): [number, number] {
  const right = Math.min(Math.ceil(Math.max(...rightLines) * WIDTH_SLACK) + GUTTER, TEXT_WIDTH - minLeft);
  return [TEXT_WIDTH - right, right];
}

function linesOf(fitted: FittedLines, bold: boolean): Paragraph[] {
  return fitted.lines.map((line) => centred(line, { bold, size: fitted.size }));
}

/** The borderless table every Word template of either format lays its header out in; rows never split. */
function layoutTable(widths: readonly [number, number], rows: readonly (readonly [Paragraph[], Paragraph[]])[]): Table {
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [...widths],
    layout: TableLayoutType.FIXED,
    borders: TableBorders.NONE,
    rows: rows.map(
      ([left, right]) =>
        new TableRow({
          cantSplit: true,
          children: [
            new TableCell({ width: { size: widths[0], type: WidthType.DXA }, margins: NO_MARGINS, children: left }),
            new TableCell({ width: { size: widths[1], type: WidthType.DXA }, margins: NO_MARGINS, children: right }),
          ],
        }),
    ),
  });
}
