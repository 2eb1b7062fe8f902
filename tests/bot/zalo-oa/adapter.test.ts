import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { OA_GROUP, OA_GROUP_NAME, OaBed } from '../../../bench/fakes/zaloOa/botBed.js';
import { FAKE_OAUTH_REFUSAL } from '../../../bench/fakes/zaloOa/openApi.js';
import { ChatGoneError, type IncomingMessage } from '../../../core/chat.js';
import { auditLog, chats } from '../../../db/schema.js';
import { ZaloOaOutsideWindowError, ZaloOaRefusedError } from '../../../bot/zalo-oa/adapter.js';
import { capturingLogger } from '../../helpers/logs.js';
import { oaBedsPerTest } from '../../helpers/oaBeds.js';
import { clamp, noise, png } from '../../helpers/pictures.js';

/**
 * The OA adapter as Zalo drives it (the "done when"), on the OA bed: the real route over
 * the fake OpenAPI, signed webhook posts on loopback. The contract suite covers what every adapter
 * does (a whole /dangky, a stranger in between, a redelivery, files, a gone chat); this file covers
 * what only this route does.
 */

const CHAU = { id: '8100000000000000011', name: 'Lê Minh Châu' };
const DUONG = { id: '8100000000000000012', name: 'Trịnh Thị Thuỳ Dương' };
const HOA = { id: '8100000000000000013', name: 'Nguyễn Thị Hoa' };

const beds = oaBedsPerTest({ members: [CHAU, DUONG, HOA] });
const bed = beds.start;

const texts = (b: OaBed, from = 0) => b.fake.sent.slice(from).flatMap((s) => (s.kind === 'text' ? [s.text] : []));

function chatRow(b: OaBed) {
  return b.core.database.db
    .select()
    .from(chats)
    .where(and(eq(chats.platform, 'zalo-oa'), eq(chats.platformChatId, OA_GROUP)))
    .get();
}

describe('the Zalo OA adapter', () => {
  it('names the sender from the group’s member list, since Zalo’s event names nobody', async () => {
    const seen: IncomingMessage[] = [];
    const b = await bed({ tap: (m) => void seen.push(m) });
    await b.say(DUONG.id, '/toi');
    expect(seen.map((m) => m.sender)).toEqual([{ id: DUONG.id, displayName: DUONG.name }]);
    expect(texts(b).join('\n')).toContain(DUONG.name);
  });

  it('drops a post with a wrong signature and the OA’s own echo; handles the member’s post once', async () => {
    const seen: IncomingMessage[] = [];
    const b = await bed({ tap: (m) => void seen.push(m) });
    const forged = b.fake.memberSays(OA_GROUP, CHAU.id, '/huongdan');
    expect(await b.post(forged, { signature: 'f'.repeat(64) })).toBe(401);
    expect(seen).toEqual([]);
    expect(b.fake.sent).toEqual([]);

    await b.say(CHAU.id, '/huongdan');
    const replies = b.fake.sent.length;
    expect(replies).toBeGreaterThan(0);
    // Zalo echoes each of the OA's sends (and an OA admin's posts) as oa_send_group_*.
    const echo = {
      event_name: 'oa_send_group_text',
      app_id: b.fake.appId,
      oa_id: b.fake.oaId,
      timestamp: String(Date.now()),
      sender: { id: b.fake.oaId },
      recipient: { id: OA_GROUP },
      message: { msg_id: 'echo-1', text: '/huongdan' },
    };
    expect(await b.post(echo)).toBe(200);
    expect(seen).toHaveLength(1);
    expect(b.fake.sent).toHaveLength(replies);
  });

  it('answers 200 while a handler is still busy: the ack never waits for the core', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const b = await bed({
      tap: async () => {
        started++;
        await held;
      },
    });
    const { postEvent } = await import('../../../bench/fakes/zaloOa/webhookDriver.js');
    const first = await postEvent(b.target, b.fake.memberSays(OA_GROUP, CHAU.id, '/huongdan'));
    const second = await postEvent(b.target, b.fake.memberSays(OA_GROUP, HOA.id, '/toi'));
    // Both acknowledged; the first is being handled and the second waits its turn in the group.
    expect([first.status, second.status]).toEqual([200, 200]);
    await expect.poll(() => started).toBe(1);
    expect(b.fake.sent).toEqual([]);
    release();
    await b.adapter.idle();
    expect(started).toBe(2);
    expect(b.fake.sent.length).toBeGreaterThan(1);
  });

  it('recovers what the groups said while the bot was down, once, in order, and not a day back', async () => {
    const seen: string[] = [];
    const b = await bed({ tap: (m) => void seen.push(m.text) });
    await b.say(CHAU.id, 'chào cả nhóm');
    await b.stop();
    // Down: Zalo's history keeps what members wrote; nobody posts it to the bot.
    const group = b.fake.groups.get(OA_GROUP)!;
    group.history.push({
      src: 1,
      time: Date.now() - 2 * 24 * 3600_000,
      type: 'text',
      message: '/toi (hai ngày trước, khi bot chưa dừng? không: quá cũ)',
      message_id: 'old-0001',
      from_id: HOA.id,
      from_display_name: HOA.name,
      from_avatar: '',
      group_id: OA_GROUP,
    });
    group.history.sort((x, y) => x.time - y.time);
    b.fake.memberSays(OA_GROUP, HOA.id, '/toi');
    b.fake.memberSays(OA_GROUP, DUONG.id, '/huongdan');
    const before = b.fake.sent.length;

    const again = await beds.restart(b, { tap: (m) => void seen.push(m.text) });
    await again.adapter.idle();
    expect(seen).toEqual(['chào cả nhóm', '/toi', '/huongdan']);
    const answered = texts(again, before).join('\n');
    expect(answered).toContain(HOA.name);
    // A newcomer's short help: join a unit first.
    expect(answered).toContain('/thamgia');

    // Down again; on the next start a member writes while the history is still being read: the
    // live message waits for the recovered one.
    await again.stop();
    b.fake.memberSays(OA_GROUP, CHAU.id, 'tin nhắn lúc bot dừng');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = await beds.restart(again, {
      tap: (m) => void seen.push(m.text),
      prepare: ({ route }) => {
        const read = route.api.conversation.bind(route.api);
        route.api.conversation = async (...args) => {
          await held;
          return read(...args);
        };
      },
    });
    const { postEvent } = await import('../../../bench/fakes/zaloOa/webhookDriver.js');
    expect((await postEvent(slow.target, b.fake.memberSays(OA_GROUP, DUONG.id, 'tin nhắn trực tiếp'))).status).toBe(200);
    release();
    await slow.adapter.idle();
    expect(seen.slice(3)).toEqual(['tin nhắn lúc bot dừng', 'tin nhắn trực tiếp']);
    await slow.stop();

    // The next start finds nothing new.
    const third = await beds.restart(slow, { tap: (m) => void seen.push(m.text) });
    await third.adapter.idle();
    expect(seen).toHaveLength(5);
  });

  it('mentions a member it knows by [@uid] and anyone else by name, diacritics whole', async () => {
    const b = await bed();
    await b.say(DUONG.id, '/toi');
    const before = b.fake.sent.length;
    await b.adapter.send(
      { platform: 'zalo-oa', id: OA_GROUP, kind: 'group' },
      {
        text: [
          'Nhắc ',
          { mention: { platformUserId: DUONG.id, displayName: DUONG.name } },
          ' và ',
          { mention: { platformUserId: '7000000000000000001', displayName: 'Phạm Thị Thuý Hằng' } },
          ': hạn báo cáo [@123] là 20/3.',
        ],
      },
    );
    expect(texts(b, before)).toEqual([`Nhắc [@${DUONG.id}] và Phạm Thị Thuý Hằng: hạn báo cáo [ @123] là 20/3.`]);
  });

  it('sends a docx as a Zalo file and an xlsx as a link that downloads while valid, each download audited, and not after 72 h', async () => {
    const b = await bed();
    const chat = { platform: 'zalo-oa', id: OA_GROUP, kind: 'group' } as const;
    const docx = Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), Buffer.alloc(20_000, 7)]);
    await b.adapter.send(chat, {
      text: 'Báo cáo',
      files: [{ fileName: 'bao-cao.docx', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', data: docx }],
    });
    const file = b.fake.sent.find((s) => s.kind === 'file');
    expect(file && file.kind === 'file' && file.upload.bytes.equals(docx)).toBe(true);

    const xlsx = Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), Buffer.alloc(30_000, 9)]);
    const before = b.fake.sent.length;
    await b.adapter.send(chat, {
      text: 'Số liệu',
      files: [{ fileName: 'Tổng hợp quý 1.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: xlsx }],
    });
    const notice = texts(b, before).at(-1)!;
    expect(notice).toMatch(/^📎 Tổng hợp quý 1\.xlsx .*\nLiên kết tải về dùng được đến 09:00 13\/03\/2026\.$/s);
    const url = /https:\/\/dvk\.example\.gov\.vn\/zalo-oa\/tep\/[A-Za-z0-9_-]{43}/.exec(notice)![0];
    for (let i = 0; i < 2; i++) {
      const got = await fetch(b.local(url));
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer()).equals(xlsx)).toBe(true);
    }
    await b.route.links.idle();
    const downloads = () => b.core.database.db.select().from(auditLog).where(eq(auditLog.action, 'file_link.download')).all();
    expect(downloads()).toHaveLength(2);
    b.clock.advance(72 * 3600_000);
    expect((await fetch(b.local(url))).status).toBe(410);
    await b.route.links.idle();
    expect(downloads()).toHaveLength(2);
  });

  it('posts an image within 1 MB as it is, and a larger one downscaled under Zalo’s limit', async () => {
    const b = await bed();
    const chat = { platform: 'zalo-oa', id: OA_GROUP, kind: 'group' } as const;
    const small = png(200, 120, (x) => (x < 100 ? [200, 30, 30, 255] : [30, 30, 200, 255]));
    const rand = noise(7);
    const large = png(1800, 1200, () => [clamp(rand() * 255), clamp(rand() * 255), clamp(rand() * 255), 255]);
    expect(large.length).toBeGreaterThan(1_000_000);
    await b.adapter.send(chat, { text: 'Biểu đồ', files: [{ fileName: 'bieu-do.png', mimeType: 'image/png', data: small }] });
    await b.adapter.send(chat, { text: 'Ảnh', files: [{ fileName: 'anh-hien-truong.png', mimeType: 'image/png', data: large }] });
    const images = b.fake.sent.flatMap((s) => (s.kind === 'image' && s.upload ? [s.upload] : []));
    expect(images.map((u) => u.fileName)).toEqual(['bieu-do.png', 'anh-hien-truong.jpg']);
    expect(images[0]!.bytes.equals(small)).toBe(true);
    expect(images[1]!.bytes.length).toBeLessThanOrEqual(1_000_000);
    expect(images[1]!.bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(true);
  });

  it('an access token Zalo calls expired is refreshed once and the send goes through', async () => {
    const b = await bed();
    await b.say(CHAU.id, '/huongdan');
    const refreshes = b.fake.refreshes;
    b.fake.expireAccessToken();
    const before = b.fake.sent.length;
    await b.adapter.send({ platform: 'zalo-oa', id: OA_GROUP, kind: 'group' }, { text: 'Nhắc hạn' });
    expect(b.fake.refreshes).toBe(refreshes + 1);
    expect(texts(b, before)).toEqual(['Nhắc hạn']);
  });

  it('a refresh token Zalo refuses (reused: no documented code) puts the route in “needs re-authorisation” and alerts once', async () => {
    const b = await bed();
    await b.say(CHAU.id, '/huongdan');
    // Another copy spent the stored refresh token: Zalo answers an OAuth error body, HTTP 200.
    b.fake.usedRefreshTokens.add(b.fake.refreshToken);
    b.fake.expireAccessToken();
    const chat = { platform: 'zalo-oa', id: OA_GROUP, kind: 'group' } as const;
    await expect(b.adapter.send(chat, { text: 'Nhắc hạn' })).rejects.toThrow(/re-authorisation/);
    await expect(b.adapter.send(chat, { text: 'Nhắc hạn lần nữa' })).rejects.toThrow(/re-authorisation/);
    expect(b.alerts.filter((a) => a.includes('cap-quyen'))).toHaveLength(1);
    expect(b.adapter.status()).toMatchObject({ state: 'stopped', detail: expect.stringContaining('cần cấp quyền lại') });
    expect(String(FAKE_OAUTH_REFUSAL)).not.toBe('-118');

    // The operator loads a new token (the CLI writes the same database): the route works again.
    b.fake.refreshToken = 'fake-refresh-token-operator';
    b.fake.usedRefreshTokens.delete('fake-refresh-token-operator');
    b.route.tokens.load('fake-refresh-token-operator');
    await b.adapter.send(chat, { text: 'Đã cấp quyền lại' });
    expect(b.adapter.status().state).toBe('connected');
  });

  it('-237: the group’s package lapsed; the chat is marked expired, the admins alerted once, and a ChatGoneError raised', async () => {
    const b = await bed();
    await b.say(CHAU.id, '/huongdan');
    b.fake.groups.get(OA_GROUP)!.status = 'disabled';
    const chat = { platform: 'zalo-oa', id: OA_GROUP, kind: 'group', title: OA_GROUP_NAME } as const;
    const error = await b.adapter.send(chat, { text: 'Nhắc hạn' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatGoneError);
    expect((error as ChatGoneError).reason).toBe('expired');
    expect(chatRow(b)?.active).toBe(false);
    await b.adapter.send(chat, { text: 'Nhắc lần nữa' }).catch(() => undefined);
    expect(b.alerts.filter((a) => a.includes('đã hết hạn'))).toHaveLength(1);
  });

  it('-224: the OA may not use groups; sending stops everywhere, /trangthai says why, the admins are alerted once', async () => {
    const b = await bed();
    b.fake.fail('/v3.0/oa/group/message', -224);
    const chat = { platform: 'zalo-oa', id: OA_GROUP, kind: 'group' } as const;
    await expect(b.adapter.send(chat, { text: 'Nhắc hạn' })).rejects.toThrow();
    const sentBefore = b.fake.calls.length;
    await expect(b.adapter.send(chat, { text: 'Nhắc hạn' })).rejects.toBeInstanceOf(ZaloOaRefusedError);
    expect(b.fake.calls.length).toBe(sentBefore);
    expect(b.adapter.status()).toMatchObject({ state: 'stopped', detail: expect.stringContaining('gói OA không có tính năng nhóm GMF') });
    expect(b.alerts).toHaveLength(1);
  });

  it('warns 14 days before a group’s package runs out: in the status, and one alert', async () => {
    const b = await bed({ prepare: ({ fake }) => void (fake.groups.get(OA_GROUP)!.validThrough = '20/03/2026') });
    const warnings = await b.adapter.checkRenewals(new Date('2026-03-10T09:00:00+07:00'));
    expect(warnings.map((w) => w.text)).toEqual([
      `Zalo OA: gói dịch vụ của nhóm “${OA_GROUP_NAME}” hết hạn ngày 20/03/2026 (còn 10 ngày). Gói đang đặt tự gia hạn: kiểm tra tài khoản thanh toán của OA.`,
    ]);
    expect(b.adapter.status().warnings).toEqual(warnings.map((w) => w.text));
    await b.adapter.checkRenewals(new Date('2026-03-11T09:00:00+07:00'));
    expect(b.alerts).toHaveLength(1);
    b.fake.groups.get(OA_GROUP)!.validThrough = '31/12/2026';
    await b.adapter.checkRenewals(new Date('2026-03-12T09:00:00+07:00'));
    expect(b.adapter.status().warnings).toBeUndefined();
  });

  it('cannot write privately to a member who never wrote to the OA, and never logs a token or a key', async () => {
    const { log, lines } = capturingLogger();
    const b = await bed({ log });
    await b.say(CHAU.id, '/huongdan');
    b.fake.expireAccessToken();
    await b.say(CHAU.id, '/toi');
    // Zalo's 1:1 messages need the person's own message first (-232): not a gone chat, only a closed window.
    await expect(b.adapter.send({ platform: 'zalo-oa', id: CHAU.id, kind: 'private' }, { text: 'riêng' })).rejects.toBeInstanceOf(ZaloOaOutsideWindowError);
    const all = JSON.stringify(lines);
    for (const secret of [b.fake.accessToken, b.fake.refreshToken, b.fake.appSecret, 'fake-oa-secret-key-for-webhooks', 'fake-access-token-0']) {
      expect(all).not.toContain(secret);
    }
  });
});
