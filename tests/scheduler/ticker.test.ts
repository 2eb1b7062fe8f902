import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/logger.js';
import { fixedClock } from '../../core/clock.js';
import { Ticker } from '../../scheduler/ticker.js';

describe('the minute tick', () => {
  it('a tick asked for while one runs waits for it instead of running the jobs twice at once', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    let inFlight = 0;
    const ticker = new Ticker({
      clock: fixedClock('2026-03-10T02:00:00+07:00'),
      log: silentLogger,
      jobs: [
        {
          name: 'backup',
          run: async () => {
            runs++;
            inFlight++;
            expect(inFlight).toBe(1);
            await held;
            inFlight--;
          },
        },
      ],
    });
    // main's catch-up at start, and cron's first minute arriving before it ended.
    const catchUp = ticker.tick();
    const scheduled = ticker.tick();
    release();
    await Promise.all([catchUp, scheduled]);
    expect(runs).toBe(1);
    expect(ticker.lastTickAt).not.toBeNull();
    // The next minute runs the jobs again.
    await ticker.tick();
    expect(runs).toBe(2);
  });

  it('tickNow waits for a tick under way, then runs the jobs again at the clock’s new instant', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const seen: string[] = [];
    const clock = fixedClock('2026-03-10T08:00:00+07:00');
    const ticker = new Ticker({
      clock,
      log: silentLogger,
      jobs: [
        {
          name: 'reminders',
          run: async (now) => {
            seen.push(now.toISOString());
            if (seen.length === 1) await held;
          },
        },
      ],
    });
    const catchUp = ticker.tick();
    // The simulator's clock jumps while the catch-up tick still runs.
    clock.set('2026-03-12T08:00:00+07:00');
    const jumped = ticker.tickNow();
    release();
    await Promise.all([catchUp, jumped]);
    expect(seen).toEqual(['2026-03-10T01:00:00.000Z', '2026-03-12T01:00:00.000Z']);
    expect(ticker.lastTickAt?.toISOString()).toBe('2026-03-12T01:00:00.000Z');
  });

  it('one job failing never keeps the others from running', async () => {
    const ran: string[] = [];
    const ticker = new Ticker({
      clock: fixedClock('2026-03-10T02:00:00+07:00'),
      log: silentLogger,
      jobs: [
        {
          name: 'broken',
          run: async () => {
            throw new Error('disk full');
          },
        },
        { name: 'reminders', run: async () => void ran.push('reminders') },
      ],
    });
    await ticker.tick();
    expect(ran).toEqual(['reminders']);
  });
});
