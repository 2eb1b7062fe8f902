import { describe, expect, it } from 'vitest';
import { type IsoDay, addDays, compareDays, isoDayOf } from '../../core/calendar.js';
import { DaysOff } from '../../scheduler/daysOff.js';
import { DEFAULT_POLICY, type ReminderPolicy, validatePolicy } from '../../core/reminderPolicy.js';
import { DEFAULT_QUIET_HOURS, type Slot, reminderSlots, validateQuietHours } from '../../scheduler/reminderSlots.js';

const off = new DaysOff();
const slotsFor = (due: IsoDay, policy: ReminderPolicy = DEFAULT_POLICY, daysOff: DaysOff = off) => reminderSlots(due, policy, daysOff, DEFAULT_QUIET_HOURS);
/** "kind day daysOverdue", compact enough to read a whole schedule in one assertion. */
const brief = (slots: Slot[]) => slots.map((s) => `${s.kind} ${s.day} ${s.daysOverdue}`);
const vn = (local: string) => new Date(`${local}+07:00`).toISOString();

const TET_2026 = ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'];
const TET_2027 = ['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09'];

describe('defaults', () => {
  it('are 7, 3 and 1 days before, on the day, three days after, leaders after one day, 08:00–17:00', () => {
    expect(DEFAULT_POLICY).toEqual({ before: [7, 3, 1], onDay: true, afterDays: 3, escalateAfterDays: [1] });
    expect(DEFAULT_QUIET_HOURS).toEqual({ start: '08:00', end: '17:00' });
    expect(validatePolicy(DEFAULT_POLICY)).toBeUndefined();
    expect(validateQuietHours(DEFAULT_QUIET_HOURS)).toBeUndefined();
  });
});

describe('an ordinary week', () => {
  // Wednesday 18/03/2026: nothing near it is a holiday.
  const slots = slotsFor('2026-03-18');

  it('reminds before, on and after the due, and tells leaders the day after', () => {
    expect(brief(slots)).toEqual([
      'before-7 2026-03-11 -7',
      'before-3 2026-03-13 -5', // Sunday 15/03 moves back to Friday
      'before-1 2026-03-17 -1',
      'on-day 2026-03-18 0',
      'overdue-1 2026-03-19 1',
      'escalation-1 2026-03-19 1',
      'overdue-2 2026-03-20 2',
      // overdue-3 would be Saturday 21/03: skipped, not moved
    ]);
    expect(slots.map((s) => s.audience)).toEqual(['late-units', 'late-units', 'late-units', 'late-units', 'late-units', 'leaders', 'late-units']);
  });

  it('opens each slot at 08:00 and keeps it open until the next one for the same people', () => {
    expect(slots.map((s) => [s.kind, s.startsAt.toISOString(), s.expiresAt.toISOString()])).toEqual([
      ['before-7', vn('2026-03-11T08:00'), vn('2026-03-13T08:00')],
      ['before-3', vn('2026-03-13T08:00'), vn('2026-03-17T08:00')],
      ['before-1', vn('2026-03-17T08:00'), vn('2026-03-18T08:00')],
      ['on-day', vn('2026-03-18T08:00'), vn('2026-03-19T08:00')],
      ['overdue-1', vn('2026-03-19T08:00'), vn('2026-03-20T08:00')],
      // The last slot of each audience may still go out the next working day, until 17:00.
      ['escalation-1', vn('2026-03-19T08:00'), vn('2026-03-20T17:00')],
      ['overdue-2', vn('2026-03-20T08:00'), vn('2026-03-23T17:00')],
    ]);
  });
});

describe('several reminders on one day', () => {
  it('a due on Sunday puts before-1 and on-day on Friday: on-day is kept', () => {
    expect(brief(slotsFor('2026-03-15'))).toEqual([
      'before-7 2026-03-06 -9',
      'before-3 2026-03-12 -3',
      'on-day 2026-03-13 -2',
      'overdue-1 2026-03-16 1',
      'escalation-1 2026-03-16 1',
      'overdue-2 2026-03-17 2',
      'overdue-3 2026-03-18 3',
    ]);
  });

  it('a due on Monday puts before-3 and before-1 on Friday: before-1 is kept', () => {
    expect(brief(slotsFor('2026-03-16')).slice(0, 3)).toEqual(['before-7 2026-03-09 -7', 'before-1 2026-03-13 -3', 'on-day 2026-03-16 0']);
  });

  it('without an on-day reminder, before-1 is the one kept on that Friday', () => {
    const slots = slotsFor('2026-03-15', { ...DEFAULT_POLICY, onDay: false });
    expect(brief(slots).filter((s) => s.includes('2026-03-13'))).toEqual(['before-1 2026-03-13 -2']);
    expect(slots.some((s) => s.kind === 'on-day')).toBe(false);
  });

  it('escalations landing on the same Monday keep the later one, and the chain continues', () => {
    // Friday 20/03/2026: escalation-1 (Sat) and escalation-2 (Sun) both move to Monday.
    const slots = slotsFor('2026-03-20', { ...DEFAULT_POLICY, escalateAfterDays: [1, 2, 5] }).filter((s) => s.audience === 'leaders');
    expect(brief(slots)).toEqual(['escalation-2 2026-03-23 3', 'escalation-5 2026-03-25 5']);
    expect(slots[0]?.expiresAt.toISOString()).toBe(vn('2026-03-25T08:00'));
    expect(slots[1]?.expiresAt.toISOString()).toBe(vn('2026-03-26T17:00'));
  });

  it('a repeated escalation day gives one slot', () => {
    const slots = slotsFor('2026-03-18', { ...DEFAULT_POLICY, escalateAfterDays: [1, 1] });
    expect(brief(slots.filter((s) => s.audience === 'leaders'))).toEqual(['escalation-1 2026-03-19 1']);
  });

  it('lists the units’ reminder before the leaders’ report on a shared morning', () => {
    const slots = slotsFor('2026-03-18');
    const shared = slots.filter((s) => s.day === '2026-03-19');
    expect(shared.map((s) => s.audience)).toEqual(['late-units', 'leaders']);
  });
});

describe('the registration deadline 30/01', () => {
  it('2026 (a Friday): the overdue reminders on the weekend are skipped, Monday gets overdue-3 and the leaders', () => {
    expect(brief(slotsFor('2026-01-30'))).toEqual([
      'before-7 2026-01-23 -7',
      'before-3 2026-01-27 -3',
      'before-1 2026-01-29 -1',
      'on-day 2026-01-30 0',
      'overdue-3 2026-02-02 3',
      'escalation-1 2026-02-02 3',
    ]);
  });

  it('2027 (a Saturday): on-day moves to Friday 29/01, displacing before-1', () => {
    expect(brief(slotsFor('2027-01-30'))).toEqual([
      'before-7 2027-01-22 -8',
      'before-3 2027-01-27 -3',
      'on-day 2027-01-29 -1',
      'overdue-2 2027-02-01 2',
      'escalation-1 2027-02-01 2',
      'overdue-3 2027-02-02 3',
    ]);
  });
});

describe('Tết', () => {
  it('a monthly deadline on Sunday 15/02/2026: everything moves before Tết, leaders hear after it', () => {
    const slots = slotsFor('2026-02-15');
    expect(brief(slots)).toEqual([
      'before-7 2026-02-06 -9', // Sunday 08/02 → Friday 06/02
      'before-3 2026-02-12 -3',
      'on-day 2026-02-13 -2', // before-1 (Sat 14/02) and on-day (Sun 15/02) both land on Friday 13/02
      // overdue-1..3 fall on 16–18/02, Tết: skipped
      'escalation-1 2026-02-23 8', // Monday 16/02 is Tết → first working day after it
    ]);
    // Nothing else reminds the units until after Tết, so the on-day reminder stays sendable until then.
    expect(slots[2]?.expiresAt.toISOString()).toBe(vn('2026-02-23T17:00'));
    expect(slots[3]?.expiresAt.toISOString()).toBe(vn('2026-02-24T17:00'));
  });

  it('a deadline on 17/02/2026 (Mùng 1 Tết): three reminders collapse onto Friday 13/02', () => {
    expect(brief(slotsFor('2026-02-17'))).toEqual(['before-7 2026-02-10 -7', 'on-day 2026-02-13 -4', 'escalation-1 2026-02-23 6']);
  });

  it('a deadline on Monday 08/02/2027 (inside Tết 2027): reminders before Tết, overdue ones right after', () => {
    expect(brief(slotsFor('2027-02-08'))).toEqual([
      'before-7 2027-02-01 -7',
      'on-day 2027-02-04 -4', // before-3 (05/02), before-1 (07/02) and on-day (08/02) all move to Thursday 04/02
      // overdue-1 is 09/02, Tết: skipped
      'overdue-2 2027-02-10 2',
      'escalation-1 2027-02-10 2',
      'overdue-3 2027-02-11 3',
    ]);
  });

  it('a deadline on Friday 12/02/2027: before-7 and before-3 both fall in Tết and meet on 04/02', () => {
    expect(brief(slotsFor('2027-02-12'))).toEqual([
      'before-3 2027-02-04 -8',
      'before-1 2027-02-11 -1',
      'on-day 2027-02-12 0',
      'overdue-3 2027-02-15 3',
      'escalation-1 2027-02-15 3',
    ]);
  });

  it('never puts a slot on a Tết day or any other day off, for any due around Tết 2026 and 2027', () => {
    const policy: ReminderPolicy = { before: [14, 10, 7, 5, 3, 2, 1], onDay: true, afterDays: 10, escalateAfterDays: [1, 2, 3, 7] };
    for (const [from, tet] of [
      ['2026-01-20', TET_2026],
      ['2027-01-10', TET_2027],
    ] as const) {
      for (let i = 0; i < 50; i++) {
        const due = addDays(from, i);
        for (const slot of slotsFor(due, policy)) {
          expect(tet, `${due} ${slot.kind}`).not.toContain(slot.day);
          expect(off.isWorkingDay(slot.day), `${due} ${slot.kind} ${slot.day}`).toBe(true);
          expect(isoDayOf(slot.startsAt)).toBe(slot.day);
        }
      }
    }
  });
});

describe('Giỗ Tổ and 30/04–01/05', () => {
  it('a deadline on Giỗ Tổ 16/04/2027 (Friday) is reminded on Thursday', () => {
    expect(brief(slotsFor('2027-04-16'))).toEqual([
      'before-7 2027-04-09 -7',
      'before-3 2027-04-13 -3',
      'on-day 2027-04-15 -1',
      'overdue-3 2027-04-19 3',
      'escalation-1 2027-04-19 3',
    ]);
  });

  it('Giỗ Tổ 2026 on a Sunday: a Monday 27/04 deadline is reminded on Friday 24/04', () => {
    expect(brief(slotsFor('2026-04-27')).slice(0, 3)).toEqual(['before-7 2026-04-20 -7', 'before-1 2026-04-24 -3', 'on-day 2026-04-27 0']);
  });

  it('a deadline on 05/05/2026: before-3 skips Saturday, 01/05 and 30/04', () => {
    expect(brief(slotsFor('2026-05-05'))).toEqual([
      'before-7 2026-04-28 -7',
      'before-3 2026-04-29 -6',
      'before-1 2026-05-04 -1',
      'on-day 2026-05-05 0',
      'overdue-1 2026-05-06 1',
      'escalation-1 2026-05-06 1',
      'overdue-2 2026-05-07 2',
      'overdue-3 2026-05-08 3',
    ]);
  });
});

describe('extra days off', () => {
  it('the 2026 Tết break 14–22/02 adds only weekends and Tết days, so no slot moves', () => {
    const withBreak = new DaysOff([{ from: '2026-02-14', to: '2026-02-22', name: 'Nghỉ Tết Nguyên Đán' }]);
    for (let i = 0; i < 40; i++) {
      const due = addDays('2026-01-25', i);
      expect(slotsFor(due, DEFAULT_POLICY, withBreak), due).toEqual(slotsFor(due));
    }
  });

  it('compensatory days after Tết 2027 move reminders earlier and escalations later', () => {
    const withCompensation = new DaysOff([{ from: '2027-02-10', to: '2027-02-11', name: 'Nghỉ bù Tết Nguyên Đán' }]);
    // Without them: before-3 04/02, before-1 11/02 (see above).
    expect(brief(slotsFor('2027-02-12', DEFAULT_POLICY, withCompensation))).toEqual([
      'before-1 2027-02-04 -8', // 11/02 is now off: before-1 joins before-3 on 04/02 and wins
      'on-day 2027-02-12 0',
      'overdue-3 2027-02-15 3',
      'escalation-1 2027-02-15 3',
    ]);
    // Without them: overdue-2 and escalation-1 on 10/02, overdue-3 on 11/02.
    expect(brief(slotsFor('2027-02-08', DEFAULT_POLICY, withCompensation))).toEqual([
      'before-7 2027-02-01 -7',
      'on-day 2027-02-04 -4',
      'escalation-1 2027-02-12 4',
    ]);
  });

  it('a Tết break decided to start on Thursday 12/02/2026 moves the reminders before it', () => {
    const longBreak = new DaysOff([{ from: '2026-02-12', to: '2026-02-22', name: 'Nghỉ Tết Nguyên Đán' }]);
    expect(brief(slotsFor('2026-02-15', DEFAULT_POLICY, longBreak))).toEqual([
      'before-7 2026-02-06 -9',
      'on-day 2026-02-11 -4', // before-3 (12/02) and on-day (13/02 before) now meet on Wednesday 11/02
      'escalation-1 2026-02-23 8',
    ]);
  });
});

describe('expiry', () => {
  it('chains every audience’s slots without gaps or overlaps, each starting inside the window', () => {
    for (const due of ['2026-01-30', '2026-02-15', '2026-05-05', '2027-02-08', '2027-12-31', '2028-02-29']) {
      const slots = slotsFor(due, { before: [10, 7, 3, 1], onDay: true, afterDays: 5, escalateAfterDays: [1, 3] });
      for (let i = 1; i < slots.length; i++) {
        expect(slots[i]!.startsAt.getTime()).toBeGreaterThanOrEqual(slots[i - 1]!.startsAt.getTime());
      }
      for (const audience of ['late-units', 'leaders'] as const) {
        const mine = slots.filter((s) => s.audience === audience);
        expect(mine.length, `${due} ${audience}`).toBeGreaterThan(0);
        mine.forEach((slot, i) => {
          const next = mine[i + 1];
          if (next) {
            expect(compareDays(slot.day, next.day)).toBe(-1);
            expect(slot.expiresAt.getTime()).toBe(next.startsAt.getTime());
          } else {
            const lastDay = isoDayOf(slot.expiresAt);
            expect(compareDays(lastDay, slot.day)).toBe(1);
            expect(off.isWorkingDay(lastDay)).toBe(true);
            expect(slot.expiresAt.toISOString()).toBe(vn(`${lastDay}T17:00`));
          }
        });
      }
    }
  });

  it('uses the configured hours', () => {
    const slots = reminderSlots('2027-12-31', { before: [1], onDay: true, afterDays: 0, escalateAfterDays: [] }, off, { start: '07:30', end: '11:15' });
    expect(slots.map((s) => [s.kind, s.startsAt.toISOString(), s.expiresAt.toISOString()])).toEqual([
      ['before-1', vn('2027-12-30T07:30'), vn('2027-12-31T07:30')],
      // 01/01/2028 is a Saturday and Tết Dương lịch; the next working day is Monday 03/01.
      ['on-day', vn('2027-12-31T07:30'), vn('2028-01-03T11:15')],
    ]);
  });

  it('gives nothing when the policy asks for nothing', () => {
    expect(slotsFor('2026-03-18', { before: [], onDay: false, afterDays: 0, escalateAfterDays: [] })).toEqual([]);
  });
});

describe('validation', () => {
  it('explains a bad policy in Vietnamese', () => {
    const bad = (patch: Partial<ReminderPolicy>) => validatePolicy({ ...DEFAULT_POLICY, ...patch });
    expect(bad({ before: [0] })).toBe('Số ngày nhắc trước hạn phải là số nguyên từ 1 đến 60.');
    expect(bad({ before: [61] })).toBe('Số ngày nhắc trước hạn phải là số nguyên từ 1 đến 60.');
    expect(bad({ before: [2.5] })).toBe('Số ngày nhắc trước hạn phải là số nguyên từ 1 đến 60.');
    expect(bad({ before: [3, 7, 3] })).toBe('Số ngày nhắc trước hạn không được trùng nhau.');
    expect(bad({ before: [60, 1] })).toBeUndefined();
    expect(bad({ afterDays: 31 })).toBe('Số ngày nhắc sau hạn phải là số nguyên từ 0 đến 30.');
    expect(bad({ afterDays: -1 })).toBe('Số ngày nhắc sau hạn phải là số nguyên từ 0 đến 30.');
    expect(bad({ afterDays: 0 })).toBeUndefined();
    expect(bad({ escalateAfterDays: [0] })).toBe('Số ngày quá hạn để báo lãnh đạo phải là số nguyên từ 1 đến 60.');
    expect(bad({ escalateAfterDays: [61] })).toBe('Số ngày quá hạn để báo lãnh đạo phải là số nguyên từ 1 đến 60.');
    expect(bad({ onDay: 'yes' as unknown as boolean })).toBe('Cần chọn có nhắc vào ngày đến hạn hay không.');
  });

  it('explains bad hours in Vietnamese', () => {
    expect(validateQuietHours({ start: '8:00', end: '17:00' })).toBe('Giờ gửi nhắc phải có dạng GG:PP, ví dụ 08:00.');
    expect(validateQuietHours({ start: '08:00', end: '24:00' })).toBe('Giờ gửi nhắc phải có dạng GG:PP, ví dụ 08:00.');
    expect(validateQuietHours({ start: '17:00', end: '08:00' })).toBe('Giờ bắt đầu gửi nhắc phải sớm hơn giờ kết thúc.');
    expect(validateQuietHours({ start: '08:00', end: '08:00' })).toBe('Giờ bắt đầu gửi nhắc phải sớm hơn giờ kết thúc.');
  });

  it('refuses to plan with either', () => {
    expect(() => slotsFor('2026-03-18', { ...DEFAULT_POLICY, before: [0] })).toThrow('Số ngày nhắc trước hạn phải là số nguyên từ 1 đến 60.');
    expect(() => reminderSlots('2026-03-18', DEFAULT_POLICY, off, { start: '17:00', end: '08:00' })).toThrow(/Giờ bắt đầu/);
  });
});
