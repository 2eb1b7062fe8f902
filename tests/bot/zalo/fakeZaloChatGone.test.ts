import { and, eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { DaysOff } from '../../../scheduler/daysOff.js';
import { ReminderSender } from '../../../scheduler/reminderSender.js';
import { DEFAULT_QUIET_HOURS } from '../../../scheduler/reminderSlots.js';
import { SYSTEM_ACTOR } from '../../../db/audit.js';
import { resolveCaller } from '../../../db/people.js';
import { grantRole } from '../../../db/roles.js';
import { auditLog, chats, reminderOutbox, units } from '../../../db/schema.js';
import { queueReminder } from '../../helpers/outbox.js';
import { BotBed, botBedPerTest, CHAU, GROUP_ID, THU } from '../../../bench/fakes/zalo/botBed.js';
import type { Person } from '../../../bench/fakes/zalo/index.js';

/**
 * Issue 17 items 7 and 8 on the test bed, through zca-js 2.2.0's own listener and sendMessage:
 * the bot removed from a group (or the group disbanded) and Zalo's 123 ("does not accept messages
 * from this account") mark the chat as Telegram's 403 does — reminders to it are dropped at once,
 * nothing is retried — and /trangthai shows the admins where the bot can no longer write.
 */

/** A Zalo admin of the deployment, who reads /trangthai in a private chat with the bot. */
const HOA: Person = { id: '7567890123456789012', name: 'Nguyễn Thị Hoa' };

const beds = botBedPerTest();

async function start(): Promise<BotBed> {
  const bed = await beds.start();
  const { core } = bed;
  const db = core.database.db;
  const caller = resolveCaller(db, 'zalo', { id: HOA.id, displayName: HOA.name }, core.clock.now());
  db.transaction((tx) => grantRole(tx, { personId: caller.personId, role: 'admin', unitId: null }, SYSTEM_ACTOR, core.clock.now()));
  return bed;
}

/** Sends through `deliver`, waits until the bot has handled it, and returns what it said. */
/** The group as the bot knows it once Lê Minh Châu used a command there, bound to Xã Cẩm Xuyên. */
async function knownGroup(b: BotBed): Promise<number> {
  await b.exchange(() => b.zalo.deliverText(GROUP_ID, CHAU, '/huongdan'));
  const db = b.core.database.db;
  const unit = db.select().from(units).where(eq(units.shortCode, 'CAMXUYEN')).get()!;
  const chat = chatRow(b, GROUP_ID)!;
  db.update(chats).set({ unitId: unit.id }).where(eq(chats.id, chat.id)).run();
  return chat.id;
}

function chatRow(b: BotBed, platformChatId: string) {
  return b.core.database.db
    .select()
    .from(chats)
    .where(and(eq(chats.platform, 'zalo'), eq(chats.platformChatId, platformChatId)))
    .get();
}

/** A reminder waiting in the outbox for the chat, due now (what the planner leaves behind). */
function reminderFor(b: BotBed, chatId: number): number {
  return queueReminder(b.core.database.db, chatId, { notBefore: b.core.clock.now(), text: 'Nhắc hạn: còn 10 ngày', date: '2026-03-20' });
}

/** The scheduler's sender over the bed's adapter, as main wires it (Tuesday 09:00: sending time). */
function reminderSender(b: BotBed): ReminderSender {
  const { core } = b;
  return new ReminderSender({
    db: core.database.db,
    log: core.log,
    clock: core.clock,
    daysOff: new DaysOff(),
    quiet: DEFAULT_QUIET_HOURS,
    // One reminder at a time: the limiter never needs to wait.
    time: { now: () => core.clock.now().getTime(), sleep: async () => {} },
    deliver: (chat, reply) => b.adapter.send(chat, reply),
  });
}

function outboxRow(b: BotBed, id: number) {
  return b.core.database.db.select().from(reminderOutbox).where(eq(reminderOutbox.id, id)).get()!;
}

function inactiveAudits(b: BotBed, chatId: number) {
  return b.core.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'chat.inactive'), eq(auditLog.entityId, String(chatId))))
    .all();
}

const trangthai = (b: BotBed) => b.exchange(() => b.zalo.deliverPrivateText(HOA, '/trangthai'));

describe('item 7: the bot taken out of a group', () => {
  it.each([
    ['removed from the group (remove_member naming the bot’s account)', 'group-event-remove-bot', 'removed', 'bot không còn trong nhóm'],
    ['the group disbanded (disperse)', 'group-event-disperse', 'disbanded', 'nhóm đã giải tán'],
  ])('%s: the chat is marked gone and the reminder waiting for it is dropped, never sent', async (_name, fixture, reason, label) => {
    const b = await start();
    const chatId = await knownGroup(b);
    const reminder = reminderFor(b, chatId);
    const sentBefore = b.zalo.sent.length;

    await b.zalo.deliverGroupEvents([b.zalo.groupEventFixture(fixture)]);
    await vi.waitFor(() => expect(chatRow(b, GROUP_ID)!.active).toBe(false));
    expect(inactiveAudits(b, chatId).map((a) => a.after)).toEqual([{ active: false, reason }]);

    const result = await reminderSender(b).drain();
    expect(result).toMatchObject({ sent: 0, retried: 0, failed: 0, cancelled: 1 });
    expect(outboxRow(b, reminder)).toMatchObject({ status: 'cancelled', attempts: 0 });
    // Not even tried: Zalo saw no send and no refused send.
    expect(b.zalo.sent.length).toBe(sentBefore);
    expect(b.zalo.rejected).toEqual([]);

    const status = await trangthai(b);
    expect(status).toContain('⚠️ Bot không gửi được tới 1 nơi (đã thôi gửi, kể cả nhắc hạn):');
    expect(status).toContain(`• Zalo, nhóm của Xã Cẩm Xuyên — ${label}, từ 09:00 10/03/2026`);
  });

  it('others joining, leaving or being removed change nothing, and are logged without names or member ids', async () => {
    const b = await start();
    const chatId = await knownGroup(b);
    const reminder = reminderFor(b, chatId);
    await b.zalo.deliverGroupEvents(['group-event-join', 'group-event-leave', 'group-event-remove-member'].map((n) => b.zalo.groupEventFixture(n)));
    await vi.waitFor(() => expect(b.logged('zalo: group membership changed')).toHaveLength(3));

    expect(b.logged('zalo: group membership changed').map((l) => [l.groupId, l.act, l.members])).toEqual([
      [GROUP_ID, 'join', 1],
      [GROUP_ID, 'leave', 1],
      [GROUP_ID, 'remove_member', 1],
    ]);
    const logs = JSON.stringify(b.logs);
    expect(logs).not.toContain(THU.name);
    expect(logs).not.toContain(THU.id);
    expect(chatRow(b, GROUP_ID)!.active).toBe(true);
    expect(inactiveAudits(b, chatId)).toEqual([]);

    expect(await reminderSender(b).drain()).toMatchObject({ sent: 1, cancelled: 0 });
    expect(outboxRow(b, reminder).status).toBe('sent');
    expect(b.zalo.textsTo(GROUP_ID).at(-1)).toBe('Nhắc hạn: còn 10 ngày');
  });

  it('a chat marked gone is back once someone there uses the bot again (the bot was added back)', async () => {
    const b = await start();
    await knownGroup(b);
    await b.zalo.deliverGroupEvents([b.zalo.groupEventFixture('group-event-remove-bot')]);
    await vi.waitFor(() => expect(chatRow(b, GROUP_ID)!.active).toBe(false));
    await b.exchange(() => b.zalo.deliverText(GROUP_ID, CHAU, '/huongdan'));
    expect(chatRow(b, GROUP_ID)!.active).toBe(true);
    expect(await trangthai(b)).not.toContain('Bot không gửi được tới');
  });

  it('the account’s own messages, which now reach the bot (zca-js listens to itself), are never answered', async () => {
    const b = await start();
    const sentBefore = b.zalo.sent.length;
    // Zalo marks the account's own messages (from this session or its phone) with uidFrom "0".
    await b.zalo.deliverFixture('text', { uidFrom: '0', dName: 'Bot', content: '/huongdan' });
    // A message from someone else after it, answered: so the first was read, and left alone.
    expect(await b.exchange(() => b.zalo.deliverText(GROUP_ID, CHAU, '/lenhthu'))).toBe(
      'Bot không có lệnh /lenhthu. Gõ /huongdan để xem các lệnh bạn dùng được.',
    );
    expect(b.zalo.sent.length).toBe(sentBefore + 1);
    expect(b.incoming.map((m) => m.sender.id)).toEqual([CHAU.id]);
  });
});

describe('item 8: Zalo 123, the recipient does not accept messages from this account', () => {
  it('a reminder refused with 123 is tried once, not retried nor cooled down; the group is marked and /trangthai shows it', async () => {
    const b = await start();
    const chatId = await knownGroup(b);
    const reminder = reminderFor(b, chatId);
    const sentBefore = b.zalo.sent.length;
    b.zalo.failNextSend(123, 'Không thể nhận tin nhắn từ bạn.');

    const result = await reminderSender(b).drain();
    expect(result).toMatchObject({ sent: 0, retried: 0, failed: 0, cancelled: 1 });
    // One attempt reached Zalo, and nothing after it.
    expect(b.zalo.rejected.map((r) => [r.threadId, r.code, r.text])).toEqual([[GROUP_ID, 123, 'Nhắc hạn: còn 10 ngày']]);
    expect(b.zalo.sent.length).toBe(sentBefore);
    expect(outboxRow(b, reminder)).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(chatRow(b, GROUP_ID)!.active).toBe(false);
    expect(inactiveAudits(b, chatId).map((a) => a.after)).toEqual([{ active: false, reason: 'refused' }]);
    // No back-off was slept and no cool-down asked for.
    expect(b.logged('rate limited')).toEqual([]);

    const status = await trangthai(b);
    expect(status).toContain('• Zalo, nhóm của Xã Cẩm Xuyên — người nhận không nhận tin nhắn từ tài khoản bot, từ 09:00 10/03/2026');
  });

  it('a reply to a person refused with 123: no apology attempted, the person marked; admins see who in private, not in a group', async () => {
    const b = await start();
    await knownGroup(b);
    b.zalo.failNextSend(123, 'Không thể nhận tin nhắn từ bạn.');
    const answer = await b.exchange(() => b.zalo.deliverPrivateText(THU, '/huongdan'));
    expect(answer).toBe('');
    expect(b.zalo.rejected.map((r) => [r.threadId, r.threadType, r.code])).toEqual([[THU.id, 'user', 123]]);
    expect(b.zalo.textsTo(THU.id)).toEqual([]);
    expect(chatRow(b, THU.id)).toMatchObject({ kind: 'private', active: false });
    expect(b.logged('reply not delivered: the bot can no longer write in this chat')).toHaveLength(1);
    expect(b.logged('handler failed')).toEqual([]);

    expect(await trangthai(b)).toContain('• Zalo, nhắn riêng với Trần Thị Thu — người nhận không nhận tin nhắn từ tài khoản bot, từ 09:00 10/03/2026');
    // In a group the admin's status names nobody: whom the bot cannot reach is for the admin alone.
    const inGroup = await b.exchange(() => b.zalo.deliverText(GROUP_ID, HOA, '/trangthai'));
    expect(inGroup).toContain('• Zalo, nhắn riêng với một người — người nhận không nhận tin nhắn từ tài khoản bot');
    expect(inGroup).not.toContain(THU.name);
  });
});
