import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { OaBed } from '../../../bench/fakes/zaloOa/botBed.js';
import { CS_WINDOW_MS } from '../../../bench/fakes/zaloOa/openApi.js';
import { postEvent } from '../../../bench/fakes/zaloOa/webhookDriver.js';
import { ZaloOaOutsideWindowError } from '../../../bot/zalo-oa/adapter.js';
import { ChatGoneError, type ChatRef, type IncomingMessage, type Reply } from '../../../core/chat.js';
import { normalizeIncomingText } from '../../../core/text.js';
import { findCaller } from '../../../db/people.js';
import { chats } from '../../../db/schema.js';
import { DEMO_PEOPLE } from '../../../db/seed/demo.js';
import { oaBedsPerTest } from '../../helpers/oaBeds.js';
import { unitOf } from '../../helpers/rows.js';

/**
 * The OA's 1:1 chats with the people who write to it (docs/zalo-oa-api.md §8), on the OA bed: the
 * real route over the fake OpenAPI, signed webhook posts on loopback. A person's message arrives
 * as `user_send_text`; the bot answers with Zalo's customer-service message, which Zalo allows
 * within 7 days of the person's last message.
 */

const AN = { id: '8200000000000000021', name: 'Nguyễn Văn An' };
const BA = { id: '8200000000000000022', name: 'Trần Văn Ba' };
const HOA = { id: '8200000000000000023', name: 'Hoa Nguyễn' };

const bed = oaBedsPerTest({ members: [AN, BA, HOA], followers: [AN, BA, HOA] }).start;

/** What the OA wrote to `userId` alone, texts only, from the `from`th private send on. */
const privateTexts = (b: OaBed, userId: string, from = 0) =>
  b.fake.sentPrivately.slice(from).flatMap((s) => (s.userId === userId && s.kind === 'text' ? [s.text] : []));
const groupTexts = (b: OaBed, from = 0) => b.fake.sent.slice(from).flatMap((s) => (s.kind === 'text' ? [s.text] : []));

/** The person says something privately; returns what the OA answered them. */
async function privately(b: OaBed, userId: string, text: string): Promise<string> {
  const before = b.fake.sentPrivately.length;
  await b.sayPrivately(userId, text);
  return privateTexts(b, userId, before).join('\n---\n');
}

function chatRow(b: OaBed, id: string) {
  return b.core.database.db
    .select()
    .from(chats)
    .where(and(eq(chats.platform, 'zalo-oa'), eq(chats.platformChatId, id)))
    .get();
}

/** Someone on the local simulator writes to the bot privately, through the same core (the other side of /lienket). */
async function onConsole(b: OaBed, person: string, text: string): Promise<string> {
  const chat: ChatRef = { platform: 'console', id: `private:${person}`, kind: 'private', title: person };
  const answers: string[] = [];
  const message: IncomingMessage = {
    chat,
    sender: { id: person, displayName: person },
    messageId: `console-${Math.random()}`,
    text: normalizeIncomingText(text),
    mentions: [],
    attachments: [],
    receivedAt: b.clock.now(),
  };
  await b.core.dispatcher.handle(message, {
    answerMode: 'next-message',
    send: async (reply: Reply) => {
      answers.push(typeof reply.text === 'string' ? reply.text : reply.text.map((p) => (typeof p === 'string' ? p : p.mention.displayName)).join(''));
      return { messageId: `c${answers.length}` };
    },
  });
  return answers.join('\n---\n');
}

describe('private chats on the Zalo OA route', () => {
  it('a follower writes /huongdan to the OA and gets the answer in the 1:1 chat, named from Zalo’s user detail', async () => {
    const seen: IncomingMessage[] = [];
    const b = await bed({ tap: (m) => void seen.push(m) });
    const answer = await privately(b, AN.id, '/huongdan');
    // A newcomer's short help: join a unit first.
    expect(answer).toContain('/thamgia');
    expect(b.fake.sent).toEqual([]);
    expect(seen.map((m) => [m.chat, m.sender])).toEqual([
      [
        { platform: 'zalo-oa', id: AN.id, kind: 'private' },
        { id: AN.id, displayName: AN.name },
      ],
    ]);
    // The name is read once and kept: a second message costs no second lookup.
    await privately(b, AN.id, '/toi');
    const lookups = b.fake.calls.filter((c) => c.path === '/v3.0/oa/user/detail');
    expect(lookups.map((c) => JSON.parse(c.query.data!))).toEqual([{ user_id: AN.id }]);
    expect(findCaller(b.core.database.db, 'zalo-oa', AN.id)).toMatchObject({ displayName: AN.name });
    expect(chatRow(b, AN.id)).toMatchObject({ kind: 'private', active: true });
  });

  it('/thamgia typed privately joins the unit, and the code never reaches a group', async () => {
    const b = await bed();
    const camxuyen = unitOf(b.core.database.db, 'CAMXUYEN');
    const answer = await privately(b, AN.id, `/thamgia ${camxuyen.joinCode}`);
    expect(answer).toContain(`Chào mừng ${AN.name} đã tham gia đơn vị ${camxuyen.name}`);
    expect(findCaller(b.core.database.db, 'zalo-oa', AN.id)!.grants).toEqual([{ role: 'officer', unitId: camxuyen.id }]);
    expect(b.fake.sent).toEqual([]);
    expect(JSON.stringify(b.fake.sent)).not.toContain(camxuyen.joinCode);
  });

  it('/lienket joins an OA follower and the simulator’s admin; /donvi in the group then sends the join codes to the 1:1 chat', async () => {
    const b = await bed();
    const code = /Mã liên kết của bạn: ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(await privately(b, HOA.id, '/lienket'))?.[1];
    expect(code).toBeDefined();
    // The same person on the simulator types the code privately there and confirms.
    expect(await onConsole(b, DEMO_PEOPLE.admin, `/lienket ${code}`)).toContain('Mời bạn kiểm tra lại trước khi lưu:');
    expect(await onConsole(b, DEMO_PEOPLE.admin, '1')).toContain('✅ Đã liên kết');
    expect(findCaller(b.core.database.db, 'zalo-oa', HOA.id)!.grants).toEqual([{ role: 'admin', unitId: null }]);

    const groupBefore = b.fake.sent.length;
    const privateBefore = b.fake.sentPrivately.length;
    await b.say(HOA.id, '/donvi');
    const camxuyen = unitOf(b.core.database.db, 'CAMXUYEN');
    const inGroup = groupTexts(b, groupBefore).join('\n');
    expect(inGroup).toContain('Mã tham gia đã gửi riêng cho bạn (tin nhắn riêng với bot).');
    expect(inGroup).not.toContain(camxuyen.joinCode);
    expect(privateTexts(b, HOA.id, privateBefore).join('\n')).toContain(`mã tham gia: ${camxuyen.joinCode}`);
  });

  it('a link code typed in the group is burnt, and its owner is told in the 1:1 chat', async () => {
    const b = await bed();
    const code = /Mã liên kết của bạn: ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(await privately(b, AN.id, '/lienket'))![1]!;
    const before = b.fake.sentPrivately.length;
    await b.say(BA.id, `/lienket ${code}`);
    expect(privateTexts(b, AN.id, before).join('\n')).toMatch(/^Mã liên kết bạn lấy lúc .* vừa bị gõ trong (nhóm|một nhóm chat).*, nên bot đã hủy mã/);
    expect(groupTexts(b).join('\n')).toContain('bot đã hủy mã này');
    expect(await privately(b, BA.id, `/lienket ${code}`)).toContain('Mã này đã bị hủy');
  });

  it('over 7 days after the person last wrote: a distinct error, the chat is not gone, and writing again reopens it', async () => {
    const b = await bed();
    await privately(b, AN.id, '/huongdan');
    b.fake.followers.get(AN.id)!.lastInteraction = Date.now() - CS_WINDOW_MS - 60_000;
    const chat: ChatRef = { platform: 'zalo-oa', id: AN.id, kind: 'private' };
    const refused = await b.adapter.send(chat, { text: 'Nhắc hạn' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ZaloOaOutsideWindowError);
    expect(refused).not.toBeInstanceOf(ChatGoneError);
    expect((refused as ZaloOaOutsideWindowError).code).toBe(-230);
    expect(chatRow(b, AN.id)).toMatchObject({ active: true });
    // Writing again opens the window: the same send goes through.
    await b.sayPrivately(AN.id, 'chào');
    await expect(b.adapter.send(chat, { text: 'Nhắc hạn' })).resolves.toMatchObject({ messageId: expect.any(String) });
    expect(privateTexts(b, AN.id).at(-1)).toBe('Nhắc hạn');
  });

  it('a person who does not take the OA’s messages (-213, -244) marks the chat gone as refused; their next message revives it', async () => {
    const b = await bed();
    await privately(b, AN.id, '/huongdan');
    const chat: ChatRef = { platform: 'zalo-oa', id: AN.id, kind: 'private' };
    b.fake.fail('/v3.0/oa/message/cs', -213);
    const refused = await b.adapter.send(chat, { text: 'Nhắc hạn' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChatGoneError);
    expect((refused as ChatGoneError).reason).toBe('refused');
    expect(chatRow(b, AN.id)).toMatchObject({ active: false });
    expect(b.alerts).toEqual([]);

    await privately(b, AN.id, '/toi');
    expect(chatRow(b, AN.id)).toMatchObject({ active: true });
    b.fake.followers.get(AN.id)!.restricted = true;
    await expect(b.adapter.send(chat, { text: 'Nhắc hạn' })).rejects.toMatchObject({ name: 'ChatGoneError', reason: 'refused' });
    expect(chatRow(b, AN.id)).toMatchObject({ active: false });
  });

  it('keeps one person’s messages in order while another person is answered alongside', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const b = await bed({
      tap: async (m) => {
        if (m.text === 'một') await held;
        order.push(`${m.sender.id === AN.id ? 'An' : 'Ba'}: ${m.text}`);
      },
    });
    await postEvent(b.target, b.fake.userSays(AN.id, 'một'));
    await postEvent(b.target, b.fake.userSays(AN.id, 'hai'));
    await postEvent(b.target, b.fake.userSays(BA.id, 'ba'));
    await expect.poll(() => order).toEqual(['Ba: ba']);
    release();
    await b.adapter.idle();
    expect(order).toEqual(['Ba: ba', 'An: một', 'An: hai']);
  });

  it('sends files privately as in groups: a PDF as a Zalo file, a spreadsheet as a link', async () => {
    const b = await bed();
    await privately(b, AN.id, '/huongdan');
    const chat: ChatRef = { platform: 'zalo-oa', id: AN.id, kind: 'private' };
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(100, 1)]);
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 2)]);
    await b.adapter.send(chat, {
      text: 'Báo cáo',
      files: [
        { fileName: 'bao-cao.pdf', mimeType: 'application/pdf', data: pdf },
        { fileName: 'bao-cao.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: xlsx },
      ],
    });
    const sends = b.fake.sentPrivately.filter((s) => s.userId === AN.id).slice(-3);
    expect(sends.map((s) => s.kind)).toEqual(['text', 'file', 'text']);
    expect(sends[1]).toMatchObject({ kind: 'file', upload: { fileName: 'bao-cao.pdf' } });
    expect(sends[2]!.kind === 'text' && sends[2]!.text).toContain('https://dvk.example.gov.vn/');
    expect(b.fake.sent).toEqual([]);
  });
});
