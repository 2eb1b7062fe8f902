import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../commands/index.js';
import { conversations } from '../../db/schema.js';
import { Harness } from '../helpers/harness.js';
import { sampleCommand, sampleFlow, savedSamples } from '../helpers/sampleFlow.js';

/**
 * Going back keeps what was typed (issue 22, item 2): /quaylai and "sửa mục N" show the earlier
 * answer, "giữ nguyên" keeps it, and the answers after it stay unless the change makes them
 * invalid; once every step has an answer, the summary comes back.
 */

let h: Harness;

afterEach(() => h?.close());

async function harness() {
  h = await Harness.create({ commands: [...COMMANDS, sampleCommand], flows: [sampleFlow] });
}

const KEEP = 'Bạn gõ câu trả lời mới, hoặc gõ “giữ nguyên” để giữ câu trả lời cũ.';

/** Answers the sample flow up to its summary: a collective in "Kinh tế", with a note. */
async function toSummary(who = 'Lan') {
  await h.say(who, '/thu');
  for (const answer of ['tập thể', 'kinh tế', 'Chợ phiên 0 đồng', '15/1/2026', '31/12/2026']) await h.say(who, answer);
  return h.text(who, 'Họp dân mỗi tháng');
}

const answers = () => h.db.select().from(conversations).get()!.answers;
const step = () => h.db.select().from(conversations).get()!.step;

describe('/quaylai', () => {
  it('shows the earlier answer; "giữ nguyên" keeps it and the flow goes on where the person was', async () => {
    await harness();
    await h.say('Lan', '/thu');
    await h.say('Lan', 'tập thể');
    await h.say('Lan', 'kinh tế');
    expect(await h.text('Lan', '/quaylai')).toBe(`Đã quay lại câu trước (bạn đã trả lời: Kinh tế).\n\n(2/6) Mô hình thuộc lĩnh vực nào?\n${KEEP}`);
    expect(answers()).toEqual({ holder: 'collective', field: 'f1' });
    expect(await h.text('Lan', 'giu nguyen')).toBe('(3/6) Tên mô hình là gì?');
    expect(answers()).toEqual({ holder: 'collective', field: 'f1' });
  });

  it('from the summary, a new answer to the last step brings the summary back with every other answer', async () => {
    await harness();
    await toSummary();
    expect(await h.text('Lan', '/quaylai')).toBe(
      `Đã quay lại câu trước (bạn đã trả lời: Họp dân mỗi tháng).\n\n(6/6) Ghi chú thêm? (không bắt buộc: gõ "bỏ qua" nếu không có)\n${KEEP}`,
    );
    const summary = await h.text('Lan', 'bỏ qua');
    expect(summary).toContain(
      '(1) Chủ thể: Tập thể\n(2) Lĩnh vực: Kinh tế\n(3) Tên mô hình: Chợ phiên 0 đồng\n(4) Ngày bắt đầu: 2026-01-15\n(5) Ngày kết thúc: 2026-12-31\n(6) Ghi chú: (không có)',
    );
  });

  it('twice back, then a new answer: the later answers are kept and the summary comes back', async () => {
    await harness();
    await toSummary();
    await h.say('Lan', '/quaylai');
    expect(await h.text('Lan', '/quaylai')).toContain('Đã quay lại câu trước (bạn đã trả lời: 2026-12-31).\n\n(5/6) Ngày kết thúc?');
    const summary = await h.text('Lan', '30/11/2026');
    expect(summary).toMatch(/^Mời bạn kiểm tra lại trước khi lưu:/);
    expect(summary).toContain('(5) Ngày kết thúc: 2026-11-30\n(6) Ghi chú: Họp dân mỗi tháng');
    await h.say('Lan', 'lưu');
    expect(savedSamples(h.db)).toEqual([expect.objectContaining({ end: '2026-11-30', note: 'Họp dân mỗi tháng' })]);
  });

  it('a change that makes a later answer invalid asks that one again, then returns to the summary', async () => {
    await harness();
    await toSummary();
    for (let i = 0; i < 3; i++) await h.say('Lan', '/quaylai');
    expect(step()).toBe('start');
    // A start after the end: the end date no longer holds and is asked again; the note stays.
    const next = await h.text('Lan', '1/1/2027');
    expect(next).toBe('(5/6) Ngày kết thúc?');
    expect(answers()).not.toHaveProperty('end');
    expect(answers()).toMatchObject({ start: '2027-01-01', note: 'Họp dân mỗi tháng' });
    expect(await h.text('Lan', '20/1/2027')).toContain('(5) Ngày kết thúc: 2027-01-20\n(6) Ghi chú: Họp dân mỗi tháng');
  });

  it('becoming an individual asks the new step that now applies, and keeps the rest', async () => {
    await harness();
    await toSummary();
    await h.text('Lan', 'sửa mục 1');
    expect(await h.text('Lan', 'cá nhân')).toBe('(2/7) Cá nhân đó tên là gì?');
    const summary = await h.text('Lan', 'Trần Thị Mai');
    expect(summary).toContain('(1) Chủ thể: Cá nhân\n(2) Tên cá nhân: Trần Thị Mai\n(3) Lĩnh vực: Kinh tế\n(4) Tên mô hình: Chợ phiên 0 đồng');
  });
});

describe('"sửa mục N" at the summary', () => {
  it('jumps to the item showing its answer, and returns straight to the summary once answered', async () => {
    await harness();
    const summary = await toSummary();
    expect(summary).toContain('(3) Tên mô hình: Chợ phiên 0 đồng');
    expect(await h.text('Lan', 'sua muc 3')).toBe(`Sửa mục 3 (bạn đã trả lời: Chợ phiên 0 đồng).\n\n(3/6) Tên mô hình là gì?\n${KEEP}`);
    const again = await h.text('Lan', 'Chợ phiên nghĩa tình');
    expect(again).toMatch(/^Mời bạn kiểm tra lại trước khi lưu:/);
    expect(again).toContain('(3) Tên mô hình: Chợ phiên nghĩa tình\n(4) Ngày bắt đầu: 2026-01-15');
    await h.say('Lan', '1');
    expect(savedSamples(h.db)).toEqual([
      { holder: 'collective', field: 'f1', name: 'Chợ phiên nghĩa tình', start: '2026-01-15', end: '2026-12-31', note: 'Họp dân mỗi tháng' },
    ]);
  });

  it('"giữ nguyên" at the item returns to the summary unchanged', async () => {
    await harness();
    await toSummary();
    await h.say('Lan', 'sửa 2');
    expect(await h.text('Lan', 'giữ nguyên')).toContain('(2) Lĩnh vực: Kinh tế');
    expect(step()).toBe('$confirm');
  });

  it('a number that is not an item is said kindly, and nothing moves', async () => {
    await harness();
    await toSummary();
    const before = answers();
    expect(await h.text('Lan', 'sửa mục 9')).toMatch(/^⚠️ Không có mục số 9; bạn chọn một số từ 1 đến 6\.\n\nMời bạn kiểm tra lại trước khi lưu:/);
    expect(step()).toBe('$confirm');
    expect(answers()).toEqual(before);
  });
});

describe('"Quay lại sửa" at the summary', () => {
  it('asks which item, with numbered choices; the number opens that item', async () => {
    await harness();
    await toSummary();
    expect(await h.text('Lan', 'Quay lại sửa')).toBe('Bạn muốn sửa mục nào? Bạn gõ số của mục (ví dụ 2).');
    expect(h.sent.at(-1)!.reply.choices!.map((c) => c.label)).toEqual([
      'Chủ thể',
      'Lĩnh vực',
      'Tên mô hình',
      'Ngày bắt đầu',
      'Ngày kết thúc',
      'Ghi chú',
      'Không sửa, quay lại bảng kiểm tra',
    ]);
    // "3" here is item 3, not the summary's "Hủy".
    expect(await h.text('Lan', '3')).toContain('Sửa mục 3 (bạn đã trả lời: Chợ phiên 0 đồng).\n\n(3/6) Tên mô hình là gì?');
    expect(await h.text('Lan', 'Chợ phiên cuối tuần')).toContain('(3) Tên mô hình: Chợ phiên cuối tuần');
  });

  it('pressing its button works the same; "không sửa" and /quaylai go back to the summary', async () => {
    await harness();
    await toSummary();
    const summary = h.sent.at(-1)!;
    await h.say('Lan', '', { choice: { value: 'back', promptMessageId: summary.messageId } });
    expect(await h.text('Lan', 'khong sua')).toMatch(/^Mời bạn kiểm tra lại trước khi lưu:/);
    await h.say('Lan', '2');
    expect(await h.text('Lan', '/quaylai')).toMatch(/^Đã quay lại bảng kiểm tra\.\n\nMời bạn kiểm tra lại trước khi lưu:/);
    // Something else is asked again, with nothing moved.
    await h.say('Lan', '2');
    expect(await h.text('Lan', 'abc')).toBe('⚠️ Bạn gõ số của mục muốn sửa, từ 1 đến 6.\n\nBạn muốn sửa mục nào? Bạn gõ số của mục (ví dụ 2).');
    expect(step()).toBe('$edit');
    expect(savedSamples(h.db)).toHaveLength(0);
  });

  it('a restart while choosing the item resumes there', async () => {
    await harness();
    await toSummary();
    await h.say('Lan', '2');
    await h.restart();
    expect(await h.text('Lan', '6')).toContain('Sửa mục 6 (bạn đã trả lời: Họp dân mỗi tháng).');
  });
});
