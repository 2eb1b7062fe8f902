/**
 * zca-js 2.2.0's socket frames (dist/apis/listen.js): a 4-byte header — version (byte 0), cmd
 * (uint16 little-endian, bytes 1–2), subCmd (byte 3) — then a UTF-8 JSON body. zca-js writes the
 * header with `setInt32(1, cmd, true)` and then overwrites bytes 3 and 4, so only 16 bits of cmd
 * survive; `getHeader` reads them back the same way.
 */

/** The cmds zca-js 2.2.0 acts on (listen.js `ws.onmessage`), and those it sends. */
export const Cmd = {
  /** Server → client, subCmd 1: `{ key }`, the AES-GCM key of the events that follow; starts pings. */
  CipherKey: 1,
  /** Client → server, subCmd 1: `{ eventId }`, every `settings.features.socket.ping_interval` ms. */
  Ping: 2,
  /** Server → client, subCmd 0: private messages, `{ data: { msgs } }`. */
  UserMessages: 501,
  /** Server → client, subCmd 0: group messages, `{ data: { groupMsgs } }`. */
  GroupMessages: 521,
  /** Both ways, subCmd 1: `requestOldMessages(User)` asks; the answer is `{ data: { msgs } }`. */
  OldUserMessages: 510,
  /** Both ways, subCmd 1: `requestOldMessages(Group)` asks; the answer is `{ data: { groupMsgs } }`. */
  OldGroupMessages: 511,
  /** Server → client, subCmd 0: `{ data: { controls } }` — file_done, group and friend events. */
  Controls: 601,
  /** Server → client, subCmd 0: "another connection is opened"; zca-js then closes with 3000. */
  DuplicateConnection: 3000,
} as const;

export interface Frame {
  version: number;
  cmd: number;
  subCmd: number;
  body: unknown;
}

export function encodeFrame(cmd: number, subCmd: number, body: unknown, version = 1): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt8(version, 0);
  header.writeUInt16LE(cmd, 1);
  header.writeUInt8(subCmd, 3);
  return Buffer.concat([header, Buffer.from(JSON.stringify(body), 'utf8')]);
}

export function decodeFrame(data: Buffer): Frame {
  if (data.length < 4) throw new Error(`fake Zalo: a ${data.length}-byte frame has no header`);
  const text = data.subarray(4).toString('utf8');
  return { version: data[0]!, cmd: data.readUInt16LE(1), subCmd: data[3]!, body: text === '' ? undefined : JSON.parse(text) };
}
