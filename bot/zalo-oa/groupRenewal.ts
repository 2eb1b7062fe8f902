import { daysBetween, type IsoDay, isoDayOf } from '../../core/calendar.js';
import { formatIsoDay } from '../../core/clock.js';
import type { GroupInfo } from './api.js';

/**
 * A GMF group lives as long as the OA pays for it: when its package lapses the group is disabled
 * (sends fail with -237) and 45 days later Zalo dissolves it, with its history (docs/zalo-oa-api.md
 * §7d). Group info says when (`valid_through`, `auto_delete_date`); the admins are warned from 14
 * days ahead, in /trangthai and once by alert.
 */

export const RENEWAL_WARNING_DAYS = 14;

export interface RenewalWarning {
  groupId: string;
  /** Lapsed already, or lapsing within the warning window. */
  kind: 'lapsed' | 'lapsing';
  text: string;
}

/** The warning for one group on `today` (a Vietnam calendar day), or undefined when nothing is near. */
export function renewalWarning(info: GroupInfo, now: Date): RenewalWarning | undefined {
  const name = `nhóm “${info.name}”`;
  const deletion = info.autoDeleteDate ? `; nếu không gia hạn, Zalo giải tán nhóm (mất cả lịch sử) ngày ${formatIsoDay(info.autoDeleteDate)}` : '';
  if (info.status !== 'enabled') {
    return {
      groupId: info.groupId,
      kind: 'lapsed',
      text: `Zalo OA: ${name} đã hết hạn gói dịch vụ, bot không gửi được vào nhóm${deletion}. Cần gia hạn gói nhóm trên trang quản lý OA.`,
    };
  }
  if (!info.validThrough) return undefined;
  const days = daysBetween(isoDayOf(now), info.validThrough as IsoDay);
  if (days > RENEWAL_WARNING_DAYS) return undefined;
  if (days < 0) {
    return {
      groupId: info.groupId,
      kind: 'lapsed',
      text: `Zalo OA: gói dịch vụ của ${name} đã hết hạn ngày ${formatIsoDay(info.validThrough)}${deletion}. Cần gia hạn gói nhóm trên trang quản lý OA.`,
    };
  }
  const left = days === 0 ? 'hết hạn hôm nay' : `còn ${days} ngày`;
  const renew = info.autoRenew ? ' Gói đang đặt tự gia hạn: kiểm tra tài khoản thanh toán của OA.' : ' Cần gia hạn trên trang quản lý OA.';
  return {
    groupId: info.groupId,
    kind: 'lapsing',
    text: `Zalo OA: gói dịch vụ của ${name} hết hạn ngày ${formatIsoDay(info.validThrough)} (${left}).${renew}`,
  };
}
