import { describe, expect, it } from 'vitest';
import type { PersonRef, TextPart } from '../../../core/chat.js';
import { CHOICE_HINT } from '../../../bot/numberedChoices.js';
import { MESSAGE_LIMIT, renderZalo, type ZaloText } from '../../../bot/zalo/render.js';

const HOA: PersonRef = { platformUserId: '7345678901234567890', displayName: 'Nguyễn Thị Hoa' };
const BINH_NFD: PersonRef = { platformUserId: '7456789012345678901', displayName: 'Trần Văn Bình'.normalize('NFD') };
const CHAU: PersonRef = { platformUserId: '7234567890123456789', displayName: 'Lê Minh Châu' };

/** Every mention of a piece reads exactly "@Name" (NFC) at its position. */
function expectMentionsAt(piece: ZaloText, people: readonly PersonRef[]) {
  for (const m of piece.mentions) {
    const person = people.find((p) => p.platformUserId === m.uid)!;
    expect(person).toBeDefined();
    expect(piece.msg.slice(m.pos, m.pos + m.len)).toBe('@' + person.displayName.normalize('NFC'));
  }
}

describe('renderZalo', () => {
  it('places a mention of an NFC name in UTF-16 units of the final text', () => {
    const [piece, ...more] = renderZalo({ text: ['Kính gửi đồng chí ', { mention: HOA }, ': mô hình đã được duyệt.'] });
    expect(more).toEqual([]);
    expect(piece).toEqual({
      msg: 'Kính gửi đồng chí @Nguyễn Thị Hoa: mô hình đã được duyệt.',
      mentions: [{ pos: 18, len: 15, uid: HOA.platformUserId }],
    });
  });

  it('normalises an NFD name and NFD text before measuring', () => {
    const text: TextPart[] = ['Nhờ đồng chí '.normalize('NFD'), { mention: BINH_NFD }, ' xem xét giúp.'.normalize('NFD')];
    const [piece] = renderZalo({ text });
    expect(piece!.msg).toBe('Nhờ đồng chí @Trần Văn Bình xem xét giúp.');
    expect(piece!.msg).toBe(piece!.msg.normalize('NFC'));
    expect(piece!.mentions).toEqual([{ pos: 13, len: '@Trần Văn Bình'.length, uid: BINH_NFD.platformUserId }]);
    expectMentionsAt(piece!, [BINH_NFD]);
  });

  it('places several mentions, including one right at the start', () => {
    const text: TextPart[] = [{ mention: CHAU }, ', ', { mention: HOA }, ' và ', { mention: BINH_NFD }, ' ơi, có báo cáo mới.'];
    const [piece] = renderZalo({ text });
    expect(piece!.msg).toBe('@Lê Minh Châu, @Nguyễn Thị Hoa và @Trần Văn Bình ơi, có báo cáo mới.');
    expect(piece!.mentions.map((m) => m.pos)).toEqual([0, 15, 34]);
    expectMentionsAt(piece!, [CHAU, HOA, BINH_NFD]);
  });

  it('sends a plain string as it is, without escaping', () => {
    expect(renderZalo({ text: 'Mô hình “Chợ & bữa cơm 0 đồng” <đã duyệt>' })).toEqual([{ msg: 'Mô hình “Chợ & bữa cơm 0 đồng” <đã duyệt>', mentions: [] }]);
  });

  it('numbers the choices, since Zalo has no buttons', () => {
    const [piece] = renderZalo({
      text: 'Chọn lĩnh vực:',
      choices: [
        { value: 'kinh_te', label: 'Kinh tế' },
        { value: 'van_hoa', label: 'Văn hóa – xã hội' },
        { value: 'qpan', label: 'Quốc phòng – an ninh' },
      ],
    });
    expect(piece!.msg).toBe(`Chọn lĩnh vực:\n\n1. Kinh tế\n2. Văn hóa – xã hội\n3. Quốc phòng – an ninh\n${CHOICE_HINT}`);
    expect(CHOICE_HINT).toBe('Trả lời bằng số thứ tự.');
  });

  it('splits a 6,000-character text with mentions into pieces within the limit, mentions whole', () => {
    const people = [HOA, BINH_NFD, CHAU];
    const text: TextPart[] = [];
    for (let i = 0; i < 120; i++) {
      text.push(`Dòng ${i + 1}: đề nghị `, { mention: people[i % 3]! }, ' cập nhật tiến độ mô hình “Dân vận khéo”.\n');
    }
    const full = text
      .map((p) => (typeof p === 'string' ? p : `@${p.mention.displayName}`))
      .join('')
      .normalize('NFC')
      .trimEnd();
    expect(full.length).toBeGreaterThan(6000);

    const pieces = renderZalo({ text });
    // Filled greedily: never more pieces than one per limit plus a line's slack each.
    expect(pieces.length).toBeGreaterThanOrEqual(Math.ceil(full.length / MESSAGE_LIMIT));
    expect(pieces.length).toBeLessThanOrEqual(Math.ceil(full.length / MESSAGE_LIMIT) + 1);
    for (const piece of pieces) {
      expect(piece.msg.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
      expectMentionsAt(piece, people);
    }
    expect(pieces.flatMap((p) => p.mentions)).toHaveLength(120);
    // Cut at line ends: the pieces joined by those line ends give back the text.
    expect(pieces.map((p) => p.msg).join('\n')).toBe(full);
  });

  it('cuts a single oversize line at its last space outside a mention, and never inside one', () => {
    const text: TextPart[] = [];
    for (let i = 0; i < 40; i++) text.push('Báo cáo số ', String(i + 1), ' gửi ', { mention: HOA }, ' ');
    const full = text.map((p) => (typeof p === 'string' ? p : `@${p.mention.displayName}`)).join('');
    const limit = 100;
    const pieces = renderZalo({ text }, limit);
    expect(pieces.length).toBeGreaterThan(10);
    let at = 0;
    for (const piece of pieces) {
      expect(piece.msg.length).toBeLessThanOrEqual(limit);
      expectMentionsAt(piece, [HOA]);
      // Each piece continues the text where the last one stopped; a cut drops only the space it was made at.
      expect(full.startsWith(piece.msg, at)).toBe(true);
      at += piece.msg.length;
      if (full[at] === ' ') at++;
    }
    expect(at).toBe(full.length);
    expect(pieces.flatMap((p) => p.mentions)).toHaveLength(40);
  });

  it('cuts a line without spaces hard, never splitting a surrogate pair', () => {
    const pieces = renderZalo({ text: '🌾'.repeat(15) }, 9);
    expect(pieces.map((p) => p.msg)).toEqual(['🌾'.repeat(4), '🌾'.repeat(4), '🌾'.repeat(4), '🌾'.repeat(3)]);
  });
});
