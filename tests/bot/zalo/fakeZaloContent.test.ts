import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { attachments, conversations, models, progressUpdates } from '../../../db/schema.js';
import { BotBed, botBedPerTest, CHAU, GROUP_ID } from '../../../bench/fakes/zalo/botBed.js';

/**
 * Issue 17 item 3 on the test bed (zca-js 2.2.0's own listener decoding the recorded shapes in
 * tests/fixtures/zalo): what people send in Zalo besides plain text, through the registered
 * commands. A link card keeps the words typed, a photo's caption is its text, and voice, video,
 * stickers and GIFs are named as what they are when the bot wanted words.
 */

const MODEL = 'DVK-2026-0001'; // Xã Cẩm Xuyên's, recognised: Lê Minh Châu may update it.
const LINK_TEXT = 'Đã đưa tin lên cổng thông tin: https://dvk.example/tin-tuc/tu-sach-phap-luat';
// With the code given, the model question is skipped: three questions.
const ASK_TEXT = 'Kết quả đã làm được? (vài câu ngắn)';
const ASK_PROGRESS = '(2/3) Tiến độ đến nay?';
// A drop from the model's 100% adds a question before the files (issue 22).
const ASK_FILES = '(4/4) Gửi kèm ảnh hoặc tệp';
/** Every fixture sent as Lê Minh Châu (some were recorded from other members). */
const AS_CHAU = { uidFrom: CHAU.id, dName: CHAU.name };

const beds = botBedPerTest();

const start = () => beds.start();

/** Sends through `deliver`, waits until the bot has handled it, and returns what it said. */
const say = (b: BotBed, text: string) => b.exchange(() => b.zalo.deliverText(GROUP_ID, CHAU, text));
const send = (b: BotBed, fixture: string, overrides: Record<string, unknown> = {}) =>
  b.exchange(() => b.zalo.deliverFixture(fixture, { ...AS_CHAU, ...overrides }));

function modelId(b: BotBed): number {
  return b.core.database.db.select().from(models).where(eq(models.code, MODEL)).get()!.id;
}

function updates(b: BotBed) {
  return b.core.database.db
    .select()
    .from(progressUpdates)
    .where(eq(progressUpdates.modelId, modelId(b)))
    .all();
}

function openConversation(b: BotBed) {
  return b.core.database.db.select().from(conversations).where(eq(conversations.chatId, GROUP_ID)).get();
}

describe('Zalo messages that are not plain text, through /capnhat on the test bed', () => {
  it('an answer with a link keeps the words typed and the URL; a photo with a caption is the evidence; both are saved, and the photo is copied off Zalo’s CDN at once', async () => {
    const b = await start();
    const PHOTO = 'https://photo.zalo.invalid/jpg/v2/7102345678/anh-ra-mat.jpg';
    const jpeg = Buffer.from('\xff\xd8\xff\xe0 ảnh ra mắt mô hình', 'latin1');
    b.zalo.putOnCdn(PHOTO, jpeg);
    const before = updates(b).length;
    expect(await say(b, `/capnhat ${MODEL}`)).toContain(ASK_TEXT);

    // Zalo turns a text with a URL into a link card ("chat.recommended"): it is still the answer.
    expect(await send(b, 'link')).toContain(ASK_PROGRESS);
    // Down from 100%: confirmed first (issue 22).
    expect(await say(b, '80%')).toContain('Tiến độ giảm từ 100% xuống 80%');
    expect(await say(b, 'đồng ý')).toContain(ASK_FILES);
    const summary = await send(b, 'photo');
    expect(summary).toContain(`(1) Kết quả đã làm được: ${LINK_TEXT}`);
    expect(summary).toMatch(/\(\d+\) Ảnh, tệp đính kèm: 1 tệp: ảnh/);
    expect(await say(b, '1')).toContain(`✅ Đã ghi nhận tiến độ của ${MODEL}`);

    const saved = updates(b);
    expect(saved).toHaveLength(before + 1);
    expect(saved.at(-1)).toMatchObject({ text: LINK_TEXT, percent: 80 });
    const files = b.core.database.db
      .select()
      .from(attachments)
      .where(eq(attachments.updateId, saved.at(-1)!.id))
      .all();
    // The photo, with no file name (its caption was the person's words, not a name).
    expect(files.map((f) => [f.platform, f.kind, f.ref, f.fileName])).toEqual([['zalo', 'photo', PHOTO, null]]);

    // Item 11: the copy, content-addressed under the data folder, private, fetched once.
    await b.core.evidence!.idle();
    const sha256 = createHash('sha256').update(jpeg).digest('hex');
    const kept = b.core.database.db.select().from(attachments).where(eq(attachments.id, files[0]!.id)).get();
    expect(kept).toMatchObject({ evidenceState: 'stored', sha256, storedBytes: jpeg.length });
    const copy = join(b.dir, 'evidence', sha256.slice(0, 2), sha256);
    expect(readFileSync(copy).equals(jpeg)).toBe(true);
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    expect(b.zalo.cdnRequests).toEqual([PHOTO]);
    expect(await say(b, `/mohinh ${MODEL}`)).toMatch(/📎 ảnh \(.*\) — đã lưu/);
  });

  it('a command sent as a link card runs with its arguments', async () => {
    const b = await start();
    const answer = await send(b, 'link', {
      content: {
        title: '/capnhat https://dvk.example/tin-tuc/tu-sach-phap-luat',
        description: 'Mô hình tủ sách pháp luật',
        href: 'https://dvk.example/tin-tuc/tu-sach-phap-luat',
        thumb: '',
        childnumber: 0,
        action: 'recommened.link',
        params: '{}',
        type: '',
      },
    });
    // /capnhat read "https://…" as its argument, and said it is not a model code.
    expect(answer).toMatch(/^“https:\/\/dvk\.example\/tin-tuc\/tu-sach-pha…” không phải mã mô hình\./);
  });

  it('voice, video, a sticker or a GIF where words are expected: refused by name, nothing stored, the question asked again', async () => {
    const b = await start();
    const before = updates(b).length;
    expect(await say(b, `/capnhat ${MODEL}`)).toContain(ASK_TEXT);
    const asked = openConversation(b)!;

    const sticker = await send(b, 'sticker');
    expect(sticker).toContain('⚠️ Bot chưa đọc được nhãn dán; bạn gõ câu trả lời bằng chữ nhé.');
    expect(sticker).toContain(ASK_TEXT);
    expect(await send(b, 'gif')).toContain('⚠️ Bot chưa đọc được ảnh động; bạn gõ câu trả lời bằng chữ nhé.');
    expect(await send(b, 'voice')).toContain('⚠️ Câu này cần trả lời bằng chữ, nên bot chưa lấy bản ghi âm vừa gửi.');
    expect(await send(b, 'video')).toContain('⚠️ Câu này cần trả lời bằng chữ, nên bot chưa lấy video vừa gửi.');

    // Still at the same question, with nothing taken.
    expect(openConversation(b)).toMatchObject({ step: asked.step, answers: asked.answers });
    expect(updates(b)).toHaveLength(before);

    // At the question about files, a sticker is still nothing to keep; a voice message is.
    expect(await say(b, 'Đã tổ chức 2 buổi tuyên truyền')).toContain(ASK_PROGRESS);
    expect(await say(b, '50')).toContain('Tiến độ giảm từ 100% xuống 50%');
    expect(await say(b, 'đồng ý')).toContain(ASK_FILES);
    expect(await send(b, 'sticker')).toContain('⚠️ Bot chưa đọc được nhãn dán; bạn gửi ảnh hoặc tệp, hoặc gõ "bỏ qua" nếu không có nhé.');
    expect(await send(b, 'voice')).toMatch(/\(\d+\) Ảnh, tệp đính kèm: 1 tệp: bản ghi âm/);
    expect(await say(b, '1')).toContain(`✅ Đã ghi nhận tiến độ của ${MODEL}`);
    const saved = updates(b).at(-1)!;
    expect(saved).toMatchObject({ text: 'Đã tổ chức 2 buổi tuyên truyền', percent: 50 });
    const files = b.core.database.db.select().from(attachments).where(eq(attachments.updateId, saved.id)).all();
    expect(files.map((f) => [f.kind, f.ref, f.sizeBytes])).toEqual([['audio', 'https://voice.zalo.invalid/m4a/7102345678/ghi-am.m4a', 13824]]);
  });
});
