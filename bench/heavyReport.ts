import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { SYSTEM_ACTOR } from '../db/audit.js';
import { openDatabase } from '../db/client.js';
import { resolveCaller } from '../db/people.js';
import { grantRole } from '../db/roles.js';
import { HEAVY_REPORT_ROWS, MAX_WAITING } from '../reports/reportQueue.js';
import type { HeavyFigures } from './heavyReportChild.js';
import { describeMachine, type MachineState, machineMetrics, watchMachine } from './machineState.js';
import { childScenario } from './childScenario.js';
import { median } from './median.js';
import { DATASET_NOW, generateNationalDataset, NATIONAL, type NationalDataset } from './nationalDataset.js';
import type { Benchmark } from './benchmark.js';
import { seededRandom } from './seededRandom.js';

/**
 * Issue 16 (item 11): the bot keeps answering while a national report is made. Over the synthetic
 * country of the reports benchmark, five administrators ask for the whole country's files
 * (`/baocao tep`) at once while officers keep sending light commands; the bot as it is (the files
 * made on the report thread, one at a time) is timed next to the bot making them in the handler,
 * as it did before.
 */

const REPEATS = 3;
const ADMINS = 5;
const OFFICERS = 200;
const CHILD = fileURLToPath(new URL('./heavyReportChild.ts', import.meta.url));

function child(args: string[]): Promise<HeavyFigures> {
  return childScenario<HeavyFigures>(CHILD, args);
}

/** The country, then the people who use the bot during the run: administrators and unit officers. */
async function prepare(path: string): Promise<{ dataset: NationalDataset; ms: number }> {
  const start = performance.now();
  const app = await openDatabase(path);
  try {
    const dataset = generateNationalDataset(app, NATIONAL);
    const db = app.db;
    const now = DATASET_NOW;
    const withModels = db.all<{ id: number }>(sql`select distinct unit_id as id from models order by unit_id`).map((r) => r.id);
    const random = seededRandom(16);
    db.transaction((tx) => {
      for (let i = 0; i < ADMINS; i++) {
        const caller = resolveCaller(tx, 'console', { id: `admin-${i}`, displayName: `admin-${i}` }, now);
        grantRole(tx, { personId: caller.personId, role: 'admin', unitId: null }, SYSTEM_ACTOR, now);
      }
      for (let i = 0; i < OFFICERS; i++) {
        const caller = resolveCaller(tx, 'console', { id: `officer-${i}`, displayName: `officer-${i}` }, now);
        const unitId = withModels[Math.floor(random() * withModels.length)]!;
        grantRole(tx, { personId: caller.personId, role: 'officer', unitId }, SYSTEM_ACTOR, now);
      }
    });
    return { dataset, ms: performance.now() - start };
  } finally {
    app.close();
  }
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
}

function latency(values: readonly number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

export const heavyReport: Benchmark = {
  id: 'heavy-report',
  title: 'Answering others while national reports are made: five /baocao tep at once (issue 16)',
  description: [
    'The synthetic country of the reports benchmark (10,000 units, 30,000 models, 300,000 updates) with 5 administrators and',
    `${OFFICERS} unit officers on the console platform. Each run is a fresh process (bench/heavyReportChild.ts) running createCore over the`,
    "file as main does for a Zalo deployment (WAL checkpointed on a thread, the Zalo adapter's code loaded though not started; main loads a",
    "platform's library only when it is configured):",
    'officers send /toi, /hanchot or /mohinh through the dispatcher, one every 50 ms on',
    'a timer, each timed from the instant it was due until its reply was sent (a held thread shows as the wait it causes). After 1.5 s',
    'of that, the 5 administrators each send /baocao tep for the whole country at once. "Worker": the bot as it is — the files made on',
    'the report thread one at a time, the others queued with a "being made" line. "Inline": the files made in the message handler, as',
    'before the report thread (createCore with reportThread: false; one administrator only: it is the comparison) — except that the',
    'spreadsheet writer now pauses every 500 model rows for its compressor (reports/xlsx.ts), which also lets the handler answer others in',
    "between: before that change, inline measured max 1.4–1.9 s and peak 338–365 MB. Latencies are of the officers' commands due between",
    'the first /baocao tep and the last file sent. Peak RSS is process.resourceUsage().maxRSS of the bot process, report thread included.',
  ].join(' '),
  async run({ log }) {
    const wallStart = performance.now();
    const dir = mkdtempSync(join(tmpdir(), 'dvk-bench-heavy-'));
    try {
      const dbPath = join(dir, 'national.sqlite');
      const { dataset: d, ms: prepareMs } = await prepare(dbPath);
      log(
        `dataset: ${d.units} units, ${d.models} models, ${d.updates} updates, ${ADMINS} admins and ${OFFICERS} officers in ${(prepareMs / 1000).toFixed(1)} s`,
      );

      const workers: HeavyFigures[] = [];
      const inlines: HeavyFigures[] = [];
      const machines: MachineState[] = [];
      for (let r = 0; r < REPEATS; r++) {
        const watch = watchMachine();
        const w = await child(['worker', dbPath, String(ADMINS), String(OFFICERS)]);
        const machine = watch();
        const i = await child(['inline', dbPath, '1', String(OFFICERS)]);
        const wl = latency(w.during);
        const il = latency(i.during);
        log(
          `run ${r + 1} (${describeMachine(machine)}): worker — ${w.during.length} commands during, p50 ${wl.p50.toFixed(1)} ms, p99 ${wl.p99.toFixed(1)} ms, max ${wl.max.toFixed(0)} ms; ` +
            `files after ${(w.firstFileMs / 1000).toFixed(1)} s (first) … ${(w.lastFileMs / 1000).toFixed(1)} s (fifth), deliveries ${w.deliveries.join('/')}, peak RSS ${w.maxRssMb.toFixed(0)} MB; ` +
            `inline — ${i.during.length} commands during, p50 ${il.p50.toFixed(0)} ms, max ${il.max.toFixed(0)} ms, file after ${(i.lastFileMs / 1000).toFixed(1)} s, peak RSS ${i.maxRssMb.toFixed(0)} MB`,
        );
        workers.push(w);
        inlines.push(i);
        machines.push(machine);
      }
      const w = (f: (r: HeavyFigures) => number) => workers.map(f);
      const i = (f: (r: HeavyFigures) => number) => inlines.map(f);
      return {
        metrics: [
          { name: "Worker: others' commands answered during the five reports", unit: 'commands', runs: w((r) => r.during.length) },
          { name: "Worker: others' reply latency p50", unit: 'ms', runs: w((r) => latency(r.during).p50), digits: 1 },
          { name: "Worker: others' reply latency p99", unit: 'ms', runs: w((r) => latency(r.during).p99), digits: 1 },
          { name: "Worker: others' reply latency max", unit: 'ms', runs: w((r) => latency(r.during).max), goal: { op: '<=', value: 1000 } },
          { name: 'Worker: "being made" line to the administrators, slowest of 5', unit: 'ms', runs: w((r) => Math.max(...r.ackMs)), digits: 1 },
          { name: 'Worker: first national file sent after', unit: 's', runs: w((r) => r.firstFileMs / 1000), digits: 1 },
          { name: 'Worker: fifth national file sent after', unit: 's', runs: w((r) => r.lastFileMs / 1000), digits: 1 },
          {
            name: 'Worker: administrators who got their files exactly once',
            unit: 'of 5',
            runs: w((r) => r.deliveries.filter((n) => n === 1).length),
            goal: { op: '==', value: ADMINS },
          },
          { name: 'Worker: RSS after start-up', unit: 'MB', runs: w((r) => r.startRssMb) },
          { name: 'Worker: peak RSS, bot and report thread', unit: 'MB', runs: w((r) => r.maxRssMb), goal: { op: '<=', value: 400 } },
          { name: "Inline (no report thread, as before issue 16): others' reply latency p50", unit: 'ms', runs: i((r) => latency(r.during).p50) },
          { name: "Inline (no report thread, as before issue 16): others' reply latency max", unit: 'ms', runs: i((r) => latency(r.during).max) },
          { name: 'Inline (no report thread, as before issue 16): the national files sent after', unit: 's', runs: i((r) => r.lastFileMs / 1000), digits: 1 },
          { name: 'Inline (no report thread, as before issue 16): peak RSS', unit: 'MB', runs: i((r) => r.maxRssMb) },
          ...machineMetrics(machines),
        ],
        notes: [
          `Dataset as in the reports benchmark, plus ${ADMINS} administrators and ${OFFICERS} officers of units with models; prepared once per run in ${(prepareMs / 1000).toFixed(1)} s. Reports as of ${DATASET_NOW.toISOString()}, year 2026.`,
          `Every report file is made on the report thread; one of at least ${HEAVY_REPORT_ROWS.toLocaleString('en')} units + models is heavy (the whole country: ${(d.units + d.models).toLocaleString('en')}): the person is told it is being made, at most ${MAX_WAITING} wait behind the one being made, one per person.`,
          `${REPEATS} runs, each a fresh process per scenario (node --import tsx); the CPU-steal row covers the worker scenario.`,
          `Whole benchmark: ${((performance.now() - wallStart) / 1000).toFixed(0)} s of wall time. Median worker max latency ${median(w((r) => latency(r.during).max)).toFixed(0)} ms against ${median(i((r) => latency(r.during).max)).toFixed(0)} ms inline.`,
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
