import type { Logger } from 'pino';
import { COMMANDS, FLOWS } from '../commands/index.js';
import { FALLBACK_AUTOCHECKPOINT_PAGES, WalCheckpointer } from '../db/checkpointer.js';
import { type AppDatabase, openDatabase } from '../db/client.js';
import { markChatGone, migrateChat } from '../db/chats.js';
import { ensureDefaults } from '../db/defaults.js';
import { firstDelivery } from '../db/inbound.js';
import { handledUntil, saveHandledUntil } from '../db/inboundWatermark.js';
import { attachReportQueue, ReportQueue } from '../reports/reportQueue.js';
import { attachEvidence } from '../db/evidence.js';
import { EvidenceStore, evidenceDirFor } from '../db/evidenceStore.js';
import type { AttachmentFetchers } from './attachmentFetch.js';
import { EvidenceKeeper } from './evidenceKeeper.js';
import type { AdapterHooks, Deliver } from '../core/chat.js';
import type { Command, DecisionPolicy } from '../commands/shared/command.js';
import type { CommandLimiter } from './commandLimiter.js';
import type { Clock } from '../core/clock.js';
import { ConversationEngine } from './conversation.js';
import { Dispatcher } from './dispatch.js';
import type { Flow } from '../commands/shared/flow.js';
import type { StatusSource } from '../commands/shared/status.js';

/** The platform-neutral core: database, conversation engine and dispatcher, wired once. */
export interface Core {
  database: AppDatabase;
  /** What adapters report about the platform's own life, kept in the database. */
  hooks: AdapterHooks;
  conversations: ConversationEngine;
  dispatcher: Dispatcher;
  clock: Clock;
  log: Logger;
  /**
   * /baocao files, made on a thread of their own (reports/reportQueue.ts); none over an in-memory
   * database. close() ends it at once; `await reports.stop()` first tells whoever still waits for a
   * file (main does, while the platforms can still deliver).
   */
  reports: ReportQueue | undefined;
  /**
   * Copies of the photos and files sent with updates (bot/evidenceKeeper.ts), fetched in the
   * background; tests `await evidence.idle()`. None over an in-memory database without a folder.
   */
  evidence: EvidenceKeeper | undefined;
  close(): void;
}

export interface CoreOptions {
  dbPath: string;
  clock: Clock;
  log: Logger;
  flowTtlMinutes: number;
  /** Sends to chats other than the one being answered (resolved per platform by main). */
  deliver: Deliver;
  /** Tests may run the core with extra commands and flows. */
  commands?: readonly Command[];
  flows?: readonly Flow[];
  /** Per-person command rate limit (main gives one on the chat platforms, over real time). */
  commandLimiter?: CommandLimiter;
  /** How long a write waits for another writer's lock before failing (SQLite busy_timeout). */
  busyTimeoutMs?: number;
  /** What /trangthai reads about the process (adapters, scheduler); main passes a ProcessStatus. */
  status?: StatusSource;
  /** Deployment rules from the configuration (bot/config.ts); absent: DEFAULT_POLICY. */
  policy?: DecisionPolicy;
  /**
   * Checkpoint the write-ahead log on a worker thread (db/checkpointer.ts) instead of in the
   * middle of a message's handling. The running bot does; tests and tools need not.
   */
  backgroundCheckpoints?: boolean;
  /** From this weight a report is heavy (announced, one per person, behind light ones); tests lower it (default HEAVY_REPORT_ROWS). */
  heavyReportRows?: number;
  /** false: report files are made in the message handler, as before the report thread (the benchmark's comparison). */
  reportThread?: boolean;
  /**
   * The evidence keeper: its folder (default `evidence/` beside the database file), the largest file
   * kept, and how to download on each platform. The map may be filled after the core is made
   * (main loads each platform's library later); a platform without a fetcher leaves its attachments waiting.
   */
  evidence?: { dir?: string; maxBytes?: number; fetchers?: AttachmentFetchers };
}

export async function createCore(options: CoreOptions): Promise<Core> {
  const { clock, log } = options;
  const database = await openDatabase(options.dbPath, { clock, busyTimeoutMs: options.busyTimeoutMs });
  if (database.backupPath) log.info({ backup: database.backupPath }, 'database backed up before migrations');
  let checkpointer: WalCheckpointer | undefined;
  if (options.backgroundCheckpoints && database.path !== ':memory:') {
    database.sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    checkpointer = new WalCheckpointer(database.path, log);
  }
  ensureDefaults(database.db, clock.now());
  // A second connection on another thread cannot open an in-memory database: files made inline.
  const reports =
    database.path === ':memory:' || options.reportThread === false
      ? undefined
      : new ReportQueue({ dbPath: database.path, log, heavyRows: options.heavyReportRows });
  if (reports) attachReportQueue(database.db, reports);
  const evidenceDir = options.evidence?.dir ?? (database.path === ':memory:' ? undefined : evidenceDirFor(database.path));
  const evidence = evidenceDir
    ? new EvidenceKeeper({
        db: database.db,
        store: new EvidenceStore(evidenceDir, options.evidence?.maxBytes),
        fetchers: options.evidence?.fetchers ?? {},
        clock,
        log,
      })
    : undefined;
  if (evidence) {
    attachEvidence(database.db, evidence);
    // What waited when the process stopped (or was saved before this release) is fetched now.
    evidence.wake();
  }
  const conversations = new ConversationEngine({
    db: database.db,
    clock,
    flows: options.flows ?? FLOWS,
    ttlMinutes: options.flowTtlMinutes,
    deliver: options.deliver,
    log,
  });
  const dispatcher = new Dispatcher({
    db: database.db,
    clock,
    commands: options.commands ?? COMMANDS,
    conversations,
    deliver: options.deliver,
    log,
    status: options.status,
    policy: options.policy,
    commandLimiter: options.commandLimiter,
  });
  const db = database.db;
  const hooks: AdapterHooks = {
    firstDelivery: (platform, key) => firstDelivery(db, platform, key, clock.now()),
    chatMigrated: (platform, fromId, toId) => {
      log.info({ platform, fromId, toId }, 'chat migrated');
      migrateChat(db, platform, fromId, toId, clock.now());
    },
    chatGone: (platform, chatId, reason) => {
      log.warn({ platform, chatId, reason }, 'chat gone: the bot can no longer write there');
      markChatGone(db, platform, chatId, clock.now(), reason);
    },
    handledUntil: (platform) => handledUntil(db, platform),
    saveHandledUntil: (platform, at) => saveHandledUntil(db, platform, at, clock.now()),
  };
  const close = () => {
    // The threads' connections first, so the bot's is the last to close (and removes the log).
    void reports?.stop();
    void evidence?.stop();
    checkpointer?.stop();
    database.close();
  };
  return { database, hooks, conversations, dispatcher, clock, log, reports, evidence, close };
}
