import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { type Clock, systemClock } from '../../../core/clock.js';
import { formFields } from '../telegram.js';
import { groupText } from './webhookDriver.js';

/**
 * Zalo's OA OpenAPI and its OAuth server as the tests and the benchmark play them: one node:http
 * server on loopback (port 0) answering the GMF endpoints the bot uses, and the 1:1 ones (the
 * customer-service message, the user detail: docs/zalo-oa-api.md §8), with the shapes of
 * docs/zalo-oa-api.md ("Shapes recommended for the fake OpenAPI server"). Like Zalo, it answers
 * every OpenAPI call with HTTP 200 and an `error` field, and puts X-RateLimit-Limit and
 * X-RateLimit-Remain on every answer.
 *
 * What it keeps: groups with members and a message history, every request as it arrived (`calls`),
 * what the OA sent in groups (`sent`, with the uploaded bytes and names of images and files) and
 * to people (`sentPrivately`), the people who wrote to the OA (`followers`), the uploads,
 * and one current token pair. Each refresh token works once; a reused or unknown one is refused
 * with an OAuth error body and HTTP 200, as practitioners report Zalo does. Errors can be
 * scripted per endpoint (`fail`). Member messages arrive with `memberSays`, and 1:1 messages with
 * `userSays`, which return the webhook event for the caller to post (webhookDriver.ts signs and
 * posts it). A 1:1 send is refused as Zalo documents: -232 to someone who never wrote, -230 over 7
 * days after their last message, -244 to someone who restricted the OA's messages.
 */

/** Zalo documents no code for a refused refresh token (docs/zalo-oa-api.md §5f); this one is made up, and clients must not rely on it. */
export const FAKE_OAUTH_REFUSAL = -14999;

/** Zalo's messages for the codes the fake plays (docs/zalo-oa-api.md §3e). */
const MESSAGES: Record<number, string> = {
  [-32]: 'Your application reached limit call api',
  [-100]: 'attachment_id was expired',
  [-124]: 'Access token invalid',
  [-201]: 'Parameters are invalid',
  [-210]: 'Parameter exceeds allowable limit',
  [-211]: 'Out of quota',
  [-216]: 'Access token is invalid',
  [-220]: 'access_token is expired or removed',
  [-221]: 'The OA needs to be verified to use this feature',
  [-223]: 'Official Account has not authorized this API',
  [-224]: 'The OA needs to upgrade OA Tier Package to use this feature',
  [-237]: 'The group is disabled',
  [-403]: 'OA is not in group',
  [-213]: 'User has not followed OA',
  [-227]: 'User is banned or has been inactive for more than 45 days',
  [-230]: 'User has not interacted with the OA in the past 7 days',
  [-232]: 'User has not interacted with the OA, or the last interaction has expired',
  [-244]: 'User has restricted this message type from your OA',
};

/** A 1:1 message may follow the person's last interaction by 7 days (docs/zalo-oa-api.md §8). */
export const CS_WINDOW_MS = 7 * 24 * 3600_000;
/** The first 8 within 48 hours of that interaction are free ("reply" quota); later ones are paid. */
const FREE_REPLIES = 8;
const FREE_WINDOW_MS = 48 * 3600_000;

export const IMAGE_LIMIT = 1024 * 1024;
export const FILE_LIMIT = 5 * 1024 * 1024;
const UPLOADS_PER_MONTH = 5000;

export interface FakeMember {
  id: string;
  name: string;
}

export interface FakeHistoryItem {
  /** 0 sent by the OA, 1 by a member. */
  src: 0 | 1;
  time: number;
  type: string;
  message?: string;
  message_id: string;
  from_id: string;
  from_display_name: string;
  from_avatar: string;
  group_id: string;
  url?: string;
}

export interface FakeGroup {
  groupId: string;
  name: string;
  status: 'enabled' | 'disabled';
  members: FakeMember[];
  /** Oldest first; the API answers newest first. */
  history: FakeHistoryItem[];
  assetType: string;
  maxMembers: number;
  /** dd/mm/yyyy, as Zalo writes them. */
  validThrough: string;
  autoDeleteDate: string;
}

/** Someone the OA knows in 1:1: a follower, or a person who wrote to it without following. */
export interface FakeFollower {
  id: string;
  name: string;
  follows: boolean;
  /** Their last interaction with the OA (ms): a message, a follow. Undefined: never. */
  lastInteraction?: number;
  /** They restricted the OA's messages (Zalo answers -244). */
  restricted?: boolean;
  /** 1:1 sends since the last interaction, for the free-quota answer. */
  sinceInteraction: number;
}

/** What the OA sent to a person alone (POST /v3.0/oa/message/cs). */
export type FakePrivateSent =
  | { kind: 'text'; userId: string; messageId: string; text: string }
  | { kind: 'image'; userId: string; messageId: string; caption: string | undefined; url?: string; upload?: FakeUpload }
  | { kind: 'file'; userId: string; messageId: string; upload: FakeUpload };

export interface FakeUpload {
  kind: 'image' | 'file';
  /** attachment_id for an image, token for a file. */
  id: string;
  fileName: string;
  bytes: Buffer;
}

export type FakeSent =
  | { kind: 'text'; groupId: string; messageId: string; text: string }
  | { kind: 'image'; groupId: string; messageId: string; caption: string; url?: string; upload?: FakeUpload }
  | { kind: 'file'; groupId: string; messageId: string; upload: FakeUpload };

export interface FakeCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  /** A JSON body as parsed, a form's fields, or a multipart body's text fields. */
  body: Record<string, unknown> | undefined;
  files: Array<{ field: string; fileName: string | undefined; bytes: Buffer }>;
}

interface ScriptedFailure {
  path: string;
  code: number;
  message: string | undefined;
  status: number;
  left: number;
}

export interface FakeZaloOpenApiOptions {
  appId?: string;
  appSecret?: string;
  oaId?: string;
  oaName?: string;
  accessToken?: string;
  refreshToken?: string;
  /** Calls allowed per minute of the clock, as X-RateLimit-Limit says; over it, -32. */
  ratePerMinute?: number;
  clock?: Clock;
}

export class FakeZaloOpenApi {
  readonly appId: string;
  readonly appSecret: string;
  readonly oaId: string;
  readonly oaName: string;
  readonly calls: FakeCall[] = [];
  /** Sends to groups, as before 1:1 chats existed (the contract suite and the benchmark read them). */
  readonly sent: FakeSent[] = [];
  readonly sentPrivately: FakePrivateSent[] = [];
  readonly followers = new Map<string, FakeFollower>();
  readonly uploads: FakeUpload[] = [];
  readonly groups = new Map<string, FakeGroup>();
  /** Refresh tokens already traded; each works once. */
  readonly usedRefreshTokens = new Set<string>();
  accessToken: string;
  refreshToken: string;
  refreshes = 0;
  /** Authorization codes traded for a pair (the consent flow's last step). */
  authorizations = 0;
  /** Codes issueAuthorizationCode gave out, with the S256 challenge each was issued for; each works once. */
  private readonly authorizationCodes = new Map<string, { challenge: string; issuedAt: number; used: boolean }>();
  private accessTokenExpired = false;
  private readonly failures: ScriptedFailure[] = [];
  private readonly ratePerMinute: number;
  private rateWindow = -1;
  private rateUsed = 0;
  private sequence = 0;
  private readonly clock: Clock;

  private constructor(
    private readonly server: Server,
    options: FakeZaloOpenApiOptions,
  ) {
    this.appId = options.appId ?? '1234567890123456789';
    this.appSecret = options.appSecret ?? 'fake-app-secret-key';
    this.oaId = options.oaId ?? '579745863508352884';
    this.oaName = options.oaName ?? 'Ban Tuyên giáo và Dân vận Tỉnh ủy';
    this.accessToken = options.accessToken ?? 'fake-access-token-0';
    this.refreshToken = options.refreshToken ?? 'fake-refresh-token-0';
    this.ratePerMinute = options.ratePerMinute ?? 100;
    this.clock = options.clock ?? systemClock;
    server.on('request', (req, res) => {
      void this.answer(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
  }

  static async start(options: FakeZaloOpenApiOptions = {}): Promise<FakeZaloOpenApi> {
    const server = createServer();
    const fake = new FakeZaloOpenApi(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Both the OpenAPI's and the OAuth server's base URL: the paths do not overlap. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  addGroup(groupId: string, group: Partial<Omit<FakeGroup, 'groupId'>> = {}): FakeGroup {
    const created: FakeGroup = {
      groupId,
      name: group.name ?? `Nhóm ${groupId}`,
      status: group.status ?? 'enabled',
      members: group.members ?? [],
      history: group.history ?? [],
      assetType: group.assetType ?? 'gmf100',
      maxMembers: group.maxMembers ?? 100,
      validThrough: group.validThrough ?? '31/12/2026',
      autoDeleteDate: group.autoDeleteDate ?? '14/02/2027',
    };
    this.groups.set(groupId, created);
    return created;
  }

  /**
   * A member writes in a group: the message joins the history, and the webhook event Zalo would
   * post for it is returned (its msg_id is the history's message_id; posting is the caller's job).
   */
  memberSays(groupId: string, userId: string, text: string): Record<string, unknown> {
    const group = this.group(groupId);
    const member = group.members.find((m) => m.id === userId);
    const at = this.clock.now();
    const messageId = this.nextId();
    group.history.push({
      src: 1,
      time: at.getTime(),
      type: 'text',
      message: text,
      message_id: messageId,
      from_id: userId,
      from_display_name: member?.name ?? userId,
      from_avatar: `https://s120-ava-talk.zadn.vn/${userId}.jpg`,
      group_id: groupId,
    });
    return groupText(this.appId, this.oaId, groupId, userId, text, messageId, at);
  }

  /** Someone who follows the OA (`follows: false`: who only wrote to it); no interaction yet unless `lastInteraction`. */
  addFollower(userId: string, name: string, options: Partial<Omit<FakeFollower, 'id' | 'name' | 'sinceInteraction'>> = {}): FakeFollower {
    const follower: FakeFollower = { id: userId, name, follows: options.follows ?? true, sinceInteraction: 0, ...options };
    this.followers.set(userId, follower);
    return follower;
  }

  /**
   * A person writes to the OA in 1:1: their interaction time moves to now, and the webhook event
   * Zalo would post is returned (`user_send_text`; no `oa_id`, as Zalo's example shows it).
   * Someone not added yet is added as not following, named by their id.
   */
  userSays(userId: string, text: string): Record<string, unknown> {
    const follower = this.followers.get(userId) ?? this.addFollower(userId, userId, { follows: false });
    const at = this.clock.now();
    follower.lastInteraction = at.getTime();
    follower.sinceInteraction = 0;
    return {
      app_id: this.appId,
      user_id_by_app: `app-${userId}`,
      event_name: 'user_send_text',
      timestamp: String(at.getTime()),
      sender: { id: userId },
      recipient: { id: this.oaId },
      message: { msg_id: this.nextId(), text },
    };
  }

  /**
   * The next `times` calls to `path` (e.g. '/v3.0/oa/group/message' or '/v4/oa/access_token')
   * answer with Zalo's error `code`; `status` plays a gateway answering instead of Zalo.
   */
  fail(path: string, code: number, options: { times?: number; message?: string; status?: number } = {}): void {
    this.failures.push({ path, code, message: options.message, status: options.status ?? 200, left: options.times ?? 1 });
  }

  /**
   * An OA admin consents on Zalo's page, set up in the console with `codeChallenge` (S256 of the
   * client's verifier): the returned code is what Zalo puts on the callback URL. Like Zalo's, it
   * works once, within 10 minutes, and only with the verifier whose challenge it was issued for.
   */
  issueAuthorizationCode(codeChallenge: string): string {
    const code = `fake-auth-code-${this.nextId()}`;
    this.authorizationCodes.set(code, { challenge: codeChallenge, issuedAt: this.clock.now().getTime(), used: false });
    return code;
  }

  /** The current access token answers -220 (expired) until the next refresh. */
  expireAccessToken(): void {
    this.accessTokenExpired = true;
  }

  /** What the rate headers will say next. */
  get rateRemain(): number {
    this.turnRateWindow();
    return Math.max(0, this.ratePerMinute - this.rateUsed);
  }

  private group(groupId: string): FakeGroup {
    const group = this.groups.get(groupId);
    if (!group) throw new Error(`the fake has no group ${groupId}`);
    return group;
  }

  /** Zalo's message ids are 20 hex digits. */
  private nextId(): string {
    this.sequence++;
    return `${this.sequence.toString(16).padStart(8, '0')}${'a1b2c3d4e5f6'}`;
  }

  private turnRateWindow(): void {
    const window = Math.floor(this.clock.now().getTime() / 60_000);
    if (window !== this.rateWindow) {
      this.rateWindow = window;
      this.rateUsed = 0;
    }
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readAll(req);
    const contentType = String(req.headers['content-type'] ?? '');
    const call: FakeCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: {
        access_token: header(req, 'access_token'),
        secret_key: header(req, 'secret_key'),
        'content-type': contentType || undefined,
      },
      body: undefined,
      files: [],
    };
    if (contentType.startsWith('application/json')) call.body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    else if (contentType.startsWith('application/x-www-form-urlencoded')) call.body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    else if (contentType.startsWith('multipart/form-data')) {
      const { payload, files } = formFields(raw, contentType);
      call.body = payload;
      call.files = files.map((f) => ({ field: f.field, fileName: f.filename, bytes: f.data }));
    }
    this.calls.push(call);

    this.turnRateWindow();
    const isOpenApi = call.path.startsWith('/v2.0/oa/') || call.path.startsWith('/v3.0/oa/');
    if (isOpenApi) this.rateUsed++;
    const rateHeaders = {
      'x-ratelimit-limit': String(this.ratePerMinute),
      'x-ratelimit-remain': String(Math.max(0, this.ratePerMinute - this.rateUsed)),
    };
    const reply = (body: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...rateHeaders });
      res.end(JSON.stringify(body));
    };

    const scripted = this.failures.find((f) => f.path === call.path && f.left > 0);
    if (scripted) {
      scripted.left--;
      const message = scripted.message ?? MESSAGES[scripted.code] ?? 'Error';
      if (call.path === '/v4/oa/access_token') return reply(oauthError(scripted.code, message), scripted.status);
      return reply({ error: scripted.code, message }, scripted.status);
    }

    if (call.path === '/v4/oa/access_token' && call.method === 'POST') return reply(this.oauth(call));
    if (!isOpenApi) {
      res.writeHead(404, { 'content-type': 'text/html', ...rateHeaders });
      res.end('<html><body>404 Not Found</body></html>');
      return;
    }
    if (this.rateUsed > this.ratePerMinute) return reply(zaloError(-32));
    if (call.headers.access_token !== this.accessToken) return reply(zaloError(-216));
    if (this.accessTokenExpired) return reply(zaloError(-220));

    const route = `${call.method} ${call.path}`;
    switch (route) {
      case 'POST /v3.0/oa/group/message':
        return reply(this.message(call));
      case 'POST /v2.0/oa/upload/image':
        return reply(this.upload(call, 'image'));
      case 'POST /v2.0/oa/upload/file':
        return reply(this.upload(call, 'file'));
      case 'GET /v3.0/oa/group/conversation':
        return reply(this.conversation(call));
      case 'GET /v3.0/oa/group/listmember':
        return reply(this.listMembers(call));
      case 'GET /v3.0/oa/group/getgroup':
        return reply(this.getGroup(call));
      case 'GET /v3.0/oa/group/getgroupsofoa':
        return reply(this.groupsOfOa(call));
      case 'POST /v3.0/oa/message/cs':
        return reply(this.privateMessage(call));
      case 'GET /v3.0/oa/user/detail':
        return reply(this.userDetail(call));
      default:
        res.writeHead(404, { 'content-type': 'text/html', ...rateHeaders });
        res.end('<html><body>404 Not Found</body></html>');
    }
  }

  private oauth(call: FakeCall): unknown {
    const form = (call.body ?? {}) as Record<string, string>;
    if (call.headers.secret_key !== this.appSecret || form.app_id !== this.appId) {
      return oauthError(FAKE_OAUTH_REFUSAL, 'Invalid app secret or app id');
    }
    if (form.grant_type === 'authorization_code') return this.authorizationCodeGrant(form);
    if (form.grant_type !== 'refresh_token') return oauthError(FAKE_OAUTH_REFUSAL, 'Unsupported grant type');
    const token = form.refresh_token ?? '';
    if (token !== this.refreshToken || this.usedRefreshTokens.has(token)) return oauthError(FAKE_OAUTH_REFUSAL, 'Invalid refresh token');
    this.usedRefreshTokens.add(token);
    this.refreshes++;
    this.accessToken = `fake-access-token-${this.refreshes}`;
    this.refreshToken = `fake-refresh-token-${this.refreshes}`;
    this.accessTokenExpired = false;
    return { access_token: this.accessToken, refresh_token: this.refreshToken, expires_in: '90000' };
  }

  /** docs/zalo-oa-api.md §5c: code + code_verifier, checked as RFC 7636 S256 (base64url, no padding). */
  private authorizationCodeGrant(form: Record<string, string>): unknown {
    const issued = this.authorizationCodes.get(form.code ?? '');
    if (!issued || issued.used) return oauthError(FAKE_OAUTH_REFUSAL, 'Invalid authorization code');
    // Any presentation spends the code, a failed one too: a client must never count on trying it twice.
    issued.used = true;
    if (this.clock.now().getTime() - issued.issuedAt > 10 * 60_000) return oauthError(FAKE_OAUTH_REFUSAL, 'Authorization code expired');
    const challenge = createHash('sha256')
      .update(form.code_verifier ?? '', 'ascii')
      .digest('base64url');
    if (challenge !== issued.challenge) return oauthError(FAKE_OAUTH_REFUSAL, 'Invalid code verifier');
    this.authorizations++;
    this.accessToken = `fake-access-token-auth-${this.authorizations}`;
    this.refreshToken = `fake-refresh-token-auth-${this.authorizations}`;
    this.accessTokenExpired = false;
    return { access_token: this.accessToken, refresh_token: this.refreshToken, expires_in: '90000' };
  }

  private message(call: FakeCall): unknown {
    const body = (call.body ?? {}) as { recipient?: { group_id?: unknown }; message?: Record<string, unknown> };
    const groupId = body.recipient?.group_id;
    if (typeof groupId !== 'string' || !body.message) return zaloError(-201, 'recipient is invalid!');
    const group = this.groups.get(groupId);
    if (!group) return zaloError(-403);
    if (group.status !== 'enabled') return zaloError(-237);
    const message = body.message;
    const attachment = message.attachment as { type?: string; payload?: Record<string, unknown> } | undefined;
    const messageId = this.nextId();
    const at = this.clock.now().getTime();
    const fromOa = { src: 0 as const, time: at, message_id: messageId, from_id: this.oaId, from_display_name: this.oaName, from_avatar: '', group_id: groupId };
    if (!attachment) {
      if (typeof message.text !== 'string' || message.text === '') return zaloError(-201, 'text is invalid!');
      this.sent.push({ kind: 'text', groupId, messageId, text: message.text });
      group.history.push({ ...fromOa, type: 'text', message: message.text });
    } else if (attachment.type === 'file') {
      const upload = this.uploads.find((u) => u.kind === 'file' && u.id === attachment.payload?.token);
      if (!upload) return zaloError(-201, 'token is invalid!');
      // History lists no file type (docs/zalo-oa-api.md §4a), so a file is not in it.
      this.sent.push({ kind: 'file', groupId, messageId, upload });
    } else if (attachment.type === 'template' && attachment.payload?.template_type === 'media') {
      const elements = attachment.payload.elements as Array<Record<string, unknown>> | undefined;
      const element = elements?.[0];
      if (!element || elements.length !== 1 || element.media_type !== 'image') return zaloError(-201, 'elements is invalid!');
      if (typeof message.text !== 'string') return zaloError(-201, 'text is invalid!');
      const hasId = typeof element.attachment_id === 'string';
      const hasUrl = typeof element.url === 'string';
      if (hasId === hasUrl) return zaloError(-201, 'attachment_id is invalid!');
      let upload: FakeUpload | undefined;
      if (hasId) {
        upload = this.uploads.find((u) => u.kind === 'image' && u.id === element.attachment_id);
        if (!upload) return zaloError(-100);
      }
      const url = hasUrl ? String(element.url) : undefined;
      this.sent.push({ kind: 'image', groupId, messageId, caption: message.text, ...(url ? { url } : {}), ...(upload ? { upload } : {}) });
      group.history.push({ ...fromOa, type: 'photo', message: message.text, url: url ?? `https://fake.zalo/photo/${messageId}.jpg` });
    } else return zaloError(-233, 'message type is invalid or not support');
    return { data: { message_id: messageId, group_id: groupId }, error: 0, message: 'Success' };
  }

  /** docs/zalo-oa-api.md §8: the customer-service message, refused outside the person's window. */
  private privateMessage(call: FakeCall): unknown {
    const body = (call.body ?? {}) as { recipient?: { user_id?: unknown }; message?: Record<string, unknown> };
    const userId = body.recipient?.user_id;
    if (typeof userId !== 'string' || !body.message) return zaloError(-201, 'recipient is invalid!');
    const person = this.followers.get(userId);
    if (person?.restricted) return zaloError(-244);
    if (person?.lastInteraction === undefined) return zaloError(-232);
    const now = this.clock.now().getTime();
    if (now - person.lastInteraction > CS_WINDOW_MS) return zaloError(-230);
    const message = body.message;
    const attachment = message.attachment as { type?: string; payload?: Record<string, unknown> } | undefined;
    const messageId = this.nextId();
    if (!attachment) {
      if (typeof message.text !== 'string' || message.text === '') return zaloError(-201, 'text is invalid!');
      if (message.text.length > 2000) return zaloError(-210);
      this.sentPrivately.push({ kind: 'text', userId, messageId, text: message.text });
    } else if (attachment.type === 'file') {
      const upload = this.uploads.find((u) => u.kind === 'file' && u.id === attachment.payload?.token);
      if (!upload) return zaloError(-201, 'token is invalid!');
      this.sentPrivately.push({ kind: 'file', userId, messageId, upload });
    } else if (attachment.type === 'template' && attachment.payload?.template_type === 'media') {
      const elements = attachment.payload.elements as Array<Record<string, unknown>> | undefined;
      const element = elements?.[0];
      if (!element || elements.length !== 1 || element.media_type !== 'image') return zaloError(-201, 'elements is invalid!');
      if (message.text !== undefined && typeof message.text !== 'string') return zaloError(-201, 'text is invalid!');
      const hasId = typeof element.attachment_id === 'string';
      const hasUrl = typeof element.url === 'string';
      if (hasId === hasUrl) return zaloError(-201, 'attachment_id is invalid!');
      const upload = hasId ? this.uploads.find((u) => u.kind === 'image' && u.id === element.attachment_id) : undefined;
      if (hasId && !upload) return zaloError(-100);
      const caption = typeof message.text === 'string' ? message.text : undefined;
      this.sentPrivately.push({ kind: 'image', userId, messageId, caption, ...(hasUrl ? { url: String(element.url) } : {}), ...(upload ? { upload } : {}) });
    } else return zaloError(-233, 'message type is invalid or not support');
    person.sinceInteraction++;
    const free = now - person.lastInteraction <= FREE_WINDOW_MS && person.sinceInteraction <= FREE_REPLIES;
    return {
      data: {
        ...(free ? { quota: { quota_type: 'reply', remain: String(FREE_REPLIES - person.sinceInteraction), total: String(FREE_REPLIES) } } : {}),
        message_id: messageId,
        user_id: userId,
      },
      error: 0,
      message: 'Success',
    };
  }

  /** GET /v3.0/oa/user/detail?data={"user_id":"…"}; Zalo's code for an unknown user is undocumented, -201 stands in. */
  private userDetail(call: FakeCall): unknown {
    let userId: unknown;
    try {
      userId = (JSON.parse(call.query.data ?? '') as { user_id?: unknown }).user_id;
    } catch {
      return zaloError(-201, 'data is invalid!');
    }
    const person = typeof userId === 'string' ? this.followers.get(userId) : undefined;
    if (!person) return zaloError(-201, 'user_id is invalid!');
    const last = person.lastInteraction === undefined ? undefined : new Date(person.lastInteraction + 7 * 3600_000);
    return {
      data: {
        user_id: person.id,
        user_id_by_app: `app-${person.id}`,
        user_external_id: '',
        display_name: person.name,
        user_alias: '',
        is_sensitive: false,
        ...(last ? { user_last_interaction_date: `${pad(last.getUTCDate())}/${pad(last.getUTCMonth() + 1)}/${last.getUTCFullYear()}` } : {}),
        user_is_follower: person.follows,
        avatar: `https://s120-ava-talk.zadn.vn/${person.id}.jpg`,
        tags_and_notes_info: { notes: [], tag_names: [] },
        shared_info: {},
      },
      error: 0,
      message: 'Success',
    };
  }

  private upload(call: FakeCall, kind: 'image' | 'file'): unknown {
    const file = call.files.find((f) => f.field === 'file');
    if (!file?.fileName) return zaloError(-201, 'file is invalid!');
    const allowed = kind === 'image' ? ['.jpg', '.jpeg', '.png'] : ['.pdf', '.doc', '.docx'];
    // Zalo's code for a wrong type is undocumented; -201 is the nearest of its documented ones.
    if (!allowed.includes(extname(file.fileName).toLowerCase())) return zaloError(-201, 'file is invalid!');
    if (file.bytes.length > (kind === 'image' ? IMAGE_LIMIT : FILE_LIMIT)) return zaloError(-210);
    if (this.uploads.length >= UPLOADS_PER_MONTH) return zaloError(-211);
    const id = `${kind}-${this.nextId()}`;
    this.uploads.push({ kind, id, fileName: file.fileName, bytes: file.bytes });
    return { data: kind === 'image' ? { attachment_id: id } : { token: id }, error: 0, message: 'Success' };
  }

  private conversation(call: FakeCall): unknown {
    const group = this.groups.get(call.query.group_id ?? '');
    if (!group) return zaloError(-403);
    const offset = Number(call.query.offset ?? 0);
    // Zalo's default is 5; no maximum is documented for groups, 10 is the 1:1 API's.
    const count = Math.min(10, Number(call.query.count ?? 5));
    const newestFirst = [...group.history].reverse();
    return { data: newestFirst.slice(offset, offset + count), error: 0, message: 'Success' };
  }

  private listMembers(call: FakeCall): unknown {
    const group = this.groups.get(call.query.group_id ?? '');
    if (!group) return zaloError(-403);
    const offset = Number(call.query.offset ?? 0);
    const count = Number(call.query.count ?? 5);
    const everyone = [
      { oa_id: this.oaId, name: this.oaName, avatar: '' },
      ...group.members.map((m) => ({ user_id: m.id, name: m.name, avatar: `https://s120-ava-talk.zadn.vn/${m.id}.jpg` })),
    ];
    const members = everyone.slice(offset, offset + count);
    return { data: { offset, count: members.length, total: everyone.length, member_count: everyone.length, members }, error: 0, message: 'Success' };
  }

  private getGroup(call: FakeCall): unknown {
    const group = this.groups.get(call.query.group_id ?? '');
    if (!group) return zaloError(-403);
    return {
      data: {
        group_info: {
          group_id: group.groupId,
          group_link: `https://zalo.me/g/${group.groupId.slice(0, 9)}`,
          name: group.name,
          group_description: '',
          avatar: '',
          status: group.status,
          total_member: group.members.length + 1,
          max_member: String(group.maxMembers),
          auto_delete_date: group.autoDeleteDate,
        },
        asset_info: { asset_type: group.assetType, asset_id: `asset-${group.groupId}`, valid_through: group.validThrough, auto_renew: 'true' },
        group_setting: { lock_send_msg: false, join_appr: true, enable_msg_history: true, enable_link_join: true },
      },
      error: 0,
      message: 'Success',
    };
  }

  private groupsOfOa(call: FakeCall): unknown {
    const offset = Number(call.query.offset ?? 0);
    const count = Number(call.query.count ?? 5);
    const all = [...this.groups.values()].map((g) => ({
      name: g.name,
      avatar: '',
      group_id: g.groupId,
      group_link: `https://zalo.me/g/${g.groupId.slice(0, 9)}`,
      group_description: '',
      total_member: g.members.length + 1,
      status: g.status,
    }));
    const groups = all.slice(offset, offset + count);
    return { data: { offset, count: groups.length, total: all.length, group_count: all.length, groups }, error: 0, message: 'Success' };
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

function zaloError(code: number, message?: string): { error: number; message: string } {
  return { error: code, message: message ?? MESSAGES[code] ?? 'Error' };
}

/** The OAuth server's failure body: no `message`, no tokens, and HTTP 200 (docs/zalo-oa-api.md §5f). */
function oauthError(code: number, reason: string): Record<string, unknown> {
  return {
    error: code,
    error_name: reason,
    error_reason: reason,
    error_description: reason,
    ref_doc: 'https://developers.zalo.me/docs/official-account/bat-dau/xac-thuc-va-uy-quyen-cho-ung-dung-new',
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
