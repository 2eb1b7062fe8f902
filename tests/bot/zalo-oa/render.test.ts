import { describe, expect, it } from 'vitest';
import { neutraliseMentions, OA_MESSAGE_LIMIT, renderOa } from '../../../bot/zalo-oa/render.js';
import { CHOICE_HINT } from '../../../bot/numberedChoices.js';
import type { PersonRef, TextPart } from '../../../core/chat.js';

const HOA: PersonRef = { platformUserId: '186729651760683225', displayName: 'Nguyễn Thị Hoa' };
const BINH_NFD: PersonRef = { platformUserId: '7967320986128691935', displayName: 'Trần Văn Bình'.normalize('NFD') };
/** Known only on another platform: no OA-scoped id. */
const CHAU: PersonRef = { platformUserId: '5123456789', displayName: 'Lê Minh Châu'.normalize('NFD') };
const identities = new Set([HOA.platformUserId, BINH_NFD.platformUserId]);

const TOKEN = /\[@(\d+)\]/g;

describe('renderOa', () => {
  it('writes a mention of a zalo-oa identity as [@uid] and anyone else by name, in NFC', () => {
    const text: TextPart[] = ['Kính gửi '.normalize('NFD'), { mention: HOA }, ', ', { mention: BINH_NFD }, ' và ', { mention: CHAU }, '.'];
    expect(renderOa({ text }, { identities })).toEqual([`Kính gửi [@${HOA.platformUserId}], [@${BINH_NFD.platformUserId}] và Lê Minh Châu.`]);
    const [piece] = renderOa({ text }, { identities });
    expect(piece).toBe(piece!.normalize('NFC'));
  });

  it('names everyone in plain text when nobody has a zalo-oa identity', () => {
    expect(renderOa({ text: ['Chào ', { mention: BINH_NFD }] }, { identities: new Set() })).toEqual(['Chào Trần Văn Bình']);
  });

  it('lists choices as numbered lines with the hint', () => {
    const out = renderOa(
      {
        text: 'Chọn lĩnh vực:',
        choices: [
          { value: 'kt', label: 'Kinh tế' },
          { value: 'vh', label: 'Văn hoá – xã hội' },
        ],
      },
      { identities },
    );
    expect(out).toEqual([`Chọn lĩnh vực:\n\n1. Kinh tế\n2. Văn hoá – xã hội\n${CHOICE_HINT}`]);
  });

  it('neutralises a typed [@id], also across parts and with invisible characters in between', () => {
    const forged: TextPart[] = ['Tên đơn vị: [@123456] [', '@654321] [\u200b@111] ['];
    const [piece] = renderOa({ text: [...forged, { mention: { platformUserId: '9', displayName: '@222]' } }] }, { identities });
    expect([...piece!.matchAll(TOKEN)]).toEqual([]);
    expect(piece).toContain('[ @123456]');
    expect(neutraliseMentions('a [@1] b')).toBe('a [ @1] b');
  });

  it('never writes an id other than digits inside the brackets', () => {
    const odd: PersonRef = { platformUserId: '12] [@34', displayName: 'Hoa' };
    const out = renderOa({ text: [{ mention: odd }] }, { identities: new Set([odd.platformUserId]) });
    expect(out).toEqual(['Hoa']);
  });

  it('splits a long reply into pieces of at most 2,000 without cutting a mention', () => {
    // Mentions fall at and around every possible cut: words of varied length shift them along.
    const text: TextPart[] = [];
    for (let i = 0; i < 400; i++) {
      text.push(`${'đồng chí'.normalize('NFD')} ${'x'.repeat(i % 7)} `);
      if (i % 3 === 0) text.push({ mention: i % 2 === 0 ? HOA : BINH_NFD });
      if (i % 5 === 0) text.push({ mention: CHAU });
    }
    const out = renderOa({ text }, { identities });
    expect(out.length).toBeGreaterThan(2);
    const wanted = text.filter((p) => typeof p !== 'string' && identities.has(p.mention.platformUserId)).length;
    let found = 0;
    for (const piece of out) {
      expect(piece.length).toBeLessThanOrEqual(OA_MESSAGE_LIMIT);
      expect(piece).toBe(piece.normalize('NFC'));
      // A cut token would leave "[@" or a digit run with "]" at a piece's edge.
      expect(piece).not.toMatch(/\[@\d*$/);
      expect(piece).not.toMatch(/^\d*\]/);
      for (const [, uid] of piece.matchAll(TOKEN)) {
        expect(identities.has(uid!)).toBe(true);
        found++;
      }
    }
    expect(found).toBe(wanted);
  });

  it('keeps a token whole when it straddles the limit exactly, on a line without spaces', () => {
    const uid = HOA.platformUserId;
    const limit = 30;
    // The token would start 5 units before the limit: it moves whole to the next piece.
    const rest = 'b'.repeat(limit - uid.length - 3);
    const out = renderOa({ text: ['a'.repeat(limit - 5), { mention: HOA }, rest] }, { identities, limit });
    expect(out).toEqual(['a'.repeat(limit - 5), `[@${uid}]${rest}`]);
  });

  it('sends an empty reply as one empty text', () => {
    expect(renderOa({ text: '' }, { identities })).toEqual(['']);
  });
});
