import { extname } from 'node:path';
import { z } from 'zod';
import { type Clock, systemClock } from '../../core/clock.js';

/**
 * A thin client for the parts of Zalo's OA OpenAPI the bot uses (GMF groups, and 1:1 customer-
 * service messages to the people who wrote to the OA), over plain fetch:
 * no SDK on npm is trustworthy for GMF (docs/zalo-oa-api.md lists what each call looks like and
 * where the shape comes from). It sends, uploads, reads and refreshes; pacing, retrying and storing
 * tokens belong to the adapter above it, which reads the typed errors and the rate headers here.
 *
 * Secrets: the access token travels only in the `access_token` header, the app secret only in the
 * `secret_key` header, the refresh token only in the form body. No error built here carries any of
 * them, and text that comes back from Zalo is scrubbed of them before it lands in an error, so an
 * error can be logged whole.
 */

export const ZALO_OPENAPI_URL = 'https://openapi.zalo.me';
export const ZALO_OAUTH_URL = 'https://oauth.zaloapp.com';

/**
 * Upload limits as Zalo states them ("1MB", "5MB"). Counted in decimal megabytes: the pages do not
 * say which megabyte, and the smaller reading never sends a file Zalo would refuse.
 */
export const MAX_IMAGE_UPLOAD_BYTES = 1_000_000;
export const MAX_FILE_UPLOAD_BYTES = 5_000_000;

/** What an error means for the caller; the codes are Zalo's (docs/zalo-oa-api.md §3e). */
export type ZaloOaErrorKind =
  /** -32: over the per-minute limit; retryable once the minute turns. */
  | 'rate'
  /** -216, -220, -124: the access token is invalid or expired; refresh once and retry. */
  | 'tokenExpired'
  /** -221, -224, -223: the OA is not verified, lacks the package, or has not granted the app; stop everywhere. */
  | 'oaRefused'
  /** -237 (the GMF group expired) and -403 (the OA is not in the group): stop sending to this group. */
  | 'groupGone'
  /**
   * -230, -232: the person's last interaction with the OA is older than the 7 days a 1:1 message
   * may follow it (docs/zalo-oa-api.md §8). Not gone: writing to the OA again opens the window.
   */
  | 'outsideWindow'
  /**
   * -213 (not following the OA), -227 (the account is banned or idle over 45 days), -244 (the
   * person restricted this kind of message from the OA): the person does not take 1:1 messages.
   */
  | 'userRefused'
  /** No Zalo answer at all: a gateway error or a 429/5xx before Zalo's own code; retryable. */
  | 'unavailable'
  /** An answer the client cannot read (not JSON, or not the documented shape). */
  | 'malformed'
  | 'other';

const KIND_OF_CODE = new Map<number, ZaloOaErrorKind>([
  [-32, 'rate'],
  [-216, 'tokenExpired'],
  [-220, 'tokenExpired'],
  [-124, 'tokenExpired'],
  [-221, 'oaRefused'],
  [-224, 'oaRefused'],
  [-223, 'oaRefused'],
  [-237, 'groupGone'],
  [-403, 'groupGone'],
  [-230, 'outsideWindow'],
  [-232, 'outsideWindow'],
  [-213, 'userRefused'],
  [-227, 'userRefused'],
  [-244, 'userRefused'],
]);

export function errorKind(code: number): ZaloOaErrorKind {
  return KIND_OF_CODE.get(code) ?? 'other';
}

/**
 * Zalo refused a call (HTTP 200 with `error` ≠ 0), or its answer could not be read. `code` is
 * Zalo's code (negative); when there was no Zalo code it is the HTTP status (positive), or 0 for a
 * body that is not the documented shape.
 */
export class ZaloOaApiError extends Error {
  override readonly name = 'ZaloOaApiError';
  readonly kind: ZaloOaErrorKind;
  /** For a retryable error, how long to wait first (ms); undefined when not retryable. */
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly code: number,
    message: string,
    readonly endpoint: string,
    kind: ZaloOaErrorKind = errorKind(code),
    retryAfterMs?: number,
  ) {
    super(`Zalo OA ${endpoint}: ${code} ${message}`);
    this.kind = kind;
    this.retryAfterMs = kind === 'rate' || kind === 'unavailable' ? (retryAfterMs ?? 0) : undefined;
  }

  get retryable(): boolean {
    return this.retryAfterMs !== undefined;
  }
  get tokenExpired(): boolean {
    return this.kind === 'tokenExpired';
  }
  get oaRefused(): boolean {
    return this.kind === 'oaRefused';
  }
  get groupGone(): boolean {
    return this.kind === 'groupGone';
  }
  get outsideWindow(): boolean {
    return this.kind === 'outsideWindow';
  }
  get userRefused(): boolean {
    return this.kind === 'userRefused';
  }
}

/**
 * The OAuth server gave no new token pair. Zalo documents no code for a reused or revoked refresh
 * token and answers such failures with an error body, sometimes with HTTP 200, so any answer that
 * lacks either token is this refusal, whatever its code (docs/zalo-oa-api.md §5f).
 */
export class ZaloOaTokenRefused extends Error {
  override readonly name = 'ZaloOaTokenRefused';
  constructor(
    /** Zalo's `error` when it sent one (a -14xxx code in practice); never relied on. */
    readonly code: number | undefined,
    /** `error_name`, `error_reason` or `error_description`, scrubbed of the secrets. */
    readonly reason: string,
    readonly httpStatus: number,
    /** What was traded: a refresh token, or the authorization code of the consent flow. */
    readonly grant: 'refresh token' | 'authorization code' = 'refresh token',
  ) {
    super(`Zalo OAuth refused the ${grant} (${code ?? `HTTP ${httpStatus}`}): ${reason}`);
  }
}

/** A file the client will not upload, refused before any request (Zalo keeps to these types and sizes). */
export class ZaloOaUploadRefused extends Error {
  override readonly name = 'ZaloOaUploadRefused';
  constructor(
    readonly reason: 'type' | 'size' | 'empty',
    readonly fileName: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      reason === 'type'
        ? `Zalo OA does not take "${fileName}": not one of its upload types, or the content does not match the name`
        : reason === 'empty'
          ? `Zalo OA upload "${fileName}" is empty`
          : `Zalo OA upload "${fileName}" is ${bytes} bytes, over the limit of ${limit}`,
    );
  }
}

export interface RateLimit {
  limit: number;
  remain: number;
}

// ---- answers, as documented ----

/** Ids come as strings; an example showing a number is read as its digits. Long ids exceed 2^53. */
const zaloId = z.union([z.string(), z.number()]).transform(String);
const count = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);

const envelope = z.object({
  error: z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform(Number),
  message: z.string().optional(),
  data: z.unknown().optional(),
});

const sentSchema = z.object({ message_id: zaloId, group_id: zaloId.optional() });
/** A 1:1 send also says which quota paid for it (`quota`); the bot does not need it. */
const privateSentSchema = z.object({ message_id: zaloId, user_id: zaloId.optional() });
/** user/detail: only what the bot reads; the rest (avatar, tags, shared info) is left alone. */
const userDetailSchema = z.object({
  user_id: zaloId,
  display_name: z.string().optional(),
  user_alias: z.string().optional(),
  user_is_follower: flagOf().optional(),
  user_last_interaction_date: z.string().optional(),
});
const imageUploadSchema = z.object({ attachment_id: z.string().min(1) });
const fileUploadSchema = z.object({ token: z.string().min(1) });

const historySchema = z.array(
  z.object({
    src: z.number(),
    time: z.number(),
    type: z.string(),
    message: z.string().optional(),
    message_id: zaloId,
    from_id: zaloId,
    from_display_name: z.string().optional(),
    from_avatar: z.string().optional(),
    group_id: zaloId.optional(),
    url: z.string().optional(),
    thumb: z.string().optional(),
    description: z.string().optional(),
  }),
);

const membersSchema = z.object({
  offset: count,
  count: count,
  total: count,
  member_count: count.optional(),
  members: z.array(z.object({ user_id: zaloId.optional(), oa_id: zaloId.optional(), name: z.string().optional(), avatar: z.string().optional() })),
});

const flag = flagOf();

/** A boolean Zalo writes as true/false or as "true"/"false". */
function flagOf() {
  return z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');
}

const groupSchema = z.object({
  group_info: z.object({
    group_id: zaloId,
    name: z.string(),
    group_link: z.string().optional(),
    group_description: z.string().optional(),
    avatar: z.string().optional(),
    status: z.string(),
    total_member: count.optional(),
    max_member: count.optional(),
    auto_delete_date: z.string().optional(),
  }),
  asset_info: z
    .object({ asset_type: z.string().optional(), asset_id: zaloId.optional(), valid_through: z.string().optional(), auto_renew: flag.optional() })
    .optional(),
  group_setting: z.record(z.string(), z.unknown()).optional(),
});

const groupsSchema = z.object({
  offset: count,
  count: count,
  total: count,
  group_count: count.optional(),
  groups: z.array(
    z.object({
      group_id: zaloId,
      name: z.string(),
      avatar: z.string().optional(),
      group_link: z.string().optional(),
      group_description: z.string().optional(),
      total_member: count.optional(),
      status: z.string().optional(),
    }),
  ),
});

/** The OAuth answer: `expires_in` comes as a string ("90000"); tokens may be missing on a refusal. */
const tokenSchema = z.object({
  access_token: z.string().optional(),
  refresh_token: z.string().optional(),
  expires_in: z.union([z.number(), z.string()]).optional(),
  error: z.union([z.number(), z.string()]).optional(),
  error_name: z.string().optional(),
  error_reason: z.string().optional(),
  error_description: z.string().optional(),
  message: z.string().optional(),
});

// ---- what the client returns ----

export interface Sent {
  messageId: string;
  groupId: string;
}

export interface PrivateSent {
  messageId: string;
  userId: string;
}

export interface UserDetail {
  userId: string;
  /** The name the person shows on Zalo (`display_name`); the OA's own alias for them is not used. */
  displayName: string | undefined;
  isFollower: boolean | undefined;
  /** The day of the person's last interaction with the OA, as an ISO date (Zalo writes dd/mm/yyyy). */
  lastInteractionDate: string | undefined;
}

export interface HistoryMessage {
  /** Who sent it, as Zalo's `src` says: 0 the OA, 1 a user. */
  fromOa: boolean;
  at: Date;
  /** text, photo, GIF, link, links, sticker, location, voice… (no `file` is documented). */
  type: string;
  text: string | undefined;
  messageId: string;
  fromId: string;
  fromDisplayName: string | undefined;
  groupId: string;
  url: string | undefined;
}

export interface Member {
  /** The OA itself is listed among the members, with `oa_id` instead of `user_id`. */
  kind: 'user' | 'oa';
  id: string;
  name: string | undefined;
}

export interface Page<T> {
  offset: number;
  count: number;
  total: number;
  items: T[];
}

export interface GroupInfo {
  groupId: string;
  name: string;
  /** "enabled": the OA can manage and send; "disabled": it cannot (the asset lapsed). */
  status: string;
  link: string | undefined;
  totalMembers: number | undefined;
  maxMembers: number | undefined;
  /** The package's expiry and the day the group dissolves itself, as ISO dates (Zalo writes dd/mm/yyyy). */
  validThrough: string | undefined;
  autoDeleteDate: string | undefined;
  autoRenew: boolean | undefined;
  assetType: string | undefined;
}

export interface GroupSummary {
  groupId: string;
  name: string;
  link: string | undefined;
  totalMembers: number | undefined;
  status: string | undefined;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
}

export type ImageSource = { attachmentId: string } | { url: string };

type Fetch = typeof fetch;

export interface ZaloOaApiOptions {
  baseUrl?: string;
  oauthUrl?: string;
  fetch?: Fetch;
  /** The current OA access token; asked before every call, so a refresh elsewhere is picked up. */
  accessToken: () => Promise<string>;
  /** For the wait after -32 (the limit resets at the next minute). */
  clock?: Clock;
  /** How long one call may take before it is abandoned (default 30 s): a hung connection must not hold the send queue. */
  timeoutMs?: number;
}

export class ZaloOaApi {
  private readonly baseUrl: string;
  private readonly oauthUrl: string;
  private readonly fetch: Fetch;
  private readonly clock: Clock;
  private lastRateLimit: RateLimit | undefined;

  constructor(private readonly options: ZaloOaApiOptions) {
    this.baseUrl = trimSlash(options.baseUrl ?? ZALO_OPENAPI_URL);
    this.oauthUrl = trimSlash(options.oauthUrl ?? ZALO_OAUTH_URL);
    this.fetch = options.fetch ?? fetch;
    this.clock = options.clock ?? systemClock;
  }

  /** The X-RateLimit-Limit / X-RateLimit-Remain of the last answer that carried them. */
  get rateLimit(): RateLimit | undefined {
    return this.lastRateLimit;
  }

  sendText(groupId: string, text: string): Promise<Sent> {
    return this.send(groupId, { text });
  }

  /** A public `url` needs no upload (and spends none of the 5,000 uploads a month); Zalo requires a caption field. */
  sendImage(groupId: string, image: ImageSource, caption?: string): Promise<Sent> {
    const element = 'attachmentId' in image ? { media_type: 'image', attachment_id: image.attachmentId } : { media_type: 'image', url: image.url };
    return this.send(groupId, {
      text: caption ?? '',
      attachment: { type: 'template', payload: { template_type: 'media', elements: [element] } },
    });
  }

  /** `token` comes from uploadFile; a file message carries no text. */
  sendFile(groupId: string, token: string): Promise<Sent> {
    return this.send(groupId, { attachment: { type: 'file', payload: { token } } });
  }

  /**
   * A customer-service ("tư vấn") text to one person (docs/zalo-oa-api.md §8): allowed within 7
   * days of the person's last interaction with the OA; 2,000 characters at most.
   */
  sendPrivateText(userId: string, text: string): Promise<PrivateSent> {
    return this.sendPrivately(userId, { text });
  }

  /** An image to one person; unlike in a group the caption is optional, so an empty one is left out. */
  sendPrivateImage(userId: string, image: ImageSource, caption?: string): Promise<PrivateSent> {
    const element = 'attachmentId' in image ? { media_type: 'image', attachment_id: image.attachmentId } : { media_type: 'image', url: image.url };
    return this.sendPrivately(userId, {
      ...(caption ? { text: caption } : {}),
      attachment: { type: 'template', payload: { template_type: 'media', elements: [element] } },
    });
  }

  /** `token` comes from uploadFile, as for a group. */
  sendPrivateFile(userId: string, token: string): Promise<PrivateSent> {
    return this.sendPrivately(userId, { attachment: { type: 'file', payload: { token } } });
  }

  /** A person's profile as the OA sees it; needs the app's user-information permission. */
  async userDetail(userId: string): Promise<UserDetail> {
    const data = await this.call('/v3.0/oa/user/detail', { method: 'GET', query: { data: JSON.stringify({ user_id: userId }) } }, userDetailSchema);
    return {
      userId: data.user_id,
      displayName: data.display_name,
      isFollower: data.user_is_follower,
      lastInteractionDate: isoDate(data.user_last_interaction_date),
    };
  }

  async uploadImage(bytes: Uint8Array, fileName: string): Promise<{ attachmentId: string }> {
    const type = checkUpload(bytes, fileName, IMAGE_TYPES, MAX_IMAGE_UPLOAD_BYTES);
    const data = await this.upload('/v2.0/oa/upload/image', bytes, fileName, type, imageUploadSchema);
    return { attachmentId: data.attachment_id };
  }

  async uploadFile(bytes: Uint8Array, fileName: string): Promise<{ token: string }> {
    const type = checkUpload(bytes, fileName, FILE_TYPES, MAX_FILE_UPLOAD_BYTES);
    const data = await this.upload('/v2.0/oa/upload/file', bytes, fileName, type, fileUploadSchema);
    return { token: data.token };
  }

  /** Newest first: offset 0 is the latest message. Zalo's default count is 5, its maximum likely 10. */
  async conversation(groupId: string, offset: number, count: number): Promise<HistoryMessage[]> {
    const endpoint = '/v3.0/oa/group/conversation';
    const data = await this.call(endpoint, { method: 'GET', query: { group_id: groupId, offset, count } }, historySchema);
    return data.map((m) => ({
      fromOa: m.src === 0,
      at: new Date(m.time),
      type: m.type,
      text: m.message,
      messageId: m.message_id,
      fromId: m.from_id,
      fromDisplayName: m.from_display_name,
      groupId: m.group_id ?? groupId,
      url: m.url,
    }));
  }

  async members(groupId: string, offset: number, count: number): Promise<Page<Member>> {
    const endpoint = '/v3.0/oa/group/listmember';
    const data = await this.call(endpoint, { method: 'GET', query: { group_id: groupId, offset, count } }, membersSchema);
    const items: Member[] = [];
    for (const m of data.members) {
      if (m.user_id !== undefined) items.push({ kind: 'user', id: m.user_id, name: m.name });
      else if (m.oa_id !== undefined) items.push({ kind: 'oa', id: m.oa_id, name: m.name });
    }
    return { offset: data.offset, count: data.count, total: data.total, items };
  }

  async groupInfo(groupId: string): Promise<GroupInfo> {
    const data = await this.call('/v3.0/oa/group/getgroup', { method: 'GET', query: { group_id: groupId } }, groupSchema);
    const info = data.group_info;
    return {
      groupId: info.group_id,
      name: info.name,
      status: info.status,
      link: info.group_link,
      totalMembers: info.total_member,
      maxMembers: info.max_member,
      validThrough: isoDate(data.asset_info?.valid_through),
      autoDeleteDate: isoDate(info.auto_delete_date),
      autoRenew: data.asset_info?.auto_renew,
      assetType: data.asset_info?.asset_type,
    };
  }

  async groupsOfOa(offset: number, count: number): Promise<Page<GroupSummary>> {
    const data = await this.call('/v3.0/oa/group/getgroupsofoa', { method: 'GET', query: { offset, count } }, groupsSchema);
    return {
      offset: data.offset,
      count: data.count,
      total: data.total,
      items: data.groups.map((g) => ({ groupId: g.group_id, name: g.name, link: g.group_link, totalMembers: g.total_member, status: g.status })),
    };
  }

  refreshAccessToken(credentials: RefreshCredentials): Promise<TokenPair> {
    return refreshAccessToken(credentials, { oauthUrl: this.oauthUrl, fetch: this.fetch });
  }

  private async send(groupId: string, message: Record<string, unknown>): Promise<Sent> {
    const data = await this.call('/v3.0/oa/group/message', { method: 'POST', json: { recipient: { group_id: groupId }, message } }, sentSchema);
    return { messageId: data.message_id, groupId: data.group_id ?? groupId };
  }

  private async sendPrivately(userId: string, message: Record<string, unknown>): Promise<PrivateSent> {
    const data = await this.call('/v3.0/oa/message/cs', { method: 'POST', json: { recipient: { user_id: userId }, message } }, privateSentSchema);
    return { messageId: data.message_id, userId: data.user_id ?? userId };
  }

  private upload<T>(endpoint: string, bytes: Uint8Array, fileName: string, type: string, schema: z.ZodType<T>): Promise<T> {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), fileName);
    return this.call(endpoint, { method: 'POST', form }, schema);
  }

  private async call<T>(
    endpoint: string,
    request: { method: 'GET' | 'POST'; query?: Record<string, string | number>; json?: unknown; form?: FormData },
    schema: z.ZodType<T>,
  ): Promise<T> {
    const token = await this.options.accessToken();
    const url = new URL(this.baseUrl + endpoint);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { access_token: token };
    let body: string | FormData | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.form) body = request.form;

    const response = await this.fetch(url, { method: request.method, headers, body, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
    this.readRateLimit(response.headers);
    const text = await response.text();
    const secrets = [token];
    let parsed: z.output<typeof envelope> | undefined;
    try {
      parsed = envelope.parse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      const unavailable = response.status === 429 || response.status >= 500;
      if (response.ok) throw new ZaloOaApiError(0, 'the answer is not the documented JSON', endpoint, 'malformed');
      throw new ZaloOaApiError(response.status, `HTTP ${response.status}`, endpoint, unavailable ? 'unavailable' : 'other', unavailable ? 1000 : undefined);
    }
    if (parsed.error !== 0) {
      const kind = errorKind(parsed.error);
      throw new ZaloOaApiError(parsed.error, scrub(parsed.message ?? '', secrets), endpoint, kind, kind === 'rate' ? this.untilNextMinute() : undefined);
    }
    const data = schema.safeParse(parsed.data);
    if (!data.success) throw new ZaloOaApiError(0, `the answer's data is not the documented shape (${fieldsOf(data.error)})`, endpoint, 'malformed');
    return data.data;
  }

  private readRateLimit(headers: Headers): void {
    const limit = Number(headers.get('x-ratelimit-limit') ?? Number.NaN);
    const remain = Number(headers.get('x-ratelimit-remain') ?? Number.NaN);
    if (Number.isFinite(limit) && Number.isFinite(remain)) this.lastRateLimit = { limit, remain };
  }

  /** Zalo's limit resets at the next minute; a second's margin covers the two clocks disagreeing. */
  private untilNextMinute(): number {
    const now = this.clock.now().getTime();
    return 60_000 - (now % 60_000) + 1000;
  }
}

export interface RefreshCredentials {
  appId: string;
  /** The App Secret Key (the app's Settings page), sent as `secret_key`; not the webhook's OA secret key. */
  appSecret: string;
  refreshToken: string;
}

/**
 * Trades a refresh token for a new pair. Zalo's refresh token works once: the caller must store the
 * new pair before using it. Any answer without both tokens is a ZaloOaTokenRefused.
 */
export function refreshAccessToken(credentials: RefreshCredentials, options: { oauthUrl?: string; fetch?: Fetch } = {}): Promise<TokenPair> {
  const form = new URLSearchParams({ refresh_token: credentials.refreshToken, app_id: credentials.appId, grant_type: 'refresh_token' });
  return requestTokenPair(form, credentials.appSecret, [credentials.appSecret, credentials.refreshToken], 'refresh token', options);
}

export interface AuthorizationCodeCredentials {
  appId: string;
  /** The App Secret Key (the app's Settings page), sent as `secret_key`. */
  appSecret: string;
  /** The `code` Zalo put on the callback URL: single-use, valid for 10 minutes. */
  code: string;
  /** The PKCE verifier whose S256 challenge is saved in the app's settings (docs/zalo-oa-api.md §5a–§5c). */
  codeVerifier: string;
}

/**
 * The consent flow's last step (docs/zalo-oa-api.md §5c): trades an authorization code and its PKCE
 * verifier for the OA's first token pair. Same endpoint, header and refusal rule as a refresh: any
 * answer without both tokens is a ZaloOaTokenRefused, and the code, verifier and app secret never
 * appear in what it says.
 */
export function exchangeAuthorizationCode(credentials: AuthorizationCodeCredentials, options: { oauthUrl?: string; fetch?: Fetch } = {}): Promise<TokenPair> {
  const form = new URLSearchParams({
    code: credentials.code,
    app_id: credentials.appId,
    grant_type: 'authorization_code',
    code_verifier: credentials.codeVerifier,
  });
  return requestTokenPair(form, credentials.appSecret, [credentials.appSecret, credentials.code, credentials.codeVerifier], 'authorization code', options);
}

async function requestTokenPair(
  form: URLSearchParams,
  appSecret: string,
  secrets: readonly string[],
  grant: ZaloOaTokenRefused['grant'],
  options: { oauthUrl?: string; fetch?: Fetch },
): Promise<TokenPair> {
  const doFetch = options.fetch ?? fetch;
  const url = `${trimSlash(options.oauthUrl ?? ZALO_OAUTH_URL)}/v4/oa/access_token`;
  const response = await doFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: appSecret },
    body: form.toString(),
  });
  const text = await response.text();
  let body: z.output<typeof tokenSchema> | undefined;
  try {
    const parsed = tokenSchema.safeParse(JSON.parse(text));
    body = parsed.success ? parsed.data : undefined;
  } catch {
    body = undefined;
  }
  const code = body?.error === undefined ? undefined : Number(body.error);
  if (!body?.access_token || !body.refresh_token) {
    const reason = body ? [body.error_name, body.error_reason, body.error_description, body.message].filter(Boolean).join(': ') : 'not the documented JSON';
    throw new ZaloOaTokenRefused(Number.isFinite(code) ? code : undefined, scrub(reason || 'no token in the answer', secrets), response.status, grant);
  }
  const expires = Number(body.expires_in);
  // The documented lifetime is 25 h ("90000"); a missing value is read as that rather than as "now".
  return { accessToken: body.access_token, refreshToken: body.refresh_token, expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : 90_000 };
}

// ---- uploads ----

interface UploadType {
  mime: string;
  /** The first bytes of such a file, so a misnamed file is refused here rather than by Zalo. */
  magic: number[];
}

const JPEG: UploadType = { mime: 'image/jpeg', magic: [0xff, 0xd8, 0xff] };
const IMAGE_TYPES: Record<string, UploadType> = {
  '.jpg': JPEG,
  '.jpeg': JPEG,
  '.png': { mime: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47] },
};
const FILE_TYPES: Record<string, UploadType> = {
  '.pdf': { mime: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46] },
  '.doc': { mime: 'application/msword', magic: [0xd0, 0xcf, 0x11, 0xe0] },
  '.docx': { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', magic: [0x50, 0x4b, 0x03, 0x04] },
};

/** The MIME type to send, or a refusal before any request is made. */
function checkUpload(bytes: Uint8Array, fileName: string, types: Record<string, UploadType>, limit: number): string {
  const type = types[extname(fileName).toLowerCase()];
  if (bytes.length === 0) throw new ZaloOaUploadRefused('empty', fileName, 0, limit);
  if (!type || !type.magic.every((b, i) => bytes[i] === b)) throw new ZaloOaUploadRefused('type', fileName, bytes.length, limit);
  if (bytes.length > limit) throw new ZaloOaUploadRefused('size', fileName, bytes.length, limit);
  return type.mime;
}

// ---- helpers ----

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Zalo writes dates as dd/mm/yyyy; an ISO date (yyyy-mm-dd) is what the rest of the bot compares. */
function isoDate(value: string | undefined): string | undefined {
  const m = value ? /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value.trim()) : null;
  if (!m) return undefined;
  return `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`;
}

/** Text from Zalo may quote what it was sent; none of the secrets leaves in an error. */
function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}

function fieldsOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => i.path.join('.') || '(root)')
    .join(', ');
}
