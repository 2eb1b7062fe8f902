import { type Paragraph, Table, TableBorders, TableCell, TableLayoutType, TableRow, WidthType } from 'docx';
import { vnParts } from '../core/clock.js';
import { type DocxOptions, initials, upper } from './docxOptions.js';
import { BODY_PT, centred, NO_MARGINS, rule, TEXT_WIDTH, textWidth } from './docxLayout.js';

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
// Decree 30: superior (13 pt) and issuer (13 pt bold) with a short rule, "Số: …/BC-…" on the
// left; the national name (12 pt bold), the motto (13 pt bold) with its rule, place and date
// (14 pt italic) on the right.

const STATE_COLUMNS = [3685, TEXT_WIDTH - 3685] as const; // 6.5 cm for the issuer
const MOTTO = 'Độc lập - Tự do - Hạnh phúc';

function stateHeader(options: DocxOptions, generatedAt: Date): Table {
  const [left, right] = STATE_COLUMNS;
  const issuer = upper(options.issuer);
  const issuerLines = [
    ...(options.parentIssuer ? [centred(upper(options.parentIssuer), { size: 13 })] : []),
    centred(issuer, { bold: true, size: 13 }),
    // 1/3 to 1/2 of the issuer's line (at most a cell wide, where a long name wraps).
    rule(Math.min(textWidth(issuer, 13, true), left) * 0.4, left, { after: 120 }),
    // The number is written in by the clerk (văn thư) when the report is issued.
    centred(`Số:        /BC-${options.issuerCode ?? initials(issuer)}`, { size: 13 }),
  ];
  const mottoLines = [
    centred('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { bold: true, size: 12 }),
    centred(MOTTO, { bold: true, size: 13 }),
    // As long as the motto itself.
    rule(textWidth(MOTTO, 13, true), right, { after: 120 }),
    centred(placeDateLine(options.place, generatedAt), { italics: true, size: 14 }),
  ];
  return twoColumns(STATE_COLUMNS, issuerLines, mottoLines);
}

// ---------------------------------------------------------------------------------------------
// Hướng dẫn 36-HD/VPTW: the superior (14 pt caps) and the issuer (14 pt bold caps) with a "*"
// under it, then "Số …-BC/…" (14 pt, no colon) on the left; "ĐẢNG CỘNG SẢN VIỆT NAM" (15 pt bold
// caps) with a rule as long as itself, then place and date (14 pt italic) on the right.

/** 8.5 cm for the issuer: "ĐẢNG ỦY ỦY BAN NHÂN DÂN TỈNH" in 14 pt bold fits one line. */
const PARTY_COLUMNS = [4820, TEXT_WIDTH - 4820] as const;
const PARTY_TITLE = 'ĐẢNG CỘNG SẢN VIỆT NAM';

function partyHeader(options: DocxOptions, generatedAt: Date): Table {
  const [, right] = PARTY_COLUMNS;
  const issuer = upper(options.issuer);
  const issuerLines = [
    ...(options.parentIssuer ? [centred(upper(options.parentIssuer), { size: 14 })] : []),
    centred(issuer, { bold: true, size: 14 }),
    centred('*', { size: 14 }),
    // Number and ký hiệu joined by a hyphen, without "Số:"'s colon; the clerk writes the number in.
    centred(`Số      -BC/${options.issuerCode ?? initials(issuer)}`, { size: 14 }, { before: 60 }),
  ];
  const partyLines = [
    centred(PARTY_TITLE, { bold: true, size: 15 }),
    rule(Math.min(textWidth(PARTY_TITLE, 15, true), right), right, { after: 240 }),
    centred(placeDateLine(options.place, generatedAt), { italics: true, size: 14 }),
  ];
  return twoColumns(PARTY_COLUMNS, issuerLines, partyLines);
}

function twoColumns(widths: readonly [number, number], left: Paragraph[], right: Paragraph[]): Table {
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [...widths],
    layout: TableLayoutType.FIXED,
    borders: TableBorders.NONE,
    rows: [
      new TableRow({
        children: [
          new TableCell({ width: { size: widths[0], type: WidthType.DXA }, margins: NO_MARGINS, children: left }),
          new TableCell({ width: { size: widths[1], type: WidthType.DXA }, margins: NO_MARGINS, children: right }),
        ],
      }),
    ],
  });
}
