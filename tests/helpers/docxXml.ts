import JSZip from 'jszip';

/**
 * A Word file read back as its tests need it: word/document.xml, its paragraphs in order (their
 * text, their XML, whether they sit in a table) and the header table's two cells.
 */

export interface DocxParagraph {
  text: string;
  xml: string;
  inTable: boolean;
  bold: boolean;
  italics: boolean;
  underlined: boolean;
  /** Every w:sz of its runs, in half-points. */
  sizes: number[];
}

export interface ReadDocx {
  xml: string;
  paragraphs: DocxParagraph[];
  /** The first table (the header block): each column's paragraphs, over its rows. */
  header: { left: DocxParagraph[]; right: DocxParagraph[] };
  paragraph(text: string): DocxParagraph;
  texts(): string[];
}

export async function readDocx(data: Uint8Array): Promise<ReadDocx> {
  const zip = await JSZip.loadAsync(data);
  const xml = await zip.file('word/document.xml')!.async('string');
  const paragraphs: DocxParagraph[] = [];
  let depth = 0;
  for (const m of xml.matchAll(/<w:tbl>|<\/w:tbl>|<w:p>[\s\S]*?<\/w:p>|<w:p [\s\S]*?<\/w:p>|<w:p\/>/g)) {
    if (m[0] === '<w:tbl>') depth++;
    else if (m[0] === '</w:tbl>') depth--;
    else paragraphs.push(paragraphOf(m[0], depth > 0));
  }
  const firstTable = /<w:tbl>[\s\S]*?<\/w:tbl>/.exec(xml)![0];
  // The state header has two rows (the number and the date share the second): each column's cells, top to bottom.
  const left: DocxParagraph[] = [];
  const right: DocxParagraph[] = [];
  for (const row of firstTable.matchAll(/<w:tr>[\s\S]*?<\/w:tr>|<w:tr [\s\S]*?<\/w:tr>/g)) {
    const [l, r] = [...row[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) =>
      [...c[0].matchAll(/<w:p>[\s\S]*?<\/w:p>|<w:p [\s\S]*?<\/w:p>/g)].map((p) => paragraphOf(p[0], true)),
    );
    left.push(...(l ?? []));
    right.push(...(r ?? []));
  }
  return {
    xml,
    paragraphs,
    header: { left, right },
    paragraph(text) {
      const found = paragraphs.find((p) => p.text === text);
      if (!found) throw new Error(`no paragraph "${text}"`);
      return found;
    },
    texts: () => paragraphs.map((p) => p.text),
  };
}

function paragraphOf(xml: string, inTable: boolean): DocxParagraph {
  const text = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => decode(t[1]!)).join('');
  return {
    text,
    xml,
    inTable,
    bold: /<w:b\/>/.test(xml),
    italics: /<w:i\/>/.test(xml),
    underlined: /<w:u w:val="single"\/>/.test(xml),
    sizes: [...xml.matchAll(/<w:sz w:val="(\d+)"\/>/g)].map((s) => Number(s[1])),
  };
}

function decode(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
}
