import { describe, expect, it } from 'vitest';
import { type Clock, fixedClock, settableClock } from '../../core/clock.js';

describe('the settable clock (the simulator’s)', () => {
  it('over a frozen clock stays frozen between jumps, and jumps forward', () => {
    const clock = settableClock(fixedClock('2026-03-10T09:00:00+07:00'));
    expect(clock.now().toISOString()).toBe('2026-03-10T02:00:00.000Z');
    clock.set(new Date('2026-04-15T08:00:00+07:00'));
    expect(clock.now().toISOString()).toBe('2026-04-15T01:00:00.000Z');
    expect(clock.now().toISOString()).toBe('2026-04-15T01:00:00.000Z');
    // The same instant again is not going back.
    clock.set(new Date('2026-04-15T08:00:00+07:00'));
    expect(clock.now().toISOString()).toBe('2026-04-15T01:00:00.000Z');
  });

  it('over a running clock keeps running from the instant set', () => {
    let real = Date.parse('2026-03-10T02:00:00Z');
    const running: Clock = { now: () => new Date(real) };
    const clock = settableClock(running);
    clock.set(new Date('2026-06-01T00:00:00Z'));
    real += 90_000;
    expect(clock.now().toISOString()).toBe('2026-06-01T00:01:30.000Z');
  });

  it('never goes back, and an invalid instant changes nothing', () => {
    const clock = settableClock(fixedClock('2026-03-10T09:00:00+07:00'));
    expect(() => clock.set(new Date('2026-03-10T08:59:00+07:00'))).toThrow(RangeError);
    expect(() => clock.set(new Date('không phải ngày'))).toThrow(/invalid instant/);
    expect(clock.now().toISOString()).toBe('2026-03-10T02:00:00.000Z');
  });
});
