import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/logger.js';

/**
 * zca-js emits the `ws` ErrorEvent of a failed socket as its listener's 'error' (dist/apis/listen.js
 * `ws.onerror`): not an Error, its fields getters, and its `target` the socket with the session
 * cookie in its request headers. The log keeps why the socket failed, never the cookie.
 */

/** Shaped like ws's ErrorEvent: everything behind getters on the prototype. */
class ErrorEventLike {
  readonly #error: Error;
  readonly #target: unknown;
  constructor(error: Error, target: unknown) {
    this.#error = error;
    this.#target = target;
  }
  get error() {
    return this.#error;
  }
  get message() {
    return this.#error.message;
  }
  get target() {
    return this.#target;
  }
  get type() {
    return 'error';
  }
}

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger and error events that are not Errors', () => {
  it('logs the error inside a ws ErrorEvent (type and message), and nothing of its socket', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    const socket = { _req: { headers: { cookie: 'zpw_sek=Cookie+Secret/Value' } }, url: 'wss://ws.zalo.invalid/?t=1' };
    log.error({ err: new ErrorEventLike(new Error('Unexpected server response: 403'), socket) }, 'zalo: listener error');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { err: { type: string; message: string } };
    expect(line.err).toMatchObject({ type: 'Error', message: 'Unexpected server response: 403' });
    expect(lines[0]).not.toContain('Cookie+Secret');
    expect(lines[0]).not.toContain('zalo.invalid');
  });

  it('an event with only a message keeps its message; a plain object is logged as it is', () => {
    const { lines, stream } = capture();
    const log = createLogger('info', stream);
    class CloseEventLike {
      get message() {
        return 'socket hang up';
      }
    }
    log.warn({ err: new CloseEventLike() }, 'a');
    log.warn({ err: { code: 'ECONNRESET', message: 'read ECONNRESET' } }, 'b');
    expect(JSON.parse(lines[0]!).err).toEqual({ type: 'CloseEventLike', message: 'socket hang up' });
    expect(JSON.parse(lines[1]!).err).toEqual({ code: 'ECONNRESET', message: 'read ECONNRESET' });
  });
});
