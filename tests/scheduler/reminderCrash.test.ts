import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import { openDatabase } from '../../db/client.js';
import { reminderOutbox } from '../../db/schema.js';
import { fillOutbox } from '../helpers/outbox.js';

/**
 * Exactly once across real processes: the sender in a child process that is SIGKILLed at the
 * worst moment, then a second process over the same database file; and two processes draining
 * the same outbox at once. The "platform" is a file every delivery is appended to.
 */

const NOW = '2026-12-14T09:00:00+07:00';
const CHILD = join(import.meta.dirname, '../fixtures/reminders/drainChild.ts');

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function drain(dbPath: string, log: string, killAfter = -1, batchSize?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    // node itself runs the script (tsx as a loader), so the signal that kills it is what we see.
    const args = ['--import', 'tsx', CHILD, dbPath, log, String(killAfter), NOW, ...(batchSize ? [String(batchSize)] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

async function outbox(count: number) {
  dir = mkdtempSync(join(tmpdir(), 'dvk-crash-'));
  const dbPath = join(dir, 'dvk.sqlite');
  const database = await openDatabase(dbPath, { clock: fixedClock(NOW) });
  fillOutbox(database.db, { count, notBefore: new Date(NOW) });
  database.close();
  return { dbPath, log: join(dir, 'platform.log') };
}

async function statuses(dbPath: string): Promise<Record<string, number>> {
  const database = await openDatabase(dbPath, { clock: fixedClock(NOW) });
  const counts: Record<string, number> = {};
  for (const row of database.db.select({ status: reminderOutbox.status }).from(reminderOutbox).all()) counts[row.status] = (counts[row.status] ?? 0) + 1;
  database.close();
  return counts;
}

function delivered(log: string): string[] {
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}

// Each test runs real child processes: room for a slow, shared machine.
describe('reminders across process crashes', { timeout: 120_000 }, () => {
  it('a process killed between the platform call and recording it: the next process sends the rest, nothing twice', async () => {
    const { dbPath, log } = await outbox(40);
    const first = await drain(dbPath, log, 7);
    expect(first.signal).toBe('SIGKILL');
    expect(delivered(log)).toHaveLength(7);
    // What the dead process left: six recorded, one mid-send, the rest of its batch claimed.
    expect(await statuses(dbPath)).toEqual({ sent: 6, sending: 1, claimed: 33 });

    const second = await drain(dbPath, log);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out)).toMatchObject({ sent: 33 });
    const all = delivered(log);
    expect(all).toHaveLength(40);
    expect(new Set(all).size).toBe(40);
    expect(await statuses(dbPath)).toEqual({ sent: 39, uncertain: 1 });
  });

  it('two processes draining the same outbox at once deliver every reminder exactly once', async () => {
    const { dbPath, log } = await outbox(120);
    // Small batches, so the two really share the backlog rather than one taking it all.
    const [a, b] = await Promise.all([drain(dbPath, log, -1, 10), drain(dbPath, log, -1, 10)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const [sentA, sentB] = [JSON.parse(a.out).sent as number, JSON.parse(b.out).sent as number];
    expect(sentA + sentB).toBe(120);
    expect(Math.min(sentA, sentB)).toBeGreaterThan(0);
    const all = delivered(log);
    expect(all).toHaveLength(120);
    expect(new Set(all).size).toBe(120);
    expect(await statuses(dbPath)).toEqual({ sent: 120 });
  });
});
