import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Benchmark, Metric } from './benchmark.js';
import { describeMachine, type MachineState, machineMetrics, watchMachine } from './machineState.js';
import { median } from './median.js';

/**
 * Issue 18 (item 10): how long the bot takes to start and what it weighs once started, for the
 * production start (`node dist/bot/main.js`, the compiled build) and the simulator (`npm start`,
 * TypeScript through tsx). Both run the local simulator: no platform configured, an SQLite file.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPEATS = 5;
/** How long after "ready" the idle memory is read. */
const IDLE_AFTER_MS = 2000;
const POLL_MS = 10;
/** A start that takes this long is broken, not slow. */
const GIVE_UP_MS = 60_000;

/** What the build compiles (tsconfig.build.json) and reads besides: newer than the build means stale. */
const BUILD_INPUTS = ['core', 'db', 'scheduler', 'reports', 'commands', 'bot', 'tsconfig.json', 'tsconfig.build.json', 'deploy/build.mjs', 'package.json'];
const BUILT_MAIN = join(ROOT, 'dist/bot/main.js');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** `npm run build` unless dist/ holds a build newer than every source it is made from. */
function ensureBuild(log: (line: string) => void): string {
  const sources = Math.max(...BUILD_INPUTS.map((p) => newestMtime(join(ROOT, p))));
  if (existsSync(BUILT_MAIN) && statSync(BUILT_MAIN).mtimeMs >= sources) return 'dist/ was up to date';
  log('dist/ is missing or older than the sources: building (node deploy/build.mjs)');
  const started = performance.now();
  const build = spawnSync(process.execPath, [join(ROOT, 'deploy/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`the build failed (exit ${build.status ?? build.signal})`);
  return `built first (${((performance.now() - started) / 1000).toFixed(1)} s)`;
}

/** The process and all its descendants (npm → sh → node), from /proc. */
function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // Gone already.
  }
  return [pid, ...children.flatMap(processTree)];
}

/** One field of /proc/<pid>/status in MB (VmRSS now, VmHWM the kernel's own peak); 0 once gone. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export interface StartFigures {
  /** From spawn to the "ready" log line (bot/main.ts: every adapter taking messages). */
  readyMs: number;
  /** Resident memory of every process of the start, IDLE_AFTER_MS after ready. */
  idleMb: number;
  /** The same, of the bot's own node process alone. */
  idleBotMb: number;
  /** The highest resident memory seen, every process together, from spawn to exit. */
  peakMb: number;
  /** From the end of the input to the exit. */
  exitMs: number;
}

/**
 * Starts `command` as the simulator with stdin held open, waits for "ready", reads the memory
 * IDLE_AFTER_MS later, then ends the input and expects the clean exit (status 0).
 */
export function measureStart(command: readonly string[], dir: string): Promise<StartFigures> {
  const { TELEGRAM_BOT_TOKEN: _t, ZALO_CREDENTIALS: _z, NODE_ENV: _n, ...inherited } = process.env;
  const env = { ...inherited, DB_PATH: join(dir, 'dvk.sqlite'), DVK_OUT_DIR: join(dir, 'out'), LOG_LEVEL: 'info' };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child: ChildProcess = spawn(command[0]!, command.slice(1), { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const pid = child.pid!;
    let stderr = '';
    let readyMs: number | undefined;
    let idleMb = 0;
    let idleBotMb = 0;
    let peakMb = 0;
    let endedAt = 0;
    // The bot's own process: the deepest node in the tree (npm and sh sit above it).
    const botPid = () => processTree(pid).at(-1)!;
    const poll = setInterval(() => {
      const tree = processTree(pid);
      const sum = tree.reduce((total, p) => total + statusMb(p, 'VmRSS'), 0);
      // One process: the kernel's exact peak; several: what the polls saw together.
      peakMb = Math.max(peakMb, sum, tree.length === 1 ? statusMb(pid, 'VmHWM') : 0);
    }, POLL_MS);
    const giveUp = setTimeout(() => child.kill('SIGKILL'), GIVE_UP_MS);
    child.stdout!.resume();
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (readyMs !== undefined || !/"msg":"ready"/.test(stderr)) return;
      readyMs = performance.now() - started;
      setTimeout(() => {
        const tree = processTree(pid);
        idleMb = tree.reduce((total, p) => total + statusMb(p, 'VmRSS'), 0);
        idleBotMb = statusMb(botPid(), 'VmRSS');
        endedAt = performance.now();
        child.stdin!.end();
      }, IDLE_AFTER_MS);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(giveUp);
      if (code !== 0 || readyMs === undefined || endedAt === 0) {
        reject(new Error(`${command.join(' ')} ended with ${code ?? signal}${readyMs === undefined ? ' before "ready"' : ''}:\n${stderr.slice(-2000)}`));
        return;
      }
      resolve({ readyMs, idleMb, idleBotMb, peakMb, exitMs: performance.now() - endedAt });
    });
  });
}

interface Scenario {
  key: string;
  label: string;
  command: string[];
}

const SCENARIOS: Scenario[] = [
  { key: 'prod', label: 'Production (node dist/bot/main.js)', command: [process.execPath, 'dist/bot/main.js'] },
  { key: 'sim', label: 'Simulator (npm start: npm, then node --import tsx bot/main.ts)', command: ['npm', 'start', '--silent'] },
];

export const startup: Benchmark = {
  id: 'startup',
  title: 'Start-up: time to ready and memory, production build and simulator (issue 18)',
  description: [
    'Each start runs the local simulator (no platform configured) over an SQLite file in a temporary folder, its input held open:',
    '"ready" is the time from spawning the command to the bot\'s "ready" log line (bot/main.ts: configuration read, database opened',
    'and migrated, calendar synced, the reminder catch-up begun, every adapter taking messages); "idle RSS" is the resident memory',
    `${IDLE_AFTER_MS / 1000} s after ready, summed over every process of the start (for npm start: npm, sh and node); "peak" the highest`,
    `such sum seen every ${POLL_MS} ms from spawn to exit (for a single process, the kernel's VmHWM). Then the input ends and the clean`,
    'exit (status 0) is awaited. The production start runs the compiled build (npm run build: tsc -p tsconfig.build.json into dist/),',
    'which the benchmark makes first when dist/ is missing or older than the sources; `npm start` runs the TypeScript through tsx.',
    'Platform libraries (grammY, zca-js) and report renderers (exceljs, docx, echarts, resvg) are not loaded by such a start',
    '(tests/bot/lightStart.test.ts), and the public holidays come from a table rather than date-holidays.',
    `One unmeasured start per command first (it creates the database; tsx fills its cache), then ${REPEATS} measured.`,
  ].join(' '),
  async run({ log }) {
    if (!existsSync('/proc/self/status')) throw new Error('this benchmark reads /proc (Linux)');
    const built = ensureBuild(log);
    const figures = new Map<string, StartFigures[]>(SCENARIOS.map((s) => [s.key, []]));
    const machines: MachineState[] = [];
    const dirs = new Map(SCENARIOS.map((s) => [s.key, mkdtempSync(join(tmpdir(), `dvk-bench-start-${s.key}-`))]));
    try {
      for (const s of SCENARIOS) await measureStart(s.command, dirs.get(s.key)!);
      for (let r = 0; r < REPEATS; r++) {
        const watch = watchMachine();
        const line: string[] = [];
        // Alternated within a run, so a slow moment of the machine weighs on both.
        for (const s of SCENARIOS) {
          const f = await measureStart(s.command, dirs.get(s.key)!);
          figures.get(s.key)!.push(f);
          line.push(
            `${s.key}: ready ${f.readyMs.toFixed(0)} ms, idle ${f.idleMb.toFixed(1)} MB (bot ${f.idleBotMb.toFixed(1)}), peak ${f.peakMb.toFixed(1)} MB, exit ${f.exitMs.toFixed(0)} ms`,
          );
        }
        const machine = watch();
        machines.push(machine);
        log(`run ${r + 1} (${describeMachine(machine)}): ${line.join('; ')}`);
      }
    } finally {
      for (const dir of dirs.values()) rmSync(dir, { recursive: true, force: true });
    }
    const of = (key: string, pick: (f: StartFigures) => number) => figures.get(key)!.map(pick);
    const metrics: Metric[] = [
      { name: 'Production: start to ready', unit: 'ms', runs: of('prod', (f) => f.readyMs), goal: { op: '<=', value: 1000 } },
      {
        name: `Production: idle RSS ${IDLE_AFTER_MS / 1000} s after ready`,
        unit: 'MB',
        runs: of('prod', (f) => f.idleMb),
        goal: { op: '<=', value: 120 },
        digits: 1,
      },
      { name: 'Production: peak RSS, spawn to exit', unit: 'MB', runs: of('prod', (f) => f.peakMb), digits: 1 },
      { name: 'Production: exit after the end of input', unit: 'ms', runs: of('prod', (f) => f.exitMs) },
      { name: 'Simulator (npm start): start to ready', unit: 'ms', runs: of('sim', (f) => f.readyMs) },
      { name: `Simulator: idle RSS ${IDLE_AFTER_MS / 1000} s after ready, npm and node`, unit: 'MB', runs: of('sim', (f) => f.idleMb), digits: 1 },
      { name: 'Simulator: idle RSS of the bot process alone (tsx loaded)', unit: 'MB', runs: of('sim', (f) => f.idleBotMb), digits: 1 },
      { name: 'Simulator: peak RSS, npm and node', unit: 'MB', runs: of('sim', (f) => f.peakMb), digits: 1 },
      ...machineMetrics(machines),
    ];
    const prodReady = median(of('prod', (f) => f.readyMs));
    return {
      metrics,
      notes: [
        `Build: ${built}.`,
        `Production ready ${prodReady.toFixed(0)} ms vs the simulator's ${median(of('sim', (f) => f.readyMs)).toFixed(0)} ms (median).`,
        'Before this work (issue 18 item 10; same machine, `npm start` then `tsx bot/main.ts` with an empty input, no ready line yet, median of 5): 1.7–3.4 s to exit depending on the load of the shared machine, peak ~284 MB for the whole tree (npm, the tsx launcher, the bot), ~174 MB for the bot process alone; date-holidays alone took ~250 ms and ~30 MB of it. The issue had measured 2.7 s and 260 MB.',
      ],
    };
  },
};
