import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleAdapter } from '../../../bot/console/adapter.js';
import { COMMANDS } from '../../../commands/index.js';
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
