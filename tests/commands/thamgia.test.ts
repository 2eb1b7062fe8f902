import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { findCaller } from '../../db/people.js';
import { auditLog, people, units } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, type Harness } from '../helpers/harness.js';
import { unitOf } from '../helpers/rows.js';

const GROUP = { group: DEMO_GROUP };
const AN = 'Nguyễn Văn An';
let h: Harness;
const demo = demoPerTest();

function personOf(name: string) {
  const caller = findCaller(h.db, 'console', name)!;
  return { ...h.db.select().from(people).where(eq(people.id, caller.personId)).get()!, grants: caller.grants };
}

function auditOf(personId: number, action: string) {
  return h.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.actorPersonId, personId), eq(auditLog.action, action)))
    .all();
}

describe('/thamgia', () => {
  it('joins the unit of the code, typed in any case and with spaces, as its officer, with audit rows', async () => {
    h = await demo();
    const camxuyen = unitOf(h.db, 'CAMXUYEN');
    const typed = `${camxuyen.joinCode.slice(0, 3).toLowerCase()} ${camxuyen.joinCode.slice(3)}`;
    // The privacy notice follows the first welcome, after a blank line (tests/commands/privacyNotice.test.ts).
    expect((await h.text(AN, `/thamgia ${typed}`, GROUP)).split('\n\n')[0]).toBe(
      'Chào mừng Nguyễn Văn An đã tham gia đơn vị Xã Cẩm Xuyên. Gõ /dangky để đăng ký mô hình, điểm sáng của đơn vị; /huongdan để xem các lệnh khác.',
    );
    const an = personOf(AN);
    expect(an.unitId).toBe(camxuyen.id);
    expect(an.grants).toEqual([{ role: 'officer', unitId: camxuyen.id }]);
    expect(auditOf(an.id, 'person.join_unit').map((a) => [a.before, a.after])).toEqual([[{ unitId: null }, { unitId: camxuyen.id, via: 'join_code' }]]);
    expect(auditOf(an.id, 'role.grant').map((a) => a.after)).toEqual([{ personId: an.id, role: 'officer', unitId: camxuyen.id, via: 'join_code' }]);
    // The new officer can now register for the unit.
    expect(await h.text(AN, '/dangky', GROUP)).toContain('Đăng ký loại nào?');
  });

  it('says so when the person already belongs to the unit, changing nothing', async () => {
    h = await demo();
    const code = unitOf(h.db, 'CAMXUYEN').joinCode;
    expect(await h.text(DEMO_PEOPLE.officer, `/thamgia ${code}`, GROUP)).toBe('Bạn đã thuộc Xã Cẩm Xuyên rồi; không có gì thay đổi.');
    const officer = personOf(DEMO_PEOPLE.officer);
    expect(auditOf(officer.id, 'role.grant')).toEqual([]);
  });

  it('grants the missing officer role to someone an admin already placed in the unit', async () => {
    h = await demo();
    await h.say(AN, '/huongdan', GROUP);
    const ductho = unitOf(h.db, 'DUCTHO');
    h.db
      .update(people)
      .set({ unitId: ductho.id })
      .where(eq(people.id, personOf(AN).id))
      .run();
    expect(await h.text(AN, `/thamgia ${ductho.joinCode}`, GROUP)).toContain('đã tham gia đơn vị Xã Đức Thọ');
    expect(personOf(AN).grants).toEqual([{ role: 'officer', unitId: ductho.id }]);
    expect(auditOf(personOf(AN).id, 'person.join_unit')).toEqual([]);
  });

  it('refuses moving to another unit: that is the admin’s decision', async () => {
    h = await demo();
    const reply = await h.text(DEMO_PEOPLE.officer, `/thamgia ${unitOf(h.db, 'DUCTHO').joinCode}`, GROUP);
    expect(reply).toBe('Bạn đang thuộc Xã Cẩm Xuyên; muốn chuyển sang Xã Đức Thọ, bạn nhờ quản trị chuyển đơn vị.');
    const officer = personOf(DEMO_PEOPLE.officer);
    expect(officer.unitId).toBe(unitOf(h.db, 'CAMXUYEN').id);
    expect(officer.grants).toEqual([{ role: 'officer', unitId: unitOf(h.db, 'CAMXUYEN').id }]);
  });

  it('refuses a unit that no longer works, and explains a missing code', async () => {
    h = await demo();
    const bacha = unitOf(h.db, 'THANHSEN');
    h.db.update(units).set({ active: false }).where(eq(units.id, bacha.id)).run();
    expect(await h.text(AN, `/thamgia ${bacha.joinCode}`, GROUP)).toBe(
      'Mã này thuộc Phường Thành Sen, đơn vị đã ngừng hoạt động nên không tham gia được. Bạn nhờ quản trị kiểm tra lại.',
    );
    expect(await h.text(AN, '/thamgia', GROUP)).toBe(
      'Bạn gõ /thamgia kèm mã tham gia của đơn vị, ví dụ: /thamgia K7MX2P. Mã do quản trị gửi cho đơn vị của bạn.',
    );
    expect(personOf(AN)).toMatchObject({ unitId: null, grants: [] });
  });

  it('refuses a wrong code kindly; five wrong codes in ten minutes lock further tries for ten minutes', async () => {
    h = await demo();
    const right = unitOf(h.db, 'CAMXUYEN').joinCode;
    const wrong = 'ZZZZZZ';
    expect(await h.text(AN, `/thamgia ${wrong}`, GROUP)).toBe(
      'Mã tham gia chưa đúng nên chưa có gì thay đổi. Bạn kiểm tra lại mã quản trị đã gửi (6 ký tự, ví dụ K7MX2P).',
    );
    for (let i = 2; i <= 4; i++) {
      h.clock.advance(2 * 60_000);
      expect(await h.text(AN, `/thamgia ${wrong}${'X'.repeat(i)}`, GROUP)).toContain('Mã tham gia chưa đúng');
    }
    h.clock.advance(60_000); // the fifth wrong code, 7 minutes after the first
    expect(await h.text(AN, '/thamgia AAAAAA', GROUP)).toBe(
      'Mã tham gia chưa đúng. Bạn đã nhập sai 5 lần nên cần chờ 10 phút mới thử lại được; nếu cần, hãy nhờ quản trị thêm bạn vào đơn vị.',
    );
    const an = personOf(AN);
    expect(an).toMatchObject({ unitId: null, grants: [] });
    expect(auditOf(an.id, 'unit.join_failed')).toHaveLength(5);

    // Even the right code waits out the lockout, and tries during it are not counted.
    h.clock.advance(9 * 60_000);
    expect(await h.text(AN, `/thamgia ${right}`, GROUP)).toBe(
      'Bạn đã nhập sai mã nhiều lần nên tạm thời chưa thử lại được. Bạn thử lại sau khoảng 1 phút, hoặc nhờ quản trị thêm bạn vào đơn vị.',
    );
    expect(auditOf(an.id, 'unit.join_failed')).toHaveLength(5);
    expect(personOf(AN).unitId).toBeNull();

    h.clock.advance(60_000);
    expect(await h.text(AN, `/thamgia ${right}`, GROUP)).toContain('Chào mừng Nguyễn Văn An đã tham gia đơn vị Xã Cẩm Xuyên');
  });

  it('wrong codes spread over more than ten minutes do not lock', async () => {
    h = await demo();
    for (let i = 0; i < 6; i++) {
      expect(await h.text(AN, '/thamgia SAIMA1', GROUP)).toContain('nên chưa có gì thay đổi');
      h.clock.advance(3 * 60_000); // any five of them span twelve minutes
    }
    expect(await h.text(AN, `/thamgia ${unitOf(h.db, 'CAMXUYEN').joinCode}`, GROUP)).toContain('Chào mừng');
  });

  it('the lockout holds across a restart', async () => {
    h = await demo();
    for (let i = 0; i < 5; i++) await h.say(AN, '/thamgia SAIMA1', GROUP);
    await h.restart();
    h.clock.advance(5 * 60_000);
    expect(await h.text(AN, `/thamgia ${unitOf(h.db, 'CAMXUYEN').joinCode}`, GROUP)).toContain('Bạn thử lại sau khoảng 5 phút');
  });
});
