import { describe, expect, it } from 'vitest';
import type { TextPart } from '../../core/chat.js';
import type { LateUnit } from '../../db/deadlineProgress.js';
import { escalationText, MAX_UNITS_LISTED, reminderText } from '../../scheduler/reminderText.js';

const PERIOD = { from: '2026-11-16', to: '2026-12-15' };
const plain = (parts: TextPart[]) => parts.map((p) => (typeof p === 'string' ? p : `@${p.mention.displayName}`)).join('');

function owing(name: string, codes: string[], active = codes.length): LateUnit {
  return { unitId: 1, name, shortCode: name, detail: { kind: 'updates', missing: codes.length, active, owing: codes } };
}

const base = { title: 'Báo cáo tiến độ hằng tháng', due: '2026-12-15', daysOverdue: -2, period: PERIOD, officers: [] };

describe('reminderText', () => {
  it('names the one model that owes an update, with the command that sends it', () => {
    const text = plain(reminderText({ ...base, units: [owing('Xã Cẩm Bình', ['DVK-2026-0002'])] }));
    expect(text).toContain('• Xã Cẩm Bình: DVK-2026-0002 chưa gửi tiến độ kỳ 16/11–15/12/2026 (gõ /capnhat DVK-2026-0002)');
  });

  it('names up to three models of a unit that owes several', () => {
    const two = plain(reminderText({ ...base, units: [owing('Xã Cẩm Bình', ['DVK-2026-0002', 'DVK-2026-0005'], 3)] }));
    expect(two).toContain('• Xã Cẩm Bình: 2/3 mô hình chưa gửi tiến độ kỳ 16/11–15/12/2026 (DVK-2026-0002, DVK-2026-0005) — gõ /capnhat');
    const four = plain(reminderText({ ...base, units: [owing('Xã Cẩm Bình', ['DVK-1', 'DVK-2', 'DVK-3', 'DVK-4'])] }));
    expect(four).toContain('4/4 mô hình chưa gửi tiến độ kỳ 16/11–15/12/2026 (DVK-1, DVK-2, DVK-3…) — gõ /capnhat');
  });

  it(`lists at most ${MAX_UNITS_LISTED} units on a phone, and points to /hanchot for the rest`, () => {
    const units = Array.from({ length: 14 }, (_, i) => owing(`Xã thử ${i + 1}`, [`DVK-2026-${String(i + 1).padStart(4, '0')}`]));
    const lines = plain(reminderText({ ...base, units })).split('\n');
    expect(lines.filter((l) => l.startsWith('• '))).toHaveLength(10);
    expect(lines.at(-1)).toBe('… và 4 đơn vị khác (gõ /hanchot để xem đủ).');
  });
});

describe('escalationText', () => {
  it('names the models for the leaders, without the officers’ command', () => {
    const text = escalationText({ ...base, daysOverdue: 3, units: [owing('Xã Cẩm Bình', ['DVK-2026-0002'])] });
    expect(text).toContain('• Xã Cẩm Bình: DVK-2026-0002 chưa gửi tiến độ kỳ 16/11–15/12/2026');
    expect(text).not.toContain('/capnhat');
  });
});
