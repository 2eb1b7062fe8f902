import { describe, expect, it } from 'vitest';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, emptyPerTest, type Harness } from '../helpers/harness.js';

let h: Harness;
const demo = demoPerTest();
const empty = emptyPerTest();

describe('/huongdan', () => {
  it('shows a newcomer what they can do now, what a unit role unlocks, and whom to ask', async () => {
    h = await empty();
    const help = await h.text('Nguyễn Văn An', '/huongdan');
    const [mine, locked] = help.split('Dành cho cán bộ đầu mối của đơn vị:');
    expect(mine).toContain('Bot “Dân vận khéo” giúp các cơ quan, đơn vị đăng ký mô hình');
    expect(mine).toContain('/huongdan — xem hướng dẫn');
    expect(mine).toContain('/huy — hủy thao tác');
    expect(mine).not.toContain('/dangky');
    expect(locked).toContain('/dangky — đăng ký mô hình, điểm sáng của đơn vị');
    expect(help).toContain('hãy nhờ quản trị của nhóm thêm bạn vào đơn vị của mình');
  });

  it('lists /dangky among an officer’s own commands, with nothing locked left to show', async () => {
    h = await demo();
    const help = await h.text(DEMO_PEOPLE.officer, '/start', { group: DEMO_GROUP });
    expect(help.split('Các lệnh bạn dùng được:')[1]).toContain('/dangky — đăng ký mô hình');
    expect(help).not.toContain('Dành cho cán bộ đầu mối');
    expect(help).not.toContain('Bạn chưa được gắn với đơn vị nào');
  });

  it('says that classified documents (Mật, Tối mật, Tuyệt mật) must never be sent to the bot, here and where files are attached', async () => {
    h = await demo();
    const help = await h.text(DEMO_PEOPLE.officer, '/huongdan', { group: DEMO_GROUP });
    expect(help.split('\n').at(-1)).toBe('🔒 Không gửi cho bot văn bản, tài liệu có đóng dấu Mật, Tối mật hoặc Tuyệt mật.');
    await h.say(DEMO_PEOPLE.officer, '/capnhat DVK-2026-0001', { group: DEMO_GROUP });
    await h.say(DEMO_PEOPLE.officer, 'Thêm 2 khu dân cư đạt chuẩn kiểu mẫu.', { group: DEMO_GROUP });
    const fileStep = await h.text(DEMO_PEOPLE.officer, '80%', { group: DEMO_GROUP });
    expect(fileStep).toContain('Gửi kèm ảnh hoặc tệp minh chứng? (Không gửi cho bot văn bản, tài liệu có đóng dấu Mật, Tối mật hoặc Tuyệt mật.)');
  });
});
