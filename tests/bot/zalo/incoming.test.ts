import { describe, expect, it } from 'vitest';
import { GroupMessage, type TAttachmentContent, type TGroupMessage, UserMessage } from 'zca-js';
import { incomingFromZalo } from '../../../bot/zalo/incoming.js';
import { groupMessageData } from '../../../bench/fakes/zalo/messages.js';

const OWN_ID = '8912345678901234567';
const GROUP_ID = '6543210987654321098';
const CHAU_ID = '7234567890123456789';
const HOA_ID = '7345678901234567890';
// 2026-03-02 08:15:30 in Hà Nội, as Zalo sends it: milliseconds in a string.
const TS = String(Date.UTC(2026, 2, 2, 1, 15, 30));

function data(over: Partial<TGroupMessage>): TGroupMessage {
  return { ...groupMessageData(GROUP_ID, { id: CHAU_ID, name: 'Lê Minh Châu' }, { content: '', ts: TS }, '7102345678901234567'), ...over };
}

function attachment(over: Partial<TAttachmentContent>): TAttachmentContent {
  return { title: '', description: '', href: '', thumb: '', childnumber: 0, action: '', params: '', type: '', ...over };
}

describe('incomingFromZalo', () => {
  it('reads a group command with string ids beyond 2^53', () => {
    const message = new GroupMessage(OWN_ID, data({ content: '  /dangky Chợ 0 đồng  ' }));
    expect(incomingFromZalo(message, OWN_ID)).toEqual({
      chat: { platform: 'zalo', id: GROUP_ID, kind: 'group' },
      sender: { id: CHAU_ID, displayName: 'Lê Minh Châu' },
      messageId: '7102345678901234567',
      text: '/dangky Chợ 0 đồng',
      replyTo: undefined,
      mentions: [],
      attachments: [],
      receivedAt: new Date('2026-03-02T01:15:30Z'),
    });
  });

  it('reads a private message; the thread is the other person', () => {
    const incoming = incomingFromZalo(new UserMessage(OWN_ID, data({ content: 'Chào anh', idTo: '0' })), OWN_ID);
    expect(incoming?.chat).toEqual({ platform: 'zalo', id: CHAU_ID, kind: 'private' });
    expect(incoming?.sender.id).toBe(CHAU_ID);
    expect(incoming?.text).toBe('Chào anh');
  });

  it("ignores the account's own messages, in groups and in private", () => {
    expect(incomingFromZalo(new GroupMessage(OWN_ID, data({ uidFrom: '0', content: '/baocao' })), OWN_ID)).toBeUndefined();
    expect(incomingFromZalo(new GroupMessage(OWN_ID, data({ uidFrom: OWN_ID, content: '/baocao' })), OWN_ID)).toBeUndefined();
    expect(incomingFromZalo(new UserMessage(OWN_ID, data({ uidFrom: '0', idTo: CHAU_ID, content: 'Đã nhận' })), OWN_ID)).toBeUndefined();
    // Someone else's message is read, so the checks above are not vacuous.
    expect(incomingFromZalo(new GroupMessage(OWN_ID, data({ content: '/baocao' })), OWN_ID)).toBeDefined();
  });

  it('normalises NFD text and moves a mention after Vietnamese words onto the NFC text', () => {
    const name = '@Nguyễn Thị Hoa';
    const raw = '\u200b Nhờ đồng chí '.normalize('NFD') + name.normalize('NFD') + ' duyệt giúp mô hình “Dân vận khéo”'.normalize('NFD');
    const pos = raw.indexOf('@');
    const message = new GroupMessage(
      OWN_ID,
      data({
        content: raw,
        mentions: [
          { uid: HOA_ID, pos, len: name.normalize('NFD').length, type: 0 },
          { uid: '-1', pos: 0, len: 4, type: 1 },
        ],
      }),
    );
    const incoming = incomingFromZalo(message, OWN_ID)!;
    expect(incoming.text).toBe('Nhờ đồng chí @Nguyễn Thị Hoa duyệt giúp mô hình “Dân vận khéo”');
    expect(incoming.mentions).toEqual([{ userId: HOA_ID, offset: 13, length: name.length }]);
    const [m] = incoming.mentions;
    expect(incoming.text.slice(m!.offset, m!.offset + m!.length)).toBe(name);
  });

  it('reads a photo as an attachment, with no text', () => {
    const message = new GroupMessage(
      OWN_ID,
      data({
        msgType: 'chat.photo',
        content: {
          title: '',
          description: '',
          href: 'https://photo-stal-1.zdn.vn/jpg/abc123.jpg',
          thumb: 'https://photo-stal-1.zdn.vn/thumb/abc123.jpg',
          childnumber: 0,
          action: '',
          params: '{"width":1280,"height":960}',
          type: '',
        },
      }),
    );
    const incoming = incomingFromZalo(message, OWN_ID)!;
    expect(incoming.text).toBe('');
    expect(incoming.attachments).toEqual([{ kind: 'photo', ref: 'https://photo-stal-1.zdn.vn/jpg/abc123.jpg', fileName: undefined }]);
  });

  it('reads a shared file as a document named by its NFC title', () => {
    const message = new UserMessage(
      OWN_ID,
      data({
        msgType: 'share.file',
        content: {
          title: 'Báo cáo quý 1.docx'.normalize('NFD'),
          description: '',
          href: 'https://f21-zpc.zdn.vn/abc/bao-cao.docx',
          thumb: '',
          childnumber: 0,
          action: 'recommened.link',
          params: '{"fileSize":"24576","fileExt":"docx"}',
          type: '',
        },
      }),
    );
    expect(incomingFromZalo(message, OWN_ID)!.attachments).toEqual([
      { kind: 'document', ref: 'https://f21-zpc.zdn.vn/abc/bao-cao.docx', fileName: 'Báo cáo quý 1.docx', sizeBytes: 24576 },
    ]);
  });

  describe('a link card (chat.recommended): the words typed, URL included, are the text', () => {
    const HREF = 'https://dvk.example/tin-tuc/tu-sach';
    const link = (over: Partial<TAttachmentContent>, mentions?: TGroupMessage['mentions']) =>
      incomingFromZalo(
        new GroupMessage(
          OWN_ID,
          data({ msgType: 'chat.recommended', mentions, content: { ...attachment({ href: HREF, action: 'recommened.link' }), ...over } }),
        ),
        OWN_ID,
      )!;

    it('the typed text in the title (as the test bed’s fixture has it)', () => {
      const got = link({ title: `/capnhat DVK-2026-0001 xem ${HREF}`, description: 'Tủ sách pháp luật thôn Đông' });
      expect(got.text).toBe(`/capnhat DVK-2026-0001 xem ${HREF}`);
      expect(got.attachments).toEqual([]);
      expect(got.unreadable).toBeUndefined();
    });

    it('the typed text in the description, the page’s title in the title: the one with the link is taken', () => {
      expect(link({ title: 'Tủ sách pháp luật thôn Đông', description: `Xem tại ${HREF}` }).text).toBe(`Xem tại ${HREF}`);
    });

    it('the link typed without its scheme, in another case, with a slash Zalo dropped', () => {
      expect(link({ title: 'Bài ở DVK.example/tin-tuc/tu-sach/ nhé', description: '' }).text).toBe('Bài ở DVK.example/tin-tuc/tu-sach/ nhé');
    });

    it('neither field has the link: only the URL is surely the person’s, and it is the text', () => {
      expect(link({ title: 'Tủ sách pháp luật thôn Đông', description: 'Trang tin xã' }).text).toBe(HREF);
    });

    it('NFD text is normalised and a mention moves with it', () => {
      const typed = `Nhờ @Lê Minh Châu xem ${HREF}`.normalize('NFD');
      const pos = typed.indexOf('@');
      const got = link({ title: typed }, [{ uid: CHAU_ID, pos, len: '@Lê Minh Châu'.normalize('NFD').length, type: 0 }]);
      expect(got.text).toBe(`Nhờ @Lê Minh Châu xem ${HREF}`);
      expect(got.mentions).toEqual([{ userId: CHAU_ID, offset: 4, length: 13 }]);
    });

    it('a contact card (no web link) is nothing the bot reads', () => {
      const got = link({ href: 'zalo://user/7345678901234567890', title: 'Trần Thị Thu', action: 'recommened.user' });
      expect(got).toMatchObject({ text: '', attachments: [], unreadable: 'other' });
    });
  });

  it('a photo: the caption is the text, the photo an attachment with no file name', () => {
    const got = incomingFromZalo(
      new GroupMessage(
        OWN_ID,
        data({ msgType: 'chat.photo', content: attachment({ title: ' Ảnh ra mắt '.normalize('NFD'), href: 'https://photo.example/a.jpg' }) }),
      ),
      OWN_ID,
    )!;
    expect(got.text).toBe('Ảnh ra mắt');
    expect(got.attachments).toEqual([{ kind: 'photo', ref: 'https://photo.example/a.jpg' }]);
  });

  it('voice is audio, a video is video, with the size Zalo gives; a size that is not a byte count is left out', () => {
    const read = (msgType: string, params: string) =>
      incomingFromZalo(new GroupMessage(OWN_ID, data({ msgType, content: attachment({ href: 'https://media.example/x', params }) })), OWN_ID)!.attachments;
    expect(read('chat.voice', '{"duration":4200,"fileSize":13824}')).toEqual([{ kind: 'audio', ref: 'https://media.example/x', sizeBytes: 13824 }]);
    expect(read('chat.video.msg', '{"fileSize":"2345678"}')).toEqual([{ kind: 'video', ref: 'https://media.example/x', sizeBytes: 2345678 }]);
    for (const params of ['', '{', 'null', '{"fileSize":-1}', '{"fileSize":"1e3"}', '{"fileSize":1.5}']) {
      expect(read('chat.voice', params)).toEqual([{ kind: 'audio', ref: 'https://media.example/x' }]);
    }
  });

  it('a sticker or a GIF is named as what it is, with no text and nothing to keep; an unknown kind with a link is kept as "other"', () => {
    const read = (msgType: string, content: TGroupMessage['content']) => incomingFromZalo(new GroupMessage(OWN_ID, data({ msgType, content })), OWN_ID)!;
    expect(read('chat.sticker', { id: 50652, catId: 10290, type: 7 })).toMatchObject({ text: '', attachments: [], unreadable: 'sticker' });
    expect(read('chat.gif', attachment({ href: 'https://photo.example/a.gif' }))).toMatchObject({ text: '', attachments: [], unreadable: 'gif' });
    expect(read('chat.location.new', { lat: 18.2, lng: 106.1 })).toMatchObject({ text: '', attachments: [], unreadable: 'other' });
    expect(read('chat.doodle.v9', attachment({ href: 'https://photo.example/d.png' }))).toMatchObject({
      text: '',
      attachments: [{ kind: 'other', ref: 'https://photo.example/d.png' }],
    });
    // Plain text carries no mark.
    expect(read('webchat', 'Chào')).not.toHaveProperty('unreadable');
  });

  it('says which message a quote answers and whether it was the bot’s', () => {
    const quote = {
      ownerId: OWN_ID,
      cliMsgId: 1772414100000,
      globalMsgId: 7012345678901,
      cliMsgType: 1,
      ts: 1772414100000,
      msg: 'Tên mô hình là gì?',
      attach: '',
      fromD: 'Dân vận khéo',
      ttl: 0,
    };
    const fromBot = incomingFromZalo(new GroupMessage(OWN_ID, data({ content: 'Chợ 0 đồng', quote })), OWN_ID)!;
    expect(fromBot.replyTo).toEqual({ messageId: '7012345678901', fromBot: true });
    const fromPerson = incomingFromZalo(new GroupMessage(OWN_ID, data({ content: 'Đồng ý', quote: { ...quote, ownerId: HOA_ID } })), OWN_ID)!;
    expect(fromPerson.replyTo).toEqual({ messageId: '7012345678901', fromBot: false });
  });
});
