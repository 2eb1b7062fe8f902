import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleAdapter } from '../../../bot/console/adapter.js';
import { COMMANDS } from '../../../commands/index.js';
import type { IncomingHandler } from '../../../core/chat.js';
import { fixedClock, formatVnDateTime, settableClock } from '../../../core/clock.js';
import { emptyPerTest, type Harness } from '../../helpers/harness.js';
import { sampleCommand, sampleFlow, savedSamples } from '../../helpers/sampleFlow.js';

let h: Harness;
const empty = emptyPerTest();

/** Runs a script through the simulator adapter over the real core; returns what it printed. */
async function play(script: string): Promise<string> {
  const output = new PassThrough();
  const chunks: string[] = [];
  output.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const adapter = new ConsoleAdapter({
    input: Readable.from([script]),
    output,
    outDir: join(h.dir, 'out'),
    clock: h.clock,
    interactive: false,
  });
  await adapter.start(h.core.dispatcher.handle);
  return chunks.join('');
}

describe('the simulator adapter', () => {
  it('plays a scripted group session: groups, people, numbered choices, a flow saved', async () => {
    h = await empty({ commands: [...COMMANDS, sampleCommand], flows: [sampleFlow] });
    const out = await play(
      [
        '[Nhóm xã Cẩm Bình] Phạm Thị Dung: /thu',
        '2',
        'Phạm Thị Dung',
        '[Nhóm xã Cẩm Bình] Lê Văn Tám: /huongdan',
        '[Nhóm xã Cẩm Bình] Phạm Thị Dung: van hoa',
        'Mô hình "Dân vận khéo" <b>&</b> chợ 4.0',
        '1/2',
        '30/11',
        'bỏ qua',
        '1',
        '',
      ].join('\n'),
    );
    expect(out).toContain('[Nhóm xã Cẩm Bình] Bot → Phạm Thị Dung: (1/6) Mô hình của tập thể hay cá nhân?');
    expect(out).toContain('[Nhóm xã Cẩm Bình]   1. Tập thể\n[Nhóm xã Cẩm Bình]   2. Cá nhân');
    expect(out).toContain('Các lệnh bạn dùng được');
    expect(out).toContain('(4) Tên mô hình: Mô hình "Dân vận khéo" <b>&</b> chợ 4.0');
    expect(out).toContain('[Nhóm xã Cẩm Bình] Bot: Đã lưu "Mô hình "Dân vận khéo" <b>&</b> chợ 4.0".');
    expect(savedSamples(h.db)).toEqual([
      expect.objectContaining({ holder: 'individual', holderName: 'Phạm Thị Dung', field: 'f2', start: '2026-02-01', end: '2026-11-30' }),
    ]);
  });

  it('keeps private chats apart from groups', async () => {
    h = await empty();
    const out = await play('[riêng] Phạm Thị Dung: chào bot\n');
    expect(out).toBe('[riêng: Phạm Thị Dung] Bot: Bạn gõ /huongdan để xem các lệnh của bot.\n');
  });

  it('writes files the bot sends under the output folder and prints their paths', async () => {
    h = await empty();
    const output = new PassThrough();
    const chunks: string[] = [];
    output.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
    const adapter = new ConsoleAdapter({ input: Readable.from([]), output, outDir: join(h.dir, 'out'), clock: h.clock, interactive: false });
    await adapter.send(
      { platform: 'console', id: 'Nhóm thử', kind: 'group' },
      { text: 'Báo cáo đây', files: [{ fileName: '../../bao-cao.xlsx', mimeType: 'application/octet-stream', data: Buffer.from('xlsx') }] },
    );
    const path = /📎 Tệp: (.+)$/m.exec(chunks.join(''))![1]!;
    // A name with "../" cannot escape the folder.
    expect(path).toBe(join(h.dir, 'out', '20260310-090000-bao-cao.xlsx'));
    expect(existsSync(path) && readFileSync(path, 'utf8')).toBe('xlsx');
  });
});

describe('time in a simulator script', () => {
  /** Plays a script with a recording handler; `onTime` moves the clock and notes where in the script it ran. */
  async function playTimed(script: string, options: { onTime?: boolean; interactive?: boolean } = {}) {
    const clock = settableClock(fixedClock('2027-01-18T08:00:00+07:00'));
    const events: string[] = [];
    const output = new PassThrough();
    const notices = new PassThrough();
    const printed: string[] = [];
    const noticed: string[] = [];
    output.on('data', (c: Buffer) => printed.push(c.toString('utf8')));
    notices.on('data', (c: Buffer) => noticed.push(c.toString('utf8')));
    const handler: IncomingHandler = async (message) => {
      events.push(`${message.sender.displayName}: ${message.text} @ ${formatVnDateTime(message.receivedAt)}`);
    };
    const adapter = new ConsoleAdapter({
      input: Readable.from([script]),
      output,
      notices,
      outDir: '/nonexistent',
      clock,
      interactive: options.interactive ?? false,
      ...(options.onTime !== false && {
        onTime: async (now: Date) => {
          clock.set(now);
          // What main.ts does here takes time: the next line must wait for it.
          await new Promise((resolve) => setTimeout(resolve, 20));
          events.push(`tick @ ${formatVnDateTime(clock.now())}`);
        },
      }),
    });
    await adapter.start(handler);
    return { events, printed: printed.join(''), noticed: noticed.join('') };
  }

  it('moves the clock forward and does what is due before the next line is handled', async () => {
    const { events, printed, noticed } = await playTimed(
      ['[Nhóm thử] An: trước', '⏰ 22/01/2027 08:00', 'sau', '@thoigian +10 phút', 'muộn hơn', '⏰ +1 tháng', ''].join('\n'),
    );
    expect(events).toEqual([
      'An: trước @ 08:00 18/01/2027',
      'tick @ 08:00 22/01/2027',
      'An: sau @ 08:00 22/01/2027',
      'tick @ 08:10 22/01/2027',
      'An: muộn hơn @ 08:10 22/01/2027',
      'tick @ 08:10 22/02/2027',
    ]);
    // A script's output stays the bot's messages; nothing was refused.
    expect(printed).toBe('');
    expect(noticed).toBe('');
  });

  it('refuses a time earlier than now, and a line it cannot read, with a Vietnamese notice, and changes nothing', async () => {
    const { events, noticed } = await playTimed(['⏰ 15/01/2027 08:00', '⏰ 30/02/2027', '[Nhóm thử] An: vẫn thế', ''].join('\n'));
    expect(events).toEqual(['An: vẫn thế @ 08:00 18/01/2027']);
    expect(noticed).toBe(
      [
        '⏰ Giờ mô phỏng chỉ đi tới, không lùi lại: bây giờ đã là 08:00 18/01/2027, còn dòng này đưa về 08:00 15/01/2027. Bỏ qua dòng này.',
        '⏰ Không đọc được dòng đặt giờ: tháng 2/2027 không có ngày 30. Cách viết: ⏰ 15/04/2026 08:00 (giờ Việt Nam), ⏰ 15/04/2026 (giữ giờ hiện tại), ⏰ +10 phút, ⏰ +2 ngày, ⏰ +1 tháng. Bỏ qua dòng này.',
        '',
      ].join('\n'),
    );
  });

  it('the same instant again is not going back', async () => {
    const { events, noticed } = await playTimed(['⏰ 18/01/2027 08:00', ''].join('\n'));
    expect(events).toEqual(['tick @ 08:00 18/01/2027']);
    expect(noticed).toBe('');
  });

  it('without a clock owner, a time line is refused rather than silently ignored', async () => {
    const { events, noticed } = await playTimed(['⏰ +2 ngày', '[Nhóm thử] An: vẫn thế', ''].join('\n'), { onTime: false });
    expect(events).toEqual(['An: vẫn thế @ 08:00 18/01/2027']);
    expect(noticed).toBe('⏰ Trình mô phỏng này không đổi được giờ. Bỏ qua dòng này.\n');
  });

  it('at a terminal, says where the clock now stands', async () => {
    const { printed } = await playTimed(['⏰ +2 ngày', ''].join('\n'), { interactive: true });
    expect(printed).toContain('⏰ Giờ mô phỏng: 08:00 20/01/2027\n');
  });
});
