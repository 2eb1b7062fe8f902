import { describe, expect, it } from 'vitest';
import { HISTORY_ANSWER_MS, WATERMARK_SAVE_MS } from '../../../bot/zalo/missed.js';
import { handledUntil } from '../../../db/inboundWatermark.js';
import { BotBed, type BotBedOptions, botBedPerTest, CHAU, GROUP_ID, THU } from '../../../bench/fakes/zalo/botBed.js';
import type { FakeZalo, WireMessage } from '../../../bench/fakes/zalo/index.js';

/**
 * Issue 17 item 4 on the test bed — zca-js 2.2.0's own listener and `requestOldMessages` over the
 * fake Zalo, the real ZaloAdapter and core: messages sent while the bot was away (a dropped
 * socket, a restart of any length) are asked back from Zalo's history for groups and private
 * chats, paged, replayed once each and in order before the live messages of the same chat; what
 * Zalo no longer gives back is logged with its span. The fake answers history requests from what
 * a test made it keep (`keepHistory`); how Zalo itself pages is not captured (fakeZalo/index.ts).
 */

const UNKNOWN = (name: string) => `Bot không có lệnh /${name}. Gõ /huongdan để xem các lệnh bạn dùng được.`;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const beds = botBedPerTest();

/** Waits until the adapter, on the n-th socket, has asked for both kinds of history. */
function listeningOn(zalo: FakeZalo, n: number) {
  return zalo.until(() => zalo.oldMessagesRequests.filter((r) => r.connection === n && r.lastId === null).length === 2, `both history requests on socket ${n}`);
}

/** Starts the bot, lets it handle one live command in the group, and returns that message. */
async function startWithOneHandled(options: BotBedOptions = {}): Promise<{ bed: BotBed; zalo: FakeZalo; handled: WireMessage }> {
  const bed = (beds.bed = await BotBed.start(options));
  const { zalo } = bed;
  await listeningOn(zalo, 1);
  bed.advance(MINUTE);
  const handled = await zalo.deliverText(GROUP_ID, CHAU, '/lenhmot', { ts: bed.now });
  await zalo.sends(1);
  await bed.adapter.idle();
  return { bed, zalo, handled };
}

/** The restarted process: a new bed over the same data dir and Zalo, `downMs` later. */
async function restart(downMs: number): Promise<BotBed> {
  const bed = (beds.bed = await beds.bed!.restart(downMs));
  await listeningOn(bed.zalo, 2);
  return bed;
}

/** What the core received, per chat, as [chat, text] in order. */
function received(b: BotBed): Array<[string, string]> {
  return b.incoming.map((m) => [m.chat.id, m.text]);
}

describe('item 4: messages missed while away', () => {
  it('after a restart of hours, group and private messages missed are replayed once, oldest first, before a live message of the same chat', async () => {
    const { bed: first, zalo, handled } = await startWithOneHandled();
    const handledAt = Number(handled.ts);
    // Down for three hours: far longer than the recovery margin (5 min) the old in-memory time allowed.
    const down = 3 * HOUR;
    const at = (ms: number) => ({ ts: handledAt + ms });
    zalo.keepHistory('group', [
      // Before the bot's last handled message (beyond the margin): not replayed.
      zalo.groupMessage(GROUP_ID, THU, '/lenhcu', at(-2 * HOUR)),
      // Already handled before the restart: recognised by its id.
      handled,
      zalo.groupMessage(GROUP_ID, THU, '/lenhhai', at(HOUR)),
      zalo.groupMessage(GROUP_ID, CHAU, '/lenhba', at(2 * HOUR)),
    ]);
    zalo.keepHistory('user', [zalo.userMessage(THU, '/lenhcurieng', at(-2 * HOUR)), zalo.userMessage(THU, '/lenhrieng', at(90 * MINUTE))]);
    // Zalo answers the new process's requests only once a live message came meanwhile.
    zalo.holdOldMessages();
    const sentBefore = zalo.sent.length;

    const second = await restart(down);
    expect(first.incoming.map((m) => m.text)).toEqual(['/lenhmot']);
    // The last handled time was kept in the database at stop.
    expect(handledUntil(second.core.database.db, 'zalo')).toBe(handledAt);
    expect(zalo.oldMessagesRequests.filter((r) => r.connection === 2).map((r) => [r.threadType, r.lastId])).toEqual([
      ['group', null],
      ['user', null],
    ]);
    await zalo.deliverText(GROUP_ID, CHAU, '/lenhbon', { ts: second.now });
    await second.untilLogged('zalo: live message held until the missed ones are replayed');
    expect(second.incoming).toEqual([]);
    await zalo.releaseOldMessages();
    await second.nthIncoming(4);
    await second.adapter.idle();

    expect(received(second).filter(([chat]) => chat === GROUP_ID)).toEqual([
      [GROUP_ID, '/lenhhai'],
      [GROUP_ID, '/lenhba'],
      [GROUP_ID, '/lenhbon'],
    ]);
    expect(received(second).filter(([chat]) => chat === THU.id)).toEqual([[THU.id, '/lenhrieng']]);
    expect(second.incoming).toHaveLength(4);
    expect(
      zalo.sent
        .slice(sentBefore)
        .filter((s) => s.threadId === GROUP_ID)
        .map((s) => s.text),
    ).toEqual([UNKNOWN('lenhhai'), UNKNOWN('lenhba'), UNKNOWN('lenhbon')]);
    expect(zalo.textsTo(THU.id)).toEqual([UNKNOWN('lenhrieng')]);
    expect(second.logged('zalo: recovering messages missed while away').map((l) => [l.kind, l.count])).toEqual(
      expect.arrayContaining([
        // /lenhhai and /lenhba; /lenhmot, handled before the restart, is recognised by its id.
        ['group', 2],
        ['private', 1],
      ]),
    );
    // Zalo's history reached back past the last handled time: nothing is reported lost.
    expect(second.logged('may be lost')).toEqual([]);
  });

  it('paging: Zalo answers two at a time; the bot asks again with the oldest id of each page until it reaches its last handled time', async () => {
    const { bed, zalo, handled } = await startWithOneHandled({ zalo: { oldMessagesPageSize: 2 } });
    const handledAt = Number(handled.ts);
    bed.advance(HOUR);
    const missed = [1, 2, 3, 4, 5].map((i) => zalo.groupMessage(GROUP_ID, i % 2 ? THU : CHAU, `/lenh${'abcde'[i - 1]}`, { ts: handledAt + i * 10 * MINUTE }));
    zalo.keepHistory('group', [zalo.groupMessage(GROUP_ID, THU, '/lenhcu', { ts: handledAt - HOUR }), handled, ...missed]);
    await zalo.drop();
    await listeningOn(zalo, 2);
    await bed.nthIncoming(1 + missed.length);
    await bed.adapter.idle();

    // Pages [e d] [c b] [a, handled] [cu]: the fourth reaches back past the last handled time (less
    // the 5-minute margin), so no fifth; the private history (empty) takes one request.
    const old = zalo.oldMessagesRequests.filter((r) => r.connection === 2);
    expect(old.filter((r) => r.threadType === 'group').map((r) => [r.lastId, r.answered?.length])).toEqual([
      [null, 2],
      [missed[3]!.msgId, 2],
      [missed[1]!.msgId, 2],
      [handled.msgId, 1],
    ]);
    expect(old.filter((r) => r.threadType === 'group').flatMap((r) => r.answered)).toEqual([
      ...missed.map((m) => m.msgId).reverse(),
      handled.msgId,
      expect.any(String),
    ]);
    expect(old.filter((r) => r.threadType === 'user').map((r) => r.answered)).toEqual([[]]);
    expect(received(bed)).toEqual([[GROUP_ID, '/lenhmot'], ...missed.map((m) => [GROUP_ID, m.content] as [string, string])]);
    expect(zalo.textsTo(GROUP_ID)).toEqual(['lenhmot', 'lenha', 'lenhb', 'lenhc', 'lenhd', 'lenhe'].map(UNKNOWN));
    expect(bed.logged('may be lost')).toEqual([]);
  });

  it('history that ends after the last handled time: what it gave is replayed, and the span before it is logged as possibly lost', async () => {
    const { zalo, handled } = await startWithOneHandled({ zalo: { oldMessagesPageSize: 2 } });
    const handledAt = Number(handled.ts);
    // Zalo kept only the three newest messages: nothing from the first hours of the six the bot was down.
    const kept = [4, 5, 6].map((h) => zalo.groupMessage(GROUP_ID, THU, `/lenh${h}gio`, { ts: handledAt + h * HOUR }));
    zalo.keepHistory('group', kept);
    const second = await restart(7 * HOUR);
    await second.nthIncoming(3);
    await second.adapter.idle();

    expect(received(second)).toEqual(kept.map((m) => [GROUP_ID, m.content]));
    // Pages [6 5] [4] and an empty one: Zalo has nothing older.
    expect(zalo.oldMessagesRequests.filter((r) => r.connection === 2 && r.threadType === 'group').map((r) => r.answered?.length)).toEqual([2, 1, 0]);
    const [lost, ...more] = second.logged('may be lost');
    expect(more).toEqual([]);
    const from = new Date(handledAt).toISOString();
    const to = new Date(handledAt + 4 * HOUR).toISOString();
    expect(lost).toMatchObject({
      level: 40,
      kind: 'group',
      from,
      to,
      msg: `zalo: group messages between ${from} and ${to} may be lost (older than Zalo keeps)`,
    });
  });

  it('a restart after more than a day: only the last day is replayed, and the span before it is logged as possibly lost', async () => {
    const { zalo, handled } = await startWithOneHandled();
    const handledAt = Number(handled.ts);
    const down = 30 * HOUR;
    zalo.keepHistory('user', [
      zalo.userMessage(THU, '/lenhquamotngay', { ts: handledAt + 2 * HOUR }),
      zalo.userMessage(THU, '/lenhhomnay', { ts: handledAt + 28 * HOUR }),
    ]);
    const second = await restart(down);
    await second.nthIncoming(1);
    await second.adapter.idle();

    expect(received(second)).toEqual([[THU.id, '/lenhhomnay']]);
    const lost = second.logged('may be lost');
    const from = new Date(handledAt).toISOString();
    // The horizon: a day before the new socket opened (the bed's clock: the old one's plus the time down).
    const to = new Date(second.loginTimes[0]! - 24 * HOUR).toISOString();
    expect(lost.map((l) => [l.level, l.kind, l.from, l.to, l.msg])).toEqual(
      expect.arrayContaining([[40, 'private', from, to, `zalo: private messages between ${from} and ${to} may be lost (older than 24 hours)`]]),
    );
  });

  it('the last handled time is written every few seconds (not once per message) and at stop', async () => {
    const { bed, zalo, handled } = await startWithOneHandled();
    const db = bed.core.database.db;
    // A first start: nothing kept yet, and the messages handled since wait for the timer.
    const next = await zalo.deliverText(GROUP_ID, THU, '/lenhhai', { ts: Number(handled.ts) + 1_000 });
    await bed.nthIncoming(2);
    expect(handledUntil(db, 'zalo')).toBeUndefined();
    expect(bed.fireTimers(WATERMARK_SAVE_MS)).toBeGreaterThan(0);
    expect(handledUntil(db, 'zalo')).toBe(Number(next.ts));
    const last = await zalo.deliverText(GROUP_ID, THU, '/lenhba', { ts: Number(next.ts) + 1_000 });
    await bed.nthIncoming(3);
    const second = await restart(0);
    expect(handledUntil(second.core.database.db, 'zalo')).toBe(Number(last.ts));
  });

  it('"opened elsewhere" (the adapter stops itself; main then closes the database without stop()): the last handled time is written first', async () => {
    const { bed, zalo, handled } = await startWithOneHandled();
    await zalo.kickElsewhere();
    await bed.running;
    // No save timer fired: the stop wrote it.
    expect(handledUntil(bed.core.database.db, 'zalo')).toBe(Number(handled.ts));
  });

  it('a history request Zalo never answers: live messages wait at most the answer’s wait (5 s), then go on in order', async () => {
    const bed = (beds.bed = await BotBed.start({ beforeStart: (zalo) => zalo.holdOldMessages() }));
    const { zalo } = bed;
    await listeningOn(zalo, 1);
    await zalo.deliverText(GROUP_ID, CHAU, '/lenhmot', { ts: bed.now });
    await zalo.deliverText(GROUP_ID, THU, '/lenhhai', { ts: bed.now + 1 });
    await bed.untilLogged('zalo: live message held until the missed ones are replayed', 2);
    expect(bed.incoming).toEqual([]);
    // The wait runs out (the bed's timers run only when a test says so).
    expect(HISTORY_ANSWER_MS).toBe(5_000);
    bed.fireTimers(HISTORY_ANSWER_MS);
    await bed.nthIncoming(2);
    await bed.adapter.idle();
    expect(received(bed)).toEqual([
      [GROUP_ID, '/lenhmot'],
      [GROUP_ID, '/lenhhai'],
    ]);
    expect(bed.logged('zalo: Zalo did not answer the request for missed messages in time').map((l) => l.kind)).toEqual(['group', 'private']);
  });
});
