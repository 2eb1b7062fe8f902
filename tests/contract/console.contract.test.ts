import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { createCore } from '../../bot/app.js';
import { BOT_USERNAME, ConsoleAdapter } from '../../bot/console/adapter.js';
import { silentLogger } from '../../bot/logger.js';
import type { ChatRef, IncomingMessage, Outbound, PlatformUser } from '../../core/chat.js';
import { fixedClock } from '../../core/clock.js';
import { seedDemo } from '../../db/seed/demo.js';
import { adapterContract, type BotMessage, type Delivery, type PlatformDriver, type PlatformWorld, type Typed } from './adapterContract.js';

/**
 * The simulator (bot/console/adapter.ts) under the contract: lines typed into its input as
 * `[Nhóm] Người: nội dung`, what it prints read back as messages, files read from its folder.
 */

const NOW = '2026-03-10T09:00:00+07:00';
/** A demo group, bound to Xã Cẩm Xuyên. */
const GROUP: ChatRef = { platform: 'console', id: 'Dân vận khéo xã Cẩm Xuyên', kind: 'group', title: 'Dân vận khéo xã Cẩm Xuyên' };

/** One block the simulator printed (one send) as the messages a member sees: its text, then each file. */
function messagesOf(block: string): BotMessage[] {
  const lines = block.replace(/\n$/, '').split('\n');
  const label = /^\[([^\]]+)\]/.exec(lines[0]!)![1]!;
  const chatId = label.startsWith('riêng: ') ? `private:${label.slice('riêng: '.length)}` : label;
  const text: string[] = [];
  const files: BotMessage[] = [];
  for (const [i, line] of lines.entries()) {
    let content = line.slice(label.length + 2).replace(/^ /, '');
    if (i === 0) content = content.replace(/^Bot(?: → [^:]+| \(chỉ người bấm thấy\))?: ?/, '');
    const file = /^📎 Tệp: (.+)$/.exec(content);
    if (file) files.push({ chatId, text: '', file: { name: basename(file[1]!).replace(/^\d{8}-\d{6}-/, ''), data: readFileSync(file[1]!) } });
    else text.push(content);
  }
  return [{ chatId, text: text.join('\n') }, ...files];
}

async function consoleWorld(): Promise<PlatformWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'dvk-contract-console-'));
  const clock = fixedClock(NOW);
  let adapter: ConsoleAdapter | undefined;
  const core = await createCore({
    dbPath: join(dir, 'dvk.sqlite'),
    clock,
    log: silentLogger,
    flowTtlMinutes: 60,
    // As main wires it: notices to other chats go through the adapter too.
    deliver: (chat, reply) => adapter!.send(chat, reply),
  });
  seedDemo(core.database.db, clock.now());

  const input = new PassThrough();
  // Each send is one write: one block of lines.
  const blocks: string[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      blocks.push(chunk.toString('utf8'));
      done();
    },
  });
  adapter = new ConsoleAdapter({ input, output, outDir: join(dir, 'out'), clock, interactive: false });
  const handled: Array<{ message: IncomingMessage; outbound: Outbound }> = [];
  const waiting: Array<() => void> = [];
  const running = adapter.start(async (message, outbound) => {
    try {
      await core.dispatcher.handle(message, outbound);
    } finally {
      handled.push({ message, outbound });
      for (const wake of waiting.splice(0)) wake();
    }
  });

  const sent = () => blocks.flatMap(messagesOf);
  const say = async (from: PlatformUser, typed: Typed): Promise<Delivery> => {
    // The simulator has no mention entities: a mention is the name as typed, the bot's its username.
    const text = typeof typed === 'string' ? typed : typed.map((p) => (typeof p === 'string' ? p : 'mentionBot' in p ? `@${BOT_USERNAME}` : p.as)).join('');
    const before = sent().length;
    const n = handled.length + 1;
    input.write(`[${GROUP.id}] ${from.displayName}: ${text}\n`);
    while (handled.length < n) await new Promise<void>((resolve) => waiting.push(resolve));
    const { message, outbound } = handled[n - 1]!;
    return { id: message.messageId, replies: sent().slice(before), message, outbound };
  };

  return {
    adapter,
    core,
    group: GROUP,
    // A person is their name in the simulator.
    person: (displayName) => ({ id: displayName.normalize('NFC'), displayName: displayName.normalize('NFC') }),
    say,
    // The next line from the person is the answer.
    answer: (from, typed) => say(from, typed),
    sent,
    async close() {
      input.end();
      await running;
      core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const consoleDriver: PlatformDriver = {
  name: 'the simulator (console)',
  noRedelivery: 'each line typed is read once and given a new id; nothing can hand the same line over again',
  noChatGone: 'its chats are names typed at the terminal, which nothing can remove the bot from or refuse',
  noMentionMarks: 'a line typed at the terminal is plain text',
  start: consoleWorld,
};

adapterContract(consoleDriver);
