/**
 * Just enough types for the `ws` package (8.x, installed as zca-js's own dependency, no @types/ws
 * here) for the fake Zalo socket server; zca-js itself imports it as `import WebSocket from "ws"`.
 * Delete this file if @types/ws is ever added: the two would clash.
 */
declare module 'ws' {
  import type { IncomingMessage } from 'node:http';
  import type { Duplex } from 'node:stream';

  class WebSocket {
    static readonly OPEN: 1;
    readonly readyState: 0 | 1 | 2 | 3;
    send(data: Buffer | Uint8Array, cb?: (error?: Error) => void): void;
    ping(data?: Buffer, mask?: boolean, cb?: (error?: Error) => void): void;
    close(code?: number, reason?: string): void;
    terminate(): void;
    on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
    on(event: 'close', listener: (code: number, reason: Buffer) => void): this;
    on(event: 'pong', listener: (data: Buffer) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    once(event: 'pong', listener: (data: Buffer) => void): this;
    once(event: 'close', listener: (code: number, reason: Buffer) => void): this;
    off(event: 'pong', listener: (data: Buffer) => void): this;
  }

  class WebSocketServer {
    constructor(options: { noServer: true; perMessageDeflate?: boolean });
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, callback: (socket: WebSocket, request: IncomingMessage) => void): void;
    close(cb?: (error?: Error) => void): void;
  }

  export default WebSocket;
  export { WebSocket, WebSocketServer };
}
