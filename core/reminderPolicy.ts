/**
 * A deadline's reminder policy: who is reminded how many days before and after it. Stored with
 * the deadline (db/deadlines.ts), set in the calendar file or by /themhan, read by the planner.
 */

export interface ReminderPolicy {
  /** Days before the due to remind units that have not reported. */
  before: number[];
  onDay: boolean;
  /** Days after the due on which late units are reminded again. */
  afterDays: number;
  /** Days after the due on which leaders are told who is late. */
  escalateAfterDays: number[];
}

export const DEFAULT_POLICY: ReminderPolicy = { before: [7, 3, 1], onDay: true, afterDays: 3, escalateAfterDays: [1] };

const isIntIn = (n: unknown, min: number, max: number): boolean => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;

export function validatePolicy(p: ReminderPolicy): string | undefined {
  if (!Array.isArray(p.before) || !p.before.every((n) => isIntIn(n, 1, 60))) {
    return 'Số ngày nhắc trước hạn phải là số nguyên từ 1 đến 60.';
  }
  if (new Set(p.before).size !== p.before.length) return 'Số ngày nhắc trước hạn không được trùng nhau.';
  if (typeof p.onDay !== 'boolean') return 'Cần chọn có nhắc vào ngày đến hạn hay không.';
  if (!isIntIn(p.afterDays, 0, 30)) return 'Số ngày nhắc sau hạn phải là số nguyên từ 0 đến 30.';
  if (!Array.isArray(p.escalateAfterDays) || !p.escalateAfterDays.every((n) => isIntIn(n, 1, 60))) {
    return 'Số ngày quá hạn để báo lãnh đạo phải là số nguyên từ 1 đến 60.';
  }
  return undefined;
}
