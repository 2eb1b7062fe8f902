import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../core/clock.js';
import { CommandLimiter, DEFAULT_LIMIT, personKey, REASK_LIMIT } from '../../bot/commandLimiter.js';

const NOW = '2026-03-10T09:00:00+07:00';

function takes(limiter: CommandLimiter, person: string, count: number) {
  return Array.from({ length: count }, () => limiter.take(person));
}

describe('CommandLimiter', () => {
  it('lets a rested person send the burst at once, then refuses, announcing the wait only once', () => {
    const clock = fixedClock(NOW);
    const limiter = new CommandLimiter(clock, { burst: 5, refillMs: 3_000 });
    const decisions = takes(limiter, 'telegram:1', 8);
    expect(decisions.slice(0, 5).every((d) => d.allowed)).toBe(true);
    expect(decisions[5]).toEqual({ allowed: false, notify: true, waitMs: 3_000 });
    expect(decisions[6]).toEqual({ allowed: false, notify: false, waitMs: 3_000 });
    expect(decisions[7]).toEqual({ allowed: false, notify: false, waitMs: 3_000 });
  });

  it('gives one command back per refill period, and the wait it announces is exact', () => {
    const clock = fixedClock(NOW);
    const limiter = new CommandLimiter(clock, { burst: 2, refillMs: 3_000 });
    takes(limiter, 'p', 2);
    clock.advance(1_000);
    expect(limiter.take('p')).toEqual({ allowed: false, notify: true, waitMs: 2_000 });
    clock.advance(1_999);
    expect(limiter.take('p').allowed).toBe(false);
    clock.advance(1);
    expect(limiter.take('p').allowed).toBe(true);
    expect(limiter.take('p').allowed).toBe(false);
    // Ten idle minutes refill only up to the burst, not beyond.
    clock.advance(10 * 60_000);
    expect(takes(limiter, 'p', 3).map((d) => d.allowed)).toEqual([true, true, false]);
  });

  it('starts a new streak (and a new notice) after a command was let through', () => {
    const clock = fixedClock(NOW);
    const limiter = new CommandLimiter(clock, { burst: 1, refillMs: 3_000 });
    limiter.take('p');
    expect(limiter.take('p')).toMatchObject({ allowed: false, notify: true });
    expect(limiter.take('p')).toMatchObject({ allowed: false, notify: false });
    clock.advance(3_000);
    expect(limiter.take('p').allowed).toBe(true);
    expect(limiter.take('p')).toMatchObject({ allowed: false, notify: true });
  });

  it('keeps people apart: one person at the limit leaves everyone else their full burst', () => {
    const limiter = new CommandLimiter(fixedClock(NOW), { burst: 3, refillMs: 3_000 });
    takes(limiter, personKey('telegram', '42'), 10);
    expect(takes(limiter, personKey('telegram', '43'), 3).every((d) => d.allowed)).toBe(true);
    // The same user id on another platform is another person.
    expect(takes(limiter, personKey('zalo', '42'), 3).every((d) => d.allowed)).toBe(true);
    expect(limiter.take(personKey('telegram', '42')).allowed).toBe(false);
  });

  it('a clock set back refills nothing', () => {
    const clock = fixedClock(NOW);
    const limiter = new CommandLimiter(clock, { burst: 1, refillMs: 3_000 });
    limiter.take('p');
    clock.advance(-60_000);
    expect(limiter.take('p').allowed).toBe(false);
    clock.advance(3_000);
    expect(limiter.take('p').allowed).toBe(true);
  });

  it('forgets people whose bucket has refilled, so memory follows who is active, not who ever wrote', () => {
    const clock = fixedClock(NOW);
    const limiter = new CommandLimiter(clock, { burst: 5, refillMs: 3_000 });
    for (let i = 0; i < 1_000; i++) limiter.take(`p${i}`);
    expect(limiter.size).toBe(1_000);
    // Once a full refill period has passed, the next command sweeps the idle ones away.
    clock.advance(5 * 3_000);
    limiter.take('someone new');
    expect(limiter.size).toBe(1);
  });

  it('a forgotten person comes back with a full burst, as if remembered', () => {
    const clock = fixedClock(NOW);
    const limiter = new CommandLimiter(clock, { burst: 2, refillMs: 3_000 });
    takes(limiter, 'p', 3);
    clock.advance(6_000);
    limiter.take('other'); // sweeps p
    expect(limiter.size).toBe(1);
    expect(takes(limiter, 'p', 3).map((d) => d.allowed)).toEqual([true, true, false]);
  });

  it('never remembers more than maxPeople, dropping the least recently seen first', () => {
    const clock = fixedClock(NOW);
    const limiter = new CommandLimiter(clock, { burst: 1, refillMs: 3_000, maxPeople: 3 });
    limiter.take('flooder');
    for (const p of ['a', 'b']) limiter.take(p);
    // The flooder keeps writing, so it stays among the recent ones while c and d push a and b out.
    expect(limiter.take('flooder').allowed).toBe(false);
    for (const p of ['c', 'd']) limiter.take(p);
    expect(limiter.size).toBe(3);
    expect(limiter.take('flooder').allowed).toBe(false);
  });

  it('refuses a policy that could never let anything through', () => {
    const clock = fixedClock(NOW);
    expect(() => new CommandLimiter(clock, { burst: 0 })).toThrow();
    expect(() => new CommandLimiter(clock, { refillMs: 0 })).toThrow();
    expect(() => new CommandLimiter(clock, { maxPeople: 0 })).toThrow();
    // A notice gap longer than a bucket is remembered could not be kept.
    expect(() => new CommandLimiter(clock, { burst: 2, refillMs: 3_000, noticeGapMs: 6_001 })).toThrow();
    expect(() => new CommandLimiter(clock, { noticeGapMs: -1 })).toThrow();
  });

  it('with a notice gap, a sustained flood is told once per gap, not once per let-through command', () => {
    const clock = fixedClock(NOW);
    const limiter = new CommandLimiter(clock, REASK_LIMIT);
    const told: number[] = [];
    let allowed = 0;
    for (let s = 0; s < 180; s++) {
      const d = limiter.take('p');
      if (d.allowed) allowed++;
      else if (d.notify) told.push(s);
      clock.advance(1_000);
    }
    // A burst of 3, then one every 20 s. A notice opens a streak (the first refusal after a
    // let-through one) only once a minute has passed since the last: never two within a minute.
    expect(allowed).toBe(3 + 8);
    expect(told).toEqual([3, 81, 141]);
  });

  it('a sibling limiter keeps its own buckets over the same clock', () => {
    const clock = fixedClock(NOW);
    const commands = new CommandLimiter(clock, { burst: 1, refillMs: 3_000 });
    const reasks = commands.sibling({ burst: 1, refillMs: 20_000 });
    expect(commands.take('p').allowed).toBe(true);
    expect(reasks.take('p').allowed).toBe(true);
    expect(reasks.take('p').allowed).toBe(false);
    clock.advance(20_000);
    expect(reasks.take('p').allowed).toBe(true);
  });

  it('defaults to a burst of 5 and one command every 3 s', () => {
    expect(DEFAULT_LIMIT).toMatchObject({ burst: 5, refillMs: 3_000 });
    const clock = fixedClock(NOW);
    const limiter = new CommandLimiter(clock);
    expect(takes(limiter, 'p', 6).map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    clock.advance(60_000);
    // Sustained: exactly 20 a minute after the burst is spent.
    takes(limiter, 'p', 5);
    let allowed = 0;
    for (let s = 0; s < 60; s++) {
      clock.advance(1_000);
      if (limiter.take('p').allowed) allowed++;
    }
    expect(allowed).toBe(20);
  });
});
