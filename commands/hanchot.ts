import { type Command, mayRun } from './shared/command.js';
import { activeDeadlines, type Deadline } from '../db/deadlines.js';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { concernsUnit, lateUnits, updatesOwedByUnit } from '../db/deadlineProgress.js';
import type { Caller } from '../db/people.js';
import { subtreeIds, unitById } from '../db/units.js';
import { daysBetween, describeRule, type IsoDay, isoDayOf, nextOccurrences, type Occurrence } from '../core/calendar.js';
import { dayWithWeekday, periodLabel } from '../scheduler/reminderText.js';

/**
 * `/hanchot`: the coming deadlines, for anyone — soonest first, with what counts as done; an
 * officer also sees where their own unit stands, a leader where the units they lead stand (a count
 * and the names of those not done yet). Admins see the numbers of one-off deadlines (to remove one
 * with /xoahan).
 */

const DONE_LABEL: Record<Deadline['done'], string> = {
  quota_registered: 'đơn vị đăng ký đủ chỉ tiêu mô hình, điểm sáng của năm',
  period_updates: 'mọi mô hình đang thực hiện có cập nhật tiến độ trong kỳ',
  none: 'chỉ nhắc, không kiểm tra',
};

const MAX_LISTED = 12;
/** Names of units not done yet in a leader's line; the rest are counted. */
const MAX_NAMED = 5;
/** A phone screen or two: past it, a leader's lines are kept for the soonest deadlines only. */
const MAX_LINES = 40;
const LEADER_BLOCKS_WHEN_LONG = 3;

function remaining(days: number): string {
  if (days === 0) return 'hôm nay';
  return days === 1 ? 'ngày mai' : `còn ${days} ngày`;
}

export const hanchot: Command = {
  name: 'hanchot',
  access: 'anyone',
  summary: 'xem các hạn báo cáo sắp tới',
  async run(ctx) {
    const today = isoDayOf(ctx.now);
    const coming: Array<{ deadline: Deadline; occurrence: Occurrence }> = [];
    for (const deadline of activeDeadlines(ctx.db)) {
      const [occurrence] = nextOccurrences(deadline.rule, deadline.cutoff, today, 1);
      if (occurrence) coming.push({ deadline, occurrence });
    }
    if (coming.length === 0) {
      await ctx.reply('Hiện chưa có hạn báo cáo nào sắp tới.');
      return;
    }
    coming.sort((a, b) => a.occurrence.due.localeCompare(b.occurrence.due) || a.deadline.id - b.deadline.id);
    const admin = mayRun(ctx.caller, 'admin');
    const ownUnits = ctx.caller.grants.filter((g) => g.role === 'officer' && g.unitId !== null).map((g) => g.unitId!);
    // Read once, not once per deadline.
    const own = ownUnits.map((id) => unitById(ctx.db, id)).filter((u) => u !== undefined);
    const led = ledUnits(ctx.db, ctx.caller, ownUnits);
    const lines = [`Các hạn sắp tới (hôm nay ${dayWithWeekday(today)}):`];
    /** Where each leader line sits in `lines`, to drop the later ones when the reply runs long. */
    const leaderLineAt: number[] = [];
    for (const { deadline, occurrence } of coming.slice(0, MAX_LISTED)) {
      const number = admin && deadline.source === 'chat' ? ` [số ${deadline.id}]` : '';
      lines.push('', `📅 ${dayWithWeekday(occurrence.due)} (${remaining(daysBetween(today, occurrence.due))}) — ${deadline.title}${number}`);
      const repeat = deadline.rule.rule === 'once' ? '' : `Lặp lại: ${describeRule(deadline.rule)}. `;
      const period = deadline.done === 'period_updates' ? ` Kỳ: ${periodLabel(occurrence.period)}.` : '';
      lines.push(`${repeat}Hoàn thành khi: ${DONE_LABEL[deadline.done]}.${period}`);
      if (deadline.done !== 'none') {
        // An officer's own units, one line each: only they are checked for it.
        const late = new Set(lateUnits(ctx.db, deadline, occurrence, ownUnits).map((u) => u.unitId));
        for (const unit of own) {
          // A deadline for other units says nothing about this one.
          if (!concernsUnit(ctx.db, deadline, unit.id)) continue;
          if (late.has(unit.id)) lines.push(`→ ${unit.name}: chưa xong.`);
          // "Done" for a unit with nothing to report would praise it for nothing (issue 22).
          else if (deadline.done === 'period_updates' && owesNothing(ctx.db, unit.id, occurrence.period))
            lines.push(`→ ${unit.name}: không có mô hình phải báo cáo kỳ này.`);
          else lines.push(`→ ${unit.name}: đã xong ✅`);
        }
        if (led) {
          const line = leaderLine(ctx.db, deadline, occurrence, led);
          if (line) {
            leaderLineAt.push(lines.length);
            lines.push(line);
          }
        }
      }
    }
    if (coming.length > MAX_LISTED) lines.push('', `… và ${coming.length - MAX_LISTED} hạn khác.`);
    if (lines.length > MAX_LINES && leaderLineAt.length > LEADER_BLOCKS_WHEN_LONG) {
      // Later deadlines keep their dates; what each unit owes is in /baocao.
      const dropped = new Set(leaderLineAt.slice(LEADER_BLOCKS_WHEN_LONG));
      const kept = lines.filter((_, i) => !dropped.has(i));
      lines.length = 0;
      lines.push(...kept, '', '(Tình hình các đơn vị bạn phụ trách ở các hạn sau: gõ /baocao để xem chi tiết)');
    }
    if (admin) lines.push('', `Thêm hạn riêng: /themhan. Xóa hạn riêng: /xoahan <số>. Các hạn định kỳ được đặt trong tệp lịch của hệ thống.`);
    await ctx.reply(lines.join('\n'));
  },
};

/** Whether the unit carries out no model of the period's year during it: no update is asked of it. */
function owesNothing(db: Db, unitId: number, period: { from: IsoDay; to: IsoDay }): boolean {
  return updatesOwedByUnit(db, sql`u.id = ${unitId}`, period, Number(period.to.slice(0, 4))).length === 0;
}

/** The units a leader's lines count. */
interface LedUnits {
  /** Undefined: every unit of the deployment. */
  ids?: number[];
  /** Left out of the count (the caller's own units, shown on their own lines). */
  except: Set<number>;
}

/**
 * The units a leader leads: every unit for a deployment-wide leader, else the subtrees of the units
 * they lead. The units the caller is an officer of are left out: they have their own line just
 * above, and a unit told twice in one block reads as two different things. Undefined when the
 * caller leads nothing, or only units they are an officer of.
 */
function ledUnits(db: Db, caller: Caller, ownUnits: readonly number[]): LedUnits | undefined {
  const leads = caller.grants.filter((g) => g.role === 'leader');
  if (leads.length === 0) return undefined;
  if (leads.some((g) => g.unitId === null)) return { except: new Set(ownUnits) };
  const roots = leads.map((g) => g.unitId!);
  // A Set: two grants on nested units (the province and one of its communes) count each unit once.
  const subtree = new Set(subtreeIds(db, roots));
  const except = new Set(ownUnits.filter((id) => subtree.has(id)));
  const ids = [...subtree].filter((id) => !except.has(id));
  return ids.length === 0 ? undefined : { ids, except };
}

/**
 * "→ Các đơn vị bạn phụ trách: 18/24 đã xong; chưa xong: Xã Cẩm Bình, … và 3 đơn vị khác." Three
 * queries per deadline whatever the number of units: the units it concerns, the late ones, and for
 * an update deadline the units with a model to report on. A unit that carries out no model in the
 * period owes nothing: it is neither late nor "done", so it is left out of the count and said apart.
 * Undefined when the deadline concerns none of the units.
 */
function leaderLine(db: Db, deadline: Deadline, occurrence: Occurrence, led: LedUnits): string | undefined {
  // Done 'none' is "every unit concerned" (db/deadlineProgress.ts): the deadline's reach among them in one query.
  const concerned = lateUnits(db, { ...deadline, done: 'none' }, occurrence, led.ids).filter((u) => !led.except.has(u.unitId));
  if (concerned.length === 0) return undefined;
  const concernedIds = new Set(concerned.map((u) => u.unitId));
  const late = lateUnits(db, deadline, occurrence, led.ids).filter((u) => concernedIds.has(u.unitId));
  let owingNothing = 0;
  if (deadline.done === 'period_updates') {
    const ids = JSON.stringify([...concernedIds]);
    const reporting = updatesOwedByUnit(db, sql`u.id in (select value from json_each(${ids}))`, occurrence.period, Number(occurrence.period.to.slice(0, 4)));
    owingNothing = concerned.length - reporting.length;
  }
  const who = led.except.size > 0 ? 'Các đơn vị khác bạn phụ trách' : 'Các đơn vị bạn phụ trách';
  const total = concerned.length - owingNothing;
  const apart = owingNothing > 0 ? ` (${owingNothing} đơn vị không có mô hình phải báo cáo kỳ này)` : '';
  if (total === 0) return `→ ${who}: không đơn vị nào có mô hình phải báo cáo kỳ này.`;
  if (late.length === 0) return `→ ${who}: ${total}/${total} đã xong ✅${apart}`;
  const done = `${total - late.length}/${total} đã xong${apart}`;
  // lateUnits lists them in Vietnamese order already.
  const named = late.slice(0, MAX_NAMED).map((u) => u.name);
  const more = late.length > MAX_NAMED ? ` và ${late.length - MAX_NAMED} đơn vị khác` : '';
  return `→ ${who}: ${done}; chưa xong: ${named.join(', ')}${more}.`;
}
