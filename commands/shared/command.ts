import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import type { Caller } from '../../db/people.js';
import type { Deliver, IncomingMessage, Notice, Outbound, Reply, SentMessage } from '../../core/chat.js';
import type { Clock } from '../../core/clock.js';
import type { Conversations } from './conversations.js';
import type { StatusSource } from './status.js';

/**
 * Who may run a command. Levels nest: an admin may do what a leader may, a leader what a unit
 * officer may. Which unit a command may touch is the command's own check (scope), not this one.
 */
export type Access = 'anyone' | 'officer' | 'leader' | 'admin';

const LEVEL: Record<Access, number> = { anyone: 0, officer: 1, leader: 2, admin: 3 };

export function accessOf(caller: Caller): Access {
  if (caller.grants.some((g) => g.role === 'admin')) return 'admin';
  if (caller.grants.some((g) => g.role === 'leader')) return 'leader';
  if (caller.grants.some((g) => g.role === 'officer')) return 'officer';
  return 'anyone';
}

export function mayRun(caller: Caller, access: Access): boolean {
  return LEVEL[accessOf(caller)] >= LEVEL[access];
}

/** Who a command is for, as the refusal and the help say it. */
export const ACCESS_LABEL: Record<Access, string> = {
  anyone: 'mọi người',
  officer: 'cán bộ đầu mối của đơn vị',
  leader: 'lãnh đạo',
  admin: 'quản trị',
};

/**
 * Everyone a command is open to, as a refusal names them: a leader and an admin may use an
 * officer's commands too, so "chỉ dành cho cán bộ đầu mối" alone would be untrue.
 */
export const WHO_MAY: Record<Access, string> = {
  anyone: 'mọi người',
  officer: 'cán bộ đầu mối của đơn vị, lãnh đạo và quản trị',
  leader: 'lãnh đạo và quản trị',
  admin: 'quản trị',
};

/** Deployment rules an IT staffer sets at start-up (bot/config.ts), which commands obey. */
export interface DecisionPolicy {
  /**
   * An admin may decide on a model they registered or of a unit where they are the officer — for a
   * small deployment with one person doing everything. Off by default; each such decision is
   * marked in the audit log.
   */
  adminMayDecideOwn: boolean;
  /** Who answers for personal data (DVK_DATA_PROTECTION_CONTACT), printed in the privacy notice. */
  dataProtectionContact?: string;
  /** Months a person who has left is kept before removal (DVK_RETENTION_MONTHS), said in the notice. */
  retentionMonths?: number;
}

export const DEFAULT_POLICY: DecisionPolicy = { adminMayDecideOwn: false };

export interface CommandContext {
  msg: IncomingMessage;
  /** Text after the command, trimmed. */
  args: string;
  caller: Caller;
  now: Date;
  db: Db;
  clock: Clock;
  out: Outbound;
  conversations: Conversations;
  /** Every registered command, for /huongdan. */
  commands: readonly Command[];
  log: Logger;
  reply(reply: Reply | string): Promise<SentMessage>;
  /** Sends notices to other chats; a failure is logged, never undoes what was saved. */
  notify(notices: readonly Notice[]): Promise<void>;
  deliver: Deliver;
  /** The running process as /trangthai shows it; absent in tests and the CLI. */
  status?: StatusSource;
  /** Absent: DEFAULT_POLICY. */
  policy?: DecisionPolicy;
}

export interface Command {
  /** ASCII, lower case, without the slash: "dangky". */
  name: string;
  /** Other names that run it: "start", "help". */
  aliases?: string[];
  access: Access;
  /** One line for /huongdan, in Vietnamese. */
  summary: string;
  /** How to call it when it takes arguments: "/mohinh [mã]". */
  usage?: string;
  /** Shown in /huongdan; false for plumbing such as /start. */
  listed?: boolean;
  run(ctx: CommandContext): Promise<void>;
}
