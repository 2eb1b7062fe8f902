import { describe, expect, it } from 'vitest';
import { dateAnswer, textAnswer } from '../../../core/answers.js';
import { type Answers, defineFlow } from '../../../commands/shared/flow.js';
import {
  CONFIRM,
  EDIT,
  editItem,
  type FlowState,
  KEEP_HINT,
  lapseNotice,
  question,
  readAnswer,
  readConfirmation,
  readEditPick,
  standing,
  startContext,
  stepBack,
} from '../../../commands/shared/flowEngine.js';
import { stepState, typed } from '../../helpers/stepLogic.js';

/**
 * Coming back to an answer (issue 22): /quaylai and "sửa mục 3" show it and keep it with
 * "giữ nguyên"; the answers after it are kept unless the change makes them invalid. The step logic
 * alone: no database, no clock.
 */

const FIELDS = [
  { value: 'f1', label: 'Kinh tế' },
  { value: 'f2', label: 'Văn hóa - xã hội' },
];

const flow = defineFlow({ id: 'thu', command: 'thu', title: 'đăng ký thử', version: 1 })
  .step('holder', {
    label: 'Chủ thể',
    prompt: 'Mô hình của tập thể hay cá nhân?',
    choices: [
      { value: 'collective', label: 'Tập thể' },
      { value: 'individual', label: 'Cá nhân' },
    ],
  })
  .step('holderName', {
    label: 'Tên cá nhân',
    prompt: 'Cá nhân đó tên là gì?',
    when: (s) => s.answers.holder === 'individual',
    schema: textAnswer({ min: 3, max: 100 }),
  })
  // An individual's model is cultural only: the field offered depends on the holder.
  .step('field', {
    label: 'Lĩnh vực',
    prompt: 'Lĩnh vực?',
    choices: (s) => (s.answers.holder === 'individual' ? FIELDS.slice(1) : FIELDS),
  })
  .step('start', { label: 'Ngày bắt đầu', prompt: 'Ngày bắt đầu?', schema: dateAnswer({ currentYear: 2026 }) })
  .step('end', {
    label: 'Ngày kết thúc',
    prompt: 'Ngày kết thúc?',
    schema: (s) => dateAnswer({ currentYear: 2026, notBefore: { day: s.answers.start, message: 'Ngày kết thúc phải sau ngày bắt đầu.' } }),
  })
  // Confirms a figure typed earlier: only that figure's confirmation holds.
  .step('late', {
    label: 'Xác nhận',
    prompt: 'Ngày kết thúc đã qua, bạn chắc chứ?',
    when: (s) => s.answers.end !== undefined && s.answers.end < '2026-03-10',
    schema: (s) => textAnswer({ max: 20 }).transform((typed) => ({ typed, end: s.answers.end })),
    stillValid: (value, s) => value.end === s.answers.end,
  })
  .step('note', { label: 'Ghi chú', prompt: 'Ghi chú thêm?', schema: textAnswer({ max: 300 }), optional: true })
  .save(() => 'Đã lưu.');

function state(answers: Answers = {}): FlowState {
  return stepState(answers, startContext(flow, {}));
}

const ALL = { holder: 'collective', field: 'f1', start: '2026-03-01', end: '2026-06-30', note: null };

describe('a step asked again over its answer', () => {
  it('says how to keep it, and "giữ nguyên" (or "giu nguyen") keeps it and goes back to the summary', () => {
    expect(question(flow, 'start', state(ALL)).text).toBe(`(3/5) Ngày bắt đầu?\n${KEEP_HINT}`);
    expect(KEEP_HINT).toBe('Bạn gõ câu trả lời mới, hoặc gõ “giữ nguyên” để giữ câu trả lời cũ.');
    for (const keep of ['giữ nguyên', 'giu nguyen', 'Giữ nguyên.']) {
      expect(readAnswer(flow, 'start', state(ALL), typed(keep))).toEqual({ kind: 'next', step: CONFIRM, answers: ALL });
    }
    // A skipped optional answer is kept as skipped.
    expect(readAnswer(flow, 'note', state(ALL), typed('giu nguyen'))).toEqual({ kind: 'next', step: CONFIRM, answers: ALL });
  });

  it('"giữ nguyên" where nothing was answered yet is an ordinary answer', () => {
    const { note: _, ...noNote } = ALL;
    expect(question(flow, 'note', state(noNote)).text).not.toContain(KEEP_HINT);
    expect(readAnswer(flow, 'note', state(noNote), typed('giữ nguyên'))).toEqual({ kind: 'next', step: CONFIRM, answers: { ...ALL, note: 'giữ nguyên' } });
  });

  it('a new answer keeps every later answer that is still valid, and the flow returns to the summary', () => {
    expect(readAnswer(flow, 'start', state(ALL), typed('15/3/2026'))).toEqual({ kind: 'next', step: CONFIRM, answers: { ...ALL, start: '2026-03-15' } });
  });

  it('drops a later answer the change makes invalid, and asks it next: an end date now before the start', () => {
    const outcome = readAnswer(flow, 'start', state(ALL), typed('1/7/2026'));
    const { end: _, ...rest } = ALL;
    expect(outcome).toEqual({ kind: 'next', step: 'end', answers: { ...rest, start: '2026-07-01' } });
  });

  it('drops a later choice no longer offered, and asks the step that now applies first', () => {
    // Becoming an individual: the name is now asked, and "Kinh tế" is no longer a choice.
    const outcome = readAnswer(flow, 'holder', state(ALL), typed('cá nhân'));
    const { field: _, ...rest } = ALL;
    expect(outcome).toEqual({ kind: 'next', step: 'holderName', answers: { ...rest, holder: 'individual' } });
  });

  it('drops a later answer whose step no longer applies', () => {
    const individual = { holder: 'individual', holderName: 'Trần Thị Mai', field: 'f2', start: '2026-03-01', end: '2026-06-30', note: null };
    const outcome = readAnswer(flow, 'holder', state(individual), typed('tập thể'));
    const { holderName: _, ...rest } = individual;
    expect(outcome).toEqual({ kind: 'next', step: CONFIRM, answers: { ...rest, holder: 'collective' } });
  });

  it('drops an answer its step says no longer holds (a confirmation of a figure since changed)', () => {
    const late = { ...ALL, end: '2026-03-05', late: { typed: 'đồng ý', end: '2026-03-05' } };
    // Another past date: the confirmation was of the old one, so it is asked again.
    expect(readAnswer(flow, 'end', state(late), typed('6/3/2026'))).toMatchObject({ step: 'late' });
    // The same date kept: the confirmation holds.
    expect(readAnswer(flow, 'end', state(late), typed('giữ nguyên'))).toEqual({ kind: 'next', step: CONFIRM, answers: late });
  });
});

describe('/quaylai', () => {
  it('names the answer it reopens, or that it was skipped, and keeps every answer', () => {
    expect(stepBack(flow, CONFIRM, state(ALL))).toEqual({ kind: 'back', step: 'note', answers: ALL, note: 'Đã quay lại câu trước (bạn đã bỏ qua câu này).' });
    expect(stepBack(flow, 'note', state(ALL))).toEqual({
      kind: 'back',
      step: 'end',
      answers: ALL,
      note: 'Đã quay lại câu trước (bạn đã trả lời: 2026-06-30).',
    });
  });

  it('from "which item?" goes back to the summary', () => {
    expect(stepBack(flow, EDIT, state(ALL))).toEqual({ kind: 'back', step: CONFIRM, answers: ALL, note: 'Đã quay lại bảng kiểm tra.' });
  });
});

describe('the summary', () => {
  it('numbers its items, reads a skipped answer as "(không có)", and says how to fix one', () => {
    expect(question(flow, CONFIRM, state(ALL)).text).toBe(
      'Mời bạn kiểm tra lại trước khi lưu:\n(1) Chủ thể: Tập thể\n(2) Lĩnh vực: Kinh tế\n(3) Ngày bắt đầu: 2026-03-01\n(4) Ngày kết thúc: 2026-06-30\n(5) Ghi chú: (không có)\n\n' +
        'Mọi thông tin đúng chưa? Trả lời 1 để lưu, 2 để quay lại sửa, 3 để hủy. Muốn sửa mục nào, bạn gõ “sửa mục” và số của mục (ví dụ “sửa mục 2”).',
    );
  });

  it('reads "sửa mục 3" and its other spellings as an item; a bare number is still a button', () => {
    for (const text of ['sửa mục 3', 'sua muc 3', 'Sửa 3', 'sửa mục số 3', 'mục 3', 'sửa lại mục 3.'])
      expect(readConfirmation(typed(text))).toEqual({ edit: 3 });
    expect(readConfirmation(typed('3'))).toBe('cancel');
    expect(readConfirmation(typed('2'))).toBe('back');
    // A strict summary has no items to fix: anything but "đồng ý" cancels.
    expect(readConfirmation(typed('sửa mục 3'), true)).toBe('cancel');
  });

  it('reopens item N with its answer named, or says which numbers there are', () => {
    expect(editItem(flow, state(ALL), 3)).toEqual({ kind: 'edit', step: 'start', answers: ALL, note: 'Sửa mục 3 (bạn đã trả lời: 2026-03-01).' });
    expect(editItem(flow, state(ALL), 9)).toEqual({ kind: 'reask', note: '⚠️ Không có mục số 9; bạn chọn một số từ 1 đến 5.' });
    expect(editItem(flow, state(ALL), 0)).toMatchObject({ kind: 'reask' });
  });
});

describe('"which item?" after "Quay lại sửa"', () => {
  it('offers the items by number, and a way back to the summary', () => {
    const asked = question(flow, EDIT, state(ALL));
    expect(asked.text).toBe('Bạn muốn sửa mục nào? Bạn gõ số của mục (ví dụ 2).');
    expect(asked.choices!.map((c) => c.label)).toEqual([
      'Chủ thể',
      'Lĩnh vực',
      'Ngày bắt đầu',
      'Ngày kết thúc',
      'Ghi chú',
      'Không sửa, quay lại bảng kiểm tra',
    ]);
  });

  it('takes a number, a label, or "sửa mục N"; the last choice returns to the summary; anything else is asked again', () => {
    expect(readEditPick(flow, state(ALL), typed('4'))).toMatchObject({ kind: 'edit', step: 'end' });
    expect(readEditPick(flow, state(ALL), typed('ngay bat dau'))).toMatchObject({ kind: 'edit', step: 'start' });
    expect(readEditPick(flow, state(ALL), typed('sửa mục 2'))).toMatchObject({ kind: 'edit', step: 'field', note: 'Sửa mục 2 (bạn đã trả lời: Kinh tế).' });
    expect(readEditPick(flow, state(ALL), typed('6'))).toEqual({ kind: 'summary', step: CONFIRM, answers: ALL });
    expect(readEditPick(flow, state(ALL), typed('không biết'))).toEqual({ kind: 'reask', note: '⚠️ Bạn gõ số của mục muốn sửa, từ 1 đến 5.' });
  });

  it('is a step a saved conversation may be at', () => {
    expect(standing(flow, { step: EDIT, context: startContext(flow, {}) })).toBe('current');
  });
});

describe('a lapse that can be resumed', () => {
  it('offers /tieptuc within a day, or the command to begin again', () => {
    expect(lapseNotice(flow, state({ holder: 'collective' }), true).text).toBe(
      'Phiên đăng ký thử của bạn đã hết hạn vì lâu không có trả lời, nên chưa có gì được lưu.\n' +
        'Đây là những gì bạn đã nhập, để bạn khỏi phải gõ lại:\n• Chủ thể: Tập thể\n' +
        'Gõ /tieptuc để làm tiếp từ chỗ đã dừng (trong vòng một ngày), hoặc /thu để làm lại từ đầu.',
    );
    expect(lapseNotice(flow, state({ holder: 'collective' })).text).toMatch(/\nGõ \/thu để làm lại\.$/);
  });
});
