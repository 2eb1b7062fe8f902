import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { count, inArray, min, sql } from 'drizzle-orm';
import { silentLogger } from '../bot/logger.js';
import { SYSTEM_ACTOR } from '../db/audit.js';
import { openDatabase } from '../db/client.js';
import { addOneOffDeadline } from '../db/deadlines.js';
import { ensureDefaults } from '../db/defaults.js';
import { chatMembers, chats, identities, OUTBOX_STATUSES, type OutboxStatus, people, reminderOutbox, roles, units } from '../db/schema.js';
import { DaysOff } from '../scheduler/daysOff.js';
import { planReminders } from '../scheduler/reminderPlanner.js';
import { ReminderSender } from '../scheduler/reminderSender.js';
import { TELEGRAM_LIMITS } from '../bot/telegram/adapter.js';
import { DEFAULT_QUIET_HOURS } from '../scheduler/reminderSlots.js';
import { isSendingTime } from '../scheduler/sendingTime.js';
import { FakePlatform } from './fakePlatform.js';
import { describeMachine, type MachineState, machineMetrics, watchMachine } from './machineState.js';
import { median } from './median.js';
import type { Benchmark } from './benchmark.js';
import { scaledTime } from './scaledTime.js';

/**
 * Issue 6: a province-wide reminder reaches 5,000 Telegram groups about as fast as Telegram
 * allows (30 messages a second overall), each exactly once. Real planner, real outbox, real
 * sender with its production limits, over a SQLite file; only the platform is fake (it enforces
 * Telegram's limits) and time runs `scale` times faster.
 */

/** A Monday morning, inside quiet hours: the on-day slot of a deadline due today is open. */
const START = '2026-12-14T08:00:00+07:00';
const DUE = '2026-12-14';
const PLATFORM_PER_SECOND = 30;
/** The fan-out would take minutes at most; this only stops a run that no longer progresses. */
const GIVE_UP_SCALED_MS = 60 * 60_000;
/**
 * A fan-out takes about 20 s of wall time at ×10. Every real millisecond the process stalls costs
 * `scale` scaled ones, so higher scales measure the machine's hiccups more than the sender.
 */
export const DEFAULT_SCALE = 10;

export interface FanoutOptions {
  units: number;
  scale: number;
  seed: number;
}

export interface FanoutRun {
  rowsPlanned: number;
  planningMs: number;
  seedingMs: number;
  fanoutScaledS: number;
  theoreticalS: number;
  ratio: number;
  duplicates: number;
  losses: number;
  tooFast: number;
  statuses: Record<OutboxStatus, number>;
  drains: number;
  peakPerSecond: number;
  /** The longest the event loop was held up during the fan-out (real ms): how noisy the machine was. */
  maxStallMs: number;
  wallMs: number;
}

const chatIdOf = (i: number) => String(-1_000_000_000_000 - i);

/** One unit per group, each with one officer seen there; bulk inserts in one transaction. */
function seed(db: Awaited<ReturnType<typeof openDatabase>>['db'], n: number, at: number): string[] {
  const CHUNK = 500;
  const ids = Array.from({ length: n }, (_, k) => k + 1);
  db.transaction((tx) => {
    for (let from = 0; from < n; from += CHUNK) {
      const part = ids.slice(from, from + CHUNK);
      tx.insert(units)
        .values(
          part.map((i) => ({
            id: i,
            name: `Xã Thử Nghiệm ${i}`,
            shortCode: `BENCH${i}`,
            kind: 'commune' as const,
            joinCode: `J${i}`,
            createdAt: at,
            updatedAt: at,
          })),
        )
        .run();
      tx.insert(people)
        .values(part.map((i) => ({ id: i, displayName: `Cán bộ ${i}`, unitId: i, createdAt: at, updatedAt: at })))
        .run();
      tx.insert(identities)
        .values(
          part.map((i) => ({
            id: i,
            personId: i,
            platform: 'telegram' as const,
            platformUserId: String(100_000 + i),
            displayName: `Cán bộ ${i}`,
            lastSeenAt: at,
          })),
        )
        .run();
      tx.insert(roles)
        .values(part.map((i) => ({ id: i, personId: i, role: 'officer' as const, unitId: i, createdAt: at })))
        .run();
      tx.insert(chats)
        .values(
          part.map((i) => ({
            id: i,
            platform: 'telegram' as const,
            platformChatId: chatIdOf(i),
            kind: 'group' as const,
            title: `Nhóm xã ${i}`,
            unitId: i,
            createdAt: at,
            updatedAt: at,
          })),
        )
        .run();
      tx.insert(chatMembers)
        .values(part.map((i) => ({ chatId: i, personId: i, lastSeenAt: at })))
        .run();
    }
  });
  return ids.map(chatIdOf);
}

export async function fanoutOnce(options: FanoutOptions): Promise<FanoutRun> {
  const wallStart = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'dvk-bench-'));
  const database = await openDatabase(join(dir, 'bench.sqlite'));
  try {
    const { db } = database;
    const startAt = new Date(START);
    const seedingStart = performance.now();
    ensureDefaults(db, startAt);
    const expectedChats = seed(db, options.units, startAt.getTime() - 24 * 60 * 60_000);
    // Nobody has registered a model: every unit misses its quota, so every group is reminded.
    addOneOffDeadline(db, { title: 'Đăng ký mô hình “Dân vận khéo” năm 2026', date: DUE, done: 'quota_registered', unitId: null }, SYSTEM_ACTOR, startAt);
    const seedingMs = performance.now() - seedingStart;

    const daysOff = new DaysOff();
    const quiet = DEFAULT_QUIET_HOURS;
    const time = scaledTime(START, options.scale);
    const platform = new FakePlatform({ time, perSecond: PLATFORM_PER_SECOND, perChatPerMinute: 20, latencyMs: { min: 30, max: 80 }, seed: options.seed });
    const sender = new ReminderSender({
      db,
      deliver: platform.deliver,
      log: silentLogger,
      clock: time.clock,
      daysOff,
      quiet,
      limits: { telegram: TELEGRAM_LIMITS.sending },
      time,
    });
    if (!isSendingTime(time.clock.now(), daysOff, quiet)) throw new Error(`${START} is outside sending hours: the scenario is wrong`);

    const planningStart = performance.now();
    const planned = planReminders({ db, daysOff, quiet, log: silentLogger }, time.clock.now());
    const planningMs = performance.now() - planningStart;
    if (planned.rows !== options.units) throw new Error(`planned ${planned.rows} rows for ${options.units} units`);

    const open = () =>
      db
        .select({ n: count() })
        .from(reminderOutbox)
        .where(inArray(reminderOutbox.status, ['pending', 'claimed', 'sending']))
        .get()?.n ?? 0;
    const stalls = monitorEventLoopDelay({ resolution: 2 });
    stalls.enable();
    const fanoutStart = time.now();
    let drains = 0;
    while (open() > 0) {
      if (time.now() - fanoutStart > GIVE_UP_SCALED_MS) throw new Error('the fan-out stopped progressing');
      const result = await sender.drain();
      drains++;
      if (result.outsideHours) throw new Error('the fan-out ran past sending hours');
      // Rows refused with a 429 wait until their notBefore; sleep until the first one is due.
      const next = db
        .select({ at: min(reminderOutbox.notBefore) })
        .from(reminderOutbox)
        .where(sql`${reminderOutbox.status} = 'pending'`)
        .get()?.at;
      if (next != null && next > time.now()) await time.sleep(next - time.now());
    }
    const fanoutScaledS = (time.now() - fanoutStart) / 1000;
    stalls.disable();

    const statuses = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
    for (const row of db.select({ status: reminderOutbox.status, n: count() }).from(reminderOutbox).groupBy(reminderOutbox.status).all()) {
      statuses[row.status] = row.n;
    }
    const theoreticalS = options.units / PLATFORM_PER_SECOND;
    return {
      rowsPlanned: planned.rows,
      planningMs,
      seedingMs,
      fanoutScaledS,
      theoreticalS,
      ratio: fanoutScaledS / theoreticalS,
      duplicates: platform.duplicates,
      losses: platform.lost(expectedChats).length,
      tooFast: platform.tooFast.length,
      statuses,
      drains,
      peakPerSecond: platform.peakIn(1000),
      maxStallMs: stalls.max / 1e6,
      wallMs: performance.now() - wallStart,
    };
  } finally {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const REPEATS = 3;
const UNITS = 5000;

export const reminderFanout: Benchmark = {
  id: 'reminder-fanout',
  title: 'Reminder fan-out to 5,000 Telegram groups (issue 6)',
  description: [
    `${UNITS.toLocaleString('en')} units, each with one officer seen in its own Telegram group; one one-off deadline (quota, nobody registered)`,
    'makes every unit late. planReminders runs once, then a ReminderSender with the production Telegram limits drains the outbox',
    'into a fake platform that enforces 30 messages/s overall and 20/min per chat (429 → RateLimitedError with retry_after),',
    'with 30–80 ms of network latency, in scaled time. Ratio = fan-out time / theoretical minimum (5,000 / 30 s).',
  ].join(' '),
  async run({ scale = DEFAULT_SCALE, log }) {
    const runs: Array<FanoutRun & { machine: MachineState }> = [];
    for (let r = 0; r < REPEATS; r++) {
      const machine = watchMachine();
      const run = { ...(await fanoutOnce({ units: UNITS, scale, seed: r + 1 })), machine: machine() };
      log(
        `run ${r + 1} (${describeMachine(run.machine)}): ${run.rowsPlanned} rows, plan ${run.planningMs.toFixed(0)} ms, fan-out ${run.fanoutScaledS.toFixed(1)} s ` +
          `(×${run.ratio.toFixed(3)}), dup ${run.duplicates}, lost ${run.losses}, 429 ${run.tooFast}, peak ${run.peakPerSecond}/s, ` +
          `max stall ${run.maxStallMs.toFixed(0)} ms, ` +
          `drains ${run.drains}, statuses ${JSON.stringify(Object.fromEntries(Object.entries(run.statuses).filter(([, n]) => n > 0)))}, wall ${(run.wallMs / 1000).toFixed(1)} s`,
      );
      runs.push(run);
    }
    const pick = (f: (r: (typeof runs)[number]) => number) => runs.map(f);
    const limits = TELEGRAM_LIMITS.sending;
    return {
      metrics: [
        { name: 'Outbox rows planned', unit: 'rows', runs: pick((r) => r.rowsPlanned), goal: { op: '==', value: UNITS } },
        { name: 'Planning time', unit: 'real ms', runs: pick((r) => r.planningMs) },
        { name: 'Fan-out time', unit: 'scaled s', runs: pick((r) => r.fanoutScaledS), digits: 1 },
        { name: 'Theoretical minimum', unit: 's', runs: pick((r) => r.theoreticalS), digits: 1 },
        { name: 'Ratio to the minimum', unit: '×', runs: pick((r) => r.ratio), goal: { op: '<=', value: 1.15 }, digits: 3 },
        { name: 'Duplicates', unit: 'messages', runs: pick((r) => r.duplicates), goal: { op: '==', value: 0 } },
        { name: 'Losses', unit: 'groups', runs: pick((r) => r.losses), goal: { op: '==', value: 0 } },
        { name: '429s seen', unit: 'refusals', runs: pick((r) => r.tooFast) },
        { name: 'Peak delivered in any second', unit: 'messages', runs: pick((r) => r.peakPerSecond) },
        { name: 'Longest event-loop stall', unit: 'real ms', runs: pick((r) => r.maxStallMs) },
        ...OUTBOX_STATUSES.map((s) => ({ name: `Outbox ${s}`, unit: 'rows', runs: pick((r) => r.statuses[s]) })),
        ...machineMetrics(runs.map((r) => r.machine)),
      ],
      notes: [
        `Time scale ×${scale} (scaled time runs ${scale} times faster than the wall clock; CPU work costs ${scale}× more scaled time than in production).`,
        `Sender limits (TELEGRAM_LIMITS.sending, as the Telegram adapter declares them): ${limits.perSecond}/s overall, ${limits.perChatPerMinute}/min per chat, concurrency ${limits.concurrency}.`,
        `Start instant ${START} (a working Monday, inside quiet hours ${DEFAULT_QUIET_HOURS.start}–${DEFAULT_QUIET_HOURS.end}); ${REPEATS} runs, fresh SQLite file each.`,
        `Seeding ${median(pick((r) => r.seedingMs)).toFixed(0)} ms, whole run ${(median(pick((r) => r.wallMs)) / 1000).toFixed(1)} s of wall time (medians).`,
      ],
    };
  },
};
