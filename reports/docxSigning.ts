import { Paragraph, Table, TableBorders, TableCell, TableLayoutType, TableRow, WidthType } from 'docx';
import { DEFAULT_SIGNER_TITLE, type DocxOptions, upper } from './docxOptions.js';
import { BODY_PT, centred, NO_MARGINS, run, TEXT_WIDTH } from './docxLayout.js';

/**
 * The end of a Word report: the recipients (Nơi nhận) on the left, the signer on the right, kept
 * on one page. A state body writes them after Decree 30 ("Nơi nhận:" bold italic 12 pt, each
 * recipient 11 pt ending with ";", "- Lưu: VT."); a Party body after Hướng dẫn 36-HD/VPTW
 * ("Nơi nhận:" 14 pt underlined, each recipient 12 pt ending with ",", the archive copy "- Lưu
 * VT." without a colon, and "T/M", "K/T" with a slash in the signer's title).
 */

export function signatureBlock(options: DocxOptions): Table {
  const half = Math.round(TEXT_WIDTH / 2);
  const recipients = (options.recipients ?? []).map((r) => r.trim().replace(/[;,.]+$/, '')).filter((r) => r !== '');
  const left = options.format === 'party' ? partyRecipients(recipients) : stateRecipients(recipients);
  const titleLines = upper(options.signer?.title ?? DEFAULT_SIGNER_TITLE).split('\n');
  const right = [
    ...titleLines.map((line, i) => centred(line, { bold: true, size: BODY_PT }, i === 0 ? { before: 240 } : {})),
    // Room for the signature and the seal.
    ...Array.from({ length: 5 }, () => new Paragraph({ children: [run('')] })),
    centred(options.signer?.name ?? '', { bold: true, size: BODY_PT }),
  ];
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [half, TEXT_WIDTH - half],
    layout: TableLayoutType.FIXED,
    borders: TableBorders.NONE,
    rows: [
      new TableRow({
        cantSplit: true,
        children: [
          new TableCell({ width: { size: half, type: WidthType.DXA }, margins: NO_MARGINS, children: left }),
          new TableCell({ width: { size: TEXT_WIDTH - half, type: WidthType.DXA }, margins: NO_MARGINS, children: right }),
        ],
      }),
    ],
  });
}

function stateRecipients(recipients: readonly string[]): Paragraph[] {
  return [
    new Paragraph({ spacing: { before: 240 }, children: [run('Nơi nhận:', { bold: true, italics: true, size: 12 })] }),
    ...recipients.map((r) => new Paragraph({ children: [run(`- ${r};`, { size: 11 })] })),
    new Paragraph({ children: [run('- Lưu: VT.', { size: 11 })] }),
  ];
}

function partyRecipients(recipients: readonly string[]): Paragraph[] {
  return [
    new Paragraph({ spacing: { before: 240 }, children: [run('Nơi nhận:', { underline: true, size: 14 })] }),
    ...recipients.map((r) => new Paragraph({ children: [run(`- ${r},`, { size: 12 })] })),
    new Paragraph({ children: [run('- Lưu VT.', { size: 12 })] }),
  ];
}
