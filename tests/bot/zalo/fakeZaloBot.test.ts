import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatRef, IncomingMessage } from '../../../bot/chat.js';
import { BINH, BotBed, type BotBedOptions, CHAU, GROUP_ID } from './fakeZalo/botBed.js';
import type { FakeZalo } from './fakeZalo/index.js';

/**
 * The bot's real Zalo route — loginFromCredentials → zca-js → ZaloAdapter (supervisor, send
 * queue) → the core's dispatcher — over the fake Zalo network. Tests named "today:" record what
 * the current code does where issue 17 calls it a defect; the fix will change them.
 */

const GROUP: ChatRef = { platform: 'zalo', id: GROUP_ID, kind: 'group' };

let bed: BotBed | undefined;

beforeEach(() => {
  vi.stubGlobal('fetch', () => Promise.reject(new Error('tests never use the network')));
});

afterEach(async () => {
  await bed?.close();
  bed = undefined;
  vi.unstubAllGlobals();
});

/** Starts the bot and waits until it listens on its first socket. */
async function start(options: BotBedOptions = {}): Promise<{ bed: BotBed; zalo: FakeZalo }> {
  bed = await BotBed.start(options);
  await listeningOn(bed.zalo, 1);
  return { bed, zalo: bed.zalo };
}

/** Waits until the n-th socket is open (the first is 1). */
function nthConnection(zalo: FakeZalo, n: number) {
  return zalo.until(() => (zalo.connections.length >= n && zalo.connections[n - 1]!.open ? zalo.connections[n - 1] : undefined), `socket ${n}`);
}

/** Waits until the adapter, on the n-th socket, has asked for the history: it is fully listening. */
function listeningOn(zalo: FakeZalo, n: number) {
  return zalo.until(() => zalo.oldMessagesRequests.find((r) => r.connection === n), `old-messages request on socket ${n}`);
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
    // Today: on connect the adapter asks for group history only, never private history (issue 17 item 4).
    expect(zalo.oldMessagesRequests.map((r) => [r.connection, r.threadType, r.lastId])).toEqual([[1, 'group', null]]);
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

  it('today: every dropped socket (1006) is a full new login after 2 s, and the back-off never grows (issue 17 item 1)', async () => {
    const { bed, zalo } = await start();
    await zalo.deliverText(GROUP_ID, CHAU, '/lenhmot');
    await zalo.sends(1);
    for (let n = 2; n <= 4; n++) {
      await zalo.drop();
      await listeningOn(zalo, n);
    }
    expect(zalo.logins).toBe(4);
    expect(bed.reconnectWaits).toEqual([2_000, 2_000, 2_000]);
    expect(bed.logged('zalo: connection closed; logging in again').map((l) => l.code)).toEqual([1006, 1006, 1006]);
    // Each new socket asks for the group history again.
    expect(zalo.oldMessagesRequests.map((r) => r.connection)).toEqual([1, 2, 3, 4]);
    // The drops are survived: the fourth session answers.
    await zalo.deliverText(GROUP_ID, CHAU, '/lenhhai');
    const sent = await zalo.sends(2);
    expect(sent.map((s) => [s.text, s.session])).toEqual([
      ['Bot không có lệnh /lenhmot. Gõ /huongdan để xem các lệnh bạn dùng được.', 1],
      ['Bot không có lệnh /lenhhai. Gõ /huongdan để xem các lệnh bạn dùng được.', 4],
    ]);
    expect(bed.adapter.status()).toMatchObject({ state: 'connected' });
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

    // Today: a send after the stop (a reminder) still goes out through the old session (issue 17 item 2).
    await bed.adapter.send(GROUP, { text: 'Nhắc hạn báo cáo quý' });
    expect(zalo.sent.map((s) => [s.text, s.session])).toEqual([['Nhắc hạn báo cáo quý', 1]]);
  });

  it('today: a 3000 frame whose close Zalo does not echo is seen as 1006, and the supervisor logs in again (issue 17 item 2)', async () => {
    const { bed, zalo } = await start();
    const kicked = await zalo.kickElsewhere({ echo: false });
    await nthConnection(zalo, 2);
    // zca-js did read the frame: it closed with 3000, which Zalo left unanswered.
    expect(kicked.unansweredCloseCode).toBe(3000);
    expect(zalo.logins).toBe(2);
    expect(bed.stoppedCodes).toEqual([]);
    expect(bed.logged('zalo: connection closed; logging in again').map((l) => l.code)).toEqual([1006]);
  });

  it('today: a refused login is logged and retried with a growing wait — no alert, no stop (issue 17 item 6)', async () => {
    bed = await BotBed.start({ holdWaits: true, beforeStart: (z) => z.refuseLogin() });
    const { zalo } = bed;
    expect(await bed.nthWait(1)).toBe(2_000);
    expect(bed.adapter.status()).toMatchObject({ state: 'connecting', detail: expect.stringContaining('đăng nhập không được') });
    const [failure] = bed.logged('zalo: login failed');
    expect(failure).toMatchObject({ level: 50, err: { message: 'Failed to fetch server info: zpw_sek bị thiếu hoặc không đúng' } });
    bed.releaseWait();
    expect(await bed.nthWait(2)).toBe(5_000);
    expect(zalo.loginAttempts).toHaveLength(2);
    expect(bed.stoppedCodes).toEqual([]);

    // Zalo takes the login again: the bot connects and answers.
    zalo.acceptLogin();
    bed.releaseWait();
    await nthConnection(zalo, 1);
    expect(zalo.logins).toBe(1);
    await zalo.deliverText(GROUP_ID, CHAU, '/lenhthu');
    await zalo.sends(1);
    expect(zalo.sent[0]!.session).toBe(1);
  });

  it('today: what a link, photo, file, sticker, voice or video message becomes for the core (issue 17 item 3)', async () => {
    const { bed, zalo } = await start();
    const names = ['link', 'photo', 'file', 'sticker', 'voice', 'video'] as const;
    const seen: Record<string, Pick<IncomingMessage, 'text' | 'attachments'>> = {};
    for (const [i, name] of names.entries()) {
      await zalo.deliverFixture(name);
      const message = await bed.nthIncoming(i + 1);
      seen[name] = { text: message.text, attachments: message.attachments };
    }
    expect(seen).toEqual({
      // The typed text (with a command or an answer in it) is lost; the page becomes a "document".
      link: {
        text: '',
        attachments: [{ kind: 'document', ref: 'https://dvk.example/tin-tuc/tu-sach-phap-luat', fileName: 'Đã đưa tin lên cổng thông tin: https://dvk.example/tin-tuc/tu-sach-phap-luat' }],
      },
      // The caption is taken as the photo's file name.
      photo: {
        text: '',
        attachments: [{ kind: 'photo', ref: 'https://photo.zalo.invalid/jpg/v2/7102345678/anh-ra-mat.jpg', fileName: 'Ảnh buổi ra mắt tủ sách pháp luật thôn Đông' }],
      },
      file: {
        text: '',
        attachments: [{ kind: 'document', ref: 'https://file.zalo.invalid/3100000001/bao-cao-quy-1-cam-xuyen.xlsx', fileName: 'bao-cao-quy-1-cam-xuyen.xlsx' }],
      },
      // A sticker is nothing at all.
      sticker: { text: '', attachments: [] },
      // Voice and video are "documents" with no name.
      voice: { text: '', attachments: [{ kind: 'document', ref: 'https://voice.zalo.invalid/m4a/7102345678/ghi-am.m4a', fileName: undefined }] },
      video: { text: '', attachments: [{ kind: 'document', ref: 'https://video.zalo.invalid/mp4/7102345678/ra-mat.mp4', fileName: undefined }] },
    });
  });

  it('a file reply goes through zca-js’s upload and waits for file_done; today, a file_done before the HTTP answer makes it time out after the upload reached Zalo (issue 17 item 5)', async () => {
    const { bed, zalo } = await start({ fileTimeoutMs: 100 });
    const xlsx = Buffer.from('PK\u0003\u0004 bao cao');
    const reply = { text: '📎 Báo cáo quý 1', files: [{ fileName: 'bao-cao.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: xlsx }] };
    const delivered = await bed.adapter.send(GROUP, reply);
    expect(zalo.sent.map((s) => [s.kind, s.text])).toEqual([
      ['sendmsg', '📎 Báo cáo quý 1'],
      ['file', 'bao-cao.xlsx'],
    ]);
    expect(zalo.uploads[0]!.data.equals(xlsx)).toBe(true);
    expect(delivered.messageId).toBe(String(zalo.sent[1]!.msgId));

    zalo.fileDone('before');
    await expect(bed.adapter.send(GROUP, { text: '', files: reply.files })).rejects.toThrow(/timed out/);
    // The file reached Zalo (it has a fileId) but no file message was sent: the group never sees it.
    expect(zalo.uploads).toHaveLength(2);
    expect(zalo.uploads[1]).toMatchObject({ fileId: expect.any(String), fileDoneSent: true });
    expect(zalo.sent.filter((s) => s.kind === 'file')).toHaveLength(1);
  });
});
