import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { recordChatPresence } from '../db/chats.js';
import { type Caller, resolveCaller } from '../db/people.js';
import { reusableTransaction } from '../db/reusableTransaction.js';
import { ChatGoneError, type Deliver, DeliveryUncertainError, type IncomingMessage, type Outbound, type Reply } from '../core/chat.js';
import type { Clock } from '../core/clock.js';
import { accessOf, type Command, type CommandContext, mayRun, WHO_MAY } from '../commands/shared/command.js';
import { type CommandLimiter, type LimitDecision, personKey, REASK_LIMIT } from './commandLimiter.js';
import type { ConversationEngine } from './conversation.js';
import type { Turn } from '../commands/shared/conversations.js';
import { ownerKey } from '../db/conversations.js';
import { serializeError } from './logger.js';
import { sendNotices } from './notify.js';
import { ellipsize, fold } from '../core/text.js';
import { type CommandSuggestion, suggestCommand } from '../core/commandSuggestion.js';

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

/** What a person reads when the bot's answer timed out on the way (it may still arrive). */
export const REPLY_UNCERTAIN =
  'Xin lỗi, mạng phản hồi chậm nên bot không chắc câu trả lời vừa rồi đã đến. Nếu bạn chưa thấy, vui lòng gửi lại tin nhắn sau ít phút.';

export interface DispatcherDeps {
  db: Db;
  deliver: Deliver;
  clock: Clock;
  commands: readonly Command[];
  conversations: ConversationEngine;
  log: Logger;
  /** What /trangthai reads about the running process; absent in tests and the CLI. */
  status?: CommandContext['status'];
  /** Deployment rules commands obey (an admin deciding alone); absent: the defaults. */
  policy?: CommandContext['policy'];
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
    this.recordSender = reusableTransaction(db, (msg: IncomingMessage, now: Date) => {
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
      // Ids only, never the text: it is what a person wrote (names, phone numbers, their answers).
      const where = { platform: msg.chat.platform, chat: msg.chat.id, user: msg.sender.id, messageId: msg.messageId };
      // The bot was removed from this chat (the adapter has marked it gone): nobody there can
      // read an apology, and nothing in the bot failed.
      if (isGoneHere(error, msg)) {
        this.deps.log.info(where, 'reply not delivered: the bot can no longer write in this chat');
        return;
      }
      // A reply the platform did not answer in time may still arrive: nothing in the bot failed,
      // and "something went wrong, try again" would be false if it did. The person hears that it
      // may be missing, and nothing is sent twice.
      if (error instanceof DeliveryUncertainError) {
        this.deps.log.warn(where, 'reply may not have been delivered: the platform did not answer in time');
        await out
          .send({ text: REPLY_UNCERTAIN })
          .catch((sendError: unknown) => this.deps.log.warn({ err: sendError, ...where }, 'could not say that a reply may be missing'));
        return;
      }
      // Another writer (a backup, an admin CLI) held the database past the busy timeout: this
      // message was not taken at all, and the person should send that same message again.
      const busy = isDatabaseBusy(error);
      // An error may quote the text too (a parser echoing what it could not read): left out.
      this.deps.log.error({ err: serializeError(error, personalText(msg.text)), ...where }, busy ? 'database busy' : 'handler failed');
      await out
        .send({
          text: busy
            ? 'Xin lỗi, bot đang bận ghi dữ liệu khác nên chưa ghi nhận tin nhắn vừa rồi. Những gì bạn đã trả lời trước đó vẫn được giữ; bạn vui lòng gửi lại đúng tin nhắn đó sau ít phút.'
            : 'Xin lỗi, bot gặp lỗi khi xử lý tin nhắn này. Những gì bạn đã trả lời trước đó vẫn được giữ; bạn vui lòng thử lại sau ít phút.',
        })
        .catch((sendError: unknown) => {
          if (isGoneHere(sendError, msg)) this.deps.log.info(where, 'failure not reported: the bot can no longer write in this chat');
          else this.deps.log.error({ err: serializeError(sendError, personalText(msg.text)), ...where }, 'could not report a failure');
        });
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
        // An answer that moves the flow forward is never limited: someone going quickly through a
        // long flow must not be stopped. What a wrong answer makes the bot post (a re-ask, a notice
        // about an old button, a step back) is charged to the person instead: over their budget
        // the engine stays silent and moves nothing, so a flood of wrong answers cannot spend the
        // group's send budget for everyone.
        await conversations.answer(row, { ...this.turn(msg, out), mayComplain: () => this.mayComplain(msg, out) });
      } else if (msg.choice) {
        // Someone pressed a button of a question that is not theirs, or one that is over.
        if (!(await this.mayComplain(msg, out))) return;
        await out.send({ text: conversations.pressNotice(msg), ephemeral: true });
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
      await out.send({ text: unknownCommand(command, suggestCommand(this.deps.commands, command.name, command.args)) });
      return;
    }
    const turn = this.turn(msg, out);
    if (!mayRun(turn.caller, found.access)) {
      await out.send({ text: refusal(found, turn.caller) });
      return;
    }
    await found.run(this.context(turn, command.args));
  }

  /**
   * Whether the sender is over their command limit (or, for `answer`, over what the bot may post
   * in reply to their wrong answers). The first refusal of a streak tells them how long to wait;
   * the rest of the streak is dropped silently, so a flood gets one answer, not fifty.
   */
  private async limited(msg: IncomingMessage, out: Outbound, what: 'command' | 'answer' = 'command'): Promise<boolean> {
    const limiter = this.deps.commandLimiter;
    if (!limiter) return false;
    const person = personKey(msg.chat.platform, msg.sender.id);
    // In a group a complaint needs the tighter re-ask budget first (REASK_LIMIT says why); one it
    // refuses costs no command.
    let decision: LimitDecision =
      what === 'answer' && msg.chat.kind === 'group' ? (this.reaskLimiter ??= limiter.sibling(REASK_LIMIT)).take(person) : { allowed: true };
    if (decision.allowed) decision = limiter.take(person);
    if (decision.allowed) return false;
    if (decision.notify) {
      this.deps.log.warn({ platform: msg.chat.platform, user: msg.sender.id, chat: msg.chat.id }, `${what}s rate limited`);
      const seconds = Math.max(1, Math.ceil(decision.waitMs / 1000));
      const slowDown =
        what === 'answer'
          ? `trả lời nhanh quá, vui lòng đợi ${seconds} giây, đọc kỹ câu hỏi rồi trả lời lại.`
          : `gửi lệnh nhanh quá, vui lòng đợi ${seconds} giây rồi thử lại.`;
      const { sender } = msg;
      const mention = { platformUserId: sender.id, displayName: sender.displayName, username: sender.username };
      if (msg.choice) {
        // A button press: told only to the presser where the platform can (a Telegram alert).
        await out.send({ text: `Bạn ${slowDown}`, ephemeral: true });
      } else {
        // In a group, say whom it is for: the others keep working and should not think it is them.
        await out.send({ text: msg.chat.kind === 'group' ? [{ mention }, `: bạn ${slowDown}`] : `Bạn ${slowDown}` });
      }
    }
    return true;
  }

  /**
   * Whether the bot may answer a wrong answer or press: drawn from the sender's command budget
   * ("the same budget as commands, counting the bot's re-asks") and, in a group, from their
   * re-ask budget. Beyond it the first refusal of a streak says once to slow down; then silence.
   */
  private async mayComplain(msg: IncomingMessage, out: Outbound): Promise<boolean> {
    return !(await this.limited(msg, out, 'answer'));
  }

  /** The re-ask limiter, made on first use beside the command limiter (same clock, same lifetime). */
  private reaskLimiter?: CommandLimiter;

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
      policy: this.deps.policy,
      notify: (notices) => sendNotices(deliver, notices, log),
      reply: (reply: Reply | string) => turn.out.send(typeof reply === 'string' ? { text: reply } : reply),
    };
  }
}

/** The platform refused a send to the very chat this message came from: the bot was removed there. */
function isGoneHere(error: unknown, msg: IncomingMessage): boolean {
  return error instanceof ChatGoneError && error.chat.platform === msg.chat.platform && error.chat.id === msg.chat.id;
}

/**
 * What to leave out of a failure's log line: what the person wrote, whole and line by line; of
 * a command, its arguments (the command word names nobody, and hiding it would blur file names
 * in the stack). A piece shorter than four characters names nobody either, and would blur the rest.
 */
function personalText(text: string): string[] {
  const said = parseCommand(text)?.args ?? text;
  const pieces = new Set([said, ...said.split('\n').map((line) => line.trim())]);
  return [...pieces].filter((piece) => piece.length >= 4);
}

/** SQLite's "database is locked" (SQLITE_BUSY and its variants), also when drizzle wraps it as a cause. */
export function isDatabaseBusy(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
  }
  return false;
}

/** The answer to a command the bot does not have, with the one it probably meant ("/dang ky" → /dangky). */
function unknownCommand(command: ParsedCommand, guess: CommandSuggestion | undefined): string {
  const typed = `/${ellipsize(command.name, 30)}`;
  if (!guess) return `Bot không có lệnh ${typed}. Gõ /huongdan để xem các lệnh bạn dùng được.`;
  const meant = `/${guess.name}${guess.args === '' ? '' : ` ${ellipsize(guess.args, 60)}`}`;
  return guess.joined ? `Tên lệnh viết liền, không có dấu cách. Có phải bạn muốn gõ ${meant}?` : `Bot không có lệnh ${typed}. Có phải bạn muốn gõ ${meant}?`;
}

/**
 * Why a command is refused, and what to do: a person of no unit is told to join theirs first
 * (/thamgia), anyone else whom to ask for the role.
 */
function refusal(command: Command, caller: Caller): string {
  const who = WHO_MAY[command.access];
  const how =
    accessOf(caller) === 'anyone'
      ? 'Bạn chưa thuộc đơn vị nào: gõ /thamgia <mã đơn vị> (mã do quản trị của nhóm cung cấp), hoặc nhờ quản trị thêm bạn vào đơn vị của mình.'
      : 'Nếu bạn cần dùng, hãy nhờ quản trị cấp quyền.';
  return `Lệnh /${command.name} chỉ dành cho ${who}. ${how}`;
}
