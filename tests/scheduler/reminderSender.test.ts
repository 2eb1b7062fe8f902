import { spawnSync } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChatRef, DeliveryUncertainError, RateLimitedError } from '../../core/chat.js';
import { fixedClock } from '../../core/clock.js';
import { silentLogger } from '../../bot/logger.js';
import { openDatabase } from '../../db/client.js';
import { chats, reminderOutbox } from '../../db/schema.js';
import { DaysOff } from '../../scheduler/daysOff.js';
import { ReminderSender } from '../../scheduler/reminderSender.js';
import { DEFAULT_QUIET_HOURS } from '../../scheduler/reminderSlots.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fillOutbox, statusOf } from '../helpers/outbox.js';

// Monday 14/12/2026, 09:00 in Hà Nội: a working day, inside the sending hours.
const MONDAY_9 = '2026-12-14T09:00:00+07:00';

let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
let dir: string | undefined;
afterEach(() => {
  database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function setup(now = MONDAY_9) {
  dir = mkdtempSync(join(tmpdir(), 'dvk-sender-'));
  const clock = fixedClock(now);
  database = await openDatabase(join(dir, 'dvk.sqlite'), { clock });
  const db = database.db;
  const sent: Array<{ chat: ChatRef; text: string }> = [];
  const failures: Array<Error | ((chat: ChatRef) => Error)> = [];
  const sender = new ReminderSender({
    db,
    log: silentLogger,
    clock,
    daysOff: new DaysOff(),
    quiet: DEFAULT_QUIET_HOURS,
    // Pacing follows the test clock: waiting moves it on, nothing really sleeps.
    time: { now: () => clock.now().getTime(), sleep: async (ms) => clock.advance(ms) },
    deliver: async (chat, reply) => {
      const failure = failures.shift();
      if (failure) throw typeof failure === 'function' ? failure(chat) : failure;
      sent.push({ chat, text: String(typeof reply.text === 'string' ? reply.text : reply.text.join('')) });
      return { messageId: `m${sent.length}` };
    },
  });
  return { db, clock, sent, failures, sender };
}

/** The pid of a process that has just ended: a claim made by it belongs to nobody alive. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the reminder sender', () => {
  it('sends each pending reminder once and records the platform’s message id', async () => {
    const { db, sent, sender } = await setup();
    const ids = fillOutbox(db, { count: 3, notBefore: new Date(MONDAY_9) });
    expect(await sender.drain()).toMatchObject({ sent: 3, retried: 0, failed: 0, cancelled: 0 });
    expect(sent.map((s) => s.text)).toEqual(['Nhắc nhóm 1', 'Nhắc nhóm 2', 'Nhắc nhóm 3']);
    expect(ids.map((id) => statusOf(db, id)).map((r) => [r?.status, r?.sentMessageId, r?.attempts])).toEqual([
      ['sent', 'm1', 1],
      ['sent', 'm2', 1],
      ['sent', 'm3', 1],
    ]);
    expect((await sender.drain()).sent).toBe(0);
    expect(sent).toHaveLength(3);
  });

  it.each([
    ['07:59 on a Monday', '2026-12-14T07:59:00+07:00'],
    ['17:00 on a Monday', '2026-12-14T17:00:00+07:00'],
    ['a Saturday morning', '2026-12-19T09:00:00+07:00'],
    ['Tết 2027 (a Monday)', '2027-02-08T09:00:00+07:00'],
  ])('sends nothing at %s; the rows wait', async (_label, now) => {
    const { db, sent, sender } = await setup(now);
    const [id] = fillOutbox(db, { count: 1, notBefore: new Date('2026-12-14T07:00:00+07:00'), expiresAt: new Date('2027-03-01T00:00:00+07:00') });
    expect(await sender.drain()).toMatchObject({ sent: 0, outsideHours: true });
    expect(sent).toEqual([]);
    expect(statusOf(db, id!)?.status).toBe('pending');
  });

  it('does not send before a row’s time, and drops one a later reminder has replaced', async () => {
    const { db, clock, sent, sender } = await setup();
    const [later] = fillOutbox(db, { count: 1, notBefore: new Date('2026-12-14T10:00:00+07:00') });
    const [stale] = fillOutbox(db, { count: 1, notBefore: new Date('2026-12-10T08:00:00+07:00'), expiresAt: new Date('2026-12-14T08:00:00+07:00') });
    await sender.drain();
    expect(sent).toEqual([]);
    expect(statusOf(db, stale!)).toMatchObject({ status: 'cancelled', lastError: 'superseded before it could be sent' });
    clock.set('2026-12-14T10:00:00+07:00');
    await sender.drain();
    expect(sent).toHaveLength(1);
    expect(statusOf(db, later!)?.status).toBe('sent');
  });

  it('a platform “too many requests” puts the row back for after the wait, without counting an attempt', async () => {
    const { db, clock, sent, failures, sender } = await setup();
    const [id] = fillOutbox(db, { count: 1, notBefore: new Date(MONDAY_9) });
    failures.push(new RateLimitedError(30_000));
    expect(await sender.drain()).toMatchObject({ sent: 0, retried: 1 });
    expect(statusOf(db, id!)).toMatchObject({ status: 'pending', attempts: 0, notBefore: Date.parse(MONDAY_9) + 30_000 });
    expect((await sender.drain()).sent).toBe(0);
    clock.advance(30_000);
    expect((await sender.drain()).sent).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('other failures are tried again later, and given up after five attempts', async () => {
    const { db, clock, failures, sender } = await setup();
    const [id] = fillOutbox(db, { count: 1, notBefore: new Date(MONDAY_9), expiresAt: new Date('2026-12-20T00:00:00+07:00') });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      failures.push(new Error('Bad Gateway'));
      await sender.drain();
      const row = statusOf(db, id!)!;
      expect(row.attempts).toBe(attempt);
      if (attempt < 5) {
        expect(row.status).toBe('pending');
        waits.push(row.notBefore - clock.now().getTime());
        clock.set(new Date(row.notBefore));
      }
    }
    expect(waits).toEqual([60_000, 300_000, 900_000, 3_600_000]);
    expect(statusOf(db, id!)).toMatchObject({ status: 'failed', lastError: 'Bad Gateway' });
  });

  it('a send the platform never answered in time is “uncertain” and never sent again (it may have arrived)', async () => {
    const { db, clock, sent, failures, sender } = await setup();
    const [id] = fillOutbox(db, { count: 1, notBefore: new Date(MONDAY_9), expiresAt: new Date('2026-12-20T00:00:00+07:00') });
    failures.push(new DeliveryUncertainError('zalo text send timed out after 30000ms'));
    expect(await sender.drain()).toMatchObject({ sent: 0, retried: 0, failed: 0, uncertain: 1 });
    expect(statusOf(db, id!)).toMatchObject({ status: 'uncertain', attempts: 1, lastError: 'zalo text send timed out after 30000ms' });
    clock.advance(24 * 60 * 60_000);
    expect(await sender.drain()).toMatchObject({ sent: 0, uncertain: 0 });
    expect(sent).toEqual([]);
  });

  it('a chat the bot was removed from is cancelled, not retried', async () => {
    const { db, failures, sender } = await setup();
    const [id] = fillOutbox(db, { count: 1, notBefore: new Date(MONDAY_9) });
    // As the adapter does through hooks.chatGone when the platform answers 403.
    failures.push((chat) => {
      db.update(chats).set({ active: false }).where(eq(chats.platformChatId, chat.id)).run();
      return new Error('Forbidden: bot was kicked from the group chat');
    });
    expect(await sender.drain()).toMatchObject({ cancelled: 1, retried: 0 });
    expect(statusOf(db, id!)?.status).toBe('cancelled');
  });

  it('rows left by a dead process: claimed ones are sent, one that was being sent is never sent again', async () => {
    const { db, sent, sender } = await setup();
    const [claimed, sending, foreign] = fillOutbox(db, { count: 3, notBefore: new Date(MONDAY_9) });
    const dead = `${deadPid()}:0123456789ab`;
    const now = Date.parse(MONDAY_9);
    db.update(reminderOutbox).set({ status: 'claimed', claimToken: dead, claimedAt: now }).where(eq(reminderOutbox.id, claimed!)).run();
    db.update(reminderOutbox).set({ status: 'sending', claimToken: dead, claimedAt: now, attempts: 1 }).where(eq(reminderOutbox.id, sending!)).run();
    // A live process (the test runner's parent) holds the third within its lease: left alone.
    db.update(reminderOutbox)
      .set({ status: 'claimed', claimToken: `${process.ppid}:feedfacecafe`, claimedAt: now })
      .where(eq(reminderOutbox.id, foreign!))
      .run();

    expect((await sender.drain()).sent).toBe(1);
    expect(sent.map((s) => s.text)).toEqual(['Nhắc nhóm 1']);
    expect(statusOf(db, claimed!)?.status).toBe('sent');
    expect(statusOf(db, sending!)).toMatchObject({ status: 'uncertain', lastError: 'the process died while sending' });
    expect(statusOf(db, foreign!)?.status).toBe('claimed');
  });

  it('a claim older than the lease is taken over even if its pid is alive; our own predecessor (same pid, other boot) too', async () => {
    const { db, clock, sent, sender } = await setup();
    const [old, predecessor] = fillOutbox(db, { count: 2, notBefore: new Date(MONDAY_9) });
    db.update(reminderOutbox)
      .set({ status: 'claimed', claimToken: `${process.ppid}:feedfacecafe`, claimedAt: clock.now().getTime() - 16 * 60_000 })
      .where(eq(reminderOutbox.id, old!))
      .run();
    // A container restarts with the same pid: the claim is not ours although the pid is.
    db.update(reminderOutbox)
      .set({ status: 'claimed', claimToken: `${process.pid}:000000000000`, claimedAt: clock.now().getTime() })
      .where(eq(reminderOutbox.id, predecessor!))
      .run();
    expect((await sender.drain()).sent).toBe(2);
    expect(sent).toHaveLength(2);
  });

  it('stop lets the send in flight finish and hands back what was claimed but not started', async () => {
    const { db, sender } = await setup();
    const ids = fillOutbox(db, { count: 5, notBefore: new Date(MONDAY_9) });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = new ReminderSender({
      db,
      log: silentLogger,
      clock: fixedClock(MONDAY_9),
      daysOff: new DaysOff(),
      quiet: DEFAULT_QUIET_HOURS,
      deliver: async () => {
        await gate;
        return { messageId: 'slow' };
      },
    });
    const draining = slow.drain();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stopping = slow.stop();
    release();
    await stopping;
    await draining;
    const statuses = ids.map((id) => statusOf(db, id)?.status);
    expect(statuses.filter((s) => s === 'sent')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'pending')).toHaveLength(4);
    // The next process (here: another sender) sends the rest.
    expect((await sender.drain()).sent).toBe(4);
  });
});
