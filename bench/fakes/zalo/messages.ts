import { readFileSync } from 'node:fs';
import type { TGroupMessage, TMention, TMessage } from 'zca-js';

/**
 * Message and event payloads as the fake Zalo pushes them, shaped after zca-js 2.2.0's own types
 * (dist/models/Message.d.ts `TMessage`/`TGroupMessage`, dist/models/GroupEvent.d.ts) — reconstructed,
 * not captured from a live account. Recorded variants live in tests/fixtures/zalo/ (see its README).
 */

export interface Person {
  id: string;
  name: string;
}

/** One message as it travels inside a cmd 501/521 (or 510/511) push. */
export type WireMessage = Record<string, unknown> & { msgId: string; ts: string; uidFrom: string; idTo: string };

export interface MessageFields {
  msgType?: string;
  content: unknown;
  mentions?: TMention[];
  quote?: Record<string, unknown>;
  msgId?: string;
  ts?: number | string;
  /** Anything else to set or override on the wire object. */
  extra?: Record<string, unknown>;
}

function base(from: Person, idTo: string, fields: MessageFields, msgId: string): WireMessage {
  return {
    actionId: String(Date.now()),
    msgId,
    cliMsgId: String(Date.now()),
    msgType: fields.msgType ?? 'webchat',
    uidFrom: from.id,
    idTo,
    dName: from.name,
    ts: String(fields.ts ?? Date.now()),
    status: 1,
    content: fields.content,
    notify: '1',
    ttl: 0,
    userId: '0',
    uin: '0',
    topOut: '0',
    topOutTimeOut: '0',
    topOutImprTimeOut: '0',
    paramsExt: { countUnread: 1, containType: 0, platformType: 1 },
    cmd: 521,
    st: 3,
    at: 5,
    realMsgId: '0',
    ...(fields.quote ? { quote: fields.quote } : {}),
    ...fields.extra,
  };
}

/** A member's message in a group (`TGroupMessage`): `idTo` is the group, mentions in UTF-16 units. */
export function groupMessage(groupId: string, from: Person, fields: MessageFields, msgId: string): WireMessage {
  const m = base(from, groupId, fields, msgId);
  if (fields.mentions) m.mentions = fields.mentions;
  return m;
}

/**
 * A private message to the account (`TMessage`). Zalo writes the account itself as "0" (zca-js's
 * UserMessage replaces a "0" idTo/uidFrom by the account's uid), so idTo is "0" here.
 */
export function userMessage(from: Person, fields: MessageFields, msgId: string): WireMessage {
  return { ...base(from, '0', fields, msgId), cmd: 501 };
}

/**
 * The same two, typed as zca-js's own message data: for unit tests that build a GroupMessage or
 * UserMessage themselves instead of pushing it through the fake's socket.
 */
export function groupMessageData(groupId: string, from: Person, fields: MessageFields, msgId: string): TGroupMessage {
  return groupMessage(groupId, from, fields, msgId) as unknown as TGroupMessage;
}

export function userMessageData(from: Person, fields: MessageFields, msgId: string): TMessage {
  return userMessage(from, fields, msgId) as unknown as TMessage;
}

/**
 * A group event as a control of a cmd 601 push. zca-js parses `content.data` when it is a string,
 * which suggests Zalo sends it as JSON text; so does the fake.
 */
export function groupEventControl(act: string, data: Record<string, unknown>): Record<string, unknown> {
  return { content: { act_type: 'group', act, data: JSON.stringify(data) } };
}

// ---------------------------------------------------------------------------------------------
// Recorded shapes (tests/fixtures/zalo/*.json)

export type Fixture =
  | { kind: 'group-message' | 'user-message'; note: string; sources: string[]; captured: boolean; message: WireMessage }
  | { kind: 'group-event'; note: string; sources: string[]; captured: boolean; act: string; data: Record<string, unknown> };

const FIXTURES = new URL('../../../tests/fixtures/zalo/', import.meta.url);

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as Fixture;
}
