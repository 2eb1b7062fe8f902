import { performance } from 'node:perf_hooks';
import type { Clock } from '../core/clock.js';
import type { LimiterTime } from '../scheduler/rateLimiter.js';

/**
 * Time running `scale` times faster than the wall clock, from a chosen instant. The fake platform
 * judges its limits in it, the sender paces in it (`time`) and stamps the database with it
 * (`clock`), so a three-minute fan-out plays in seconds while every part agrees on "now".
 * Work done on the CPU (SQLite commits, JSON) costs `scale` times more scaled time than it would
 * in production, which is why results are compared across two scales.
 */
export interface ScaledTime extends LimiterTime {
  readonly scale: number;
  /** The instant the time started at (epoch ms). */
  readonly origin: number;
  /** The same instant as a Clock, for what stores dates (the sender's database stamps). */
  readonly clock: Clock;
}

export function scaledTime(origin: Date | string, scale: number): ScaledTime {
  const originMs = new Date(origin).getTime();
  if (Number.isNaN(originMs)) throw new Error(`invalid instant: ${String(origin)}`);
  if (!(scale > 0)) throw new Error(`invalid scale: ${scale}`);
  const realStart = performance.now();
  const now = () => originMs + (performance.now() - realStart) * scale;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const until = now() + Math.max(0, ms);
      // Timers may fire a fraction of a millisecond early; the limiter relies on "slept ≥ ms",
      // so an early wake-up waits again for the rest instead of returning before its turn.
      const wait = () => {
        const left = until - now();
        if (left <= 0) resolve();
        else setTimeout(wait, left / scale);
      };
      wait();
    });
  return { scale, origin: originMs, now, sleep, clock: { now: () => new Date(now()) } };
}
