// TEMPORARY: sanity check of the fake's enforcement.
import { RateLimitedError } from '../bot/chat.js';
import { FakePlatform } from './fakePlatform.js';
import { scaledTime } from './scaledTime.js';
const time = scaledTime('2026-12-14T08:00:00+07:00', 10);
const p = new FakePlatform({ time, latencyMs: { min: 30, max: 80 } });
const res = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => p.deliver({ platform: 'telegram', id: `c${i}`, kind: 'group' }, { text: 'x' })));
console.log('burst 40 → ok', res.filter((r) => r.status === 'fulfilled').length, 'refused', res.filter((r) => r.status === 'rejected' && r.reason instanceof RateLimitedError).length, [...new Set(p.tooFast.map((t) => t.retryAfterMs))]);
await time.sleep(1100);
let ok = 0, no = 0;
for (let i = 0; i < 25; i++) { try { await p.deliver({ platform: 'telegram', id: 'same', kind: 'group' }, { text: 'y' }); ok++; } catch (e) { no++; console.log('chat refusal', (e as RateLimitedError).retryAfterMs, p.tooFast.at(-1)?.scope); break; } }
console.log('same chat: ok', ok, 'refused', no, 'dup', p.duplicates, 'peak', p.peakIn(1000));
