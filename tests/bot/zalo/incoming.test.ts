import { describe, expect, it } from 'vitest';
import { GroupMessage, UserMessage, type TGroupMessage } from 'zca-js';
import { incomingFromZalo } from '../../../bot/zalo/incoming.js';

const OWN_ID = '8912345678901234567';
const GROUP_ID = '6543210987654321098';
const CHAU_ID = '7234567890123456789';
const HOA_ID = '7345678901234567890';
// 2026-03-02 08:15:30 in Hà Nội, as Zalo sends it: milliseconds in a string.
const TS = String(Date.UTC(2026, 2, 2, 1, 15, 30));

function data(over: Partial<TGroupMessage>): TGroupMessage {
  return {
    actionId: '4012345678901',
    msgId: '7102345678901234567',
    cliMsgId: '1772414130123',
    msgType: 'webchat',
    uidFrom: CHAU_ID,
    idTo: GROUP_ID,
    dName: 'Lê Minh Châu',
    ts: TS,
    status: 1,
    content: '',
    notify: '1',
    ttl: 0,
    userId: '0',
    uin: '0',
    topOut: '0',
    topOutTimeOut: '0',
    topOutImprTimeOut: '0',
    propertyExt: undefined,
    paramsExt: { countUnread: 1, containType: 0, platformType: 1 },
    cmd: 521,
    st: 3,
    at: 5,
    realMsgId: '0',
    quote: undefined,
    mentions: undefined,
    ...over,
  };
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
    expect(
      incomingFromZalo(new UserMessage(OWN_ID, data({ uidFrom: '0', idTo: CHAU_ID, content: 'Đã nhận' })), OWN_ID),
    ).toBeUndefined();
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
      { kind: 'document', ref: 'https://f21-zpc.zdn.vn/abc/bao-cao.docx', fileName: 'Báo cáo quý 1.docx' },
    ]);
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
    const fromPerson = incomingFromZalo(
      new GroupMessage(OWN_ID, data({ content: 'Đồng ý', quote: { ...quote, ownerId: HOA_ID } })),
      OWN_ID,
    )!;
    expect(fromPerson.replyTo).toEqual({ messageId: '7012345678901', fromBot: false });
  });
});
