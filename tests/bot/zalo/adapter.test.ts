import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, isNull } from 'drizzle-orm';
import type { CookieJar } from 'tough-cookie';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupMessage, type TGroupMessage, ThreadType, UserMessage, ZaloApiError } from 'zca-js';
import { alertAdmins, zaloStoppedAlert } from '../../../bot/adminAlert.js';
import { type Core, createCore } from '../../../bot/app.js';
import { type ChatRef, RateLimitedError, type Reply } from '../../../core/chat.js';
import { fixedClock } from '../../../core/clock.js';
import { silentLogger } from '../../../bot/logger.js';
import { ZaloAdapter } from '../../../bot/zalo/adapter.js';
import { readCredentials, writeCredentials } from '../../../bot/zalo/credentials.js';
import { zaloClient } from '../../../bot/zalo/login.js';
import { SendQueue } from '../../../bot/zalo/sendQueue.js';
import { ZaloSessionSaver } from '../../../bot/zalo/sessionSaver.js';
import { identities, models, units } from '../../../db/schema.js';
import { seedDemo } from '../../../db/seed/demo.js';
import { grantRole } from '../../../db/roles.js';
import { resolveCaller } from '../../../db/people.js';
import { SYSTEM_ACTOR } from '../../../db/audit.js';
import { groupMessageData } from '../../../bench/fakes/zalo/messages.js';
import { FAKE_ZALO_OWN_ID, FakeZaloApi } from '../../helpers/fakeZaloApi.js';

const OWN_ID = FAKE_ZALO_OWN_ID;
const GROUP_ID = '6543210987654321098';
const CHAU = { id: '7234567890123456789', name: 'Lê Minh Châu' };
const OTHER = { id: '7345678901234567890', name: 'Trần Thị Thu' };
const BINH = { id: '7456789012345678901', name: 'Trần Văn Bình' };
const AN = { id: '7567890123456789012', name: 'An 🌸 Phạm' };
const HOA_TELEGRAM = '512345678';
/** "Now" for Zalo's timestamps: 2026-03-10 09:00 in Hà Nội. */
const T0 = Date.UTC(2026, 2, 10, 2, 0, 0);
let msgSeq = 7102345678901234000n;

function messageData(from: { id: string; name: string }, text: string, msgId: string, ts: number): TGroupMessage {
  return groupMessageData(GROUP_ID, from, { content: text, ts }, msgId);
}

function groupMessage(from: { id: string; name: string }, text: string, msgId = String(msgSeq++), ts = T0): GroupMessage {
  return new GroupMessage(OWN_ID, messageData(from, text, msgId, ts));
}

const SECRET = 'zpw_sek_FIRST-4d5e6f';
const credentials = {
  imei: 'imei-1',
  cookie: [{ domain: '.zalo.me', name: 'zpw_sek', value: SECRET, path: '/' }],
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
};

let core: Core | undefined;
let dir: string | undefined;
afterEach(() => {
  core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function setup(options: { fileTimeoutMs?: number } = {}) {
  dir = mkdtempSync(join(tmpdir(), 'dvk-zalo-'));
  const credentialsPath = join(dir, 'zalo.json');
  writeCredentials(credentialsPath, credentials);
  const clock = fixedClock('2026-03-10T09:00:00+07:00');
  const apis: FakeZaloApi[] = [];
  const telegramSent: Array<{ chat: ChatRef; reply: Reply }> = [];
  let adapter: ZaloAdapter | undefined;
  // Zalo goes through the adapter; Telegram is a recorder standing in for its adapter.
  const deliver = async (chat: ChatRef, reply: Reply) => {
    if (chat.platform === 'zalo') return adapter!.send(chat, reply);
    telegramSent.push({ chat, reply });
    return { messageId: String(telegramSent.length) };
  };
  core = await createCore({ dbPath: join(dir, 'dvk.sqlite'), clock, log: silentLogger, flowTtlMinutes: 60, deliver });
  seedDemo(core.database.db, clock.now());
  const db = core.database.db;
  const waits: number[] = [];
  const reconnectWaits: number[] = [];
  const queue = new SendQueue({
    minGapMs: 0,
    backoffMs: [5_000, 30_000],
    fileTimeoutMs: options.fileTimeoutMs ?? 1_000,
    log: silentLogger,
    sleep: async (ms) => void waits.push(ms),
  });
  adapter = new ZaloAdapter({
    // Each login is a new API object with its own listener and a jar parsed from the saved file, as in zca-js.
    login: async () => {
      const parse = zaloClient() as unknown as { parseCookies(cookie: unknown): CookieJar };
      const api = new FakeZaloApi(parse.parseCookies(readCredentials(credentialsPath).cookie));
      apis.push(api);
      return api;
    },
    hooks: core.hooks,
    log: silentLogger,
    queue,
    session: new ZaloSessionSaver(credentialsPath, silentLogger),
    sleep: async (ms) => void reconnectWaits.push(ms),
    now: () => T0,
    // As main.ts wires it: the admins hear about it on Telegram.
    onStopped: async (stop) => void (await alertAdmins({ db, deliver, log: silentLogger }, 'telegram', zaloStoppedAlert(stop))),
  });
  const running = adapter.start(core.dispatcher.handle);
  await settle();

  const grant = (who: { id: string; name: string }, platform: 'zalo' | 'telegram', role: 'officer' | 'leader' | 'admin', unitId: number | null) => {
    const caller = resolveCaller(db, platform, { id: who.id, displayName: who.name }, clock.now());
    db.transaction((tx) => grantRole(tx, { personId: caller.personId, role, unitId }, SYSTEM_ACTOR, clock.now()));
  };
  const camxuyen = db.select().from(units).where(eq(units.shortCode, 'CAMXUYEN')).get()!;
  const province = db.select().from(units).where(isNull(units.parentId)).get()!;
  // Lê Minh Châu's Zalo account is the officer of Xã Cẩm Xuyên; Nguyễn Thị Hoa is an admin on Telegram.
  grant(CHAU, 'zalo', 'officer', camxuyen.id);
  grant({ id: HOA_TELEGRAM, name: 'Nguyễn Thị Hoa' }, 'telegram', 'admin', null);

  const current = () => apis.at(-1)!;
  /** A message arrives on the current connection; resolves when the bot has handled it. */
  const say = async (from: { id: string; name: string }, text: string, msgId?: string, ts?: number) => {
    const api = current();
    const before = api.sent.length;
    api.listener.emit('message', groupMessage(from, text, msgId, ts));
    await adapter!.idle();
    // Report files come from the report thread, after the handler has answered.
    await core!.reports?.idle();
    return api.sent.slice(before);
  };
  return { apis, current, adapter, db, say, waits, reconnectWaits, running, telegramSent, credentialsPath, grant, camxuyen, province };
}

describe('the Zalo adapter', () => {
  it('runs a whole /dangky in a group: answers are the owner’s next messages, choices numbered, others ignored', async () => {
    const { current, db, say } = await setup();
    const [kind] = await say(CHAU, '/dangky');
    expect(kind!.threadId).toBe(GROUP_ID);
    expect(kind!.type).toBe(ThreadType.Group);
    expect(kind!.content.msg).toContain('(1/9) Đăng ký loại nào?');
    expect(kind!.content.msg).toContain('1. Mô hình “Dân vận khéo”');

    // Another member talking in between is not an answer and gets nothing.
    expect(await say(OTHER, '2')).toEqual([]);
    expect(await say(CHAU, '1')).toHaveLength(1);
    for (const answer of ['tập thể', 'kinh tế', 'Tủ sách pháp luật ở thôn', 'Đặt tủ sách ở 12 nhà văn hóa thôn.', 'bỏ qua', '1/3', '30/11', 'Lê Minh Châu']) {
      await say(CHAU, answer);
    }
    const [saved] = await say(CHAU, '1');
    expect(saved!.content.msg).toMatch(/✅ Đã ghi nhận “Tủ sách pháp luật ở thôn” \(Mô hình “Dân vận khéo”\) của Xã Cẩm Xuyên\./);
    const model = db
      .select()
      .from(models)
      .where(and(eq(models.name, 'Tủ sách pháp luật ở thôn')))
      .get();
    expect(model).toMatchObject({ state: 'pending', startDate: '2026-03-01', endDate: '2026-11-30' });
    expect(current().sent.every((s) => s.type === ThreadType.Group)).toBe(true);
  });

  it('two officers registering at once in one group, their answers arriving back to back, each get their own model', async () => {
    const { adapter, current, db, grant } = await setup();
    const cambinh = db.select().from(units).where(eq(units.shortCode, 'CAMBINH')).get()!;
    grant(OTHER, 'zalo', 'officer', cambinh.id);
    /** Both messages reach the adapter before either is handled, as a busy group delivers them. */
    const both = async (chau: string, thu: string) => {
      current().listener.emit('message', groupMessage(CHAU, chau));
      current().listener.emit('message', groupMessage(OTHER, thu));
      await adapter!.idle();
    };
    await both('/dangky', '/dangky');
    // Thu types without diacritics; Châu with them.
    const chau = ['1', 'tập thể', 'kinh tế', 'Tủ sách pháp luật ở thôn', 'Đặt tủ sách ở 12 nhà văn hóa thôn.', 'bỏ qua', '1/3', '30/11', 'Lê Minh Châu', '1'];
    const thu = ['1', 'tap the', 'kinh te', 'Chợ phiên không rác thải', 'Vận động tiểu thương dùng túi giấy.', 'bo qua', '1/4', '31/12', 'Tran Thi Thu', '1'];
    for (let i = 0; i < chau.length; i++) await both(chau[i]!, thu[i]!);
    const saved = db
      .select({ name: models.name, unitId: models.unitId, startDate: models.startDate, endDate: models.endDate })
      .from(models)
      .where(eq(models.state, 'pending'))
      .all();
    expect(saved).toEqual(
      expect.arrayContaining([
        {
          name: 'Tủ sách pháp luật ở thôn',
          unitId: db.select().from(units).where(eq(units.shortCode, 'CAMXUYEN')).get()!.id,
          startDate: '2026-03-01',
          endDate: '2026-11-30',
        },
        { name: 'Chợ phiên không rác thải', unitId: cambinh.id, startDate: '2026-04-01', endDate: '2026-12-31' },
      ]),
    );
    const confirmations = current().sent.filter((m) => m.content.msg.startsWith('✅ Đã ghi nhận'));
    expect(confirmations.map((m) => m.content.msg.split('”')[0])).toEqual([
      '✅ Đã ghi nhận “Tủ sách pháp luật ở thôn',
      '✅ Đã ghi nhận “Chợ phiên không rác thải',
    ]);
  });

  it('the same msgId twice is handled once, and the account’s own messages are ignored', async () => {
    const { current, say } = await setup();
    await say(CHAU, '/lenhthu', '7102345678900000001');
    await say(CHAU, '/lenhthu', '7102345678900000001');
    expect(current().sent).toHaveLength(1);
    await say({ id: OWN_ID, name: 'Bot' }, '/lenhthu');
    expect(current().sent).toHaveLength(1);
  });

  it('a 221 (sending too fast) is waited out and sent; a 114 fails that send without retrying', async () => {
    const { current, say, waits } = await setup();
    current().failures.push(new ZaloApiError('Gửi quá nhanh', 221));
    const [help] = await say(CHAU, '/lenhthu');
    // A one-line answer (an unknown command), so each exchange is exactly one send.
    expect(help!.content.msg).toContain('Bot không có lệnh /lenhthu');
    expect(waits).toEqual([5_000]);
    current().failures.push(new ZaloApiError('Gửi quá nhanh', 221), new ZaloApiError('Gửi quá nhanh', 221));
    expect(await say(CHAU, '/lenhthu')).toHaveLength(1);
    expect(waits).toEqual([5_000, 5_000, 30_000]);
    current().failures.push(new ZaloApiError('Không gửi được', 114));
    const [apology] = await say(CHAU, '/lenhthu');
    expect(apology!.content.msg).toContain('Xin lỗi, bot gặp lỗi');
    expect(waits).toHaveLength(3); // no back-off for 114
    expect(await say(CHAU, '/lenhthu')).toHaveLength(1); // the next message goes through
  });

  it('still “too fast” after every back-off: the send fails with RateLimitedError, for the reminder sender to come back later', async () => {
    const { current, adapter } = await setup();
    current().failures.push(...[1, 2, 3].map(() => new ZaloApiError('Gửi quá nhanh', 221)));
    const error = await adapter.send({ platform: 'zalo', id: GROUP_ID, kind: 'group' }, { text: 'Nhắc hạn' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 600_000 });
    expect(current().sent).toEqual([]);
  });

  it('a private message is answered to the person (ThreadType.User)', async () => {
    const { current, adapter } = await setup();
    const data = { ...groupMessage(CHAU, '/huongdan').data, idTo: OWN_ID };
    current().listener.emit('message', new UserMessage(OWN_ID, data));
    await adapter.idle();
    expect(current().sent[0]).toMatchObject({ threadId: CHAU.id, type: ThreadType.User });
  });

  it('mentions land on the names in the final NFC text (UTF-16 positions), names typed in NFD or with emoji', async () => {
    const { current, db, say, grant, camxuyen, province } = await setup();
    grant(AN, 'zalo', 'officer', camxuyen.id);
    grant(BINH, 'zalo', 'leader', province.id);
    const chauNfd = { id: CHAU.id, name: CHAU.name.normalize('NFD') };
    // Both officers use the bot in the group, so it knows they are there.
    expect(await say(chauNfd, '/toi')).toHaveLength(1);
    expect(await say(AN, '/toi')).toHaveLength(1);
    expect(db.select().from(identities).where(eq(identities.platformUserId, CHAU.id)).get()?.displayName).toBe('Lê Minh Châu');

    // The leader commends Xã Cẩm Xuyên’s recognised model.
    const recognised = db
      .select()
      .from(models)
      .where(and(eq(models.unitId, camxuyen.id), eq(models.state, 'recognised')))
      .get()!;
    await say(BINH, `/bieuduong ${recognised.code}`);
    const [answer] = await say(BINH, 'đồng ý'); // every decision is confirmed first
    const { msg, mentions } = answer!.content;
    expect(msg).toBe(msg.normalize('NFC'));
    expect(msg).toMatch(/^@An 🌸 Phạm, @Lê Minh Châu: ✅/);
    // '@An 🌸 Phạm' is 11 UTF-16 units (the flower is 2), then ', '.
    expect(mentions).toEqual([
      { pos: 0, len: 11, uid: AN.id },
      { pos: 13, len: 13, uid: CHAU.id },
    ]);
    expect(mentions!.map((m) => msg.slice(m.pos, m.pos + m.len))).toEqual(['@An 🌸 Phạm', '@Lê Minh Châu']);
    expect(current().sent.at(-1)!.type).toBe(ThreadType.Group);
  });

  it('a file send that never completes times out; the text before it went, and the queue goes on', async () => {
    const { current, adapter } = await setup({ fileTimeoutMs: 50 });
    current().hangFiles = true;
    const group: ChatRef = { platform: 'zalo', id: GROUP_ID, kind: 'group' };
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    await expect(
      adapter.send(group, {
        text: 'Biểu đồ mô hình theo lĩnh vực',
        files: [{ fileName: 'bieu-do.png', mimeType: 'image/png', data: png, width: 800, height: 600 }],
      }),
    ).rejects.toThrow(/timed out/);
    expect(current().sent.map((s) => s.content.msg)).toEqual(['Biểu đồ mô hình theo lĩnh vực']);
    current().hangFiles = false;
    // Pictures go with their size, as Zalo wants it.
    await adapter.send(group, { text: '', files: [{ fileName: 'bieu-do.png', mimeType: 'image/png', data: png, width: 800, height: 600 }] });
    expect(current().sent.at(-1)!.content.attachments).toEqual([{ data: png, filename: 'bieu-do.png', metadata: { totalSize: 8, width: 800, height: 600 } }]);
    await adapter.send(group, {
      text: '',
      files: [{ fileName: 'bao-cao.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: Buffer.from('PK') }],
    });
    const file = current().sent.at(-1)!;
    expect(file.type).toBe(ThreadType.Group);
    expect(file.content.attachments).toEqual([
      { data: Buffer.from('PK'), filename: 'bao-cao.xlsx', metadata: { totalSize: 2, width: undefined, height: undefined } },
    ]);
  });

  it('/baocao excel sends the workbook as a file in the group; above the account’s file limit it says so instead', async () => {
    const { current, say } = await setup();
    const sent = await say(CHAU, '/baocao excel');
    expect(sent.map((s) => s.content.msg)).toEqual(['📎 Báo cáo “Dân vận khéo” năm 2026 — Xã Cẩm Xuyên: 1 mô hình, 1 đơn vị.', '']);
    const [attachment] = sent[1]!.content.attachments as Array<{ data: Buffer; filename: string; metadata: { totalSize: number } }>;
    expect(attachment!.filename).toBe('bao-cao-dvk-CAMXUYEN-2026.xlsx');
    expect(attachment!.metadata.totalSize).toBe(attachment!.data.length);
    expect(attachment!.data.subarray(0, 2).toString()).toBe('PK');
    // An account allowed only 0.001 MB (about 1 KB): the workbook is larger, so nothing is uploaded.
    current().maxFileMb = 0.001;
    const refused = await say(CHAU, '/baocao excel');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.content.attachments).toBeUndefined();
    expect(refused[0]!.content.msg).toContain('lớn hơn mức');
  });

  it('a 1006 close before Zalo sent its cipher key logs in again and recovers the group and private messages missed meanwhile, each once', async () => {
    const { apis, current, say, reconnectWaits, adapter } = await setup();
    await say(CHAU, '/huongdan', '7102345678900000010', T0 + 60_000);
    // No 'cipher_key' came on this socket: the session may be gone, so the supervisor logs in again
    // (a socket that had come up is reopened on the same session: supervisor.test.ts, fakeZaloConnection.test.ts).
    apis[0]!.listener.emit('closed', 1006, 'Abnormal closure');
    await settle();
    expect(reconnectWaits).toEqual([5_000]);
    expect(apis).toHaveLength(2);
    const api = current();
    expect(api.listener.started).toBe(1);
    // Once the socket is open the adapter asks Zalo for the recent history of groups and private chats.
    expect(api.listener.oldRequests).toEqual([]);
    api.listener.emit('connected');
    expect(api.listener.oldRequests).toEqual([ThreadType.Group, ThreadType.User]);

    const handled = groupMessage(CHAU, '/huongdan', '7102345678900000010', T0 + 60_000);
    // Unknown commands get a one-line answer naming them: easy to tell apart.
    const missed = groupMessage(OTHER, '/lenhthuhai', '7102345678900000011', T0 + 120_000);
    const missedFirst = groupMessage(OTHER, '/lenhthunhat', '7102345678900000012', T0 + 90_000);
    const ancient = groupMessage(OTHER, '/lenhcu', '7102345678900000001', T0 - 3 * 60 * 60_000);
    api.listener.emit('old_messages', [missed, handled, ancient, missedFirst], ThreadType.Group);
    await adapter.idle();
    // Oldest first; the one handled before the drop and the one from hours before are not replayed.
    expect(api.sent.map((s) => s.content.msg)).toEqual([
      'Bot không có lệnh /lenhthunhat. Gõ /huongdan để xem các lệnh bạn dùng được.',
      'Bot không có lệnh /lenhthuhai. Gõ /huongdan để xem các lệnh bạn dùng được.',
    ]);
    // The private history: the missed command is answered to the person; the older one is not replayed.
    const privateMissed = new UserMessage(OWN_ID, { ...messageData(OTHER, '/lenhrieng', '7102345678900000013', T0 + 100_000), idTo: OWN_ID });
    const privateOld = new UserMessage(OWN_ID, { ...messageData(OTHER, '/lenhriengcu', '7102345678900000002', T0 - 3 * 60 * 60_000), idTo: OWN_ID });
    api.listener.emit('old_messages', [privateMissed, privateOld], ThreadType.User);
    await adapter.idle();
    expect(api.sent.slice(2).map((s) => [s.threadId, s.type, s.content.msg])).toEqual([
      [OTHER.id, ThreadType.User, 'Bot không có lệnh /lenhrieng. Gõ /huongdan để xem các lệnh bạn dùng được.'],
    ]);
    // Zalo sending the same history again changes nothing.
    api.listener.emit('old_messages', [missed, missedFirst], ThreadType.Group);
    api.listener.emit('old_messages', [privateMissed], ThreadType.User);
    await adapter.idle();
    expect(api.sent).toHaveLength(3);
    // Live messages flow on the new connection; the old one is no longer listened to.
    apis[0]!.listener.emit('message', groupMessage(CHAU, '/lenhcu'));
    expect(await say(CHAU, '/lenhmoi')).toHaveLength(1);
    expect(apis[0]!.sent.map((s) => s.content.msg).join('\n')).not.toContain('/lenhcu');
  });

  it.each([3000, 3003])('a %i close (the account opened elsewhere) stops for good and tells the admins on Telegram', async (code) => {
    const { apis, running, telegramSent, reconnectWaits } = await setup();
    apis[0]!.listener.emit('closed', code, 'Opened elsewhere');
    await running; // start() returns: the bot no longer uses this account
    expect(apis).toHaveLength(1);
    expect(reconnectWaits).toEqual([]);
    const stop = { reason: 'opened-elsewhere', code, at: new Date(T0) } as const;
    expect(telegramSent).toEqual([{ chat: { platform: 'telegram', id: HOA_TELEGRAM, kind: 'private' }, reply: { text: zaloStoppedAlert(stop) } }]);
    expect(zaloStoppedAlert(stop)).toContain(`mã ${code}, lúc 09:00 10/03/2026`);
  });

  it('a listener error never crashes the process; a close that follows is reconnected', async () => {
    const { apis, reconnectWaits } = await setup();
    apis[0]!.listener.emit('error', new Error('socket hang up'));
    apis[0]!.listener.emit('closed', 1006, '');
    await settle();
    expect(apis).toHaveLength(2);
    expect(reconnectWaits).toEqual([5_000]);
  });

  it('cookies the session refreshed are saved to the credentials file on login, periodically and at stop', async () => {
    const { current, adapter, credentialsPath } = await setup();
    const before = readFileSync(credentialsPath, 'utf8');
    expect(before).toContain(SECRET);
    // Zalo renews the session cookie in an answer (zca-js stores it in its jar).
    current().getCookie().setCookieSync('zpw_sek=zpw_sek_RENEWED-0a1b; Domain=zalo.me; Path=/', 'https://chat.zalo.me');
    adapter.saveSession();
    const after = readFileSync(credentialsPath, 'utf8');
    expect(after).toContain('zpw_sek_RENEWED-0a1b');
    expect(after).not.toContain(SECRET);
    current().getCookie().setCookieSync('zpw_sek=zpw_sek_LAST-2c3d; Domain=zalo.me; Path=/', 'https://chat.zalo.me');
    await adapter.stop();
    expect(readFileSync(credentialsPath, 'utf8')).toContain('zpw_sek_LAST-2c3d');
  });
});
