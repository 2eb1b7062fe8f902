import { describe, expect, it } from 'vitest';
import { incomingFromOaEvent, isPrivateMessageEvent, UNKNOWN_SENDER_NAME } from '../../../bot/zalo-oa/incoming.js';
import type { WebhookEvent } from '../../../bot/zalo-oa/webhook.js';

// Shapes as docs/zalo-oa-api.md §1a gives them (Zalo's example and attachment table).
const APP = '4591324301967398637';
const OA = '607812198688816074';
const GROUP = 'f414c8f76fa586fbdfb4';
const MEMBER = '8756287263669629130';
const OTHER = '186729651760683225';
const AT = new Date('2026-03-10T09:00:00+07:00');

function event(name: string, message: Record<string, unknown>, extra: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    event_name: name,
    app_id: APP,
    oa_id: OA,
    timestamp: String(AT.getTime()),
    sender: { id: MEMBER },
    recipient: { id: GROUP },
    message,
    user_id_by_app: '8109713063707884003',
    ...extra,
  };
}

const read = (e: WebhookEvent) => incomingFromOaEvent(e, { oaId: OA });

describe('incomingFromOaEvent', () => {
  it('reads a member text as a group message of the zalo-oa platform', () => {
    const msg = read(event('user_send_group_text', { text: '  /dangky  ', msg_id: 'e52fe5da281f9745ce0a' }));
    expect(msg).toEqual({
      chat: { platform: 'zalo-oa', id: GROUP, kind: 'group' },
      sender: { id: MEMBER, displayName: UNKNOWN_SENDER_NAME },
      messageId: 'e52fe5da281f9745ce0a',
      text: '/dangky',
      mentions: [],
      attachments: [],
      receivedAt: AT,
    });
  });

  it('takes message_id when msg_id is absent, and ignores a quote', () => {
    const msg = read(event('user_send_group_text', { text: 'Có', message_id: 'abc123', quote_msg_id: 'q1' }));
    expect(msg?.messageId).toBe('abc123');
    expect(msg?.replyTo).toBeUndefined();
  });

  it('normalises an NFD text with diacritics to NFC', () => {
    const msg = read(event('user_send_group_text', { text: 'Kinh tế – Đồng Tháp'.normalize('NFD'), msg_id: 'm1' }));
    expect(msg?.text).toBe('Kinh tế – Đồng Tháp'.normalize('NFC'));
    expect(msg?.text).not.toBe('Kinh tế – Đồng Tháp'.normalize('NFD'));
  });

  it("ignores the OA's echo, a post whose sender is the OA, and lifecycle events", () => {
    expect(read(event('oa_send_group_text', { text: 'Xin chào', msg_id: 'm2' }))).toBeUndefined();
    expect(read(event('user_send_group_text', { text: 'Xin chào', msg_id: 'm3' }, { sender: { id: OA } }))).toBeUndefined();
    const join = { event_name: 'user_join_group', app_id: APP, oa_id: OA, group_id: GROUP, timestamp: String(AT.getTime()), users: [{ id: MEMBER }] };
    expect(read(join)).toBeUndefined();
  });

  it('strips a leading mention of the OA and keeps other mentions at their NFC offsets', () => {
    const raw = `[@${OA}], nhờ ${'đồng chí'.normalize('NFD')} [@${OTHER}] xem`;
    const msg = read(event('user_send_group_text', { text: raw, msg_id: 'm4' }))!;
    expect(msg.text).toBe(`nhờ đồng chí [@${OTHER}] xem`);
    expect(msg.mentions).toHaveLength(1);
    const [m] = msg.mentions;
    expect(m!.userId).toBe(OTHER);
    expect(msg.text.slice(m!.offset, m!.offset + m!.length)).toBe(`[@${OTHER}]`);
  });

  it('keeps a mention of someone else at the start as text', () => {
    const msg = read(event('user_send_group_text', { text: `[@${OTHER}] kinh tế`, msg_id: 'm5' }))!;
    expect(msg.text).toBe(`[@${OTHER}] kinh tế`);
    expect(msg.mentions).toEqual([{ userId: OTHER, offset: 0, length: OTHER.length + 3 }]);
  });

  it('reads a photo with its caption', () => {
    const msg = read(
      event('user_send_group_image', {
        text: 'Ảnh buổi ra quân',
        msg_id: 'm6',
        attachments: [{ type: 'image', payload: { thumbnail: 'https://z/t.jpg', url: 'https://z/p.jpg' } }],
      }),
    )!;
    expect(msg.text).toBe('Ảnh buổi ra quân');
    expect(msg.attachments).toEqual([{ kind: 'photo', ref: 'https://z/p.jpg' }]);
    expect(msg.unreadable).toBeUndefined();
  });

  it('reads a file with its NFC name and its size given as a string', () => {
    const msg = read(
      event('user_send_group_file', {
        msg_id: 'm7',
        attachments: [
          { type: 'file', payload: { url: 'https://z/f', name: 'Báo cáo quý 1.docx'.normalize('NFD'), size: '233947', checksum: 'x', type: 'docx' } },
        ],
      }),
    )!;
    expect(msg.attachments).toEqual([{ kind: 'document', ref: 'https://z/f', fileName: 'Báo cáo quý 1.docx'.normalize('NFC'), sizeBytes: 233947 }]);
  });

  it('keeps the text typed with a link, or the link alone', () => {
    const typed = read(
      event('user_send_group_link', {
        text: 'Xem https://dangcongsan.vn/bai-viet',
        msg_id: 'm8',
        attachments: [{ type: 'link', payload: { url: 'https://dangcongsan.vn/bai-viet', description: 'Trang' } }],
      }),
    )!;
    expect(typed.text).toBe('Xem https://dangcongsan.vn/bai-viet');
    expect(typed.attachments).toEqual([]);
    const bare = read(event('user_send_group_link', { msg_id: 'm9', attachments: [{ type: 'link', payload: { url: 'https://a.vn/x' } }] }))!;
    expect(bare.text).toBe('https://a.vn/x');
    expect(bare.unreadable).toBeUndefined();
  });

  it('keeps voice notes and videos, and names stickers, GIFs, locations and contact cards as unreadable', () => {
    const audio = read(event('user_send_group_audio', { msg_id: 'a', attachments: [{ type: 'audio', payload: { url: 'https://z/v.amr' } }] }))!;
    expect(audio.attachments).toEqual([{ kind: 'audio', ref: 'https://z/v.amr' }]);
    const video = read(event('user_send_group_video', { msg_id: 'v', attachments: [{ type: 'video', payload: { url: 'https://z/v.mp4' } }] }))!;
    expect(video.attachments).toEqual([{ kind: 'video', ref: 'https://z/v.mp4' }]);

    const unreadable = (name: string, attachment: Record<string, unknown>) => {
      const msg = read(event(name, { msg_id: name, attachments: [attachment] }))!;
      expect(msg.text).toBe('');
      expect(msg.attachments).toEqual([]);
      return msg.unreadable;
    };
    expect(unreadable('user_send_group_sticker', { type: 'sticker', payload: { id: '1', url: 'https://z/s' } })).toBe('sticker');
    expect(unreadable('user_send_group_gif', { type: 'gif', payload: { url: 'https://z/g.gif' } })).toBe('gif');
    expect(unreadable('user_send_group_location', { type: 'location', payload: { coordinates: { latitude: '10.1', longitude: '105.6' } } })).toBe('other');
    // Zalo sends a contact card as a link whose description is JSON: the event's name tells.
    const card = { type: 'link', payload: { url: 'https://zalo.me/0912', description: '{"phone":"0912","qrCodeUrl":"https://q"}' } };
    expect(unreadable('user_send_group_business_card', card)).toBe('other');
  });
});

// docs/zalo-oa-api.md §8: a person's 1:1 message to the OA, as Zalo's example shows it (no oa_id,
// the recipient is the OA itself).
function privately(name: string, message: Record<string, unknown>, extra: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    app_id: APP,
    sender: { id: MEMBER },
    user_id_by_app: '552177279717587730',
    recipient: { id: OA },
    event_name: name,
    message,
    timestamp: String(AT.getTime()),
    ...extra,
  };
}

describe('incomingFromOaEvent in the 1:1 chat', () => {
  it('reads a person’s text to the OA as a private chat whose id is the person’s user id', () => {
    const msg = read(privately('user_send_text', { text: ' /huongdan ', msg_id: '96d3cdf3af150460909' }));
    expect(msg).toEqual({
      chat: { platform: 'zalo-oa', id: MEMBER, kind: 'private' },
      sender: { id: MEMBER, displayName: UNKNOWN_SENDER_NAME },
      messageId: '96d3cdf3af150460909',
      text: '/huongdan',
      mentions: [],
      attachments: [],
      receivedAt: AT,
    });
  });

  it('reads attachments as in groups, and a leading address of the OA is harmless', () => {
    const photo = read(privately('user_send_image', { msg_id: 'p1', attachments: [{ type: 'image', payload: { url: 'https://z/p.jpg' } }] }))!;
    expect(photo.chat.kind).toBe('private');
    expect(photo.attachments).toEqual([{ kind: 'photo', ref: 'https://z/p.jpg' }]);
    const card = { type: 'link', payload: { url: 'https://zalo.me/0912', description: '{"phone":"0912"}' } };
    expect(read(privately('user_send_business_card', { msg_id: 'c1', attachments: [card] }))!.unreadable).toBe('other');
    expect(read(privately('user_send_gif', { msg_id: 'g1', attachments: [{ type: 'gif', payload: { url: 'https://z/g.gif' } }] }))!.unreadable).toBe('gif');
    const named = incomingFromOaEvent(privately('user_send_text', { text: '@Ban Tuyên giáo và Dân vận Tỉnh ủy /toi', msg_id: 'n1' }), {
      oaId: OA,
      oaName: 'Ban Tuyên giáo và Dân vận Tỉnh ủy',
    })!;
    expect(named.text).toBe('/toi');
    expect(read(privately('user_send_text', { text: `[@${OA}] /toi`, msg_id: 'n2' }))!.text).toBe('/toi');
  });

  it('ignores the OA’s 1:1 echo, an anonymous visitor, a message addressed to another OA, and receipts', () => {
    const echo = privately('oa_send_text', { text: 'Chào', msg_id: 'e1' }, { sender: { id: OA }, recipient: { id: MEMBER } });
    expect(read(echo)).toBeUndefined();
    expect(read(privately('anonymous_send_text', { text: 'Chào', msg_id: 'a1' }))).toBeUndefined();
    expect(read(privately('user_send_text', { text: 'Chào', msg_id: 'o1' }, { recipient: { id: '111' } }))).toBeUndefined();
    expect(read(privately('user_seen_message', { msg_ids: ['x'] }))).toBeUndefined();
    expect(isPrivateMessageEvent('user_send_text')).toBe(true);
    expect(isPrivateMessageEvent('user_send_group_text')).toBe(false);
    expect(isPrivateMessageEvent('user_seen_message')).toBe(false);
  });
});
