import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../db/audit.js';
import { claimPrivacyNotice } from '../../db/privacyNotice.js';
import { people } from '../../db/schema.js';
import { createUnit } from '../../db/unitAdmin.js';
import type { UnitRow } from '../../db/units.js';
import { emptyPerTest, type Harness } from '../helpers/harness.js';
import { personIdOf } from '../helpers/rows.js';

/**
 * The privacy notice (Law 91/2025/QH15, Decree 356/2025): shown whole once, on the person's first
 * successful /thamgia or first /start, and in short in every /huongdan.
 */

const NOTICE_HEAD = '🛡️ Bot lưu thông tin cá nhân của bạn';
const SHORT_HEAD = '🛡️ Bot lưu tên, tài khoản, đơn vị, vai trò';
const CONTACT = 'Văn phòng Sở Nội vụ, điện thoại 0239 3855 123';
const GROUP = { group: 'Nhóm xã' };
const AN = 'Nguyễn Văn An';

const empty = emptyPerTest();

function unitIn(h: Harness): UnitRow {
  return h.db.transaction((tx) =>
    createUnit(tx, { name: 'Xã Cẩm Thành', shortCode: 'CAMTHANH', kind: 'commune', parentId: null }, SYSTEM_ACTOR, h.clock.now()),
  );
}

const count = (text: string, part: string) => text.split(part).length - 1;
const noticeAtOf = (h: Harness, name: string) =>
  h.db
    .select()
    .from(people)
    .where(eq(people.id, personIdOf(h.db, name)))
    .get()!.privacyNoticeAt;

describe('the privacy notice', () => {
  it('follows the first /thamgia in the same message, and not the next one nor a later /start', async () => {
    const h = await empty();
    const unit = unitIn(h);
    const joined = await h.say(AN, `/thamgia ${unit.joinCode}`, GROUP);
    expect(joined).toHaveLength(1);
    const [welcome, notice] = joined[0]!.text.split('\n\n');
    expect(welcome).toContain('Chào mừng Nguyễn Văn An đã tham gia đơn vị Xã Cẩm Thành');
    expect(notice).toContain(NOTICE_HEAD);
    expect(notice).toContain('tài khoản và mã người dùng Telegram/Zalo');
    expect(notice).toContain('báo cáo phong trào “Dân vận khéo”');
    expect(notice).toContain('thông tin được xóa sau 12 tháng');
    expect(notice).toContain('xem toàn bộ bằng /toi');
    expect(noticeAtOf(h, AN)).toBe(h.clock.now().getTime());

    h.clock.advance(60_000);
    expect(await h.text(AN, `/thamgia ${unit.joinCode}`, GROUP)).not.toContain(NOTICE_HEAD);
    const start = await h.text(AN, '/start', { private: true });
    expect(start).not.toContain(NOTICE_HEAD);
    expect(start).toContain(SHORT_HEAD);
    // Still the first showing's time.
    expect(noticeAtOf(h, AN)).toBe(h.clock.now().getTime() - 60_000);
  });

  it('is not shown by a /thamgia that joined nothing, which leaves it for the one that does', async () => {
    const h = await empty();
    const unit = unitIn(h);
    expect(await h.text(AN, '/thamgia SAIMA1', GROUP)).not.toContain(NOTICE_HEAD);
    expect(noticeAtOf(h, AN)).toBeNull();
    expect(await h.text(AN, `/thamgia ${unit.joinCode}`, GROUP)).toContain(NOTICE_HEAD);
  });

  it('replaces the short form in the first /start, once, and /huongdan never shows it whole', async () => {
    const h = await empty();
    const first = await h.say('Lan', '/start', { private: true });
    expect(first).toHaveLength(1);
    expect(count(first[0]!.text, NOTICE_HEAD)).toBe(1);
    expect(first[0]!.text).not.toContain(SHORT_HEAD);
    expect(first[0]!.text).toContain('Các lệnh bạn dùng được');
    // The state-secrets line stays the last one.
    expect(first[0]!.text.split('\n').at(-1)).toBe('🔒 Không gửi cho bot văn bản, tài liệu có đóng dấu Mật, Tối mật hoặc Tuyệt mật.');

    const again = await h.text('Lan', '/start', { private: true });
    expect(again).not.toContain(NOTICE_HEAD);
    expect(again).toContain(SHORT_HEAD);

    const help = await h.text('Minh', '/huongdan', GROUP);
    expect(help).not.toContain(NOTICE_HEAD);
    expect(help).toContain(SHORT_HEAD);
    expect(help).toContain('gõ /toi để xem thông tin bot lưu về bạn');
    expect(noticeAtOf(h, 'Minh')).toBeNull();
    // Minh has not seen it: his first /thamgia shows it.
    expect(await h.text('Minh', `/thamgia ${unitIn(h).joinCode}`, GROUP)).toContain(NOTICE_HEAD);
  });

  it('is shown once to someone the bot met before the notice existed, on their next /start', async () => {
    const h = await empty();
    await h.say('Lan', '/huongdan', GROUP);
    expect(noticeAtOf(h, 'Lan')).toBeNull();
    expect(await h.text('Lan', '/start', GROUP)).toContain(NOTICE_HEAD);
    expect(await h.text('Lan', '/start', GROUP)).not.toContain(NOTICE_HEAD);
  });

  it('names the data-protection contact when one is configured, and the admins when not', async () => {
    const withContact = await empty({ policy: { adminMayDecideOwn: false, dataProtectionContact: CONTACT, retentionMonths: 18 } });
    const first = await withContact.text('Lan', '/start', { private: true });
    expect(first).toContain(`• Về dữ liệu cá nhân, bạn liên hệ ${CONTACT}.`);
    expect(first).toContain('thông tin được xóa sau 18 tháng');
    expect(first).not.toContain('quản trị của nhóm.');
    expect(await withContact.text('Lan', '/huongdan', { private: true })).toContain(`Về dữ liệu cá nhân, bạn liên hệ ${CONTACT}.`);

    const without = await empty();
    expect(await without.text('Lan', '/start', { private: true })).toContain('• Về dữ liệu cá nhân, bạn liên hệ quản trị của nhóm.');
    expect(await without.text('Lan', '/huongdan', { private: true })).toContain('Về dữ liệu cá nhân, bạn liên hệ quản trị của nhóm.');
  });

  it('keeps a /start with a hand-off token taking over the conversation, without the notice', async () => {
    const h = await empty();
    unitIn(h);
    // A private /start with an unknown token is the take-over's answer, not the help nor the notice.
    const reply = await h.text('Lan', '/start khongcoma', { private: true });
    expect(reply).not.toContain(NOTICE_HEAD);
    expect(reply).not.toContain('Các lệnh bạn dùng được');
    expect(noticeAtOf(h, 'Lan')).toBeNull();
  });

  it('is claimed by one of two commands handled at once, never both', async () => {
    const h = await empty();
    await h.say('Lan', '/huongdan', GROUP);
    const id = personIdOf(h.db, 'Lan');
    expect(claimPrivacyNotice(h.db, id, h.clock.now())).toBe(true);
    expect(claimPrivacyNotice(h.db, id, h.clock.now())).toBe(false);
  });

  it('is given back when the message carrying it could not be sent, so the next /start shows it', async () => {
    const h = await empty();
    await h.say('Lan', '/huongdan', GROUP);
    const send = h.outbound;
    let failing = true;
    h.outbound = (chat) => {
      const out = send.call(h, chat);
      return { ...out, send: async (reply) => (failing ? Promise.reject(new Error('network down')) : out.send(reply)) };
    };
    await h.say('Lan', '/start', GROUP);
    expect(noticeAtOf(h, 'Lan')).toBeNull();
    failing = false;
    expect(await h.text('Lan', '/start', GROUP)).toContain(NOTICE_HEAD);
  });
});
