import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { encodeEventData, type EncryptMode, newCipherKey } from './crypto.js';
import { Cmd, decodeFrame, encodeFrame } from './frames.js';

/**
 * The socket half of the fake Zalo: a `ws` server on 127.0.0.1 that zca-js's Listener connects to
 * (its URL is the login answer's `zpw_ws`). Each connection gets its cipher key first, as Zalo's
 * does; frames from zca-js (pings, old-message requests) are decoded and reported.
 */

export interface OldMessagesRequest {
  connection: number;
  threadType: 'user' | 'group';
  /** zca-js's paging cursor (`requestOldMessages(type, lastMsgId)`); null for "the newest". */
  lastId: string | null;
  body: Record<string, unknown>;
  /** The msgIds the fake answered with, newest first; undefined while the answer is held. */
  answered?: string[];
}

export interface SocketEvents {
  /** zca-js asked for history on `connection` (the fake answers there, from the history it keeps). */
  oldMessagesRequested(request: OldMessagesRequest, connection: FakeConnection): void;
  /** Anything happened (a connection, a frame, a close): waiters look again. */
  changed(): void;
}

export class FakeConnection {
  readonly cipherKey = newCipherKey();
  pings = 0;
  /** Pings the fake answered (a cmd-2 frame back: Zalo's answer is not captured, zca-js ignores it). */
  pongs = 0;
  /**
   * Half-open: the fake neither answers pings nor lets anything through any more, but the TCP
   * connection stays up, so zca-js sees nothing end (`silence()`).
   */
  silent = false;
  /** How it ended, once it has: the close code the server saw, and who ended it. */
  ended?: { code: number; by: 'server' | 'client' };
  /** Set the moment the fake decides to end it, before the close completes. */
  ending = false;
  /** The cipher key frame is out: encrypted events can follow. */
  ready = false;
  /** The code of the close frame zca-js sent, when the fake cut the socket instead of answering it. */
  unansweredCloseCode?: number;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    /** The TCP socket under it, to cut it before `ws` answers a close. */
    private readonly tcp: Duplex,
    /** The URL zca-js connected to, with its `t`, `zpw_ver` and `zpw_type` query. */
    readonly url: URL,
    readonly cookie: string,
    readonly userAgent: string,
  ) {}

  get open(): boolean {
    return this.ready && !this.ending && !this.ended;
  }

  /** Sends one raw frame (none once the connection is silent: a half-open socket carries nothing). */
  send(cmd: number, subCmd: number, body: unknown, version = 1): Promise<void> {
    if (this.silent) return Promise.resolve();
    return new Promise((resolve, reject) => this.ws.send(encodeFrame(cmd, subCmd, body, version), (error) => (error ? reject(error) : resolve())));
  }

  /** Sends an event frame whose body is `{ data, encrypt }`, encoded as zca-js's decodeEventData reads it. */
  push(cmd: number, subCmd: number, payload: unknown, encrypt: EncryptMode = 2): Promise<void> {
    return this.send(cmd, subCmd, encodeEventData(this.cipherKey, payload, encrypt));
  }

  /**
   * Resolves once zca-js's socket has read everything sent before: a ping's pong comes back only
   * after the frames ahead of it were parsed and their (synchronous) handlers ran.
   */
  settle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.ws.off('pong', done);
        resolve();
      };
      this.ws.on('pong', done);
      this.ws.once('close', () => resolve());
      this.ws.ping();
    });
  }

  /** A socket lost without a close frame: zca-js sees 1006. */
  drop(): void {
    this.ending = true;
    this.ws.terminate();
  }

  /** A proper close with `code`, which zca-js sees as is (3000, 3003…). */
  close(code: number, reason = ''): void {
    this.ending = true;
    this.ws.close(code, reason);
  }

  /**
   * The cmd-3000 frame ("another connection is opened"); zca-js answers by closing with 3000. With
   * `echo`, the server completes that close (zca-js sees 3000); without, it cuts the TCP socket as
   * zca-js's close frame arrives, the way Zalo can drop it without echoing (zca-js then sees 1006).
   */
  async kick(echo: boolean): Promise<void> {
    this.ending = true;
    if (!echo) {
      // Ahead of ws's own reader: when zca-js's close frame comes, note its code and cut the
      // connection, so ws never answers it.
      this.tcp.prependListener('data', (chunk: Buffer) => {
        const code = closeCodeIn(chunk);
        if (code === undefined || this.unansweredCloseCode !== undefined) return;
        this.unansweredCloseCode = code;
        this.tcp.destroy();
      });
    }
    await this.send(Cmd.DuplicateConnection, 0, {});
  }

  /** From now on nothing reaches zca-js on this socket, and nothing ends it either. */
  silence(): void {
    this.silent = true;
  }

  markEnded(code: number): void {
    this.ended = { code, by: this.ending ? 'server' : 'client' };
  }
}

/**
 * The close code of a (masked, client-to-server) close frame in `chunk`, if there is one: walks
 * the frames of the chunk (RFC 6455 §5.2).
 */
function closeCodeIn(chunk: Buffer): number | undefined {
  let at = 0;
  while (at + 2 <= chunk.length) {
    const opcode = chunk[at]! & 0x0f;
    let length = chunk[at + 1]! & 0x7f;
    const masked = (chunk[at + 1]! & 0x80) !== 0;
    let head = 2;
    if ((length === 126 && at + 4 > chunk.length) || (length === 127 && at + 10 > chunk.length)) return undefined;
    if (length === 126) {
      length = chunk.readUInt16BE(at + 2);
      head = 4;
    } else if (length === 127) {
      length = Number(chunk.readBigUInt64BE(at + 2));
      head = 10;
    }
    const mask = masked ? chunk.subarray(at + head, at + head + 4) : undefined;
    const start = at + head + (masked ? 4 : 0);
    if (opcode === 0x8 && length >= 2 && start + 2 <= chunk.length) {
      const b0 = chunk[start]! ^ (mask ? mask[0]! : 0);
      const b1 = chunk[start + 1]! ^ (mask ? mask[1]! : 0);
      return (b0 << 8) | b1;
    }
    at = start + length;
  }
  return undefined;
}

export class FakeSocketServer {
  readonly connections: FakeConnection[] = [];
  /** Socket upgrades answered 403 (see `refuseNext`). */
  refused = 0;
  private toRefuse = 0;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(events: SocketEvents): Promise<FakeSocketServer> {
    // The upgrade is handled here (not by ws's own server) to hold each TCP socket.
    // No permessage-deflate: zca-js offers it, a server may decline, and frames stay readable.
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    const http = createServer((_request, response) => response.writeHead(426).end());
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(0, '127.0.0.1', resolve);
    });
    const { port } = http.address() as AddressInfo;
    const fake = new FakeSocketServer(http, wss, `ws://127.0.0.1:${port}/`);
    http.on('upgrade', (request, tcp: Duplex, head: Buffer) => {
      if (fake.toRefuse > 0) {
        // Not captured: how Zalo turns away a socket of a session it no longer knows. A refused
        // upgrade is what zca-js sees as a socket that never opened (an error, then close 1006).
        fake.toRefuse--;
        fake.refused++;
        tcp.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        events.changed();
        return;
      }
      wss.handleUpgrade(request, tcp, head, (ws) => fake.accept(ws, tcp, request.url ?? '/', request.headers, events));
    });
    return fake;
  }

  /** The next `count` socket upgrades are refused (HTTP 403), whatever the session. */
  refuseNext(count: number): void {
    this.toRefuse += count;
  }

  /** The newest connection the fake has not ended and zca-js has not closed. */
  current(): FakeConnection | undefined {
    const last = this.connections.at(-1);
    return last?.open ? last : undefined;
  }

  private accept(ws: WebSocket, tcp: Duplex, path: string, headers: Record<string, string | string[] | undefined>, events: SocketEvents): void {
    const connection = new FakeConnection(
      this.connections.length + 1,
      ws,
      tcp,
      new URL(path, this.url),
      String(headers.cookie ?? ''),
      String(headers['user-agent'] ?? ''),
    );
    this.connections.push(connection);
    ws.on('error', () => {
      // A reset socket (a drop, a kick without echo) is expected here; the close event follows.
    });
    ws.on('close', (code) => {
      connection.markEnded(code);
      events.changed();
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const frame = decodeFrame(data);
      if (frame.cmd === Cmd.Ping) {
        connection.pings++;
        if (!connection.silent) {
          connection.pongs++;
          void connection.send(Cmd.Ping, 1, { eventId: (frame.body as { eventId?: unknown } | undefined)?.eventId ?? null }).catch(() => undefined);
        }
      }
      if ((frame.cmd === Cmd.OldGroupMessages || frame.cmd === Cmd.OldUserMessages) && frame.subCmd === 1) {
        const body = (frame.body ?? {}) as Record<string, unknown>;
        events.oldMessagesRequested(
          {
            connection: connection.id,
            threadType: frame.cmd === Cmd.OldGroupMessages ? 'group' : 'user',
            lastId: body.lastId == null ? null : String(body.lastId),
            body,
          },
          connection,
        );
      }
      events.changed();
    });
    // Zalo's first frame on a new socket: the key of every encrypted event after it.
    void connection.send(Cmd.CipherKey, 1, { key: connection.cipherKey }).then(
      () => {
        connection.ready = true;
        events.changed();
      },
      () => {
        // zca-js left before the key went out; the close event reports it.
      },
    );
  }

  async stop(): Promise<void> {
    for (const c of this.connections) if (!c.ended) c.drop();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
