import { capitalized, nfc } from './text.js';

/**
 * Telex leftovers: what a Vietnamese word looks like when typed with the Telex keys but the
 * keyboard's Vietnamese mode was off ("tapj theer" for "tập thể", "Nguyeenx" for "Nguyễn").
 * Officials switch between keyboards on shared phones all day, so such answers are common.
 *
 * Decoding is strict so that it never mangles a word typed on purpose: a word is decoded only if
 * it is plain ASCII letters, carries a Telex mark (a doubled vowel, "dd", a "w" after a vowel, or a
 * tone letter s f r x j at its end, before its final consonant or before a glide), and gives a well-formed Vietnamese syllable once decoded
 * ("excel", "ok", "James", "ross" stay as they are).
 */

/** The tone letters, typed last, and the combining mark each one stands for. */
const TONES: Readonly<Record<string, string>> = {
  s: '\u0301', // sắc
  f: '\u0300', // huyền
  r: '\u0309', // hỏi
  x: '\u0303', // ngã
  j: '\u0323', // nặng
};

/** Vowel shapes, longest first: "uow" is ươ before "ow" is ơ. */
const SHAPES: readonly (readonly [string, string])[] = [
  ['uwow', 'ươ'],
  ['uow', 'ươ'],
  ['aa', 'â'],
  ['aw', 'ă'],
  ['ee', 'ê'],
  ['oo', 'ô'],
  ['ow', 'ơ'],
  ['uw', 'ư'],
];

const INITIAL = '(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?';
/** The vowel groups of Vietnamese syllables (the vowel and any glide after it). */
const NUCLEI = [
  'a',
  'ă',
  'â',
  'e',
  'ê',
  'i',
  'o',
  'ô',
  'ơ',
  'u',
  'ư',
  'y',
  'ai',
  'ao',
  'au',
  'ay',
  'âu',
  'ây',
  'eo',
  'êu',
  'ia',
  'iê',
  'iu',
  'oa',
  'oă',
  'oe',
  'oi',
  'ôi',
  'ơi',
  'oo',
  'ua',
  'uâ',
  'uê',
  'ui',
  'uô',
  'uơ',
  'uy',
  'ưa',
  'ưi',
  'ươ',
  'ưu',
  'yê',
  'iêu',
  'yêu',
  'oai',
  'oay',
  'oao',
  'oeo',
  'uây',
  'uôi',
  'ươi',
  'ươu',
  'uya',
  'uyê',
  'uyu',
  'uêu',
].sort((a, b) => b.length - a.length);
const FINAL = '(?:ng|nh|ch|c|m|n|p|t)?';
const SYLLABLE = new RegExp(`^(${INITIAL})(${NUCLEI.join('|')})(${FINAL})$`);

const MARKED_VOWELS = 'ăâêôơư';

/** One decoded word and whether a vowel shape or "dd" was typed (a stronger sign than a tone letter). */
interface DecodedWord {
  text: string;
  shaped: boolean;
}

/** Decodes one word of ASCII letters, or undefined when it is not a Telex leftover. */
function decodeWord(word: string): DecodedWord | undefined {
  if (!/^[A-Za-z]{2,}$/.test(word)) return undefined;
  let base = word.toLowerCase();
  let tone = '';
  // The tone letter comes last ("tapj"), or right after the vowels, before a final consonant ("taajp").
  const inner = /^(.*[aeiouyw])([sfrxj])(ch|c|m|ng|nh|n|p|t)$/.exec(base);
  // Or inside the vowels, before the glide ("Haaju" for "Hậu"): Telex keyboards take it anywhere after the vowel.
  const midVowel = /^(.*[aeiouyw])([sfrxj])([aeiouy]+(?:ch|c|m|ng|nh|n|p|t)?)$/.exec(base);
  const last = base.at(-1)!;
  if (last in TONES) {
    tone = TONES[last]!;
    base = base.slice(0, -1);
  } else if (inner) {
    tone = TONES[inner[2]!]!;
    base = inner[1]! + inner[3]!;
  } else if (midVowel) {
    tone = TONES[midVowel[2]!]!;
    base = midVowel[1]! + midVowel[3]!;
  }
  let shaped = false;
  if (base.startsWith('dd')) {
    base = `đ${base.slice(2)}`;
    shaped = true;
  }
  for (const [typed, letter] of SHAPES) {
    if (base.includes(typed)) {
      base = base.replace(typed, letter);
      shaped = true;
    }
  }
  if (tone === '' && !shaped) return undefined;
  const parts = SYLLABLE.exec(base);
  if (!parts) return undefined;
  const [, initial, nucleus, final] = parts as unknown as [string, string, string, string];
  const toned = initial + placeTone(nucleus, final !== '', tone) + final;
  return { text: restoreCase(word, nfc(toned)), shaped };
}

/**
 * Where the tone mark sits, in the spelling of official documents ("hóa", "thủy"): on ơ of ươ,
 * else on the vowel with a shape, else on the last vowel before a final consonant, else on the
 * first of two vowels and the middle of three.
 */
function placeTone(nucleus: string, closed: boolean, tone: string): string {
  if (tone === '') return nucleus;
  const letters = [...nucleus];
  let at: number;
  if (nucleus.includes('ơ')) at = letters.indexOf('ơ');
  else if (letters.some((l) => MARKED_VOWELS.includes(l))) at = letters.findIndex((l) => MARKED_VOWELS.includes(l));
  else if (closed) at = letters.length - 1;
  else at = letters.length === 3 ? 1 : 0;
  letters[at] = letters[at]! + tone;
  return letters.join('');
}

/** "Nguyeenx" → "Nguyễn", "THIJ" → "THỊ": the case the person typed. */
function restoreCase(typed: string, decoded: string): string {
  if (typed.length > 1 && typed === typed.toUpperCase()) return decoded.toUpperCase();
  if (typed[0] === typed[0]!.toUpperCase()) return capitalized(decoded);
  return decoded;
}

export interface TelexReading {
  /** The text with each Telex word decoded; other words as typed. */
  text: string;
  /** How many words were decoded. */
  decoded: number;
  /** How many of them carried a vowel shape or "dd", not only a tone letter. */
  shaped: number;
}

/** Decodes every Telex leftover in a text, keeping spacing, punctuation and other words as typed. */
export function readTelex(text: string): TelexReading {
  let decoded = 0;
  let shaped = 0;
  const out = text.replace(/[A-Za-z]+/g, (word, offset: number, whole: string) => {
    // Part of a longer token with digits or letters beyond ASCII ("DVK-2026", "Tĩnhs"): not a word typed in Telex.
    const before = whole[offset - 1];
    const after = whole[offset + word.length];
    if ((before && /[\p{L}\p{N}]/u.test(before)) || (after && /[\p{L}\p{N}]/u.test(after))) return word;
    const got = decodeWord(word);
    if (!got) return word;
    decoded++;
    if (got.shaped) shaped++;
    return got.text;
  });
  return { text: out, decoded, shaped };
}

/** The text with its Telex leftovers decoded ("tapj theer" → "tập thể"); the text itself when it has none. */
export function decodeTelex(text: string): string {
  return readTelex(text).text;
}

/**
 * What a person probably meant, for a gentle "Có phải bạn muốn gõ …?" on free text such as a name:
 * only when the text clearly is Telex typed with the Vietnamese mode off (two decoded words, or one
 * with a vowel shape or "dd"), so a foreign name like "Max" is never questioned.
 */
export function telexSuggestion(text: string): string | undefined {
  const reading = readTelex(text);
  if (reading.decoded >= 2 || reading.shaped >= 1) return reading.text;
  return undefined;
}
