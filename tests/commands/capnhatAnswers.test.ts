import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { progressAnswer } from '../../commands/capnhat.js';
import { models, progressUpdates } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';

/**
 * Issue 22 item 7: the progress answers officials type, through the bot. Lê Minh Châu's
 * DVK-2026-0001 was “hoàn thành” (100%) at its last update; Phạm Thị Dung's DVK-2026-0002 is at
 * 80% and already has an update this month (so she is asked whether to correct it or add one).
 */

const GROUP = { group: DEMO_GROUP };
const CHAU = DEMO_PEOPLE.officer;
const DUNG = 'Phạm Thị Dung';
const CX = 'DVK-2026-0001';
const CB = 'DVK-2026-0002';

let h: Harness;
const demo = demoPerTest({ now: '2026-03-10T09:00:00+07:00' });

function updatesOf(code: string) {
  const model = h.db.select().from(models).where(eq(models.code, code)).get()!;
  return h.db.select().from(progressUpdates).where(eq(progressUpdates.modelId, model.id)).orderBy(progressUpdates.id).all();
}

/** Starts an update of Châu's model and answers the result; the next message answers the progress question. */
async function startChau(): Promise<void> {
  await h.say(CHAU, `/capnhat ${CX}`, GROUP);
  await h.say(CHAU, 'Đã tổ chức ra quân vệ sinh môi trường tại 12 thôn.', GROUP);
}

const PROGRESS_QUESTION = '(2/3) Tiến độ đến nay? Gõ phần trăm (ví dụ 70 hoặc 70%), hoặc gõ “đang triển khai” hay “hoàn thành”.';

describe('/capnhat reads the progress officials type', () => {
  it('offers no numbered options for the progress, so a bare number is only ever a percentage', async () => {
    h = await demo();
    await h.say(CHAU, `/capnhat ${CX}`, GROUP);
    const [question] = await h.say(CHAU, 'Đã tổ chức ra quân vệ sinh môi trường tại 12 thôn.', GROUP);
    expect(question!.text).toBe(PROGRESS_QUESTION);
    expect(question!.reply.choices).toBeUndefined();
    // "2" is 2%, a drop from 100%: asked about, never saved as “hoàn thành”.
    expect(await h.text(CHAU, '2', GROUP)).toBe('(3/4) Tiến độ giảm từ 100% xuống 2%, bạn chắc chứ? Gõ “đồng ý” để ghi, hoặc gõ lại tiến độ.');
  });

  it('a drop from the last percentage is saved once the person agrees, also typed in Telex', async () => {
    h = await demo();
    const before = updatesOf(CX).length;
    await startChau();
    expect(await h.text(CHAU, 'khoảng 60%', GROUP)).toBe('(3/4) Tiến độ giảm từ 100% xuống 60%, bạn chắc chứ? Gõ “đồng ý” để ghi, hoặc gõ lại tiến độ.');
    expect(updatesOf(CX)).toHaveLength(before);
    expect(await h.text(CHAU, 'dongf ys', GROUP)).toContain('(4/4) Gửi kèm ảnh hoặc tệp');
    const summary = await h.text(CHAU, 'bỏ qua', GROUP);
    expect(summary).toContain('Tiến độ: 60%');
    expect(summary).toContain('Tiến độ giảm: đã đồng ý ghi 60% (lần trước 100%)');
    expect(await h.text(CHAU, '1', GROUP)).toContain('✅ Đã ghi nhận tiến độ của DVK-2026-0001');
    expect(updatesOf(CX)).toHaveLength(before + 1);
    expect(updatesOf(CX).at(-1)).toMatchObject({ percent: 60, progressState: 'in_progress' });
  });

  it('a drop answered with the progress typed again saves that instead', async () => {
    h = await demo();
    await startChau();
    await h.say(CHAU, '60', GROUP);
    expect(await h.text(CHAU, 'hoàn thành', GROUP)).toContain('(4/4) Gửi kèm ảnh hoặc tệp');
    const summary = await h.text(CHAU, 'bỏ qua', GROUP);
    expect(summary).toContain('Tiến độ giảm: gõ lại: hoàn thành (100%) (thay cho 60%)');
    expect(await h.text(CHAU, '1', GROUP)).toContain(': hoàn thành (100%) — tháng 3/2026.');
    expect(updatesOf(CX).at(-1)).toMatchObject({ percent: 100, progressState: 'done' });
  });

  it('anything else at the drop question says what to type and changes nothing', async () => {
    h = await demo();
    const before = updatesOf(CX).length;
    await startChau();
    await h.say(CHAU, '60%', GROUP);
    expect(await h.text(CHAU, 'để mình hỏi lại', GROUP)).toBe(
      '⚠️ Bạn gõ “đồng ý” để ghi tiến độ 60%, hoặc gõ lại tiến độ (ví dụ 100% nếu không có gì thay đổi).\n\n' +
        '(3/4) Tiến độ giảm từ 100% xuống 60%, bạn chắc chứ? Gõ “đồng ý” để ghi, hoặc gõ lại tiến độ.',
    );
    // “Không” is a no, not 0%.
    expect(await h.text(CHAU, 'không', GROUP)).toContain('⚠️ Bạn gõ lại tiến độ đúng (ví dụ 100% nếu không có gì thay đổi), hoặc gõ “đồng ý” để ghi 60%.');
    // Going back reopens the progress question itself.
    expect(await h.text(CHAU, '/quaylai', GROUP)).toContain('Tiến độ đến nay?');
    expect(updatesOf(CX)).toHaveLength(before);
  });

  it('a figure at or above the last one is not questioned', async () => {
    h = await demo();
    await h.say(DUNG, `/capnhat ${CB}`, GROUP);
    await h.say(DUNG, 'thêm', GROUP);
    await h.say(DUNG, 'Đã bê tông hóa thêm 300 m đường liên thôn.', GROUP);
    expect(await h.text(DUNG, 'tám lăm phần trăm', GROUP)).toContain('Gửi kèm ảnh hoặc tệp');
    await h.say(DUNG, 'bor qua', GROUP);
    expect(await h.text(DUNG, '1', GROUP)).toContain(': 85% — tháng 3/2026.');
    expect(updatesOf(CB).at(-1)).toMatchObject({ percent: 85, progressState: 'in_progress' });
  });

  it('asks for a figure instead of guessing one for “gần xong”, and hints at what else to type', async () => {
    h = await demo();
    await startChau();
    expect(await h.text(CHAU, 'gần xong', GROUP)).toBe(
      `⚠️ “Gần xong” là khoảng bao nhiêu phần trăm? Bạn gõ con số, ví dụ 90 hoặc 90%; khi đã xong hẳn thì gõ “hoàn thành”.\n\n${PROGRESS_QUESTION}`,
    );
    expect(await h.text(CHAU, 'chưa rõ lắm', GROUP)).toBe(
      '⚠️ Chưa hiểu tiến độ “chưa rõ lắm”. Bạn gõ phần trăm đã làm được, ví dụ 70, 70%, “khoảng 60%” hoặc “một nửa”; ' +
        `gõ “hoàn thành” nếu đã xong, “đang triển khai” nếu chưa ước được phần trăm.\n\n${PROGRESS_QUESTION}`,
    );
    expect(await h.text(CHAU, 'xong rồi', GROUP)).toContain('(3/3) Gửi kèm ảnh hoặc tệp');
  });
});

describe('the progress schema', () => {
  const parse = (raw: string) => progressAnswer().safeParse(raw);

  it.each([
    ['khoảng 60%', 60],
    ['60%.', 60],
    ['~80%', 80],
    ['50-60%', 60],
    ['một nửa', 50],
    ['bảy mươi phần trăm', 70],
    ['bay muoi', 70],
    ['2', 2],
    ['1', 1],
  ])('%j is %d%%, in progress', (typed, percent) => {
    expect(parse(typed)).toEqual({ success: true, data: { percent, state: 'in_progress' } });
  });

  it('reads states and what they imply', () => {
    expect(parse('chưa làm')).toEqual({ success: true, data: { percent: 0, state: 'in_progress' } });
    expect(parse('Chưa triển khai.')).toEqual({ success: true, data: { percent: 0, state: 'in_progress' } });
    expect(parse('một trăm phần trăm')).toEqual({ success: true, data: { percent: 100, state: 'done' } });
    expect(parse('hoanf thanhf')).toEqual({ success: true, data: { percent: 100, state: 'done' } });
    expect(parse('ddang trieenr khai')).toEqual({ success: true, data: { percent: null, state: 'in_progress' } });
    expect(parse('đang làm')).toEqual({ success: true, data: { percent: null, state: 'in_progress' } });
  });

  it.each(['gần xong', 'sắp xong', 'dưới 60%', '120', '3)', ''])('%j is refused', (typed) => {
    expect(parse(typed).success).toBe(false);
  });
});
