import { AlignmentType, BorderStyle, type IBorderOptions, Paragraph, Table, TableCell, TableLayoutType, TableRow, VerticalAlignTable, WidthType } from 'docx';
import { BODY_SPACING, FIRST_LINE, type RunStyle, run, TABLE_PT, TEXT_WIDTH } from './docxLayout.js';

/**
 * What the body of a Word report is made of: headings, paragraphs and bordered tables of figures,
 * set so that Word and LibreOffice never leave a heading or a table's caption alone at the foot
 * of a page (keep with next), never split a paragraph's last or first line off (widow control),
 * and never split a table row across pages.
 */

/** A numbered heading ("I. TÌNH HÌNH CHUNG", "1. …", "a) …"): bold, kept with what follows it. */
export function heading(label: string, major = true): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    indent: { firstLine: FIRST_LINE },
    spacing: { ...BODY_SPACING, before: major ? 180 : 120 },
    keepNext: true,
    keepLines: true,
    widowControl: true,
    children: [run(label, { bold: true })],
  });
}

/**
 * A body paragraph, justified with its first line indented. `keepNext`: a caption or the lead-in
 * of a list, which must not end a page without the first item after it.
 */
export function text(content: string, style: RunStyle = {}, keepNext = false): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    indent: { firstLine: FIRST_LINE },
    spacing: BODY_SPACING,
    keepNext,
    ...(keepNext ? { keepLines: true } : {}),
    widowControl: true,
    children: [run(content, style)],
  });
}

/** "A, B, C và 12 đơn vị khác": the first `cap` names, then how many were left out. */
export function listOf(names: readonly string[], cap: number, noun: string): string {
  if (names.length <= cap) return names.join(', ');
  return `${names.slice(0, cap).join(', ')} và ${num(names.length - cap)} ${noun} khác`;
}

/** 10.000 — the Vietnamese thousands separator. */
export function num(n: number): string {
  return n.toLocaleString('vi-VN');
}

// ---------------------------------------------------------------------------------------------
// Tables of figures: bordered, a bold header row repeated on every page, a STT column.

export interface Column {
  header: string;
  /** Twips; 0 = whatever the other columns leave of the text width. */
  width: number;
  align: 'left' | 'center';
}

export interface Row {
  cells: string[];
  bold: boolean;
  italics: boolean;
  /** Twips before the second cell's text (a child unit under its parent). */
  indent: number;
}

export function col(header: string, width: number, align: 'left' | 'center' = 'left'): Column {
  return { header, width, align };
}

export function row(cells: string[], style: { bold?: boolean; italics?: boolean; indent?: number } = {}): Row {
  return { cells, bold: style.bold ?? false, italics: style.italics ?? false, indent: style.indent ?? 0 };
}

export interface TableOptions {
  /** Points; the tables' 13 unless said. */
  size?: number;
  /** Twips; the portrait page's text width unless said (a landscape appendix is wider). */
  width?: number;
  /**
   * Keep the whole table on one page (a short table: a few rows): every row but the last is kept
   * with the next. Otherwise only the header row is kept with the first row of figures.
   */
  keepTogether?: boolean;
}

const LINE: IBorderOptions = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
const GRID = { top: LINE, bottom: LINE, left: LINE, right: LINE, insideHorizontal: LINE, insideVertical: LINE };
const CELL_MARGINS = { left: 80, right: 80, top: 30, bottom: 30 };

export function dataTable(columns: readonly Column[], rows: readonly Row[], options: TableOptions = {}): Table {
  const size = options.size ?? TABLE_PT;
  const tableWidth = options.width ?? TEXT_WIDTH;
  const fixed = columns.reduce((sum, c) => sum + c.width, 0);
  const widths = columns.map((c) => (c.width === 0 ? tableWidth - fixed : c.width));
  const cell = (content: string, i: number, style: { bold: boolean; italics?: boolean; header: boolean; indent?: number; keepNext: boolean }) =>
    new TableCell({
      width: { size: widths[i]!, type: WidthType.DXA },
      margins: CELL_MARGINS,
      verticalAlign: VerticalAlignTable.CENTER,
      children: [
        new Paragraph({
          alignment: style.header || columns[i]!.align === 'center' ? AlignmentType.CENTER : AlignmentType.LEFT,
          indent: style.indent ? { left: style.indent } : undefined,
          spacing: { before: 20, after: 20 },
          // Word keeps a row with the next one when its paragraphs are kept with the next.
          keepNext: style.keepNext,
          children: [run(content, { bold: style.bold, italics: style.italics, size })],
        }),
      ],
    });
  return new Table({
    width: { size: tableWidth, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: GRID,
    rows: [
      new TableRow({
        tableHeader: true,
        cantSplit: true,
        children: columns.map((c, i) => cell(c.header, i, { bold: true, header: true, keepNext: rows.length > 0 })),
      }),
      ...rows.map(
        (r, n) =>
          new TableRow({
            cantSplit: true,
            children: r.cells.map((content, i) =>
              cell(content, i, {
                bold: r.bold,
                italics: r.italics,
                header: false,
                indent: i === 1 ? r.indent : 0,
                keepNext: options.keepTogether === true && n < rows.length - 1,
              }),
            ),
          }),
      ),
    ],
  });
}
