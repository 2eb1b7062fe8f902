import { eq } from 'drizzle-orm';
import { dateAnswer, textAnswer } from '../../core/answers.js';
import type { Command } from '../../commands/shared/command.js';
import { vnParts } from '../../core/clock.js';
import { defineFlow, FlowError } from '../../commands/shared/flow.js';
import { recordAudit } from '../../db/audit.js';
import { auditLog } from '../../db/schema.js';
import type { Db } from '../../db/client.js';

/**
 * A small flow shaped like a registration, used to test the engine on its own: choices, a
 * conditional step, text, dates checked against each other, an optional step, and a save that
 * can refuse. It saves one audit row, so tests can see whether anything was saved.
 */
export const sampleFlow = defineFlow({ id: 'sample', command: 'thu', title: 'đăng ký thử', version: 1 })
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
    schema: textAnswer({ max: 100 }),
    when: (s) => s.answers.holder === 'individual',
  })
  .step('field', {
    label: 'Lĩnh vực',
    prompt: 'Mô hình thuộc lĩnh vực nào?',
    choices: [
      { value: 'f1', label: 'Kinh tế' },
      { value: 'f2', label: 'Văn hóa - xã hội' },
      { value: 'f3', label: 'Quốc phòng - an ninh' },
    ],
  })
  .step('name', { label: 'Tên mô hình', prompt: 'Tên mô hình là gì?', schema: textAnswer({ min: 5, max: 200 }) })
  .step('start', {
    label: 'Ngày bắt đầu',
    prompt: 'Ngày bắt đầu?',
    schema: (s) => dateAnswer({ currentYear: vnParts(s.now).year }),
  })
  .step('end', {
    label: 'Ngày kết thúc',
    prompt: 'Ngày kết thúc?',
    schema: (s) =>
      dateAnswer({
        currentYear: vnParts(s.now).year,
        notBefore: { day: s.answers.start, message: 'Ngày kết thúc phải sau ngày bắt đầu.' },
      }),
  })
  .step('note', { label: 'Ghi chú', prompt: 'Ghi chú thêm?', schema: textAnswer({ max: 300 }), optional: true })
  .save((s) => {
    if (s.answers.name.toLowerCase().includes('trùng')) {
      throw new FlowError('Tên này đã có rồi, bạn đặt tên khác nhé.', 'name');
    }
    recordAudit(s.db, { personId: s.caller.personId, label: s.caller.displayName }, s.now, {
      action: 'test.saved',
      entity: 'sample',
      after: s.answers,
    });
    return `Đã lưu "${s.answers.name}".`;
  });

export const sampleCommand: Command = {
  name: 'thu',
  access: 'anyone',
  summary: 'bắt đầu luồng thử',
  async run(ctx) {
    await ctx.conversations.start('sample', ctx);
  },
};

export function savedSamples(db: Db): Array<Record<string, unknown>> {
  return db
    .select()
    .from(auditLog)
    .where(eq(auditLog.action, 'test.saved'))
    .all()
    .map((r) => r.after as Record<string, unknown>);
}
