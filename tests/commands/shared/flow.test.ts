import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { textAnswer } from '../../../core/answers.js';
import type { IncomingAttachment } from '../../../core/chat.js';
import { answered, defineFlow, type StepState } from '../../../commands/shared/flow.js';

/**
 * defineFlow's answers are typed from the steps: the `expectTypeOf` lines are checked by the type
 * checker (`npx tsc --noEmit -p .`, part of `npm test`), the rest at run time.
 */

const KINDS = ['mo_hinh', 'diem_sang'] as const;

function build(seen: { save?: unknown; prompt?: unknown; when?: unknown } = {}) {
  return defineFlow({ id: 'thu', command: 'thu', title: 'đăng ký thử', version: 2 })
    .step('kind', { label: 'Loại', prompt: 'Loại nào?', choices: KINDS.map((k) => ({ value: k, label: k })) })
    .step('holderName', {
      label: 'Cá nhân',
      prompt: 'Ai?',
      when: (s) => {
        expectTypeOf(s.answers).toEqualTypeOf<{ kind?: 'mo_hinh' | 'diem_sang' }>();
        seen.when = s.answers;
        return s.answers.kind === 'diem_sang';
      },
      schema: textAnswer({ max: 100 }),
    })
    .step('unit', {
      label: 'Đơn vị',
      prompt: (s) => {
        expectTypeOf(s.answers).toEqualTypeOf<{ kind: 'mo_hinh' | 'diem_sang'; holderName?: string }>();
        // @ts-expect-error a step cannot read the answer of a later step
        s.answers.note;
        seen.prompt = s.answers;
        return 'Đơn vị nào?';
      },
      choices: [{ value: '1', label: 'Xã Cẩm Thành' }],
      // The schema decides the answer's type; the choices are only buttons.
      schema: z.string().transform(Number),
      display: (value) => {
        expectTypeOf(value).toEqualTypeOf<number>();
        return value.toFixed(0);
      },
    })
    .step('note', { label: 'Ghi chú', prompt: 'Ghi chú?', schema: textAnswer({ max: 300 }), optional: true })
    .step('files', { label: 'Ảnh', prompt: 'Ảnh?', attachment: true, optional: true })
    .save((s) => {
      expectTypeOf(s.answers).toEqualTypeOf<{
        kind: 'mo_hinh' | 'diem_sang';
        holderName?: string;
        unit: number;
        note: string | null;
        files: IncomingAttachment[] | null;
      }>();
      seen.save = s.answers;
      return `Đã lưu ${s.answers.kind} cho đơn vị ${s.answers.unit + 0}.`;
    });
}

function state(answers: Record<string, unknown>): StepState<Record<string, unknown>> {
  return { answers, context: {}, now: new Date(0), db: undefined as never, caller: undefined as never, chat: undefined as never };
}

describe('defineFlow', () => {
  it('keeps the steps in the order declared, with their keys, and the head', () => {
    const flow = build();
    expect(flow).toMatchObject({ id: 'thu', command: 'thu', title: 'đăng ký thử', version: 2 });
    expect(flow.steps.map((s) => [s.key, s.label, s.optional ?? false, s.attachment ?? false])).toEqual([
      ['kind', 'Loại', false, false],
      ['holderName', 'Cá nhân', false, false],
      ['unit', 'Đơn vị', false, false],
      ['note', 'Ghi chú', true, false],
      ['files', 'Ảnh', true, true],
    ]);
  });

  it('hands the engine’s state to the typed callbacks unchanged', () => {
    const seen: { save?: unknown; prompt?: unknown; when?: unknown } = {};
    const flow = build(seen);
    const answers = { kind: 'diem_sang', holderName: 'Mai', unit: 1, note: null, files: null };
    expect(flow.save(state(answers))).toBe('Đã lưu diem_sang cho đơn vị 1.');
    expect(seen.save).toBe(answers);
    const [, holderName, unit] = flow.steps;
    expect(holderName!.when!(state({}))).toBe(false);
    expect(typeof unit!.prompt === 'function' && unit!.prompt(state({ kind: 'mo_hinh' }))).toBe('Đơn vị nào?');
    expect(seen.prompt).toEqual({ kind: 'mo_hinh' });
    expect(unit!.display!(3, state({}))).toBe('3');
  });

  it('refuses two steps with the same key', () => {
    const start = defineFlow({ id: 'thu', command: 'thu', title: 'đăng ký thử', version: 1 }).step('name', {
      label: 'Tên',
      prompt: 'Tên?',
      schema: textAnswer({ max: 10 }),
    });
    expect(() => start.step('name', { label: 'Tên', prompt: 'Tên?', schema: textAnswer({ max: 10 }) })).toThrow('flow "thu" has two steps "name"');
  });

  it('answered() gives a conditional answer read where its step applies, and fails loudly if the engine lost it', () => {
    expect(answered('Mai' as string | undefined, 'holderName')).toBe('Mai');
    expect(() => answered(undefined, 'holderName')).toThrow('the step "holderName" applies but has no answer');
  });
});
