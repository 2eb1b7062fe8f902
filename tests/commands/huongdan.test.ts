import { describe, expect, it } from 'vitest';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, emptyPerTest, type Harness } from '../helpers/harness.js';

let h: Harness;
const demo = demoPerTest();
const empty = emptyPerTest();

/** The commands a help text lists, in order ("/dangky — …" lines). */
const commandsOf = (help: string) =>
  help
    .split('\n')
    .filter((l) => /^\/\S+.* — /.test(l))
    .map((l) => l.split(' ')[0]);

describe('/huongdan', () => {
  it('tells a newcomer to join a unit first, then the few commands open to them', async () => {
    h = await empty();
    const help = await h.text('Nguyễn Văn An', '/huongdan');
    const lines = help.split('\n');
    expect(lines[0]).toContain('Bot “Dân vận khéo” giúp các cơ quan, đơn vị đăng ký mô hình');
    expect(lines[2]).toBe('👉 Bạn chưa thuộc đơn vị nào. Gõ /thamgia <mã đơn vị> (mã do quản trị của nhóm cung cấp) để bắt đầu.');
    expect(commandsOf(help)).toEqual(['/thamgia', '/toi', '/hanchot', '/lienket', '/huongdan']);
    expect(help).not.toContain('/dangky');
    expect(help).toMatch(/Gõ \/huongdan tatca để xem cả \d+ lệnh\./);
  });

  it('gives an officer what they do most, on one phone screen', async () => {
    h = await demo();
    // /start shows the same help (with the whole privacy notice, the first time).
    const start = await h.text(DEMO_PEOPLE.officer, '/start', { group: DEMO_GROUP });
    expect(commandsOf(start)).toEqual(['/dangky', '/capnhat', '/mohinh', '/hanchot', '/denghi', '/baocao', '/toi']);
    const help = await h.text(DEMO_PEOPLE.officer, '/huongdan', { group: DEMO_GROUP });
    expect(commandsOf(help)).toEqual(commandsOf(start));
    expect(help).not.toContain('Bạn chưa thuộc đơn vị nào');
    expect(help).not.toContain('Dành cho');
    // The intro, 7 commands, how to see the rest and to correct, the short privacy notice, the 🔒 line.
    expect(help.split('\n').length).toBeLessThanOrEqual(15);
  });

  it('gives a leader their decisions first', async () => {
    h = await demo();
    const help = await h.text(DEMO_PEOPLE.leader, '/huongdan', { group: DEMO_GROUP });
    expect(commandsOf(help).slice(0, 3)).toEqual(['/duyet', '/tralai', '/congnhan']);
  });

  it('lists everything with "tatca": every command open, and what a unit role unlocks', async () => {
    h = await empty();
    for (const words of ['/huongdan tatca', '/huongdan tất cả']) {
      const help = await h.text('Nguyễn Văn An', words);
      const [mine, locked] = help.split('Dành cho cán bộ đầu mối của đơn vị:');
      expect(mine).toContain('/huongdan — xem hướng dẫn');
      expect(mine).toContain('/huy — hủy thao tác');
      expect(mine).not.toContain('/dangky');
      expect(locked).toContain('/dangky — đăng ký mô hình, điểm sáng của đơn vị');
      expect(help).toContain('hãy nhờ quản trị của nhóm thêm bạn vào đơn vị của mình');
    }
  });

  it('says that classified documents (Mật, Tối mật, Tuyệt mật) must never be sent to the bot, here and where files are attached', async () => {
    h = await demo();
    const help = await h.text(DEMO_PEOPLE.officer, '/huongdan', { group: DEMO_GROUP });
    expect(help.split('\n').at(-1)).toBe('🔒 Không gửi cho bot văn bản, tài liệu có đóng dấu Mật, Tối mật hoặc Tuyệt mật.');
    await h.say(DEMO_PEOPLE.officer, '/capnhat DVK-2026-0001', { group: DEMO_GROUP });
    await h.say(DEMO_PEOPLE.officer, 'Thêm 2 khu dân cư đạt chuẩn kiểu mẫu.', { group: DEMO_GROUP });
    // “Hoàn thành”: the model is at 100%, and a lower figure would be asked about first (issue 22).
    const fileStep = await h.text(DEMO_PEOPLE.officer, 'hoàn thành', { group: DEMO_GROUP });
    expect(fileStep).toContain('Gửi kèm ảnh hoặc tệp minh chứng? (Không gửi cho bot văn bản, tài liệu có đóng dấu Mật, Tối mật hoặc Tuyệt mật.)');
  });
});
