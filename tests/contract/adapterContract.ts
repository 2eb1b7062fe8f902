import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../bot/app.js';
import {
  type ChatAdapter,
  ChatGoneError,
  type ChatRef,
  type IncomingMessage,
  type Outbound,
  type PlatformUser,
  type Reply,
  sendRatesOf,
} from '../../core/chat.js';
import { SYSTEM_ACTOR } from '../../db/audit.js';
import { findConversation } from '../../db/conversations.js';
import { resolveCaller } from '../../db/people.js';
import { grantRole } from '../../db/roles.js';
import { auditLog, chats, fields, identities, models, type Role, roles } from '../../db/schema.js';
import { unitByCode } from '../../db/unitAdmin.js';
import { RateLimiter } from '../../scheduler/rateLimiter.js';
import { DANGKY_ANSWERS } from '../helpers/dangkyAnswers.js';

/**
 * One suite for every chat adapter (issue 18 item 7): the same scenarios against the simulator,
 * Telegram (grammY over the fake Bot API) and Zalo (zca-js over the fake network), each run through
 * the real adapter and the real core. A platform comes in through a small driver: how a member
 * writes in a group and answers a question there, what the platform received from the bot, and —
 * when the platform can — a message delivered twice and a chat that is gone. A new adapter (a Zalo
 * Official Account…) gets a driver and a `*.contract.test.ts` calling `adapterContract(driver)`.
 */

/**
 * Text typed in a message: plain strings, people mentioned the way the platform lets a member
 * mention them (`as`: the text the mention shows), and the bot itself mentioned as members address it.
 */
export type Typed = string | ReadonlyArray<string | { mention: PlatformUser; as: string } | { mentionBot: true }>;

/** One message the bot sent, as the platform holds it. */
export interface BotMessage {
  /** The platform's chat id, as text. */
  chatId: string;
  /** What a member reads (formatting gone, entities decoded); '' for a file sent on its own. */
  text: string;
  file?: { name: string; data: Buffer };
}

/** One message a person sent, as the platform delivered it, and what the bot sent while handling it. */
export interface Delivery {
  /** The platform's id of the delivery (Telegram update_id, Zalo msgId, the simulator's line id). */
  id: string;
  replies: BotMessage[];
  /** What the adapter handed the core, and what it gave the handler to answer on. */
  message: IncomingMessage;
  outbound: Outbound;
}

/** The demo deployment, the real core and the real adapter over its platform's fake, on 10/3/2026 09:00. */
export interface PlatformWorld {
  readonly adapter: ChatAdapter;
  readonly core: Core;
  /** The group the scenarios play in (a fresh one for the core, the demo's on the simulator). */
  readonly group: ChatRef;
  /** Someone on this platform going by `displayName` (the same name gives the same person). */
  person(displayName: string): PlatformUser;
  /** `from` writes a new message in the group; resolves once the bot has handled it. */
  say(from: PlatformUser, typed: Typed): Promise<Delivery>;
  /** `from` answers the bot's latest question in the group, the way a member answers there. */
  answer(from: PlatformUser, typed: Typed): Promise<Delivery>;
  /** Every message the bot sent on the platform, in order. */
  sent(): BotMessage[];
  /** The platform delivers that message again (same id); what the bot sent meanwhile. */
  redeliver?(delivery: Delivery): Promise<BotMessage[]>;
  /** From now on the platform refuses the next send to `chat` as a chat the bot can no longer write in. */
  refuseSends?(chat: ChatRef): void;
  /** The platform tells the bot it is out of `chat`; resolves once the adapter has reported it. */
  removeBot?(chat: ChatRef): Promise<void>;
  close(): Promise<void>;
}

export interface PlatformDriver {
  /** The adapter, as test titles name it. */
  readonly name: string;
  /** Why this platform never delivers one message twice (its world then has no `redeliver`). */
  readonly noRedelivery?: string;
  /** Why a chat is never gone on this platform (its world then has no `refuseSends`/`removeBot`). */
  readonly noChatGone?: string;
  /** Why this platform marks no mentions (a person is named by the name typed); absent: it marks each with the person's id. */
  readonly noMentionMarks?: string;
  start(): Promise<PlatformWorld>;
}

// People of the scenarios: none is a demo person, and no two names fold alike.
const OFFICER = 'Lê Thị Mỹ Duyên';
const STRANGER = 'Vũ Quang Khải';
const ADMIN = 'Đặng Thu Hà';
/** Mentioned by name: marks NFD splits from their letters (ị, ỳ, ư, ơ). */
const NAMED = 'Trịnh Thị Thuỳ Dương';

const MODEL = {
  kind: 'dan_van_kheo',
  holderType: 'collective',
  holderName: null,
  field: 'Kinh tế',
  name: 'Chợ phiên 0 đồng cho hộ nghèo',
  content: 'Mỗi tháng một phiên chợ để hộ nghèo nhận nhu yếu phẩm miễn phí.',
  expectedResult: null,
  startDate: '2026-03-01',
  endDate: '2026-12-31',
  personInCharge: 'Lê Minh Châu, chuyên viên',
  state: 'pending',
  year: 2026,
} as const;

function grant(w: PlatformWorld, user: PlatformUser, role: Role, unitCode: string | null): number {
  const db = w.core.database.db;
  const now = w.core.clock.now();
  const caller = resolveCaller(db, w.group.platform, user, now);
  const unitId = unitCode === null ? null : unitByCode(db, unitCode)!.id;
  db.transaction((tx) => grantRole(tx, { personId: caller.personId, role, unitId }, SYSTEM_ACTOR, now));
  return caller.personId;
}

function personIdOf(w: PlatformWorld, user: PlatformUser): number | undefined {
  return w.core.database.db
    .select({ personId: identities.personId })
    .from(identities)
    .where(and(eq(identities.platform, w.group.platform), eq(identities.platformUserId, user.id)))
    .get()?.personId;
}

function chatRow(w: PlatformWorld, chat: ChatRef) {
  return w.core.database.db
    .select()
    .from(chats)
    .where(and(eq(chats.platform, chat.platform), eq(chats.platformChatId, chat.id)))
    .get();
}

function conversationOf(w: PlatformWorld, user: PlatformUser) {
  return findConversation(w.core.database.db, { platform: w.group.platform, chatId: w.group.id, userId: user.id });
}

function modelNamed(w: PlatformWorld, name: string) {
  return w.core.database.db
    .select({ model: models, field: fields.label })
    .from(models)
    .innerJoin(fields, eq(fields.id, models.fieldId))
    .where(eq(models.name, name))
    .get();
}

const textOf = (messages: readonly BotMessage[]) => messages.map((m) => m.text).join('\n');
/** A wrong answer is asked again with this sign: an answer taken never sees it. */
const REASKED = /⚠️/;

/** The officer's answers to every question of /dangky, each of which must be taken. */
async function answerAll(w: PlatformWorld, officer: PlatformUser, answers: readonly string[]): Promise<void> {
  for (const answer of answers) {
    const { replies } = await w.answer(officer, answer);
    expect(replies.length, `the bot goes on after “${answer}”`).toBeGreaterThan(0);
    expect(textOf(replies), `“${answer}” is taken`).not.toMatch(REASKED);
  }
}

/** A reply longer than `limit` (or 20,000 characters with none): lines, a line longer than the limit, and HTML-like text. */
function longText(limit: number): string {
  const target = Number.isFinite(limit) ? Math.floor(limit * 2.5) : 20_000;
  const lines: string[] = [];
  let length = 0;
  for (let i = 1; length < target; i++) {
    const line = `Dòng ${String(i).padStart(4, '0')}: Xã Cẩm Thành cập nhật tiến độ <b>mô hình</b> & “Dân vận khéo” — 70%.`;
    lines.push(line);
    length += line.length + 1;
    // One line on its own longer than a message: it has to be cut between words.
    if (i === 7) {
      const words = Array.from({ length: Math.ceil((Number.isFinite(limit) ? limit * 1.3 : 3000) / 8) }, (_, k) => `từ${k + 1}`);
      lines.push(words.join(' '));
      length += lines.at(-1)!.length + 1;
    }
  }
  return lines.join('\n');
}

const withoutSpaces = (text: string) => text.replace(/\s+/g, '');

export function adapterContract(driver: PlatformDriver): void {
  describe(`the adapter contract: ${driver.name}`, () => {
    let world: PlatformWorld | undefined;
    const start = async () => (world = await driver.start());
    afterEach(async () => {
      await world?.close();
      world = undefined;
    });

    it('declares what its platform lets it send, and hands the same to the commands', async () => {
      const w = await start();
      const { limits, platform } = w.adapter;
      expect(limits.messageChars).toBeGreaterThan(0);
      if (limits.fileBytes !== undefined) expect(limits.fileBytes).toBeGreaterThan(0);
      // The reminder sender paces by it: a rate its limiter cannot take would stop every reminder.
      expect(() => new RateLimiter(limits.sending)).not.toThrow();
      expect(sendRatesOf([w.adapter])).toEqual({ [platform]: limits.sending });
      const { outbound } = await w.say(w.person(STRANGER), '/huongdan');
      expect(outbound.maxFileBytes).toBe(limits.fileBytes);
    });

    it('a whole /dangky in a group, answered as members answer there, stores the model with its fields', async () => {
      const w = await start();
      const officer = w.person(OFFICER);
      const personId = grant(w, officer, 'officer', 'CAMXUYEN');
      const opened = await w.say(officer, '/dangky');
      expect(textOf(opened.replies)).toContain('Đăng ký loại nào?');
      await answerAll(w, officer, DANGKY_ANSWERS);
      const saved = await w.answer(officer, 'đồng ý');
      expect(textOf(saved.replies)).toMatch(
        /✅ Đã ghi nhận “Chợ phiên 0 đồng cho hộ nghèo” \(Mô hình “Dân vận khéo”\) của Xã Cẩm Xuyên\.\nMã: DVK-2026-0010 — trạng thái: chờ duyệt\./,
      );
      expect(saved.replies.every((m) => m.chatId === w.group.id)).toBe(true);

      const row = modelNamed(w, MODEL.name);
      expect(row).toBeDefined();
      const { field, ...model } = MODEL;
      expect(row!.field).toBe(field);
      expect(row!.model).toMatchObject({ ...model, code: 'DVK-2026-0010', unitId: unitByCode(w.core.database.db, 'CAMXUYEN')!.id, createdBy: personId });
      const audit = w.core.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'model.register'), eq(auditLog.entityId, String(row!.model.id))))
        .all();
      expect(audit.map((a) => a.actorLabel)).toEqual([`${OFFICER} (${w.group.platform}:${officer.id})`]);
      expect(conversationOf(w, officer)).toBeUndefined();
    });

    it('a stranger’s text in the middle of it neither moves the flow nor counts as an answer', async () => {
      const w = await start();
      const officer = w.person(OFFICER);
      const stranger = w.person(STRANGER);
      grant(w, officer, 'officer', 'CAMXUYEN');
      await w.say(officer, '/dangky');
      await answerAll(w, officer, DANGKY_ANSWERS.slice(0, 3));
      const asking = conversationOf(w, officer)!;
      expect(asking.step).toBe('name');

      // Written in the group, and as an answer to the question (on Telegram: a reply to the officer's prompt).
      await w.say(stranger, 'Tên do người lạ gõ vào nhóm');
      await w.answer(stranger, 'Tên người lạ trả lời câu hỏi');
      const after = conversationOf(w, officer)!;
      expect({ step: after.step, answers: after.answers, version: after.version, prompt: after.promptMessageId }).toEqual({
        step: asking.step,
        answers: asking.answers,
        version: asking.version,
        prompt: asking.promptMessageId,
      });
      expect(conversationOf(w, stranger)).toBeUndefined();

      await answerAll(w, officer, DANGKY_ANSWERS.slice(3));
      const saved = await w.answer(officer, 'đồng ý');
      expect(textOf(saved.replies)).toContain('✅ Đã ghi nhận “Chợ phiên 0 đồng cho hộ nghèo”');
      expect(modelNamed(w, MODEL.name)?.model).toMatchObject({ content: MODEL.content, personInCharge: MODEL.personInCharge });
      expect(modelNamed(w, 'Tên do người lạ gõ vào nhóm')).toBeUndefined();
      expect(modelNamed(w, 'Tên người lạ trả lời câu hỏi')).toBeUndefined();
    });

    it.each(['NFC', 'NFD'] as const)(
      `a person mentioned by a name with diacritics typed in %s is the person named${driver.noMentionMarks ? ` (no mention marks: ${driver.noMentionMarks})` : ', the mention at its place in the NFC text'}`,
      async (form) => {
        const w = await start();
        const admin = w.person(ADMIN);
        grant(w, admin, 'admin', null);
        const named = w.person(NAMED);
        // The bot names only people it has seen.
        await w.say(named, '/huongdan');
        const typed = `@${NAMED}`.normalize(form);
        expect(typed === `@${NAMED}`).toBe(form === 'NFC');
        const { replies, message } = await w.say(admin, ['/phanquyen lãnh đạo '.normalize(form), { mention: named, as: typed }, ' CAMXUYEN']);
        // The core reads NFC, and a mention's place is counted in that text.
        expect(message.text).toBe(`/phanquyen lãnh đạo @${NAMED} CAMXUYEN`);
        if (driver.noMentionMarks) expect(message.mentions).toEqual([]);
        else expect(message.mentions).toEqual([{ userId: named.id, offset: '/phanquyen lãnh đạo '.length, length: `@${NAMED}`.length }]);
        expect(textOf(replies)).toContain(NAMED);
        expect(textOf(replies)).toContain('bạn đã được cấp quyền lãnh đạo Xã Cẩm Xuyên');
        const personId = personIdOf(w, named);
        expect(personId).toBeDefined();
        expect(w.core.database.db.select({ role: roles.role, unitId: roles.unitId }).from(roles).where(eq(roles.personId, personId!)).all()).toEqual([
          { role: 'leader', unitId: unitByCode(w.core.database.db, 'CAMXUYEN')!.id },
        ]);
      },
    );

    it('an answer or a command addressed to the bot by a mention is read without the mention', async () => {
      const w = await start();
      const officer = w.person(OFFICER);
      grant(w, officer, 'officer', 'CAMXUYEN');
      const help = await w.say(officer, [{ mentionBot: true }, ' /huongdan']);
      expect({ text: help.message.text, mentions: help.message.mentions }).toEqual({ text: '/huongdan', mentions: [] });
      expect(textOf(help.replies)).toContain('/dangky');
      await w.say(officer, '/dangky');
      for (const answer of DANGKY_ANSWERS.slice(0, 3)) {
        const { replies, message } = await w.answer(officer, [{ mentionBot: true }, ', ', answer]);
        expect(message.text).toBe(answer);
        expect(textOf(replies), `“${answer}” is taken`).not.toMatch(REASKED);
      }
      expect(conversationOf(w, officer)).toMatchObject({ step: 'name', answers: { kind: MODEL.kind, holder: MODEL.holderType } });
    });

    it('a reply longer than the platform’s message limit arrives whole, in order, in messages within the limit', async () => {
      const w = await start();
      const limit = w.adapter.limits.messageChars;
      const text = longText(limit);
      expect(text.length).toBeGreaterThan(Number.isFinite(limit) ? 2 * limit : 10_000);
      const before = w.sent().length;
      await w.adapter.send(w.group, { text });
      const pieces = w.sent().slice(before);
      expect(pieces.every((p) => p.chatId === w.group.id && p.file === undefined)).toBe(true);
      if (Number.isFinite(limit)) {
        expect(pieces.length).toBeGreaterThanOrEqual(Math.ceil(text.length / limit));
        for (const piece of pieces) expect(piece.text.length).toBeLessThanOrEqual(limit);
      } else {
        // No limit declared (a terminal prints any length): one message.
        expect(pieces).toHaveLength(1);
      }
      // Cut only at a line end or between words: nothing lost, nothing reordered.
      expect(withoutSpaces(pieces.map((p) => p.text).join(''))).toBe(withoutSpaces(text));
    });

    it('a file the bot sends reaches the chat as a file, whole, with its name', async () => {
      const w = await start();
      const data = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31 + (i >> 8)) % 256));
      const reply: Reply = {
        text: '📎 Báo cáo quý 1 năm 2026 của Xã Cẩm Xuyên',
        files: [{ fileName: 'bao-cao-quy-1-2026.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data }],
      };
      const before = w.sent().length;
      const sent = await w.adapter.send(w.group, reply);
      expect(sent.messageId).not.toBe('');
      const arrived = w.sent().slice(before);
      expect(arrived.every((m) => m.chatId === w.group.id)).toBe(true);
      expect(textOf(arrived)).toContain('Báo cáo quý 1 năm 2026 của Xã Cẩm Xuyên');
      const files = arrived.flatMap((m) => (m.file ? [m.file] : []));
      expect(files.map((f) => f.name)).toEqual(['bao-cao-quy-1-2026.xlsx']);
      expect(files[0]!.data.equals(data)).toBe(true);
    });

    it('a report file asked for in the group reaches the group as a file', async () => {
      const w = await start();
      const officer = w.person(OFFICER);
      grant(w, officer, 'officer', 'CAMXUYEN');
      const before = w.sent().length;
      await w.say(officer, '/baocao excel');
      // Made on the report thread, then sent to the chat that asked.
      await w.core.reports?.idle();
      const files = w
        .sent()
        .slice(before)
        .flatMap((m) => (m.file ? [{ chatId: m.chatId, ...m.file }] : []));
      expect(files.map((f) => [f.chatId, f.name])).toEqual([[w.group.id, expect.stringMatching(/\.xlsx$/)]]);
      // A spreadsheet is a zip archive.
      expect(files[0]!.data.subarray(0, 4).equals(Buffer.from('PK\u0003\u0004', 'latin1'))).toBe(true);
    });

    if (driver.noRedelivery) {
      it(`an update delivered twice: does not apply (${driver.noRedelivery}); the same text sent twice is two messages, both answered`, async () => {
        const w = await start();
        const stranger = w.person(STRANGER);
        const first = await w.say(stranger, '/huongdan');
        const again = await w.say(stranger, '/huongdan');
        expect(w.redeliver).toBeUndefined();
        expect(again.id).not.toBe(first.id);
        expect(first.replies.length).toBeGreaterThan(0);
        expect(textOf(again.replies)).toBe(textOf(first.replies));
      });
    } else {
      it('an update delivered twice is handled once; the same text sent anew is answered again', async () => {
        const w = await start();
        const officer = w.person(OFFICER);
        grant(w, officer, 'officer', 'CAMXUYEN');
        const help = await w.say(officer, '/huongdan');
        expect(help.replies.length).toBeGreaterThan(0);
        expect(await w.redeliver!(help)).toEqual([]);

        await w.say(officer, '/dangky');
        const kind = await w.answer(officer, DANGKY_ANSWERS[0]);
        const asking = conversationOf(w, officer)!;
        expect(asking.step).toBe('holder');
        // The answer delivered again does not answer the next question too.
        expect(await w.redeliver!(kind)).toEqual([]);
        expect(conversationOf(w, officer)).toEqual(asking);

        const anew = await w.say(officer, '/huongdan');
        expect(anew.id).not.toBe(help.id);
        expect(anew.replies.length).toBeGreaterThan(0);
      });
    }

    if (driver.noChatGone) {
      it(`the chat gone: does not apply (${driver.noChatGone}); a send to any chat goes out`, async () => {
        const w = await start();
        expect(w.refuseSends).toBeUndefined();
        expect(w.removeBot).toBeUndefined();
        const elsewhere: ChatRef = { ...w.group, id: `${w.group.id} (chưa ai nhắn)`, title: 'Nhóm chưa ai nhắn' };
        const before = w.sent().length;
        await w.adapter.send(elsewhere, { text: 'Nhắc hạn: còn 10 ngày' });
        expect(w.sent().slice(before)).toEqual([{ chatId: elsewhere.id, text: 'Nhắc hạn: còn 10 ngày' }]);
      });
    } else {
      it('a send the platform refuses because the chat is gone raises ChatGoneError, and the core marks the chat', async () => {
        const w = await start();
        const officer = w.person(OFFICER);
        await w.say(officer, '/huongdan');
        expect(chatRow(w, w.group)?.active).toBe(true);
        w.refuseSends!(w.group);
        const before = w.sent().length;
        const refused = await w.adapter.send(w.group, { text: 'Nhắc hạn: còn 10 ngày' }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(ChatGoneError);
        expect((refused as ChatGoneError).chat).toEqual({ platform: w.group.platform, id: w.group.id });
        expect(w.sent().slice(before)).toEqual([]);
        const row = chatRow(w, w.group)!;
        expect(row.active).toBe(false);
        expect(
          w.core.database.db
            .select()
            .from(auditLog)
            .where(and(eq(auditLog.action, 'chat.inactive'), eq(auditLog.entityId, String(row.id))))
            .all(),
        ).toHaveLength(1);
      });

      it('a reply refused because the chat is gone marks the chat, and no apology follows', async () => {
        const w = await start();
        const officer = w.person(OFFICER);
        await w.say(officer, '/huongdan');
        w.refuseSends!(w.group);
        const { replies } = await w.say(officer, '/toi');
        expect(replies).toEqual([]);
        expect(chatRow(w, w.group)?.active).toBe(false);
      });

      it('the platform saying the bot is out of the group marks the chat', async () => {
        const w = await start();
        await w.say(w.person(OFFICER), '/huongdan');
        expect(chatRow(w, w.group)?.active).toBe(true);
        await w.removeBot!(w.group);
        expect(chatRow(w, w.group)?.active).toBe(false);
      });
    }
  });
}
