import { describe, expect, it } from 'vitest';
import { withoutBotAddress } from '../../bot/botAddress.js';

interface Mark {
  who: 'bot' | 'an';
  offset: number;
  length: number;
}

/** Marks where `names` appear in `raw` (in order), the bot's written "@Bot". */
function marked(raw: string, ...names: Array<'bot' | 'an'>): Mark[] {
  let from = 0;
  return names.map((who) => {
    const text = who === 'bot' ? '@Bot' : '@An';
    const offset = raw.indexOf(text, from);
    from = offset + text.length;
    return { who, offset, length: text.length };
  });
}

const strip = (raw: string, marks: Mark[]) => withoutBotAddress(raw, marks, (m) => ({ offset: m.offset, length: m.length, bot: m.who === 'bot' }));

describe('a message addressed to the bot by a mention', () => {
  it('is read without the leading mention and the separators after it; other mentions move with the text', () => {
    const raw = '  @Bot, : nhờ @An xem';
    const out = strip(raw, marked(raw, 'bot', 'an'));
    expect(out.text).toBe('nhờ @An xem');
    expect(out.marks.map((m) => [m.mark.who, m.offset, out.text.slice(m.offset, m.offset + m.mark.length)])).toEqual([['an', 4, '@An']]);
  });

  it('loses every leading mention of the bot, and nothing else', () => {
    const raw = '@Bot @Bot /huongdan @Bot';
    const out = strip(raw, marked(raw, 'bot', 'bot', 'bot'));
    expect(out.text).toBe('/huongdan @Bot');
    expect(out.marks.map((m) => m.offset)).toEqual([10]);
  });

  it('keeps a text that does not start with the bot (someone else first, or the bot later) as it is', () => {
    for (const raw of ['@An @Bot kinh tế', 'kinh tế @Bot']) {
      const marks = marked(raw, ...(raw.startsWith('@An') ? (['an', 'bot'] as const) : (['bot'] as const)));
      expect(strip(raw, marks)).toEqual({ text: raw, marks: marks.map((mark) => ({ mark, offset: mark.offset })) });
    }
  });

  it('a mention of the bot alone leaves no text', () => {
    expect(strip('@Bot ', marked('@Bot ', 'bot'))).toEqual({ text: '', marks: [] });
  });
});
