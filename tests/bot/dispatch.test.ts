import { describe, expect, it } from 'vitest';
import type { Command } from '../../commands/shared/command.js';
import { parseCommand } from '../../bot/dispatch.js';
import { normalizeIncomingText } from '../../core/text.js';
import { COMMANDS } from '../../commands/index.js';
import { identities, people, roles } from '../../db/schema.js';
import { emptyPerTest, type Harness } from '../helpers/harness.js';

describe('parseCommand', () => {
  it.each([
    ['/huongdan', 'huongdan', undefined, ''],
    ['/huongdan@dvk_bot', 'huongdan', 'dvk_bot', ''],
    ['/HUONGDAN', 'huongdan', undefined, ''],
    ['/HuongDan@DVK_Bot  thêm   chữ ', 'huongdan', 'DVK_Bot', 'thêm   chữ'],
    ['/mohinh DVK-2026-0007', 'mohinh', undefined, 'DVK-2026-0007'],
    ['/hướngdẫn', 'huongdan', undefined, ''],
    [normalizeIncomingText('/Hướngdẫn nội dung'.normalize('NFD')), 'huongdan', undefined, 'nội dung'],
    ['/baocao\nquý 1', 'baocao', undefined, 'quý 1'],
  ])('%j → %s', (text, name, addressedTo, args) => {
    expect(parseCommand(text)).toEqual({ name, addressedTo, args });
  });

  it.each(['huongdan', ' / huongdan', '//', '/', 'xem /huongdan', '/@bot'])('%j is not a command', (text) => {
    expect(parseCommand(text)).toBeUndefined();
  });
});

describe('Dispatcher', () => {
  let h: Harness;
  const empty = emptyPerTest();

  const ran: string[] = [];
  const adminOnly: Command = {
    name: 'quantri',
    aliases: ['qt'],
    access: 'admin',
    summary: 'lệnh thử của quản trị',
    async run(ctx) {
      ran.push(ctx.args);
      await ctx.reply('đã chạy');
    },
  };

  async function harness() {
    ran.length = 0;
    h = await empty({ commands: [...COMMANDS, adminOnly] });
    return h;
  }

  it('runs a command written /cmd@botname, in upper case, or by an alias', async () => {
    await harness();
    expect(await h.text('Lan', '/huongdan@dvk_bot')).toContain('Các lệnh bạn dùng được');
    expect(await h.text('Lan', '/HUONGDAN')).toContain('Các lệnh bạn dùng được');
    expect(await h.text('Lan', '/start')).toContain('Các lệnh bạn dùng được');
    expect(await h.text('Lan', '/HƯỚNGDẪN'.normalize('NFD'))).toContain('Các lệnh bạn dùng được');
  });

  it('ignores a command addressed to another bot', async () => {
    await harness();
    expect(await h.say('Lan', '/huongdan@other_bot')).toEqual([]);
  });

  it('answers an unknown command with one line pointing to /huongdan', async () => {
    await harness();
    const reply = await h.text('Lan', '/lenhthu');
    expect(reply).toBe('Bot không có lệnh /lenhthu. Gõ /huongdan để xem các lệnh bạn dùng được.');
  });

  it('answers a misspelt command with the one meant (issue 22)', async () => {
    await harness();
    expect(await h.text('Lan', '/dangki')).toBe('Bot không có lệnh /dangki. Có phải bạn muốn gõ /dangky?');
    expect(await h.text('Lan', '/dang ky')).toBe('Tên lệnh viết liền, không có dấu cách. Có phải bạn muốn gõ /dangky?');
    expect(await h.text('Lan', '/bao cáo quý I')).toBe('Tên lệnh viết liền, không có dấu cách. Có phải bạn muốn gõ /baocao quý I?');
    expect(await h.text('Lan', '/capnhap DVK-2026-0001')).toBe('Bot không có lệnh /capnhap. Có phải bạn muốn gõ /capnhat DVK-2026-0001?');
    // Written with a dash or in capitals, the name folds to the command itself and runs.
    expect(await h.text('Lan', '/Dang-ky')).not.toContain('Có phải bạn muốn gõ');
  });

  it('checks the role before running, and runs once the role is granted', async () => {
    await harness();
    expect(await h.text('Lan', '/quantri xóa hết')).toBe(
      'Lệnh /quantri chỉ dành cho quản trị. Bạn chưa thuộc đơn vị nào: gõ /thamgia <mã đơn vị> (mã do quản trị của nhóm cung cấp), hoặc nhờ quản trị thêm bạn vào đơn vị của mình.',
    );
    expect(ran).toEqual([]);

    const lan = h.db
      .select()
      .from(identities)
      .all()
      .find((i) => i.platformUserId === 'Lan')!;
    h.db.insert(roles).values({ personId: lan.personId, role: 'leader', unitId: null, createdAt: 0 }).run();
    expect(await h.text('Lan', '/qt')).toContain('chỉ dành cho quản trị');
    h.db.insert(roles).values({ personId: lan.personId, role: 'admin', unitId: null, createdAt: 0 }).run();
    expect(await h.text('Lan', '/qt thử')).toBe('đã chạy');
    expect(ran).toEqual(['thử']);
  });

  it('leaves group chatter alone and writes nothing for it', async () => {
    await harness();
    expect(await h.say('Lan', 'Chào cả nhà, chiều nay họp nhé')).toEqual([]);
    expect(h.db.select().from(people).all()).toEqual([]);
  });

  it('points a private chat without a command to /huongdan', async () => {
    await harness();
    expect(await h.text('Lan', 'xin chào', { private: true })).toBe('Bạn gõ /huongdan để xem các lệnh của bot.');
  });

  it('creates the person on first contact and keeps one person per identity', async () => {
    await harness();
    await h.say('Lan', '/huongdan');
    await h.say('Lan', '/huongdan', { group: 'Nhóm khác' });
    expect(h.db.select().from(identities).all()).toHaveLength(1);
  });

  it('reports a failure kindly and keeps running', async () => {
    const broken: Command = {
      name: 'hong',
      access: 'anyone',
      summary: 'hỏng',
      async run() {
        throw new Error('boom');
      },
    };
    h = await empty({ commands: [...COMMANDS, broken] });
    expect(await h.text('Lan', '/hong')).toContain('Xin lỗi, bot gặp lỗi khi xử lý tin nhắn này');
    expect(await h.text('Lan', '/huongdan')).toContain('Các lệnh bạn dùng được');
  });
});
