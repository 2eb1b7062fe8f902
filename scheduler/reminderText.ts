import type { PersonRef, TextPart } from '../core/chat.js';
import { formatIsoDay } from '../core/clock.js';
import type { LateUnit } from '../db/deadlineProgress.js';
import type { IsoDay } from '../core/calendar.js';

/**
 * What reminders and escalations say. Short, polite, the date first, then who and what is
 * missing; officers are mentioned (at most five, so a group is not flooded with notifications;
 * the others are named), and each unit's line says what to type to be done.
 */

/** Mentions per message: more is a wall of notifications that people mute. */
export const MAX_MENTIONS = 5;
/**
 * Units listed in one message: a province group may see hundreds late at once, and a phone shows
 * about ten lines; the rest are counted and /hanchot lists them all.
 */
export const MAX_UNITS_LISTED = 10;
/** The line that counts the units left out of the list. */
const moreUnits = (n: number) => `… và ${n} đơn vị khác (gõ /hanchot để xem đủ).`;
/** Model codes named on one unit's line. */
const MAX_CODES = 3;

const WEEKDAYS = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'];

/** "Thứ Hai, 15/12/2026" */
export function dayWithWeekday(day: IsoDay): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${WEEKDAYS[new Date(Date.UTC(y!, m! - 1, d!)).getUTCDay()]}, ${formatIsoDay(day)}`;
}

/** "16/11–15/12/2026" (the year once when both ends share it). */
export function periodLabel(period: { from: IsoDay; to: IsoDay }): string {
  const from = formatIsoDay(period.from);
  const to = formatIsoDay(period.to);
  return period.from.slice(0, 4) === period.to.slice(0, 4) ? `${from.slice(0, 5)}–${to}` : `${from}–${to}`;
}

export interface ReminderInput {
  title: string;
  due: IsoDay;
  /** Negative before the due, 0 on the day, positive once overdue. */
  daysOverdue: number;
  period: { from: IsoDay; to: IsoDay };
  units: readonly LateUnit[];
  officers: readonly PersonRef[];
}

function whenLine(due: IsoDay, daysOverdue: number): string {
  if (daysOverdue < 0) return `Hạn chót: ${dayWithWeekday(due)} — còn ${-daysOverdue} ngày.`;
  if (daysOverdue === 0) return `Hôm nay (${dayWithWeekday(due)}) là hạn chót.`;
  return `Đã quá hạn ${daysOverdue} ngày (hạn chót ${dayWithWeekday(due)}).`;
}

/** One unit's line; `hint` adds the command that gets the unit done (for its officers, not for leaders). */
function unitLine(unit: LateUnit, period: { from: IsoDay; to: IsoDay }, year: string, hint: boolean): string {
  switch (unit.detail.kind) {
    case 'quota':
      return `• ${unit.name}: đã đăng ký ${unit.detail.counted}/${unit.detail.required} mô hình năm ${year}${hint ? ' (gõ /dangky)' : ''}`;
    case 'updates': {
      // The models by their codes, so the officer knows which one to update.
      const { owing, missing, active } = unit.detail;
      const codes = owing.length > MAX_CODES ? `${owing.slice(0, MAX_CODES).join(', ')}…` : owing.join(', ');
      if (missing === 1 && owing.length === 1) {
        return `• ${unit.name}: ${owing[0]} chưa gửi tiến độ kỳ ${periodLabel(period)}${hint ? ` (gõ /capnhat ${owing[0]})` : ''}`;
      }
      return `• ${unit.name}: ${missing}/${active} mô hình chưa gửi tiến độ kỳ ${periodLabel(period)}${codes ? ` (${codes})` : ''}${hint ? ' — gõ /capnhat' : ''}`;
    }
    case 'announcement':
      return `• ${unit.name}`;
  }
}

function listed<T>(items: readonly T[], max: number, line: (item: T) => string, more: (n: number) => string): string[] {
  const lines = items.slice(0, max).map(line);
  if (items.length > max) lines.push(more(items.length - max));
  return lines;
}

/** "@A, @B: " — or, past five, "@A, …, @E và các đồng chí F, G: ". */
function addressed(officers: readonly PersonRef[]): TextPart[] {
  if (officers.length === 0) return [];
  const parts: TextPart[] = [];
  officers.slice(0, MAX_MENTIONS).forEach((person, i) => {
    if (i > 0) parts.push(', ');
    parts.push({ mention: person });
  });
  const rest = officers.slice(MAX_MENTIONS).map((p) => p.displayName);
  if (rest.length > 0) parts.push(` và các đồng chí ${rest.join(', ')}`);
  parts.push(':\n');
  return parts;
}

/** A reminder to one group about the late units whose officers are there. */
export function reminderText(input: ReminderInput): TextPart[] {
  const announcement = input.units.every((u) => u.detail.kind === 'announcement');
  const head = announcement ? `📣 Sắp đến: ${input.title}` : `⏰ Nhắc hạn: ${input.title}`;
  const when =
    announcement && input.daysOverdue <= 0 ? whenLine(input.due, input.daysOverdue).replace('Hạn chót', 'Ngày') : whenLine(input.due, input.daysOverdue);
  const year = input.due.slice(0, 4);
  const body = announcement
    ? 'Đề nghị các đơn vị chuẩn bị theo kế hoạch.'
    : [
        input.units.length === 1 ? 'Đơn vị chưa hoàn thành:' : `${input.units.length} đơn vị chưa hoàn thành:`,
        ...listed(input.units, MAX_UNITS_LISTED, (u) => unitLine(u, input.period, year, true), moreUnits),
      ].join('\n');
  return [`${head}\n${when}\n`, ...addressed(input.officers), body];
}

export interface EscalationInput {
  title: string;
  due: IsoDay;
  daysOverdue: number;
  period: { from: IsoDay; to: IsoDay };
  units: readonly LateUnit[];
}

/** To the leaders' group once the deadline has passed: who is late, and by how much. */
export function escalationText(input: EscalationInput): string {
  const year = input.due.slice(0, 4);
  return [
    `📋 Báo cáo tình hình: ${input.title}`,
    `Hạn chót ${dayWithWeekday(input.due)} đã qua ${input.daysOverdue} ngày; ${input.units.length} đơn vị chưa hoàn thành (trễ ${input.daysOverdue} ngày):`,
    ...listed(input.units, MAX_UNITS_LISTED, (u) => unitLine(u, input.period, year, false), moreUnits),
  ].join('\n');
}
