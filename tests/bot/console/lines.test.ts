import { describe, expect, it } from 'vitest';
import { isPrivateLabel, jumpTarget, parseAttachments, parseScriptLine, type TimeJump } from '../../../bot/console/lines.js';
import { formatVnDateTime } from '../../../core/clock.js';

describe('simulator script lines', () => {
  it.each([
    ['[Nhóm thử] Nguyễn Văn An: /huongdan', { kind: 'said', group: 'Nhóm thử', person: 'Nguyễn Văn An', text: '/huongdan' }],
    ['[Nhóm thử]Nguyễn Văn An:/huongdan', { kind: 'said', group: 'Nhóm thử', person: 'Nguyễn Văn An', text: '/huongdan' }],
    ['[Nhóm thử] An: giờ họp: 14:00', { kind: 'said', group: 'Nhóm thử', person: 'An', text: 'giờ họp: 14:00' }],
    ['[Nhóm thử] An:', { kind: 'said', group: 'Nhóm thử', person: 'An', text: '' }],
    ['1', { kind: 'said', text: '1' }],
    ['Họp lúc: 14:00', { kind: 'said', text: 'Họp lúc: 14:00' }],
    ['  ', { kind: 'said', text: '' }],
  ])('%j', (line, parsed) => {
    expect(parseScriptLine(line)).toEqual(parsed);
  });

  it('normalises NFD names and text to NFC', () => {
    const parsed = parseScriptLine('[Nhóm thử] Nguyễn Văn An: Kinh tế'.normalize('NFD'));
    expect(parsed).toEqual({ kind: 'said', group: 'Nhóm thử', person: 'Nguyễn Văn An', text: 'Kinh tế' });
  });

  it('knows the private-chat label', () => {
    expect(isPrivateLabel('riêng')).toBe(true);
    expect(isPrivateLabel('RIENG')).toBe(true);
    expect(isPrivateLabel('Nhóm riêng')).toBe(false);
  });
});

describe('simulated attachments', () => {
  it.each([
    ['📎 anh-cho-phien.jpg', [{ kind: 'photo', ref: 'anh-cho-phien.jpg', fileName: 'anh-cho-phien.jpg' }]],
    [
      '+tep data/bao cao.pdf, clip.MP4',
      [
        { kind: 'document', ref: 'data/bao cao.pdf', fileName: 'bao cao.pdf' },
        { kind: 'video', ref: 'clip.MP4', fileName: 'clip.MP4' },
      ],
    ],
    ['+tệp ghi-am.m4a', [{ kind: 'audio', ref: 'ghi-am.m4a', fileName: 'ghi-am.m4a' }]],
  ])('%j', (text, attachments) => {
    expect(parseAttachments(text)).toEqual(attachments);
  });

  it('ordinary text is not an attachment', () => {
    expect(parseAttachments('+tepid')).toBeUndefined();
    expect(parseAttachments('Đã gửi ảnh 📎 hôm qua')).toBeUndefined();
  });
});

describe('time directives', () => {
  it.each([
    ['⏰ 15/04/2026 08:00', { to: '2026-04-15', time: '08:00' }],
    ['⏰️ 15/4/2026 8:05', { to: '2026-04-15', time: '08:05' }],
    ['⏰ 08:00 15/04/2026', { to: '2026-04-15', time: '08:00' }],
    ['⏰15/04/2026 8h', { to: '2026-04-15', time: '08:00' }],
    ['⏰ 15/04/2026 14h30', { to: '2026-04-15', time: '14:30' }],
    ['⏰ 15/04/2026', { to: '2026-04-15' }],
    ['@thoigian 15/04/2026 08:00', { to: '2026-04-15', time: '08:00' }],
    ['@THOIGIAN 29/02/2028 23:59', { to: '2028-02-29', time: '23:59' }],
    ['⏰ +10 phút', { after: 10, unit: 'minute' }],
    ['⏰ +10phut', { after: 10, unit: 'minute' }],
    ['⏰ +3 giờ', { after: 3, unit: 'hour' }],
    ['⏰ +2 ngày', { after: 2, unit: 'day' }],
    ['@thoigian +1 tuần', { after: 1, unit: 'week' }],
    ['⏰ + 1 tháng', { after: 1, unit: 'month' }],
  ])('%j', (line, jump) => {
    expect(parseScriptLine(line)).toEqual({ kind: 'time', jump });
  });

  it.each([
    ['⏰ 31/02/2026 08:00', 'tháng 2/2026 không có ngày 31'],
    ['⏰ 29/02/2027', 'tháng 2/2027 không có ngày 29'],
    ['⏰ 15/13/2026', 'không có tháng 13'],
    ['⏰ 15/04/2026 25:00', 'không có giờ “25:00”'],
    ['⏰ 08:00', 'thiếu ngày (dd/mm/yyyy)'],
    ['⏰', 'chưa có ngày giờ'],
    ['⏰ ngày mai', 'không hiểu “ngày mai”'],
    ['⏰ +2 năm', 'không hiểu đơn vị “nam”'],
    ['⏰ +0 phút', 'cần một khoảng lớn hơn 0'],
    ['⏰ +2 constructor', 'không hiểu đơn vị “constructor”'],
  ])('%j is refused with what is wrong and how to write it', (line, why) => {
    const parsed = parseScriptLine(line);
    expect(parsed.kind).toBe('bad-time');
    const problem = parsed.kind === 'bad-time' ? parsed.problem : '';
    expect(problem).toContain(why);
    expect(problem).toContain('Cách viết: ⏰ 15/04/2026 08:00');
    expect(problem).toMatch(/Bỏ qua dòng này\.$/);
  });

  it('is a directive only at the start of a line nobody says', () => {
    expect(parseScriptLine('[Nhóm thử] An: ⏰ 15/04/2026 08:00')).toEqual({ kind: 'said', group: 'Nhóm thử', person: 'An', text: '⏰ 15/04/2026 08:00' });
    expect(parseScriptLine('Họp ⏰ 15/04/2026')).toEqual({ kind: 'said', text: 'Họp ⏰ 15/04/2026' });
    expect(parseScriptLine('@thoigianbieu 15/04/2026')).toEqual({ kind: 'said', text: '@thoigianbieu 15/04/2026' });
  });
});

describe('where a time jump lands', () => {
  const now = new Date('2026-01-31T09:15:30+07:00');
  it.each<[TimeJump, string]>([
    [{ to: '2026-04-15', time: '08:00' }, '08:00 15/04/2026'],
    [{ to: '2026-04-15' }, '09:15 15/04/2026'],
    [{ after: 10, unit: 'minute' }, '09:25 31/01/2026'],
    [{ after: 15, unit: 'hour' }, '00:15 01/02/2026'],
    [{ after: 2, unit: 'day' }, '09:15 02/02/2026'],
    [{ after: 2, unit: 'week' }, '09:15 14/02/2026'],
    [{ after: 1, unit: 'month' }, '09:15 28/02/2026'],
    [{ after: 11, unit: 'month' }, '09:15 31/12/2026'],
    [{ after: 13, unit: 'month' }, '09:15 28/02/2027'],
  ])('%j', (jump, shown) => {
    expect(formatVnDateTime(jumpTarget(jump, now))).toBe(shown);
  });

  it('an absolute time is Vietnam time, to the minute; a relative one keeps the seconds', () => {
    expect(jumpTarget({ to: '2026-04-15', time: '08:00' }, now).toISOString()).toBe('2026-04-15T01:00:00.000Z');
    expect(jumpTarget({ after: 10, unit: 'minute' }, now).toISOString()).toBe('2026-01-31T02:25:30.000Z');
  });
});
