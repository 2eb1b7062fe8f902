import { describe, expect, it } from 'vitest';
import { parseCpuTimes, stealDuring } from '../../bench/cpuSteal.js';

/** The steal figure printed next to each benchmark run reads the right column of /proc/stat. */
describe('CPU steal', () => {
  it('is the eighth number of the aggregate cpu line, out of the first eight summed', () => {
    const stat = [
      'cpu  2436769 0 210393 3800259 81744 0 15908 1204094 0 0',
      'cpu0 1104385 0 97723 2024964 40108 0 8019 597064 0 0',
      'cpu1 1332384 0 112670 1775295 41636 0 7889 607030 0 0',
      'intr 123456 0 0',
    ].join('\n');
    expect(parseCpuTimes(stat)).toEqual({ steal: 1204094, total: 2436769 + 210393 + 3800259 + 81744 + 15908 + 1204094 });
  });

  it('is nothing for text that is not /proc/stat', () => {
    expect(parseCpuTimes('')).toBeUndefined();
    expect(parseCpuTimes('cpu0 1 2 3 4 5 6 7 8')).toBeUndefined();
    expect(parseCpuTimes('cpu  1 2 3')).toBeUndefined();
  });

  it('over a stretch of work is a share between 0 and 100 % on Linux', () => {
    const steal = stealDuring();
    const until = Date.now() + 50;
    while (Date.now() < until);
    const percent = steal();
    if (process.platform !== 'linux') return expect(percent).toBeNaN();
    expect(percent).toBeGreaterThanOrEqual(0);
    expect(percent).toBeLessThanOrEqual(100);
  });
});
