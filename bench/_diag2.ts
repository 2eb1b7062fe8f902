// TEMPORARY diagnostic: what the sender does over time.
import { performance, monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, inArray, min, sql } from 'drizzle-orm';
import { silentLogger } from '../bot/logger.js';
import { openDatabase } from '../db/client.js';
import { reminderOutbox } from '../db/schema.js';
import { DaysOff } from '../scheduler/daysOff.js';
import { planReminders } from '../scheduler/reminderPlanner.js';
import { PLATFORM_LIMITS, ReminderSender } from '../scheduler/reminderSender.js';
import { DEFAULT_QUIET_HOURS } from '../scheduler/reminderSlots.js';
import { FakePlatform } from './fakePlatform.js';
import { scaledTime } from './scaledTime.js';
const scale = Number(process.argv[2] ?? 20);
const { seedForDiag } = await import('./_seedexport.js');
const database = await openDatabase(join(mkdtempSync(join(tmpdir(), 'dvk-diag-')), 'b.sqlite'));
const db = database.db;
seedForDiag(db);
const daysOff = new DaysOff();
const time = scaledTime('2026-12-14T08:00:00+07:00', scale);
const platform = new FakePlatform({ time, seed: 1 });
const starts: number[] = [];
const deliver: typeof platform.deliver = (chat, reply) => { starts.push(time.now()); return platform.deliver(chat, reply); };
const sender = new ReminderSender({ db, deliver, log: silentLogger, clock: time.clock, daysOff, quiet: DEFAULT_QUIET_HOURS, time });
planReminders({ db, daysOff, quiet: DEFAULT_QUIET_HOURS, log: silentLogger }, time.clock.now());
const proto = Object.getPrototypeOf(sender);
let claimMs = 0, claims = 0, sendOneDb = 0, sendOnes = 0;
const origClaim = proto.claimBatch; proto.claimBatch = function (this: unknown) { const t = performance.now(); const r = origClaim.call(this); claimMs += performance.now() - t; claims++; return r; };
const origSendOne = proto.sendOne;
proto.sendOne = async function (this: unknown, ...args: unknown[]) { const t = performance.now(); const p = origSendOne.apply(this, args); sendOneDb += performance.now() - t; sendOnes++; return p; };
const h = monitorEventLoopDelay({ resolution: 1 }); h.enable();
const stalls: Array<[number, number]> = []; let lastTick = performance.now();
const probe = setInterval(() => { const n = performance.now(); if (n - lastTick > 15) stalls.push([Math.round((time.now() - time.origin) / 100) / 10, Math.round(n - lastTick)]); lastTick = n; }, 2);
const t0 = time.now();
const open = () => db.select({ n: count() }).from(reminderOutbox).where(inArray(reminderOutbox.status, ['pending', 'claimed', 'sending'])).get()?.n ?? 0;
while (open() > 0) {
  await sender.drain();
  const next = db.select({ at: min(reminderOutbox.notBefore) }).from(reminderOutbox).where(sql`${reminderOutbox.status} = 'pending'`).get()?.at;
  if (next != null && next > time.now()) await time.sleep(next - time.now());
}
h.disable(); clearInterval(probe);
console.log('429 at (scaled s):', platform.tooFast.map((r) => Math.round((r.at - time.origin) / 100) / 10).join(' '));
console.log('stalls >15ms real [scaled s, real ms]:', JSON.stringify(stalls));
const total = (time.now() - t0) / 1000;
// peak starts per second, bursts
starts.sort((a, b) => a - b);
let peak = 0, lo = 0; for (let hi = 0; hi < starts.length; hi++) { while (starts[lo]! <= starts[hi]! - 1000) lo++; peak = Math.max(peak, hi - lo + 1); }
const gaps = starts.slice(1).map((s, i) => s - starts[i]!);
const interval = 1000 / PLATFORM_LIMITS.telegram.perSecond;
const tight = gaps.filter((g) => g < interval / 2).length;
// 429s: during a previous one's pause?
let followUps = 0; let pauseUntil = -Infinity;
for (const r of platform.tooFast) { if (r.at < pauseUntil) followUps++; pauseUntil = Math.max(pauseUntil, r.at + r.retryAfterMs); }
const ra = platform.tooFast.map((r) => r.retryAfterMs);
console.log(JSON.stringify({ scale, total: total.toFixed(1), ratio: (total / (5000 / 30)).toFixed(3), tooFast: platform.tooFast.length, followUps, retryAfters: [...new Set(ra)], scopes: [...new Set(platform.tooFast.map((r) => r.scope))],
  peakStartsPerS: peak, gapsUnderHalfInterval: tight, claims, claimMsReal: claimMs.toFixed(0), claimMsEachScaled: (claimMs / claims * scale).toFixed(0),
  sendOneSyncMsReal: (sendOneDb / sendOnes).toFixed(3), sendOneSyncScaled: (sendOneDb / sendOnes * scale).toFixed(1),
  loopDelayP50: (h.percentile(50) / 1e6).toFixed(2), p99: (h.percentile(99) / 1e6).toFixed(2), max: (h.max / 1e6).toFixed(1), maxInFlight: platform.maxInFlight }));
