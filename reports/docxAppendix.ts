import { AlignmentType, Header, PageNumber, PageOrientation, Paragraph, type ISectionOptions, TextRun } from 'docx';
import { periodTitle } from '../core/period.js';
import type { ReportData } from '../db/reportData.js';
import { numberSymbol } from './docxHeader.js';
import { A4, BODY_PT, centred, LANDSCAPE_TEXT_WIDTH, MARGIN, pt } from './docxLayout.js';
import type { DocxOptions } from './docxOptions.js';
import { unitTable } from './docxUnits.js';

/**
 * The appendix after the signature: the table of results by unit, eleven columns, on a landscape
 * page (Decree 30 lets a wide table be set across the page; a Party report's appendix is laid out
 * the same way). "Phụ lục", its title, and the report it goes with — the number left blank for the
 * clerk, as on the first page.
 */
export function appendixSection(data: ReportData, options: DocxOptions): ISectionOptions {
  return {
    properties: {
      // docx swaps width and height for a landscape page; the margins turn with it.
      page: { size: { width: A4.width, height: A4.height, orientation: PageOrientation.LANDSCAPE }, margin: MARGIN },
    },
    headers: { default: pageNumberHeader() },
    children: [
      centred('Phụ lục', { bold: true }),
      centred(`KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA “DÂN VẬN KHÉO” THEO ĐƠN VỊ ${periodTitle(data.period).toLocaleUpperCase('vi')}`, { bold: true }),
      centred(`(Kèm theo Báo cáo số        ${numberSymbol(options)} ngày       tháng       năm ${data.period.year})`, { italics: true }, { after: 240 }),
      ...unitTable(data, LANDSCAPE_TEXT_WIDTH),
    ],
  };
}

/** Decree 30: the page number at the top centre, counted on from the report's pages. */
export function pageNumberHeader(): Header {
  return new Header({
    children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: [PageNumber.CURRENT], size: pt(BODY_PT) })] })],
  });
}
