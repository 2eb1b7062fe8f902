import type { Logger } from 'pino';
import type { ChatRef, Deliver } from '../../core/chat.js';
import { privateChatOf } from '../../db/chats.js';
import type { Db } from '../../db/client.js';
import type { Caller } from '../../db/people.js';

/**
 * Secrets for one person (a unit's join code): shown only in that person's private chat with the
 * bot, never where a group can read them — anyone reading a province group could otherwise join
 * any unit. In a group the bot writes the secret to the person's private chat when it can.
 */

export type PrivateRoute =
  /** The message came from the person's private chat: answer here. */
  | { kind: 'here' }
  /** A group; the person has a private chat with the bot on this platform. */
  | { kind: 'elsewhere'; chat: ChatRef }
  /** A group, and the bot cannot write to the person alone yet. */
  | { kind: 'none' };

export function privateRoute(db: Db, caller: Caller, chat: ChatRef): PrivateRoute {
  if (chat.kind === 'private') return { kind: 'here' };
  const own = privateChatOf(db, caller.personId, chat.platform);
  return own ? { kind: 'elsewhere', chat: own } : { kind: 'none' };
}

/** How to reach the bot privately, said where a secret was held back. */
export function askPrivately(command: string): string {
  return `Mã tham gia chỉ hiện trong tin nhắn riêng với bot: bạn mở tin nhắn riêng với bot (bấm vào tên bot, chọn nhắn tin) rồi gõ ${command}.`;
}

/**
 * Sends `secret` to the caller's private chat when the message came from a group; returns the
 * line the group reads instead (sent, or how to ask privately). `again` is the command that shows
 * the secret again in private.
 */
export async function sendPrivately(ctx: { deliver: Deliver; log: Logger }, route: PrivateRoute, secret: string, again: string): Promise<string> {
  if (route.kind === 'none') return askPrivately(again);
  if (route.kind === 'here') return secret;
  try {
    await ctx.deliver(route.chat, { text: secret });
    return 'Mã tham gia đã gửi riêng cho bạn (tin nhắn riêng với bot).';
  } catch (error) {
    // Blocked or gone since: the group still gets no code, and the admin learns how to get it.
    ctx.log.warn({ err: error, chat: route.chat.id }, 'could not send a join code privately');
    return `Bot chưa gửi riêng được cho bạn. ${askPrivately(again)}`;
  }
}
