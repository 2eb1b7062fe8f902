import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { recordChatPresence } from '../db/chats.js';
import { type Caller, resolveCaller } from '../db/people.js';
import { transactionOnce } from '../db/transactionOnce.js';
import type { Deliver, IncomingMessage, Outbound, Reply } from './chat.js';
import type { Clock } from './clock.js';
import { ACCESS_LABEL, type Command, type CommandContext, mayRun } from './command.js';
import { type CommandLimiter, personKey } from './commandLimiter.js';
import { type ConversationEngine, ownerKey, type Turn } from './conversation.js';
import { sendNotices } from './notify.js';
import { ellipsize, fold } from './text.js';

export interface ParsedCommand {
  /** Folded: lower case, no diacritics ("/DangKy", "/đăngký" → "dangky"). */
  name: string;
  /** The bot named in "/cmd@botname", if any. */
  addressedTo?: string;
  args: string;
}

/** Reads "/cmd", "/cmd@botname args"; anything else is not a command. */
export function parseCommand(text: string): ParsedCommand | undefined {
  const match = /^\/([^\s@/]+)(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return undefined;
  const name = fold(match[1]!).replace(/[^a-z0-9_]/g, '');
  if (name === '') return undefined;
  return { name, addressedTo: match[2], args: (match[3] ?? '').trim() };
}

export interface DispatcherDeps {
  db: Db;
  deliver: Deliver;
  clock: Clock;
  commands: readonly Command[];
  conversations: ConversationEngine;
  log: Logger;
  /** What /trangthai reads about the running process; absent in tests and the CLI. */
  status?: CommandContext['status'];
  /**
   * Per-person command rate limit on the chat platforms. Left out, nothing is limited: the
   * simulator (one operator at a terminal, a script piped in) and tests of other behaviour.
   */
  commandLimiter?: CommandLimiter;
}

/**
 * Routes one incoming message: a command runs (after the role check), an answer moves its
 * owner's conversation, anything else in a group is chatter and is left alone.
 */
export class Dispatcher {
  private readonly byName = new Map<string, Command>();
  /** Who sent it and where they were seen: at most two small writes, committed together. */
  private readonly recordSender: (msg: IncomingMessage, now: Date) => Caller;

  constructor(private readonly deps: DispatcherDeps) {
    const { db } = deps;
    this.recordSender = transactionOnce(db, (msg: IncomingMessage, now: Date) => {
      const caller = resolveCaller(db, msg.chat.platform, msg.sender, now);
      recordChatPresence(db, msg.chat, caller.personId, now);
      return caller;
    });
    for (const command of deps.commands) {
      for (const name of [command.name, ...(command.aliases ?? [])]) {
        if (this.byName.has(name)) throw new Error(`command name "${name}" registered twice`);
        this.byName.set(name, command);
      }
    }
  }

  readonly handle = async (msg: IncomingMessage, out: Outbound): Promise<void> => {
    try {
      await this.route(msg, out);
    } catch (error) {
      // Another writer (a backup, an admin CLI) held the database past the busy timeout: this
      // message was not taken at all, and the person should send that same message again.
      const busy = isDatabaseBusy(error);
      this.deps.log.error({ err: error, chat: msg.chat.id, messageId: msg.messageId }, busy ? 'database busy' : 'handler failed');
      await out
        .send({
          text: busy
            ? 'Xin lỗi, bot đang bận ghi dữ liệu khác nên chưa ghi nhận tin nhắn vừa rồi. Những gì bạn đã trả lời trước đó vẫn được giữ; bạn vui lòng gửi lại đúng tin nhắn đó sau ít phút.'
            : 'Xin lỗi, bot gặp lỗi khi xử lý tin nhắn này. Những gì bạn đã trả lời trước đó vẫn được giữ; bạn vui lòng thử lại sau ít phút.',
        })
        .catch((sendError: unknown) => this.deps.log.error({ err: sendError }, 'could not report a failure'));
    }
  };

  private async route(msg: IncomingMessage, out: Outbound): Promise<void> {
    const command = msg.choice ? undefined : parseCommand(msg.text);
    if (command?.addressedTo && out.botUsername && command.addressedTo.toLowerCase() !== out.botUsername.toLowerCase()) {
      return; // "/cmd@another_bot" is not for us
    }

    const { conversations } = this.deps;
    if (!command) {
      const row = conversations.find(ownerKey(msg));
      if (row && conversations.isAnswer(row, msg, out)) {
        // Answers and button presses are never limited: someone going quickly through a flow must
        // not be stopped, and each moves only their own conversation, one step at a time.
        await conversations.answer(row, this.turn(msg, out));
      } else if (msg.choice) {
        // Someone pressed a button of a question that is not theirs (or no longer exists).
        await out.send({ text: 'Nút này dành cho người đang trả lời câu hỏi đó, nên không có gì thay đổi.', ephemeral: true });
      } else if (msg.chat.kind === 'private' && !row) {
        if (await this.limited(msg, out)) return;
        await out.send({ text: 'Bạn gõ /huongdan để xem các lệnh của bot.' });
      }
      return;
    }

    // Before anything is read or written: a flood costs the bot one map lookup per message.
    if (await this.limited(msg, out)) return;
    const found = this.byName.get(command.name);
    if (!found) {
      await out.send({ text: `Bot không có lệnh /${ellipsize(command.name, 30)}. Gõ /huongdan để xem các lệnh bạn dùng được.` });
      return;
    }
    const turn = this.turn(msg, out);
    if (!mayRun(turn.caller, found.access)) {
      await out.send({ text: refusal(found) });
      return;
    }
    await found.run(this.context(turn, command.args));
  }

  /**
   * Whether the sender is over their command limit. The first refusal of a streak tells them how
   * long to wait; the rest of the streak is dropped silently, so a flood gets one answer, not fifty.
   */
  private async limited(msg: IncomingMessage, out: Outbound): Promise<boolean> {
    const decision = this.deps.commandLimiter?.take(personKey(msg.chat.platform, msg.sender.id));
    if (!decision || decision.allowed) return false;
    if (decision.notify) {
      this.deps.log.warn({ platform: msg.chat.platform, user: msg.sender.id, chat: msg.chat.id }, 'commands rate limited');
      const seconds = Math.max(1, Math.ceil(decision.waitMs / 1000));
      const slowDown = `gửi lệnh nhanh quá, vui lòng đợi ${seconds} giây rồi thử lại.`;
      const { sender } = msg;
      const mention = { platformUserId: sender.id, displayName: sender.displayName, username: sender.username };
      // In a group, say whom it is for: the others keep working and should not think it is them.
      await out.send({ text: msg.chat.kind === 'group' ? [{ mention }, `: bạn ${slowDown}`] : `Bạn ${slowDown}` });
    }
    return true;
  }

  private turn(msg: IncomingMessage, out: Outbound): Turn {
    const now = this.deps.clock.now();
    return { msg, out, caller: this.recordSender(msg, now), now };
  }

  private context(turn: Turn, args: string): CommandContext {
    const { db, clock, conversations, commands, log, deliver } = this.deps;
    return {
      ...turn,
      args,
      db,
      clock,
      conversations,
      commands,
      log,
      deliver,
      status: this.deps.status,
      notify: (notices) => sendNotices(deliver, notices, log),
      reply: (reply: Reply | string) => turn.out.send(typeof reply === 'string' ? { text: reply } : reply),
    };
  }
}

/** SQLite's "database is locked" (SQLITE_BUSY and its variants), also when drizzle wraps it as a cause. */
export function isDatabaseBusy(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
  }
  return false;
}

function refusal(command: Command): string {
  const who = ACCESS_LABEL[command.access];
  const how =
    command.access === 'officer'
      ? 'Nếu bạn là cán bộ đầu mối, hãy nhờ quản trị thêm bạn vào đơn vị của mình.'
      : 'Nếu bạn cần dùng, hãy nhờ quản trị cấp quyền.';
  return `Lệnh /${command.name} chỉ dành cho ${who}. ${how}`;
}
