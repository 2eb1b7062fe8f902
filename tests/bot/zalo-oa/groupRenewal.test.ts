import { describe, expect, it } from 'vitest';
import type { GroupInfo } from '../../../bot/zalo-oa/api.js';
import { renewalWarning } from '../../../bot/zalo-oa/groupRenewal.js';

const info = (changes: Partial<GroupInfo> = {}): GroupInfo => ({
  groupId: 'g1',
  name: 'Dân vận khéo xã Thiên Cầm',
  status: 'enabled',
  link: undefined,
  totalMembers: 30,
  maxMembers: 100,
  validThrough: '2026-12-31',
  autoDeleteDate: '2027-02-14',
  autoRenew: false,
  assetType: 'gmf100',
  ...changes,
});

/** 07:00 in Vietnam on that day. */
const on = (day: string) => new Date(`${day}T07:00:00+07:00`);

describe('a GMF group’s renewal warning', () => {
  it('says nothing more than 14 days ahead, and warns from the 14th day, counting Vietnam days', () => {
    expect(renewalWarning(info(), on('2026-12-16'))).toBeUndefined();
    expect(renewalWarning(info(), on('2026-12-17'))?.text).toBe(
      'Zalo OA: gói dịch vụ của nhóm “Dân vận khéo xã Thiên Cầm” hết hạn ngày 31/12/2026 (còn 14 ngày). Cần gia hạn trên trang quản lý OA.',
    );
    // 23:30 on 16/12 in Vietnam is still the 16th, although it is the 16th at 16:30 UTC.
    expect(renewalWarning(info(), new Date('2026-12-16T23:30:00+07:00'))).toBeUndefined();
    expect(renewalWarning(info(), on('2026-12-31'))?.text).toContain('(hết hạn hôm nay)');
  });

  it('calls a lapsed or disabled group lapsed, with the day Zalo dissolves it', () => {
    expect(renewalWarning(info(), on('2027-01-02'))).toMatchObject({
      kind: 'lapsed',
      text: 'Zalo OA: gói dịch vụ của nhóm “Dân vận khéo xã Thiên Cầm” đã hết hạn ngày 31/12/2026; nếu không gia hạn, Zalo giải tán nhóm (mất cả lịch sử) ngày 14/02/2027. Cần gia hạn gói nhóm trên trang quản lý OA.',
    });
    expect(renewalWarning(info({ status: 'disabled' }), on('2026-06-01'))).toMatchObject({
      kind: 'lapsed',
      text: expect.stringContaining('bot không gửi được vào nhóm'),
    });
  });

  it('says an auto-renewing package needs only its payment checked; no date, no warning', () => {
    expect(renewalWarning(info({ autoRenew: true }), on('2026-12-25'))?.text).toContain('Gói đang đặt tự gia hạn: kiểm tra tài khoản thanh toán của OA.');
    expect(renewalWarning(info({ validThrough: undefined }), on('2026-12-25'))).toBeUndefined();
  });
});
