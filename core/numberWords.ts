import { fold, wordValue } from './text.js';

/**
 * Vietnamese number words, as people type them in a chat, with or without diacritics:
 * "bảy mươi" 70, "bảy mươi lăm" 75, "bảy mươi mốt" 71, "sáu mươi tư" 64, "mười lăm" 15,
 * "bảy chục" 70, the spoken short forms "tám lăm" 85 and "hai mốt" 21, "một trăm" 100,
 * "một trăm linh năm" / "lẻ năm" 105. Folded, "năm" and "lăm" (5), "mốt" and "một" (1), "mười"
 * and "mươi" read alike, which is harmless: their place says which is meant.
 */

const DIGITS: Readonly<Record<string, number>> = {
  khong: 0,
  mot: 1,
  hai: 2,
  ba: 3,
  bon: 4,
  nam: 5,
  sau: 6,
  bay: 7,
  tam: 8,
  chin: 9,
};

/** The last digit after tens: "mốt" 1, "tư" 4, "lăm"/"nhăm" 5 are said only there. */
const AFTER_TENS: Readonly<Record<string, number>> = { ...DIGITS, tu: 4, lam: 5, nham: 5 };

/** The spoken short form "tám lăm" (85) drops "mươi" only before these: "ba bốn" means "three or four". */
const SHORT_FORM_ENDS: Readonly<Record<string, number>> = { mot: 1, tu: 4, lam: 5, nham: 5 };

/** The number the words say, 0–999, or undefined when they are not (only) a number. */
export function readNumberWords(text: string): number | undefined {
  const words = fold(text)
    .split(' ')
    .filter((w) => w !== '');
  if (words.length === 0) return undefined;
  let i = 0;
  let total = 0;
  // Hundreds: "một trăm", or "trăm" alone ("trăm phần trăm").
  if (words[0] === 'tram') {
    total = 100;
    i = 1;
  } else if (words[1] === 'tram' && wordValue(DIGITS, words[0])) {
    total = wordValue(DIGITS, words[0])! * 100;
    i = 2;
  }
  if (i > 0 && i === words.length) return total;
  if (i > 0 && (words[i] === 'linh' || words[i] === 'le')) {
    const unit = wordValue(DIGITS, words[i + 1]);
    return unit !== undefined && unit > 0 && i + 2 === words.length ? total + unit : undefined;
  }
  const tens = readBelowHundred(words.slice(i));
  return tens === undefined ? undefined : total + tens;
}

function readBelowHundred(words: readonly string[]): number | undefined {
  const [first, second, third] = words;
  if (first === 'muoi') {
    // "mười", "mười lăm", "mười một", "mười tư"
    if (words.length === 1) return 10;
    const unit = wordValue(AFTER_TENS, second);
    return words.length === 2 && unit !== undefined && unit > 0 ? 10 + unit : undefined;
  }
  const digit = wordValue(DIGITS, first);
  if (digit === undefined) return undefined;
  if (words.length === 1) return digit;
  if (digit < 2) return undefined;
  if (second === 'muoi' || second === 'chuc') {
    if (words.length === 2) return digit * 10;
    const unit = wordValue(AFTER_TENS, third);
    return words.length === 3 && unit !== undefined && unit > 0 ? digit * 10 + unit : undefined;
  }
  const short = wordValue(SHORT_FORM_ENDS, second);
  return words.length === 2 && short !== undefined ? digit * 10 + short : undefined;
}
