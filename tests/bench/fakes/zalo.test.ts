import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type API, GroupMessage, ThreadType, UserMessage, Zalo, ZaloApiError } from 'zca-js';
import { zaloClient } from '../../../bot/zalo/login.js';
import { FakeZalo, type FakeZaloOptions } from '../../../bench/fakes/zalo/index.js';

/**
 * The fake Zalo network against zca-js 2.2.0's real code: what zca-js sends is read back as Zalo
 * would read it, and what the fake pushes reaches zca-js's events as Zalo's pushes would.
 */

const GROUP = '6543210987654321098';
const CHAU = { id: '7234567890123456789', name: 'Lê Minh Châu' };
const THU = { id: '7345678901234567890', name: 'Trần Thị Thu' };

let zalo: FakeZalo | undefined;
let api: API | undefined;

beforeEach(() => {
  // zca-js falls back to the global fetch when no polyfill is given: that must never reach out.
  vi.stubGlobal('fetch', () => Promise.reject(new Error('tests never use the network')));
});

afterEach(async () => {
  api?.listener.stop();
  api = undefined;
  await zalo?.stop();
  zalo = undefined;
  vi.unstubAllGlobals();
});

async function login(options: FakeZaloOptions = {}): Promise<{ zalo: FakeZalo; api: API }> {
  zalo = await FakeZalo.start(options);
  api = await zaloClient({ polyfill: zalo.fetch }).login(zalo.credentials);
  return { zalo, api };
}

/** Logs in and opens the socket; resolves once zca-js has the cipher key. */
async function listening(options: FakeZaloOptions = {}): Promise<{ zalo: FakeZalo; api: API }> {
  const session = await login(options);
  const keyed = once(session.api.listener, 'cipher_key');
  session.api.listener.start({ retryOnClose: false });
  await keyed;
  return session;
}

function contextOf(a: API): { uploadCallbacks: Map<string, unknown>; settings: { features: { sharefile: { max_size_share_file_v3: number } } } } {
  return a.getContext() as unknown as ReturnType<typeof contextOf>;
}

/** Resolves with the first `count` events zca-js's listener emits under `event`. */
function collect<T>(a: API, event: 'message' | 'group_event', count: number, timeoutMs = 5_000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const got: T[] = [];
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${count} "${event}" events`)), timeoutMs);
    const listener = (value: T) => {
      got.push(value);
      if (got.length < count) return;
      clearTimeout(timer);
      a.listener.off(event, listener as never);
      resolve(got);
    };
    a.listener.on(event, listener as never);
  });
}

/**
 * Lets zca-js finish the promise steps it runs after an HTTP answer — microtasks and a macrotask
 * hop, no I/O — checking `probe` at each event-loop turn (bounded).
 */
async function untilTrue(probe: () => boolean, turns = 1_000): Promise<boolean> {
  for (let i = 0; i < turns && !probe(); i++) await new Promise<void>((resolve) => setImmediate(resolve));
  return probe();
}

describe('login through the fake', () => {
  it('zca-js logs in from the saved credentials, with nothing but the two login calls', async () => {
    const { zalo, api } = await login({ maxFileMb: 25 });
    expect(api.getOwnId()).toBe(zalo.ownId);
    expect(zalo.logins).toBe(1);
    // The fake read the encrypted params: the imei, and the saved cookie presented.
    expect(zalo.loginAttempts).toEqual([
      { attempt: 1, session: 1, imei: zalo.credentials.imei, userAgent: zalo.credentials.userAgent, cookie: `zpw_sek=${zalo.credentials.cookie[0]!.value}` },
    ]);
    // The server settings reached zca-js (the adapter reads the file limit there).
    expect(contextOf(api).settings.features.sharefile.max_size_share_file_v3).toBe(25);
    // No update check (it would go to the npm registry through the same fetch), no other call.
    expect(zalo.unknownRequests).toEqual([]);
    expect(zalo.protocolErrors).toEqual([]);
  });

  it('a refused login fails as Zalo refused a stale cookie (zca-js #315), and a wrong cookie is refused too', async () => {
    zalo = await FakeZalo.start();
    zalo.refuseLogin();
    const refused = await zaloClient({ polyfill: zalo.fetch })
      .login(zalo.credentials)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ZaloApiError);
    expect((refused as Error).message).toBe('Failed to fetch server info: zpw_sek bị thiếu hoặc không đúng');
    zalo.acceptLogin();
    const stale = { ...zalo.credentials, cookie: [{ ...zalo.credentials.cookie[0]!, value: 'an-old-session' }] };
    await expect(zaloClient({ polyfill: zalo.fetch }).login(stale)).rejects.toThrow(/zpw_sek/);
    expect(zalo.loginAttempts).toHaveLength(2);
    expect(zalo.logins).toBe(0);
    api = await zaloClient({ polyfill: zalo.fetch }).login(zalo.credentials);
    expect(zalo.logins).toBe(1);
  });

  it('the bot’s client keeps update checks off even when given a polyfill', async () => {
    zalo = await FakeZalo.start();
    // checkUpdate on: zca-js asks the npm registry through the polyfill, which the fake refuses.
    api = await new Zalo({ polyfill: zalo.fetch, logging: false }).login(zalo.credentials);
    expect(zalo.unknownRequests).toEqual(['GET https://registry.npmjs.org/zca-js']);
    api = await zaloClient({ polyfill: zalo.fetch }).login(zalo.credentials);
    expect(zalo.unknownRequests).toHaveLength(1);
  });
});

describe('the socket', () => {
  it('zca-js connects to the login answer’s ws://127.0.0.1 URL with the session cookie and gets its cipher key', async () => {
    const { zalo } = await listening();
    const [connection] = zalo.connections;
    expect(connection!.url.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(connection!.url.searchParams.get('zpw_ver')).toBe('685');
    expect(connection!.cookie).toContain(`zpw_sek=${zalo.credentials.cookie[0]!.value}`);
    expect(connection!.userAgent).toBe(zalo.credentials.userAgent);
  });

  it('zca-js pings (cmd 2) at the settings’ ping_interval once it has the key; the fake reads them', async () => {
    const { zalo } = await listening({ pingIntervalMs: 10 });
    const [connection] = zalo.connections;
    await expect(zalo.until(() => connection!.pings >= 2, 'two pings')).resolves.toBe(true);
  });

  it('delivers group texts, mentions and private messages as zca-js’s GroupMessage / UserMessage', async () => {
    const { zalo, api } = await listening();
    let next = once(api.listener, 'message');
    const sent = await zalo.deliverText(GROUP, CHAU, '/huongdan');
    const [text] = (await next) as [GroupMessage];
    expect(text).toBeInstanceOf(GroupMessage);
    expect(text.threadId).toBe(GROUP);
    expect(text.data).toMatchObject({ msgId: sent.msgId, uidFrom: CHAU.id, dName: CHAU.name, content: '/huongdan', msgType: 'webchat' });

    next = once(api.listener, 'message');
    await zalo.deliverFixture('mention');
    const [mention] = (await next) as [GroupMessage];
    expect(mention.data.mentions).toEqual([
      { uid: '-1', pos: 0, len: 4, type: 1 },
      { uid: THU.id, pos: 28, len: 13, type: 0 },
    ]);
    const content = mention.data.content as string;
    expect(content.slice(28, 28 + 13)).toBe('@Trần Thị Thu');

    next = once(api.listener, 'message');
    await zalo.deliverPrivateText(CHAU, '/toi');
    const [direct] = (await next) as [UserMessage];
    expect(direct).toBeInstanceOf(UserMessage);
    // zca-js turns Zalo's "0" (the account) into its own uid; the thread is the sender.
    expect(direct.threadId).toBe(CHAU.id);
    expect(direct.data.idTo).toBe(zalo.ownId);
  });

  it('every recorded shape decodes in zca-js as the fixture says', async () => {
    const { zalo, api } = await listening();
    const names = ['text', 'mention', 'photo', 'file', 'link', 'sticker', 'voice', 'video', 'gif'];
    const arrived = collect<GroupMessage>(api, 'message', names.length);
    for (const name of names) await zalo.deliverFixture(name);
    const got = await arrived;
    expect(got.map((m) => m.data.msgType).sort()).toEqual([
      'chat.gif',
      'chat.photo',
      'chat.recommended',
      'chat.sticker',
      'chat.video.msg',
      'chat.voice',
      'share.file',
      'webchat',
      'webchat',
    ]);
    const link = got.find((m) => m.data.msgType === 'chat.recommended')!;
    expect(link.data.content).toMatchObject({ href: 'https://dvk.example/tin-tuc/tu-sach-phap-luat', action: 'recommened.link' });
  });

  it('group events reach zca-js’s group_event — the bot’s own removal too, marked isSelf (the bot’s client listens to itself)', async () => {
    const { zalo, api } = await listening();
    const arrived = collect<{ type: string; threadId: string; isSelf: boolean }>(api, 'group_event', 4);
    // One push: zca-js walks its controls in order.
    await zalo.deliverGroupEvents(
      ['group-event-remove-bot', 'group-event-join', 'group-event-leave', 'group-event-remove-member'].map((n) => zalo.groupEventFixture(n)),
    );
    const events = await arrived;
    expect(events.map((e) => [e.type, e.threadId, e.isSelf])).toEqual([
      ['remove_member', GROUP, true],
      ['join', GROUP, false],
      ['leave', GROUP, false],
      ['remove_member', GROUP, false],
    ]);
  });

  it('with selfListen off (zca-js’s default), zca-js drops the event naming the account itself', async () => {
    zalo = await FakeZalo.start();
    api = await new Zalo({ polyfill: zalo.fetch, checkUpdate: false, selfListen: false, logging: false }).login(zalo.credentials);
    const keyed = once(api.listener, 'cipher_key');
    api.listener.start({ retryOnClose: false });
    await keyed;
    const arrived = collect<{ type: string; isSelf: boolean }>(api, 'group_event', 1);
    await zalo.deliverGroupEvents(['group-event-remove-bot', 'group-event-join'].map((n) => zalo!.groupEventFixture(n)));
    expect((await arrived).map((e) => [e.type, e.isSelf])).toEqual([['join', false]]);
  });

  it('old messages: zca-js’s request is recorded and the fake’s batch comes back as "old_messages"', async () => {
    const { zalo, api } = await listening();
    // Held: the fake would otherwise answer from its (empty) history at once.
    zalo.holdOldMessages();
    api.listener.requestOldMessages(ThreadType.Group);
    const [request] = await zalo.until(() => (zalo.oldMessagesRequests.length > 0 ? zalo.oldMessagesRequests : undefined), 'old-messages request');
    expect(request).toMatchObject({ connection: 1, threadType: 'group', lastId: null, body: { first: true, lastId: null, preIds: [], req_id: 'req_0' } });
    const batch = once(api.listener, 'old_messages');
    await zalo.answerOldMessages('group', [zalo.groupMessage(GROUP, CHAU, 'tin một'), zalo.groupMessage(GROUP, THU, 'tin hai')]);
    const [messages, type] = (await batch) as [GroupMessage[], ThreadType];
    expect(type).toBe(ThreadType.Group);
    expect(messages.map((m) => m.data.content)).toEqual(['tin một', 'tin hai']);
    expect(messages.every((m) => m instanceof GroupMessage)).toBe(true);

    api.listener.requestOldMessages(ThreadType.User, '7102345678900000001');
    await zalo.until(() => zalo.oldMessagesRequests[1], 'second request');
    expect(zalo.oldMessagesRequests[1]).toMatchObject({ threadType: 'user', lastId: '7102345678900000001' });
    const privateBatch = once(api.listener, 'old_messages');
    await zalo.answerOldMessages('user', [zalo.userMessage(CHAU, 'tin riêng')]);
    const [direct, directType] = (await privateBatch) as [UserMessage[], ThreadType];
    expect(directType).toBe(ThreadType.User);
    expect(direct[0]!.threadId).toBe(CHAU.id);
  });

  it('old messages: the fake answers each request from the history it keeps, pages of N older than lastId, newest first', async () => {
    const { zalo, api } = await listening({ oldMessagesPageSize: 2 });
    const base = Date.now() - 60 * 60_000;
    const kept = zalo.keepHistory(
      'group',
      [1, 2, 3, 4, 5].map((i) => zalo.groupMessage(GROUP, CHAU, `tin ${i}`, { ts: base + i * 60_000 })),
    );
    zalo.keepHistory('user', [zalo.userMessage(THU, 'tin riêng', { ts: base })]);
    const page = async (type: ThreadType, lastId?: string) => {
      const answer = once(api.listener, 'old_messages');
      api.listener.requestOldMessages(type, lastId ?? null);
      const [messages, answeredType] = (await answer) as [Array<GroupMessage | UserMessage>, ThreadType];
      expect(answeredType).toBe(type);
      return messages.map((m) => String(m.data.content));
    };
    expect(await page(ThreadType.Group)).toEqual(['tin 5', 'tin 4']);
    expect(await page(ThreadType.Group, kept[3]!.msgId)).toEqual(['tin 3', 'tin 2']);
    expect(await page(ThreadType.Group, kept[1]!.msgId)).toEqual(['tin 1']);
    expect(await page(ThreadType.Group, kept[0]!.msgId)).toEqual([]);
    expect(await page(ThreadType.User)).toEqual(['tin riêng']);
    expect(zalo.oldMessagesRequests.map((r) => [r.threadType, r.lastId, r.answered?.length])).toEqual([
      ['group', null, 2],
      ['group', kept[3]!.msgId, 2],
      ['group', kept[1]!.msgId, 1],
      ['group', kept[0]!.msgId, 0],
      ['user', null, 1],
    ]);
  });

  it.each([
    ['drop()', 1006, (z: FakeZalo) => z.drop()],
    ['close(3003)', 3003, (z: FakeZalo) => z.close(3003)],
    ['kickElsewhere(): the cmd-3000 frame, and zca-js closes with 3000', 3000, (z: FakeZalo) => z.kickElsewhere()],
  ] as const)('%s → zca-js emits "closed" with %i', async (_name, code, end) => {
    const { zalo, api } = await listening();
    const closed = once(api.listener, 'closed');
    const connection = await end(zalo);
    const [seen] = (await closed) as [number];
    expect(seen).toBe(code);
    expect((await zalo.ended(connection)).code).toBe(code);
  });

  it('kickElsewhere({ echo: false }): zca-js handles the 3000 frame and closes with 3000, but, unanswered, sees 1006', async () => {
    const { zalo, api } = await listening();
    const closed = once(api.listener, 'closed');
    const connection = await zalo.kickElsewhere({ echo: false });
    const [seen] = (await closed) as [number];
    expect(seen).toBe(1006);
    expect(connection.unansweredCloseCode).toBe(3000);
  });
});

describe('sending through the fake', () => {
  it('texts, mentions and quotes to a group, and a text to a person, are read back decrypted', async () => {
    const { zalo, api } = await login();
    const plain = await api.sendMessage({ msg: 'Chào cả nhóm' }, GROUP, ThreadType.Group);
    await api.sendMessage({ msg: '@Lê Minh Châu: ✅ đã duyệt', mentions: [{ pos: 0, len: 13, uid: CHAU.id }] }, GROUP, ThreadType.Group);
    const quoted = new GroupMessage(zalo.ownId, zalo.groupMessage(GROUP, CHAU, '/capnhat') as never);
    await api.sendMessage({ msg: 'Mô hình nào?', quote: quoted.data }, GROUP, ThreadType.Group);
    await api.sendMessage('Mã của bạn: ABCD-EFGH', CHAU.id, ThreadType.User);

    expect(plain).toEqual({ message: { msgId: zalo.sent[0]!.msgId }, attachment: [] });
    expect(zalo.sent.map((s) => [s.kind, s.threadType, s.threadId, s.text, s.session])).toEqual([
      ['sendmsg', 'group', GROUP, 'Chào cả nhóm', 1],
      ['mention', 'group', GROUP, '@Lê Minh Châu: ✅ đã duyệt', 1],
      ['quote', 'group', GROUP, 'Mô hình nào?', 1],
      ['sms', 'user', CHAU.id, 'Mã của bạn: ABCD-EFGH', 1],
    ]);
    expect(zalo.sent[1]!.mentions).toEqual([{ pos: 0, len: 13, uid: CHAU.id, type: 0 }]);
    expect(zalo.sent[2]!.params).toMatchObject({ qmsgOwner: CHAU.id, qmsg: '/capnhat', grid: GROUP });
    expect(zalo.sent[3]!.params).toMatchObject({ toid: CHAU.id, imei: zalo.credentials.imei });
    expect(zalo.textsTo(GROUP)).toHaveLength(3);
  });

  it('a refused send throws ZaloApiError with Zalo’s code', async () => {
    const { zalo, api } = await login();
    zalo.failNextSend(221, 'Gửi quá nhanh');
    const error = await api.sendMessage({ msg: 'một' }, GROUP, ThreadType.Group).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZaloApiError);
    expect(error).toMatchObject({ code: 221, message: 'Gửi quá nhanh' });
    expect(zalo.rejected.map((r) => [r.text, r.code])).toEqual([['một', 221]]);
    await api.sendMessage({ msg: 'hai' }, GROUP, ThreadType.Group);
    expect(zalo.textsTo(GROUP)).toEqual(['hai']);
  });

  it('sessions are told apart: a send through an older login is recorded with that login’s number', async () => {
    const { zalo, api: first } = await login();
    const second = await zaloClient({ polyfill: zalo.fetch }).login(zalo.credentials);
    await second.sendMessage({ msg: 'mới' }, GROUP, ThreadType.Group);
    await first.sendMessage({ msg: 'cũ' }, GROUP, ThreadType.Group);
    expect(zalo.sent.map((s) => [s.text, s.session])).toEqual([
      ['mới', 2],
      ['cũ', 1],
    ]);
  });
});

describe('uploads and file_done', () => {
  const xlsx = Buffer.from('PK\u0003\u0004 bao cao quy 1');
  const attachment = { data: xlsx, filename: 'bao-cao.xlsx' as const, metadata: { totalSize: xlsx.length } };

  it('file_done after the HTTP answer (what zca-js expects): the file is uploaded, then sent as a file message', async () => {
    const { zalo, api } = await listening({ chunkSizeBytes: 8 });
    const result = await api.sendMessage({ msg: '', attachments: [attachment] }, GROUP, ThreadType.Group);
    const [upload] = zalo.uploads;
    // Three chunks of at most 8 bytes, put back together by chunkId.
    expect(upload).toMatchObject({ kind: 'others', fileName: 'bao-cao.xlsx', totalChunk: 3, chunksReceived: 3, fileDone: 'after', fileDoneSent: true });
    expect(upload!.data.equals(xlsx)).toBe(true);
    const [file] = zalo.sent;
    expect(file).toMatchObject({ kind: 'file', threadId: GROUP, text: 'bao-cao.xlsx', params: { fileId: upload!.fileId, fileUrl: upload!.fileUrl } });
    expect(result).toEqual({ message: null, attachment: [{ msgId: file!.msgId }] });
  });

  it('an image needs no file_done: its upload answer is enough', async () => {
    const { zalo, api } = await login();
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    await api.sendMessage(
      { msg: 'Biểu đồ', attachments: [{ data: png, filename: 'bieu-do.png', metadata: { totalSize: 8, width: 800, height: 600 } }] },
      GROUP,
      ThreadType.Group,
    );
    expect(zalo.uploads[0]).toMatchObject({ kind: 'image', photoId: expect.any(String) });
    // A picture takes its text as a caption: one message.
    expect(zalo.sent.map((s) => [s.kind, s.text])).toEqual([['photo', 'Biểu đồ']]);
  });

  it('file_done before the HTTP answer: zca-js handles it with no callback yet, and the send hangs', async () => {
    const { zalo, api } = await listening();
    zalo.fileDone('before');
    const handled = once(api.listener, 'upload_attachment');
    let settled = false;
    const sending = api.sendMessage({ msg: '', attachments: [attachment] }, GROUP, ThreadType.Group).finally(() => (settled = true));
    const [{ fileId }] = (await handled) as [{ fileId: string }];
    const upload = await zalo.until(() => (zalo.uploads[0]?.fileId ? zalo.uploads[0] : undefined), 'upload answer');
    expect(fileId).toBe(upload.fileId);
    // After the answer zca-js registers its callback for that fileId — and waits for a file_done already gone.
    expect(await untilTrue(() => contextOf(api).uploadCallbacks.has(upload.fileId!))).toBe(true);
    expect(settled).toBe(false);
    expect(zalo.sent).toEqual([]);
    // Only another file_done (Zalo sends none) would free it.
    await zalo.releaseFileDone(upload);
    await sending;
    expect(zalo.sent.map((s) => s.kind)).toEqual(['file']);
  });

  it('file_done never sent: the send waits (zca-js has no timeout); file_done with no socket open is kept aside', async () => {
    const { zalo, api } = await listening();
    zalo.fileDone('never');
    let settled = false;
    const sending = api.sendMessage({ msg: '', attachments: [attachment] }, GROUP, ThreadType.Group).finally(() => (settled = true));
    const upload = await zalo.until(() => (zalo.uploads[0]?.fileId ? zalo.uploads[0] : undefined), 'upload answer');
    expect(await untilTrue(() => contextOf(api).uploadCallbacks.has(upload.fileId!))).toBe(true);
    expect(settled).toBe(false);
    await zalo.releaseFileDone(upload);
    await sending;

    // An upload answered while the socket is down: its file_done has nowhere to go.
    zalo.fileDone('after');
    const closed = once(api.listener, 'closed');
    await zalo.drop();
    await closed;
    void api.sendMessage({ msg: '', attachments: [attachment] }, GROUP, ThreadType.Group);
    await zalo.until(() => zalo.undeliveredFileDone.length === 1, 'undelivered file_done');
    expect(zalo.uploads[1]).toMatchObject({ fileDone: 'after', fileDoneSent: false });
  });
});
