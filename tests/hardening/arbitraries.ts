import fc from 'fast-check';
import type { IncomingAttachment } from '../../core/chat.js';

/**
 * fast-check arbitraries for what people (and broken clients) really send a chat bot: decomposed
 * Vietnamese from macOS and some Android keyboards, emoji, stray control characters, pasted
 * documents, markup and SQL copied from somewhere else, and numbers that are almost right.
 */

const VIETNAMESE_WORDS = [
  'Dân vận khéo',
  'mô hình',
  'Xã Cẩm Xuyên',
  'Xã Cẩm Bình',
  'kinh tế',
  'tập thể',
  'cá nhân',
  'đường hoa',
  'hộ nghèo',
  'Điểm sáng',
  'hoàn thành',
  'đang triển khai',
  'bỏ qua',
  'đồng ý',
  'Hủy',
  'Lưu',
  'tất cả',
  'quản trị',
  'lãnh đạo',
  'cán bộ',
  'ỨNG DỤNG',
  'nước sạch',
  'chỉnh trang',
  'Nguyễn Thị Hoa',
  'Trần Văn Bình',
];

/** Vietnamese words in NFD (combining marks after the base letter), in random case. */
export const nfdVietnamese = fc
  .array(fc.tuple(fc.constantFrom(...VIETNAMESE_WORDS), fc.constantFrom('lower', 'upper', 'as-is')), { minLength: 1, maxLength: 6 })
  .map((words) =>
    words
      .map(([w, c]) => (c === 'lower' ? w.toLowerCase() : c === 'upper' ? w.toUpperCase() : w))
      .join(' ')
      .normalize('NFD'),
  );

/** Single emoji, ZWJ families, flags, skin tones, keycaps, variation selectors. */
export const emoji = fc
  .array(fc.constantFrom('😀', '👍🏽', '👨‍👩‍👧‍👦', '🇻🇳', '1️⃣', '❤️', '🏳️‍🌈', '🤷‍♀️', '✅', '⚠️', '📎', '🧑🏿‍🌾', '\u{1F9D1}\u200D\u{1F4BB}'), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => parts.join(''));

const CONTROLS = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\u000b',
  '\f',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00ad',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u200e',
  '\u202e',
  '\u2028',
  '\u2029',
  '\u2060',
  '\ufeff',
  '\ufffd',
  '\ud800',
  '\udfff',
];

/** Control, format and invisible characters (and lone surrogates), alone or around a word. */
export const controlChars = fc
  .tuple(fc.array(fc.constantFrom(...CONTROLS), { minLength: 1, maxLength: 6 }), fc.constantFrom('', '1', 'Lưu', 'kinh tế', 'CAMXUYEN', 'DVK-2026-0001'))
  .map(([controls, word]) => {
    const half = Math.ceil(controls.length / 2);
    return controls.slice(0, half).join('') + word + controls.slice(half).join('');
  });

/** Markup, injection and template strings copied from elsewhere. */
export const payloads = fc.constantFrom(
  '<script>alert(1)</script>',
  '<b>Dân vận</b> <i>khéo</i>',
  '<a href="javascript:alert(1)">bấm</a>',
  '&lt;b&gt;&amp;&#x27;',
  '*đậm* _nghiêng_ `mã` ~gạch~',
  '[liên kết](http://example.invalid) ![ảnh](x.png)',
  '```\nSELECT * FROM models;\n```',
  '# Tiêu đề\n- một\n- hai',
  "'; DROP TABLE models; --",
  '" OR 1=1 --',
  "Robert'); DELETE FROM units WHERE ('1'='1",
  '%',
  '_%_',
  '\\',
  '\\n\\t\\u0000',
  '${process.exit(1)}',
  '{{7*7}}',
  '$1 $& $`',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '{"__proto__":{"admin":true}}',
  'null',
  'undefined',
  'NaN',
  '[object Object]',
  '@dvk_bot',
  '/dangky',
  '/huy',
  '@everyone',
  '../../etc/passwd',
  '\u202eoi gnôhk',
);

/**
 * Names every plain object inherits: a lookup table indexed by what a person typed
 * (`WORDS[typed]`) finds a function for these unless it checks its own keys.
 */
export const prototypeKeys = fc.constantFrom(
  'constructor',
  '__proto__',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  'Constructor',
  'CONSTRUCTOR',
);

/** Numbers, dates and percentages that are almost right, or absurd. */
export const outOfRange = fc.constantFrom(
  '-1',
  '0',
  '-0',
  '+5',
  '101',
  '101%',
  '100.5%',
  '99,99%',
  '1000%',
  '-5%',
  '1e309',
  '1e-309',
  'Infinity',
  '-Infinity',
  'NaN',
  '0x1F',
  '0b101',
  '9007199254740993',
  '99999999999999999999999',
  '１００',
  '٧٠',
  '½',
  '99/99/2026',
  '31/02/2026',
  '29/02/2027',
  '00/00/0000',
  '32/1',
  '0/0',
  '1/13/2026',
  '31/12/1999',
  '1/1/2101',
  '2026-13-01',
  '2026-02-30',
  '10000-01-01',
  'ngày 32 tháng 13 năm 2026',
  '15/01/-2026',
  '15/01/26/26',
  '0',
  '21',
  '99',
  '3',
  '7',
  '-3',
);

/** Any string at all, including lone surrogates and every plane. */
export const anyUnicode = fc.string({ unit: 'binary', maxLength: 40 });

/** A grapheme-aware random string (what a person could type). */
export const graphemes = fc.string({ unit: 'grapheme', maxLength: 40 });

/**
 * A message of about `bytes` UTF-16 units, built by repeating a random chunk: a pasted document.
 * Building it by repetition keeps generation cheap; shrinking still works on the chunk.
 */
export function huge(bytes = 100_000) {
  return fc
    .oneof(nfdVietnamese, emoji, payloads, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }))
    .filter((chunk) => chunk.length > 0)
    .map((chunk) => chunk.repeat(Math.ceil(bytes / chunk.length)).slice(0, bytes));
}

/** Every kind of bad text above, mixed. */
export const badText = fc.oneof(
  { arbitrary: nfdVietnamese, weight: 3 },
  { arbitrary: emoji, weight: 2 },
  { arbitrary: controlChars, weight: 2 },
  { arbitrary: payloads, weight: 3 },
  { arbitrary: prototypeKeys, weight: 2 },
  { arbitrary: outOfRange, weight: 3 },
  { arbitrary: anyUnicode, weight: 2 },
  { arbitrary: graphemes, weight: 2 },
  { arbitrary: huge(), weight: 1 },
  { arbitrary: fc.constant(''), weight: 1 },
  { arbitrary: fc.constantFrom(' ', '\n\n\n', '\t \u00a0\u3000'), weight: 1 },
);

/** Two bad pieces joined, so bad input also hides next to a plausible word. */
export const badPhrase = fc.oneof(
  { arbitrary: badText, weight: 3 },
  { arbitrary: fc.tuple(badText, fc.constantFrom(' ', '', '\n'), badText).map(([a, sep, b]) => a + sep + b), weight: 1 },
);

/** What a broken or hostile client may claim about a file. */
export const attachment: fc.Arbitrary<IncomingAttachment> = fc.record(
  {
    kind: fc.constantFrom('photo', 'document', 'video', 'audio', 'other'),
    ref: fc.oneof(fc.constant(''), badText),
    fileName: fc.oneof(badText, fc.constantFrom('báo cáo.pdf', 'ảnh.jpg', '../../x', '.'.repeat(300))),
    mimeType: fc.oneof(fc.constantFrom('image/jpeg', 'application/pdf', '', 'text/html; charset=utf-8'), anyUnicode),
    sizeBytes: fc.oneof(fc.constantFrom(-1, 0, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE, Infinity, -Infinity, NaN, 1e309, 0.5), fc.integer(), fc.double()),
  },
  { requiredKeys: ['kind', 'ref'] },
);

export const attachments = fc.array(attachment, { minLength: 1, maxLength: 3 });
