import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupMessage, type MessageContent, type TGroupMessage, ThreadType, UserMessage, ZaloApiError } from 'zca-js';
import { type Core, createCore } from '../../../bot/app.js';
import { fixedClock } from '../../../bot/clock.js';
import { silentLogger } from '../../../bot/logger.js';
import { ZaloAdapter, type ZaloApiLike } from '../../../bot/zalo/adapter.js';
import { SendQueue } from '../../../bot/zalo/sendQueue.js';
import { models, units } from '../../../db/schema.js';
import { seedDemo } from '../../../db/seed/demo.js';
import { grantRole } from '../../../db/roles.js';
import { resolveCaller } from '../../../db/people.js';
import { SYSTEM_ACTOR } from '../../../db/audit.js';

const OWN_ID = '8912345678901234567';
const GROUP_ID = '6543210987654321098';
const CHAU = { id: '7234567890123456789', name: 'Lê Minh Châu' };
const OTHER = { id: '7345678901234567890', name: 'Trần Thị Thu' };
let msgSeq = 7102345678901234000n;

function groupMessage(from: { id: string; name: string }, text: string, msgId = String(msgSeq++)): GroupMessage {
  const data = {
    actionId: '1', msgId, cliMsgId: '1', msgType: 'webchat', uidFrom: from.id, idTo: GROUP_ID, dName: from.name,
    ts: String(Date.UTC(2026, 2, 10, 2, 0, 0)), status: 1, content: text, notify: '1', ttl: 0, userId: '0', uin: '0',
    topOut: '0', topOutTimeOut: '0', topOutImprTimeOut: '0', propertyExt: undefined,
    paramsExt: { countUnread: 1, containType: 0, platformType: 1 }, cmd: 521, st: 3, at: 5, realMsgId: '0',
    quote: undefined, mentions: undefined,
  } satisfies TGroupMessage;
  return new GroupMessage(OWN_ID, data);
}

class FakeListener extends EventEmitter {
  oldRequests: Array<[ThreadType, string | null | undefined]> = [];
  start(): void {}
  stop(): void {}
  requestOldMessages(type: ThreadType, lastMsgId?: string | null): void {
    this.oldRequests.push([type, lastMsgId]);
  }
}

/** zca-js's API as far as the adapter uses it; records sends, can fail them with ZaloApiError. */
class FakeZaloApi implements ZaloApiLike {
  listener = new FakeListener() as unknown as ZaloApiLike['listener'] & FakeListener;
  sent: Array<{ content: MessageContent; threadId: string; type?: ThreadType }> = [];
  failures: Error[] = [];
  private nextId = 1;
  getOwnId(): string {
    return OWN_ID;
  }
  async sendMessage(message: MessageContent | string, threadId: string, type?: ThreadType) {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const content = typeof message === 'string' ? { msg: message } : message;
    this.sent.push({ content, threadId, type });
    return { message: { msgId: this.nextId++ }, attachment: [] };
  }
  texts(): string[] {
    return this.sent.map((s) => s.content.msg);
  }
}

let core: Core | undefined;
let dir: string | undefined;
afterEach(() => {
  core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function setup() {
  dir = mkdtempSync(join(tmpdir(), 'dvk-zalo-'));
  const clock = fixedClock('2026-03-10T09:00:00+07:00');
  const api = new FakeZaloApi();
  let adapter: ZaloAdapter | undefined;
  core = await createCore({
    dbPath: join(dir, 'dvk.sqlite'),
    clock,
    log: silentLogger,
    flowTtlMinutes: 60,
    deliver: (chat, reply) => adapter!.send(chat, reply),
  });
  seedDemo(core.database.db, clock.now());
  const waits: number[] = [];
  const queue = new SendQueue({ minGapMs: 0, backoffMs: [5_000, 30_000], fileTimeoutMs: 1_000, log: silentLogger, sleep: async (ms) => void waits.push(ms) });
  const stopped: number[] = [];
  adapter = new ZaloAdapter({ login: async () => api, hooks: core.hooks, log: silentLogger, queue, onStopped: (code) => void stopped.push(code) });
  const running = adapter.start(core.dispatcher.handle);
  await new Promise((resolve) => setImmediate(resolve));
  // Lê Minh Châu's Zalo account is the officer of Huyện Cẩm Xuyên.
  const db = core.database.db;
  const caller = resolveCaller(db, 'zalo', { id: CHAU.id, displayName: CHAU.name }, clock.now());
  const camxuyen = db.select().from(units).where(eq(units.shortCode, 'CAMXUYEN')).get()!;
  db.transaction((tx) => grantRole(tx, { personId: caller.personId, role: 'officer', unitId: camxuyen.id }, SYSTEM_ACTOR, clock.now()));
  /** A message arrives; resolves when the bot has handled it. */
  const say = async (from: { id: string; name: string }, text: string, msgId?: string) => {
    const before = api.sent.length;
    api.listener.emit('message', groupMessage(from, text, msgId));
    await adapter!.idle();
    return api.sent.slice(before);
  };
  return { api, adapter, db, say, waits, stopped, running };
}

describe('the Zalo adapter', () => {
  it('runs a whole /dangky in a group: answers are the owner’s next messages, choices numbered, others ignored', async () => {
    const { api, db, say } = await setup();
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
    expect(saved!.content.msg).toMatch(/✅ Đã ghi nhận “Tủ sách pháp luật ở thôn” \(Mô hình “Dân vận khéo”\) của Huyện Cẩm Xuyên\./);
    const model = db.select().from(models).where(and(eq(models.name, 'Tủ sách pháp luật ở thôn'))).get();
    expect(model).toMatchObject({ state: 'pending', startDate: '2026-03-01', endDate: '2026-11-30' });
    expect(api.sent.every((s) => s.type === ThreadType.Group)).toBe(true);
  });

  it('the same msgId twice is handled once, and the account’s own messages are ignored', async () => {
    const { api, say } = await setup();
    await say(CHAU, '/huongdan', '7102345678900000001');
    await say(CHAU, '/huongdan', '7102345678900000001');
    expect(api.sent).toHaveLength(1);
    await say({ id: OWN_ID, name: 'Bot' }, '/huongdan');
    expect(api.sent).toHaveLength(1);
  });

  it('a 221 (sending too fast) is waited out and sent; a 114 fails that send without retrying', async () => {
    const { api, say, waits } = await setup();
    api.failures.push(new ZaloApiError('Gửi quá nhanh', 221));
    const [help] = await say(CHAU, '/huongdan');
    expect(help!.content.msg).toContain('Các lệnh bạn dùng được');
    expect(waits).toContain(5_000);
    const waitsBefore = waits.length;
    api.failures.push(new ZaloApiError('Không gửi được', 114));
    const [apology] = await say(CHAU, '/huongdan');
    expect(apology!.content.msg).toContain('Xin lỗi, bot gặp lỗi');
    expect(waits).toHaveLength(waitsBefore); // no back-off for 114
    expect(await say(CHAU, '/huongdan')).toHaveLength(1); // the next message goes through
  });

  it('a private message is answered to the person (ThreadType.User)', async () => {
    const { api, adapter } = await setup();
    const data = { ...groupMessage(CHAU, '/huongdan').data, idTo: OWN_ID };
    api.listener.emit('message', new UserMessage(OWN_ID, data));
    await adapter.idle();
    expect(api.sent[0]).toMatchObject({ threadId: CHAU.id, type: ThreadType.User });
  });
});
