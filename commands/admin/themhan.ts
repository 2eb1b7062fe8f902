import { z } from 'zod';
import { dateAnswer, textAnswer } from '../../core/answers.js';
import { formatIsoDay, vnParts } from '../../core/clock.js';
import type { Command } from '../shared/command.js';
import { defineFlow, type StepState } from '../shared/flow.js';
import { fold } from '../../core/text.js';
import { addOneOffDeadline } from '../../db/deadlines.js';
import { actorOf } from '../../db/people.js';
import type { DoneCriterion } from '../../db/schema.js';
import { activeUnits, unitById } from '../../db/units.js';
import { isoDayOf } from '../../core/calendar.js';
import { DEFAULT_POLICY } from '../../core/reminderPolicy.js';
import { requireAdmin } from '../shared/requireAdmin.js';
import { findUnit, unitLabel } from '../shared/unitNames.js';

/**
 * `/themhan`: one-off deadlines an admin adds in chat ("nộp báo cáo chuyên đề trước 05/12");
 * `/xoahan` (xoahan.ts) removes them. Recurring deadlines come from the calendar file, so a chat slip cannot remove
 * the plans' monthly report.
 */

const DONE_CHOICES: readonly { value: DoneCriterion; label: string }[] = [
  { value: 'none', label: 'Chỉ nhắc hạn (không kiểm tra)' },
  { value: 'period_updates', label: 'Mọi mô hình đang thực hiện có cập nhật tiến độ' },
  { value: 'quota_registered', label: 'Đơn vị đăng ký đủ chỉ tiêu mô hình của năm' },
];

const ALL_UNITS = ['tat ca', 'toan bo', 'moi don vi', 'tat ca don vi'];

function scopeSchema(s: StepState) {
  return z.string().transform((raw, ctx) => {
    if (
      ALL_UNITS.includes(
        fold(raw)
          .replace(/[^a-z ]/g, '')
          .trim(),
      )
    )
      return 0;
    const { unit, candidates } = findUnit(activeUnits(s.db), raw);
    if (!unit) {
      ctx.addIssue({
        code: 'custom',
        message:
          candidates.length > 1
            ? `Có ${candidates.length} đơn vị khớp; bạn gõ mã đơn vị cho chắc (ví dụ CAMXUYEN), hoặc “tất cả”.`
            : 'Chưa tìm thấy đơn vị đó. Bạn gõ mã đơn vị (ví dụ CAMXUYEN), tên đơn vị, hoặc “tất cả”.',
      });
      return z.NEVER;
    }
    return unit.id;
  });
}

export const themhanFlow = defineFlow({ id: 'themhan', command: 'themhan', title: 'thêm hạn', version: 1 })
  .step('title', {
    label: 'Nội dung',
    prompt: 'Nội dung cần hoàn thành? (ví dụ: Nộp báo cáo chuyên đề về mô hình dân vận khéo)',
    schema: textAnswer({ min: 5, max: 200 }),
  })
  .step('date', {
    label: 'Hạn chót',
    prompt: 'Hạn chót là ngày nào? (ví dụ 05/12/2026)',
    schema: (s) => dateAnswer({ currentYear: vnParts(s.now).year, notBefore: { day: isoDayOf(s.now), message: 'Hạn chót phải từ hôm nay trở đi.' } }),
    display: formatIsoDay,
  })
  .step('done', { label: 'Hoàn thành khi', prompt: 'Khi nào một đơn vị được coi là đã xong?', choices: DONE_CHOICES })
  .step('scope', {
    label: 'Đơn vị',
    prompt: 'Hạn này dành cho đơn vị nào (và các đơn vị trực thuộc)? Gõ mã đơn vị, hoặc “tất cả”.',
    schema: scopeSchema,
    display: (value, s) => {
      const unit = value === 0 ? undefined : unitById(s.db, value);
      return unit ? unitLabel(unit) : 'Tất cả đơn vị';
    },
  })
  .save((s) => {
    requireAdmin(s.caller);
    const { title, date, done, scope } = s.answers;
    const row = addOneOffDeadline(s.db, { title, date, done, unitId: scope === 0 ? null : scope }, actorOf(s.caller), s.now);
    const when = DEFAULT_POLICY.before.map((d) => `${d}`).join(', ');
    return `✅ Đã thêm hạn số ${row.id}: ${row.title} — hạn chót ${formatIsoDay(date)}.\nBot sẽ nhắc trước ${when} ngày, vào ngày hạn và sau hạn (trong giờ hành chính, trừ ngày nghỉ). Xem lại bằng /hanchot; xóa bằng /xoahan ${row.id}.`;
  });

export const themhan: Command = {
  name: 'themhan',
  access: 'admin',
  summary: 'thêm một hạn riêng (một lần) để bot nhắc các đơn vị',
  async run(ctx) {
    await ctx.conversations.start('themhan', ctx);
  },
};
