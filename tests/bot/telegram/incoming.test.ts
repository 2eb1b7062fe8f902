import type { CallbackQuery, Message, Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { chatRefOf, incomingFromCallback, incomingFromMessage } from '../../../bot/telegram/incoming.js';
import { chats, identities, processedInbound } from '../../../db/schema.js';
import { BOT_INFO, fixture, type TelegramBot, telegramBot } from '../../helpers/telegramBot.js';

const BOT_ID = BOT_INFO.id;

function messageOf(name: string): Message {
  return fixture<{ message: Message }>(name).message;
}

describe('incomingFromMessage', () => {
  it('turns an NFD text into NFC and moves the mention offsets along', () => {
    const message = messageOf('group-mentions-nfd');
    const raw = message.text!;
    expect(raw).not.toBe(raw.normalize('NFC')); // the fixture really is decomposed

    const msg = incomingFromMessage(message, BOT_ID)!;
    expect(msg.text).toBe('Nhờ anh Lê Văn Tâm và @hoa_snv cập nhật tiến độ mô hình giúp em ạ');
    expect(msg.text).toBe(msg.text.normalize('NFC'));
    expect(msg.mentions).toEqual([
      { userId: '6345678901', offset: 8, length: 10 },
      { username: 'hoa_snv', offset: 22, length: 8 },
    ]);
    const [person, handle] = msg.mentions;
    expect(msg.text.slice(person!.offset, person!.offset + person!.length)).toBe('Lê Văn Tâm');
    expect(msg.text.slice(handle!.offset, handle!.offset + handle!.length)).toBe('@hoa_snv');
    expect(msg).toMatchObject({
      chat: { platform: 'telegram', id: '-1001234567890', kind: 'group', title: 'Dân vận khéo xã Cẩm Xuyên' },
      sender: { id: '5123456789', displayName: 'Châu Lê Minh', username: 'leminhchau_cx' },
      messageId: '1213',
      attachments: [],
    });
    expect(msg.replyTo).toBeUndefined();
  });

  it('marks a sticker or a GIF as unreadable, with no text and no attachment (the engine refuses it by name)', () => {
    const base = messageOf('group-mentions-nfd');
    const { text: _text, entities: _entities, ...bare } = base;
    const sticker = {
      ...bare,
      sticker: { file_id: 'CAACAgIAAx0', file_unique_id: 'AgAD', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false },
    } as Message;
    expect(incomingFromMessage(sticker, BOT_ID)).toMatchObject({ text: '', attachments: [], unreadable: 'sticker' });
    // Telegram sends a GIF as an animation and, for old clients, as a document too: neither is kept.
    const animation = { file_id: 'CgACAgQAAx0', file_unique_id: 'AgAE', width: 320, height: 240, duration: 3, file_name: 'vui.mp4', mime_type: 'video/mp4' };
    const gif = { ...bare, animation, document: animation } as Message;
    expect(incomingFromMessage(gif, BOT_ID)).toMatchObject({ text: '', attachments: [], unreadable: 'gif' });
    expect(incomingFromMessage(base, BOT_ID)!.unreadable).toBeUndefined();
  });

  it('keeps mention offsets right when invisible characters and spaces are dropped before them', () => {
    const message = messageOf('group-mentions-nfd');
    // A zero-width space and leading blanks, as pasted from a document.
    const prefix = '\u200b  \u00a0';
    message.text = prefix + message.text!;
    for (const entity of message.entities!) entity.offset += prefix.length;

    const msg = incomingFromMessage(message, BOT_ID)!;
    expect(msg.text.startsWith('Nhờ anh')).toBe(true);
    for (const [mention, expected] of [
      [msg.mentions[0]!, 'Lê Văn Tâm'],
      [msg.mentions[1]!, '@hoa_snv'],
    ] as const) {
      expect(msg.text.slice(mention.offset, mention.offset + mention.length)).toBe(expected);
    }
  });

  it('names a sender by first and last name, NFC, and uses the largest photo', () => {
    const message = messageOf('group-photo');
    const msg = incomingFromMessage(message, BOT_ID)!;
    expect(msg.text).toBe('Ảnh buổi ra mắt mô hình');
    expect(msg.attachments).toEqual([{ kind: 'photo', ref: 'AgACAgUAAxkBAAIBQmZ1-full-1280', sizeBytes: 181077, mimeType: 'image/jpeg' }]);
    expect(msg.replyTo).toEqual({ messageId: '1209', fromBot: true });
  });

  it('describes a document with its name (NFC) and type', () => {
    const message = messageOf('group-photo');
    delete message.photo;
    message.document = {
      file_id: 'BQACAgUAAxkBAAIBR2Z1-bao-cao',
      file_unique_id: 'AgADbQ8AAkWQ0FU',
      file_name: 'Báo cáo quý I.pdf'.normalize('NFD'),
      mime_type: 'application/pdf',
      file_size: 245760,
    };
    const msg = incomingFromMessage(message, BOT_ID)!;
    expect(msg.attachments).toEqual([
      { kind: 'document', ref: 'BQACAgUAAxkBAAIBR2Z1-bao-cao', fileName: 'Báo cáo quý I.pdf', mimeType: 'application/pdf', sizeBytes: 245760 },
    ]);
  });

  it('says whether a reply answers the bot or someone else', () => {
    const message = messageOf('group-reply');
    expect(incomingFromMessage(message, BOT_ID)!.replyTo).toEqual({ messageId: '1203', fromBot: true });
    message.reply_to_message!.from = { id: 6234567890, is_bot: false, first_name: 'Dung' };
    expect(incomingFromMessage(message, BOT_ID)!.replyTo).toEqual({ messageId: '1203', fromBot: false });
  });

  it('ignores other bots, messages on behalf of a chat, and channels', () => {
    expect(incomingFromMessage(messageOf('group-from-bot'), BOT_ID)).toBeUndefined();
    // A linked channel's post forwarded into the group comes "from" Telegram's service account.
    expect(incomingFromMessage(messageOf('group-automatic-forward'), BOT_ID)).toBeUndefined();
    // The first message of an upgraded supergroup comes from the anonymous group placeholder.
    expect(incomingFromMessage(messageOf('supergroup-migrate-from'), BOT_ID)).toBeUndefined();
    const post = fixture<{ channel_post: Message }>('channel-post').channel_post;
    expect(incomingFromMessage(post, BOT_ID)).toBeUndefined();
    expect(chatRefOf(post.chat)).toBeUndefined();
  });

  it('stores group titles in NFC, and gives private chats the person’s name as title', () => {
    expect(chatRefOf({ id: -1001234567890, type: 'supergroup', title: 'Dân vận khéo xã Cẩm Xuyên'.normalize('NFD') })?.title).toBe('Dân vận khéo xã Cẩm Xuyên');
    expect(chatRefOf({ id: 5123456789, type: 'private', first_name: 'Châu', last_name: 'Lê Minh' })).toEqual({
      platform: 'telegram',
      id: '5123456789',
      kind: 'private',
      title: 'Châu Lê Minh',
    });
  });
});

describe('incomingFromCallback', () => {
  it('is an answer carrying the pressed value and the prompt it belongs to', () => {
    const query = fixture<{ callback_query: CallbackQuery }>('callback-query').callback_query;
    const msg = incomingFromCallback(query)!;
    expect(msg).toMatchObject({
      chat: { platform: 'telegram', id: '-1001234567890', kind: 'group' },
      sender: { id: '5123456789', displayName: 'Châu Lê Minh', username: 'leminhchau_cx' },
      messageId: 'callback:2200456789012345678',
      text: '',
      mentions: [],
      attachments: [],
      choice: { value: 'dan_van_kheo', promptMessageId: '1202' },
    });
  });

  it('is nothing without data (a game button) or without the message it was on', () => {
    const query = fixture<{ callback_query: CallbackQuery }>('callback-query').callback_query;
    expect(incomingFromCallback({ ...query, data: undefined })).toBeUndefined();
    expect(incomingFromCallback({ ...query, message: undefined, inline_message_id: 'AgAAAN8p' })).toBeUndefined();
  });
});

describe('updates the bot does not act on', () => {
  let t: TelegramBot;
  afterEach(() => t?.close());

  it('leaves channel posts, other bots and automatic forwards alone: no call, no row', async () => {
    t = await telegramBot();
    const before = t.api.calls.length;
    const chatsBefore = t.db.select().from(chats).all();
    const identitiesBefore = t.db.select().from(identities).all();
    for (const name of ['channel-post', 'group-from-bot', 'group-automatic-forward', 'supergroup-migrate-from']) {
      await t.feed(fixture<Update>(name));
    }
    expect(t.api.calls.slice(before)).toEqual([]);
    expect(t.db.select().from(chats).all()).toEqual(chatsBefore);
    expect(t.db.select().from(identities).all()).toEqual(identitiesBefore);
    // They were seen, once each, so a redelivery would not be looked at again either.
    expect(
      t.db
        .select()
        .from(processedInbound)
        .all()
        .map((r) => r.key)
        .sort(),
    ).toEqual(['918273651', '918273653', '918273654', '918273655']);
  });
});
