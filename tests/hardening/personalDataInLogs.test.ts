import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../commands/shared/command.js';
import { createLogger } from '../../bot/logger.js';
import { COMMANDS } from '../../commands/index.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { DANGKY_ANSWERS } from '../helpers/dangkyAnswers.js';
import { Harness } from '../helpers/harness.js';

/**
 * A message whose handling fails is logged by ids and the error, never by what the person
 * wrote: names, phone numbers, answers are personal data, and logs are kept, copied and shared
 * far more freely than the database; an error that quotes the text has it left out. The core
 * logs through the production logger here, into a file read back whole.
 */

const GROUP = { group: DEMO_GROUP };
const OFFICER = DEMO_PEOPLE.officer;
const APOLOGY = 'Xin lỗi, bot gặp lỗi khi xử lý tin nhắn này. Những gì bạn đã trả lời trước đó vẫn được giữ; bạn vui lòng thử lại sau ít phút.';

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}

let h: Harness | undefined;
let dir: string;
afterEach(() => {
  h?.close();
  h = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function fileLogger(): { log: Logger; read: () => { text: string; lines: Line[] } } {
  dir = mkdtempSync(join(tmpdir(), 'dvk-personal-'));
  const file = join(dir, 'bot.log');
  const log = createLogger('debug', file);
  return {
    log,
    read: () => {
      log.flush();
      const text = readFileSync(file, 'utf8');
      return {
        text,
        lines: text
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Line),
      };
    },
  };
}

describe('a failed message in the logs', () => {
  it('an answer the database cannot store: the log has the ids and the error, not the answer', async () => {
    const { log, read } = fileLogger();
    h = await Harness.demo({ log });
    await h.say(OFFICER, '/dangky', GROUP);
    for (const answer of DANGKY_ANSWERS.slice(0, 3)) await h.say(OFFICER, answer, GROUP);
    // The disk fills up, as a trigger plays it: the answer cannot be written.
    h.core.database.sqlite.exec("CREATE TRIGGER disk_full BEFORE UPDATE ON conversations BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    const answer = 'Tổ tự quản của chị Trần Thị Lan, điện thoại 0912 345 678';
    expect(await h.text(OFFICER, answer, GROUP)).toBe(APOLOGY);

    const { text, lines } = read();
    // Whose message, where, and why it failed: enough to find it, nothing of what it said.
    expect(lines.find((l) => l.msg === 'handler failed')).toMatchObject({
      level: 50,
      platform: 'console',
      chat: DEMO_GROUP,
      user: OFFICER,
      messageId: expect.any(String),
      err: { type: 'SqliteError', code: 'SQLITE_CONSTRAINT_TRIGGER', message: 'database or disk is full' },
    });
    for (const piece of [answer, 'Trần Thị Lan', '0912 345 678']) expect(text, piece).not.toContain(piece);
  });

  it('an error that quotes the message (a command echoing its arguments): the arguments are left out, every line of them', async () => {
    const echoing: Command = {
      name: 'thu',
      summary: 'thử',
      access: 'anyone',
      run: async (ctx) => {
        const [first] = ctx.args.split('\n');
        throw new Error(`cannot read "${ctx.args}" (first line "${first}")`);
      },
    };
    const { log, read } = fileLogger();
    h = await Harness.create({ log, commands: [...COMMANDS, echoing] });
    const args = 'Nguyễn Văn Bình\n0987 654 321';
    expect(await h.text('Khách', `/thu ${args}`)).toBe(APOLOGY);

    const { text, lines } = read();
    expect(lines.find((l) => l.msg === 'handler failed')).toMatchObject({
      level: 50,
      platform: 'console',
      chat: 'Nhóm thử',
      user: 'Khách',
      err: { message: 'cannot read "[…]" (first line "[…]")', stack: expect.stringContaining('cannot read "[…]"') },
    });
    for (const piece of ['Nguyễn Văn Bình', '0987 654 321']) expect(text, piece).not.toContain(piece);
  });
});
