import { decodeSession, decodeWithTextKey, decodeZcid, encodeSession, encodeWithTextKey, loginKeyOf, newSessionKey, signKeyOf } from './crypto.js';

/**
 * The HTTP half of the fake Zalo: a `fetch` handed to zca-js through its `polyfill` option. It
 * answers the login calls and the send/upload calls zca-js 2.2.0 makes, decrypting their params
 * and encrypting its answers as zca-js expects (see index.ts for the protocol). Anything else is
 * recorded in `unknownRequests` and answered 404, so a test notices a call it did not expect.
 */

export type FileDoneTiming = 'before' | 'after' | 'never';
export type ThreadKind = 'group' | 'user';

export interface LoginRecord {
  /** 1-based count of getLoginInfo calls. */
  attempt: number;
  /** The session number this login opened (1-based count of accepted logins); absent when refused. */
  session?: number;
  imei: string;
  userAgent: string;
  /** The Cookie header zca-js sent (held in memory only; never logged). */
  cookie: string;
}

export interface SentRecord {
  /** Which login's session key encrypted the request (1 = the first accepted login). */
  session: number;
  threadId: string;
  threadType: ThreadKind;
  /** The endpoint: sendmsg / mention / quote (groups), sms / quote (people), photo, file. */
  kind: 'sendmsg' | 'mention' | 'quote' | 'sms' | 'photo' | 'file';
  /** The text as zca-js sent it (`message`, or a photo's `desc`; a file's name for files). */
  text: string;
  mentions: Array<{ pos: number; len: number; uid: string; type: number }>;
  /** Every decrypted param, as zca-js sent it. */
  params: Record<string, unknown>;
  msgId: number;
}

export interface UploadRecord {
  session: number;
  /** zca-js's clientId for this file (one per file, shared by its chunks). */
  clientId: number;
  threadId: string;
  threadType: ThreadKind;
  kind: 'image' | 'video' | 'others';
  fileName: string;
  totalSize: number;
  /** The bytes received so far, chunks put in place by their chunkId. */
  data: Buffer;
  /** Received chunks by chunkId - 1 (zca-js sends them all at once; they may arrive in any order). */
  parts: Buffer[];
  chunksReceived: number;
  totalChunk: number;
  /** Set once the last chunk was answered (files and videos). */
  fileId?: string;
  photoId?: string;
  fileUrl?: string;
  fileDone: FileDoneTiming;
  /** Whether the file_done control actually went out on a socket. */
  fileDoneSent: boolean;
}

/** A keepAlive call zca-js made (apis/keepAlive.js: GET chat/keepalive?params={imei}). */
export interface KeepAliveRecord {
  session: number;
  imei: string;
}

/** A message send whose HTTP answer the fake holds back (`holdNextSend`). */
export interface HeldSend {
  /** Resolves once the held send has reached the fake (and is recorded in `sent`). */
  readonly arrived: Promise<void>;
  /** Answers it now (zca-js's sendMessage then resolves). */
  release(): void;
}

export interface ProtocolError {
  url: string;
  problem: string;
}

export interface HttpSide {
  ownId: string;
  /** The session cookie value zca-js must present to log in. */
  sessionCookie: string;
  wsUrl(): string;
  settings(): Record<string, unknown>;
  refusingLogins(): boolean;
  fileDoneTiming(): FileDoneTiming;
  /** Sends file_done on the open socket; false when no socket is open. `settled`: resolve once zca-js has handled it. */
  sendFileDone(fileId: string, fileUrl: string, settled: boolean): Promise<boolean>;
  changed(): void;
}

const LOGIN_HOST = 'wpa.chat.zalo.me';

/** Every service zca-js 2.2.0's API constructor reads a URL of (dist/apis/*.js `api.zpwServiceMap.*[0]`). */
const SERVICES = [
  'aext',
  'alias',
  'auto_reply',
  'catalog',
  'chat',
  'conversation',
  'file',
  'friend',
  'friend_board',
  'group',
  'group_board',
  'group_poll',
  'label',
  'profile',
  'quick_message',
  'reaction',
  'sticker',
  'zimsg',
] as const;

/** `.invalid` (RFC 2606) hosts: a request that escaped the fake could never reach anything. */
export const SERVICE_MAP: Record<(typeof SERVICES)[number], string[]> = Object.fromEntries(
  SERVICES.map((s) => [s, [`https://${s.replace(/_/g, '-')}.zalo.invalid`]]),
) as Record<(typeof SERVICES)[number], string[]>;

function json(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

/**
 * A response that runs `afterRead` once zca-js has parsed it. zca-js registers an upload's file_done
 * callback only after `response.json()` and a few promise steps (uploadAttachment.js), all
 * microtasks; the macrotask hop makes "file_done after the HTTP answer" mean after that callback.
 */
function readTracked(body: string, init: ResponseInit, afterRead: () => void): Response {
  const response = new Response(body, init);
  const json = response.json.bind(response);
  Object.defineProperty(response, 'json', {
    value: async (): Promise<unknown> => {
      const value: unknown = await json();
      setImmediate(afterRead);
      return value;
    },
  });
  return response;
}

function headerOf(init: RequestInit | undefined, name: string): string {
  const headers = init?.headers;
  if (!headers) return '';
  if (headers instanceof Headers) return headers.get(name) ?? '';
  if (Array.isArray(headers)) return headers.find((pair) => pair[0]?.toLowerCase() === name)?.[1] ?? '';
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  return entry ? String(entry[1]) : '';
}

/** The one file part of a form-data body (zca-js uploads one `chunkContent` part per request). */
function multipartFile(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (!boundary) throw new Error('no multipart boundary');
  const start = body.indexOf('\r\n\r\n') + 4;
  const end = body.lastIndexOf(`\r\n--${boundary}--`);
  if (start < 4 || end < start) throw new Error('malformed multipart body');
  return body.subarray(start, end);
}

export class FakeZaloHttp {
  readonly logins: LoginRecord[] = [];
  readonly sent: SentRecord[] = [];
  readonly uploads: UploadRecord[] = [];
  /** Sends refused through `failNextSend`, with the code they got. */
  readonly rejected: Array<Omit<SentRecord, 'msgId'> & { code: number }> = [];
  readonly unknownRequests: string[] = [];
  /** Zalo's CDN (photo and file links in messages): what it serves, and every link asked for. */
  readonly cdn = new Map<string, Buffer>();
  readonly cdnRequests: string[] = [];
  readonly protocolErrors: ProtocolError[] = [];
  readonly keepAlives: KeepAliveRecord[] = [];
  /** One key per accepted login, in order: session n is `sessionKeys[n - 1]`. */
  private readonly sessionKeys: string[] = [];
  private readonly failures: Array<{ code: number; message: string }> = [];
  private readonly holds: Array<{ arrive: () => void; released: Promise<void> }> = [];
  private nextMsgId = 7_100_000_000_000;
  private nextFileId = 3_100_000_000;

  constructor(private readonly side: HttpSide) {}

  /** What zca-js calls instead of the global fetch. */
  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    try {
      return await this.route(url, init);
    } catch (error) {
      this.protocolErrors.push({ url: `${url.origin}${url.pathname}`, problem: error instanceof Error ? error.message : String(error) });
      this.side.changed();
      return new Response('', { status: 500 });
    }
  };

  /** The next message send (text, photo or file message; not an upload) answers Zalo's error `code` (e.g. 221). */
  failNextSend(code: number, message: string): void {
    this.failures.push({ code, message });
  }

  /**
   * The next message send reaches Zalo (it is recorded in `sent`: the message is delivered) but its
   * HTTP answer waits until `release()` — forever if never released, as a server that stopped
   * answering mid-request does.
   */
  holdNextSend(): HeldSend {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ arrive, released });
    return { arrived, release };
  }

  get acceptedLogins(): number {
    return this.sessionKeys.length;
  }

  private async route(url: URL, init: RequestInit | undefined): Promise<Response> {
    const path = url.pathname;
    if (url.hostname === LOGIN_HOST && path === '/api/login/getLoginInfo') return this.loginInfo(url, init);
    if (url.hostname === LOGIN_HOST && path === '/api/login/getServerInfo') return this.serverInfo(url);
    const host = url.origin;
    if (host === SERVICE_MAP.group[0] && /^\/api\/group\/(sendmsg|mention|quote)$/.test(path)) return this.text(url, init, 'group');
    if (host === SERVICE_MAP.chat[0] && /^\/api\/message\/(sms|quote)$/.test(path)) return this.text(url, init, 'user');
    if (host === SERVICE_MAP.chat[0] && path === '/keepalive') return this.keepAlive(url);
    const file = /^\/api\/(group|message)\/(photo_original\/upload|asyncfile\/upload|photo_original\/send|asyncfile\/msg)$/.exec(path);
    if (host === SERVICE_MAP.file[0] && file) {
      const threadType: ThreadKind = file[1] === 'group' ? 'group' : 'user';
      if (file[2]!.endsWith('upload')) return this.upload(url, init, threadType);
      return this.attachmentMessage(url, init, threadType, file[2] === 'photo_original/send' ? 'photo' : 'file');
    }
    // Links in messages (tests/fixtures/zalo: https://photo.zalo.invalid/jpg/…): what the bot
    // downloads as evidence. The API's own calls are all under /api/.
    if ((init?.method ?? 'GET') === 'GET' && url.hostname.endsWith('.zalo.invalid') && !path.startsWith('/api/')) return this.fromCdn(url);
    this.unknownRequests.push(`${init?.method ?? 'GET'} ${url.origin}${url.pathname}`);
    this.side.changed();
    return new Response('', { status: 404, statusText: 'Not Found' });
  }

  private fromCdn(url: URL): Response {
    this.cdnRequests.push(url.href);
    this.side.changed();
    const body = this.cdn.get(url.href);
    if (!body) return new Response('', { status: 404, statusText: 'Not Found' });
    return new Response(body, { status: 200, headers: { 'content-length': String(body.length), 'content-type': 'application/octet-stream' } });
  }

  // -- login (dist/apis/login.js) ---------------------------------------------------------------

  private loginInfo(url: URL, init: RequestInit | undefined): Response {
    const q = Object.fromEntries(url.searchParams);
    const { zcid, zcid_ext: zcidExt, enc_ver: encVer, params, type, client_version: clientVersion, signkey } = q;
    if (!zcid || !zcidExt || !encVer || !params || !type || !clientVersion || !signkey) throw new Error('getLoginInfo without its encrypted params');
    // Signed over the params as built before signkey, nretry and zpw_* were added.
    if (signKeyOf('getlogininfo', { zcid, zcid_ext: zcidExt, enc_ver: encVer, params, type, client_version: clientVersion }) !== signkey) {
      throw new Error('getLoginInfo signkey does not match');
    }
    const key = loginKeyOf(zcid, zcidExt);
    const data = JSON.parse(decodeWithTextKey(key, params, 'base64')) as { imei: string; computer_name: string; language: string };
    const [, zcidImei] = decodeZcid(zcid).split(',');
    if (zcidImei !== data.imei) throw new Error('zcid names another imei than the params');
    const cookie = headerOf(init, 'cookie');
    const record: LoginRecord = { attempt: this.logins.length + 1, imei: data.imei, userAgent: headerOf(init, 'user-agent'), cookie };
    this.logins.push(record);
    const accepted = !this.side.refusingLogins() && cookie.split('; ').includes(`zpw_sek=${this.side.sessionCookie}`);
    let answer: unknown;
    if (accepted) {
      const secretKey = newSessionKey();
      this.sessionKeys.push(secretKey);
      record.session = this.sessionKeys.length;
      answer = {
        error_code: 0,
        error_message: 'Successful.',
        data: {
          uid: this.side.ownId,
          zpw_enk: secretKey,
          zpw_ws: [this.side.wsUrl()],
          zpw_service_map_v3: SERVICE_MAP,
          haspcclient: 0,
          public_ip: '127.0.0.1',
          language: data.language,
          send2me_id: this.side.ownId,
        },
      };
    } else {
      // Not captured from Zalo: an error object in place of the login info (zca-js then asks
      // getServerInfo, whose refusal is the error the caller sees).
      answer = { error_code: 1, error_message: 'Phiên đăng nhập không hợp lệ', data: null };
    }
    this.side.changed();
    return json({ error_code: 0, error_message: '', data: encodeWithTextKey(key, JSON.stringify(answer)) });
  }

  private serverInfo(url: URL): Response {
    const q = Object.fromEntries(url.searchParams);
    const expected = signKeyOf('getserverinfo', {
      imei: q.imei ?? '',
      type: q.type ?? '',
      client_version: q.client_version ?? '',
      computer_name: q.computer_name ?? '',
    });
    if (expected !== q.signkey) throw new Error('getServerInfo signkey does not match');
    const last = this.logins.at(-1);
    if (!last || last.session === undefined) {
      // The refusal a live account got (zca-js issue #315): "Failed to fetch server info: zpw_sek bị thiếu hoặc không đúng".
      return json({ error_code: 1, error_message: 'zpw_sek bị thiếu hoặc không đúng', data: null });
    }
    // Zalo spells it "setttings" (zca-js reads `setttings || settings`).
    return json({
      error_code: 0,
      error_message: 'Successful.',
      data: { setttings: this.side.settings(), extra_ver: { phonebook: 0, conv_label: '', friend: '', alias: '' } },
    });
  }

  // -- sessions -----------------------------------------------------------------------------------

  /** Decrypts session params with whichever login's key fits, newest first. */
  private open(encrypted: string | null | undefined): { session: number; params: Record<string, unknown> } {
    if (!encrypted) throw new Error('request without params');
    for (let i = this.sessionKeys.length - 1; i >= 0; i--) {
      try {
        return { session: i + 1, params: JSON.parse(decodeSession(this.sessionKeys[i]!, encrypted)) as Record<string, unknown> };
      } catch {
        // Not this session's key: try the previous one.
      }
    }
    throw new Error('params encrypted with no session key the fake handed out');
  }

  /** `resolveResponse` reads an outer `{ error_code, data }` whose data is the session-encrypted `{ error_code, data }`. */
  private answer(session: number, data: unknown, afterRead?: () => void): Response {
    const body = JSON.stringify({
      error_code: 0,
      error_message: '',
      data: encodeSession(this.sessionKeys[session - 1]!, JSON.stringify({ error_code: 0, error_message: '', data })),
    });
    const init = { status: 200, headers: { 'content-type': 'application/json' } };
    return afterRead ? readTracked(body, init, afterRead) : new Response(body, init);
  }

  private bodyParams(init: RequestInit | undefined): string | null {
    const body = init?.body;
    if (body instanceof URLSearchParams) return body.get('params');
    if (typeof body === 'string') return new URLSearchParams(body).get('params');
    return null;
  }

  // -- sendMessage (dist/apis/sendMessage.js) -----------------------------------------------------

  private text(url: URL, init: RequestInit | undefined, threadType: ThreadKind): Response | Promise<Response> {
    const { session, params } = this.open(this.bodyParams(init));
    const kind = url.pathname.split('/').at(-1) as SentRecord['kind'];
    const threadId = String(threadType === 'group' ? params.grid : params.toid);
    const mentions = typeof params.mentionInfo === 'string' ? (JSON.parse(params.mentionInfo) as SentRecord['mentions']) : [];
    return this.record({ session, threadId, threadType, kind, text: String(params.message ?? ''), mentions, params });
  }

  private attachmentMessage(url: URL, init: RequestInit | undefined, threadType: ThreadKind, kind: 'photo' | 'file'): Response | Promise<Response> {
    const { session, params } = this.open(this.bodyParams(init));
    const threadId = String(threadType === 'group' ? params.grid : params.toid);
    const mentions = typeof params.mentionInfo === 'string' ? (JSON.parse(params.mentionInfo) as SentRecord['mentions']) : [];
    const text = String(kind === 'photo' ? (params.desc ?? '') : (params.fileName ?? ''));
    return this.record({ session, threadId, threadType, kind, text, mentions, params });
  }

  private record(sent: Omit<SentRecord, 'msgId'>): Response | Promise<Response> {
    const failure = this.failures.shift();
    if (failure) {
      // Zalo's refusal comes as the outer error code; zca-js throws ZaloApiError(message, code).
      this.rejected.push({ ...sent, code: failure.code });
      this.side.changed();
      return json({ error_code: failure.code, error_message: failure.message, data: null });
    }
    const msgId = this.nextMsgId++;
    this.sent.push({ ...sent, msgId });
    this.side.changed();
    const hold = this.holds.shift();
    if (!hold) return this.answer(sent.session, { msgId });
    hold.arrive();
    return hold.released.then(() => this.answer(sent.session, { msgId }));
  }

  // -- keepAlive (dist/apis/keepAlive.js) ---------------------------------------------------------

  /**
   * Answered in clear (zca-js resolves it with isEncrypted false): `{ config_vesion }` (sic, its
   * KeepAliveResponse type). Not captured from Zalo: the value.
   */
  private keepAlive(url: URL): Response {
    const { session, params } = this.open(url.searchParams.get('params'));
    this.keepAlives.push({ session, imei: String(params.imei) });
    this.side.changed();
    return json({ error_code: 0, error_message: '', data: { config_vesion: 1 } });
  }

  // -- uploadAttachment (dist/apis/uploadAttachment.js) -----------------------------------------

  private async upload(url: URL, init: RequestInit | undefined, threadType: ThreadKind): Promise<Response> {
    const { session, params } = this.open(url.searchParams.get('params'));
    const kind: UploadRecord['kind'] = url.pathname.includes('photo_original') ? 'image' : /\.mp4$/i.test(String(params.fileName)) ? 'video' : 'others';
    const body = init?.body;
    const chunk = multipartFile(Buffer.isBuffer(body) ? body : Buffer.from(String(body ?? '')), headerOf(init, 'content-type'));
    const threadId = String(threadType === 'group' ? params.grid : params.toid);
    const clientId = Number(params.clientId);
    // zca-js sends every chunk of one file with the same params object, so the same clientId.
    let upload = this.uploads.find((u) => u.session === session && u.clientId === clientId);
    if (!upload) {
      upload = {
        session,
        clientId,
        threadId,
        threadType,
        kind,
        fileName: String(params.fileName),
        totalSize: Number(params.totalSize),
        data: Buffer.alloc(0),
        parts: [],
        chunksReceived: 0,
        totalChunk: Number(params.totalChunk),
        fileDone: this.side.fileDoneTiming(),
        fileDoneSent: false,
      };
      this.uploads.push(upload);
    }
    const chunkId = Number(params.chunkId);
    upload.parts[chunkId - 1] = chunk;
    upload.data = Buffer.concat(upload.parts.filter((p) => p !== undefined));
    upload.chunksReceived++;
    const last = upload.chunksReceived === upload.totalChunk;
    this.side.changed();

    if (kind === 'image') {
      // zca-js keeps an image's answer only when photoId is not "-1" (so, the last chunk's).
      const photoId = last ? String(this.nextFileId++) : '-1';
      if (last) upload.photoId = photoId;
      const cdn = `https://photo.zalo.invalid/${photoId}`;
      return this.answer(session, {
        normalUrl: `${cdn}/normal.jpg`,
        hdUrl: `${cdn}/hd.jpg`,
        thumbUrl: `${cdn}/thumb.jpg`,
        photoId,
        clientFileId: clientId,
        chunkId,
        finished: last ? 1 : 0,
      });
    }
    // Files and videos: the HTTP answer carries the fileId; the file's URL comes later over the
    // socket (a file_done control), which zca-js waits for. zca-js skips waiting on a "-1" fileId,
    // which is how the fake answers every chunk but the last (reconstructed from that check).
    if (!last) return this.answer(session, { fileId: '-1', clientFileId: clientId, chunkId, finished: 0 });
    const fileId = String(this.nextFileId++);
    const fileUrl = `https://file.zalo.invalid/${fileId}/${encodeURIComponent(upload.fileName)}`;
    upload.fileId = fileId;
    upload.fileUrl = fileUrl;
    this.side.changed();
    const answer = { fileId, clientFileId: clientId, chunkId, finished: 1 };
    const done = upload;
    switch (upload.fileDone) {
      case 'before':
        done.fileDoneSent = await this.side.sendFileDone(fileId, fileUrl, true);
        this.side.changed();
        return this.answer(session, answer);
      case 'after':
        return this.answer(session, answer, () => {
          void this.side.sendFileDone(fileId, fileUrl, false).then((sent) => {
            done.fileDoneSent = sent;
            this.side.changed();
          });
        });
      case 'never':
        return this.answer(session, answer);
    }
  }
}
