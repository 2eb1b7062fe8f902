import type { Logger } from 'pino';
import type { GroupEvent } from 'zca-js';
import type { AdapterHooks, ChatGoneReason } from '../../core/chat.js';

/**
 * Zalo's group events (zca-js "group_event", cmd 601 controls with act_type "group"): the only
 * sign that the bot's account was taken out of a group, so reminders to it stop at once instead
 * of failing there for days.
 *
 * What zca-js 2.2.0 gives (dist/apis/listen.js, models/GroupEvent.js): `act` as Zalo named it,
 * `threadId` the group, `data.updateMembers` the people concerned, and `isSelf` when they (or the
 * doer, `sourceId`) are the account itself. zca-js drops every isSelf event unless `selfListen` is
 * on — the bot's removal names the bot, so the login turns it on (bot/zalo/login.ts) and the
 * account's own messages, which then arrive too, are dropped in incoming.ts.
 *
 * What can be detected:
 * - the account removed (`remove_member`), removed and blocked (`block_member`), or made to leave
 *   (`leave`, someone using the account's phone) — the account is in `updateMembers`;
 * - the group disbanded: zca-js 2.2.0 has no type for it; `disperse` is the name of Zalo's own call
 *   to disband a group (zca-js apis/disperseGroup.js → /api/group/disperse) and is taken as its
 *   event's act — an educated guess, never seen from a live account.
 * What cannot: a removal or a disbanding while the bot was not connected (Zalo does not replay
 * controls), and any other act Zalo may use for them. Those chats are found only when a send there
 * fails; every act the bot does not know is logged by name so an operator can tell.
 */

/** Acts whose `updateMembers` are taken out of the group. */
const MEMBERS_OUT = new Set(['remove_member', 'block_member', 'leave']);
/** Acts that mean the group itself is gone (see above: not verified against a live account). */
const GROUP_GONE = new Set(['disperse']);
/** Membership changes logged at info level; everything else (settings, pins, boards…) at debug. */
const MEMBERSHIP = new Set(['join', 'join_request', ...MEMBERS_OUT]);

export type GroupEventOutcome =
  | { kind: 'gone'; groupId: string; reason: ChatGoneReason }
  | { kind: 'membership'; groupId: string; act: string; members: number }
  | { kind: 'other'; groupId: string | undefined; act: string };

function memberIds(data: unknown): string[] {
  const members = (data as { updateMembers?: unknown } | null)?.updateMembers;
  if (!Array.isArray(members)) return [];
  // Most acts list members as {id, dName…}; remind responses as bare ids.
  return members.map((m: unknown) => String(typeof m === 'object' && m !== null ? (m as { id?: unknown }).id : m));
}

/** What a group event means for the bot whose account is `ownId`. */
export function readGroupEvent(event: Pick<GroupEvent, 'act' | 'type' | 'threadId' | 'data'>, ownId: string): GroupEventOutcome {
  const act = String(event.act ?? event.type);
  const groupId = event.threadId === undefined || event.threadId === null || String(event.threadId) === '' ? undefined : String(event.threadId);
  if (groupId === undefined) return { kind: 'other', groupId, act };
  if (GROUP_GONE.has(act)) return { kind: 'gone', groupId, reason: 'disbanded' };
  const members = memberIds(event.data);
  if (MEMBERS_OUT.has(act) && members.includes(ownId)) return { kind: 'gone', groupId, reason: 'removed' };
  if (MEMBERSHIP.has(act)) return { kind: 'membership', groupId, act, members: members.length };
  return { kind: 'other', groupId, act };
}

/**
 * Acts on one group event: the chat is marked gone when the bot is out of it; membership changes
 * are logged with the group id, the act and how many people — never names or member ids.
 */
export function onGroupEvent(event: GroupEvent, ownId: string, hooks: Pick<AdapterHooks, 'chatGone'>, log: Logger): void {
  const outcome = readGroupEvent(event, ownId);
  switch (outcome.kind) {
    case 'gone':
      log.warn({ groupId: outcome.groupId, act: event.act, reason: outcome.reason }, 'zalo: the bot is no longer in this group');
      hooks.chatGone('zalo', outcome.groupId, outcome.reason);
      return;
    case 'membership':
      log.info({ groupId: outcome.groupId, act: outcome.act, members: outcome.members }, 'zalo: group membership changed');
      return;
    case 'other':
      log.debug({ groupId: outcome.groupId, act: outcome.act }, 'zalo: group event');
      return;
  }
}
