import { performance } from 'node:perf_hooks';
import { LOGIN_BUDGET } from '../bot/zalo/supervisor.js';
import { describeMachine, type MachineState, machineMetrics, watchMachine } from './machineState.js';
import type { Benchmark } from './benchmark.js';
import { type SoakPlan, soakPlan } from './zaloSoakPlan.js';
import { type SoakFigures, SoakWorld } from './zaloSoakWorld.js';

/**
 * Issue 17 ("Zalo is where the officials are"): one simulated week of a province group through
 * the real zca-js 2.2.0 on the fake Zalo network, with the bot wired as main wires it, on
 * simulated time (bench/zaloSoakWorld.ts; the week itself: bench/zaloSoakPlan.ts).
 */

/** A Monday, midnight in Vietnam. */
export const START = '2026-03-09T00:00:00+07:00';
const DAY_MS = 24 * 60 * 60_000;
/** After the week: no more events, the bot's own timers run this much longer (sends, reopens). */
const DRAIN_MS = 15 * 60_000;
/** Real ms an upload waits for its file_done (production: 20 s of real time; see the notes). */
const FILE_DONE_WAIT_MS = 3_000;

export interface SoakOptions {
  days: number;
  messages: number;
  seed: number;
  /** The two "opened elsewhere" frames, unless given (none for a short smoke run). */
  kicks?: Parameters<typeof soakPlan>[0]['kicks'];
  log?: (line: string) => void;
}

export interface SoakRun {
  plan: Omit<SoakPlan, 'events'>;
  figures: SoakFigures;
  trace: string[];
  /** Real ms the driver spent waiting for the process to go quiet. */
  settleMs: number;
  wallMs: number;
  simulatedDays: number;
}

export async function soakOnce(options: SoakOptions): Promise<SoakRun> {
  const wallStart = performance.now();
  const start = new Date(START).getTime();
  const { events, ...plan } = soakPlan({ start, days: options.days, messages: options.messages, seed: options.seed, kicks: options.kicks });
  const world = await SoakWorld.create({ start, fileDoneWaitMs: FILE_DONE_WAIT_MS });
  try {
    // Day by day, to say how far it got.
    for (let day = 1; day <= Math.ceil(options.days); day++) {
      const until = Math.min(start + day * DAY_MS, start + options.days * DAY_MS);
      await world.play(
        events.filter((e) => e.at >= until - DAY_MS && e.at < until),
        until,
      );
      options.log?.(
        `day ${day}: ${world.delivered.size} messages, ${world.zalo.connections.length} sockets, ${world.loginTimes.length} logins, ` +
          `${world.zalo.sent.length} sends, wall ${((performance.now() - wallStart) / 1000).toFixed(0)} s`,
      );
    }
    await world.play([], start + options.days * DAY_MS + DRAIN_MS);
    await world.finish();
    return { plan, figures: world.figures(), trace: world.trace, settleMs: world.settleMs, wallMs: performance.now() - wallStart, simulatedDays: options.days };
  } finally {
    await world.close();
  }
}

/** Simulated ms the supervisor waited in back-offs of 5 minutes or more (only logins wait that long). */
function loginWaitMs(waits: Record<string, number>): number {
  return Object.entries(waits).reduce((sum, [ms, n]) => (Number(ms) >= 5 * 60_000 ? sum + Number(ms) * n : sum), 0);
}

const DAYS = 7;
const MESSAGES = 5_000;
const SEED = 17;

export const zaloSoak: Benchmark = {
  id: 'zalo-soak',
  title: 'Zalo soak: one simulated week of a province group (issue 17)',
  description: [
    `One simulated week (${DAYS} days from ${START}) of a province Zalo group and some private chats, through zca-js 2.2.0's real login, listener,`,
    'sendMessage and uploadAttachment against the fake Zalo network (tests/bot/zalo/fakeZalo), with the bot wired as main wires it: createCore over a SQLite file,',
    'the ZaloAdapter (supervisor, missed-message recovery, file_done relay) and the production send queue (1.2 s between sends), on simulated time.',
    `${MESSAGES.toLocaleString('en')} messages: chatter, /dangky conversations every few minutes in office hours (some with wrong answers, some abandoned), other commands,`,
    '/baocao excel now and then (its file_done after the upload’s answer, before it, or lost in a socket drop). Meanwhile Zalo drops the socket (1006) about every',
    '60 s plus random extra 1006s, turns some reopens away (a new login follows), and twice sends cmd 3000 ("opened elsewhere"): the bot stops for good, main exits,',
    'and the operator restarts it minutes later (a new core and adapter over the same database). Messages sent while no socket was open come back through Zalo’s',
    'history (old_messages). Lost = a message the fake delivered that no handler of a running bot got; handled twice = a message id the handler got more than once.',
  ].join(' '),
  async run({ log }) {
    const machine = watchMachine();
    const run = await soakOnce({ days: DAYS, messages: MESSAGES, seed: SEED, log });
    const state: MachineState = machine();
    const f = run.figures;
    log(`${describeMachine(state)}; wall ${(run.wallMs / 1000).toFixed(0)} s`);
    log(`figures: ${JSON.stringify({ ...f, warnings: undefined })}`);
    log(`warnings: ${JSON.stringify(f.warnings)}`);
    for (const id of [...f.lostNeverReceived, ...f.lostToClosedProcess].slice(0, 20)) log(`lost: ${id}`);
    const one = (value: number) => [value];
    const lost = f.lostNeverReceived.length + f.lostToClosedProcess.length;
    return {
      metrics: [
        { name: 'Messages delivered by the fake', unit: 'messages', runs: one(f.delivered), goal: { op: '==', value: MESSAGES } },
        { name: 'Of which while no socket was open (recovered from history)', unit: 'messages', runs: one(f.deliveredWhileAway) },
        { name: 'Messages lost', unit: 'messages', runs: one(lost), goal: { op: '==', value: 0 } },
        { name: 'Messages handled twice', unit: 'messages', runs: one(f.handledTwice.length), goal: { op: '==', value: 0 } },
        { name: 'Duplicate files', unit: 'file messages', runs: one(f.duplicateFiles), goal: { op: '==', value: 0 } },
        { name: 'Logins in any rolling hour, at most', unit: 'logins', runs: one(f.mostLoginsInAnHour), goal: { op: '<=', value: LOGIN_BUDGET } },
        { name: 'Smallest gap between two sends at the fake', unit: 'simulated ms', runs: one(f.minSendGapMs), goal: { op: '>=', value: 1200 } },
        { name: 'Time without an open socket', unit: 'simulated h', runs: one(f.awayMs / 3_600_000), digits: 1 },
        { name: 'Longest stretch without an open socket', unit: 'simulated min', runs: one(f.longestAwayMs / 60_000), digits: 1 },
        { name: 'Longest wait from a message to its handler', unit: 'simulated s', runs: one(f.longestWaitMs / 1000) },
        { name: 'Same, 99th percentile', unit: 'simulated s', runs: one(f.p99WaitMs / 1000) },
        { name: 'Messages handled more than a minute after they were sent', unit: 'messages', runs: one(f.waitedOverAMinute) },
        { name: 'Log lines holding the Zalo session cookie', unit: 'lines', runs: one(f.logLinesWithCookie), goal: { op: '==', value: 0 } },
        { name: 'Sends (texts and file messages)', unit: 'messages', runs: one(f.sends) },
        { name: 'Logins', unit: 'logins', runs: one(f.logins) },
        { name: 'Sockets opened', unit: 'sockets', runs: one(f.sockets) },
        { name: 'Socket upgrades refused', unit: 'sockets', runs: one(f.refusedSockets) },
        { name: 'Drops (regular, extra 1006, under an upload)', unit: 'drops', runs: one(f.drops + f.extra1006 + f.scriptedDrops) },
        { name: 'Restarts after "opened elsewhere"', unit: 'restarts', runs: one(f.restarts) },
        { name: '/baocao excel asked', unit: 'requests', runs: one(f.fileRequests) },
        { name: 'Report files posted (once each)', unit: 'files', runs: one(f.filesPosted) },
        { name: 'Report files not posted (the asker told)', unit: 'files', runs: one(f.filesNotSent) },
        { name: 'Registrations saved', unit: 'models', runs: one(f.registrationsSaved) },
        { name: 'Wall time', unit: 's', runs: one(run.wallMs / 1000) },
        ...machineMetrics([state]),
      ],
      notes: [
        `One repetition (a run takes minutes); seed ${SEED}, the same week every run. Messages: ${run.plan.parts.dangky} in ${run.plan.dangky} /dangky conversations ` +
          `(a new one every ${run.plan.dangkyEveryMin.toFixed(1)} min, median, on weekdays 8–17h), ${run.plan.parts.chatter} chatter, ${run.plan.parts.command} other commands, ` +
          `${run.plan.parts.report} /baocao excel; ${f.privateMessages} of them in private chats.`,
        `Connection: ${f.drops} regular drops (${run.plan.refusedReopens} reopens planned to be turned away), ${f.extra1006} extra 1006s, ${f.scriptedDrops} drops under an upload, ` +
          `${f.skippedDrops} drops and 1006s that found no open socket; ${f.keepAlives} keepAlives; stops: ${f.stops.join(', ') || 'none'}. ` +
          `The supervisor's waits before reopening or logging in (ms × times): ${Object.entries(f.reconnectWaits)
            .map(([ms, n]) => `${ms} × ${n}`)
            .join(', ')}.`,
        `Lost: ${f.lostNeverReceived.length} never reached a handler, ${f.lostToClosedProcess.length} reached only a process whose database was already closed. ` +
          `${f.deliveredWhileStopped} messages were sent while the bot was stopped ("opened elsewhere" until the restart); ${f.handledAfterRestart} of them were handled by the restarted bot.`,
        `Report files by file_done timing: after ${f.filesByTiming.after}, before ${f.filesByTiming.before}, lost in a drop ${f.filesByTiming.lost}; ` +
          `${f.fileDeliveries} file replies, ${f.filesPosted} posted, ${f.filesNotSent} not posted (the asker told).`,
        `History: ${f.historyRequests} old-messages requests; ${f.historyUnanswered} not answered within the adapter's wait; ${f.possiblyLostSpans} spans logged as possibly lost.`,
        `Of the ${(f.awayMs / 3_600_000).toFixed(1)} h without an open socket, ${(loginWaitMs(f.reconnectWaits) / 3_600_000).toFixed(1)} h were the supervisor's waits ` +
          `of 5 minutes or more before a new login (LOGIN_BACKOFF_MS after reopens Zalo turned away); the rest, reopens (2–60 s), logins and the two restarts. ` +
          `The messages of those minutes come back from Zalo's history, late (the waits above).`,
        `Simulated time: the supervisor's back-offs, the queue's pacing, the missed-message waits and the watchdog tick are simulated timers; real work (sockets, ` +
          `WebCrypto, the report thread, an upload waiting for its file_done) runs in real time, and meanwhile the week goes on at most 20 simulated seconds. ` +
          `The upload's file_done wait is ${FILE_DONE_WAIT_MS} real ms instead of 20 s; Zalo's pace limit (221) is not simulated, and the fake's history holds ` +
          `the people's messages only (not the bot's own).`,
        `Harness checks: ${f.protocolErrors} protocol errors, ${f.unknownRequests} unknown requests, ${f.gateOverruns} real-work overruns, ${f.settleOverruns} settle overruns, ` +
          `${f.handlerFailures} handler failures logged; ${(run.settleMs / 1000).toFixed(0)} s of the wall time went to waiting for the process to go quiet between steps.`,
      ],
    };
  },
};
