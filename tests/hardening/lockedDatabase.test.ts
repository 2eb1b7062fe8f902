import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { isDatabaseBusy } from '../../bot/dispatch.js';
import { openDatabase } from '../../db/client.js';
import { auditLog, conversations, models, modelStateHistory } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE, seedDemo } from '../../db/seed/demo.js';
import { DANGKY_ANSWERS } from '../helpers/dangkyAnswers.js';
import { Harness } from '../helpers/harness.js';

/**
 * Another process holds the database's write lock (a backup, an admin CLI, a second bot started
 * by mistake) while a person answers: the bot waits its busy timeout, then tells the person their
 * message was not taken, writes nothing, and the conversation goes on once the lock is gone.
 */

const GROUP = { group: DEMO_GROUP };
const OFFICER = DEMO_PEOPLE.officer;
const NAME = 'Chợ phiên 0 đồng cho hộ nghèo';
/** Short, so the test does not sit out the production wait (5 s) on every locked message. */
const BUSY_MS = 50;
const BUSY_REPLY =
  'Xin lỗi, bot đang bận ghi dữ liệu khác nên chưa ghi nhận tin nhắn vừa rồi. Những gì bạn đã trả lời trước đó vẫn được giữ; bạn vui lòng gửi lại đúng tin nhắn đó sau ít phút.';

let h: Harness;
let other: Database.Database | undefined;
afterEach(() => {
  other?.close();
  other = undefined;
  h?.close();
});

/** Everything a locked message must leave as it was. */
function snapshot() {
  return {
    conversations: h.db.select().from(conversations).all(),
    models: h.db.select().from(models).all(),
    history: h.db.select().from(modelStateHistory).all(),
    audit: h.db.select().from(auditLog).all(),
  };
}

/** A second connection to the same file taking the write lock, as another process would. */
function lock(): Database.Database {
  const db = new Database(h.dbPath);
  db.exec('BEGIN IMMEDIATE');
  return db;
}

describe('a database locked by another writer', () => {
  it('the bot waits 5 s by default before giving up on a lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvk-busy-'));
    try {
      const database = await openDatabase(join(dir, 'dvk.sqlite'));
      expect(database.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
      database.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a /dangky answer and its confirmation while locked: a clear message, nothing written, the flow resumes after', async () => {
    h = await Harness.create({ now: '2026-03-10T09:00:00+07:00', busyTimeoutMs: BUSY_MS });
    expect(h.core.database.sqlite.pragma('busy_timeout', { simple: true })).toBe(BUSY_MS);
    seedDemo(h.db, h.clock.now());

    await h.say(OFFICER, '/dangky', GROUP);
    for (const answer of DANGKY_ANSWERS.slice(0, 3)) await h.say(OFFICER, answer, GROUP);
    const asked = h.lastTo(OFFICER)!.text;

    // Mid-flow: the answer is not taken, and the person is told to send it again.
    other = lock();
    let before = snapshot();
    expect(await h.text(OFFICER, DANGKY_ANSWERS[3], GROUP)).toBe(BUSY_REPLY);
    other.exec('ROLLBACK');
    expect(snapshot()).toEqual(before);

    // Even across a restart, the same answer sent again moves the flow on from where it was.
    await h.restart();
    expect(h.lastTo(OFFICER)!.text).toBe(asked);
    const next = await h.text(OFFICER, DANGKY_ANSWERS[3], GROUP);
    expect(next).not.toBe(BUSY_REPLY);
    expect(next).not.toBe(asked);
    for (const answer of DANGKY_ANSWERS.slice(4)) await h.say(OFFICER, answer, GROUP);

    // At the confirmation: nothing of the model is saved, the conversation waits at the same step.
    other.exec('BEGIN IMMEDIATE');
    before = snapshot();
    expect(before.conversations).toHaveLength(1);
    expect(await h.text(OFFICER, 'đồng ý', GROUP)).toBe(BUSY_REPLY);
    expect(snapshot()).toEqual(before);
    other.exec('COMMIT');

    expect(await h.text(OFFICER, 'đồng ý', GROUP)).toMatch(new RegExp(`^✅ Đã ghi nhận “${NAME}”`));
    const saved = h.db.select().from(models).where(eq(models.name, NAME)).all();
    expect(saved).toHaveLength(1);
    expect(h.db.select().from(modelStateHistory).where(eq(modelStateHistory.modelId, saved[0]!.id)).all()).toHaveLength(1);
    expect(h.db.select().from(conversations).all()).toEqual([]);

    for (const connection of [h.core.database.sqlite, other]) {
      expect(connection.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(connection.pragma('foreign_key_check')).toEqual([]);
    }
  });

  it('a command while locked gets the same message, and works once the lock is gone', async () => {
    h = await Harness.demo({ now: '2026-03-10T09:00:00+07:00', busyTimeoutMs: BUSY_MS });
    other = lock();
    const before = snapshot();
    expect(await h.text(OFFICER, '/dangky', GROUP)).toBe(BUSY_REPLY);
    expect(snapshot()).toEqual(before);
    other.exec('ROLLBACK');
    expect(await h.text(OFFICER, '/dangky', GROUP)).not.toBe(BUSY_REPLY);
    expect(h.db.select().from(conversations).all()).toHaveLength(1);
  });

  it('only a lock is reported as one: other failures keep the general apology', () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    expect(isDatabaseBusy(busy)).toBe(true);
    // drizzle wraps the driver's error in its own, with the original as the cause.
    expect(isDatabaseBusy(new Error('Failed query: insert …', { cause: busy }))).toBe(true);
    expect(isDatabaseBusy(Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBe(false);
    expect(isDatabaseBusy(new Error('network'))).toBe(false);
    expect(isDatabaseBusy('SQLITE_BUSY')).toBe(false);
  });
});
