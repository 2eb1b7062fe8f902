import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Core } from '../../../bot/app.js';
import { TelegramAdapter } from '../../../bot/telegram/adapter.js';
import { addAdmin, parseIdentity } from '../../../db/bootstrap.js';
import { findConversation } from '../../../db/conversations.js';
import { seedDemo } from '../../../db/seed/demo.js';
import { type ApiMessage, FAKE_BOT_USERNAME, FakeBotApi, type RecordedCall, tooManyRequests } from '../../helpers/fakeBotApi.js';
import { callbackQuery, groupMessage, person, supergroup } from '../../helpers/telegramUpdates.js';
import { type PollingBot, pollingBot } from '../../helpers/telegramBot.js';
import { cleanEnv } from '../../helpers/processes.js';

/**
 * Issue 4: the real grammY client (runner, auto-retry, the adapter) against a fake Bot API
 * server, through getUpdates and sendMessage, for a whole /dangky in a supergroup: typed answers
 * reply to force_reply prompts, choices are pressed on inline keyboards, and the model lands in
 * the database. Once as `npm start` in a child process, once in process.
 */

const ROOT = new URL('../../..', import.meta.url).pathname;
const TOKEN = '123456789:AAHk1x9ZrLq0PpQ2mN3bV4cX5zY6wT7uS8r';
const NOW = '2026-03-10T09:00:00+07:00';
const CHAT = supergroup(-1001234567890, 'Dân vận khéo xã Cẩm Xuyên');
/** A Telegram user made an administrator before the bot starts (not a demo person). */
const ADMIN = person(5120334411, 'Đặng Thu', 'Hà', 'dangthuha_snv');
const ADMIN_NAME = 'Đặng Thu Hà';
/** How a question starts when it names the person (by @username, or their name as a link). */
const MENTION = new RegExp(`^(@${ADMIN.username}|${ADMIN_NAME}) `);
/** Someone in the group the bot knows nothing about. */
const STRANGER = person(6009988776, 'Quang', 'Vũ');

const MODEL_NAME = 'Chợ phiên nông sản an toàn ở thôn Trung Sơn';
const CONTENT = 'Hai phiên chợ mỗi tháng cho bà con bán rau, thịt sạch; hộ tham gia < 50 & có truy xuất nguồn gốc.';

/** One question of the bot and how the person answers it: pressing a button, or typing. */
interface ScriptStep {
  prompt: RegExp;
  press?: string;
  type?: string;
}

const DANGKY: ScriptStep[] = [
  // Admins may register for any unit; with this many units, the unit is typed.
  { prompt: /^\(1\/10\) Bạn đăng ký cho đơn vị nào\?/, type: 'CAMXUYEN' },
  { prompt: /^\(2\/10\) Đăng ký loại nào\?$/, press: 'Mô hình “Dân vận khéo”' },
  { prompt: /^\(3\/10\) Mô hình của tập thể hay cá nhân\?$/, press: 'Tập thể' },
  { prompt: /^\(4\/10\) Mô hình thuộc lĩnh vực nào\?$/, press: 'Kinh tế' },
  { prompt: /^\(5\/10\) Tên mô hình là gì\?$/, type: MODEL_NAME },
  { prompt: /^\(6\/10\) Mục tiêu và nội dung chính/, type: CONTENT },
  { prompt: /^\(7\/10\) Kết quả dự kiến đạt được\? \(không bắt buộc/, type: 'bỏ qua' },
  { prompt: /^\(8\/10\) Ngày bắt đầu thực hiện\?/, type: '15/3' },
  { prompt: /^\(9\/10\) Ngày kết thúc dự kiến\?$/, type: '30/11/2026' },
  { prompt: /^\(10\/10\) Ai phụ trách mô hình\?/, type: 'Nguyễn Văn Sơn, Bí thư Chi bộ thôn' },
  { prompt: /^Mời bạn kiểm tra lại trước khi lưu:\n/, press: 'Lưu' },
];

interface Exchange {
  /** The bot's sendMessage carrying the question. */
  prompt: RecordedCall;
  message: ApiMessage;
  /** The question came right after a button press (there is no typed message to reply to). */
  afterPress: boolean;
  callbackId?: string;
}

const WAIT_MS = 10_000;

function resultOf(call: RecordedCall): ApiMessage {
  expect(call.response, `${call.method} #${call.index} answered`).toMatchObject({ ok: true });
  return (call.response as { result: ApiMessage }).result;
}

function nextSend(fake: FakeBotApi, since: number, who = 'the bot'): Promise<RecordedCall> {
  return fake
    .waitFor((c) => c.method === 'sendMessage' && c.payload.chat_id === CHAT.id && c.response !== undefined, WAIT_MS, since)
    .catch((error: Error) => {
      throw new Error(`waiting for ${who}'s next message: ${error.message}`);
    });
}

/** Resolves once the fake has handed this update to the bot `times` times in getUpdates answers. */
async function delivered(fake: FakeBotApi, updateId: number, times: number): Promise<void> {
  const count = () =>
    fake
      .callsOf('getUpdates')
      .filter((c) => c.response?.ok === true && (c.response.result as Array<{ update_id: number }>).some((u) => u.update_id === updateId)).length;
  await fake.waitFor(() => count() >= times, WAIT_MS);
}

/**
 * Plays a conversation as ADMIN in CHAT: sends `command`, then answers each question as the
 * script says, checking how it was asked. Returns the exchanges and the bot's last message.
 */
async function converse(fake: FakeBotApi, command: string, script: ScriptStep[]): Promise<{ exchanges: Exchange[]; last: RecordedCall }> {
  let since = fake.calls.length;
  const start = groupMessage(CHAT, ADMIN, command, { messageId: fake.nextMessageId(CHAT.id) });
  fake.push(start);
  let lastTyped = start.message!.message_id;
  let afterPress = false;
  const exchanges: Exchange[] = [];

  for (const step of script) {
    const prompt = await nextSend(fake, since);
    since = prompt.index + 1;
    const message = resultOf(prompt);
    const markup = prompt.payload.reply_markup as { inline_keyboard?: Array<Array<{ text: string; callback_data: string }>> } | undefined;
    // A question right after a press has no typed message to reply to: it names the person
    // instead, so the group knows whose it is (and a selective force_reply reaches them).
    const question = (message.text as string).replace(MENTION, '');
    expect(question, `question after ${exchanges.length} answers`).toMatch(step.prompt);
    if (afterPress) expect(message.text, 'the person is mentioned').toMatch(MENTION);

    if (step.press !== undefined) {
      const button = markup?.inline_keyboard?.flat().find((b) => b.text === step.press);
      expect(button, `button “${step.press}” in ${JSON.stringify(markup)}`).toBeDefined();
      const press = callbackQuery(CHAT, ADMIN, message, button!.callback_data);
      exchanges.push({ prompt, message, afterPress, callbackId: press.callback_query!.id });
      fake.push(press);
      afterPress = true;
    } else {
      // A question without buttons opens the reply box, for this person only…
      expect(markup, `reply markup of “${message.text as string}”`).toEqual({ force_reply: true, selective: true });
      // …by replying to what they just typed.
      if (!afterPress) expect(prompt.payload.reply_parameters).toMatchObject({ message_id: lastTyped });
      exchanges.push({ prompt, message, afterPress });
      const answer = groupMessage(CHAT, ADMIN, step.type!, { replyTo: message, messageId: fake.nextMessageId(CHAT.id) });
      fake.push(answer);
      lastTyped = answer.message!.message_id;
      afterPress = false;
    }
  }
  return { exchanges, last: await nextSend(fake, since) };
}

/** What every run of the whole /dangky must show on the wire. */
async function expectWholeDangky(fake: FakeBotApi, run: { exchanges: Exchange[]; last: RecordedCall }, since: number): Promise<string> {
  const final = resultOf(run.last).text as string;
  expect(final).toMatch(
    new RegExp(`^✅ Đã ghi nhận “${MODEL_NAME}” \\(Mô hình “Dân vận khéo”\\) của Xã Cẩm Xuyên\\.\\nMã: DVK-2026-00\\d\\d — trạng thái: chờ duyệt\\.$`),
  );
  const code = /DVK-2026-00\d\d/.exec(final)![0];

  // The summary echoed what was typed, with "<" and "&" escaped (the fake refuses bad HTML).
  const summary = run.exchanges.at(-1)!;
  expect(summary.prompt.payload.text).toContain('hộ tham gia &lt; 50 &amp; có truy xuất');
  expect(summary.message.text).toContain(`(6) Mục tiêu, nội dung: ${CONTENT}`);
  expect(summary.message.text).toContain('(1) Đơn vị: Xã Cẩm Xuyên');
  expect(summary.message.text).toContain('(7) Kết quả dự kiến: (không có)');

  const sends = fake.callsOf('sendMessage').filter((c) => c.index >= since);
  expect(sends.length).toBe(DANGKY.length + 1);
  for (const send of sends) {
    expect(send.payload.parse_mode).toBe('HTML');
    expect(send.response?.ok, `sendMessage #${send.index}: ${JSON.stringify(send.response)}`).toBe(true);
  }

  // Every press was answered (or the person's client keeps spinning), exactly once. The last
  // press is answered once its handling (the saving and the final message) is over.
  const pressed = run.exchanges.flatMap((e) => (e.callbackId ? [e.callbackId] : []));
  expect(pressed.length).toBe(4);
  for (const id of pressed) await fake.waitFor((c) => c.method === 'answerCallbackQuery' && c.payload.callback_query_id === id, WAIT_MS, since);
  const answered = fake.callsOf('answerCallbackQuery').filter((c) => c.index >= since);
  expect(answered.map((c) => c.payload.callback_query_id).sort()).toEqual([...pressed].sort());
  for (const a of answered) expect(a.response).toEqual({ ok: true, result: true });

  // Spent keyboards are gone from the chat: every answered question is left without buttons.
  for (const e of run.exchanges.filter((x) => x.callbackId)) {
    expect(fake.message(CHAT.id, e.message.message_id)?.reply_markup, `keyboard of “${e.message.text as string}”`).toBeUndefined();
    expect(fake.callsOf('editMessageReplyMarkup').some((c) => c.payload.message_id === e.message.message_id && c.response?.ok === true)).toBe(true);
  }
  return code;
}

// ---------------------------------------------------------------------------------------------

describe('Telegram end to end: npm start against a fake Bot API', { timeout: 90_000 }, () => {
  let dir: string;
  let fake: FakeBotApi;
  let child: ChildProcess | undefined;
  let output = '';
  /** Every process of the group (npm, sh, tsx, node) has exited: nobody holds its pipes any more. */
  let closed: Promise<void>;
  let done = false;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dvk-tg-e2e-'));
    fake = await FakeBotApi.start({ token: TOKEN });
    const env = cleanEnv({
      DB_PATH: join(dir, 'dvk.sqlite'),
      DVK_NOW: NOW,
      LOG_LEVEL: 'silent',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: fake.root,
    });

    // The operator's first step: this Telegram account administers the deployment.
    const admin = spawnSync('npm', ['run', '--silent', 'admin', '--', 'add', `telegram:${ADMIN.id}`, '--ten', ADMIN_NAME], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(admin.stderr.replace(/^npm warn.*\n/gm, '')).toBe('');
    expect(admin.status).toBe(0);
    expect(admin.stdout).toContain(`Đã cấp quyền quản trị cho #`);

    // Its own process group: npm does not pass SIGTERM on to the script (it exits with 143 and
    // leaves the bot running), so the test signals the group, as a service manager does.
    child = spawn('npm', ['start', '--silent', '--', '--demo'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    closed = new Promise((resolve) =>
      child!.once('close', () => {
        done = true;
        resolve();
      }),
    );
    // Polling means getMe worked, the demo was loaded and the runner is fetching.
    const polling = fake.waitFor((c) => c.method === 'getUpdates', 45_000);
    const quit = closed.then(() => Promise.reject(new Error('the bot exited before polling')));
    await Promise.race([polling, quit]).catch((error: Error) => {
      throw new Error(`${error.message}\nbot output:\n${output}`);
    });
    // As long as the waits above may take on a slow, shared machine (the default is 10 s).
  }, 120_000);

  afterAll(async () => {
    if (child?.pid !== undefined && !done) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await closed;
    }
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a whole /dangky in a supergroup; after SIGTERM the model is in the database', async () => {
    const init = fake.actions.map((c) => c.method);
    expect(init[0]).toBe('getMe');
    expect(fake.callsOf('setMyCommands').map((c) => c.payload.scope)).toEqual([{ type: 'all_group_chats' }, { type: 'all_private_chats' }]);

    const since = fake.calls.length;
    const run = await converse(fake, `/dangky@${FAKE_BOT_USERNAME}`, DANGKY);
    const code = await expectWholeDangky(fake, run, since);

    // A clean stop: the runner ends its long poll, the database is closed, every process exits.
    const polls = fake.callsOf('getUpdates').length;
    expect(existsSync(join(dir, 'dvk.sqlite-wal'))).toBe(true);
    process.kill(-child!.pid!, 'SIGTERM');
    const stopped = await Promise.race([closed.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20_000))]);
    expect(stopped, `the bot did not stop within 20 s; output:\n${output}`).toBe(true);
    expect(output.replace(/^npm warn.*\n/gm, '')).toBe('');
    // The last connection closed checkpoints and removes the write-ahead log: not killed mid-write.
    expect(existsSync(join(dir, 'dvk.sqlite-wal'))).toBe(false);
    expect(fake.callsOf('getUpdates').length - polls).toBeLessThanOrEqual(1);

    const db = new Database(join(dir, 'dvk.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const row = db
        .prepare(
          `select m.code, m.state, m.name, m.kind, m.holder_type as holderType, m.start_date as startDate, m.end_date as endDate,
                  m.expected_result as expected, u.short_code as unit, p.display_name as createdBy
             from models m join units u on u.id = m.unit_id left join people p on p.id = m.created_by
            where m.name = ?`,
        )
        .all(MODEL_NAME);
      expect(row).toEqual([
        {
          code,
          state: 'pending',
          name: MODEL_NAME,
          kind: 'dan_van_kheo',
          holderType: 'collective',
          startDate: '2026-03-15',
          endDate: '2026-11-30',
          expected: null,
          unit: 'CAMXUYEN',
          createdBy: ADMIN_NAME,
        },
      ]);
      // The group the conversation happened in is known under its Telegram id.
      const chat = db.prepare(`select kind, title from chats where platform = 'telegram' and platform_chat_id = ?`).get(String(CHAT.id));
      expect(chat).toEqual({ kind: 'group', title: CHAT.title });
    } finally {
      db.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('Telegram end to end, in process', { timeout: 60_000 }, () => {
  let fake: FakeBotApi;
  let bot: PollingBot | undefined;
  let core: Core;
  let adapter: TelegramAdapter;
  const logs: Array<{ level: number; msg: string }> = [];

  beforeAll(async () => {
    fake = await FakeBotApi.start({ token: TOKEN });
    // Errors the adapter or the dispatcher swallow (after telling the person) must not happen.
    const log = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line) as { level: number; msg: string }) });
    bot = await pollingBot(fake, {
      token: TOKEN,
      now: NOW,
      log,
      flowTtlMinutes: 1440,
      prepare: (db, now) => {
        seedDemo(db, now);
        addAdmin(db, parseIdentity(`telegram:${ADMIN.id}`), ADMIN_NAME, now);
      },
    });
    ({ core, adapter } = bot);
    await fake.waitFor((c) => c.method === 'getUpdates', WAIT_MS);
  });

  afterAll(() => bot?.stop());

  const owner = { platform: 'telegram' as const, chatId: String(CHAT.id), userId: String(ADMIN.id) };

  // A test that failed half-way must not leave the next one inside its conversation.
  afterEach(() => {
    core.database.sqlite.prepare(`delete from conversations where platform = 'telegram' and chat_id = ?`).run(String(CHAT.id));
  });

  it('runs a whole /dangky in a supergroup and saves the model', async () => {
    const since = fake.calls.length;
    const run = await converse(fake, `/dangky@${FAKE_BOT_USERNAME}`, DANGKY);
    const code = await expectWholeDangky(fake, run, since);

    const row = core.database.sqlite
      .prepare(`select m.state, m.name, u.short_code as unit from models m join units u on u.id = m.unit_id where m.code = ?`)
      .get(code);
    expect(row).toEqual({ state: 'pending', name: MODEL_NAME, unit: 'CAMXUYEN' });
    expect(findConversation(core.database.db, owner)).toBeUndefined();
    expect(logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a stranger’s reply to someone’s prompt, or press on their button, moves nothing', async () => {
    const since = fake.calls.length;
    const start = groupMessage(CHAT, ADMIN, `/dangky@${FAKE_BOT_USERNAME}`, { messageId: fake.nextMessageId(CHAT.id) });
    fake.push(start);
    const first = await nextSend(fake, since);
    const firstPrompt = resultOf(first);
    expect(firstPrompt.text).toMatch(DANGKY[0]!.prompt);
    const before = findConversation(core.database.db, owner)!;
    expect(before).toMatchObject({ step: 'unit', promptMessageId: String(firstPrompt.message_id) });

    // The stranger answers the owner's question; then asks for help, which the bot handles
    // after the reply (updates of one chat are handled in order).
    fake.push(groupMessage(CHAT, STRANGER, 'CAMXUYEN', { replyTo: firstPrompt, messageId: fake.nextMessageId(CHAT.id) }));
    fake.push(groupMessage(CHAT, STRANGER, `/huongdan@${FAKE_BOT_USERNAME}`, { messageId: fake.nextMessageId(CHAT.id) }));
    const help = await nextSend(fake, first.index + 1, 'the help');
    expect(resultOf(help).text).toMatch(/^Bot “Dân vận khéo” giúp/);
    expect(fake.callsOf('sendMessage').filter((c) => c.index > first.index && c.index < help.index)).toEqual([]);
    expect(findConversation(core.database.db, owner)).toMatchObject({ step: 'unit', version: before.version, promptMessageId: before.promptMessageId });

    // The owner's own answer to the same question is still the one that counts.
    fake.push(groupMessage(CHAT, ADMIN, 'camxuyen', { replyTo: firstPrompt, messageId: fake.nextMessageId(CHAT.id) }));
    const second = await nextSend(fake, help.index + 1);
    const kindPrompt = resultOf(second);
    expect(kindPrompt.text).toMatch(DANGKY[1]!.prompt);

    // The stranger presses the owner's button: told privately, nothing moves.
    const press = callbackQuery(CHAT, STRANGER, kindPrompt, 'dan_van_kheo');
    fake.push(press);
    const alert = await fake.waitFor((c) => c.method === 'answerCallbackQuery' && c.payload.callback_query_id === press.callback_query!.id, WAIT_MS);
    expect(alert.payload).toMatchObject({ show_alert: true, text: 'Nút này của người khác nên không có gì thay đổi.' });
    expect(findConversation(core.database.db, owner)).toMatchObject({ step: 'kind', promptMessageId: String(kindPrompt.message_id) });
    expect(fake.message(CHAT.id, kindPrompt.message_id)?.reply_markup).toBeDefined();
    expect(fake.callsOf('sendMessage').filter((c) => c.index > second.index)).toEqual([]);

    fake.push(groupMessage(CHAT, ADMIN, `/huy@${FAKE_BOT_USERNAME}`, { messageId: fake.nextMessageId(CHAT.id) }));
    const cancelled = await nextSend(fake, alert.index + 1);
    expect(resultOf(cancelled).text).toBe('Đã hủy đăng ký mô hình. Chưa có gì được lưu. Gõ /dangky nếu muốn làm lại.');
    expect(findConversation(core.database.db, owner)).toBeUndefined();
  });

  it('a second delivery of the same update_id is ignored', async () => {
    const since = fake.calls.length;
    const start = groupMessage(CHAT, ADMIN, `/dangky@${FAKE_BOT_USERNAME}`, { messageId: fake.nextMessageId(CHAT.id) });
    fake.push(start);
    const first = await nextSend(fake, since);
    expect(resultOf(first).text).toMatch(DANGKY[0]!.prompt);
    const before = findConversation(core.database.db, owner)!;

    // Delivered again (a lost confirmation): without the check it would re-ask ("dở dang").
    fake.redeliver(start);
    await delivered(fake, start.update_id, 2);
    fake.push(groupMessage(CHAT, STRANGER, `/huongdan@${FAKE_BOT_USERNAME}`, { messageId: fake.nextMessageId(CHAT.id) }));
    const help = await nextSend(fake, first.index + 1, 'the help');
    expect(resultOf(help).text).toMatch(/^Bot “Dân vận khéo” giúp/);
    expect(fake.callsOf('sendMessage').filter((c) => c.index > first.index && c.index < help.index)).toEqual([]);
    expect(findConversation(core.database.db, owner)).toEqual(before);
    const seen = core.database.sqlite
      .prepare(`select count(*) as n from processed_inbound where platform = 'telegram' and key = ?`)
      .get(String(start.update_id));
    expect(seen).toEqual({ n: 1 });

    fake.push(groupMessage(CHAT, ADMIN, `/huy@${FAKE_BOT_USERNAME}`, { messageId: fake.nextMessageId(CHAT.id) }));
    await nextSend(fake, help.index + 1);
    expect(findConversation(core.database.db, owner)).toBeUndefined();
  });

  it('files the bot sends arrive as multipart uploads', async () => {
    const since = fake.calls.length;
    const pdf = Buffer.from('%PDF-1.4\n% báo cáo quý I\n');
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const sent = await adapter.send(
      { platform: 'telegram', id: String(CHAT.id), kind: 'group', title: CHAT.title },
      {
        text: 'Báo cáo quý I/2026 của Xã Cẩm Xuyên',
        files: [
          { fileName: 'bao-cao-quy-1.pdf', mimeType: 'application/pdf', data: pdf },
          { fileName: 'anh.png', mimeType: 'image/png', data: png },
        ],
      },
    );
    const methods = fake.actions.filter((c) => c.index >= since).map((c) => c.method);
    expect(methods).toEqual(['sendMessage', 'sendDocument', 'sendPhoto']);
    const [doc, photo] = [fake.callsOf('sendDocument').at(-1)!, fake.callsOf('sendPhoto').at(-1)!];
    expect(doc.files).toEqual([{ field: expect.any(String), filename: 'bao-cao-quy-1.pdf', size: pdf.length }]);
    expect(doc.payload).toMatchObject({ chat_id: String(CHAT.id), document: `attach://${doc.files[0]!.field}` });
    expect(photo.files).toEqual([{ field: expect.any(String), filename: 'anh.png', size: png.length }]);
    expect(sent.messageId).toBe(String(resultOf(photo).message_id));
  });

  it('flood control (429 with retry_after) is waited out and the message still arrives', async () => {
    const since = fake.calls.length;
    fake.failNext('sendMessage', 1, tooManyRequests(1));
    const started = Date.now();
    await adapter.send({ platform: 'telegram', id: String(CHAT.id), kind: 'group' }, { text: 'Nhắc việc: hạn báo cáo quý I là 25/3.' });
    const sends = fake.callsOf('sendMessage').filter((c) => c.index >= since);
    expect(sends.map((c) => c.response?.ok)).toEqual([false, true]);
    expect(sends[0]!.response).toMatchObject({ error_code: 429, parameters: { retry_after: 1 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('a question asked right after a button press still opens the reply box for that person', async () => {
    // Telegram shows a selective force_reply only to people @mentioned in the text or to the
    // sender of the message it replies to; after a press there is no typed message to reply to.
    const run = await converse(fake, `/dangky@${FAKE_BOT_USERNAME}`, DANGKY.slice(0, 5));
    const afterPress = run.exchanges.filter((e) => e.afterPress && (e.prompt.payload.reply_markup as { force_reply?: boolean } | undefined)?.force_reply);
    expect(afterPress.map((e) => (e.message.text as string).replace(MENTION, '').slice(0, 6))).toEqual(['(5/10)']);
    fake.push(groupMessage(CHAT, ADMIN, `/huy@${FAKE_BOT_USERNAME}`, { messageId: fake.nextMessageId(CHAT.id) }));
    await nextSend(fake, run.last.index + 1);
    expect(findConversation(core.database.db, owner)).toBeUndefined();

    for (const e of afterPress) {
      const targetsReply = (e.prompt.payload.reply_parameters as { message_id?: number } | undefined)?.message_id !== undefined;
      const html = e.prompt.payload.text as string;
      const mentions = html.includes(`@${ADMIN.username}`) || html.includes(`tg://user?id=${ADMIN.id}`);
      expect(targetsReply || mentions, `“${e.message.text as string}” neither replies to nor mentions ${ADMIN_NAME}`).toBe(true);
    }
  });
});
