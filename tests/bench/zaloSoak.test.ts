import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { soakOnce } from '../../bench/zaloSoak.js';

/**
 * The Zalo soak's world (bench/zaloSoakWorld.ts) for one simulated hour with an "opened
 * elsewhere" and the operator's restart in it: what the benchmark counts must be what happened —
 * every message the fake delivered reached the bot once, the restart happened, the messages sent
 * meanwhile came back through Zalo's history, sends were paced (200 messages in the hour, so that
 * replies queue up), report files were posted once. No timing is asserted.
 */

beforeEach(() => {
  vi.stubGlobal('fetch', () => Promise.reject(new Error('tests never use the network')));
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the Zalo soak world', () => {
  it('one simulated hour: every message handled once, a restart after "opened elsewhere", sends 1.2 s apart', async () => {
    const run = await soakOnce({ days: 1 / 24, messages: 200, seed: 5, kicks: [{ atHour: 0.5, echo: false, restartAfterMin: 4 }] });
    const f = run.figures;
    expect(f.delivered).toBe(200);
    expect(f.lostNeverReceived).toEqual([]);
    expect(f.lostToClosedProcess).toEqual([]);
    expect(f.handledTwice).toEqual([]);
    expect(f.received).toBe(200);
    expect(f.stops).toEqual(['opened-elsewhere']);
    expect(f.restarts).toBe(1);
    expect(f.deliveredWhileStopped).toBeGreaterThan(0);
    expect(f.handledAfterRestart).toBe(f.deliveredWhileStopped);
    expect(f.sends).toBeGreaterThan(100);
    expect(f.minSendGapMs).toBeGreaterThanOrEqual(1200);
    expect(f.drops).toBeGreaterThan(40);
    // Two /baocao excel: each file posted once.
    expect(f.fileDeliveries).toBe(2);
    expect(f.filesPosted).toBe(2);
    expect(f.duplicateFiles).toBe(0);
    expect(f.protocolErrors + f.unknownRequests + f.gateOverruns + f.settleOverruns).toBe(0);
  }, 30_000);
});
