import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { recordChatPresence } from '../db/chats.js';
import { resolveCaller } from '../db/people.js';
import type { Deliver, IncomingMessage, Outbound, Reply } from './chat.js';
import type { Clock } from './clock.js';
import { ACCESS_LABEL, type Command, type CommandContext, mayRun } from './command.js';
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
}

/**
 * Routes one incoming message: a command runs (after the role check), an answer moves its
 * owner's conversation, anything else in a group is chatter and is left alone.
 */
export class Dispatcher {
  private readonly byName = new Map<string, Command>();

  constructor(private readonly deps: DispatcherDeps) {
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
      this.deps.log.error({ err: error, chat: msg.chat.id, messageId: msg.messageId }, 'handler failed');
      await out
        .send({
          text: 'Xin lỗi, bot gặp lỗi khi xử lý tin nhắn này. Những gì bạn đã trả lời trước đó vẫn được giữ; bạn vui lòng thử lại sau ít phút.',
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
        await conversations.answer(row, this.turn(msg, out));
      } else if (msg.choice) {
        // Someone pressed a button of a question that is not theirs (or no longer exists).
        await out.send({ text: 'Nút này dành cho người đang trả lời câu hỏi đó, nên không có gì thay đổi.', ephemeral: true });
      } else if (msg.chat.kind === 'private' && !row) {
        await out.send({ text: 'Bạn gõ /huongdan để xem các lệnh của bot.' });
      }
      return;
    }

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

  private turn(msg: IncomingMessage, out: Outbound): Turn {
    const now = this.deps.clock.now();
    const caller = resolveCaller(this.deps.db, msg.chat.platform, msg.sender, now);
    recordChatPresence(this.deps.db, msg.chat, caller.personId, now);
    return { msg, out, caller, now };
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
      notify: (notices) => sendNotices(deliver, notices, log),
      reply: (reply: Reply | string) => turn.out.send(typeof reply === 'string' ? { text: reply } : reply),
    };
  }
}

function refusal(command: Command): string {
  const who = ACCESS_LABEL[command.access];
  const how =
    command.access === 'officer'
      ? 'Nếu bạn là cán bộ đầu mối, hãy nhờ quản trị thêm bạn vào đơn vị của mình.'
      : 'Nếu bạn cần dùng, hãy nhờ quản trị cấp quyền.';
  return `Lệnh /${command.name} chỉ dành cho ${who}. ${how}`;
}
