import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DONE_CRITERIA, UNIT_KINDS } from '../db/schema.js';
import { compareDays, isIsoDay, type RuleSpec, validateCutoff, validateRule } from '../core/calendar.js';
import { type ExtraDaysOff, validateExtraDaysOff, type WorkingDay } from './daysOff.js';
import { DEFAULT_POLICY, validatePolicy } from '../core/reminderPolicy.js';
import { DEFAULT_QUIET_HOURS, type QuietHours } from './reminderSlots.js';

/**
 * The calendar file (DVK_CALENDAR, default config/calendar.json): the plans' recurring deadlines,
 * extra days off (the official Tết break, decided every year) and the hours reminders may go out.
 * The IT staffer edits it and restarts the bot; admins add one-off deadlines in chat instead.
 */

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'ngày phải có dạng YYYY-MM-DD');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'giờ phải có dạng HH:MM');

const ruleSchema = z
  .discriminatedUnion('rule', [
    z.object({ rule: z.literal('yearly'), month: z.number().int(), day: z.number().int() }),
    z.object({ rule: z.literal('monthly'), day: z.number().int() }),
    z.object({ rule: z.literal('quarterly'), day: z.number().int() }),
    z.object({ rule: z.literal('half_yearly'), month: z.number().int(), day: z.number().int() }),
    z.object({ rule: z.literal('once'), date: isoDay, from: isoDay.optional() }),
  ])
  .superRefine((spec, ctx) => {
    const problem = validateRule(spec as RuleSpec);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const policySchema = z
  .object({
    before: z.array(z.number().int()).default(DEFAULT_POLICY.before),
    onDay: z.boolean().default(DEFAULT_POLICY.onDay),
    afterDays: z.number().int().default(DEFAULT_POLICY.afterDays),
    escalateAfterDays: z.array(z.number().int()).default(DEFAULT_POLICY.escalateAfterDays),
  })
  .superRefine((policy, ctx) => {
    const problem = validatePolicy(policy);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const deadlineSpecSchema = z.object({
  /** Stable name: renaming the title keeps the history; a key removed from the file retires the deadline. */
  key: z.string().regex(/^[a-z0-9][a-z0-9-]{1,48}$/, 'key chỉ gồm chữ thường không dấu, số và dấu gạch ngang'),
  title: z.string().trim().min(3).max(200),
  rule: ruleSchema,
  /** Decree 09/2019 data cut-off, e.g. { "endDay": 14, "months": 1 } for 15th of last month → 14th. */
  cutoff: z
    .object({ endDay: z.number().int(), months: z.number().int() })
    .superRefine((cutoff, ctx) => {
      const problem = validateCutoff(cutoff);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /** The unit (short code) whose subtree the deadline concerns; all units when absent. */
  unit: z.string().trim().min(1).optional(),
  unitKinds: z.array(z.enum(UNIT_KINDS)).min(1).optional(),
  done: z.enum(DONE_CRITERIA),
  policy: policySchema.default({ ...DEFAULT_POLICY }),
  active: z.boolean().default(true),
});

export type DeadlineSpec = z.output<typeof deadlineSpecSchema>;

const calendarSchema = z
  .object({
    quietHours: z.object({ start: hhmm, end: hhmm }).default({ ...DEFAULT_QUIET_HOURS }),
    daysOff: z.array(z.object({ from: isoDay, to: isoDay, name: z.string().trim().min(1).max(120) })).default([]),
    /** Weekend days made working days to make up for a swapped day off (10/01/2026, 22/08/2026). */
    workingDays: z.array(z.object({ date: isoDay, name: z.string().trim().min(1).max(120) })).default([]),
    deadlines: z.array(deadlineSpecSchema),
  })
  .superRefine((calendar, ctx) => {
    if (calendar.quietHours.start >= calendar.quietHours.end) {
      ctx.addIssue({ code: 'custom', path: ['quietHours'], message: 'giờ bắt đầu phải trước giờ kết thúc' });
    }
    const seen = new Set<string>();
    calendar.deadlines.forEach((d, i) => {
      if (seen.has(d.key)) ctx.addIssue({ code: 'custom', path: ['deadlines', i, 'key'], message: `key “${d.key}” bị trùng` });
      seen.add(d.key);
    });
    calendar.daysOff.forEach((d, i) => {
      const problem = validateExtraDaysOff(d);
      if (problem) ctx.addIssue({ code: 'custom', path: ['daysOff', i], message: problem });
    });
    calendar.workingDays.forEach((w, i) => {
      if (!isIsoDay(w.date)) ctx.addIssue({ code: 'custom', path: ['workingDays', i, 'date'], message: 'ngày không có thật' });
      else if (calendar.daysOff.some((d) => compareDays(d.from, w.date) <= 0 && compareDays(w.date, d.to) <= 0)) {
        ctx.addIssue({ code: 'custom', path: ['workingDays', i, 'date'], message: `${w.date} vừa là ngày nghỉ vừa là ngày làm bù` });
      }
    });
  });

export interface CalendarConfig {
  quietHours: QuietHours;
  daysOff: ExtraDaysOff[];
  workingDays: WorkingDay[];
  deadlines: DeadlineSpec[];
}

export class CalendarConfigError extends Error {
  override name = 'CalendarConfigError';
}

export function parseCalendar(json: unknown, source = 'lịch hạn'): CalendarConfig {
  // zod's own messages (a wrong type, an unknown option) in Vietnamese too, like every message here.
  const parsed = calendarSchema.safeParse(json, { error: z.locales.vi().localeError });
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 5).map((issue) => `  - ${issue.path.map(String).join('.') || '(toàn bộ)'}: ${issue.message}`);
    throw new CalendarConfigError(`Tệp ${source} có chỗ sai:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function loadCalendar(path: string): CalendarConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      error instanceof SyntaxError ? 'không phải JSON hợp lệ' : code === 'ENOENT' ? 'không có tệp này' : `không đọc được (${code ?? 'lỗi không rõ'})`;
    throw new CalendarConfigError(`Không đọc được tệp lịch hạn ${path}: ${reason}.`);
  }
  return parseCalendar(json, path);
}
