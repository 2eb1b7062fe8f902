import { describe, expect, it } from 'vitest';
import type { ChatRef } from '../../../core/chat.js';
import { REPLY_UNCERTAIN } from '../../../bot/dispatch.js';
import { LOGIN_BUDGET, LOGIN_WINDOW_MS } from '../../../bot/zalo/supervisor.js';
import { BotBed, type BotBedOptions, botBedPerTest, settle, CHAU, GROUP_ID, HOA_TELEGRAM, THU } from '../../../bench/fakes/zalo/botBed.js';
import type { FakeZalo } from '../../../bench/fakes/zalo/index.js';

/**
 * Issue 17 items 1, 2, 6, 9 and 10 on the test bed: the bot's real Zalo route (zca-js 2.2.0's own
 * login, Listener and sendMessage, the ZaloAdapter, its supervisor and send queue, the core) over
 * the fake Zalo network, with the bed's clock: back-off waits move it on, `advance()` moves it,
 * `tick()` runs the supervisor's watchdog and keep-alive as its timer would. Nothing waits for real
 * time except the text-send timeout (50 ms here).
 */

const GROUP: ChatRef = { platform: 'zalo', id: GROUP_ID, kind: 'group' };
const UNKNOWN = (name: string) => `Bot không có lệnh /${name}. Gõ /huongdan để xem các lệnh bạn dùng được.`;

const beds = botBedPerTest();

async function start(options: BotBedOptions = {}): Promise<{ bed: BotBed; zalo: FakeZalo }> {
  const bed = await beds.start(options);
  return { bed, zalo: bed.zalo };
}

/** Logins in any rolling window of `windowMs`, at most. */
function mostInAnyWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (const [i, t] of times.entries()) most = Math.max(most, times.slice(i).filter((u) => u < t + windowMs).length);
  return most;
}

/** A small deterministic generator (mulberry32): the simulated day is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('item 1: a dropped socket is reopened on the same session; logins are rare', () => {
  it('drops (1006) reopen the socket on the same API object: one login, the reopened sockets ask for the history and answer', async () => {
    const { bed, zalo } = await start();
    await zalo.deliverText(GROUP_ID, CHAU, '/lenhmot');
    await zalo.sends(1);
    for (let n = 2; n <= 4; n++) {
      // Each socket had been up a minute, as Zalo's own cycling leaves them.
      bed.advance(60_000);
      await zalo.drop();
      await bed.listeningOn(n);
    }
    expect(zalo.logins).toBe(1);
    expect(bed.apis).toHaveLength(1);
    expect(zalo.connections).toHaveLength(4);
    expect(bed.reconnectWaits).toEqual([2_000, 2_000, 2_000]);
    expect(bed.logged('zalo: connection closed; reopening the socket on the same session').map((l) => l.code)).toEqual([1006, 1006, 1006]);
    // Each socket asks for both kinds of history (groups, private chats).
    await zalo.until(() => zalo.oldMessagesRequests.length >= 8, 'the history requests of 4 sockets');
    expect(zalo.oldMessagesRequests.map((r) => [r.connection, r.threadType])).toEqual(
      [1, 2, 3, 4].flatMap((n) => [
        [n, 'group'],
        [n, 'user'],
      ]),
    );
    await zalo.deliverText(GROUP_ID, CHAU, '/lenhhai');
    const sent = await zalo.sends(2);
    expect(sent.map((s) => [s.text, s.session])).toEqual([
      [UNKNOWN('lenhmot'), 1],
      [UNKNOWN('lenhhai'), 1],
    ]);
    expect(bed.adapter.status()).toMatchObject({ state: 'connected' });
  });

  it('sockets that die right after coming up wait longer each time (2, 5, 15, 30 s); one that stayed up 20 s starts the ladder over', async () => {
    const { bed, zalo } = await start();
    for (let n = 2; n <= 5; n++) {
      await zalo.drop();
      await bed.listeningOn(n);
    }
    expect(bed.reconnectWaits).toEqual([2_000, 5_000, 15_000, 30_000]);
    expect(bed.adapter.status()).toMatchObject({ state: 'connected' });
    // 19 s is not enough…
    bed.advance(19_000);
    await zalo.drop();
    await bed.listeningOn(6);
    expect(bed.reconnectWaits.at(-1)).toBe(60_000);
    // …20 s is.
    bed.advance(20_000);
    await zalo.drop();
    await bed.listeningOn(7);
    expect(bed.reconnectWaits.at(-1)).toBe(2_000);
    expect(zalo.logins).toBe(1);
  });

  it('a new login only when the reopened socket does not come up; the login ladder starts over only after a session stayed up 5 minutes', async () => {
    const { bed, zalo } = await start();
    const dropAndRefuse = async () => {
      zalo.refuseSockets(1);
      const refused = zalo.refusedSockets;
      await zalo.drop();
      await zalo.until(() => zalo.refusedSockets > refused, 'a refused reopen');
    };
    await dropAndRefuse();
    await bed.listeningOn(2);
    // 2 s to reopen (refused: the socket never came up), then 5 s to log in again.
    expect(bed.reconnectWaits).toEqual([2_000, 5_000]);
    expect(zalo.logins).toBe(2);
    expect(bed.logged('zalo: the socket closed before Zalo accepted the session on it; logging in again')).toHaveLength(1);

    // The new session dies at once, and its reopen is refused too: the next login waits a minute.
    await dropAndRefuse();
    await bed.listeningOn(3);
    expect(bed.reconnectWaits).toEqual([2_000, 5_000, 5_000, 60_000]);
    expect(zalo.logins).toBe(3);

    // A session that stayed up 5 minutes: both ladders start over.
    bed.advance(5 * 60_000);
    await dropAndRefuse();
    await bed.listeningOn(4);
    expect(bed.reconnectWaits).toEqual([2_000, 5_000, 5_000, 60_000, 2_000, 5_000]);
    expect(zalo.logins).toBe(4);
    expect(bed.apis).toHaveLength(4);
    // Each send goes through the newest session.
    await bed.adapter.send(GROUP, { text: 'Nhắc hạn báo cáo quý' });
    expect(zalo.sent.map((s) => s.session)).toEqual([4]);
  });

  it('a session whose sockets Zalo cycles every minute counts as sound after 5 minutes: the next login waits 5 s again, not the end of the ladder', async () => {
    const { bed, zalo } = await start();
    let socket = 1;
    const dropAndRefuse = async () => {
      zalo.refuseSockets(1);
      const refused = zalo.refusedSockets;
      await zalo.drop();
      await zalo.until(() => zalo.refusedSockets > refused, 'a refused reopen');
      socket += 1;
      await bed.listeningOn(socket);
    };
    // Two sessions that die at once: the login ladder is at a minute.
    await dropAndRefuse();
    await dropAndRefuse();
    expect(bed.reconnectWaits).toEqual([2_000, 5_000, 5_000, 60_000]);
    // The third session lives six minutes, its socket reopened every minute as Zalo cycles it.
    for (let minute = 1; minute <= 6; minute++) {
      bed.advance(60_000);
      await zalo.drop();
      socket += 1;
      await bed.listeningOn(socket);
    }
    expect(bed.reconnectWaits.slice(4)).toEqual([2_000, 2_000, 2_000, 2_000, 2_000, 2_000]);
    // Its end is a fresh start of the ladder: 5 s, where a per-socket measure would wait 5 minutes.
    bed.advance(60_000);
    await dropAndRefuse();
    expect(bed.reconnectWaits.slice(10)).toEqual([2_000, 5_000]);
    expect(zalo.logins).toBe(4);
  });

  it(`sessions that keep dying: at most ${LOGIN_BUDGET} logins an hour, then the Zalo side stops and the admins are told once`, async () => {
    // Every socket is turned away: each login's session never comes up.
    const bed = (beds.bed = await BotBed.start({ telegramAdmin: true, beforeStart: (z) => z.refuseSockets(1_000) }));
    const { zalo } = bed;
    const stop = await bed.nthStop(1);
    await bed.running;
    expect(stop).toMatchObject({ reason: 'login-budget', logins: LOGIN_BUDGET, windowMs: LOGIN_WINDOW_MS });
    expect(zalo.logins).toBe(LOGIN_BUDGET);
    expect(zalo.loginAttempts).toHaveLength(LOGIN_BUDGET);
    // 0, 5 s, 1 min, 5 min, 15 min, 15 min: the seventh would fall inside the same hour.
    expect(bed.reconnectWaits).toEqual([5_000, 60_000, 300_000, 900_000, 900_000, 900_000]);
    expect(mostInAnyWindow(bed.loginTimes, LOGIN_WINDOW_MS)).toBe(LOGIN_BUDGET);
    expect(bed.adapter.status()).toMatchObject({
      state: 'stopped',
      since: new Date(bed.now),
      detail: `đã đăng nhập lại ${LOGIN_BUDGET} lần trong 1 giờ; bot ngừng để tránh bị Zalo khóa tài khoản, cần khởi động lại`,
    });
    expect(bed.telegramSent).toHaveLength(1);
    expect(bed.telegramSent[0]!.chat).toEqual({ platform: 'telegram', id: HOA_TELEGRAM, kind: 'private' });
    expect(bed.telegramSent[0]!.reply.text).toContain(`bot đã phải đăng nhập lại ${LOGIN_BUDGET} lần trong 1 giờ`);
    expect(bed.logged('zalo: too many logins within an hour')).toMatchObject([{ level: 50 }]);
    await expect(bed.adapter.send(GROUP, { text: 'Nhắc hạn' })).rejects.toThrow('zalo is not connected');
    expect(zalo.sent).toEqual([]);
  });

  it('the measurement: 100 drops in a simulated day → logins counted, never more than 6 in an hour, no message lost or handled twice', async () => {
    const { bed, zalo } = await start();
    const next = random(17);
    const DAY = 24 * 60 * 60_000;
    const delivered: string[] = [];
    let refusedReopens = 0;
    let socket = 1;
    for (let drop = 1; drop <= 100; drop++) {
      // Live messages on the open socket: one or two.
      for (let k = 0, n = 1 + Math.floor(next() * 2); k < n; k++) {
        const message = await zalo.deliverText(GROUP_ID, k % 2 ? THU : CHAU, `Tin nhắn ${drop}.${k}`, { ts: bed.now });
        delivered.push(message.msgId);
        await bed.nthIncoming(delivered.length);
      }
      // Mostly 7 to 22 minutes (a day in all); one drop in ten right after the socket came up.
      bed.advance(next() < 0.1 ? 0 : Math.floor((0.55 + next()) * (DAY / 100)));
      // One reopen in seven is turned away: the session is taken as gone and the bot logs in again.
      const refuse = next() < 1 / 7;
      if (refuse) {
        zalo.refuseSockets(1);
        refusedReopens++;
      }
      // A message sent while the socket is down comes back in the history batch on the next socket,
      // together with one the bot had already handled.
      const missed = zalo.groupMessage(GROUP_ID, THU, `Tin nhắn lúc mất kết nối ${drop}`, { ts: bed.now });
      const handled = zalo.groupMessage(GROUP_ID, CHAU, 'đã xử lý', { msgId: delivered.at(-1)!, ts: bed.now - 1 });
      await zalo.drop();
      socket++;
      await bed.listeningOn(socket);
      await zalo.answerOldMessages('group', [missed, handled]);
      delivered.push(missed.msgId);
      await bed.nthIncoming(delivered.length);
    }
    await bed.adapter.idle();
    // Every message reached the core exactly once, in order.
    expect(bed.incoming.map((m) => m.messageId)).toEqual(delivered);
    expect(new Set(bed.incoming.map((m) => m.messageId)).size).toBe(delivered.length);
    // Logins: the first, and one per reopen Zalo turned away; no more than 6 in any hour.
    expect(zalo.logins).toBe(1 + refusedReopens);
    const mostInAnHour = mostInAnyWindow(bed.loginTimes, 60 * 60_000);
    expect(mostInAnHour).toBeLessThanOrEqual(6);
    expect(bed.now - bed.loginTimes[0]!).toBeGreaterThan(0.9 * DAY);
    expect(bed.now - bed.loginTimes[0]!).toBeLessThan(1.1 * DAY);
    expect(bed.stops).toEqual([]);
    expect(bed.adapter.status()).toMatchObject({ state: 'connected' });
    // The figures, for the record (the run is deterministic).
    const figures = { drops: 100, refusedReopens, logins: zalo.logins, mostInAnHour, sockets: zalo.connections.length, messages: delivered.length };
    expect(figures).toEqual({ drops: 100, refusedReopens: 11, logins: 12, mostInAnHour: 2, sockets: 101, messages: 248 });
  }, 60_000);
});

describe('item 2: "opened elsewhere" stops everything', () => {
  it('a cmd-3000 frame whose close Zalo does not echo (zca-js sees 1006): the frame is the signal — stop, no new login, no send', async () => {
    const { bed, zalo } = await start({ telegramAdmin: true });
    const kicked = await zalo.kickElsewhere({ echo: false });
    await bed.nthStop(1);
    await bed.running;
    await zalo.ended(kicked);
    await settle();
    expect(kicked.unansweredCloseCode).toBe(3000);
    expect(bed.stops).toMatchObject([{ reason: 'opened-elsewhere', code: 3000 }]);
    expect(zalo.logins).toBe(1);
    expect(zalo.connections).toHaveLength(1);
    expect(bed.reconnectWaits).toEqual([]);
    expect(bed.adapter.status()).toMatchObject({ state: 'stopped', detail: 'tài khoản đang được mở ở nơi khác (Zalo Web hoặc máy tính), mã 3000' });
    expect(bed.logged('zalo: the account was opened elsewhere')).toMatchObject([{ level: 60, reason: 'cmd-3000 frame' }]);
    expect(bed.telegramSent.map((t) => t.reply.text)).toEqual([expect.stringContaining('tài khoản vừa được mở ở nơi khác (Zalo Web hoặc Zalo PC, mã 3000')]);
    await expect(bed.adapter.send(GROUP, { text: 'Nhắc hạn báo cáo quý' })).rejects.toThrow('zalo is not connected');
    expect(zalo.sent).toEqual([]);
  });

  it.each([
    ['the cmd-3000 frame', (zalo: FakeZalo) => zalo.kickElsewhere()],
    ['a 3003 close', (zalo: FakeZalo) => zalo.close(3003)],
  ])('after %s, a reply queued behind a send in flight never goes out, nor does a reminder sent later', async (_what, end) => {
    const { bed, zalo } = await start();
    const held = zalo.holdNextSend();
    const first = bed.adapter.send(GROUP, { text: 'Trả lời đang gửi' });
    const queued = bed.adapter.send(GROUP, { text: 'Trả lời xếp hàng sau' });
    await held.arrived;
    await end(zalo);
    await bed.running;
    held.release();
    // The one already on its way was delivered; the one behind it is not sent through the old session.
    await expect(first).resolves.toMatchObject({ messageId: String(zalo.sent[0]!.msgId) });
    await expect(queued).rejects.toThrow('zalo is not connected');
    await expect(bed.adapter.send(GROUP, { text: 'Nhắc hạn báo cáo quý' })).rejects.toThrow('zalo is not connected');
    await settle();
    expect(zalo.sent.map((s) => s.text)).toEqual(['Trả lời đang gửi']);
    expect(zalo.logins).toBe(1);
  });
});

describe('item 6: a dying login is noticed', () => {
  it('Zalo refusing the saved login at start: no retry, the admins are told once what to run, and the status says since when', async () => {
    const bed = (beds.bed = await BotBed.start({ telegramAdmin: true, beforeStart: (z) => z.refuseLogin() }));
    const { zalo } = bed;
    const stop = await bed.nthStop(1);
    await bed.running;
    expect(stop).toEqual({ reason: 'login-refused', at: new Date(bed.now) });
    expect(zalo.loginAttempts).toHaveLength(1);
    expect(bed.reconnectWaits).toEqual([]);
    expect(bed.adapter.status()).toEqual({
      state: 'stopped',
      since: new Date(bed.now),
      detail: 'Zalo không nhận phiên đăng nhập đã lưu; cần chạy npm run zalo -- login rồi khởi động lại bot',
    });
    // Telegram's admin, once, with the command that writes the file the bot reads.
    expect(bed.telegramSent).toHaveLength(1);
    expect(bed.telegramSent[0]!.reply.text).toContain(`\`npm run zalo -- login --out ${bed.credentialsPath}\``);
    // The log, at error level: why (zca-js's words) and what to do.
    expect(bed.logged('zalo: Zalo refused the saved login')).toMatchObject([
      {
        level: 50,
        err: { type: 'ZaloLoginRefusedError', message: 'Zalo refused the saved login: Failed to fetch server info: zpw_sek bị thiếu hoặc không đúng' },
        msg: expect.stringContaining('npm run zalo -- login'),
      },
    ]);
    expect(bed.logged('zalo: the bot no longer uses the Zalo account')).toMatchObject([{ level: 50, reason: 'login-refused', toldAdmins: 1 }]);
  });

  it('the saved login refused while running (after a reopen Zalo turned away): stops once, with no other login', async () => {
    const { bed, zalo } = await start({ telegramAdmin: true });
    bed.advance(3 * 60 * 60_000);
    zalo.refuseLogin();
    zalo.refuseSockets(1);
    await zalo.drop();
    const stop = await bed.nthStop(1);
    await bed.running;
    expect(stop).toEqual({ reason: 'login-refused', at: new Date(bed.now) });
    expect(zalo.loginAttempts).toHaveLength(2);
    expect(bed.reconnectWaits).toEqual([2_000, 5_000]);
    expect(bed.adapter.status()).toMatchObject({ state: 'stopped', since: new Date(bed.now) });
    expect(bed.telegramSent).toHaveLength(1);
  });

  it('the session is kept warm: zca-js’s keepAlive every keepalive_duration (600 s here), on the current session', async () => {
    const { bed, zalo } = await start();
    bed.advance(9 * 60_000);
    bed.tick();
    await settle(1);
    expect(zalo.keepAlives).toEqual([]);
    bed.advance(60_000);
    bed.tick();
    await zalo.until(() => zalo.keepAlives.length === 1, 'a keepAlive');
    bed.advance(5 * 60_000);
    bed.tick();
    bed.advance(5 * 60_000);
    bed.tick();
    await zalo.until(() => zalo.keepAlives.length === 2, 'a second keepAlive');
    expect(zalo.keepAlives).toEqual([
      { session: 1, imei: zalo.credentials.imei },
      { session: 1, imei: zalo.credentials.imei },
    ]);
    expect(zalo.unknownRequests).toEqual([]);
    expect(zalo.protocolErrors).toEqual([]);
  });
});

describe('item 9: half-open sockets', () => {
  it('a socket silent for 3 ping intervals (at least 90 s) is reopened on the same session; anything received keeps it', async () => {
    // A 20 s ping interval: the limit is 90 s. zca-js's real pings never come in this test.
    const { bed, zalo } = await start({ zalo: { pingIntervalMs: 20_000 } });
    bed.advance(80_000);
    await zalo.deliverText(GROUP_ID, CHAU, 'Chào cả nhóm');
    await bed.nthIncoming(1);
    bed.advance(80_000);
    bed.tick();
    await settle();
    // 160 s since the socket opened, but 80 s since a frame: kept.
    expect(zalo.connections).toHaveLength(1);

    // Half-open from now on: 91 s after the last frame, the watchdog ends it.
    const silent = await zalo.silence();
    bed.advance(11_000);
    bed.tick();
    await bed.listeningOn(2);
    expect(zalo.logins).toBe(1);
    // The fake never closed it: the bot did.
    expect(await zalo.ended(silent)).toMatchObject({ by: 'client' });
    expect(bed.logged('zalo: nothing received on the socket for too long')).toMatchObject([{ level: 40, limitMs: 90_000, silentForMs: 91_000 }]);
    expect(bed.reconnectWaits).toEqual([2_000]);
    await zalo.deliverText(GROUP_ID, CHAU, '/lenhmot');
    await zalo.sends(1);
    expect(zalo.sent.map((s) => s.session)).toEqual([1]);
  });

  it('zca-js’s own pings, answered, keep a quiet socket; unanswered, the watchdog reopens it', async () => {
    // Pings every 30 ms of real time (the limit stays 90 s of the bed's clock).
    const { bed, zalo } = await start({ zalo: { pingIntervalMs: 30 } });
    const connection = zalo.connections[0]!;
    bed.advance(100_000);
    const pongs = connection.pongs;
    await zalo.until(() => connection.pongs > pongs, 'a ping answered');
    await settle(2);
    bed.tick();
    await settle();
    expect(zalo.connections).toHaveLength(1);

    await zalo.silence();
    await settle(2);
    bed.advance(100_000);
    bed.tick();
    await bed.listeningOn(2);
    expect(zalo.logins).toBe(1);
  });
});

describe('item 10: no stuck queue', () => {
  it('a text send Zalo never answers times out; the person is told the answer may be missing, nothing is sent twice, and the queue goes on', async () => {
    const { bed, zalo } = await start({ textTimeoutMs: 50 });
    zalo.holdNextSend(); // never released
    await zalo.deliverText(GROUP_ID, CHAU, '/lenhmot');
    await zalo.sends(2);
    await zalo.deliverText(GROUP_ID, CHAU, '/lenhhai');
    await zalo.sends(3);
    await bed.adapter.idle();
    // The first answer reached Zalo (its HTTP answer never came): it is not sent again.
    expect(zalo.sent.map((s) => s.text)).toEqual([UNKNOWN('lenhmot'), REPLY_UNCERTAIN, UNKNOWN('lenhhai')]);
    expect(bed.logged('zalo send timed out; moving on (it may still be delivered)')).toMatchObject([{ kind: 'text', timeoutMs: 50 }]);
    expect(bed.logged('reply may not have been delivered')).toHaveLength(1);
    expect(bed.logged('handler failed')).toEqual([]);
  });

  it('an error zca-js emits after the bot let go of its listener is logged, never an unhandled rejection', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const { bed, zalo } = await start();
      // zca-js's socket and its own async frame handler (listen.js `ws.onmessage`), kept from before the stop.
      const ws = bed.apis[0]!.listener.ws as unknown as { onmessage: (event: { data: Buffer }) => Promise<void> };
      const handler = ws.onmessage;
      await zalo.kickElsewhere();
      await bed.running;
      // A frame whose decoding fails, handled after the stop: zca-js catches the error and emits it
      // as 'error' on the listener. Without an 'error' listener, EventEmitter throws it, and in that
      // async handler it becomes an unhandled rejection.
      const header = Buffer.from([1, 0, 0, 0]);
      header.writeUInt16LE(501, 1);
      // Called as ws calls it: nobody awaits it.
      void handler({ data: Buffer.concat([header, Buffer.from(JSON.stringify({ data: 'AAAA', encrypt: 2 }))]) });
      await settle();
      expect(rejections).toEqual([]);
      expect(bed.logged('zalo: error from a listener no longer in use')).toHaveLength(1);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
