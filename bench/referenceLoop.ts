import { performance } from 'node:perf_hooks';

/**
 * A fixed piece of CPU work (integer arithmetic, no memory, no I/O), timed: how fast this machine
 * is at the moment of a run. The machines here are shared virtual ones whose speed drifts by
 * half or more within an hour (other tenants, "steal" time); printed next to each repetition, it
 * tells a slow run on a slow moment from a slow change in the code. About 40 ms on a quiet core.
 */
export function referenceLoopMs(): number {
  const start = performance.now();
  let x = 0;
  for (let i = 0; i < 10_000_000; i++) x = (x + i * 7) % 1_000_003;
  const ms = performance.now() - start;
  // Used, so the loop cannot be optimised away.
  if (x < 0) throw new Error('unreachable');
  return ms;
}
