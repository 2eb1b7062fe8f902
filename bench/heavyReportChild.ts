import { performance } from 'node:perf_hooks';
import { createCore } from '../bot/app.js';
import type { ChatRef, IncomingMessage, Outbound, Reply } from '../core/chat.js';
import { fixedClock } from '../core/clock.js';
import { silentLogger } from '../bot/logger.js';
import { DATASET_NOW } from './nationalDataset.js';
import { seededRandom } from './seededRandom.js';

/**
 * One run of the heavy-report benchmark in a process of its own (its peak RSS is the bot's, with
 * the report thread's inside it). Prints one line of JSON on stdout.
 *
 * usage: node --import tsx bench/heavyReportChild.ts worker|inline <dbPath> <admins> <officers>
 *
 * The core over the national file, as main runs it (WAL checkpointed on a thread). Officers send
 * light commands (/toi, /hanchot, /mohinh) one every ARRIVAL_MS, on a timer, as a busy morning
 * would; after a warm-up, `admins` administrators each ask for the whole country's files at once
 * (`/baocao tep`). Each officer's command is timed from the moment it was due, not from when the
 * bot got round to it: a thread held by a report shows as the wait it causes.
 *
 * worker: the bot as it is (report files made on the report thread, one at a time).
 * inline: the files made in the message handler, as before the report thread (the comparison;
 *   the renderers load on the bot's thread at the first report instead of at start-up).
 */

export interface HeavyFigures {
  /** Officers' commands due from the first /baocao tep until the last file was sent. */
  during: number[];
  /** The admins' own answers: the "being made" line (worker) or the files (inline). */
  ackMs: number[];
  firstFileMs: number;
  lastFileMs: number;
  /** Files delivered to each admin's chat (each should get exactly one message with three files). */
  deliveries: number[];
  startRssMb: number;
  maxRssMb: number;
}

/** 20 commands a second from the others: far more than a deployment's real traffic. */
const ARRIVAL_MS = 50;
const WARMUP_MS = 1500;
const TAIL_MS = 500;

const rssMb = () => process.memoryUsage().rss / 2 ** 20;
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

async function run(mode: 'worker' | 'inline', dbPath: string, admins: number, officers: number): Promise<HeavyFigures> {
  // The code a Zalo deployment's bot/main.ts loads besides the core, though nothing here starts it
  // (main loads a platform's library only when that platform is configured; Zalo is what
  // officials use in 2026, Telegram being blocked in Vietnam).
  await import('../bot/zalo/adapter.js');
  const clock = fixedClock(DATASET_NOW);
  const deliveries = new Map<string, number>();
  let firstFileAt = Number.NaN;
  let lastFileAt = Number.NaN;
  const outbound = (chat: ChatRef): Outbound => ({
    answerMode: 'next-message',
    send: async (reply: Reply) => {
      if (reply.files && reply.files.length > 0) {
        const at = performance.now();
        if (Number.isNaN(firstFileAt)) firstFileAt = at;
        lastFileAt = at;
        deliveries.set(chat.id, (deliveries.get(chat.id) ?? 0) + 1);
      }
      return { messageId: 'x' };
    },
  });
  const core = await createCore({
    dbPath,
    clock,
    log: silentLogger,
    flowTtlMinutes: 60,
    backgroundCheckpoints: true,
    deliver: (chat, reply) => outbound(chat).send(reply),
    reportThread: mode === 'worker',
  });
  try {
    const startRssMb = rssMb();
    let messageId = 1;
    const message = (chat: ChatRef, user: string, text: string): IncomingMessage => ({
      chat,
      sender: { id: user, displayName: user },
      messageId: String(messageId++),
      text,
      mentions: [],
      attachments: [],
      receivedAt: clock.now(),
    });
    const group: ChatRef = { platform: 'console', id: 'Nhóm cán bộ', kind: 'group', title: 'Nhóm cán bộ' };
    const random = seededRandom(7);
    const COMMANDS = ['/toi', '/hanchot', '/mohinh'];
    const officer = () => `officer-${Math.floor(random() * officers)}`;

    // The others' load: every command is due at a fixed instant; a late timer still counts from then.
    const timings: Array<{ due: number; ms: number }> = [];
    const pending = new Set<Promise<void>>();
    let stopped = false;
    let nextDue = performance.now();
    const fire = (due: number) => {
      const handling = core.dispatcher
        .handle(message(group, officer(), COMMANDS[Math.floor(random() * COMMANDS.length)]!), outbound(group))
        .then(() => void timings.push({ due, ms: performance.now() - due }));
      pending.add(handling);
      void handling.finally(() => pending.delete(handling));
    };
    const tick = () => {
      for (const now = performance.now(); nextDue <= now; nextDue += ARRIVAL_MS) fire(nextDue);
      if (!stopped) setTimeout(tick, Math.max(0, nextDue - performance.now()));
    };
    tick();
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));

    const askedAt = performance.now();
    const ackMs: number[] = [];
    const asks = Array.from({ length: admins }, (_, i) => {
      const name = `admin-${i}`;
      const chat: ChatRef = { platform: 'console', id: `private:${name}`, kind: 'private', title: name };
      const start = performance.now();
      return core.dispatcher.handle(message(chat, name, '/baocao tep'), outbound(chat)).then(() => void ackMs.push(performance.now() - start));
    });
    await Promise.all(asks);
    await core.reports?.idle();
    const doneAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, TAIL_MS));
    stopped = true;
    await Promise.all(pending);

    return {
      during: timings.filter((t) => t.due >= askedAt && t.due <= doneAt).map((t) => t.ms),
      ackMs,
      firstFileMs: firstFileAt - askedAt,
      lastFileMs: lastFileAt - askedAt,
      deliveries: Array.from({ length: admins }, (_, i) => deliveries.get(`private:admin-${i}`) ?? 0),
      startRssMb,
      maxRssMb: maxRssMb(),
    };
  } finally {
    await core.reports?.stop();
    core.close();
  }
}

const [mode, dbPath, admins, officers] = process.argv.slice(2);
if ((mode === 'worker' || mode === 'inline') && dbPath && Number(admins) > 0 && Number(officers) > 0) {
  process.stdout.write(`${JSON.stringify(await run(mode, dbPath, Number(admins), Number(officers)))}\n`);
} else {
  process.stderr.write('usage: heavyReportChild.ts worker|inline <dbPath> <admins> <officers>\n');
  process.exitCode = 2;
}
