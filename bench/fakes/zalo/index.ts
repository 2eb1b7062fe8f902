/**
 * A fake Zalo network for tests: zca-js 2.2.0's real code (login, API, Listener, sendMessage,
 * uploadAttachment) runs unchanged; only the network is fake — a `fetch` passed through zca-js's
 * `polyfill` option, and a `ws` server on 127.0.0.1. Nothing leaves the machine.
 *
 * What zca-js 2.2.0 does on the wire (read from node_modules/zca-js/dist; mirrored in crypto.ts,
 * frames.ts, http.ts, socket.ts):
 *
 * Login — zalo.js `Zalo.login` → `loginCookie`: `checkUpdate` (npm registry, through the polyfill;
 * the bot turns it off), then apis/login.js:
 * - `login`: GET https://wpa.chat.zalo.me/api/login/getLoginInfo with `zcid`, `zcid_ext`,
 *   `enc_ver=v2`, `params`, `type`, `client_version`, `signkey`, `nretry`, `zpw_ver`, `zpw_type`.
 *   `ParamsEncryptor` (utils.js) makes zcid = AES-CBC(fixed key, "type,imei,firstLaunchTime") in
 *   upper hex, zcid_ext random, and the request key from md5(zcid_ext) and zcid's even/odd
 *   characters; `params` = AES-CBC(that key, {computer_name, imei, language, ts}) in base64;
 *   `signkey` = `getSignKey` = md5("zsecure" + "getlogininfo" + values by sorted key). The answer is
 *   JSON `{ data }` where data = AES-CBC(request key, JSON) — `decryptResp`; its `.data` is the
 *   login info: `uid`, `zpw_enk` (the session key, base64), `zpw_ws` (socket URLs: any
 *   ws://127.0.0.1:PORT works), `zpw_service_map_v3` (a host list per service; the API's
 *   factories read 18 of them).
 * - `getServerInfo`: GET …/getServerInfo?imei&type&client_version&computer_name&signkey, answered
 *   in clear: `{ data: { setttings (sic), extra_ver } }`; `data == null` throws
 *   "Failed to fetch server info: <error_message>" (how a refused cookie shows, zca-js #315).
 *   Settings used: features.socket {ping_interval, retries, close_and_retry_codes,
 *   rotate_error_codes} and features.sharefile {max_file, max_size_share_file_v3 (MB),
 *   chunk_size_file, restricted_ext_file}.
 * - Every later call: `encodeAES(zpw_enk, JSON)` (AES-CBC, base64 key, zero IV) as `params` (form
 *   body or query); answers `{ error_code, data }` where data = encodeAES of `{ error_code, data }`
 *   (`handleZaloResponse`); a non-zero outer or inner code throws `ZaloApiError(message, code)`.
 *
 * Sending — apis/sendMessage.js: text POSTs `params={message, clientId, mentionInfo?, ttl,
 * visibility, grid}` to `group[0]/api/group/sendmsg` (`/mention` when mentionInfo is set —
 * `[{pos, uid, len, type}]`, groups only; `/quote` with qmsg* fields), and for a person `toid`,
 * `imei` to `chat[0]/api/message/sms` (or `/quote`); the answer's data is `{ msgId }`. A non-image
 * attachment with text sends the text first, separately. apis/uploadAttachment.js: one POST per
 * chunk (`settings…chunk_size_file`) to `file[0]/api/{group|message}/{photo_original|asyncfile}/upload`
 * with `type=11|2` and encrypted `params={grid|toid, totalChunk, fileName, clientId, totalSize,
 * imei, isE2EE, jxl, chunkId}` in the query and a multipart `chunkContent` body. An image's answer
 * (`normalUrl, hdUrl, thumbUrl, photoId…`) is enough; a file's or video's answer carries `fileId`
 * and zca-js then registers `ctx.uploadCallbacks[fileId]` and waits for the socket's `file_done`
 * control — with no timeout: the map forgets the callback after 5 min, the promise never settles.
 * A file_done that arrives before that registration finds no callback and is lost. Then
 * sendMessage POSTs the message: `…/photo_original/send` or `…/asyncfile/msg` with its params.
 *
 * Socket — apis/listen.js `Listener`: `new WebSocket(zpw_ws[0] + ?t&zpw_ver&zpw_type)` from the
 * `ws` package, with the session cookie and user agent; `start({ retryOnClose })` (the bot passes
 * false: then every close emits "closed"). Frames: 4-byte header (version, cmd uint16 LE, subCmd),
 * JSON body. Server → client: cmd 1/1 `{ key }` (the AES-GCM key; starts pings, cmd 2/1
 * `{ eventId }` every ping_interval); cmd 501/0 `{ data: { msgs } }` private messages; 521/0
 * `{ data: { groupMsgs } }` group messages; 510/1 and 511/1 the answers to `requestOldMessages`
 * (which sends 510/511 subCmd 1 `{ first, lastId, preIds, req_id }`), emitted as "old_messages"
 * with no paging information. The fake answers each request itself, from the history a test gave
 * it (`keepHistory`; none: an empty batch): the `oldMessagesPageSize` newest messages of that kind
 * older than `lastId` (all for null), newest first. How Zalo pages, how many a page holds, its
 * order, and what it answers when it keeps nothing are not captured (zca-js's maintainers say
 * Zalo keeps about two weeks of a session's messages: zca-js #226, #191); 601/0 `{ data: { controls } }` — `act_type` "file_done"
 * (`content.fileId`, `content.data.url`), "group" (group_event; `content.data` a JSON string; an
 * event naming the account itself is dropped unless selfListen), "fr"; 3000/0 → zca-js closes the
 * socket itself with 3000. Event bodies are `{ data, encrypt }` (`decodeEventData`, utils.js): 0
 * JSON; 1 base64 of deflated JSON; 2 AES-GCM (iv 16 B, additional data 16 B, ciphertext + tag),
 * base64, URI-encoded, over deflated JSON (pako); 3 the same uncompressed; parsed with json-bigint.
 * `ws.onmessage` is async per frame (decryption awaits WebCrypto).
 *
 * Close codes (CloseReason): 1000 manual (`stop()`), 1006 abnormal — the socket lost without a
 * close frame, which Zalo does about every 60 s (zca-js PR #371, issues #333, #315), 3000
 * DuplicateConnection (a second listener of the same session; zca-js #95), 3003 KickConnection
 * (the account logged in elsewhere).
 *
 * Not Zalo's own (not captured): the settings' values, the session key's length, refusal codes,
 * ids, and the payload shapes (reconstructed; tests/fixtures/zalo/README.md), the keepAlive answer's
 * value, whether and how Zalo answers zca-js's cmd-2 pings (the fake sends a cmd-2 frame back,
 * which zca-js ignores), and how Zalo turns away a socket of a session it dropped (the fake answers
 * the upgrade 403). Not faked: QR login,
 * the other API calls (answered 404 and listed in `unknownRequests`), Set-Cookie
 * renewals, zca-js's own retry (the settings give it no codes), cmd 551 (E2EE private messages,
 * zca-js PR #378), reactions, typing and seen frames.
 *
 * Use: `const zalo = await FakeZalo.start()`; give zca-js `{ polyfill: zalo.fetch }` and
 * `zalo.credentials`. Push with deliverText / deliverMention / deliverPrivateText / deliverFixture /
 * deliverGroupEvent(s) / answerOldMessages (a batch of its own) / keepHistory (what requests are
 * answered from; holdOldMessages / releaseOldMessages withhold the answers); end the socket with drop / kickElsewhere / close; steer
 * logins (refuseLogin, acceptLogin), sends (failNextSend, holdNextSend), sockets (refuseSockets,
 * silence: half-open) and uploads (fileDone, releaseFileDone); read loginAttempts, logins, sent,
 * uploads, oldMessagesRequests, connections, keepAlives, refusedSockets; wait with until,
 * sends, connection. botBed.ts runs the bot itself on top.
 */
import { EventEmitter } from 'node:events';
import type { TMention } from 'zca-js';
import type { EncryptMode } from './crypto.js';
import { Cmd } from './frames.js';
import { type FileDoneTiming, FakeZaloHttp, type HeldSend, type KeepAliveRecord, type LoginRecord, type SentRecord, type UploadRecord } from './http.js';
import { groupEventControl, groupMessage, loadFixture, type MessageFields, type Person, userMessage, type WireMessage } from './messages.js';
import { type FakeConnection, FakeSocketServer, type OldMessagesRequest } from './socket.js';
import { untilChange } from './until.js';

export type { FileDoneTiming, HeldSend, KeepAliveRecord, LoginRecord, SentRecord, UploadRecord } from './http.js';
export type { OldMessagesRequest } from './socket.js';
export type { Person, WireMessage } from './messages.js';
export { Cmd } from './frames.js';

export interface FakeZaloOptions {
  /** The account's uid. */
  ownId?: string;
  /** settings.features.sharefile.max_size_share_file_v3: the account's file limit, in MB. */
  maxFileMb?: number;
  /** settings.features.sharefile.chunk_size_file, in bytes. */
  chunkSizeBytes?: number;
  /** settings.features.socket.ping_interval; long by default so tests see no pings. */
  pingIntervalMs?: number;
  /** Messages in one answer to an old-messages request (not captured; 50 by default). */
  oldMessagesPageSize?: number;
}

/** Saved credentials the fake accepts (pass them to writeCredentials / zca-js `login`). */
export interface FakeCredentials {
  imei: string;
  cookie: Array<{ domain: string; name: string; value: string; path: string }>;
  userAgent: string;
}

export class FakeZalo {
  readonly ownId: string;
  readonly credentials: FakeCredentials;
  /** Give this to zca-js: `new Zalo({ polyfill: zalo.fetch })`. */
  readonly fetch: typeof fetch;
  /** Old-message requests zca-js sent, in order. */
  readonly oldMessagesRequests: OldMessagesRequest[] = [];
  /** file_done controls that found no open socket (their upload waits for them forever). */
  readonly undeliveredFileDone: Array<{ fileId: string; fileUrl: string }> = [];

  private readonly events = new EventEmitter();
  private readonly http: FakeZaloHttp;
  private socket!: FakeSocketServer;
  private refusing = false;
  private timing: FileDoneTiming = 'after';
  private nextMsgId = 7_102_345_678_900_000_000n;
  /** What Zalo keeps and answers old-messages requests from, per kind, in the order kept. */
  private readonly history: Record<'group' | 'user', WireMessage[]> = { group: [], user: [] };
  /** With holdOldMessages: requests not answered yet, with the socket each came on. */
  private heldOldMessages?: Array<{ request: OldMessagesRequest; connection: FakeConnection }>;

  private constructor(private readonly options: FakeZaloOptions) {
    this.events.setMaxListeners(100);
    this.ownId = options.ownId ?? '8912345678901234567';
    const sessionCookie = `fake-zpw-sek-${Math.random().toString(36).slice(2, 10)}`;
    this.credentials = {
      imei: 'a1b2c3d4-e5f6-4789-8abc-def012345678-0123456789abcdef0123456789abcdef',
      cookie: [{ domain: '.zalo.me', name: 'zpw_sek', value: sessionCookie, path: '/' }],
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    };
    this.http = new FakeZaloHttp({
      ownId: this.ownId,
      sessionCookie,
      wsUrl: () => this.socket.url,
      settings: () => this.settings(),
      refusingLogins: () => this.refusing,
      fileDoneTiming: () => this.timing,
      sendFileDone: (fileId, fileUrl, settled) => this.sendFileDone(fileId, fileUrl, settled),
      changed: () => this.changed(),
    });
    this.fetch = this.http.fetch;
  }

  static async start(options: FakeZaloOptions = {}): Promise<FakeZalo> {
    const zalo = new FakeZalo(options);
    zalo.socket = await FakeSocketServer.start({
      oldMessagesRequested: (request, connection) => {
        zalo.oldMessagesRequests.push(request);
        if (zalo.heldOldMessages) zalo.heldOldMessages.push({ request, connection });
        // A socket that closed meanwhile takes no answer; zca-js asks again on the next one.
        else zalo.answerFromHistory(request, connection).catch(() => undefined);
      },
      changed: () => zalo.changed(),
    });
    return zalo;
  }

  async stop(): Promise<void> {
    await this.socket.stop();
  }

  // -- records ----------------------------------------------------------------------------------

  /** Every getLoginInfo call, accepted or refused. */
  get loginAttempts(): readonly LoginRecord[] {
    return this.http.logins;
  }

  /** Logins Zalo accepted (each opens a new session with its own key). */
  get logins(): number {
    return this.http.acceptedLogins;
  }

  /** Every message zca-js sent (texts, photo and file messages), decrypted. */
  get sent(): readonly SentRecord[] {
    return this.http.sent;
  }

  /** Message sends refused with `failNextSend`. */
  get rejected(): ReadonlyArray<Omit<SentRecord, 'msgId'> & { code: number }> {
    return this.http.rejected;
  }

  /** Puts a file at a link of Zalo's CDN (what a photo or file message in a fixture points at). */
  putOnCdn(href: string, data: Buffer): void {
    this.http.cdn.set(href, data);
  }

  /** Every CDN link fetched (the bot's evidence downloads), in order. */
  get cdnRequests(): readonly string[] {
    return this.http.cdnRequests;
  }

  get uploads(): readonly UploadRecord[] {
    return this.http.uploads;
  }

  /** Calls the fake does not know (it answered 404): a test expecting none asserts this is empty. */
  get unknownRequests(): readonly string[] {
    return this.http.unknownRequests;
  }

  /** Requests the fake could not read as zca-js 2.2.0 would send them (bad signkey, unknown key…). */
  get protocolErrors(): ReadonlyArray<{ url: string; problem: string }> {
    return this.http.protocolErrors;
  }

  get connections(): readonly FakeConnection[] {
    return this.socket.connections;
  }

  /** zca-js's keepAlive calls, with the session each used. */
  get keepAlives(): readonly KeepAliveRecord[] {
    return this.http.keepAlives;
  }

  /** Socket upgrades refused with `refuseSockets`. */
  get refusedSockets(): number {
    return this.socket.refused;
  }

  /** Texts sent to one thread, in order. */
  textsTo(threadId: string): string[] {
    return this.sent.filter((s) => s.threadId === threadId).map((s) => s.text);
  }

  // -- waiting ----------------------------------------------------------------------------------

  /**
   * Resolves with `probe()`'s first value that is not undefined/false, checking again whenever
   * the fake sees something happen (a request, a frame, a connection). The timeout only turns a
   * hang into a clear failure; nothing here waits for time to pass.
   */
  until<T>(probe: () => T | undefined | false | null, what: string, timeoutMs = 5_000): Promise<T> {
    return untilChange(this.events, probe, `fake Zalo: ${what}`, timeoutMs);
  }

  /** The open socket (its cipher key sent), waiting for one if zca-js is still connecting. */
  connection(): Promise<FakeConnection> {
    return this.until(() => this.socket.current(), 'open socket');
  }

  /** Resolves once `count` sends in total have been recorded; returns them all. */
  async sends(count: number): Promise<readonly SentRecord[]> {
    await this.until(() => this.sent.length >= count, `${count} sent message(s) (have ${this.sent.length})`);
    return this.sent;
  }

  // -- login ------------------------------------------------------------------------------------

  /** From now on Zalo refuses the saved login (getServerInfo: "zpw_sek bị thiếu hoặc không đúng"). */
  refuseLogin(): void {
    this.refusing = true;
  }

  acceptLogin(): void {
    this.refusing = false;
  }

  // -- sends ------------------------------------------------------------------------------------

  /** The next message send answers Zalo's `code` (221 too fast, 123 not accepted…) instead. */
  failNextSend(code: number, message = 'Lỗi từ Zalo'): void {
    this.http.failNextSend(code, message);
  }

  /**
   * The next message send reaches Zalo (recorded in `sent`) but is not answered until `release()`,
   * or ever: zca-js's sendMessage waits on it (it has no timeout of its own).
   */
  holdNextSend(): HeldSend {
    return this.http.holdNextSend();
  }

  /**
   * When uploads of files and videos get their file_done control: 'after' the HTTP answer (what
   * zca-js expects), 'before' it (zca-js has no callback yet and drops it), or 'never'.
   * Applies to uploads that start from now on.
   */
  fileDone(timing: FileDoneTiming): void {
    this.timing = timing;
  }

  /** Sends an upload's file_done now (one that was 'never' sent, or again). */
  async releaseFileDone(upload: UploadRecord): Promise<boolean> {
    if (!upload.fileId || !upload.fileUrl) throw new Error(`fake Zalo: ${upload.fileName} has no fileId yet`);
    const sent = await this.sendFileDone(upload.fileId, upload.fileUrl, false);
    if (sent) upload.fileDoneSent = true;
    return sent;
  }

  private async sendFileDone(fileId: string, fileUrl: string, settled: boolean): Promise<boolean> {
    const connection = this.socket.current();
    if (!connection) {
      this.undeliveredFileDone.push({ fileId, fileUrl });
      this.changed();
      return false;
    }
    const control = { content: { act_type: 'file_done', fileId, data: { url: fileUrl } } };
    if (settled) {
      // Plain JSON (encrypt 0, which zca-js accepts) decodes within the frame's own task, so once
      // the pong is back zca-js has handled it — without a callback, since none is registered yet.
      await connection.push(Cmd.Controls, 0, { data: { controls: [control] } }, 0);
      await connection.settle();
    } else {
      await connection.push(Cmd.Controls, 0, { data: { controls: [control] } });
    }
    this.changed();
    return true;
  }

  // -- the socket: what Zalo pushes -------------------------------------------------------------

  private newMsgId(): string {
    return String(this.nextMsgId++);
  }

  /** A member's text in a group (cmd 521). Returns the message as sent. */
  deliverText(groupId: string, from: Person, text: string, fields: Partial<MessageFields> = {}): Promise<WireMessage> {
    return this.deliverGroup(groupMessage(groupId, from, { ...fields, content: text }, fields.msgId ?? this.newMsgId()));
  }

  /** A group text with mentions (positions and lengths in UTF-16 units of `text`). */
  deliverMention(groupId: string, from: Person, text: string, mentions: Array<Omit<TMention, 'type'> & { type?: 0 | 1 }>): Promise<WireMessage> {
    return this.deliverText(groupId, from, text, { mentions: mentions.map((m) => ({ type: 0, ...m })) });
  }

  /** A person's private message to the account (cmd 501). */
  async deliverPrivateText(from: Person, text: string, fields: Partial<MessageFields> = {}): Promise<WireMessage> {
    const message = userMessage(from, { ...fields, content: text }, fields.msgId ?? this.newMsgId());
    await (await this.connection()).push(Cmd.UserMessages, 0, { data: { msgs: [message] } });
    this.changed();
    return message;
  }

  /** A group message already shaped (see messages.ts), e.g. a photo or a link. */
  async deliverGroup(message: WireMessage): Promise<WireMessage> {
    await (await this.connection()).push(Cmd.GroupMessages, 0, { data: { groupMsgs: [message] } });
    this.changed();
    return message;
  }

  /**
   * A recorded shape from tests/fixtures/zalo/<name>.json, with a fresh msgId and ts (so it can be
   * delivered again) unless `overrides` sets them; `overrides` replaces top-level fields.
   */
  async deliverFixture(name: string, overrides: Record<string, unknown> = {}): Promise<WireMessage | Record<string, unknown>> {
    const fixture = loadFixture(name);
    if (fixture.kind === 'group-event') {
      const data = { ...fixture.data, ...overrides };
      await this.deliverGroupEvent(fixture.act, data);
      return data;
    }
    const message = { ...fixture.message, msgId: this.newMsgId(), ts: String(Date.now()), ...overrides } as WireMessage;
    if (fixture.kind === 'user-message') {
      await (await this.connection()).push(Cmd.UserMessages, 0, { data: { msgs: [message] } });
      this.changed();
      return message;
    }
    return this.deliverGroup(message);
  }

  /** A group event (join, leave, remove_member, …) as a cmd 601 control. */
  deliverGroupEvent(act: string, data: Record<string, unknown>): Promise<void> {
    return this.deliverGroupEvents([{ act, data }]);
  }

  /** Several group events in one cmd 601 push (zca-js handles a push's controls in order, at once). */
  async deliverGroupEvents(events: Array<{ act: string; data: Record<string, unknown> }>): Promise<void> {
    await (await this.connection()).push(Cmd.Controls, 0, { data: { controls: events.map((e) => groupEventControl(e.act, e.data)) } });
    this.changed();
  }

  /** A recorded group event (tests/fixtures/zalo/group-event-*.json), to deliver with deliverGroupEvents. */
  groupEventFixture(name: string): { act: string; data: Record<string, unknown> } {
    const fixture = loadFixture(name);
    if (fixture.kind !== 'group-event') throw new Error(`fake Zalo: fixture ${name} is not a group event`);
    return { act: fixture.act, data: fixture.data };
  }

  /** Zalo's answer to an old-messages request (cmd 511 for groups, 510 for people). */
  async answerOldMessages(threadType: 'group' | 'user', messages: WireMessage[]): Promise<void> {
    const connection = await this.connection();
    if (threadType === 'group') await connection.push(Cmd.OldGroupMessages, 1, { data: { groupMsgs: messages } });
    else await connection.push(Cmd.OldUserMessages, 1, { data: { msgs: messages } });
    this.changed();
  }

  /**
   * Messages Zalo keeps of the account's chats ('group': group messages, 'user': private ones):
   * old-messages requests are answered from them from now on. Returns them.
   */
  keepHistory(threadType: 'group' | 'user', messages: WireMessage[]): WireMessage[] {
    this.history[threadType].push(...messages);
    return messages;
  }

  /** From now on old-messages requests are recorded but not answered, until releaseOldMessages. */
  holdOldMessages(): void {
    this.heldOldMessages ??= [];
  }

  /** Answers the held requests (in order, from the history) and answers the next ones at once again. */
  async releaseOldMessages(): Promise<void> {
    const held = this.heldOldMessages ?? [];
    this.heldOldMessages = undefined;
    for (const { request, connection } of held) await this.answerFromHistory(request, connection);
  }

  /**
   * One page: the newest `oldMessagesPageSize` kept messages of the kind older than `lastId`
   * (by time, then id; a lastId the fake does not keep compares as a number), newest first.
   */
  private async answerFromHistory(request: OldMessagesRequest, connection: FakeConnection): Promise<void> {
    const kept = [...this.history[request.threadType]].sort((a, b) => Number(a.ts) - Number(b.ts) || compareIds(a.msgId, b.msgId));
    let older = kept;
    if (request.lastId !== null) {
      const at = kept.findIndex((m) => m.msgId === request.lastId);
      older = at >= 0 ? kept.slice(0, at) : kept.filter((m) => compareIds(m.msgId, request.lastId!) < 0);
    }
    const page = older.slice(-(this.options.oldMessagesPageSize ?? 50)).reverse();
    request.answered = page.map((m) => m.msgId);
    // Not `open`: the request may come before the key frame's send has completed (it is ahead on the wire).
    if (connection.ending || connection.ended) return;
    if (request.threadType === 'group') await connection.push(Cmd.OldGroupMessages, 1, { data: { groupMsgs: page } });
    else await connection.push(Cmd.OldUserMessages, 1, { data: { msgs: page } });
    this.changed();
  }

  /** Any frame, for cmds the fake has no helper for (e.g. a cmd zca-js 2.2.0 ignores). */
  async pushRaw(cmd: number, subCmd: number, payload: unknown, encrypt: EncryptMode = 2): Promise<void> {
    await (await this.connection()).push(cmd, subCmd, payload, encrypt);
    this.changed();
  }

  /** Builds a group message without sending it (for old-message batches). */
  groupMessage(groupId: string, from: Person, text: string, fields: Partial<MessageFields> = {}): WireMessage {
    return groupMessage(groupId, from, { ...fields, content: text }, fields.msgId ?? this.newMsgId());
  }

  /** Builds a private message without sending it. */
  userMessage(from: Person, text: string, fields: Partial<MessageFields> = {}): WireMessage {
    return userMessage(from, { ...fields, content: text }, fields.msgId ?? this.newMsgId());
  }

  // -- the socket: how it ends ------------------------------------------------------------------

  /** The socket is lost without a close frame: zca-js sees 1006. */
  async drop(): Promise<FakeConnection> {
    const connection = await this.connection();
    connection.drop();
    this.changed();
    return connection;
  }

  /**
   * "Opened elsewhere": the cmd-3000 frame; zca-js closes with 3000 and, with `echo` (default),
   * sees 3000. Without, the fake cuts the TCP socket when zca-js's close frame arrives (its code
   * kept in `unansweredCloseCode`), as Zalo can, and zca-js sees 1006.
   */
  async kickElsewhere({ echo = true }: { echo?: boolean } = {}): Promise<FakeConnection> {
    const connection = await this.connection();
    await connection.kick(echo);
    this.changed();
    return connection;
  }

  /** Zalo closes the socket with `code` (3003: logged in elsewhere; 1000; …). */
  async close(code: number, reason = ''): Promise<FakeConnection> {
    const connection = await this.connection();
    connection.close(code, reason);
    this.changed();
    return connection;
  }

  /**
   * The open socket goes half-open: the fake stops answering pings and pushing anything, and
   * nothing closes it; zca-js keeps believing it is connected.
   */
  async silence(): Promise<FakeConnection> {
    const connection = await this.connection();
    connection.silence();
    this.changed();
    return connection;
  }

  /** The next `count` socket upgrades are refused (HTTP 403): zca-js's socket never opens. */
  refuseSockets(count = 1): void {
    this.socket.refuseNext(count);
  }

  /** Resolves once `connection` has finished closing; returns the code the server saw. */
  async ended(connection: FakeConnection): Promise<{ code: number; by: 'server' | 'client' }> {
    return this.until(() => connection.ended, `end of socket ${connection.id}`);
  }

  // -- internals --------------------------------------------------------------------------------

  private changed(): void {
    this.events.emit('change');
  }

  /**
   * The server settings zca-js reads (context.d.ts `AppContextBase.settings`). Field names are
   * zca-js's; the values are not Zalo's (not captured): retries and close_and_retry_codes are
   * empty so zca-js's own retry never runs, the ping interval long, the file limits generous.
   */
  private settings(): Record<string, unknown> {
    return {
      features: {
        sharefile: {
          big_file_domain_list: [],
          max_size_share_file_v2: 1024,
          max_size_share_file_v3: this.options.maxFileMb ?? 1024,
          file_upload_show_icon_1GB: true,
          restricted_ext: 'exe,bat,msi',
          next_file_time: 0,
          max_file: 10,
          max_size_photo: 10,
          max_size_share_file: 1024,
          max_size_resize_photo: 10,
          max_size_gif: 10,
          max_size_original_photo: 10,
          chunk_size_file: this.options.chunkSizeBytes ?? 3 * 1024 * 1024,
          restricted_ext_file: ['exe', 'bat', 'msi'],
        },
        socket: {
          rotate_error_codes: [],
          retries: {},
          debug: { enable: false },
          ping_interval: this.options.pingIntervalMs ?? 3_600_000,
          reset_endpoint: 0,
          close_and_retry_codes: [],
          max_msg_size: 65_536,
          enable_ctrl_socket: true,
          reconnect_after_fallback: false,
          enable_chat_socket: true,
          submit_wss_log: false,
          disable_lp: true,
          offline_monitor: { enable: false },
        },
      },
      keepalive: { alway_keepalive: 1, keepalive_duration: 600, time_deactive: 600 },
    };
  }
}

/** Zalo's msgIds are decimal numbers too long for a double. */
function compareIds(a: string, b: string): number {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
