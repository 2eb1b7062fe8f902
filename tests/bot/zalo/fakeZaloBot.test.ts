import { describe, expect, it } from 'vitest';
import type { ChatRef, IncomingMessage } from '../../../core/chat.js';
import { BINH, BotBed, type BotBedOptions, botBedPerTest, CHAU, GROUP_ID } from '../../../bench/fakes/zalo/botBed.js';
import type { FakeZalo } from '../../../bench/fakes/zalo/index.js';

/**
 * The bot's real Zalo route — loginFromCredentials → zca-js → ZaloAdapter (supervisor, send
 * queue) → the core's dispatcher — over the fake Zalo network. The
 * connection's own tests (drops, "opened elsewhere", a refused login, half-open sockets, timeouts)
 * are in fakeZaloConnection.test.ts.
 */

const GROUP: ChatRef = { platform: 'zalo', id: GROUP_ID, kind: 'group' };

const beds = botBedPerTest();

/** Starts the bot and waits until it listens on its first socket. */
async function start(options: BotBedOptions = {}): Promise<{ bed: BotBed; zalo: FakeZalo }> {
  const bed = await beds.start(options);
  return { bed, zalo: bed.zalo };
}

describe('the bot on the fake Zalo network', () => {
  it('/huongdan from a known officer in the group reaches the core; the answer goes out through zca-js’s sendMessage', async () => {
    const { bed, zalo } = await start();
    const sent = await zalo.deliverText(GROUP_ID, CHAU, '/huongdan');
    await zalo.sends(1);
    await bed.adapter.idle();

    expect(bed.incoming[0]).toMatchObject({
      chat: { platform: 'zalo', id: GROUP_ID, kind: 'group' },
      sender: { id: CHAU.id, displayName: CHAU.name },
      messageId: sent.msgId,
      text: '/huongdan',
    });
    const replies = zalo.sent;
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.every((r) => r.threadId === GROUP_ID && r.threadType === 'group' && r.session === 1)).toBe(true);
    const text = replies.map((r) => r.text).join('\n');
    expect(text).toContain('Các lệnh bạn dùng được:');
    expect(text).toContain('/dangky — đăng ký mô hình');
    // Decrypted as Zalo reads it: the params zca-js built for a group.
    expect(replies[0]!.params).toMatchObject({ grid: GROUP_ID, visibility: 0, ttl: 0 });

    expect(zalo.logins).toBe(1);
    expect(zalo.unknownRequests).toEqual([]);
    expect(zalo.protocolErrors).toEqual([]);
    // On connect the adapter asks for the history of groups and of private chats (issue 17 item 4;
    // fakeZaloMissed.test.ts); Zalo keeps nothing here, so one request each.
    await zalo.until(() => zalo.oldMessagesRequests.length >= 2, 'both history requests');
    expect(zalo.oldMessagesRequests.map((r) => [r.connection, r.threadType, r.lastId])).toEqual([
      [1, 'group', null],
      [1, 'user', null],
    ]);
    // The session cookie never reaches the log.
    expect(JSON.stringify(bed.logs)).not.toContain(zalo.credentials.cookie[0]!.value);
  });

  it('mentions reach the core at their places in the NFC text (UTF-16 offsets; @All names nobody)', async () => {
    const { bed, zalo } = await start();
    // Typed in NFD: "Nhờ " is 6 UTF-16 units there, 4 in NFC.
    const before = 'Nhờ '.normalize('NFD');
    const name = '@Lê Minh Châu'.normalize('NFD');
    await zalo.deliverMention(GROUP_ID, BINH, `${before}${name} xem giúp`, [{ uid: CHAU.id, pos: before.length, len: name.length }]);
    const first = await bed.nthIncoming(1);
    expect(first.text).toBe('Nhờ @Lê Minh Châu xem giúp');
    expect(first.mentions).toEqual([{ userId: CHAU.id, offset: 4, length: 13 }]);

    await zalo.deliverFixture('mention');
    const second = await bed.nthIncoming(2);
    expect(second.mentions).toEqual([{ userId: '7345678901234567890', offset: 28, length: 13 }]);
    expect(second.text.slice(28, 28 + 13)).toBe('@Trần Thị Thu');
  });

  it('messages missed while away: the adapter asks on connect, and a missed command in Zalo’s batch is answered', async () => {
    const { bed, zalo } = await start();
    await zalo.answerOldMessages('group', [zalo.groupMessage(GROUP_ID, CHAU, '/lenhthu', { ts: Date.now() - 60_000 })]);
    await zalo.sends(1);
    await bed.adapter.idle();
    expect(zalo.textsTo(GROUP_ID)).toEqual(['Bot không có lệnh /lenhthu. Gõ /huongdan để xem các lệnh bạn dùng được.']);
  });

  it('a cmd-3000 frame (opened elsewhere): zca-js closes with 3000 and the adapter stops without logging in again', async () => {
    const { bed, zalo } = await start();
    await zalo.kickElsewhere();
    await bed.running;
    expect(bed.stoppedCodes).toEqual([3000]);
    expect(zalo.logins).toBe(1);
    expect(bed.reconnectWaits).toEqual([]);
    expect(bed.adapter.status()).toMatchObject({ state: 'stopped', detail: expect.stringContaining('mã 3000') });
    expect(bed.logged('zalo: the account was opened elsewhere')).toHaveLength(1);

    // A send after the stop (a reminder) does not go out through the old session (issue 17 item 2;
    // more in fakeZaloConnection.test.ts).
    await expect(bed.adapter.send(GROUP, { text: 'Nhắc hạn báo cáo quý' })).rejects.toThrow('zalo is not connected');
    expect(zalo.sent).toEqual([]);
  });

  it('what a link, photo, file, sticker, GIF, voice or video message becomes for the core (issue 17 item 3)', async () => {
    const { bed, zalo } = await start();
    const names = ['link', 'photo', 'file', 'sticker', 'gif', 'voice', 'video'] as const;
    const seen: Record<string, Pick<IncomingMessage, 'text' | 'attachments' | 'unreadable'>> = {};
    for (const [i, name] of names.entries()) {
      await zalo.deliverFixture(name);
      const message = await bed.nthIncoming(i + 1);
      seen[name] = { text: message.text, attachments: message.attachments, unreadable: message.unreadable };
    }
    expect(seen).toEqual({
      // The words typed, URL included: a command or an answer with a link in it works.
      link: { text: 'Đã đưa tin lên cổng thông tin: https://dvk.example/tin-tuc/tu-sach-phap-luat', attachments: [], unreadable: undefined },
      // The caption is the text; the photo stays an attachment (it has no file name).
      photo: {
        text: 'Ảnh buổi ra mắt tủ sách pháp luật thôn Đông',
        attachments: [{ kind: 'photo', ref: 'https://photo.zalo.invalid/jpg/v2/7102345678/anh-ra-mat.jpg' }],
        unreadable: undefined,
      },
      file: {
        text: '',
        attachments: [
          {
            kind: 'document',
            ref: 'https://file.zalo.invalid/3100000001/bao-cao-quy-1-cam-xuyen.xlsx',
            fileName: 'bao-cao-quy-1-cam-xuyen.xlsx',
            sizeBytes: 24576,
          },
        ],
        unreadable: undefined,
      },
      // Nothing to read or keep, named so the person can be told.
      sticker: { text: '', attachments: [], unreadable: 'sticker' },
      gif: { text: '', attachments: [], unreadable: 'gif' },
      // A voice message is audio, a video a video.
      voice: {
        text: '',
        attachments: [{ kind: 'audio', ref: 'https://voice.zalo.invalid/m4a/7102345678/ghi-am.m4a', sizeBytes: 13824 }],
        unreadable: undefined,
      },
      video: {
        text: '',
        attachments: [{ kind: 'video', ref: 'https://video.zalo.invalid/mp4/7102345678/ra-mat.mp4', sizeBytes: 2345678 }],
        unreadable: undefined,
      },
    });
  });

  it('a file reply goes through zca-js’s upload and its file_done, then the file message (other timings: fakeZaloFiles.test.ts)', async () => {
    const { bed, zalo } = await start({ fileTimeoutMs: 100 });
    const xlsx = Buffer.from('PK\u0003\u0004 bao cao');
    const reply = {
      text: '📎 Báo cáo quý 1',
      files: [{ fileName: 'bao-cao.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: xlsx }],
    };
    const delivered = await bed.adapter.send(GROUP, reply);
    expect(zalo.sent.map((s) => [s.kind, s.text])).toEqual([
      ['sendmsg', '📎 Báo cáo quý 1'],
      ['file', 'bao-cao.xlsx'],
    ]);
    expect(zalo.uploads[0]!.data.equals(xlsx)).toBe(true);
    expect(delivered.messageId).toBe(String(zalo.sent[1]!.msgId));
  });
});
