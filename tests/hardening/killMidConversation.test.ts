import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore } from '../../bot/app.js';
import { fixedClock } from '../../core/clock.js';
import { silentLogger } from '../../bot/logger.js';
import { DEMO_PEOPLE, seedDemo } from '../../db/seed/demo.js';
import { DANGKY_ANSWERS } from '../helpers/dangkyAnswers.js';

/**
 * SIGKILL in the middle of a conversation, with real processes over one SQLite file. The bot
 * core runs in a child (tests/fixtures/hardening/conversationChild.ts) that prints a line after
 * each handled message; it is killed either by the parent right after answer k was handled, or
 * by itself while handing the reply to answer k to the platform (the answer is committed, the
 * person never saw the next question). A new process over the same file must let the person go
 * on where they were, lose nothing they typed, and save exactly one whole record.
 */

const NOW = '2026-03-10T09:00:00+07:00';
const CHILD = join(import.meta.dirname, '../fixtures/hardening/conversationChild.ts');
const OFFICER = DEMO_PEOPLE.officer; // Lê Minh Châu, Xã Cẩm Xuyên
const MODEL_NAME = DANGKY_ANSWERS[3];
/** The steps of /dangky for an officer, in the order DANGKY_ANSWERS answers them. */
const DANGKY_KEYS = ['kind', 'holder', 'field', 'name', 'content', 'expected', 'start', 'end', 'inCharge'];
const UPDATE_TEXT = 'Đã hoàn thiện 3 km đường hoa; 12 hộ chỉnh trang cổng ngõ.';

let dir: string;
let dbPath: string;
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What the bot answered to one message, or that the process died while handling it. */
interface Said {
  replies: string[];
  died: boolean;
}

/** One bot process: messages go in on stdin, replies and "handled" lines come back on stdout. */
class BotProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly events: Array<Record<string, unknown>> = [];
  private wake?: () => void;
  readonly exited: Promise<Exit>;
  private stderr = '';

  constructor(killAt?: number) {
    // node runs the script itself (tsx as a loader), so the signal that ends it is what we see.
    const args = ['--import', 'tsx', CHILD, dbPath, NOW, ...(killAt === undefined ? [] : [String(killAt)])];
    this.child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(this.child);
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.events.push(JSON.parse(line) as Record<string, unknown>);
      this.wake?.();
    });
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => resolve({ code, signal }));
    });
    void this.exited.then(() => this.wake?.());
  }

  /** `person` says `text`; resolves once it was handled, or the process died handling it. */
  async say(person: string, text: string): Promise<Said> {
    this.child.stdin.write(`${JSON.stringify({ person, text })}\n`);
    const replies: string[] = [];
    for (;;) {
      const event = this.events.shift();
      if (event) {
        if (typeof event.reply === 'string') replies.push(event.reply);
        if (event.handled !== undefined) return { replies, died: false };
        continue;
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        // Lines already read are in `events`; the close event comes after the last of them.
        await this.exited;
        if (this.events.length === 0) return { replies, died: true };
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Says each text in turn; fails the test if the process died or the bot raised an error. */
  async answer(person: string, texts: readonly string[]): Promise<string[]> {
    const all: string[] = [];
    for (const text of texts) {
      const said = await this.say(person, text);
      expect(said.died, `the bot process died while handling “${text}”: ${this.stderr}`).toBe(false);
      expect(said.replies.join('\n')).not.toContain('Xin lỗi, bot gặp lỗi');
      all.push(...said.replies);
    }
    return all;
  }

  /** SIGKILL from outside, with the process idle between two messages. */
  async kill(): Promise<Exit> {
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Ends the input: the process closes the database and exits. */
  async end(): Promise<Exit> {
    this.child.stdin.end();
    return this.exited;
  }
}

/** The file's state seen from outside, between processes: integrity, and the rows that matter. */
function inspect() {
  const db = new Database(dbPath);
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    const foreignKeys = db.pragma('foreign_key_check');
    const conversation = db.prepare("select flow, step, answers from conversations where user_id = ? and platform = 'console'").get(OFFICER) as
      | { flow: string; step: string; answers: string }
      | undefined;
    const models = db.prepare('select id, code, name, state from models where name = ?').all(MODEL_NAME) as Array<{
      id: number;
      code: string;
      name: string;
      state: string;
    }>;
    const modelId = models[0]?.id ?? -1;
    const history = db.prepare('select to_state as toState from model_state_history where model_id = ?').all(modelId);
    const registerAudits = db.prepare("select count(*) as n from audit_log where action = 'model.register' and entity_id = ?").get(String(modelId)) as {
      n: number;
    };
    const updates = db.prepare('select id, text, percent from progress_updates where text = ?').all(UPDATE_TEXT) as Array<{
      id: number;
      text: string;
      percent: number;
    }>;
    const updateAudits = db.prepare("select count(*) as n from audit_log where action = 'update.add' and entity_id = ?").get(String(updates[0]?.id ?? -1)) as {
      n: number;
    };
    const modelIds = Object.fromEntries((db.prepare('select code, id from models').all() as Array<{ code: string; id: number }>).map((m) => [m.code, m.id]));
    return {
      integrity,
      modelIds,
      foreignKeys,
      conversation: conversation && { flow: conversation.flow, step: conversation.step, answers: JSON.parse(conversation.answers) as Record<string, unknown> },
      models,
      history,
      registerAudits: registerAudits.n,
      updates,
      updateAudits: updateAudits.n,
    };
  } finally {
    db.close();
  }
}

async function demoDatabase(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'dvk-kill-'));
  dbPath = join(dir, 'dvk.sqlite');
  const clock = fixedClock(NOW);
  const core = await createCore({ dbPath, clock, log: silentLogger, flowTtlMinutes: 24 * 60, deliver: async () => ({ messageId: 'x' }) });
  seedDemo(core.database.db, clock.now());
  core.close();
}

// Each test starts and kills several real bot processes: timeouts leave room for a slow, shared machine.
describe('a conversation across SIGKILLs', () => {
  it('/dangky killed after answer 2, mid-reply to answer 5, and mid-reply to the confirmation: resumed each time, one whole model saved', async () => {
    await demoDatabase();

    // Process 1: the officer starts and answers two questions; killed from outside right after.
    const first = new BotProcess();
    const opening = await first.answer(OFFICER, ['/dangky']);
    expect(opening.join('\n')).toContain('(1/9)');
    const asked = await first.answer(OFFICER, DANGKY_ANSWERS.slice(0, 2));
    expect(asked.at(-1)).toContain('(3/9)');
    expect((await first.kill()).signal).toBe('SIGKILL');
    let state = inspect();
    expect(state.integrity).toBe('ok');
    expect(state.conversation).toMatchObject({ flow: 'dangky', step: 'field' });
    expect(Object.keys(state.conversation!.answers)).toEqual(DANGKY_KEYS.slice(0, 2));

    // Process 2: /dangky again resumes at question 3 with nothing lost; it dies handing the
    // reply to answer 5 to the platform (message 4 of this process), after answer 5 was kept.
    const second = new BotProcess(4);
    const resumed = await second.answer(OFFICER, ['/dangky']);
    expect(resumed.join('\n')).toContain('Bạn đang đăng ký mô hình dở dang');
    expect(resumed.join('\n')).toContain('(3/9) Mô hình thuộc lĩnh vực nào?');
    await second.answer(OFFICER, DANGKY_ANSWERS.slice(2, 4));
    const dying = await second.say(OFFICER, DANGKY_ANSWERS[4]);
    expect(dying).toEqual({ replies: [], died: true });
    expect((await second.exited).signal).toBe('SIGKILL');
    state = inspect();
    expect(state.integrity).toBe('ok');
    expect(state.conversation).toMatchObject({ step: 'expected' });
    expect(Object.keys(state.conversation!.answers)).toEqual(DANGKY_KEYS.slice(0, 5));
    expect(state.conversation!.answers).toMatchObject({ name: MODEL_NAME, content: DANGKY_ANSWERS[4] });

    // Process 3: the question the person never saw is asked again; they finish, and the process
    // dies handing "saved" to the platform, after the model was committed.
    const third = new BotProcess(6);
    const again = await third.answer(OFFICER, ['/dangky']);
    expect(again.join('\n')).toContain('(6/9) Kết quả dự kiến đạt được?');
    const summary = (await third.answer(OFFICER, DANGKY_ANSWERS.slice(5))).at(-1)!;
    // Everything typed before both kills is in the summary.
    for (const typed of ['Mô hình “Dân vận khéo”', 'Tập thể', 'Kinh tế', MODEL_NAME, DANGKY_ANSWERS[4], '01/03/2026', '31/12/2026', DANGKY_ANSWERS[8]]) {
      expect(summary).toContain(typed);
    }
    expect((await third.say(OFFICER, '1')).died).toBe(true);
    state = inspect();
    expect(state.integrity).toBe('ok');
    expect(state.foreignKeys).toEqual([]);
    expect(state.conversation).toBeUndefined();
    expect(state.models).toEqual([expect.objectContaining({ name: MODEL_NAME, state: 'pending' })]);
    // A whole model: its history and audit row were saved in the same transaction.
    expect(state.history).toEqual([{ toState: 'pending' }]);
    expect(state.registerAudits).toBe(1);

    // Process 4: not having seen an answer, the officer confirms again: nothing more is saved.
    const fourth = new BotProcess();
    expect(await fourth.answer(OFFICER, ['1'])).toEqual([]);
    const listed = (await fourth.answer(OFFICER, ['/mohinh'])).join('\n');
    expect(listed.split(MODEL_NAME)).toHaveLength(2);
    expect(listed).toContain(state.models[0]!.code);
    expect(await fourth.end()).toEqual({ code: 0, signal: null });
    state = inspect();
    expect(state.integrity).toBe('ok');
    expect(state.models).toHaveLength(1);
    expect(state.conversation).toBeUndefined();
  }, 150_000);

  it('/capnhat killed mid-reply to the command, then right after the confirmation: resumed, one update saved', async () => {
    await demoDatabase();
    const before = inspect();
    expect(before.updates).toEqual([]);

    // Process 1: dies handing the first question to the platform; the conversation is started.
    const first = new BotProcess(1);
    expect(await first.say(OFFICER, '/capnhat')).toEqual({ replies: [], died: true });
    let state = inspect();
    expect(state.integrity).toBe('ok');
    expect(state.conversation).toMatchObject({ flow: 'capnhat', step: 'model', answers: {} });

    // Process 2: /capnhat asks that question again; the officer answers it and one more, then
    // the process is killed from outside.
    const second = new BotProcess();
    const resumed = (await second.answer(OFFICER, ['/capnhat'])).join('\n');
    expect(resumed).toContain('Bạn đang cập nhật tiến độ dở dang');
    expect(resumed).toContain('(1/4) Bạn cập nhật tiến độ mô hình nào?');
    expect((await second.answer(OFFICER, ['1', UPDATE_TEXT])).at(-1)).toContain('(3/4) Tiến độ đến nay?');
    expect((await second.kill()).signal).toBe('SIGKILL');
    state = inspect();
    expect(state.integrity).toBe('ok');
    expect(state.conversation).toMatchObject({ step: 'progress', answers: { model: state.modelIds['DVK-2026-0001'], text: UPDATE_TEXT } });

    // Process 3: resumes at the progress question, finishes, and is killed right after the
    // confirmation was handled.
    const third = new BotProcess();
    expect((await third.answer(OFFICER, ['/capnhat'])).join('\n')).toContain('(3/4) Tiến độ đến nay?');
    // 70% is down from the model's 100%: confirmed first (issue 22).
    const summary = (await third.answer(OFFICER, ['70%', 'đồng ý', 'bỏ qua'])).at(-1)!;
    expect(summary).toContain(`(2) Kết quả đã làm được: ${UPDATE_TEXT}`);
    expect(summary).toContain('(3) Tiến độ: 70%');
    expect((await third.answer(OFFICER, ['1'])).join('\n')).toContain('✅ Đã ghi nhận tiến độ của DVK-2026-0001');
    expect((await third.kill()).signal).toBe('SIGKILL');
    state = inspect();
    expect(state.integrity).toBe('ok');
    expect(state.foreignKeys).toEqual([]);
    expect(state.conversation).toBeUndefined();
    expect(state.updates).toEqual([expect.objectContaining({ text: UPDATE_TEXT, percent: 70 })]);
    expect(state.updateAudits).toBe(1);

    // Process 4: the same confirmation typed again changes nothing.
    const fourth = new BotProcess();
    expect(await fourth.answer(OFFICER, ['1'])).toEqual([]);
    expect(await fourth.end()).toEqual({ code: 0, signal: null });
    expect(inspect().updates).toHaveLength(1);
  }, 150_000);
});
