import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../bot/app.js';
import { fixedClock } from '../../core/clock.js';
import { silentLogger } from '../../bot/logger.js';
import { SYSTEM_ACTOR } from '../../db/audit.js';
import { resolveCaller } from '../../db/people.js';
import { grantRole } from '../../db/roles.js';
import { seedDemo } from '../../db/seed/demo.js';
import { unitByCode } from '../../db/unitAdmin.js';
import { FakeBotApi, type SendHold } from '../helpers/fakeBotApi.js';
import { groupMessage, person, supergroup } from '../helpers/telegramUpdates.js';
import { cleanEnv } from '../helpers/processes.js';

/**
 * SIGTERM while the bot is answering: the real bot (`node --import tsx bot/main.ts`) polls a
 * local fake Bot API that holds its answer to sendMessage. An officer's /dangky starts a
 * conversation; the signal arrives while the first question is on its way, and the fake answers
 * a second after the bot logged "shutting down" (time enough for a bot that does not wait to
 * close its database first). A graceful stop lets that handling finish — the message is
 * delivered and the bot records which message asked the question — and only then closes the
 * database and exits 0.
 *
 * "Closed cleanly" here means: the process exited by itself with status 0 (not by the grace
 * timer), the last connection was closed (SQLite then checkpoints and deletes the -wal file, so
 * none is left), the file passes integrity_check, and the write made after the send is there.
 */

const ROOT = new URL('../..', import.meta.url).pathname;
const TOKEN = '123456789:AAHk1x9ZrLq0PpQ2mN3bV4cX5zY6wT7uS8r';
const NOW = '2026-03-10T09:00:00+07:00';
const CHAT = supergroup(-1001234567890, 'Dân vận khéo xã Cẩm Xuyên');
const OFFICER = person(5123456789, 'Châu', 'Lê Minh', 'leminhchau_cx');
const BOT = { id: 777000111, username: 'dvk_test_bot', first_name: 'Dân vận khéo' };

let dir: string;
let fake: FakeBotApi | undefined;
let child: ChildProcessWithoutNullStreams | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The demo, with the officer's Telegram account made officer of Xã Cẩm Xuyên. */
async function prepareDatabase(dbPath: string): Promise<void> {
  const clock = fixedClock(NOW);
  const core = await createCore({ dbPath, clock, log: silentLogger, flowTtlMinutes: 60, deliver: async () => ({ messageId: 'x' }) });
  const db = core.database.db;
  seedDemo(db, clock.now());
  const caller = resolveCaller(db, 'telegram', { id: String(OFFICER.id), displayName: 'Lê Minh Châu', username: OFFICER.username }, clock.now());
  db.transaction((tx) => grantRole(tx, { personId: caller.personId, role: 'officer', unitId: unitByCode(db, 'CAMXUYEN')!.id }, SYSTEM_ACTOR, clock.now()));
  core.close();
}

describe('graceful shutdown', () => {
  it('SIGTERM while a reply is in flight: the reply completes, its handling is recorded, then the database closes and the bot exits 0', async () => {
    dir = mkdtempSync(join(tmpdir(), 'dvk-shutdown-'));
    const dbPath = join(dir, 'dvk.sqlite');
    await prepareDatabase(dbPath);
    const update = groupMessage(CHAT, OFFICER, `/dangky@${BOT.username}`);
    fake = await FakeBotApi.start({ botUser: BOT });
    // Telegram takes the bot's messages but is slow to answer: each send waits for `release()`.
    const slow: SendHold = fake.holdSends();
    fake.push(update);

    const env = cleanEnv({
      DB_PATH: dbPath,
      DVK_OUT_DIR: join(dir, 'out'),
      DVK_NOW: NOW,
      LOG_LEVEL: 'info',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: fake.root,
    });
    // node runs main.ts itself (tsx as a loader): the signal reaches the bot, not a wrapper.
    child = spawn(process.execPath, ['--import', 'tsx', 'bot/main.ts'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let logs = '';
    let shuttingDown!: () => void;
    const shutdownLogged = new Promise<void>((resolve) => (shuttingDown = resolve));
    const collect = (d: Buffer) => {
      logs += d.toString();
      if (logs.includes('"msg":"shutting down"')) shuttingDown();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child!.on('error', reject);
      child!.on('close', (code, signal) => resolve({ code, signal }));
    });

    // The first question is on its way to Telegram (the fake holds its answer).
    const early = exited.then(() => Promise.reject(new Error(`the bot exited too early:\n${logs}`)));
    await Promise.race([slow.first, early]);
    child.kill('SIGTERM');
    await Promise.race([shutdownLogged, early]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(slow.sends[0]!.outcome).toBeUndefined();
    slow.release();
    const exit = await exited;

    const entries = logs
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; signal?: string });
    expect(entries).toContainEqual(expect.objectContaining({ msg: 'shutting down', signal: 'SIGTERM' }));
    // Nothing failed on the way out, and the grace timer did not have to end the process.
    expect(
      entries.filter((e) => e.level >= 40),
      logs,
    ).toEqual([]);
    expect(exit).toEqual({ code: 0, signal: null });

    // The send completed: the fake wrote its whole answer to a bot that was still listening.
    expect(slow.sends).toHaveLength(1);
    expect(slow.sends[0]!.payload.text).toContain('(1/9) Đăng ký loại nào?');
    expect(slow.sends[0]!.outcome).toBe('answered');

    // The database was closed by the bot: the write-ahead log was checkpointed and removed.
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      // The handling went on after the send: the prompt's message id was recorded, so the
      // officer's reply to that question will be taken as the answer.
      const conversation = db
        .prepare("select flow, step, prompt_message_id as prompt from conversations where platform = 'telegram' and chat_id = ? and user_id = ?")
        .get(String(CHAT.id), String(OFFICER.id));
      expect(conversation).toEqual({ flow: 'dangky', step: 'kind', prompt: String(slow.sends[0]!.messageId) });
      const seen = db.prepare("select count(*) as n from processed_inbound where platform = 'telegram'").get() as { n: number };
      expect(seen.n).toBe(1);
    } finally {
      db.close();
    }
  }, 120_000);
});
