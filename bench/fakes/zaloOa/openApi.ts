import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { type Clock, systemClock } from '../../../core/clock.js';
import { formFields } from '../telegram.js';
import { groupText } from './webhookDriver.js';

/**
 * Zalo's OA OpenAPI and its OAuth server as the tests and the benchmark play them: one node:http
 * server on loopback (port 0) answering the GMF endpoints the bot uses, with the shapes of
 * docs/zalo-oa-api.md ("Shapes recommended for the fake OpenAPI server"). Like Zalo, it answers
 * every OpenAPI call with HTTP 200 and an `error` field, and puts X-RateLimit-Limit and
 * X-RateLimit-Remain on every answer.
 *
 * What it keeps: groups with members and a message history, every request as it arrived (`calls`),
 * what the OA sent (`sent`, with the uploaded bytes and names of images and files), the uploads,
 * and one current token pair. Each refresh token works once; a reused or unknown one is refused
 * with an OAuth error body and HTTP 200, as practitioners report Zalo does. Errors can be
 * scripted per endpoint (`fail`). Member messages arrive with `memberSays`, which returns the
 * webhook event for the caller to post (webhookDriver.ts signs and posts it).
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
};

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
  readonly sent: FakeSent[] = [];
  readonly uploads: FakeUpload[] = [];
  readonly groups = new Map<string, FakeGroup>();
  /** Refresh tokens already traded; each works once. */
  readonly usedRefreshTokens = new Set<string>();
  accessToken: string;
  refreshToken: string;
  refreshes = 0;
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
    this.oaName = options.oaName ?? 'Ban Dân vận Tỉnh ủy';
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

  /**
   * The next `times` calls to `path` (e.g. '/v3.0/oa/group/message' or '/v4/oa/access_token')
   * answer with Zalo's error `code`; `status` plays a gateway answering instead of Zalo.
   */
  fail(path: string, code: number, options: { times?: number; message?: string; status?: number } = {}): void {
    this.failures.push({ path, code, message: options.message, status: options.status ?? 200, left: options.times ?? 1 });
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
