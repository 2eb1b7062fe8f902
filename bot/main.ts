import { vietnameseCli } from './cli/vietnameseCli.js';
import { COMMANDS } from '../commands/index.js';
import { backupDir } from '../db/backup.js';
import { DEMO_GROUP, DEMO_PEOPLE, demoSeededAt, seedDemo } from '../db/seed/demo.js';
import { syncCalendarDeadlines, UnknownDeadlineUnit } from '../db/deadlines.js';
import { CalendarConfigError, type CalendarConfig, loadCalendar } from '../scheduler/calendarConfig.js';
import { DaysOff } from '../scheduler/daysOff.js';
import { backupJob } from '../scheduler/backupJob.js';
import { evidenceDirFor } from '../db/evidenceStore.js';
import { evidenceJob } from '../scheduler/evidenceJob.js';
import { forgetDeliveriesJob } from '../scheduler/forgetDeliveries.js';
import { retentionJob } from '../scheduler/retentionJob.js';
import { tetBreakWarningJob } from '../scheduler/tetBreakWarning.js';
import { lapsedConversationsJob } from '../scheduler/lapsedConversations.js';
import { leaderDigestJob } from '../scheduler/leaderDigest.js';
import { ReminderSender } from '../scheduler/reminderSender.js';
import { remindersJob } from '../scheduler/remindersJob.js';
import { type Job, Ticker } from '../scheduler/ticker.js';
import { alertAdmins, reportZaloStopped } from './adminAlert.js';
import { createCore } from './app.js';
import { type ChatAdapter, type Deliver, type IncomingHandler, type Platform, PlatformRefusedError, sendRatesOf } from '../core/chat.js';
import { type Clock, fixedClock, formatVnDateTime, type SettableClock, settableClock, systemClock } from '../core/clock.js';
import { loadConfigOrSay, zaloOaSettings } from './config.js';
import { EXIT_FAILURE, EXIT_TEMPFAIL, refusalOutcome, refusedLine } from './platformRefusal.js';
import { ConsoleAdapter } from './console/adapter.js';
import { consoleAttachmentFetcher } from './console/download.js';
import type { AttachmentFetchers } from './attachmentFetch.js';
import { DEMO_DB_PATH, demoEvidenceDir, removeDemoFiles } from './demoFiles.js';
import { createLogger } from './logger.js';
import { CommandLimiter } from './commandLimiter.js';
import { isDatabaseBusy } from './dispatch.js';
import { ProcessStatus } from './status.js';

const DATABASE_LOCKED = 'Cơ sở dữ liệu đang bị một tiến trình khác giữ khóa quá lâu nên bot chưa khởi động được. Bot dừng để chạy lại sau ít giây.';

const NO_PLATFORM_IN_PRODUCTION =
  'Chưa cấu hình nền tảng nào: hãy đặt TELEGRAM_BOT_TOKEN, ZALO_CREDENTIALS hoặc các biến ZALO_OA_* trong tệp môi trường. Khi NODE_ENV=production bot không chạy trình mô phỏng.';

/** Wiring only: configuration, the core, the adapters, and a clean shutdown. */
async function main(argv: string[]): Promise<number> {
  const cli = vietnameseCli('dvk-bot')
    .description('Bot "Dân vận khéo" cho nhóm chat Telegram và Zalo')
    .option(
      '--demo',
      'dựng lại dữ liệu mẫu tỉnh Hà Tĩnh năm 2026 (Ban Tuyên giáo và Dân vận, các sở, Mặt trận và đoàn thể, các xã, phường, người dùng, mô hình) trong ./data/demo.sqlite',
    )
    .parse(argv);
  const options = cli.opts<{ demo?: boolean }>();

  const config = loadConfigOrSay();
  if (!config) return 2;
  // A service with no platform is an env file that was not read, not a wish for the simulator:
  // that would read an empty stdin and exit 0 without a word, and systemd would not restart it.
  const zaloOa = zaloOaSettings(config);
  const anyPlatform = Boolean(config.TELEGRAM_BOT_TOKEN || config.ZALO_CREDENTIALS || zaloOa);
  if (!anyPlatform && config.NODE_ENV === 'production') {
    process.stderr.write(`${NO_PLATFORM_IN_PRODUCTION}\n`);
    return 2;
  }

  let calendar: CalendarConfig;
  try {
    calendar = loadCalendar(config.DVK_CALENDAR);
  } catch (error) {
    if (error instanceof CalendarConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const startClock: Clock = config.DVK_NOW ? fixedClock(config.DVK_NOW) : systemClock;
  // The simulator's clock moves forward on a script's `⏰` lines (a year played in one session);
  // a platform's never does.
  const simulatorClock: SettableClock | undefined = anyPlatform ? undefined : settableClock(startClock);
  const clock: Clock = simulatorClock ?? startClock;
  // The demo never writes into the real database unless DB_PATH says so explicitly. Without
  // DB_PATH it owns its files and rebuilds them on every run, for the instant it runs at.
  const demoOwnFiles = Boolean(options.demo) && !process.env.DB_PATH;
  const dbPath = demoOwnFiles ? DEMO_DB_PATH : config.DB_PATH;
  const evidenceDir = config.DVK_EVIDENCE_DIR ?? (demoOwnFiles ? demoEvidenceDir(dbPath) : evidenceDirFor(dbPath));
  // An evidence folder named in DVK_EVIDENCE_DIR may hold someone else's files: only the demo's own is wiped.
  if (demoOwnFiles) removeDemoFiles(dbPath, config.DVK_EVIDENCE_DIR ? undefined : evidenceDir);

  // In the simulator, logs would interleave with the conversation on the terminal: "warn" there
  // unless asked otherwise; on a platform, "info".
  const simulator = !anyPlatform;
  const log = createLogger(config.LOG_LEVEL ?? (simulator ? 'warn' : 'info'));

  // Notices to other chats go through the adapter of the chat's platform.
  const adapters = new Map<Platform, ChatAdapter>();
  const deliver: Deliver = (chat, reply) => {
    const adapter = adapters.get(chat.platform);
    return adapter ? adapter.send(chat, reply) : Promise.reject(new Error(`no adapter for ${chat.platform}`));
  };
  // What /trangthai reads: the adapters' connections, the scheduler's last tick, the database file.
  const status = new ProcessStatus({ adapters, dbPath, clock });
  // How to download what people send, per platform: filled in below, with each platform.
  const fetchers: AttachmentFetchers = {};
  const core = await createCore({
    dbPath,
    clock,
    log,
    flowTtlMinutes: config.DVK_FLOW_TTL_MINUTES,
    deliver,
    status,
    // Real time even under DVK_NOW (a frozen demo clock would never refill); none in the simulator,
    // where one operator types for everybody.
    commandLimiter: simulator ? undefined : new CommandLimiter(systemClock),
    policy: {
      adminMayDecideOwn: config.DVK_ADMIN_SELF_DECISION,
      dataProtectionContact: config.DVK_DATA_PROTECTION_CONTACT,
      retentionMonths: config.DVK_RETENTION_MONTHS,
    },
    backgroundCheckpoints: true,
    evidence: { dir: evidenceDir, maxBytes: config.DVK_EVIDENCE_MAX_MB * 1024 * 1024, fetchers },
  });
  if (options.demo) {
    // A database named in DB_PATH is never wiped: the demo is seeded into it once and played on.
    // Seeded at a later instant than now, it would show history in the future: refuse instead.
    const seededAt = demoSeededAt(core.database.db);
    if (seededAt !== null && seededAt > clock.now().getTime()) {
      process.stderr.write(`${demoFromTheFuture(dbPath, new Date(seededAt), clock.now())}\n`);
      core.close();
      return 2;
    }
    const { seeded } = seedDemo(core.database.db, clock.now());
    log.info({ dbPath, seeded }, 'demo data ready');
  }
  try {
    const synced = syncCalendarDeadlines(core.database.db, calendar.deadlines, clock.now());
    log.info({ calendar: config.DVK_CALENDAR, ...synced }, 'calendar loaded');
  } catch (error) {
    if (!(error instanceof UnknownDeadlineUnit)) throw error;
    process.stderr.write(`Tệp lịch ${config.DVK_CALENDAR}: ${error.message}\n`);
    core.close();
    return 2;
  }
  const daysOff = new DaysOff(calendar.daysOff, calendar.workingDays);

  // Each platform's library is loaded only when that platform is configured: grammY and zca-js
  // cost tens of megabytes a process that does not use them should not carry (most deployments
  // run Zalo alone, Telegram being blocked in Vietnam since mid-2025).
  if (config.TELEGRAM_BOT_TOKEN) {
    const [{ TelegramAdapter }, { telegramAttachmentFetcher }] = await Promise.all([import('./telegram/adapter.js'), import('./telegram/download.js')]);
    fetchers.telegram = telegramAttachmentFetcher({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT });
    adapters.set(
      'telegram',
      new TelegramAdapter({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        hooks: core.hooks,
        log,
        commands: COMMANDS.filter((c) => c.listed !== false),
      }),
    );
  }
  if (config.ZALO_CREDENTIALS) {
    const [{ ZaloAdapter }, { loginFromCredentials }, { ZaloSessionSaver }, { zaloAttachmentFetcher }] = await Promise.all([
      import('./zalo/adapter.js'),
      import('./zalo/login.js'),
      import('./zalo/sessionSaver.js'),
      import('./zalo/download.js'),
    ]);
    const credentialsPath = config.ZALO_CREDENTIALS;
    fetchers.zalo = zaloAttachmentFetcher();
    adapters.set(
      'zalo',
      new ZaloAdapter({
        login: () => loginFromCredentials(credentialsPath),
        hooks: core.hooks,
        log,
        session: new ZaloSessionSaver(credentialsPath, log),
        // Zalo stopped for good (opened elsewhere, the saved login refused, too many logins): the
        // log says it at error level, and the admins hear it on Telegram if it runs.
        onStopped: async (stop) => {
          await reportZaloStopped({ db: core.database.db, deliver, log }, stop, {
            telegram: adapters.has('telegram'),
            zaloOa: adapters.has('zalo-oa'),
            credentialsPath,
          });
        },
      }),
    );
  }
  // Jobs a platform brings to the scheduler (the OA's token refresh and group renewals).
  const platformJobs: Job[] = [];
  if (zaloOa) {
    const oa = await import('./zalo-oa/wiring.js');
    const route = oa.zaloOaRoute({
      settings: zaloOa,
      db: core.database.db,
      dbPath,
      clock,
      hooks: core.hooks,
      log,
      // The admins hear it privately on the other routes, and on the OA's own private chats when
      // the alert is not about the OA failing to send (a group's renewal).
      alert: async (text, { oaCanSend = false } = {}) => {
        const others = [...adapters.keys()].filter((p) => p !== 'console' && (p !== 'zalo-oa' || oaCanSend));
        let told = 0;
        for (const platform of others) told += await alertAdmins({ db: core.database.db, deliver, log }, platform, text);
        log.error({ toldAdmins: told, alert: text }, 'zalo-oa: an operator must act');
      },
    });
    const { zaloAttachmentFetcher } = await import('./zalo/download.js');
    fetchers['zalo-oa'] = zaloAttachmentFetcher();
    adapters.set('zalo-oa', route.adapter);
    platformJobs.push(...route.jobs);
  }
  if (adapters.size === 0) {
    // `📎 anh.jpg` names a file where the operator typed `npm start`.
    fetchers.console = consoleAttachmentFetcher(process.env.INIT_CWD ?? process.cwd());
    adapters.set(
      'console',
      new ConsoleAdapter({
        input: process.stdin,
        output: process.stdout,
        outDir: config.DVK_OUT_DIR,
        clock,
        interactive: Boolean(process.stdin.isTTY),
        notices: process.stderr,
        // A `⏰` line: what the bot would have done at that instant, done before the next line:
        // one tick of the jobs at the new instant (not every minute in between), then the
        // reminders it made due. `ticker` and `sender` exist by the time the first line is read.
        onTime: async (now) => {
          // Never behind the clock, even by the milliseconds a running clock moved since the check.
          simulatorClock?.set(new Date(Math.max(now.getTime(), clock.now().getTime())));
          await ticker.tickNow();
          await sender.drain();
        },
        // With the demo, start as one of its people so the first /huongdan shows real commands.
        ...(options.demo
          ? {
              group: DEMO_GROUP,
              person: DEMO_PEOPLE.officer,
              bannerNote: `Dữ liệu mẫu: bạn đang là ${DEMO_PEOPLE.officer} (cán bộ đầu mối); thử thêm ${DEMO_PEOPLE.leader} (lãnh đạo), ${DEMO_PEOPLE.admin} (quản trị).`,
            }
          : {}),
      }),
    );
  }

  // Each platform's pace is what its adapter declares.
  const sender = new ReminderSender({ db: core.database.db, deliver, log, clock, daysOff, quiet: calendar.quietHours, limits: sendRatesOf(adapters.values()) });

  /** What the process tells its supervisor when it ends (the codes above). */
  let exitCode = 0;
  let stopping = false;
  const shutdown = (why: { signal: string } | { platform: Platform; refused: number }) => {
    if (stopping) return;
    stopping = true;
    log.info(why, 'shutting down');
    void sender.stop();
    for (const adapter of adapters.values()) void adapter.stop();
    // If something still holds the process after a grace period (a platform call retrying
    // against an unreachable server), leave anyway: the database is safe at every commit.
    setTimeout(() => {
      log.warn('shutdown took too long; exiting');
      process.exit(exitCode);
    }, 10_000).unref();
  };
  process.once('SIGINT', () => shutdown({ signal: 'SIGINT' }));
  process.once('SIGTERM', () => shutdown({ signal: 'SIGTERM' }));

  const ticker = new Ticker({
    clock,
    log,
    jobs: [
      // On working days, each leaders' group hears once what waits for its leaders (registrations,
      // proposals). Before the reminders, whose sending runs in the background: a scripted
      // simulator session then always prints the two in the same order.
      leaderDigestJob({ db: core.database.db, daysOff, quiet: calendar.quietHours, deliver, reachable: (chat) => adapters.has(chat.platform), log }),
      remindersJob({ db: core.database.db, daysOff, quiet: calendar.quietHours, sender, log }),
      lapsedConversationsJob({ db: core.database.db, lapseNotice: (...args) => core.conversations.lapseNotice(...args), deliver, log }),
      forgetDeliveriesJob({ db: core.database.db, log }),
      // People who left (no unit, no role) are removed once DVK_RETENTION_MONTHS have passed (Law 91/2025).
      retentionJob({ db: core.database.db, months: config.DVK_RETENTION_MONTHS, log }),
      // In November, the admins hear when next year's Tết break is missing from the calendar file.
      tetBreakWarningJob({
        db: core.database.db,
        daysOff,
        quiet: calendar.quietHours,
        calendarPath: config.DVK_CALENDAR,
        log,
        alert: async (text) => {
          for (const platform of adapters.keys()) await alertAdmins({ db: core.database.db, deliver, log }, platform, text);
        },
      }),
      ...platformJobs,
      ...(core.evidence ? [evidenceJob({ evidence: core.evidence, log })] : []),
      // Nightly backups of a real deployment; the simulator and the demo hold nothing to keep.
      ...(simulator || options.demo
        ? []
        : [
            backupJob({
              database: core.database,
              dir: backupDir(dbPath, config.DVK_BACKUP_DIR),
              keep: config.DVK_BACKUP_KEEP,
              at: config.DVK_BACKUP_TIME,
              log,
            }),
          ]),
    ],
  });
  status.ticker = ticker;
  ticker.start();
  // Catch up at once on what came due while the process was down (reminders still useful).
  const catchUp = ticker.tick();
  // The simulator takes one line at a time: a file it was just given is kept (or found missing)
  // before the next line, so a scripted session prints the same cards on every run.
  const handle: IncomingHandler = simulator
    ? async (message, outbound) => {
        await core.dispatcher.handle(message, outbound);
        await core.evidence?.idle();
      }
    : core.dispatcher.handle;

  try {
    // Each platform runs on its own; one failing does not stop the others (the process then
    // ends with status 1 once they are done), unless the platform refuses the bot itself.
    const running = [...adapters.values()].map((adapter) =>
      adapter.start(handle).catch((error: unknown) => {
        log.error({ err: error, platform: adapter.platform }, 'adapter stopped');
        if (!(error instanceof PlatformRefusedError)) {
          exitCode ||= EXIT_FAILURE;
          return;
        }
        process.stderr.write(`${refusedLine(error)}\n`);
        const others = [...adapters.values()].filter((a) => a !== adapter && a.status?.().state !== 'stopped').map((a) => a.platform);
        const outcome = refusalOutcome(error, others);
        if (outcome.kind === 'carry-on') {
          for (const platform of others) void alertAdmins({ db: core.database.db, deliver, log }, platform, outcome.alert);
          return;
        }
        // A revoked token with nothing else running, or a second poller: the whole process ends
        // (cleanly) and says why, so that systemd or Docker acts on its exit code instead of
        // keeping a deaf bot.
        exitCode ||= outcome.code;
        shutdown({ platform: adapter.platform, refused: error.code });
      }),
    );
    // Every adapter is taking messages (or connecting): what the start-up benchmark times (bench/startup.ts).
    log.info({ platforms: [...adapters.keys()] }, 'ready');
    await Promise.all(running);
  } finally {
    await ticker.stop();
    await catchUp;
    // A scripted simulator session (input piped in) sees the reminders due at DVK_NOW before it ends.
    if (simulator) await sender.drain();
    await sender.stop();
    // Reports still being made: a scripted simulator session that reached its end gets its files;
    // after a signal, each person waiting is told (the platforms still send) and the thread ends.
    await core.reports?.stop({ finish: simulator && !stopping });
    core.close();
  }
  return exitCode;
}

function demoFromTheFuture(dbPath: string, seededAt: Date, now: Date): string {
  return (
    `Tệp ${dbPath} đã có dữ liệu mẫu nạp lúc ${formatVnDateTime(seededAt)}, muộn hơn thời điểm bot đang chạy (${formatVnDateTime(now)}): ` +
    'lịch sử mô hình sẽ có các mốc ở tương lai. Hãy chọn tệp DB_PATH khác, hoặc bỏ DB_PATH để bot tự dựng lại dữ liệu mẫu trong ./data/demo.sqlite.'
  );
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Start-up waited its busy timeout for another process's lock (db/client.ts): try again later.
    if (isDatabaseBusy(error)) {
      process.stderr.write(`${DATABASE_LOCKED}\n`);
      process.exitCode = EXIT_TEMPFAIL;
      return;
    }
    process.stderr.write(`dvk-bot stopped: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
