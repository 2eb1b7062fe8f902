import { readFileSync } from 'node:fs';

/**
 * How much of the CPU the host gave to other virtual machines ("steal", from /proc/stat) while a
 * stretch of a benchmark ran, as a percentage of all CPU time in that stretch.
 *
 * The machines here are shared: in one hour steal has been seen near 0 % and near 60 %, and
 * figures that depend on CPU time (a fan-out in scaled time, a report's first call) move with it.
 * Printed next to each run, it tells a slow moment of the machine from a slow change in the code.
 * NaN where /proc/stat is not there (not Linux).
 */
export function stealDuring(): () => number {
  const before = cpuTimes();
  return () => {
    const after = cpuTimes();
    if (!before || !after || after.total <= before.total) return Number.NaN;
    return (100 * (after.steal - before.steal)) / (after.total - before.total);
  };
}

function cpuTimes(): { steal: number; total: number } | undefined {
  try {
    return parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** The first line of /proc/stat: user nice system idle iowait irq softirq steal (guest time is inside user). */
export function parseCpuTimes(text: string): { steal: number; total: number } | undefined {
  const fields = /^cpu\s+(.*)$/m.exec(text)?.[1]?.trim().split(/\s+/).slice(0, 8).map(Number);
  if (!fields || fields.length < 8 || fields.some((n) => !Number.isFinite(n))) return undefined;
  return { steal: fields[7]!, total: fields.reduce((a, b) => a + b, 0) };
}
