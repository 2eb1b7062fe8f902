import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AttachmentTooLargeError } from '../../../bot/attachmentFetch.js';
import { type Core } from '../../../bot/app.js';
import { telegramAttachmentFetcher } from '../../../bot/telegram/download.js';
import { addAdmin, parseIdentity } from '../../../db/bootstrap.js';
import { attachments, auditLog } from '../../../db/schema.js';
import { seedDemo } from '../../../db/seed/demo.js';
import { FakeBotApi, type RecordedCall } from '../../helpers/fakeBotApi.js';
import { DEFAULT_DATE, nextUpdateId, person, privateMessage } from '../../helpers/telegramUpdates.js';
import { type PollingBot, pollingBot } from '../../helpers/telegramBot.js';

/**
 * Issue 17 item 11 on the Telegram path: the real adapter and grammY against the fake Bot API. A
 * photo sent with /capnhat is fetched by its file_id (getFile, then the download from
 * `/file/bot<token>/<path>`), kept, listed on the card, and handed to an admin with `/mohinh <mã> tep`.
 */

const TOKEN = '123456789:AAHk1x9ZrLq0PpQ2mN3bV4cX5zY6wT7uS8r';
const NOW = '2026-03-10T09:00:00+07:00';
const ADMIN = person(5120334411, 'Đặng Thu', 'Hà', 'dangthuha_snv');
const MODEL = 'DVK-2026-0001';
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('biên bản nghiệm thu khu dân cư kiểu mẫu')]);
const FILE_ID = 'AgACAgUAAxkBAAIBQ2nLargeSize';
const WAIT_MS = 10_000;

let fake: FakeBotApi;
let bot: PollingBot | undefined;
let core: Core;
const logs: string[] = [];

beforeAll(async () => {
  fake = await FakeBotApi.start({ token: TOKEN });
  const log = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  bot = await pollingBot(fake, {
    token: TOKEN,
    now: NOW,
    log,
    flowTtlMinutes: 1440,
    evidence: { fetchers: { telegram: telegramAttachmentFetcher({ token: TOKEN, apiRoot: fake.root }) } },
    prepare: (db, now) => {
      seedDemo(db, now);
      addAdmin(db, parseIdentity(`telegram:${ADMIN.id}`), 'Đặng Thu Hà', now);
    },
  });
  core = bot.core;
  await fake.waitFor((c) => c.method === 'getUpdates', WAIT_MS);
});

afterAll(() => bot?.stop());

const toAdmin = (c: RecordedCall) => String(c.payload.chat_id) === String(ADMIN.id) && c.response !== undefined;

/** Pushes an update from the admin's private chat and returns the text of the bot's next message there. */
async function exchange(update: { update_id: number }): Promise<string> {
  const since = fake.calls.length;
  fake.push(update);
  const sent = await fake.waitFor((c) => c.method === 'sendMessage' && toAdmin(c), WAIT_MS, since);
  return (sent.response as { result: { text: string } }).result.text;
}

const say = (text: string) => exchange(privateMessage(ADMIN, text));

function photoMessage() {
  return {
    update_id: nextUpdateId(),
    message: {
      message_id: fake.nextMessageId(ADMIN.id),
      from: ADMIN,
      chat: { id: ADMIN.id, type: 'private', first_name: ADMIN.first_name },
      date: DEFAULT_DATE,
      // Every size Telegram made; the bot keeps the largest.
      photo: [
        { file_id: 'AgACAgUAAxkBAAIBQ2nSmall', file_unique_id: 'AQADsmall', width: 90, height: 68, file_size: 1200 },
        { file_id: FILE_ID, file_unique_id: 'AQADlarge', width: 1280, height: 960, file_size: JPEG.length },
      ],
    },
  };
}

describe('evidence on Telegram', { timeout: 60_000 }, () => {
  it('fetches the photo by getFile and the file URL once /capnhat is saved; the card lists it; an admin gets it with /mohinh <mã> tep', async () => {
    fake.addFile(FILE_ID, JPEG, 'photos/file_7.jpg');
    expect(await say(`/capnhat ${MODEL}`)).toContain('Kết quả đã làm được?');
    expect(await say('Nghiệm thu 5 thôn đạt chuẩn khu dân cư kiểu mẫu.')).toContain('Tiến độ đến nay?');
    expect(await say('hoàn thành')).toContain('Gửi kèm ảnh hoặc tệp minh chứng?');
    expect(await exchange(photoMessage())).toContain('(3) Ảnh, tệp đính kèm: 1 tệp: ảnh');
    expect(await say('1')).toMatch(/^✅ Đã ghi nhận tiến độ của DVK-2026-0001/);
    await core.evidence!.idle();

    expect(fake.callsOf('getFile').map((c) => c.payload.file_id)).toEqual([FILE_ID]);
    expect(fake.callsOf('file').map((c) => [c.payload.path, c.response?.ok])).toEqual([['photos/file_7.jpg', true]]);
    const row = core.database.db.select().from(attachments).where(eq(attachments.ref, FILE_ID)).get()!;
    expect(row).toMatchObject({ platform: 'telegram', kind: 'photo', mimeType: 'image/jpeg', evidenceState: 'stored', storedBytes: JPEG.length });
    expect(row.sha256).toBe(createHash('sha256').update(JPEG).digest('hex'));
    expect(core.evidence!.store.read(row.sha256!)).toEqual(JPEG);

    const card = await say(`/mohinh ${MODEL}`);
    expect(card).toContain(`\n  📎 ảnh (${JPEG.length} B) — đã lưu\n`);
    expect(card).toContain(`Gõ /mohinh ${MODEL} tep để nhận ảnh, tệp minh chứng đã lưu (bot gửi trong tin nhắn riêng).`);

    const since = fake.calls.length;
    expect(await say(`/mohinh ${MODEL} tep`)).toBe(`📎 Minh chứng của ${MODEL} “Dân vận khéo trong xây dựng khu dân cư nông thôn mới kiểu mẫu”: 1 tệp.`);
    const upload = await fake.waitFor((c) => (c.method === 'sendPhoto' || c.method === 'sendDocument') && toAdmin(c), WAIT_MS, since);
    expect(upload.files).toEqual([{ field: expect.any(String), filename: '2026-03-10_01_anh.jpg', size: JPEG.length }]);
    // The export is audited once the upload was answered: the fake saw the call a moment before.
    await vi.waitFor(() => {
      const audit = core.database.db.select().from(auditLog).where(eq(auditLog.action, 'evidence.export')).all();
      expect(audit).toEqual([expect.objectContaining({ entity: 'model', after: { code: MODEL, files: 1 } })]);
    });
    // The download URL holds the token: it is in no log line.
    expect(logs.join('\n')).not.toContain(TOKEN.split(':')[1]);
  });

  it('a file Telegram will not hand over (over 20 MB) is refused as too large, a failed download says only its status', async () => {
    const fetcher = telegramAttachmentFetcher({ token: TOKEN, apiRoot: fake.root });
    const signal = new AbortController().signal;
    fake.addFile('BQACAgUAAxkBAAIBhuge', Buffer.alloc(20 * 1024 * 1024 + 1), 'documents/file_9.pdf');
    await expect(fetcher({ kind: 'document', ref: 'BQACAgUAAxkBAAIBhuge' }, { signal })).rejects.toBeInstanceOf(AttachmentTooLargeError);

    fake.addFile('BQACAgUAAxkBAAIBok', Buffer.from('%PDF-1.4'), 'documents/file_10.pdf');
    fake.failNext('file', 1, { error_code: 502, description: 'Bad Gateway' });
    const failed = await fetcher({ kind: 'document', ref: 'BQACAgUAAxkBAAIBok' }, { signal }).then(
      (f) => f,
      (e: Error) => e,
    );
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toBe('HTTP 502');
    await expect(fetcher({ kind: 'document', ref: 'no-such-file-id' }, { signal })).rejects.toThrow(/^Telegram 400: Bad Request: wrong file_id/);
  });
});
