import { describe, expect, it } from 'vitest';
import { dateAnswer, textAnswer } from '../../../core/answers.js';
import type { IncomingAttachment } from '../../../core/chat.js';
import { vnParts } from '../../../core/clock.js';
import { defineFlow, type Flow } from '../../../commands/shared/flow.js';
import {
  applicableAnswers,
  CONFIRM,
  lapseNotice,
  nextStepKey,
  offersHandoff,
  question,
  readAnswer,
  readConfirmation,
  reopen,
  savedVersion,
  standing,
  startContext,
  stepBack,
  summaryLines,
  upgradeNotice,
} from '../../../commands/shared/flowEngine.js';
import { GROUP, stepState, typed } from '../../helpers/stepLogic.js';

/**
 * The step logic on its own: no database (the state's `db` throws if anything touches it), no
 * clock (the state carries `now`), nothing sent. Each function is given a flow, a state and an
 * input and answers with a decision.
 */

const flow = defineFlow({
  id: 'thu',
  command: 'thu',
  title: 'đăng ký thử',
  version: 3,
  describe: (s) => (s.context.unitName ? [`• Đơn vị: ${String(s.context.unitName)}`] : []),
})
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
  .step('start', { label: 'Ngày bắt đầu', prompt: 'Ngày bắt đầu?', schema: (s) => dateAnswer({ currentYear: vnParts(s.now).year }) })
  .step('end', {
    label: 'Ngày kết thúc',
    prompt: (s) => `Ngày kết thúc? (bắt đầu ${s.answers.start})`,
    schema: (s) => dateAnswer({ currentYear: vnParts(s.now).year, notBefore: { day: s.answers.start, message: 'Ngày kết thúc phải sau ngày bắt đầu.' } }),
  })
  .step('note', { label: 'Ghi chú', prompt: 'Ghi chú thêm?', schema: textAnswer({ max: 300 }), optional: true })
  .step('files', { label: 'Ảnh, tệp', prompt: 'Gửi ảnh minh chứng?', attachment: true, optional: true })
  .save(() => 'Đã lưu.');

const state = stepState;

const PHOTO: IncomingAttachment = { kind: 'photo', ref: 'file-1', fileName: 'cho-phien.jpg' };
const ALL = { holder: 'individual', holderName: 'Trần Thị Mai', start: '2026-03-01', end: '2026-06-30', note: null, files: [PHOTO] };

describe('the next step', () => {
  it('is the first step that applies and has no answer, then the summary', () => {
    expect(nextStepKey(flow, state())).toBe('holder');
    expect(nextStepKey(flow, state({ holder: 'collective' }))).toBe('start');
    expect(nextStepKey(flow, state({ holder: 'individual' }))).toBe('holderName');
    expect(nextStepKey(flow, state(ALL))).toBe(CONFIRM);
  });

  it('comes back to where the person was after an earlier step was reopened', () => {
    const { holderName: _, ...rest } = ALL;
    expect(nextStepKey(flow, state(rest))).toBe('holderName');
    expect(nextStepKey(flow, state({ ...rest, holderName: 'Mai' }))).toBe(CONFIRM);
  });

  it('saves only the answers of steps that apply', () => {
    expect(applicableAnswers(flow, state({ ...ALL, holder: 'collective' }))).not.toHaveProperty('holderName');
    expect(applicableAnswers(flow, state(ALL))).toEqual(ALL);
  });
});

describe('an answer', () => {
  it('picked among the choices moves on, keeping the other answers', () => {
    expect(readAnswer(flow, 'holder', state(), typed('cá nhân'))).toEqual({ kind: 'next', step: 'holderName', answers: { holder: 'individual' } });
    expect(readAnswer(flow, 'holder', state(), typed('1'))).toEqual({ kind: 'next', step: 'start', answers: { holder: 'collective' } });
  });

  it('that does not parse is asked again with the schema’s reason', () => {
    expect(readAnswer(flow, 'holder', state(), typed('7'))).toEqual({
      kind: 'reask',
      note: '⚠️ Chưa rõ bạn chọn mục nào. Bạn gõ 1 (Tập thể) hoặc 2 (Cá nhân).',
    });
    const before = state({ holder: 'collective', start: '2026-03-01' });
    expect(readAnswer(flow, 'end', before, typed('28/2/2026'))).toEqual({ kind: 'reask', note: '⚠️ Ngày kết thúc phải sau ngày bắt đầu.' });
    expect(readAnswer(flow, 'end', before, typed('30/6/2026'))).toMatchObject({ kind: 'next', step: 'note', answers: { end: '2026-06-30' } });
  });

  it('"bỏ qua" skips an optional step as null, and is an ordinary answer elsewhere', () => {
    const upToNote = state({ holder: 'collective', start: '2026-03-01', end: '2026-06-30' });
    expect(readAnswer(flow, 'note', upToNote, typed('bỏ qua'))).toMatchObject({ kind: 'next', step: 'files', answers: { note: null } });
    expect(readAnswer(flow, 'note', upToNote, typed('$skip'))).toMatchObject({ kind: 'next', answers: { note: null } });
    expect(readAnswer(flow, 'holder', state(), typed('bỏ qua'))).toMatchObject({ kind: 'reask' });
  });

  it('with files: taken where files are asked, refused (naming them) where text is', () => {
    const upToFiles = state({ holder: 'collective', start: '2026-03-01', end: '2026-06-30', note: null });
    expect(readAnswer(flow, 'files', upToFiles, typed('', { attachments: [PHOTO] }))).toEqual({
      kind: 'next',
      step: CONFIRM,
      answers: { ...upToFiles.answers, files: [PHOTO] },
    });
    expect(readAnswer(flow, 'files', upToFiles, typed('ảnh đây'))).toEqual({
      kind: 'reask',
      note: '⚠️ Bạn gửi ảnh hoặc tệp kèm theo, hoặc gõ "bỏ qua" nếu không có.',
    });
    const voice: IncomingAttachment = { kind: 'audio', ref: 'v-1' };
    expect(readAnswer(flow, 'holder', state(), typed('tập thể', { attachments: [voice] }))).toEqual({
      kind: 'reask',
      note: '⚠️ Câu này cần trả lời bằng chữ, nên bot chưa lấy bản ghi âm vừa gửi. Ảnh, tệp bạn gửi ở câu hỏi về tệp đính kèm sau nhé.',
    });
  });

  it('that the bot cannot read (a sticker) is named back', () => {
    expect(readAnswer(flow, 'holder', state(), typed('', { unreadable: 'sticker' }))).toEqual({
      kind: 'reask',
      note: '⚠️ Bot chưa đọc được nhãn dán; bạn gõ câu trả lời bằng chữ nhé.',
    });
  });

  it('to the summary: save, go back, cancel, or not understood', () => {
    expect(['đồng ý', '1', 'Lưu'].map((t) => readConfirmation(typed(t)))).toEqual(['save', 'save', 'save']);
    expect(['2', 'quay lai sua'].map((t) => readConfirmation(typed(t)))).toEqual(['back', 'back']);
    expect(['3', 'Hủy'].map((t) => readConfirmation(typed(t)))).toEqual(['cancel', 'cancel']);
    expect(readConfirmation(typed('chưa chắc'))).toBeUndefined();
  });
});

describe('going back', () => {
  it('reopens the previous step that was asked, skipping steps that did not apply, keeping every answer and naming the reopened one', () => {
    const collective = state({ holder: 'collective', start: '2026-03-01' });
    expect(stepBack(flow, 'end', collective)).toEqual({
      kind: 'back',
      step: 'start',
      answers: { holder: 'collective', start: '2026-03-01' },
      note: 'Đã quay lại câu trước (bạn đã trả lời: 2026-03-01).',
    });
    expect(stepBack(flow, 'start', collective)).toEqual({
      kind: 'back',
      step: 'holder',
      answers: { holder: 'collective', start: '2026-03-01' },
      note: 'Đã quay lại câu trước (bạn đã trả lời: Tập thể).',
    });
    expect(stepBack(flow, 'start', state({ holder: 'individual', holderName: 'Mai' }))).toMatchObject({ step: 'holderName' });
  });

  it('from the summary reopens the last step; from the first step stays', () => {
    expect(stepBack(flow, CONFIRM, state(ALL))).toMatchObject({ kind: 'back', step: 'files' });
    expect(stepBack(flow, 'holder', state())).toEqual({ kind: 'stay', note: '⚠️ Đây đã là câu hỏi đầu tiên.' });
  });

  it('a save refused with a step reopens that step only; an unknown step reopens nothing', () => {
    expect(reopen(flow, 'start', ALL)).toEqual({
      step: 'start',
      answers: { holder: 'individual', holderName: 'Trần Thị Mai', end: '2026-06-30', note: null, files: [PHOTO] },
    });
    expect(reopen(flow, 'gone', ALL)).toBeUndefined();
    expect(reopen(flow, undefined, ALL)).toBeUndefined();
  });
});

describe('what the person reads', () => {
  it('a question counts the steps that apply and offers "Bỏ qua" on an optional step', () => {
    expect(question(flow, 'holder', state())).toEqual({
      text: '(1/5) Mô hình của tập thể hay cá nhân?',
      choices: [
        { value: 'collective', label: 'Tập thể' },
        { value: 'individual', label: 'Cá nhân' },
      ],
    });
    const individual = state({ holder: 'individual', holderName: 'Mai', start: '2026-03-01' });
    expect(question(flow, 'end', individual, '⚠️ Ngày chưa đúng.')).toEqual({
      text: '⚠️ Ngày chưa đúng.\n\n(4/6) Ngày kết thúc? (bắt đầu 2026-03-01)',
      choices: undefined,
    });
    expect(question(flow, 'note', individual).text).toBe('(5/6) Ghi chú thêm? (không bắt buộc: gõ "bỏ qua" nếu không có)');
  });

  it('the summary lists what the flow was started with, then each answer that applies, by its label', () => {
    const s = state({ ...ALL, holder: 'collective' }, { unitName: 'Xã Cẩm Thành' });
    expect(summaryLines(flow, s)).toEqual([
      '• Đơn vị: Xã Cẩm Thành',
      '• Chủ thể: Tập thể',
      '• Ngày bắt đầu: 2026-03-01',
      '• Ngày kết thúc: 2026-06-30',
      '• Ghi chú: (không có)',
      '• Ảnh, tệp: 1 tệp: cho-phien.jpg',
    ]);
    // The summary that asks to save numbers its answers, for "sửa mục 3".
    const summary = question(flow, CONFIRM, s);
    expect(summary.text).toBe(
      'Mời bạn kiểm tra lại trước khi lưu:\n• Đơn vị: Xã Cẩm Thành\n(1) Chủ thể: Tập thể\n(2) Ngày bắt đầu: 2026-03-01\n(3) Ngày kết thúc: 2026-06-30\n' +
        '(4) Ghi chú: (không có)\n(5) Ảnh, tệp: 1 tệp: cho-phien.jpg\n\n' +
        'Mọi thông tin đúng chưa? Trả lời 1 để lưu, 2 để quay lại sửa, 3 để hủy. Muốn sửa mục nào, bạn gõ “sửa mục” và số của mục (ví dụ “sửa mục 2”).',
    );
    expect(summary.choices!.map((c) => c.label)).toEqual(['Lưu', 'Quay lại sửa', 'Hủy']);
  });

  it('a long flow started in a group offers a hand-off; a short one, or one in a private chat, does not', () => {
    expect(offersHandoff(flow, state())).toBe(true);
    expect(offersHandoff(flow, { ...state(), chat: { ...GROUP, kind: 'private' } })).toBe(false);
    const short: Flow = { ...flow, steps: flow.steps.slice(0, 4) };
    expect(offersHandoff(short, state())).toBe(false);
  });

  it('a lapse lists what was typed, by label, and answers of steps this release lacks as typed', () => {
    const notice = lapseNotice(flow, state({ holder: 'collective', renamed: 'Mô hình cũ' }));
    expect(notice).toEqual({
      text:
        'Phiên đăng ký thử của bạn đã hết hạn vì lâu không có trả lời, nên chưa có gì được lưu.\n' +
        'Đây là những gì bạn đã nhập, để bạn khỏi phải gõ lại:\n• Chủ thể: Tập thể\n• Mô hình cũ\nGõ /thu để làm lại.',
      listError: undefined,
    });
  });
});

describe('a flow’s version', () => {
  it('is stored with the conversation beside the engine’s other keys; a conversation from before versions is version 1', () => {
    expect(startContext(flow, { unitId: 7 })).toEqual({ unitId: 7, flowVersion: 3 });
    expect(startContext(flow, {}, 'token')).toEqual({ handoff: 'token', flowVersion: 3 });
    expect(savedVersion({ unitId: 7 })).toBe(1);
    expect(savedVersion({ flowVersion: 3 })).toBe(3);
  });

  it('decides whether a saved conversation goes on', () => {
    const saved = { step: 'start', context: startContext(flow, {}) };
    expect(standing(flow, saved)).toBe('current');
    expect(standing(flow, { ...saved, step: CONFIRM })).toBe('current');
    expect(standing({ ...flow, version: 4 }, saved)).toBe('other-version');
    expect(standing({ ...flow, version: 1 }, { step: 'start', context: {} })).toBe('current');
    expect(standing(flow, { step: 'start', context: {} })).toBe('other-version');
    expect(standing(flow, { ...saved, step: 'renamed' })).toBe('no-step');
    expect(standing(undefined, saved)).toBe('no-flow');
  });

  it('a conversation of another version is ended naming the flow whose questions changed, listing what was typed', () => {
    const { text } = upgradeNotice(flow, 'other-version', state({ holder: 'individual', holderName: 'Trần Thị Mai', note: null }));
    expect(text).toBe(
      'Bot vừa được cập nhật và các câu hỏi khi đăng ký thử đã thay đổi, nên thao tác bạn đang làm dở phải làm lại; chưa có gì được lưu.\n' +
        'Những gì bạn đã nhập:\n• Chủ thể: Cá nhân\n• Tên cá nhân: Trần Thị Mai\nGõ /thu để làm lại.',
    );
    expect(upgradeNotice(undefined, 'no-flow', state()).text).toBe('Bot vừa được cập nhật nên thao tác bạn đang làm dở phải làm lại; chưa có gì được lưu.');
  });

  it('an answer the new release cannot display is listed as typed rather than lost', () => {
    const fussy = defineFlow({ id: 'thu', command: 'thu', title: 'đăng ký thử', version: 2 })
      .step('start', {
        label: 'Ngày bắt đầu',
        prompt: 'Ngày bắt đầu?',
        schema: textAnswer({ max: 10 }),
        display: (value) => value.toUpperCase(),
      })
      .save(() => 'Đã lưu.');
    // Version 1 stored the start date as an object.
    const notice = upgradeNotice(fussy, 'other-version', state({ start: { day: 1, month: 3 } }));
    expect(notice.text).toContain('Những gì bạn đã nhập:\n• {"day":1,"month":3}');
    expect(notice.listError).toBeInstanceOf(TypeError);
  });
});
