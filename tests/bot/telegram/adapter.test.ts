import { and, eq } from 'drizzle-orm';
import { GrammyError } from 'grammy';
import type { InlineKeyboardButton, Update, User } from 'grammy/types';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatGoneError, type ChatRef, RateLimitedError, type TextPart } from '../../../core/chat.js';
import type { Command } from '../../../commands/shared/command.js';
import type { Flow } from '../../../commands/shared/flow.js';
import { MESSAGE_LIMIT } from '../../../bot/telegram/render.js';
import { COMMANDS, FLOWS } from '../../../commands/index.js';
import { SYSTEM_ACTOR } from '../../../db/audit.js';
import { registerModel } from '../../../db/models.js';
import { auditLog, chatMembers, chats, identities, models, processedInbound } from '../../../db/schema.js';
import { unitByCode } from '../../../db/unitAdmin.js';
import {
  ADMIN,
  type ApiCall,
  type ApiResponse,
  CHAU,
  DUNG,
  fixture,
  LEADER,
  NOW_UNIX,
  pressUpdate,
  privateChat,
  STRANGER,
  SUPERGROUP,
  type TelegramBot,
  telegramBot,
  textUpdate,
  visibleText,
  grant,
} from '../../helpers/telegramBot.js';
import { newModel } from '../../helpers/rows.js';
import { BASIC, buttonsOf, messageIdOf, telegramConversation, UPGRADED } from '../../helpers/telegramCalls.js';

let t: TelegramBot;
const others: TelegramBot[] = [];
afterEach(() => {
  t?.close();
  for (const o of others.splice(0)) o.close();
});

const GROUP_REF: ChatRef = { platform: 'telegram', id: String(SUPERGROUP.id), kind: 'group', title: SUPERGROUP.title };
function linkButtonsOf(call: ApiCall): InlineKeyboardButton.UrlButton[] {
  const markup = call.payload.reply_markup as { inline_keyboard?: InlineKeyboardButton[][] } | undefined;
  return (markup?.inline_keyboard ?? []).flat().filter((b): b is InlineKeyboardButton.UrlButton => 'url' in b);
}

function conversationOf(chatId: number, user: User) {
  return telegramConversation(t.db, chatId, user);
}

function chatRow(chatId: number) {
  return t.db
    .select()
    .from(chats)
    .where(and(eq(chats.platform, 'telegram'), eq(chats.platformChatId, String(chatId))))
    .get();
}

/** Feeds an update and returns the calls the bot made for it. */
async function feed(update: Update): Promise<ApiCall[]> {
  const mark = t.api.calls.length;
  await t.feed(update);
  return t.api.calls.slice(mark);
}

/**
 * Presses a button of the bot's message `prompt` (by its label, or forged data on any message
 * id) and checks the press got exactly one answer.
 */
async function press(from: User, prompt: ApiCall | number, button: { label: string } | { data: string }, chat = SUPERGROUP) {
  const data = 'data' in button ? button.data : buttonsOf(prompt as ApiCall).find((b) => b.text === button.label)?.callback_data;
  expect(data, `a button "${'label' in button ? button.label : ''}"`).toBeDefined();
  const update = pressUpdate(from, typeof prompt === 'number' ? prompt : messageIdOf(prompt), data!, { chat });
  const calls = await feed(update);
  const answers = calls.filter((c) => c.method === 'answerCallbackQuery');
  expect(answers.map((a) => a.payload.callback_query_id)).toEqual([update.callback_query!.id]);
  return { calls, answer: answers[0]!, sent: calls.filter((c) => c.method === 'sendMessage') };
}

function sentIn(calls: ApiCall[]): ApiCall[] {
  return calls.filter((c) => c.method === 'sendMessage' && c.response.ok);
}

/** The officer starts /dangky in the supergroup and presses through to the question they must type. */
async function officerAtName(): Promise<{ namePrompt: ApiCall }> {
  grant(t.db, CHAU, 'officer', 'CAMXUYEN');
  const [kind] = sentIn(await feed(textUpdate(CHAU, '/dangky')));
  const { sent: holder } = await press(CHAU, kind!, { label: 'Mô hình “Dân vận khéo”' });
  const { sent: field } = await press(CHAU, holder[0]!, { label: 'Tập thể' });
  const { sent: name } = await press(CHAU, field[0]!, { label: 'Kinh tế' });
  return { namePrompt: name[0]! };
}

describe('button presses', () => {
  it('a stranger pressing someone else’s button gets a private alert, and nothing changes', async () => {
    t = await telegramBot();
    grant(t.db, CHAU, 'officer', 'CAMXUYEN');
    const [kind] = sentIn(await feed(textUpdate(CHAU, '/dangky')));
    const { sent } = await press(CHAU, kind!, { label: 'Mô hình “Dân vận khéo”' });
    const holderPrompt = sent[0]!;
    const before = conversationOf(SUPERGROUP.id, CHAU)!;
    expect(before).toMatchObject({ step: 'holder', answers: { kind: 'dan_van_kheo' }, promptMessageId: String(messageIdOf(holderPrompt)) });

    const { calls, answer } = await press(STRANGER, holderPrompt, { label: 'Cá nhân' });
    expect(calls).toHaveLength(1);
    expect(answer.payload).toEqual({
      callback_query_id: answer.payload.callback_query_id,
      text: 'Nút này của người khác nên không có gì thay đổi.',
      show_alert: true,
    });
    expect(conversationOf(SUPERGROUP.id, CHAU)).toEqual(before);
    // The stranger is not even recorded: the bot did nothing on their behalf.
    expect(
      t.db
        .select()
        .from(identities)
        .where(eq(identities.platformUserId, String(STRANGER.id)))
        .all(),
    ).toEqual([]);
  });

  it('someone pressing another person’s button while in their own conversation is told it is not theirs, and neither moves', async () => {
    t = await telegramBot();
    grant(t.db, CHAU, 'officer', 'CAMXUYEN');
    grant(t.db, DUNG, 'officer', 'CAMBINH');
    const [chauKind] = sentIn(await feed(textUpdate(CHAU, '/dangky')));
    await feed(textUpdate(DUNG, '/dangky'));
    const chauBefore = conversationOf(SUPERGROUP.id, CHAU)!;
    const dungBefore = conversationOf(SUPERGROUP.id, DUNG)!;

    const { calls, answer } = await press(DUNG, chauKind!, { label: 'Điểm sáng về dân vận chính quyền' });
    expect(calls.map((c) => c.method)).toEqual(['answerCallbackQuery']);
    expect(answer.payload.show_alert).toBe(true);
    expect(answer.payload.text).toBe('Nút này của người khác nên không có gì thay đổi.');
    expect(conversationOf(SUPERGROUP.id, CHAU)).toEqual(chauBefore);
    expect(conversationOf(SUPERGROUP.id, DUNG)).toEqual(dungBefore);
  });

  it('an accepted press is answered once, without an alert, and its keyboard is taken off once', async () => {
    t = await telegramBot();
    grant(t.db, CHAU, 'officer', 'CAMXUYEN');
    const [kind] = sentIn(await feed(textUpdate(CHAU, '/dangky')));
    expect(buttonsOf(kind!).map((b) => b.callback_data)).toEqual(['dan_van_kheo', 'diem_sang_chinh_quyen', 'diem_sang_qcdc']);

    const { calls, answer, sent } = await press(CHAU, kind!, { label: 'Điểm sáng về dân vận chính quyền' });
    expect(answer.payload).toEqual({ callback_query_id: answer.payload.callback_query_id });
    const edits = calls.filter((c) => c.method === 'editMessageReplyMarkup');
    expect(edits.map((e) => e.payload)).toEqual([{ chat_id: SUPERGROUP.id, message_id: messageIdOf(kind!), reply_markup: { inline_keyboard: [] } }]);
    expect(sent).toHaveLength(1);
    // Asked after a press, with no message of hers to reply to: the question names her.
    expect(visibleText(sent[0]!.payload.text)).toBe('@leminhchau_cx (2/9) Điểm sáng của tập thể hay cá nhân?');
    expect(conversationOf(SUPERGROUP.id, CHAU)).toMatchObject({ step: 'holder', answers: { kind: 'diem_sang_chinh_quyen' } });

    // A keyboard Telegram will not edit (already plain, e.g. edited from another device) is no obstacle.
    t.api.script('editMessageReplyMarkup', fixture<ApiResponse>('response-400-not-modified'));
    const next = await press(CHAU, sent[0]!, { label: 'Tập thể' });
    expect(next.calls.filter((c) => c.method === 'editMessageReplyMarkup').map((c) => c.response.ok)).toEqual([false]);
    expect(next.sent).toHaveLength(1);
    expect(conversationOf(SUPERGROUP.id, CHAU)).toMatchObject({ step: 'field', answers: { holder: 'collective' } });
    expect(chatRow(SUPERGROUP.id)!.active).toBe(true);
  });

  it('the owner pressing a button of an earlier question is told so, and nothing moves', async () => {
    t = await telegramBot();
    grant(t.db, CHAU, 'officer', 'CAMXUYEN');
    const [kind] = sentIn(await feed(textUpdate(CHAU, '/dangky')));
    await press(CHAU, kind!, { label: 'Mô hình “Dân vận khéo”' });
    const before = conversationOf(SUPERGROUP.id, CHAU)!;
    const { calls, answer } = await press(CHAU, kind!, { label: 'Điểm sáng về dân vận chính quyền' });
    expect(calls.map((c) => c.method)).toEqual(['answerCallbackQuery']);
    expect(answer.payload).toMatchObject({ show_alert: true, text: expect.stringContaining('câu hỏi đã qua') });
    expect(conversationOf(SUPERGROUP.id, CHAU)).toEqual(before);
  });

  it('a press without data, or on a message the bot cannot see, is still answered once', async () => {
    t = await telegramBot();
    const update = pressUpdate(CHAU, 1202, 'dan_van_kheo');
    delete update.callback_query!.data;
    const calls = await feed(update);
    expect(calls.map((c) => [c.method, c.payload])).toEqual([['answerCallbackQuery', { callback_query_id: update.callback_query!.id }]]);
  });

  it('buttons whose values are ids send their position, so a pressed unit is that unit', async () => {
    t = await telegramBot();
    // A leader of the Mặt trận, with Tỉnh đoàn and Hội Phụ nữ under it.
    grant(t.db, LEADER, 'leader', 'MTTQ');
    const [unitPrompt] = sentIn(await feed(textUpdate(LEADER, '/dangky')));
    const buttons = buttonsOf(unitPrompt!);
    expect(buttons.map((b) => b.text)).toEqual(['Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh', 'Tỉnh đoàn Hà Tĩnh', 'Hội Liên hiệp Phụ nữ tỉnh Hà Tĩnh']);
    expect(buttons.map((b) => b.callback_data)).toEqual(['1', '2', '3']);

    const { sent } = await press(LEADER, unitPrompt!, { label: 'Tỉnh đoàn Hà Tĩnh' });
    expect(conversationOf(SUPERGROUP.id, LEADER)).toMatchObject({ step: 'kind', answers: { unit: unitByCode(t.db, 'TINHDOAN')!.id } });
    expect(visibleText(sent[0]!.payload.text)).toBe('Bình Trần Văn (2/10) Đăng ký loại nào?');
  });

  it('a value over 64 bytes is sent as the choice’s number and saved as the value', async () => {
    const long = 'Điểm sáng về thực hiện dân chủ ở cơ sở gắn với chuyển đổi số';
    const flow: Flow = {
      id: 'chon',
      command: 'chon',
      title: 'chọn thử',
      version: 1,
      steps: [
        {
          key: 'pick',
          label: 'Lựa chọn',
          prompt: 'Bạn chọn mục nào?',
          choices: [
            { value: 'ngan', label: 'Mục ngắn' },
            { value: long, label: 'Mục dài' },
          ],
        },
        { key: 'note', label: 'Ghi chú', prompt: 'Ghi chú thêm?', schema: z.string().min(1) },
      ],
      save: () => 'Đã lưu.',
    };
    const chon: Command = {
      name: 'chon',
      access: 'anyone',
      summary: 'chọn thử',
      run: (ctx) => ctx.conversations.start('chon', ctx),
    };
    t = await telegramBot({ commands: [...COMMANDS, chon], flows: [...FLOWS, flow] });
    const [prompt] = sentIn(await feed(textUpdate(STRANGER, '/chon')));
    expect(buttonsOf(prompt!).map((b) => b.callback_data)).toEqual(['ngan', '2']);
    await press(STRANGER, prompt!, { label: 'Mục dài' });
    expect(conversationOf(SUPERGROUP.id, STRANGER)).toMatchObject({ step: 'note', answers: { pick: long } });
  });

  it('forged callback data is read as a typed answer: refused with the step’s reason, nothing saved', async () => {
    t = await telegramBot();
    grant(t.db, CHAU, 'officer', 'CAMXUYEN');
    const [kind] = sentIn(await feed(textUpdate(CHAU, '/dangky')));
    expect(buttonsOf(kind!)).toHaveLength(3);
    const before = conversationOf(SUPERGROUP.id, CHAU)!;
    const modelCount = t.db.select().from(models).all().length;

    // A value of another step, then random bytes as a modified client might send.
    for (const data of ['collective', '"><b>x</b>&amp;', 'z'.repeat(64)]) {
      const current = conversationOf(SUPERGROUP.id, CHAU)!;
      const { sent, answer } = await press(CHAU, Number(current.promptMessageId), { data });
      expect(answer.payload.show_alert).toBeUndefined();
      expect(sent).toHaveLength(1);
      expect(visibleText(sent[0]!.payload.text)).toBe(
        '@leminhchau_cx ⚠️ Chưa rõ bạn chọn mục nào. Bạn gõ 1 (Mô hình “Dân vận khéo”), 2 (Điểm sáng về dân vận chính quyền) hoặc 3 (Điểm sáng về thực hiện dân chủ ở cơ sở).\n\n(1/9) Đăng ký loại nào?',
      );
      expect(buttonsOf(sent[0]!)).toHaveLength(3);
      expect(sent[0]!.payload.text).not.toContain('<b>x');
    }
    const after = conversationOf(SUPERGROUP.id, CHAU)!;
    expect(after).toMatchObject({ step: before.step, answers: before.answers, startedAt: before.startedAt });
    expect(t.db.select().from(models).all()).toHaveLength(modelCount);
  });
});

describe('replies in a group', () => {
  it('a stranger replying to someone’s prompt changes nothing and gets no answer; the owner’s reply moves the flow', async () => {
    t = await telegramBot();
    const { namePrompt } = await officerAtName();
    // Asked after a button press there is no message of theirs to reply to: the question names them.
    expect(namePrompt.payload.text).toBe('@leminhchau_cx (4/9) Tên mô hình là gì?');
    expect(namePrompt.payload.reply_markup).toEqual({ force_reply: true, selective: true });
    expect(namePrompt.payload.reply_parameters).toBeUndefined();
    const before = conversationOf(SUPERGROUP.id, CHAU)!;
    expect(before.step).toBe('name');

    grant(t.db, DUNG, 'officer', 'CAMBINH');
    await feed(textUpdate(DUNG, '/dangky'));
    const dungBefore = conversationOf(SUPERGROUP.id, DUNG)!;

    const promptId = messageIdOf(namePrompt);
    expect(await feed(textUpdate(STRANGER, 'Chợ phiên của người lạ', { replyTo: promptId }))).toEqual([]);
    expect(await feed(textUpdate(DUNG, 'Chợ phiên của xã Cẩm Bình', { replyTo: promptId }))).toEqual([]);
    // Plain group chatter from the owner is not an answer either.
    expect(await feed(textUpdate(CHAU, 'Chợ phiên 0 đồng cho hộ nghèo'))).toEqual([]);
    expect(conversationOf(SUPERGROUP.id, CHAU)).toEqual(before);
    expect(conversationOf(SUPERGROUP.id, DUNG)).toEqual(dungBefore);
    expect(
      t.db
        .select()
        .from(identities)
        .where(eq(identities.platformUserId, String(STRANGER.id)))
        .all(),
    ).toEqual([]);

    const answer = textUpdate(CHAU, 'Chợ phiên 0 đồng cho hộ nghèo', { replyTo: promptId });
    const [next, ...rest] = sentIn(await feed(answer));
    expect(rest).toEqual([]);
    expect(conversationOf(SUPERGROUP.id, CHAU)).toMatchObject({
      step: 'content',
      answers: { kind: 'dan_van_kheo', holder: 'collective', name: 'Chợ phiên 0 đồng cho hộ nghèo' },
      promptMessageId: String(messageIdOf(next!)),
    });
    expect(next!.payload).toMatchObject({
      chat_id: SUPERGROUP.id,
      text: '(5/9) Mục tiêu và nội dung chính của mô hình? (vài câu ngắn)',
      parse_mode: 'HTML',
      reply_markup: { force_reply: true, selective: true },
      reply_parameters: { message_id: answer.message!.message_id, allow_sending_without_reply: true },
    });
  });
});

describe('escaping', () => {
  const W1: User = { id: 6100000001, is_bot: false, first_name: '<b>Hoa</b> & "Mai"', last_name: "O'Neil", language_code: 'vi' };
  const W2: User = { id: 6100000002, is_bot: false, first_name: 'Lan & "Huệ"', last_name: '<i>Trần</i>', username: 'lan_hue', language_code: 'vi' };
  const ODD = { id: -1001111222333, type: 'supergroup' as const, title: `Tổ <b>Dân vận</b> & "Khéo" 'HT'` };
  const W1_LINK = `<a href="tg://user?id=6100000001">&lt;b&gt;Hoa&lt;/b&gt; &amp; &quot;Mai&quot; O'Neil</a>`;

  it('names and titles full of <, & and quotes are stored as typed and escaped in every message', async () => {
    t = await telegramBot();
    const [help] = sentIn(await feed(textUpdate(W1, '/huongdan', { chat: ODD })));
    expect(help!.payload).toMatchObject({ chat_id: ODD.id, parse_mode: 'HTML' });
    expect(chatRow(ODD.id)!.title).toBe(ODD.title);
    await feed(textUpdate(W2, '/huongdan', { chat: ODD }));
    const names = t.db.select({ id: identities.platformUserId, name: identities.displayName }).from(identities).all();
    expect(names).toContainEqual({ id: '6100000001', name: `<b>Hoa</b> & "Mai" O'Neil` });
    expect(names).toContainEqual({ id: '6100000002', name: 'Lan & "Huệ" <i>Trần</i>' });

    // An admin makes both of them officers of the commune, naming one by #id and one by @username.
    grant(t.db, ADMIN, 'admin', null);
    const w1Id = t.db.select().from(identities).where(eq(identities.platformUserId, '6100000001')).get()!.personId;
    const [toW1] = sentIn(await feed(textUpdate(ADMIN, `/phanquyen cán bộ #${w1Id} CAMXUYEN`, { chat: ODD })));
    expect(toW1!.payload.parse_mode).toBe('HTML');
    expect(toW1!.payload.text.startsWith(`${W1_LINK}: bạn đã được cấp quyền cán bộ đầu mối`)).toBe(true);

    const text = '/phanquyen cán bộ @lan_hue CAMXUYEN';
    const [toW2] = sentIn(
      await feed(textUpdate(ADMIN, text, { chat: ODD, entities: [{ type: 'mention', offset: text.indexOf('@'), length: '@lan_hue'.length }] })),
    );
    expect(toW2!.payload.text.startsWith('@lan_hue: bạn đã được cấp quyền cán bộ đầu mối')).toBe(true);

    // What people typed is echoed escaped too.
    const [echo] = sentIn(await feed(textUpdate(ADMIN, '/ganhom <b>&"x"', { chat: ODD })));
    expect(echo!.payload.text).toBe('Không có đơn vị mã “&lt;b&gt;&amp;&quot;x&quot;”. Gõ /donvi để xem các mã.');

    // A leader approves one of the commune's models from a private chat: the group is told, mentioning both.
    const camxuyen = unitByCode(t.db, 'CAMXUYEN')!;
    const input = newModel(t.db, camxuyen.id, 'Chợ phiên & "bữa cơm" <0 đồng>', {
      content: 'Mỗi tháng một phiên chợ cho hộ nghèo.',
      personInCharge: 'Lê Minh Châu',
    });
    const model = t.db.transaction((tx) => registerModel(tx, input, SYSTEM_ACTOR, new Date(NOW_UNIX * 1000)));
    grant(t.db, LEADER, 'leader', 'HATINH');
    await feed(textUpdate(LEADER, `/duyet ${model.code}`, { chat: privateChat(LEADER) }));
    const calls = await feed(textUpdate(LEADER, 'đồng ý', { chat: privateChat(LEADER) })); // every decision is confirmed first
    const notice = sentIn(calls).find((c) => c.payload.chat_id === ODD.id);
    expect(notice, 'a notice to the group').toBeDefined();
    expect(notice!.payload.parse_mode).toBe('HTML');
    expect(notice!.payload.text.startsWith(`${W1_LINK}, @lan_hue: `)).toBe(true);
    expect(notice!.payload.text).toContain('Chợ phiên &amp; &quot;bữa cơm&quot; &lt;0 đồng&gt;');

    // Nothing anyone typed ever reaches Telegram as markup: the only tags are the bot's own links.
    for (const call of t.api.sent) {
      expect(call.payload.parse_mode).toBe('HTML');
      expect(call.payload.text.replace(/<a href="tg:\/\/user\?id=\d+">|<\/a>/g, '')).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot);)/);
    }
  });
});

describe('long replies', () => {
  it('a reply over 4096 characters goes as several messages cut at line ends, the buttons on the last', async () => {
    t = await telegramBot();
    const officers = [
      { platformUserId: '5123456789', displayName: 'Lê Minh Châu', username: 'leminhchau_cx' },
      { platformUserId: '6234567890', displayName: 'Phạm Thị Dung & <Tổ 3>' },
    ];
    const parts: TextPart[] = ['Danh sách mô hình & tiến độ:\n'];
    const expected: string[] = ['Danh sách mô hình & tiến độ:'];
    for (let i = 1; expected.join('\n').length < 12_000; i++) {
      const officer = officers[i % 2]!;
      const seen = officer.username ? `@${officer.username}` : officer.displayName;
      parts.push(
        `• DVK-2026-${String(i).padStart(4, '0')} “Chợ phiên & bữa cơm 0 đồng số ${i}” — đang thực hiện, 70% — phụ trách `,
        { mention: officer },
        '\n',
      );
      expected.push(`• DVK-2026-${String(i).padStart(4, '0')} “Chợ phiên & bữa cơm 0 đồng số ${i}” — đang thực hiện, 70% — phụ trách ${seen}`);
    }
    parts.push('Gõ /mohinh <mã mô hình> để xem chi tiết.');
    expected.push('Gõ /mohinh <mã mô hình> để xem chi tiết.');
    const choices = [
      { value: 'more', label: 'Xem thêm' },
      { value: 'done', label: 'Xong' },
    ];

    const sent = await t.adapter.send(GROUP_REF, { text: parts, choices });
    const calls = t.api.sent;
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(sent.messageId).toBe(String(messageIdOf(calls.at(-1)!)));
    const visible = calls.map((c) => visibleText(c.payload.text));
    for (const chunk of visible) {
      expect(chunk.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
      // Whole lines only.
      for (const line of chunk.split('\n')) expect(expected).toContain(line);
    }
    expect(visible.join('\n')).toBe(expected.join('\n'));
    for (const call of calls) {
      expect(call.payload.parse_mode).toBe('HTML');
      expect(call.payload.text.split('<a ').length).toBe(call.payload.text.split('</a>').length);
    }
    expect(calls.slice(0, -1).map((c) => c.payload.reply_markup)).toEqual(calls.slice(0, -1).map(() => undefined));
    expect(buttonsOf(calls.at(-1)!).map((b) => [b.text, b.callback_data])).toEqual([
      ['Xem thêm', 'more'],
      ['Xong', 'done'],
    ]);
  });
});

describe('flood control', () => {
  it('a 429 is waited out as Telegram asks, then the message is sent once', async () => {
    t = await telegramBot();
    t.api.script('sendMessage', fixture<ApiResponse>('response-429'));
    const started = Date.now();
    await feed(textUpdate(CHAU, '/huongdan'));
    const attempts = t.api.calls.filter((c) => c.method === 'sendMessage');
    expect(attempts.map((c) => c.response.ok)).toEqual([false, true]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(t.api.sent).toHaveLength(1);
    expect(attempts[1]!.payload).toEqual(attempts[0]!.payload);
  });

  it('a wait above the cap is not waited: the call fails at once, saying how long to wait (RateLimitedError)', async () => {
    t = await telegramBot({ maxRetryDelaySeconds: 2 });
    const tooLong = fixture<ApiResponse>('response-429');
    tooLong.description = 'Too Many Requests: retry after 30';
    tooLong.parameters = { retry_after: 30 };
    t.api.script('sendMessage', tooLong);
    const started = Date.now();
    const error = await t.adapter.send(GROUP_REF, { text: 'Nhắc hạn báo cáo quý I.' }).catch((e: unknown) => e);
    // The reminder sender reschedules on this platform-neutral error instead of counting a failure.
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 30_000 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(t.api.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(1);
  });

  it('short waits are retried a few times only, then the call fails', async () => {
    t = await telegramBot();
    t.api.rule((call) => (call.method === 'sendMessage' ? fixture<ApiResponse>('response-429') : undefined));
    const error = await t.adapter.send(GROUP_REF, { text: 'Nhắc hạn báo cáo quý I.' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    // The first try and three retries.
    expect(t.api.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(4);
  }, 15_000);
});

describe('chats the bot can no longer write to', () => {
  function inactiveAudit(chatRowId: number) {
    return t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'chat.inactive'), eq(auditLog.entityId, String(chatRowId))))
      .all();
  }

  it('403 (kicked) and 400 “chat not found” mark the chat inactive with an audit row; speaking again brings it back', async () => {
    t = await telegramBot();
    await feed(textUpdate(CHAU, '/huongdan'));
    await feed(textUpdate(DUNG, '/huongdan', { chat: BASIC }));
    const group = chatRow(SUPERGROUP.id)!;
    const basic = chatRow(BASIC.id)!;
    expect([group.active, basic.active]).toEqual([true, true]);

    let gone = true;
    t.api.rule((call) => {
      if (!gone || call.method !== 'sendMessage') return undefined;
      if (call.payload.chat_id === SUPERGROUP.id) return fixture<ApiResponse>('response-403-kicked');
      if (call.payload.chat_id === BASIC.id) return fixture<ApiResponse>('response-400-chat-not-found');
      return undefined;
    });
    const kicked = await t.adapter.send(GROUP_REF, { text: 'Nhắc hạn báo cáo.' }).catch((e: unknown) => e);
    // The platform-neutral "gone" error, Telegram's own answer kept as its cause.
    expect(kicked).toBeInstanceOf(ChatGoneError);
    expect(kicked).toMatchObject({ chat: { platform: 'telegram', id: String(SUPERGROUP.id) }, cause: { error_code: 403 } });
    const notFound = await t.adapter
      .send({ platform: 'telegram', id: String(BASIC.id), kind: 'group' }, { text: 'Nhắc hạn báo cáo.' })
      .catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ChatGoneError);
    expect(notFound).toMatchObject({ chat: { platform: 'telegram', id: String(BASIC.id) }, cause: { error_code: 400 } });

    expect(chatRow(SUPERGROUP.id)!.active).toBe(false);
    expect(chatRow(BASIC.id)!.active).toBe(false);
    // Kicked: "removed", what /trangthai tells the admins.
    expect(inactiveAudit(group.id)).toEqual([
      expect.objectContaining({ actorLabel: 'system', before: { active: true }, after: { active: false, reason: 'removed' } }),
    ]);
    expect(inactiveAudit(basic.id)).toEqual([expect.objectContaining({ after: { active: false, reason: 'removed' } })]);
    // Tried once each: a gone chat is not retried.
    expect(t.api.calls.filter((c) => c.method === 'sendMessage' && !c.response.ok)).toHaveLength(2);

    gone = false;
    const [back] = sentIn(await feed(textUpdate(CHAU, '/huongdan')));
    expect(back!.payload.chat_id).toBe(SUPERGROUP.id);
    expect(chatRow(SUPERGROUP.id)!.active).toBe(true);
    expect(chatRow(BASIC.id)!.active).toBe(false);
  });

  it('a person who blocked the bot (403 "blocked by the user") is marked as refusing, not as a removed group', async () => {
    t = await telegramBot();
    await feed(textUpdate(CHAU, '/huongdan', { chat: privateChat(CHAU) }));
    const chat = privateChat(CHAU);
    t.api.rule((call) =>
      call.method === 'sendMessage' && call.payload.chat_id === chat.id
        ? ({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } as ApiResponse)
        : undefined,
    );
    const refused = await t.adapter
      .send({ platform: 'telegram', id: String(chat.id), kind: 'private' }, { text: 'Nhắc hạn báo cáo.' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChatGoneError);
    expect(inactiveAudit(chatRow(chat.id)!.id)).toEqual([expect.objectContaining({ after: { active: false, reason: 'refused' } })]);
  });

  it('removed while answering (403 to the reply): the chat is marked gone, no apology is tried there, nothing is logged as an error', async () => {
    const lines: Array<{ level: number; msg: string; [key: string]: unknown }> = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    t = await telegramBot({ log });
    await feed(textUpdate(CHAU, '/huongdan'));
    expect(chatRow(SUPERGROUP.id)!.active).toBe(true);
    t.api.rule((call) => (call.method === 'sendMessage' && call.payload.chat_id === SUPERGROUP.id ? fixture<ApiResponse>('response-403-kicked') : undefined));

    const update = textUpdate(CHAU, '/huongdan');
    const calls = await feed(update);
    // The reply was tried once; no "Xin lỗi, bot gặp lỗi…" went after it into the chat.
    expect(calls.filter((c) => c.method === 'sendMessage').map((c) => c.response.ok)).toEqual([false]);
    expect(chatRow(SUPERGROUP.id)!.active).toBe(false);
    expect(t.db.select().from(auditLog).where(eq(auditLog.action, 'chat.inactive')).all()).toHaveLength(1);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 30,
        chat: String(SUPERGROUP.id),
        messageId: String(update.message!.message_id),
        msg: 'reply not delivered: the bot can no longer write in this chat',
      }),
    );
  });

  it('a notice to another chat that is gone still gets the apology here: only this chat being gone silences it', async () => {
    // A command that tells another (gone) group and does not catch the failure.
    const tellOther: Command = {
      name: 'baonhom',
      summary: 'báo nhóm khác',
      access: 'anyone',
      run: async (ctx) => {
        await ctx.deliver({ platform: 'telegram', id: String(BASIC.id), kind: 'group' }, { text: 'Thông báo.' });
      },
    };
    t = await telegramBot({ commands: [...COMMANDS, tellOther] });
    t.api.rule((call) => (call.method === 'sendMessage' && call.payload.chat_id === BASIC.id ? fixture<ApiResponse>('response-403-kicked') : undefined));
    const [apology] = sentIn(await feed(textUpdate(CHAU, '/baonhom')));
    expect(apology!.payload.chat_id).toBe(SUPERGROUP.id);
    expect(visibleText(String(apology!.payload.text))).toMatch(/^Xin lỗi, bot gặp lỗi/);
  });

  it('other errors leave the chat alone', async () => {
    t = await telegramBot();
    await feed(textUpdate(CHAU, '/huongdan'));
    t.api.script('sendMessage', { ok: false, error_code: 400, description: "Bad Request: can't parse entities: unsupported start tag" });
    await expect(t.adapter.send(GROUP_REF, { text: 'Nhắc hạn.' })).rejects.toBeInstanceOf(GrammyError);
    expect(chatRow(SUPERGROUP.id)!.active).toBe(true);
    expect(t.db.select().from(auditLog).where(eq(auditLog.action, 'chat.inactive')).all()).toEqual([]);
  });

  it('being removed from a group (my_chat_member: kicked) marks it inactive', async () => {
    t = await telegramBot();
    await feed(textUpdate(CHAU, '/huongdan'));
    expect(await feed(fixture<Update>('my-chat-member-kicked'))).toEqual([]);
    expect(chatRow(SUPERGROUP.id)!.active).toBe(false);
    expect(inactiveAudit(chatRow(SUPERGROUP.id)!.id)).toHaveLength(1);
  });
});

describe('a group upgraded to a supergroup', () => {
  /** Dung, officer of Cẩm Bình, is halfway through /dangky in the basic group bound to her commune. */
  async function midRegistration() {
    t = await telegramBot();
    grant(t.db, ADMIN, 'admin', null);
    grant(t.db, DUNG, 'officer', 'CAMBINH');
    const [bound] = sentIn(await feed(textUpdate(ADMIN, '/ganhom CAMBINH', { chat: BASIC })));
    expect(visibleText(bound!.payload.text)).toMatch(/^✅ Đã gắn nhóm này với Xã Cẩm Bình/);
    const [kind] = sentIn(await feed(textUpdate(DUNG, '/dangky', { chat: BASIC })));
    const { sent } = await press(DUNG, kind!, { label: 'Mô hình “Dân vận khéo”' }, BASIC);
    await press(DUNG, sent[0]!, { label: 'Tập thể' }, BASIC);
    const row = chatRow(BASIC.id)!;
    expect(row).toMatchObject({ unitId: unitByCode(t.db, 'CAMBINH')!.id, active: true });
    return { row, conversation: conversationOf(BASIC.id, DUNG)! };
  }

  it('migrate_to_chat_id moves the binding, members and conversations; the person goes on in the supergroup', async () => {
    const { row, conversation } = await midRegistration();
    expect(conversation.step).toBe('field');
    const members = t.db.select().from(chatMembers).where(eq(chatMembers.chatId, row.id)).all();
    expect(members).toHaveLength(2);

    expect(await feed(fixture<Update>('group-migrate-to'))).toEqual([]);
    expect(await feed(fixture<Update>('supergroup-migrate-from'))).toEqual([]);

    expect(chatRow(BASIC.id)).toBeUndefined();
    expect(chatRow(UPGRADED.id)).toMatchObject({ id: row.id, unitId: row.unitId, active: true, kind: 'group' });
    expect(t.db.select().from(chatMembers).where(eq(chatMembers.chatId, row.id)).all()).toEqual(members);
    expect(t.db.select().from(auditLog).where(eq(auditLog.action, 'chat.migrate')).all()).toEqual([
      expect.objectContaining({
        entityId: String(row.id),
        before: { platformChatId: '-4012345678' },
        after: { platformChatId: '-1009876543210', mergedInto: null },
      }),
    ]);
    expect(conversationOf(BASIC.id, DUNG)).toBeUndefined();
    const moved = conversationOf(UPGRADED.id, DUNG)!;
    expect(moved).toMatchObject({ id: conversation.id, step: 'field', answers: conversation.answers });

    // The old prompt stayed in the old group: asking again shows the question in the supergroup.
    const [again, question] = sentIn(await feed(textUpdate(DUNG, '/dangky', { chat: UPGRADED })));
    expect(visibleText(again!.payload.text)).toMatch(/^Bạn đang đăng ký mô hình dở dang/);
    expect(question!.payload.chat_id).toBe(UPGRADED.id);
    const { sent } = await press(DUNG, question!, { label: 'Kinh tế' }, UPGRADED);
    const namePrompt = sent[0]!;
    expect(namePrompt.payload).toMatchObject({ chat_id: UPGRADED.id, reply_markup: { force_reply: true, selective: true } });
    const [next] = sentIn(await feed(textUpdate(DUNG, 'Tổ tự quản đường làng xanh', { chat: UPGRADED, replyTo: messageIdOf(namePrompt) })));
    expect(next!.payload.chat_id).toBe(UPGRADED.id);
    expect(conversationOf(UPGRADED.id, DUNG)).toMatchObject({
      id: conversation.id,
      step: 'content',
      answers: { kind: 'dan_van_kheo', holder: 'collective', name: 'Tổ tự quản đường làng xanh' },
    });
  });

  it('a send to the old id that Telegram refuses with the new id goes there and moves the chat', async () => {
    const { row } = await midRegistration();
    t.api.rule((call) => (call.payload.chat_id === BASIC.id ? fixture<ApiResponse>('response-400-upgraded') : undefined));
    const sent = await t.adapter.send({ platform: 'telegram', id: String(BASIC.id), kind: 'group' }, { text: 'Nhắc hạn cập nhật tiến độ.' });
    const attempts = t.api.calls.filter((c) => c.method === 'sendMessage').slice(-2);
    expect(attempts.map((c) => [c.payload.chat_id, c.response.ok])).toEqual([
      [BASIC.id, false],
      [UPGRADED.id, true],
    ]);
    expect(sent.messageId).toBe(String(messageIdOf(attempts[1]!)));
    expect(chatRow(UPGRADED.id)).toMatchObject({ id: row.id, unitId: row.unitId, active: true });
    expect(conversationOf(UPGRADED.id, DUNG)).toMatchObject({ step: 'field' });
  });
});

describe('duplicate deliveries', () => {
  it('the same update_id delivered twice is handled once', async () => {
    t = await telegramBot();
    const update = textUpdate(CHAU, '/huongdan');
    expect(sentIn(await feed(update))).toHaveLength(1);
    expect(await feed(structuredClone(update))).toEqual([]);
    expect(
      t.db
        .select()
        .from(processedInbound)
        .where(eq(processedInbound.key, String(update.update_id)))
        .all(),
    ).toHaveLength(1);
  });

  it('a press delivered twice moves the flow once and is answered once', async () => {
    t = await telegramBot();
    grant(t.db, CHAU, 'officer', 'CAMXUYEN');
    const [kind] = sentIn(await feed(textUpdate(CHAU, '/dangky')));
    const update = pressUpdate(CHAU, messageIdOf(kind!), 'dan_van_kheo');
    const first = await feed(update);
    expect(first.filter((c) => c.method === 'answerCallbackQuery')).toHaveLength(1);
    const row = conversationOf(SUPERGROUP.id, CHAU)!;
    expect(await feed(structuredClone(update))).toEqual([]);
    expect(conversationOf(SUPERGROUP.id, CHAU)).toEqual(row);
  });
});

describe('continuing in a private chat', () => {
  it('the first question of a long flow in a group links to a private chat, where /start takes it over', async () => {
    t = await telegramBot();
    grant(t.db, CHAU, 'officer', 'CAMXUYEN');
    const [kind] = sentIn(await feed(textUpdate(CHAU, '/dangky')));
    const [link] = linkButtonsOf(kind!);
    expect(link!.text).toBe('↪ Tiếp tục trong tin nhắn riêng');
    const token = /^https:\/\/t\.me\/dvk_test_bot\?start=([A-Za-z0-9_-]{16})$/.exec(link!.url)![1]!;

    // Telegram opens the private chat and sends "/start <token>" from the person.
    const [moved] = sentIn(await feed(textUpdate(CHAU, `/start ${token}`, { chat: privateChat(CHAU) })));
    expect(moved!.payload.chat_id).toBe(CHAU.id);
    expect(String(moved!.payload.text)).toContain('Mình tiếp tục ở đây nhé');
    expect(String(moved!.payload.text)).toContain('(1/9) Đăng ký loại nào?');
    expect(conversationOf(CHAU.id, CHAU)).toBeDefined();
    expect(conversationOf(SUPERGROUP.id, CHAU)).toBeUndefined();
  });
});

describe('order and concurrency', () => {
  it('updates of one chat are handled in order, another chat’s at the same time', async () => {
    const started: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // A command that, for "1", waits until the test lets it go: a slow save, say.
    const slow: Command = {
      name: 'cham',
      access: 'anyone',
      summary: 'lệnh thử chậm',
      async run(ctx) {
        started.push(ctx.args);
        if (ctx.args === '1') await held;
        await ctx.reply(`xong ${ctx.args}`);
      },
    };
    t = await telegramBot({ commands: [...COMMANDS, slow], flows: FLOWS });
    const other = { id: -1005550001111, type: 'supergroup' as const, title: 'Nhóm khác' };

    const first = t.feed(textUpdate(CHAU, '/cham 1'));
    const second = t.feed(textUpdate(DUNG, '/cham 2'));
    await t.feed(textUpdate(DUNG, '/cham b', { chat: other }));
    // The other chat was answered while the first chat's first update was still running,
    // and that chat's second update has not started.
    expect(started).toEqual(['1', 'b']);
    expect(t.api.sent.map((c) => visibleText(String(c.payload.text)))).toEqual(['xong b']);

    release();
    await Promise.all([first, second]);
    expect(started).toEqual(['1', 'b', '2']);
    expect(t.api.sent.map((c) => visibleText(String(c.payload.text)))).toEqual(['xong b', 'xong 1', 'xong 2']);
  });
});
