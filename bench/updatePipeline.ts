import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { createCore } from '../bot/app.js';
import { fixedClock } from '../core/clock.js';
import { createLogger } from '../bot/logger.js';
import { TelegramAdapter } from '../bot/telegram/adapter.js';
import { COMMANDS } from '../commands/index.js';
import { openDatabase } from '../db/client.js';
import { BOT_INFO } from './fakes/telegram.js';
import { InstantBotApi } from './instantBotApi.js';
import { describeMachine, type MachineState, machineMetrics, watchMachine } from './machineState.js';
import { type PipelineWorld, PROVINCE_WORLD, seedPipelineWorld, type WorldOptions } from './pipelineWorld.js';
// Types only: run.ts runs the benchmarks when loaded, and the test loads this file.
import { median } from './median.js';
import type { Benchmark } from './benchmark.js';
import { TelegramWorkload, type WorkloadOptions, type WorkloadTally } from './telegramWorkload.js';
import { DANGKY_ONLY, type PeerPlay, playPeer } from './conversationsPeer.js';

/**
 * Issue 8: how many Telegram updates one bot process handles, and how long each takes, through
 * the whole pipeline — grammY, the adapter, dispatch, the conversation engine, SQLite — next to
 * grammY's bare handleUpdate answering the very same updates on the same machine. The Bot API
 * answers instantly in memory, so the figures are the bot's own work.
 */

/** A Monday morning of November: units report the month's progress and register late models. */
export const START = '2026-11-23T08:30:00+07:00';
/** Time between two updates on the bot's clock (the workload spans a morning, not a millisecond). */
const STEP_MS = 1500;
const TOKEN = '7000111222:AAH-bench-token-not-real';

/** Seeds a SQLite file once; every run works on its own copy of it. */
export async function seedWorldFile(path: string, options: Omit<WorldOptions, 'now'> = PROVINCE_WORLD): Promise<{ world: PipelineWorld; ms: number }> {
  const start = performance.now();
  const app = await openDatabase(path);
  try {
    const world = seedPipelineWorld(app, { ...options, now: new Date(START) });
    return { world, ms: performance.now() - start };
  } finally {
    app.close();
  }
}

export interface PlayOptions {
  dbPath: string;
  world: PipelineWorld;
  seed: number;
  warmup: number;
  measured: number;
  concurrent: number;
  /** After the measured updates, finish every open session (untimed) so the database can be checked. */
  drain?: boolean;
  /** Which sessions are played (the workload's SESSION_MIX when left out). */
  mix?: WorkloadOptions['mix'];
}

export interface PipelinePlay {
  /** Handling time of each measured update (ms). */
  latencies: number[];
  /** Every update delivered, warm-up first, as JSON: the bare side gets the same. */
  recorded: string[];
  /** What each measured update was: 'command' | 'typed' | 'press'. */
  kinds: Array<'command' | 'typed' | 'press'>;
  tally: WorkloadTally;
  apiCalls: number;
  /** CPU time of the whole process (every thread) over the measured updates, the workload's own included. */
  cpuMs: number;
  /** Rows the database holds after the run, for the workload's own checks. */
  rows: { models: number; progressUpdates: number; conversations: number; processedInbound: number };
  rowsBefore: { models: number; progressUpdates: number };
}

/** The real core and Telegram adapter over a copy of the seeded file, fed one update at a time. */
export async function playPipeline(options: PlayOptions): Promise<PipelinePlay> {
  const clock = fixedClock(START);
  const api = new InstantBotApi(BOT_INFO, () => clock.now().getTime());
  for (const g of options.world.groups) api.addChat(g.chat);
  // As in production: info logs, written synchronously (to /dev/null instead of stderr).
  const log = createLogger('info', '/dev/null');
  let adapter: TelegramAdapter | undefined;
  const core = await createCore({
    dbPath: options.dbPath,
    clock,
    log,
    flowTtlMinutes: 24 * 60,
    // As main.ts runs the bot: the log is checkpointed on a worker thread (db/checkpointer.ts).
    backgroundCheckpoints: true,
    deliver: (chat, reply) => (chat.platform === 'telegram' ? adapter!.send(chat, reply) : Promise.reject(new Error(`no adapter for ${chat.platform}`))),
  });
  try {
    adapter = new TelegramAdapter({
      token: TOKEN,
      hooks: core.hooks,
      log,
      commands: COMMANDS.filter((c) => c.listed !== false),
      botInfo: BOT_INFO,
      client: { fetch: api.fetch },
    });
    await adapter.prepare(core.dispatcher.handle);
    const bot = adapter.bot;
    const sqlite = core.database.sqlite;
    const count = (table: string) => (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    const rowsBefore = { models: count('models'), progressUpdates: count('progress_updates') };

    const workload = new TelegramWorkload(options.world, api, {
      seed: options.seed,
      concurrent: options.concurrent,
      botUsername: BOT_INFO.username,
      now: () => clock.now().getTime(),
      mix: options.mix,
    });
    const latencies: number[] = [];
    const kinds: PipelinePlay['kinds'] = [];
    const recorded: string[] = [];
    const callsAfterWarmup = { at: 0 };
    let cpuAtWarmup = process.cpuUsage();
    for (let i = 0; i < options.warmup + options.measured; i++) {
      if (i === options.warmup) {
        callsAfterWarmup.at = api.calls;
        cpuAtWarmup = process.cpuUsage();
      }
      const before = { presses: workload.tally.presses, typed: workload.tally.typed };
      const update = workload.next()!;
      recorded.push(JSON.stringify(update));
      const start = performance.now();
      await bot.handleUpdate(update);
      const ms = performance.now() - start;
      workload.handled();
      clock.advance(STEP_MS);
      if (i < options.warmup) continue;
      latencies.push(ms);
      kinds.push(workload.tally.presses > before.presses ? 'press' : workload.tally.typed > before.typed ? 'typed' : 'command');
    }
    const apiCalls = api.calls - callsAfterWarmup.at;
    const cpuMs = cpuMsSince(cpuAtWarmup);
    if (options.drain) {
      workload.finish();
      for (let update = workload.next(); update; update = workload.next()) {
        await bot.handleUpdate(update);
        workload.handled();
        clock.advance(STEP_MS);
      }
    }
    const rows = {
      models: count('models'),
      progressUpdates: count('progress_updates'),
      conversations: count('conversations'),
      processedInbound: count('processed_inbound'),
    };
    return { latencies, recorded, kinds, tally: workload.tally, apiCalls, cpuMs, rows, rowsBefore };
  } finally {
    await adapter?.stop();
    core.close();
  }
}

export interface BarePlay {
  latencies: number[];
  apiCalls: number;
  replies: number;
  answeredPresses: number;
}

/** grammY alone: the same bot identity and fake API, a handler that answers every update at once. */
export async function playBare(recorded: readonly string[], warmup: number): Promise<BarePlay> {
  let now = Date.parse(START);
  const api = new InstantBotApi(BOT_INFO, () => now);
  const bot = new Bot(TOKEN, { botInfo: BOT_INFO, client: { fetch: api.fetch } });
  bot.on('message', (ctx) => ctx.reply(`Đã nhận: ${ctx.message.text ?? ''}`));
  bot.on('callback_query', (ctx) => ctx.answerCallbackQuery());
  await bot.init();
  const latencies: number[] = [];
  let callsAtWarmup = 0;
  for (const [i, json] of recorded.entries()) {
    if (i === warmup) callsAtWarmup = api.calls;
    const update = JSON.parse(json) as Update;
    const start = performance.now();
    await bot.handleUpdate(update);
    const ms = performance.now() - start;
    now += STEP_MS;
    if (i >= warmup) latencies.push(ms);
  }
  const calls = api.callsByMethod;
  return { latencies, apiCalls: api.calls - callsAtWarmup, replies: calls.get('sendMessage') ?? 0, answeredPresses: calls.get('answerCallbackQuery') ?? 0 };
}

export interface LatencyFigures {
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/** Process CPU time (user and system, every thread) since `start`, in ms. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** The peer's plugin version, for the document. */
const CONVERSATIONS_VERSION = (createRequire(import.meta.url)('@grammyjs/conversations/package.json') as { version: string }).version;

/** Throughput from the summed handling times: one update after another, as a queue drains. */
export function figuresOf(latencies: readonly number[]): LatencyFigures {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const total = sorted.reduce((sum, ms) => sum + ms, 0);
  return { perSecond: (sorted.length / total) * 1000, p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! };
}

// ---------------------------------------------------------------------------------------------

const REPEATS = 5;
const WARMUP = 1000;
const MEASURED = 5000;
const CONCURRENT = 60;

interface Repetition {
  pipeline: LatencyFigures;
  bare: LatencyFigures;
  byKind: Record<'command' | 'typed' | 'press', LatencyFigures>;
  tally: WorkloadTally;
  pipelineCalls: number;
  bareCalls: number;
  load: number;
  /** Steal over the pipeline's, bare grammY's and the /dangky plays. */
  machine: MachineState;
  /** /dangky dialogues only, the same updates to the pipeline and to the conversations peer. */
  dangky: { ours: DialoguePlay; peer: DialoguePlay; peerFirst: boolean; same: boolean };
}

interface DialoguePlay {
  figures: LatencyFigures;
  /** Process CPU per measured update (ms), the workload's own work included. */
  cpuPerUpdate: number;
  callsPerUpdate: number;
  registered: number;
}

/** What a person sent, without the ids that differ between two bots: the same dialogue, answer for answer. */
export function sentText(json: string): string {
  const update = JSON.parse(json) as Update;
  return update.message ? `m ${update.message.from.id} ${update.message.text ?? ''}` : `p ${update.callback_query?.from.id} ${update.callback_query?.data}`;
}

export const updatePipeline: Benchmark = {
  id: 'update-pipeline',
  title: 'Update pipeline: Telegram updates through dispatch, conversations and SQLite, next to bare grammY (issue 8)',
  description: [
    'A province of about a thousand units (the demo deployment grown with communes, schools and agencies; bench/pipelineWorld.ts), each with one or',
    'two officers on Telegram, a model of the year (most approved, with updates) and the shipped calendar; one supergroup per emulation cluster of',
    `communes (five; communes sit directly under the province since 2025) and one for the departments. ${CONCURRENT} people at a time, chosen at random across the groups, each do one thing (bench/telegramWorkload.ts): /mohinh (a unit's`,
    'list or a model card), /hanchot, /huongdan, or a whole /capnhat or /dangky answered question by question — replies to the force_reply prompts',
    'and presses on the inline keyboards, as groups under privacy mode answer. Pipeline: the real TelegramAdapter (grammY, sequentialize, auto-retry,',
    'dedup of update ids) and createCore over a SQLite file (WAL, checkpointed on a worker thread as the bot runs it), info logs written synchronously to /dev/null. Bare: a grammY Bot with the same',
    'botInfo whose handler answers each message with ctx.reply and each press with answerCallbackQuery. Both call the same in-memory Bot API, which',
    `answers at once (no HTTP). Updates are fed one at a time with bot.handleUpdate; ${WARMUP.toLocaleString('en')} warm-up updates, then`,
    `${MEASURED.toLocaleString('en')} measured, timed each with performance.now(); updates/s = measured updates ÷ the sum of their handling times.\n\n` +
      '"/dangky only" compares the pipeline with what a team would otherwise write. The same 60 people at a time, every one of them registering a',
    'model with /dangky; played on a fresh copy through the pipeline and, in turns (odd runs the peer first, so a slow moment hits both), through',
    `bench/conversationsPeer.ts: a grammY Bot with @grammyjs/conversations ${CONVERSATIONS_VERSION}, one conversation per chat and person, its state written after`,
    "every update as JSON into a SQLite table by a storage adapter on better-sqlite3 (its own file: WAL, synchronous NORMAL, SQLite's own checkpoints;",
    "the officers, fields and the world's models copied into it). The peer asks the same questions with the same words and buttons, read at start-up",
    "from /dangky's flow (commands/dangky.ts), force_reply in the group; parses every answer with the same zod schemas (core/answers.ts: choices",
    "by number or label with diacritics folded, dates, the flow's text parsers), asks",
    'again for a name the unit already used that year, answers each press and removes the answered keyboard as the bot does, and on "Lưu" inserts',
    'the model with the next DVK code. It does not resolve or record who sent each update, check roles, scope or a stopped unit, de-duplicate',
    'update ids, write history and audit rows, go back one step ("Quay lại sửa" starts the questions again), expire, hand off to a private chat,',
    'limit floods or log: the pipeline does all of that. Both get the very same updates (checked on every run: the same people, texts and',
    'presses, in the same order). The plugin replays the conversation function from its start on every update and, at the end of each replay,',
    'waits one setTimeout(0) for stray promises (its engine.js): that idle millisecond is part of its handling time, and a bot handling updates',
    "concurrently (grammY runner) would overlap it, so the process CPU time per update (every thread; the workload's own making and reading of",
    'updates included, the same on both sides) is given as well.',
  ].join(' '),
  async run({ log }) {
    const wallStart = performance.now();
    const dir = mkdtempSync(join(tmpdir(), 'dvk-bench-pipeline-'));
    try {
      const template = join(dir, 'world.sqlite');
      const { world, ms: seedMs } = await seedWorldFile(template);
      log(
        `world: ${world.units} units, ${world.officers} officers on Telegram in ${world.groups.length} groups, ${world.models} models, ${world.updates} progress updates; seeded in ${(seedMs / 1000).toFixed(1)} s`,
      );
      const reps: Repetition[] = [];
      for (let r = 0; r < REPEATS; r++) {
        const dbPath = join(dir, `run-${r + 1}.sqlite`);
        copyFileSync(template, dbPath);
        const load = loadavg()[0]!;
        const watch = watchMachine();
        const pipeline = await playPipeline({ dbPath, world, seed: r + 1, warmup: WARMUP, measured: MEASURED, concurrent: CONCURRENT });
        const bare = await playBare(pipeline.recorded, WARMUP);
        // The /dangky comparison, in turns: odd runs play the peer first, so a slow moment hits both sides alike.
        const peerFirst = r % 2 === 1;
        const dialogue = { seed: 100 + r, warmup: WARMUP, measured: MEASURED, concurrent: CONCURRENT };
        const oursPath = join(dir, `dangky-${r + 1}.sqlite`);
        const peerPath = join(dir, `peer-${r + 1}.sqlite`);
        const playOurs = async () => {
          copyFileSync(template, oursPath);
          return playPipeline({ ...dialogue, dbPath: oursPath, world, mix: DANGKY_ONLY });
        };
        const playThePeer = () => playPeer({ ...dialogue, dbPath: peerPath, worldPath: template, world, start: START, stepMs: STEP_MS });
        let oursPlay: PipelinePlay;
        let peerPlay: PeerPlay;
        if (peerFirst) {
          peerPlay = await playThePeer();
          oursPlay = await playOurs();
        } else {
          oursPlay = await playOurs();
          peerPlay = await playThePeer();
        }
        const machine = watch();
        const dialogueOf = (p: { latencies: number[]; cpuMs: number; apiCalls: number; tally: WorkloadTally }): DialoguePlay => ({
          figures: figuresOf(p.latencies),
          cpuPerUpdate: p.cpuMs / p.latencies.length,
          callsPerUpdate: p.apiCalls / p.latencies.length,
          registered: p.tally.modelsRegistered,
        });
        const dangky = {
          ours: dialogueOf(oursPlay),
          peer: dialogueOf(peerPlay),
          peerFirst,
          same: oursPlay.recorded.length === peerPlay.recorded.length && oursPlay.recorded.every((u, i) => sentText(u) === sentText(peerPlay.recorded[i]!)),
        };
        for (const path of [oursPath, peerPath]) for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
        const byKind = {} as Repetition['byKind'];
        for (const kind of ['command', 'typed', 'press'] as const) byKind[kind] = figuresOf(pipeline.latencies.filter((_, i) => pipeline.kinds[i] === kind));
        const rep: Repetition = {
          pipeline: figuresOf(pipeline.latencies),
          bare: figuresOf(bare.latencies),
          byKind,
          tally: pipeline.tally,
          pipelineCalls: pipeline.apiCalls,
          bareCalls: bare.apiCalls,
          load,
          machine,
          dangky,
        };
        reps.push(rep);
        const f = (x: LatencyFigures) => `${x.perSecond.toFixed(0)}/s, p50 ${x.p50.toFixed(2)} ms, p99 ${x.p99.toFixed(2)} ms, max ${x.max.toFixed(1)} ms`;
        const t = pipeline.tally;
        log(
          `run ${r + 1} (load ${load.toFixed(2)}, ${describeMachine(machine)}): pipeline ${f(rep.pipeline)}; bare ${f(rep.bare)}; ratio ×${(rep.pipeline.perSecond / rep.bare.perSecond).toFixed(3)}`,
        );
        log(
          `   by update: ${(['command', 'typed', 'press'] as const).map((k) => `${k} ${byKind[k].p50.toFixed(2)}/${byKind[k].p99.toFixed(2)} ms`).join(', ')} (p50/p99)`,
        );
        log(
          `   workload (warm-up included): ${t.updates} updates (${t.commands} commands, ${t.typed} typed answers, ${t.presses} presses); ` +
            `completed ${JSON.stringify(t.sessionsCompleted)}; ${t.modelsRegistered} models registered, ${t.progressAdded} updates added, ${t.progressEdited} edited; ` +
            `API calls measured: pipeline ${pipeline.apiCalls}, bare ${bare.apiCalls}`,
        );
        const d = (x: DialoguePlay) =>
          `${f(x.figures)}, CPU ${x.cpuPerUpdate.toFixed(3)} ms/update, ${x.callsPerUpdate.toFixed(2)} API calls/update, ${x.registered} registered`;
        log(
          `   /dangky only (${peerFirst ? 'peer first' : 'pipeline first'}; ${dangky.same ? 'the same updates' : 'DIFFERENT updates'}): pipeline ${d(dangky.ours)}; ` +
            `grammY + conversations ${d(dangky.peer)}; ratio ×${(dangky.ours.figures.perSecond / dangky.peer.figures.perSecond).toFixed(2)}`,
        );
        rmSync(dbPath, { force: true });
        rmSync(`${dbPath}-wal`, { force: true });
        rmSync(`${dbPath}-shm`, { force: true });
      }
      const pick = (f: (r: Repetition) => number) => reps.map(f);
      const t = reps[0]!.tally;
      return {
        metrics: [
          { name: 'Pipeline throughput', unit: 'updates/s', runs: pick((r) => r.pipeline.perSecond), goal: { op: '>=', value: 2000 } },
          { name: 'Pipeline p50 per update', unit: 'ms', runs: pick((r) => r.pipeline.p50), digits: 2 },
          { name: 'Pipeline p99 per update', unit: 'ms', runs: pick((r) => r.pipeline.p99), goal: { op: '<=', value: 5 }, digits: 2 },
          { name: 'Pipeline max', unit: 'ms', runs: pick((r) => r.pipeline.max), digits: 1 },
          { name: 'Bare grammY throughput', unit: 'updates/s', runs: pick((r) => r.bare.perSecond) },
          { name: 'Bare grammY p50', unit: 'ms', runs: pick((r) => r.bare.p50), digits: 3 },
          { name: 'Bare grammY p99', unit: 'ms', runs: pick((r) => r.bare.p99), digits: 3 },
          { name: 'Bare grammY max', unit: 'ms', runs: pick((r) => r.bare.max), digits: 1 },
          { name: 'Throughput ratio, pipeline / bare', unit: '×', runs: pick((r) => r.pipeline.perSecond / r.bare.perSecond), digits: 3 },
          { name: 'p99 ratio, pipeline / bare', unit: '×', runs: pick((r) => r.pipeline.p99 / r.bare.p99), digits: 1 },
          { name: 'Commands (p99)', unit: 'ms', runs: pick((r) => r.byKind.command.p99), digits: 2 },
          { name: 'Typed answers (p99)', unit: 'ms', runs: pick((r) => r.byKind.typed.p99), digits: 2 },
          { name: 'Button presses (p99)', unit: 'ms', runs: pick((r) => r.byKind.press.p99), digits: 2 },
          { name: 'Bot API calls per update, pipeline', unit: 'calls', runs: pick((r) => r.pipelineCalls / MEASURED), digits: 2 },
          { name: '/dangky only: pipeline throughput', unit: 'updates/s', runs: pick((r) => r.dangky.ours.figures.perSecond) },
          { name: '/dangky only: pipeline p50', unit: 'ms', runs: pick((r) => r.dangky.ours.figures.p50), digits: 2 },
          { name: '/dangky only: pipeline p99', unit: 'ms', runs: pick((r) => r.dangky.ours.figures.p99), digits: 2 },
          { name: '/dangky only: grammY + conversations throughput', unit: 'updates/s', runs: pick((r) => r.dangky.peer.figures.perSecond) },
          { name: '/dangky only: grammY + conversations p50', unit: 'ms', runs: pick((r) => r.dangky.peer.figures.p50), digits: 2 },
          { name: '/dangky only: grammY + conversations p99', unit: 'ms', runs: pick((r) => r.dangky.peer.figures.p99), digits: 2 },
          {
            name: '/dangky only: throughput ratio, pipeline / conversations',
            unit: '×',
            runs: pick((r) => r.dangky.ours.figures.perSecond / r.dangky.peer.figures.perSecond),
            goal: { op: '>=', value: 1 },
            digits: 2,
          },
          {
            name: '/dangky only: p99 ratio, pipeline / conversations',
            unit: '×',
            runs: pick((r) => r.dangky.ours.figures.p99 / r.dangky.peer.figures.p99),
            goal: { op: '<=', value: 1 },
            digits: 2,
          },
          { name: '/dangky only: process CPU per update, pipeline', unit: 'ms', runs: pick((r) => r.dangky.ours.cpuPerUpdate), digits: 3 },
          { name: '/dangky only: process CPU per update, grammY + conversations', unit: 'ms', runs: pick((r) => r.dangky.peer.cpuPerUpdate), digits: 3 },
          {
            name: '/dangky only: CPU ratio, pipeline / conversations',
            unit: '×',
            runs: pick((r) => r.dangky.ours.cpuPerUpdate / r.dangky.peer.cpuPerUpdate),
            digits: 2,
          },
          { name: '/dangky only: Bot API calls per update, pipeline', unit: 'calls', runs: pick((r) => r.dangky.ours.callsPerUpdate), digits: 2 },
          { name: '/dangky only: Bot API calls per update, grammY + conversations', unit: 'calls', runs: pick((r) => r.dangky.peer.callsPerUpdate), digits: 2 },
          { name: 'Load average (1 min) at the start of the run', unit: 'load', runs: pick((r) => r.load), digits: 2 },
          ...machineMetrics(reps.map((r) => r.machine)),
        ],
        notes: [
          `World: ${world.units.toLocaleString('en')} units, ${world.officers.toLocaleString('en')} officers on Telegram in ${world.groups.length} groups (plus newcomers the bot has not seen), ${world.models.toLocaleString('en')} models, ${world.updates.toLocaleString('en')} progress updates; seeded once in ${(seedMs / 1000).toFixed(1)} s, each run on a fresh copy.`,
          `Run 1's workload, warm-up included: ${t.updates.toLocaleString('en')} updates — ${t.commands} commands, ${t.typed} typed answers, ${t.presses} button presses; sessions completed ${Object.entries(
            t.sessionsCompleted,
          )
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')}; ${t.modelsRegistered} models registered, ${t.progressAdded} progress updates added and ${t.progressEdited} corrected.`,
          `/dangky only, run 1: ${reps[0]!.dangky.ours.registered} models registered by each side in the measured updates; the same updates on both sides in ${reps.filter((r) => r.dangky.same).length} of ${REPEATS} runs.`,
          `Bot clock: ${START}, ${STEP_MS / 1000} s per update. ${REPEATS} runs; the machine is a shared virtual one (load average, reference loop and steal above), so the spread between runs is part of the figure.`,
          `Whole benchmark: ${((performance.now() - wallStart) / 1000).toFixed(0)} s of wall time; median pipeline throughput ${median(pick((r) => r.pipeline.perSecond)).toFixed(0)} updates/s.`,
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
