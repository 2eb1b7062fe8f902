import { describe, expect, it } from 'vitest';
import type { Choice, TextPart } from '../../../core/chat.js';
import { CALLBACK_DATA_LIMIT, callbackDataOf, escapeHtml, keyboardOf, MESSAGE_LIMIT, mentionHtml, renderHtmlChunks } from '../../../bot/telegram/render.js';
import { visibleText } from '../../helpers/telegramBot.js';

const AN = { platformUserId: '5987654321', displayName: 'Nguyễn Văn An' };
const HOA = { platformUserId: '5000000001', displayName: 'Nguyễn Thị Hoa', username: 'hoa_snv' };

/** Each chunk as a person reads it, and no chunk longer than the limit. */
function readChunks(chunks: string[], limit: number): string[] {
  const visible = chunks.map(visibleText);
  for (const text of visible) expect(text.length).toBeLessThanOrEqual(limit);
  return visible;
}

describe('escapeHtml and mentionHtml', () => {
  it('escapes the characters Telegram HTML reserves, and leaves apostrophes alone', () => {
    expect(escapeHtml(`<b>Hoa</b> & "Mai" O'Neil`)).toBe(`&lt;b&gt;Hoa&lt;/b&gt; &amp; &quot;Mai&quot; O'Neil`);
    // Already-escaped text is text too: the ampersand is escaped again.
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('mentions by @username, or by a tg://user link with the escaped name', () => {
    expect(mentionHtml(HOA)).toBe('@hoa_snv');
    expect(mentionHtml({ platformUserId: '42', displayName: `<i>Lan</i> & "Huệ"` })).toBe(
      '<a href="tg://user?id=42">&lt;i&gt;Lan&lt;/i&gt; &amp; &quot;Huệ&quot;</a>',
    );
  });
});

describe('renderHtmlChunks', () => {
  it('keeps a short reply in one message, escaped, with its mentions', () => {
    const text: TextPart[] = [{ mention: AN }, ', ', { mention: HOA }, ': mô hình “Chợ & bữa cơm 0 đồng” <đã duyệt>'];
    expect(renderHtmlChunks(text)).toEqual([
      '<a href="tg://user?id=5987654321">Nguyễn Văn An</a>, @hoa_snv: mô hình “Chợ &amp; bữa cơm 0 đồng” &lt;đã duyệt&gt;',
    ]);
  });

  it('counts what people read, not the HTML: a text of exactly the limit stays whole', () => {
    const text = '&'.repeat(MESSAGE_LIMIT);
    const chunks = renderHtmlChunks(text);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.length).toBe(MESSAGE_LIMIT * 5);
    expect(renderHtmlChunks(text + '&')).toHaveLength(2);
  });

  it('cuts a long text at line ends, and the pieces put back together give the text', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `Dòng ${i + 1}: mô hình “Dân vận khéo” & <điểm sáng>`);
    const text = lines.join('\n');
    const chunks = renderHtmlChunks(text, 200);
    expect(chunks.length).toBeGreaterThan(5);
    const visible = readChunks(chunks, 200);
    for (const chunk of visible) {
      for (const line of chunk.split('\n')) expect(lines).toContain(line);
    }
    expect(visible.join('\n')).toBe(text);
  });

  it('cuts a single line over the limit at its last space that fits', () => {
    const line = 'một hai ba bốn năm sáu bảy tám chín mười mười một mười hai';
    const chunks = renderHtmlChunks(line, 20);
    const visible = readChunks(chunks, 20);
    expect(visible).toEqual(['một hai ba bốn năm ', 'sáu bảy tám chín ', 'mười mười một mười ', 'hai']);
    expect(visible.join('')).toBe(line);
  });

  it('hard-cuts a line without spaces, never inside an escaped character or a surrogate pair', () => {
    expect(readChunks(renderHtmlChunks('x'.repeat(50), 20), 20)).toEqual(['x'.repeat(20), 'x'.repeat(20), 'x'.repeat(10)]);

    const ampersands = renderHtmlChunks('a&'.repeat(20), 7);
    for (const html of ampersands) expect(html).toMatch(/^(a|&amp;)+$/);
    expect(readChunks(ampersands, 7).join('')).toBe('a&'.repeat(20));

    // Telegram counts UTF-16 units: an emoji is two, so five units hold two of them.
    expect(renderHtmlChunks('🎉'.repeat(10), 5)).toEqual(Array(5).fill('🎉🎉'));
  });

  it('never cuts a mention in half', () => {
    const text: TextPart[] = ['Nhắc cán bộ: ', { mention: AN }, ' và ', { mention: HOA }, ' cập nhật tiến độ'];
    // "Nhắc cán bộ: " is 13 long; the mention would straddle a cut at 20.
    const chunks = renderHtmlChunks(text, 20);
    const mention = '<a href="tg://user?id=5987654321">Nguyễn Văn An</a>';
    expect(chunks.filter((c) => c.includes(mention))).toHaveLength(1);
    expect(chunks.join('')).not.toMatch(/<a [^>]*>[^<]*$/m);
    for (const c of chunks) expect(c.split('<a ').length).toBe(c.split('</a>').length);
    expect(readChunks(chunks, 20).join('')).toBe('Nhắc cán bộ: Nguyễn Văn An và @hoa_snv cập nhật tiến độ');
  });

  it('sends no message that has nothing to read', () => {
    expect(renderHtmlChunks('')).toEqual(['']);
    const chunks = renderHtmlChunks(`${'a'.repeat(10)}\n\n\n${'b'.repeat(10)}`, 10);
    expect(chunks.every((c) => c.trim() !== '')).toBe(true);
    expect(chunks.map((c) => c.trim())).toEqual(['a'.repeat(10), 'b'.repeat(10)]);
  });
});

describe('callbackDataOf and keyboardOf', () => {
  it('sends the value when it fits in 64 bytes', () => {
    expect(callbackDataOf({ value: 'dan_van_kheo', label: 'Mô hình “Dân vận khéo”' }, 0)).toBe('dan_van_kheo');
    expect(callbackDataOf({ value: '$skip', label: 'Bỏ qua' }, 4)).toBe('$skip');
    expect(callbackDataOf({ value: 'DVK-2026-0007', label: 'DVK-2026-0007 Chợ phiên' }, 2)).toBe('DVK-2026-0007');
    const exactly = 'đ'.repeat(CALLBACK_DATA_LIMIT / 2); // two bytes each
    expect(callbackDataOf({ value: exactly, label: 'x' }, 0)).toBe(exactly);
  });

  it('sends the choice’s number when the value is over 64 bytes', () => {
    const long = 'Điểm sáng về thực hiện dân chủ ở cơ sở gắn với chuyển đổi số';
    expect(Buffer.byteLength(long)).toBeGreaterThan(CALLBACK_DATA_LIMIT);
    expect(callbackDataOf({ value: long, label: 'Điểm sáng' }, 1)).toBe('2');
    expect(callbackDataOf({ value: 'đ'.repeat(CALLBACK_DATA_LIMIT / 2 + 1), label: 'x' }, 6)).toBe('7');
  });

  it('sends the number for values that are numbers themselves, which a press would read as a position', () => {
    const units: Choice[] = [
      { value: '12', label: 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh' },
      { value: '27', label: 'Tỉnh đoàn Hà Tĩnh' },
      { value: '28', label: 'Hội Liên hiệp Phụ nữ tỉnh Hà Tĩnh' },
    ];
    expect(units.map(callbackDataOf)).toEqual(['1', '2', '3']);
  });

  it('builds one button a row, labels shortened, every callback_data within the limit', () => {
    const choices: Choice[] = [
      { value: 'collective', label: 'Tập thể' },
      { value: 'x'.repeat(80), label: `Một nhãn rất dài ${'dài '.repeat(30)}` },
      { value: '3', label: 'Ba' },
    ];
    const keyboard = keyboardOf(choices);
    expect(keyboard.inline_keyboard).toHaveLength(3);
    expect(keyboard.inline_keyboard.map((row) => row.length)).toEqual([1, 1, 1]);
    const [first, second, third] = keyboard.inline_keyboard.map((row) => row[0] as { text: string; callback_data: string });
    expect(first).toEqual({ text: 'Tập thể', callback_data: 'collective' });
    expect(Array.from(second!.text)).toHaveLength(60);
    expect(second!.text.endsWith('…')).toBe(true);
    expect(second!.callback_data).toBe('2');
    expect(third!.callback_data).toBe('3');
    for (const row of keyboard.inline_keyboard) {
      expect(Buffer.byteLength((row[0] as { callback_data: string }).callback_data)).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
    }
  });
});
