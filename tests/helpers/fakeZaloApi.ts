import { EventEmitter } from 'node:events';
import type { CookieJar } from 'tough-cookie';
import type { MessageContent, ThreadType } from 'zca-js';
import type { ZaloApiLike } from '../../bot/zalo/adapter.js';

/**
 * zca-js's API object as far as the Zalo adapter uses it, for tests that hand the adapter a
 * connection directly (`login: async () => api`). It records sends, can fail them (`failures`,
 * thrown in order) or never settle a file upload (`hangFiles`), and holds the cookie jar it is
 * given (zca-js's own parser builds one in the adapter's tests).
 *
 * Below zca-js instead, bench/fakes/zalo/ plays Zalo's servers (HTTP and the socket) to the real
 * zca-js: the route that logins, reconnects and Zalo's message shapes take. That fake is the
 * benchmark's too; this one is for what happens once zca-js has handed over a connection.
 */

export const FAKE_ZALO_OWN_ID = '8912345678901234567';

export interface ZaloSend {
  content: MessageContent;
  /** The text sent (a file's caption, empty when there is none). */
  text: string;
  threadId: string;
  type?: ThreadType;
  /** Date.now() when the adapter sent it (fake timers move it). */
  at: number;
}

export class FakeZaloListener extends EventEmitter {
  /** The histories asked for, by thread type. */
  oldRequests: ThreadType[] = [];
  started = 0;
  start(): void {
    this.started++;
  }
  stop(): void {}
  requestOldMessages(type: ThreadType): void {
    this.oldRequests.push(type);
  }
}

export class FakeZaloApi implements ZaloApiLike {
  listener = new FakeZaloListener() as unknown as ZaloApiLike['listener'] & FakeZaloListener;
  readonly sent: ZaloSend[] = [];
  failures: Error[] = [];
  hangFiles = false;
  /** Zalo's per-account file limit, in MB, as its settings give it to zca-js. */
  maxFileMb = 1024;
  private nextId = 1;

  constructor(private readonly jar?: CookieJar) {}

  getContext() {
    return { settings: { features: { sharefile: { max_size_share_file_v3: this.maxFileMb } } } };
  }

  getOwnId(): string {
    return FAKE_ZALO_OWN_ID;
  }

  /** The jar given, or an empty one. */
  getCookie(): CookieJar {
    return this.jar ?? ({ toJSON: () => ({ cookies: [] }) } as unknown as CookieJar);
  }

  async sendMessage(message: MessageContent | string, threadId: string, type?: ThreadType) {
    const content = typeof message === 'string' ? { msg: message } : message;
    if (this.hangFiles && content.attachments) return new Promise<never>(() => {});
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push({ content, text: content.msg, threadId, type, at: Date.now() });
    return { message: { msgId: this.nextId++ }, attachment: [] };
  }
}
