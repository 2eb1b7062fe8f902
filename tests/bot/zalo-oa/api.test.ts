import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_OAUTH_REFUSAL, FakeZaloOpenApi } from '../../../bench/fakes/zaloOa/openApi.js';
import {
  MAX_FILE_UPLOAD_BYTES,
  MAX_IMAGE_UPLOAD_BYTES,
  refreshAccessToken,
  ZaloOaApi,
  ZaloOaApiError,
  ZaloOaTokenRefused,
  ZaloOaUploadRefused,
} from '../../../bot/zalo-oa/api.js';
import { fixedClock } from '../../../core/clock.js';
import { capturingLogger } from '../../helpers/logs.js';

const GROUP = 'f414c8f76fa586fbdfb4';
const AN = '8756287263669629130';
const BINH = '7967320986128691935';

/** Real signatures: the client refuses content that does not match its name. */
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('fake png body')]);
const JPG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('fake jpeg body')]);
const PDF = Buffer.from('%PDF-1.7\nfake pdf body');
const DOCX = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('fake docx body')]);

let fake: FakeZaloOpenApi;
let clock: ReturnType<typeof fixedClock>;
let api: ZaloOaApi;
let tokenAsked = 0;

beforeEach(async () => {
  clock = fixedClock('2026-03-10T09:00:20+07:00');
  fake = await FakeZaloOpenApi.start({
    clock,
    accessToken: 'access-token-secret-AAAA',
    refreshToken: 'refresh-token-secret-RRRR',
    appSecret: 'app-secret-SSSS',
  });
  fake.addGroup(GROUP, {
    name: 'Dân vận khéo xã Cẩm Thành',
    members: [
      { id: AN, name: 'Nguyễn Văn An' },
      { id: BINH, name: 'Trần Văn Bình' },
    ],
    validThrough: '10/10/2026',
    autoDeleteDate: '10/11/2026',
  });
  tokenAsked = 0;
  api = new ZaloOaApi({
    baseUrl: fake.url,
    oauthUrl: fake.url,
    clock,
    accessToken: async () => {
      tokenAsked++;
      return fake.accessToken;
    },
  });
});

afterEach(async () => {
  await fake.close();
});

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('1:1 customer-service messages and user details (docs/zalo-oa-api.md §8)', () => {
  it('sends {recipient:{user_id}, message:{text}} to /v3.0/oa/message/cs, and an image with no empty caption', async () => {
    fake.addFollower(AN, 'Nguyễn Văn An');
    fake.userSays(AN, 'chào');
    const sent = await api.sendPrivateText(AN, 'Chào anh An');
    const call = fake.calls.at(-1)!;
    expect(call).toMatchObject({ method: 'POST', path: '/v3.0/oa/message/cs', body: { recipient: { user_id: AN }, message: { text: 'Chào anh An' } } });
    expect(call.headers.access_token).toBe('access-token-secret-AAAA');
    expect(sent).toEqual({ messageId: expect.any(String), userId: AN });
    await api.sendPrivateImage(AN, { url: 'https://example.org/anh.jpg' });
    expect(fake.calls.at(-1)!.body).toEqual({
      recipient: { user_id: AN },
      message: {
        attachment: { type: 'template', payload: { template_type: 'media', elements: [{ media_type: 'image', url: 'https://example.org/anh.jpg' }] } },
      },
    });
    expect(fake.sentPrivately.map((s) => s.kind)).toEqual(['text', 'image']);
    expect(fake.sent).toEqual([]);
  });

  it('reads a user detail with data={"user_id":…} in the query, and its date as an ISO date', async () => {
    fake.addFollower(AN, 'Nguyễn Văn An', { lastInteraction: clock.now().getTime() });
    const detail = await api.userDetail(AN);
    expect(fake.calls.at(-1)).toMatchObject({ method: 'GET', path: '/v3.0/oa/user/detail', query: { data: JSON.stringify({ user_id: AN }) } });
    expect(detail).toEqual({ userId: AN, displayName: 'Nguyễn Văn An', isFollower: true, lastInteractionDate: '2026-03-10' });
  });

  it('tells a closed window (-230, -232) from a person refusing the OA (-213, -227, -244)', async () => {
    fake.addFollower(AN, 'Nguyễn Văn An');
    const never = (await caught(api.sendPrivateText(AN, 'x'))) as ZaloOaApiError;
    expect([never.code, never.kind, never.outsideWindow, never.userRefused]).toEqual([-232, 'outsideWindow', true, false]);
    fake.userSays(AN, 'chào');
    clock.advance(7 * 24 * 3600_000 + 1000);
    const late = (await caught(api.sendPrivateText(AN, 'x'))) as ZaloOaApiError;
    expect([late.code, late.outsideWindow]).toEqual([-230, true]);
    for (const code of [-213, -227, -244]) {
      fake.fail('/v3.0/oa/message/cs', code);
      const refused = (await caught(api.sendPrivateText(AN, 'x'))) as ZaloOaApiError;
      expect([refused.code, refused.kind, refused.userRefused, refused.retryable]).toEqual([code, 'userRefused', true, false]);
    }
  });
});

describe('sending to a group', () => {
  it('sends text as {recipient:{group_id}, message:{text}} with the bare access_token header', async () => {
    const sent = await api.sendText(GROUP, 'Chào cả nhóm [@8756287263669629130]');
    const call = fake.calls.at(-1)!;
    expect(call).toMatchObject({ method: 'POST', path: '/v3.0/oa/group/message' });
    expect(call.headers.access_token).toBe('access-token-secret-AAAA');
    expect(call.headers['content-type']).toMatch(/^application\/json/);
    expect(call.body).toEqual({ recipient: { group_id: GROUP }, message: { text: 'Chào cả nhóm [@8756287263669629130]' } });
    expect(fake.sent).toEqual([{ kind: 'text', groupId: GROUP, messageId: sent.messageId, text: 'Chào cả nhóm [@8756287263669629130]' }]);
    expect(sent.groupId).toBe(GROUP);
  });

  it('uploads an image as multipart "file", then sends it as a media template by attachment_id', async () => {
    const { attachmentId } = await api.uploadImage(PNG, 'biểu đồ.png');
    const upload = fake.calls.at(-1)!;
    expect(upload).toMatchObject({ method: 'POST', path: '/v2.0/oa/upload/image' });
    expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload.files).toEqual([{ field: 'file', fileName: 'biểu đồ.png', bytes: PNG }]);

    await api.sendImage(GROUP, { attachmentId }, 'Tiến độ quý I');
    expect(fake.calls.at(-1)!.body).toEqual({
      recipient: { group_id: GROUP },
      message: {
        text: 'Tiến độ quý I',
        attachment: { type: 'template', payload: { template_type: 'media', elements: [{ media_type: 'image', attachment_id: attachmentId }] } },
      },
    });
    const sent = fake.sent.at(-1)!;
    expect(sent.kind === 'image' && sent.upload).toMatchObject({ fileName: 'biểu đồ.png', bytes: PNG });
  });

  it('sends an image by its public url with no upload', async () => {
    await api.sendImage(GROUP, { url: 'https://example.org/anh.jpg' });
    expect(fake.calls.map((c) => c.path)).toEqual(['/v3.0/oa/group/message']);
    expect(fake.calls[0]!.body).toEqual({
      recipient: { group_id: GROUP },
      message: {
        text: '',
        attachment: { type: 'template', payload: { template_type: 'media', elements: [{ media_type: 'image', url: 'https://example.org/anh.jpg' }] } },
      },
    });
    expect(fake.sent).toMatchObject([{ kind: 'image', url: 'https://example.org/anh.jpg', caption: '' }]);
  });

  it('uploads a docx and sends it as {attachment:{type:"file", payload:{token}}}, with no text', async () => {
    const { token } = await api.uploadFile(DOCX, 'Báo cáo quý I.docx');
    expect(fake.calls.at(-1)).toMatchObject({ path: '/v2.0/oa/upload/file', files: [{ field: 'file', fileName: 'Báo cáo quý I.docx', bytes: DOCX }] });
    await api.sendFile(GROUP, token);
    expect(fake.calls.at(-1)!.body).toEqual({ recipient: { group_id: GROUP }, message: { attachment: { type: 'file', payload: { token } } } });
    expect(fake.sent).toMatchObject([{ kind: 'file', groupId: GROUP, upload: { fileName: 'Báo cáo quý I.docx', bytes: DOCX } }]);
  });
});

describe('reading groups', () => {
  it('pages the history newest first, with the query as plain parameters; the fake caps count at 10', async () => {
    for (let i = 1; i <= 12; i++) {
      fake.memberSays(GROUP, i % 2 ? AN : BINH, `tin ${i}`);
      clock.advance(1000);
    }
    const page = await api.conversation(GROUP, 0, 20);
    expect(fake.calls.at(-1)).toMatchObject({ method: 'GET', path: '/v3.0/oa/group/conversation', query: { group_id: GROUP, offset: '0', count: '20' } });
    expect(page).toHaveLength(10);
    expect(page[0]).toMatchObject({ text: 'tin 12', fromId: BINH, fromDisplayName: 'Trần Văn Bình', fromOa: false, type: 'text', groupId: GROUP });
    expect(page[0]!.at.getTime()).toBe(new Date('2026-03-10T09:00:31+07:00').getTime());
    const older = await api.conversation(GROUP, 10, 5);
    expect(older.map((m) => m.text)).toEqual(['tin 2', 'tin 1']);
  });

  it('gives memberSays the webhook event whose msg_id is the history message_id', async () => {
    const event = fake.memberSays(GROUP, AN, 'Xin chào');
    expect(event).toMatchObject({ event_name: 'user_send_group_text', sender: { id: AN }, recipient: { id: GROUP }, message: { text: 'Xin chào' } });
    const [latest] = await api.conversation(GROUP, 0, 1);
    expect(latest!.messageId).toBe((event.message as { msg_id: string }).msg_id);
  });

  it('lists members, the OA among them, ids as strings', async () => {
    const page = await api.members(GROUP, 0, 5);
    expect(fake.calls.at(-1)).toMatchObject({ path: '/v3.0/oa/group/listmember', query: { group_id: GROUP, offset: '0', count: '5' } });
    expect(page).toEqual({
      offset: 0,
      count: 3,
      total: 3,
      items: [
        { kind: 'oa', id: fake.oaId, name: 'Ban Tuyên giáo và Dân vận Tỉnh ủy' },
        { kind: 'user', id: AN, name: 'Nguyễn Văn An' },
        { kind: 'user', id: BINH, name: 'Trần Văn Bình' },
      ],
    });
  });

  it('reads group info with its renewal dates as ISO dates', async () => {
    const info = await api.groupInfo(GROUP);
    expect(fake.calls.at(-1)).toMatchObject({ path: '/v3.0/oa/group/getgroup', query: { group_id: GROUP } });
    expect(info).toMatchObject({
      groupId: GROUP,
      name: 'Dân vận khéo xã Cẩm Thành',
      status: 'enabled',
      maxMembers: 100,
      validThrough: '2026-10-10',
      autoDeleteDate: '2026-11-10',
      autoRenew: true,
      assetType: 'gmf100',
    });
  });

  it("lists the OA's groups", async () => {
    fake.addGroup('48382b0bb7595e070748', { name: 'Dân vận khéo xã Cẩm Xuyên' });
    const page = await api.groupsOfOa(0, 5);
    expect(fake.calls.at(-1)).toMatchObject({ path: '/v3.0/oa/group/getgroupsofoa', query: { offset: '0', count: '5' } });
    expect(page.total).toBe(2);
    expect(page.items.map((g) => [g.groupId, g.name, g.status])).toEqual([
      [GROUP, 'Dân vận khéo xã Cẩm Thành', 'enabled'],
      ['48382b0bb7595e070748', 'Dân vận khéo xã Cẩm Xuyên', 'enabled'],
    ]);
  });
});

describe('errors', () => {
  it.each([
    [-32, 'rate'],
    [-216, 'tokenExpired'],
    [-220, 'tokenExpired'],
    [-124, 'tokenExpired'],
    [-221, 'oaRefused'],
    [-224, 'oaRefused'],
    [-223, 'oaRefused'],
    [-237, 'groupGone'],
    [-403, 'groupGone'],
    [-201, 'other'],
  ] as const)('maps error %i (HTTP 200) to %s', async (code, kind) => {
    fake.fail('/v3.0/oa/group/message', code);
    const error = (await caught(api.sendText(GROUP, 'một'))) as ZaloOaApiError;
    expect(error).toBeInstanceOf(ZaloOaApiError);
    expect({ code: error.code, kind: error.kind, endpoint: error.endpoint }).toEqual({ code, kind, endpoint: '/v3.0/oa/group/message' });
    expect([error.tokenExpired, error.oaRefused, error.groupGone]).toEqual([kind === 'tokenExpired', kind === 'oaRefused', kind === 'groupGone']);
    expect(error.retryable).toBe(kind === 'rate');
    // Scripted once: the next call goes through.
    await expect(api.sendText(GROUP, 'hai')).resolves.toMatchObject({ groupId: GROUP });
  });

  it('waits until the next minute after -32 (the clock says 09:00:20, so 40 s and a margin)', async () => {
    fake.fail('/v3.0/oa/group/conversation', -32);
    const error = (await caught(api.conversation(GROUP, 0, 5))) as ZaloOaApiError;
    expect(error.retryAfterMs).toBe(41_000);
  });

  it('meets the errors the fake raises by itself: unknown token, expired token, disabled group, a group not the OA’s, the limit', async () => {
    const stale = new ZaloOaApi({ baseUrl: fake.url, accessToken: async () => 'not-the-token' });
    expect(await caught(stale.sendText(GROUP, 'x'))).toMatchObject({ code: -216, kind: 'tokenExpired' });
    fake.expireAccessToken();
    expect(await caught(api.sendText(GROUP, 'x'))).toMatchObject({ code: -220, kind: 'tokenExpired' });
    await api.refreshAccessToken({ appId: fake.appId, appSecret: fake.appSecret, refreshToken: fake.refreshToken });
    fake.addGroup('0000000000000000dead', { status: 'disabled' });
    expect(await caught(api.sendText('0000000000000000dead', 'x'))).toMatchObject({ code: -237, kind: 'groupGone' });
    expect(await caught(api.sendText('ffffffffffffffffffff', 'x'))).toMatchObject({ code: -403, kind: 'groupGone' });

    const small = await FakeZaloOpenApi.start({ ratePerMinute: 2, clock });
    try {
      small.addGroup(GROUP);
      const client = new ZaloOaApi({ baseUrl: small.url, accessToken: async () => small.accessToken, clock });
      await client.groupInfo(GROUP);
      await client.groupInfo(GROUP);
      expect(await caught(client.groupInfo(GROUP))).toMatchObject({ code: -32, kind: 'rate', retryable: true });
      clock.advance(60_000);
      await expect(client.groupInfo(GROUP)).resolves.toMatchObject({ groupId: GROUP });
    } finally {
      await small.close();
    }
  });

  it('reads a 404 page (no Zalo body) as an error with the HTTP status, not as success', async () => {
    const wrong = new ZaloOaApi({ baseUrl: `${fake.url}/nowhere`, accessToken: async () => fake.accessToken });
    expect(await caught(wrong.groupsOfOa(0, 5))).toMatchObject({ code: 404, kind: 'other', retryable: false });
  });
});

describe('rate headers', () => {
  it('exposes the last X-RateLimit-Limit and X-RateLimit-Remain, also from an error answer', async () => {
    expect(api.rateLimit).toBeUndefined();
    await api.groupInfo(GROUP);
    expect(api.rateLimit).toEqual({ limit: 100, remain: 99 });
    await api.members(GROUP, 0, 5);
    expect(api.rateLimit).toEqual({ limit: 100, remain: 98 });
    fake.fail('/v3.0/oa/group/message', -224);
    await caught(api.sendText(GROUP, 'x'));
    expect(api.rateLimit).toEqual({ limit: 100, remain: 97 });
  });
});

describe('refreshing the access token', () => {
  it('posts a form with secret_key and grant_type=refresh_token, and returns the new pair the fake then accepts', async () => {
    const pair = await refreshAccessToken(
      { appId: fake.appId, appSecret: 'app-secret-SSSS', refreshToken: 'refresh-token-secret-RRRR' },
      { oauthUrl: fake.url },
    );
    const call = fake.calls.at(-1)!;
    expect(call).toMatchObject({ method: 'POST', path: '/v4/oa/access_token' });
    expect(call.headers.secret_key).toBe('app-secret-SSSS');
    expect(call.headers.access_token).toBeUndefined();
    expect(call.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(call.body).toEqual({ refresh_token: 'refresh-token-secret-RRRR', app_id: fake.appId, grant_type: 'refresh_token' });
    expect(pair).toEqual({ accessToken: fake.accessToken, refreshToken: fake.refreshToken, expiresInSeconds: 90_000 });
    expect(pair.refreshToken).not.toBe('refresh-token-secret-RRRR');
    await expect(api.sendText(GROUP, 'sau khi làm mới')).resolves.toMatchObject({ groupId: GROUP });
    expect(fake.calls.at(-1)!.headers.access_token).toBe(pair.accessToken);
  });

  it('refuses a reused refresh token (an error body with HTTP 200, no tokens) as ZaloOaTokenRefused', async () => {
    const credentials = { appId: fake.appId, appSecret: 'app-secret-SSSS', refreshToken: 'refresh-token-secret-RRRR' };
    await api.refreshAccessToken(credentials);
    const error = (await caught(api.refreshAccessToken(credentials))) as ZaloOaTokenRefused;
    expect(error).toBeInstanceOf(ZaloOaTokenRefused);
    expect(error).toMatchObject({ code: FAKE_OAUTH_REFUSAL, httpStatus: 200 });
    expect(fake.refreshes).toBe(1);
  });

  it('refuses any answer lacking either token, whatever its code, even error 0', async () => {
    const credentials = { appId: fake.appId, appSecret: 'app-secret-SSSS', refreshToken: 'refresh-token-secret-RRRR' };
    fake.fail('/v4/oa/access_token', 0, { message: 'Success' });
    expect(await caught(api.refreshAccessToken(credentials))).toBeInstanceOf(ZaloOaTokenRefused);
    const onlyAccess: typeof fetch = async () => new Response(JSON.stringify({ access_token: 'new-access', expires_in: '90000' }));
    expect(await caught(refreshAccessToken(credentials, { fetch: onlyAccess }))).toBeInstanceOf(ZaloOaTokenRefused);
    const gateway: typeof fetch = async () => new Response('<html>502 Bad Gateway</html>', { status: 502 });
    expect(await caught(refreshAccessToken(credentials, { fetch: gateway }))).toMatchObject({ name: 'ZaloOaTokenRefused', httpStatus: 502 });
  });
});

describe('secrets', () => {
  it('keeps the access token, app secret and refresh token out of error messages, stacks and log lines', async () => {
    const secrets = ['access-token-secret-AAAA', 'app-secret-SSSS', 'refresh-token-secret-RRRR'];
    const errors: unknown[] = [];
    // Zalo's text quoting what it was sent must not carry the secrets along.
    fake.fail('/v3.0/oa/group/message', -216, { message: 'Access token access-token-secret-AAAA is invalid' });
    errors.push(await caught(api.sendText(GROUP, 'x')));
    fake.fail('/v3.0/oa/group/getgroup', -224);
    errors.push(await caught(api.groupInfo(GROUP)));
    fake.fail('/v4/oa/access_token', -14014, { message: 'refresh_token refresh-token-secret-RRRR with secret app-secret-SSSS is invalid' });
    errors.push(await caught(api.refreshAccessToken({ appId: fake.appId, appSecret: 'app-secret-SSSS', refreshToken: 'refresh-token-secret-RRRR' })));
    const wrongApp = await caught(api.refreshAccessToken({ appId: 'other-app', appSecret: 'app-secret-SSSS', refreshToken: 'refresh-token-secret-RRRR' }));
    errors.push(wrongApp);

    const { log, lines } = capturingLogger();
    for (const error of errors) log.error({ err: error }, 'zalo-oa: call failed');
    const written = JSON.stringify(lines) + errors.map((e) => `${(e as Error).message}\n${(e as Error).stack}\n${JSON.stringify(e)}`).join('\n');
    expect(errors.map((e) => (e as Error).name)).toEqual(['ZaloOaApiError', 'ZaloOaApiError', 'ZaloOaTokenRefused', 'ZaloOaTokenRefused']);
    expect(written).toContain('[redacted]');
    for (const secret of secrets) expect(written).not.toContain(secret);
  });
});

describe('uploads refused before any request', () => {
  it.each([
    ['uploadImage', 'bang-tinh.xlsx', 'type', PNG],
    ['uploadImage', 'anh.gif', 'type', PNG],
    ['uploadImage', 'anh.png', 'type', PDF],
    ['uploadImage', 'anh.jpg', 'empty', Buffer.alloc(0)],
    ['uploadImage', 'anh.jpg', 'size', Buffer.concat([JPG, Buffer.alloc(MAX_IMAGE_UPLOAD_BYTES + 1 - JPG.length)])],
    ['uploadFile', 'bang-tinh.xlsx', 'type', DOCX],
    ['uploadFile', 'bao-cao.pdf', 'type', DOCX],
    ['uploadFile', 'bao-cao.pdf', 'size', Buffer.concat([PDF, Buffer.alloc(MAX_FILE_UPLOAD_BYTES + 1 - PDF.length)])],
  ] as const)('%s refuses %s (%s)', async (method, name, reason, bytes) => {
    const error = await caught(api[method](bytes, name));
    expect(error).toBeInstanceOf(ZaloOaUploadRefused);
    expect(error).toMatchObject({ reason, fileName: name });
    expect(fake.calls).toEqual([]);
    expect(tokenAsked).toBe(0);
  });

  it('takes files at exactly the limits, and jpeg, png, pdf and doc by their signatures', async () => {
    await expect(api.uploadImage(Buffer.concat([JPG, Buffer.alloc(MAX_IMAGE_UPLOAD_BYTES - JPG.length)]), 'ANH.JPEG')).resolves.toHaveProperty('attachmentId');
    await expect(api.uploadImage(PNG, 'a.png')).resolves.toHaveProperty('attachmentId');
    await expect(api.uploadFile(Buffer.concat([PDF, Buffer.alloc(MAX_FILE_UPLOAD_BYTES - PDF.length)]), 'bao-cao.pdf')).resolves.toHaveProperty('token');
    await expect(api.uploadFile(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'cu.doc')).resolves.toHaveProperty('token');
    expect(fake.uploads.map((u) => [u.kind, u.fileName])).toEqual([
      ['image', 'ANH.JPEG'],
      ['image', 'a.png'],
      ['file', 'bao-cao.pdf'],
      ['file', 'cu.doc'],
    ]);
  });
});
