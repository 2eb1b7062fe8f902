import { eq } from 'drizzle-orm';
import type { Update, User } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from '../../../commands/shared/command.js';
import type { Flow } from '../../../commands/shared/flow.js';
import { COMMANDS, FLOWS } from '../../../commands/index.js';
import { conversations, identities } from '../../../db/schema.js';
import {
  type ApiCall,
  type ApiResponse,
  CHAU,
  DUNG,
  fixture,
  grant,
  STRANGER,
  SUPERGROUP,
  type TelegramBot,
  telegramBot,
  textUpdate,
  visibleText,
} from '../../helpers/telegramBot.js';
import { BASIC, buttonsOf, messageIdOf, telegramConversation, UPGRADED } from '../../helpers/telegramCalls.js';
import { callbackQuery, supergroup } from '../../helpers/telegramUpdates.js';

/**
 * What people in a group met with the bot in privacy mode (issue 22, "On Telegram"): it sees
 * commands, replies to its own messages and button presses only, and must still tell everyone
 * the truth about whose question, whose button and which chat a message belongs to.
 */

let t: TelegramBot;
afterEach(() => t?.close());

/** SUPERGROUP, typed as grammY's chat for callbackQuery. */
const GROUP = supergroup(SUPERGROUP.id, SUPERGROUP.title);
/** Dung has no @username: she is named by a link carrying her id. */
const DUNG_LINK = '<a href="tg://user?id=6234567890">Dung Phạm Thị</a>';

function conversationOf(chatId: number, user: User) {
  return telegramConversation(t.db, chatId, user);
}

async function feed(update: Update): Promise<ApiCall[]> {
  const mark = t.api.calls.length;
  await t.feed(update);
  return t.api.calls.slice(mark);
}

function sentIn(calls: ApiCall[]): ApiCall[] {
  return calls.filter((c) => c.method === 'sendMessage' && c.response.ok);
}

/** Presses the button labelled `label` on the bot's message, as Telegram delivers it (the message whole). */
async function press(from: User, prompt: ApiCall, label: string, chat: { id: number; type: 'group' | 'supergroup'; title: string } = GROUP) {
  const data = buttonsOf(prompt).find((b) => b.text === label)?.callback_data;
  expect(data, `a button “${label}”`).toBeDefined();
  const message = { ...(prompt.response.result as object), chat, text: visibleText(String(prompt.payload.text)) };
  const update = callbackQuery(chat, from, message, data!);
  const calls = await feed(update);
  const answers = calls.filter((c) => c.method === 'answerCallbackQuery');
  expect(answers.map((a) => a.payload.callback_query_id)).toEqual([update.callback_query!.id]);
  return { calls, answer: answers[0]!, sent: sentIn(calls) };
}

describe('every question in a group names its person', () => {
  it('two people answering at once: each question after a press names whose it is, by @username or by name', async () => {
    t = await telegramBot();
    grant(t.db, CHAU, 'officer', 'CAMXUYEN');
    grant(t.db, DUNG, 'officer', 'CAMBINH');
    const [chauKind] = sentIn(await feed(textUpdate(CHAU, '/dangky')));
    const [dungKind] = sentIn(await feed(textUpdate(DUNG, '/dangky')));
    // The first question replies to the command: the reply names the person.
    expect(chauKind!.payload.reply_parameters).toMatchObject({ message_id: expect.any(Number) });
    expect(visibleText(chauKind!.payload.text)).toBe('(1/9) Đăng ký loại nào?');

    const chau = await press(CHAU, chauKind!, 'Mô hình “Dân vận khéo”');
    const dung = await press(DUNG, dungKind!, 'Mô hình “Dân vận khéo”');
    for (const [sent, named] of [
      [chau.sent, '@leminhchau_cx'],
      [dung.sent, DUNG_LINK],
    ] as const) {
      expect(sent).toHaveLength(1);
      expect(sent[0]!.payload.text).toBe(`${named} (2/9) Mô hình của tập thể hay cá nhân?`);
      expect(sent[0]!.payload.reply_parameters).toBeUndefined();
      expect(buttonsOf(sent[0]!).map((b) => b.text)).toEqual(['Tập thể', 'Cá nhân']);
    }
    // And so on for every later question asked after a press.
    const { sent: field } = await press(DUNG, dung.sent[0]!, 'Tập thể');
    expect(field[0]!.payload.text).toBe(`${DUNG_LINK} (3/9) Mô hình thuộc lĩnh vực nào?`);
    expect(buttonsOf(field[0]!).length).toBeGreaterThan(0);
  });
});

describe('a reply to one of your own earlier questions', () => {
  /** Châu at the question after the name, which she answered by a reply. */
  async function pastTheName() {
    t = await telegramBot();
    grant(t.db, CHAU, 'officer', 'CAMXUYEN');
    const [kind] = sentIn(await feed(textUpdate(CHAU, '/dangky')));
    const { sent: holder } = await press(CHAU, kind!, 'Mô hình “Dân vận khéo”');
    const { sent: field } = await press(CHAU, holder[0]!, 'Tập thể');
    const { sent: name } = await press(CHAU, field[0]!, 'Kinh tế');
    const namePrompt = name[0]!;
    const [contentPrompt] = sentIn(await feed(textUpdate(CHAU, 'Chợ phiên 0 đồng', { replyTo: messageIdOf(namePrompt) })));
    expect(visibleText(contentPrompt!.payload.text)).toMatch(/^\(5\/9\) /);
    return { namePrompt, contentPrompt: contentPrompt! };
  }

  it('is told once how to correct, and nothing changes; the latest question still takes the answer', async () => {
    const { namePrompt, contentPrompt } = await pastTheName();
    const before = conversationOf(SUPERGROUP.id, CHAU)!;
    expect(before).toMatchObject({ step: 'content', answers: { name: 'Chợ phiên 0 đồng' } });

    const correction = textUpdate(CHAU, 'Chợ phiên 0 đồng cho hộ nghèo', { replyTo: messageIdOf(namePrompt) });
    const told = sentIn(await feed(correction));
    expect(told.map((c) => c.payload)).toEqual([
      {
        chat_id: SUPERGROUP.id,
        text: 'Câu hỏi này đã qua nên bot chưa ghi câu trả lời vừa rồi. Bot chỉ nhận câu trả lời cho câu hỏi mới nhất gửi bạn; muốn sửa câu đã trả lời trước, bạn gõ /quaylai.',
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_parameters: { message_id: correction.message!.message_id, allow_sending_without_reply: true },
      },
    ]);
    expect(conversationOf(SUPERGROUP.id, CHAU)).toEqual(before);
    // Once per question: the same reply again is not answered a second time.
    expect(await feed(textUpdate(CHAU, 'Chợ phiên 0 đồng cho hộ nghèo', { replyTo: messageIdOf(namePrompt) }))).toEqual([]);
    // Someone else replying to her old question is still chatter.
    expect(await feed(textUpdate(STRANGER, 'Tên khác', { replyTo: messageIdOf(namePrompt) }))).toEqual([]);

    // Her answer to the latest question moves the flow as before.
    sentIn(await feed(textUpdate(CHAU, 'Mỗi tháng một phiên chợ cho hộ nghèo.', { replyTo: messageIdOf(contentPrompt) })));
    expect(conversationOf(SUPERGROUP.id, CHAU)!.answers).toMatchObject({ content: 'Mỗi tháng một phiên chợ cho hộ nghèo.' });
  });

  it('a command sent as a reply to an old question is a command; once the conversation is over, old questions are chatter', async () => {
    const { namePrompt, contentPrompt } = await pastTheName();
    const [back] = sentIn(await feed(textUpdate(CHAU, '/quaylai', { replyTo: messageIdOf(namePrompt) })));
    expect(visibleText(back!.payload.text)).toContain('Tên mô hình là gì?');
    expect(conversationOf(SUPERGROUP.id, CHAU)!.step).toBe('name');

    await feed(textUpdate(CHAU, '/huy'));
    expect(conversationOf(SUPERGROUP.id, CHAU)).toBeUndefined();
    // Nothing to correct any more: no advice to type /quaylai.
    expect(await feed(textUpdate(CHAU, 'Chợ phiên 0 đồng', { replyTo: messageIdOf(contentPrompt) }))).toEqual([]);
  });
});

describe('an admin posting as the anonymous group admin', () => {
  /** What Telegram sends for an admin who "remains anonymous": from the placeholder bot, on behalf of the group. */
  const GROUP_ANONYMOUS_BOT: User = { id: 1087968824, is_bot: true, first_name: 'Group', username: 'GroupAnonymousBot' };
  const OTHER = { id: -1005550002222, type: 'supergroup' as const, title: 'Dân vận khéo xã Cẩm Bình' };
  const NOTICE =
    'Bạn đang gửi với tư cách quản trị viên ẩn danh nên bot không biết ai đang gõ và chưa làm theo lệnh này. ' +
    'Bạn tắt chế độ ẩn danh (Remain anonymous) trong quyền quản trị của mình rồi gõ lại, hoặc nhắn riêng cho bot @dvk_test_bot.';

  function anonymous(text: string, chat: typeof OTHER | typeof SUPERGROUP = SUPERGROUP, replyTo?: number): Update {
    const update = textUpdate(GROUP_ANONYMOUS_BOT, text, { chat, replyTo });
    (update.message as unknown as Record<string, unknown>).sender_chat = { id: chat.id, title: chat.title, type: 'supergroup' };
    return update;
  }

  it('is told the bot cannot tell who is writing, once a minute per group; nobody is recorded', async () => {
    t = await telegramBot();
    const command = anonymous('/dangky');
    const calls = await feed(command);
    expect(sentIn(calls).map((c) => c.payload)).toEqual([
      {
        chat_id: SUPERGROUP.id,
        text: NOTICE,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_parameters: { message_id: command.message!.message_id, allow_sending_without_reply: true },
      },
    ]);
    expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
    expect(
      t.db
        .select()
        .from(identities)
        .where(eq(identities.platformUserId, String(GROUP_ANONYMOUS_BOT.id)))
        .all(),
    ).toEqual([]);
    expect(t.db.select().from(conversations).all()).toEqual([]);

    // A burst of commands gets that one answer.
    expect(await feed(anonymous('/huongdan'))).toEqual([]);
    // Another group hears it too; a reply to the bot's message counts like a command.
    const [reply] = sentIn(await feed(anonymous('CAMXUYEN', OTHER, 4242)));
    expect(visibleText(reply!.payload.text)).toBe(NOTICE);
    expect(reply!.payload.chat_id).toBe(OTHER.id);
  });

  it('is not answered for what the bot would not act on from anyone: another bot’s command, plain chatter', async () => {
    t = await telegramBot();
    expect(await feed(anonymous('/huongdan@another_bot'))).toEqual([]);
    expect(await feed(anonymous('Chào cả nhóm'))).toEqual([]);
    // A person posting as a channel is not an anonymous admin of this group.
    const asChannel = textUpdate(GROUP_ANONYMOUS_BOT, '/huongdan');
    (asChannel.message as unknown as Record<string, unknown>).sender_chat = { id: -1001987654321, title: 'Tin Dân vận', type: 'channel' };
    expect(await feed(asChannel)).toEqual([]);
  });
});

describe('alerts of a press tell the truth', () => {
  /** A one-question flow with a summary, counting its saves. */
  function oneQuestion() {
    const saved: string[] = [];
    const flow: Flow = {
      id: 'thu',
      command: 'thu',
      title: 'ghi thử',
      version: 1,
      steps: [
        {
          key: 'pick',
          label: 'Lựa chọn',
          prompt: 'Bạn chọn mục nào?',
          choices: [
            { value: 'a', label: 'Mục A' },
            { value: 'b', label: 'Mục B' },
          ],
        },
      ],
      save: (s) => {
        saved.push(String(s.answers.pick));
        return 'Đã ghi.';
      },
    };
    const command: Command = { name: 'thu', access: 'anyone', summary: 'ghi thử', run: (ctx) => ctx.conversations.start('thu', ctx) };
    return { saved, commands: [...COMMANDS, command], flows: [...FLOWS, flow] };
  }

  it('the second tap of a double tap on “Lưu” says it is saved already; on “Hủy”, that it was pressed', async () => {
    const { saved, commands, flows } = oneQuestion();
    t = await telegramBot({ commands, flows });
    const [question] = sentIn(await feed(textUpdate(STRANGER, '/thu')));
    const { sent: summary } = await press(STRANGER, question!, 'Mục A');
    expect(buttonsOf(summary[0]!).map((b) => b.text)).toContain('Lưu');

    const first = await press(STRANGER, summary[0]!, 'Lưu');
    expect(first.answer.payload.text).toBeUndefined();
    expect(first.sent.map((c) => visibleText(c.payload.text))).toEqual(['Đã ghi.']);
    const second = await press(STRANGER, summary[0]!, 'Lưu');
    expect(second.answer.payload).toMatchObject({ show_alert: true, text: 'Đã lưu rồi.' });
    expect(second.calls.map((c) => c.method)).toEqual(['answerCallbackQuery']);
    const third = await press(STRANGER, summary[0]!, 'Lưu');
    expect(third.answer.payload).toMatchObject({ show_alert: true, text: 'Đã lưu rồi.' });
    expect(saved).toEqual(['a']);

    const [again] = sentIn(await feed(textUpdate(STRANGER, '/thu')));
    const { sent: other } = await press(STRANGER, again!, 'Mục B');
    await press(STRANGER, other[0]!, 'Hủy');
    const cancelTwice = await press(STRANGER, other[0]!, 'Hủy');
    expect(cancelTwice.answer.payload).toMatchObject({ show_alert: true, text: 'Bạn đã bấm “Hủy” rồi.' });
    expect(saved).toEqual(['a']);
  });

  it('a button of another person’s question says so, also in the middle of your own conversation and after a restart', async () => {
    t = await telegramBot();
    grant(t.db, CHAU, 'officer', 'CAMXUYEN');
    grant(t.db, DUNG, 'officer', 'CAMBINH');
    const [chauKind] = sentIn(await feed(textUpdate(CHAU, '/dangky')));
    await feed(textUpdate(DUNG, '/dangky'));
    const dungBefore = conversationOf(SUPERGROUP.id, DUNG)!;
    const chauBefore = conversationOf(SUPERGROUP.id, CHAU)!;

    const { answer, calls } = await press(DUNG, chauKind!, 'Mô hình “Dân vận khéo”');
    expect(answer.payload).toMatchObject({ show_alert: true, text: 'Nút này của người khác nên không có gì thay đổi.' });
    expect(calls.map((c) => c.method)).toEqual(['answerCallbackQuery']);
    expect(conversationOf(SUPERGROUP.id, DUNG)).toEqual(dungBefore);
    expect(conversationOf(SUPERGROUP.id, CHAU)).toEqual(chauBefore);

    // A question this process did not send (asked before a restart): whose it is shows in the
    // message itself, the person it replies to or, after a press, names first.
    const bot = { id: 777000111, is_bot: true, first_name: 'DVK', username: 'dvk_test_bot' } as User;
    const keyboard = { inline_keyboard: [[{ text: 'Tập thể', callback_data: 'collective' }]] };
    const replying = {
      message_id: 7001,
      from: bot,
      chat: SUPERGROUP,
      date: 1773108001,
      text: '(2/9) Mô hình của tập thể hay cá nhân?',
      reply_markup: keyboard,
    };
    const naming = {
      ...replying,
      message_id: 7002,
      text: 'Châu Lê Minh (2/9) Mô hình của tập thể hay cá nhân?',
      entities: [{ type: 'text_mention', offset: 0, length: 12, user: CHAU }],
    };
    for (const message of [{ ...replying, reply_to_message: { message_id: 7000, from: CHAU, chat: SUPERGROUP, date: 1773108000, text: '/dangky' } }, naming]) {
      const update = callbackQuery(GROUP, DUNG, message, 'collective');
      const alert = (await feed(update)).find((c) => c.method === 'answerCallbackQuery')!;
      expect(alert.payload).toMatchObject({ show_alert: true, text: 'Nút này của người khác nên không có gì thay đổi.' });
    }
    expect(conversationOf(SUPERGROUP.id, DUNG)).toEqual(dungBefore);
  });
});

describe('a group upgraded to a supergroup while someone answers', () => {
  it('the next question goes to the new chat naming the person, not replying to an id of the old group', async () => {
    t = await telegramBot();
    grant(t.db, DUNG, 'officer', 'CAMBINH');
    const [kind] = sentIn(await feed(textUpdate(DUNG, '/dangky', { chat: BASIC })));
    const { sent: holder } = await press(DUNG, kind!, 'Mô hình “Dân vận khéo”', BASIC);
    const { sent: field } = await press(DUNG, holder[0]!, 'Tập thể', BASIC);
    const { sent: name } = await press(DUNG, field[0]!, 'Kinh tế', BASIC);

    // The group is upgraded as she answers: Telegram refuses the bot's next message to the old id.
    t.api.rule((call) => (call.payload.chat_id === BASIC.id ? fixture<ApiResponse>('response-400-upgraded') : undefined));
    const answer = textUpdate(DUNG, 'Tổ tự quản đường làng xanh', { chat: BASIC, replyTo: messageIdOf(name[0]!) });
    const calls = await feed(answer);
    const sends = calls.filter((c) => c.method === 'sendMessage');
    expect(sends.map((c) => [c.payload.chat_id, c.response.ok])).toEqual([
      [BASIC.id, false],
      [UPGRADED.id, true],
    ]);
    const [refused, asked] = sends as [ApiCall, ApiCall];
    expect(refused.payload.reply_parameters).toEqual({ message_id: answer.message!.message_id, allow_sending_without_reply: true });
    // In the new chat her message's id means nothing: the question names her instead.
    expect(asked.payload.reply_parameters).toBeUndefined();
    expect(asked.payload.text).toBe(`${DUNG_LINK} (5/9) Mục tiêu và nội dung chính của mô hình? (vài câu ngắn)`);
    expect(asked.payload.reply_markup).toEqual({ force_reply: true, selective: true });
    expect(conversationOf(UPGRADED.id, DUNG)).toMatchObject({ step: 'content', promptMessageId: String(messageIdOf(asked)) });

    // Her reply there is the answer, and is replied to as usual (an id of that chat).
    const reply = textUpdate(DUNG, 'Mỗi tháng một lần dọn đường làng.', { chat: UPGRADED, replyTo: messageIdOf(asked) });
    const next = sentIn(await feed(reply));
    expect(next.map((c) => [c.payload.chat_id, c.payload.reply_parameters])).toEqual([
      [UPGRADED.id, { message_id: reply.message!.message_id, allow_sending_without_reply: true }],
    ]);
    expect(conversationOf(UPGRADED.id, DUNG)!.answers).toMatchObject({ content: 'Mỗi tháng một lần dọn đường làng.' });

    // A send still addressed to the old id (a reminder queued before) goes straight to the new chat.
    const mark = t.api.calls.length;
    await t.adapter.send({ platform: 'telegram', id: String(BASIC.id), kind: 'group' }, { text: 'Nhắc hạn cập nhật tiến độ.' });
    expect(t.api.calls.slice(mark).map((c) => [c.method, c.payload.chat_id])).toEqual([['sendMessage', UPGRADED.id]]);
  });
});
