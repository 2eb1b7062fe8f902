import { describe, expect, it } from 'vitest';
import { isPrivateLabel, parseAttachments, parseScriptLine } from '../../../bot/console/lines.js';

describe('simulator script lines', () => {
  it.each([
    ['[Nhóm thử] Nguyễn Văn An: /huongdan', { group: 'Nhóm thử', person: 'Nguyễn Văn An', text: '/huongdan' }],
    ['[Nhóm thử]Nguyễn Văn An:/huongdan', { group: 'Nhóm thử', person: 'Nguyễn Văn An', text: '/huongdan' }],
    ['[Nhóm thử] An: giờ họp: 14:00', { group: 'Nhóm thử', person: 'An', text: 'giờ họp: 14:00' }],
    ['[Nhóm thử] An:', { group: 'Nhóm thử', person: 'An', text: '' }],
    ['1', { text: '1' }],
    ['Họp lúc: 14:00', { text: 'Họp lúc: 14:00' }],
    ['  ', { text: '' }],
  ])('%j', (line, parsed) => {
    expect(parseScriptLine(line)).toEqual(parsed);
  });

  it('normalises NFD names and text to NFC', () => {
    const parsed = parseScriptLine('[Nhóm thử] Nguyễn Văn An: Kinh tế'.normalize('NFD'));
    expect(parsed).toEqual({ group: 'Nhóm thử', person: 'Nguyễn Văn An', text: 'Kinh tế' });
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
