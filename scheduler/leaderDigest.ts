import type { Logger } from 'pino';
import { addDays, daysBetween, type IsoDay, isoDayOf } from '../core/calendar.js';
import type { ChatRef, Deliver } from '../core/chat.js';
import { formatVnTime, vnParts } from '../core/clock.js';
import { ellipsize } from '../core/text.js';
import type { Db } from '../db/client.js';
import { digestsDecidedOn, forgetDigestsBefore, recordDigest } from '../db/leaderDigestRuns.js';
import { type LeaderGroup, leaderGroups } from '../db/leaderGroups.js';
import type { AwaitingModel } from '../db/modelQueries.js';
import { type ReviewQueue, reviewQueue, type WaitingKind, waitingCount } from '../db/reviewQueue.js';
import { reusableTransaction } from '../db/reusableTransaction.js';
import type { DaysOff } from './daysOff.js';
import type { QuietHours } from './reminderSlots.js';
import { isSendingTime } from './sendingTime.js';
import type { Job } from './ticker.js';

/**
 * The leaders' morning digest: on working days, each group where a leader has been seen is told
 * once what waits for the leaders seen there (registrations to approve, proposals to recognise),
 * oldest first, so nothing sits unseen for weeks. It goes at the first tick at or after 07:30 that
 * is inside the sending hours; a bot that was down then sends it later the same day, never the
 * next one (the next day has its own). A group with nothing waiting is told nothing.
 */

/** When the digest may go out, Vietnam time (and not before the sending hours start). */
const DIGEST_TIME = '07:30';
/** Codes named per kind; the rest are counted. Keeps the message within a phone screen. */
const CODES_PER_KIND = 5;
/** How many days of digest records are kept before the day's first run forgets them. */
const KEPT_DAYS = 7;

export interface LeaderDigestDeps {
  db: Db;
  daysOff: DaysOff;
  /** The sending hours (the calendar file's quietHours), as for reminders. */
  quiet: QuietHours;
  /** Sends to a group through its platform's adapter. */
  deliver: Deliver;
  /**
   * Whether a group's platform runs in this process. A group of another platform (a database
   * moved from the simulator to Zalo, a platform switched off) is left undecided, so its day is not
   * spent on a send that cannot happen. Every group when absent.
   */
  reachable?: (chat: ChatRef) => boolean;
  log: Logger;
}

export function leaderDigestJob(deps: LeaderDigestDeps): Job {
  const { db } = deps;
  // Decided and recorded in one transaction: whoever records the group's day sends it, with what it
  // counted; a send that fails is not tried again every minute.
  const decide = reusableTransaction(db, (group: LeaderGroup, day: IsoDay, now: Date): ReviewQueue | undefined => {
    const queue = reviewQueue(db, group.scope, CODES_PER_KIND);
    return recordDigest(db, group.rowId, day, waitingCount(queue), now) ? queue : undefined;
  });
  return {
    name: 'leader-digest',
    async run(now) {
      if (!isSendingTime(now, deps.daysOff, deps.quiet) || formatVnTime(now) < DIGEST_TIME) return;
      const day = isoDayOf(now);
      const decided = digestsDecidedOn(db, day);
      // The day's first run: earlier days are done with (a week is kept, to look back on).
      if (decided.size === 0) forgetDigestsBefore(db, addDays(day, -KEPT_DAYS));
      for (const group of leaderGroups(db, decided)) {
        if (deps.reachable && !deps.reachable(group.chat)) continue;
        const queue = decide(group, day, now);
        if (!queue || waitingCount(queue) === 0) continue;
        // One group that cannot be reached never keeps the others from their digest.
        try {
          await deps.deliver(group.chat, { text: leaderDigestText(queue, now) });
          deps.log.info({ chat: group.rowId, waiting: waitingCount(queue) }, 'leader digest sent');
        } catch (error) {
          deps.log.warn({ err: error, chat: group.rowId }, 'could not send the leader digest');
        }
      }
    },
  };
}

/**
 * "☀️ Chào buổi sáng. Đang chờ lãnh đạo xem xét (3):", a line per kind with its oldest codes,
 * and which command lists each with numbers. The greeting only before 11:00: a digest sent late
 * after downtime says the same without it.
 */
export function leaderDigestText(queue: ReviewQueue, now: Date): string {
  const today = isoDayOf(now);
  const total = waitingCount(queue);
  const head = `Đang chờ lãnh đạo xem xét (${total}):`;
  const lines = [vnParts(now).hour < 11 ? `☀️ Chào buổi sáng. ${head}` : `📋 ${head}`];
  if (queue.pending.total > 0) lines.push(kindLine('Chờ duyệt đăng ký', queue.pending, today));
  if (queue.proposed.total > 0) lines.push(kindLine('Đề nghị công nhận', queue.proposed, today));
  lines.push(pointer(queue));
  return lines.join('\n');
}

/** "• Chờ duyệt đăng ký (7): DVK-2026-0011 (Xã Cẩm Bình, chờ 5 ngày), … và 2 mô hình khác" */
function kindLine(label: string, kind: WaitingKind, today: IsoDay): string {
  const named = kind.items.map((item) => itemText(item, today)).join(', ');
  const more = kind.total - kind.items.length;
  return `• ${label} (${kind.total}): ${named}${more > 0 ? ` và ${more} mô hình khác` : ''}`;
}

function itemText({ model, unitName, waitingSince }: AwaitingModel, today: IsoDay): string {
  return `${model.code} (${ellipsize(unitName, 40)}, ${age(isoDayOf(new Date(waitingSince)), today)})`;
}

/** How long a model has waited, in calendar days: what the unit counts while it waits. */
function age(since: IsoDay, today: IsoDay): string {
  const days = daysBetween(since, today);
  if (days <= 0) return 'từ hôm nay';
  if (days === 1) return 'từ hôm qua';
  return `chờ ${days} ngày`;
}

/** Which command lists each kind with numbers, to act on: /duyet the registrations, /congnhan the proposals. */
function pointer(queue: ReviewQueue): string {
  const pending = queue.pending.total > 0;
  const proposed = queue.proposed.total > 0;
  if (pending && proposed) return 'Gõ /duyet để xem danh sách chờ duyệt, /congnhan để xem danh sách đề nghị công nhận (có đánh số để chọn).';
  if (pending) return 'Gõ /duyet để xem danh sách có đánh số, rồi duyệt hoặc trả lại.';
  return 'Gõ /congnhan để xem danh sách có đánh số, rồi công nhận hoặc không công nhận.';
}
