import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { removedPersonName } from '../../../db/personRemoval.js';
import { conversations, identities, people, roles } from '../../../db/schema.js';
import { emptyPerTest, type Harness, mentionIn } from '../../helpers/harness.js';
import { ADMIN_NAME, buildDeployment, type Deployment, everyRowText, GROUP_CHAT, type LeaverAccounts, traces } from '../../helpers/leaver.js';
import { auditsOf, personIdOf } from '../../helpers/rows.js';

const HANG = 'Phạm Thị Thu Hằng';
/** Her simulator account (its id is her name, so the harness can speak as her) and a Telegram one merged into it. */
const ACCOUNTS: LeaverAccounts = {
  main: { platform: 'console', id: HANG, displayName: HANG },
  other: { platform: 'telegram', id: '7391826455', displayName: 'Thu Hằng Cẩm Xuyên', username: 'hang_cx' },
};
const GROUP = { group: GROUP_CHAT.id };

const empty = emptyPerTest({ now: '2026-06-15T09:00:00+07:00' });
let h: Harness;

async function deployment(): Promise<Deployment> {
  h = await empty();
  const d = buildDeployment(h.db, h.clock.now(), ACCOUNTS);
  // The admin has written once already: what follows changes nothing for them but what the test says.
  await h.say(ADMIN_NAME, '/huongdan', GROUP);
  return d;
}

const everything = () => everyRowText(h.core.database.sqlite);

/** Every page of /nhatky (and of /nhatky #id), as one text. */
async function wholeTrail(filter = ''): Promise<string> {
  const pages: string[] = [];
  for (let page = 1; page <= 10; page++) {
    const text = await h.text(ADMIN_NAME, `/nhatky ${filter} ${page}`.replace(/\s+/g, ' '), GROUP);
    pages.push(text);
    if (!text.includes('Xem tiếp')) break;
  }
  return pages.join('\n');
}

describe('/xoanguoi', () => {
  it('shows what goes and what stays, removes on “đồng ý”; the trail names her “người đã xóa #id” only', async () => {
    const d = await deployment();
    const label = removedPersonName(d.leaverId);
    expect(await h.text(ADMIN_NAME, `/xoanguoi #${d.leaverId} nghỉ hưu, theo đơn của ${HANG}`, GROUP)).toBe(
      [
        'Mời bạn kiểm tra lại trước khi xác nhận:',
        `• Người: #${d.leaverId} ${HANG}`,
        '• Đơn vị: Xã Cẩm Xuyên (CAMXUYEN)',
        '• Vai trò sẽ bị thu hồi: cán bộ đầu mối của Xã Cẩm Xuyên (CAMXUYEN)',
        '• Tài khoản sẽ bị xóa: bản mô phỏng, Telegram; cùng nhóm chat riêng với bot và những gì đang làm dở',
        `• Vẫn giữ: 2 mô hình và 1 cập nhật tiến độ người này đã gửi, vẫn thuộc đơn vị và vẫn được tính trong báo cáo; người gửi sẽ hiện là “${label}”`,
        `• Lý do: nghỉ hưu, theo đơn của ${HANG}`,
        '• Nếu người này nhắn bot lại, bot xem họ là người mới, chưa có vai trò.',
        '',
        'Việc này không hoàn tác được. Gõ “đồng ý” để làm; trả lời khác sẽ hủy.',
      ].join('\n'),
    );
    // Nothing happens before the answer.
    expect(h.db.select().from(identities).where(eq(identities.personId, d.leaverId)).all()).toHaveLength(2);

    expect(await h.text(ADMIN_NAME, 'Đồng ý', GROUP)).toBe(
      `✅ Đã xóa thông tin cá nhân của #${d.leaverId}: tài khoản, vai trò, đơn vị, nhóm chat riêng với bot và những gì đang làm dở. ` +
        `2 mô hình và 1 cập nhật tiến độ vẫn được giữ ở đơn vị, ghi là “${label}”.`,
    );
    expect(h.db.select().from(identities).where(eq(identities.personId, d.leaverId)).all()).toEqual([]);
    expect(h.db.select().from(roles).where(eq(roles.personId, d.leaverId)).all()).toEqual([]);
    expect(auditsOf(h.db, 'person.remove')).toEqual([
      expect.objectContaining({ actorPersonId: d.adminId, entityId: String(d.leaverId), after: { reason: `nghỉ hưu, theo đơn của ${label}` } }),
    ]);

    // The trail, read the way an admin reads it, and the raw rows.
    const trail = await wholeTrail();
    expect(trail).toContain(
      `• 09:00 15/06/2026 · ${ADMIN_NAME} (#${d.adminId})\n  Xóa thông tin cá nhân của ${label}, lý do: “nghỉ hưu, theo đơn của ${label}”`,
    );
    expect(trail).toContain(`· ${label}\n  Đăng ký mô hình DVK-2026-0001 (Xã Cẩm Xuyên) “Chợ phiên 0 đồng”`);
    expect(trail).toContain(`Cấp quyền cán bộ đầu mối Xã Cẩm Xuyên cho ${label}\n`);
    expect(await wholeTrail(`#${d.leaverId}`)).toMatch(new RegExp(`^📜 Nhật ký thao tác của ${label} — trang 1/1, 9 mục`));
    for (const trace of traces(ACCOUNTS)) {
      expect(trail, trace).not.toContain(trace);
      expect(everything(), trace).not.toContain(trace);
    }

    // Her old account no longer acts: writing again makes a new person, with no role.
    expect(await h.text(HANG, '/dangky', GROUP)).toMatch(/^Lệnh \/dangky chỉ dành cho cán bộ đầu mối của đơn vị, lãnh đạo và quản trị\./);
    const again = personIdOf(h.db, HANG);
    expect(again).not.toBe(d.leaverId);
    expect(h.db.select().from(people).where(eq(people.id, again)).get()).toMatchObject({ displayName: HANG, unitId: null, removedAt: null });
    expect(h.db.select().from(roles).where(eq(roles.personId, again)).all()).toEqual([]);
  });

  it.each(['có', 'ok', 'xóa đi', '2', 'Hủy', 'không'])('anything but “đồng ý” cancels: %s', async (answer) => {
    const d = await deployment();
    const before = everything();
    await h.say(ADMIN_NAME, `/xoanguoi ${d.leaverId}`, GROUP);
    expect(h.db.select().from(conversations).where(eq(conversations.flow, 'xoanguoi')).all()).toHaveLength(1);
    expect(await h.text(ADMIN_NAME, answer, GROUP)).toBe('Đã hủy xóa người dùng. Chưa có gì được lưu. Gõ /xoanguoi nếu muốn làm lại.');
    expect(everything()).toBe(before);
  });

  it('takes the “Đồng ý” button, and a person named by a mention', async () => {
    const d = await deployment();
    const text = `/xoanguoi @${HANG} theo yêu cầu`;
    const [summary] = await h.say(ADMIN_NAME, text, { ...GROUP, mentions: [mentionIn(text, `@${HANG}`, { userId: HANG })] });
    expect(summary!.text).toContain(`• Người: #${d.leaverId} ${HANG}\n`);
    expect(summary!.text).toContain('• Lý do: theo yêu cầu\n');
    expect(summary!.reply.choices).toEqual([
      { value: 'save', label: 'Đồng ý' },
      { value: 'cancel', label: 'Hủy' },
    ]);
    expect(await h.text(ADMIN_NAME, '', { ...GROUP, choice: { value: 'save', promptMessageId: summary!.messageId } })).toMatch(/^✅ Đã xóa/);
    expect(h.db.select().from(people).where(eq(people.id, d.leaverId)).get()!.removedAt).not.toBeNull();
  });

  it('refuses kindly, changing nothing: no number, an unknown one, the admin themself, someone already removed, a caller who is not an admin', async () => {
    const d = await deployment();
    const before = everything();
    expect(await h.text(ADMIN_NAME, '/xoanguoi', GROUP)).toMatch(/^Cách gõ: \/xoanguoi #<số của người> \[lý do\]/);
    expect(await h.text(ADMIN_NAME, '/xoanguoi Phạm Thị Thu Hằng', GROUP)).toMatch(/^Chưa rõ người cần xóa\. Cách gõ:/);
    expect(await h.text(ADMIN_NAME, '/xoanguoi #9999 nghỉ', GROUP)).toBe(
      'Không có người dùng #9999 nên không có gì thay đổi. Bạn kiểm tra lại số của người đó.',
    );
    expect(await h.text(ADMIN_NAME, `/xoanguoi #${d.adminId}`, GROUP)).toBe(
      'Bạn không tự xóa chính mình được; nếu muốn thôi dùng bot, bạn nhờ một quản trị khác xóa giúp. Không có gì thay đổi.',
    );
    expect(await h.text(HANG, `/xoanguoi #${d.adminId}`, GROUP)).toMatch(/^Lệnh \/xoanguoi chỉ dành cho quản trị\. /);
    expect(everything()).toBe(before);

    await h.say(ADMIN_NAME, `/xoanguoi #${d.leaverId}`, GROUP);
    await h.say(ADMIN_NAME, 'đồng ý', GROUP);
    const removed = everything();
    expect(await h.text(ADMIN_NAME, `/xoanguoi #${d.leaverId}`, GROUP)).toBe(`#${d.leaverId} đã được xóa từ ngày 15/06/2026 rồi nên không có gì thay đổi.`);
    expect(everything()).toBe(removed);
  });

  it('leaves no one a role can be given to: /phanquyen #id of a removed person is refused and grants nothing', async () => {
    const d = await deployment();
    await h.say(ADMIN_NAME, `/xoanguoi #${d.leaverId} nghỉ hưu`, GROUP);
    await h.say(ADMIN_NAME, 'đồng ý', GROUP);
    expect(h.db.select().from(people).where(eq(people.id, d.leaverId)).get()?.removedAt).not.toBeNull();
    const answer = await h.text(ADMIN_NAME, `/phanquyen cán bộ #${d.leaverId} CAMXUYEN`, GROUP);
    expect(answer).not.toContain('✅');
    expect(h.db.select().from(roles).where(eq(roles.personId, d.leaverId)).all()).toEqual([]);
  });

  it('is listed for admins in /huongdan', async () => {
    await deployment();
    expect(await h.text(ADMIN_NAME, '/huongdan tatca', GROUP)).toContain('/xoanguoi');
  });
});
