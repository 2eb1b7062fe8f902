import { fold, wordValue } from './text.js';

/**
 * Abbreviations officials write for the fields and kinds a question offers, as in their own
 * documents ("NTM", "CCHC"), and the words of the label they stand for. A choice is picked
 * through them only when those words find exactly one label, so an abbreviation of a field that
 * a deployment has retired or renamed simply finds nothing. Keys are folded, without spaces or
 * dashes ("KT-XH" and "kt xh" are both "ktxh").
 *
 * "KT-XH" (kinh tế - xã hội) is left out on purpose: it names two of the default fields at once.
 */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  ntm: 'xay dung nong thon moi',
  xdntm: 'xay dung nong thon moi',
  cchc: 'cai cach hanh chinh',
  dvk: 'dan van kheo',
  qpan: 'quoc phong an ninh',
  vhxh: 'van hoa xa hoi',
  xdd: 'xay dung dang',
  htct: 'he thong chinh tri',
  xddhtct: 'xay dung dang va he thong chinh tri',
  qcdc: 'quy che dan chu',
  dvcq: 'dan van chinh quyen',
};

/** The words an abbreviation stands for, folded; undefined when the text is not one. */
export function expandAbbreviation(typed: string): string | undefined {
  const key = fold(typed).replace(/[\s\-–.]/g, '');
  return wordValue(ABBREVIATIONS, key);
}
