import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { addAdmin, BootstrapError, listAdmins, parseIdentity, removeAdmin } from '../../db/bootstrap.js';
import { findCaller } from '../../db/people.js';
import { auditLog, identities, people, roles } from '../../db/schema.js';
import { DEMO_PEOPLE } from '../../db/seed/demo.js';
import { demoPerTest, emptyPerTest, type Harness } from '../helpers/harness.js';

let h: Harness;
const demo = demoPerTest();
const empty = emptyPerTest();

const TG = { platform: 'telegram', platformUserId: '123456789' } as const;
const AN = { platform: 'console', platformUserId: 'Nguyễn Văn An' } as const;

function adminRoles() {
  return h.db.select().from(roles).where(eq(roles.role, 'admin')).all();
}

describe('parseIdentity', () => {
  it('reads platform:id, keeping the simulator’s names with spaces and ids as text', () => {
    expect(parseIdentity('telegram:123456789')).toEqual(TG);
    expect(parseIdentity(' Zalo:8327193047618893562 ')).toEqual({ platform: 'zalo', platformUserId: '8327193047618893562' });
    expect(parseIdentity('console:Nguyễn Văn An'.normalize('NFD'))).toEqual(AN);
  });

  it('refuses an unknown platform, a missing id and a non-numeric Telegram id', () => {
    expect(() => parseIdentity('viber:1')).toThrow(BootstrapError);
    expect(() => parseIdentity('telegram:')).toThrow('chưa đúng dạng <nền tảng>:<mã>');
    expect(() => parseIdentity('telegram:@an')).toThrow('Mã tài khoản telegram phải là một dãy số');
  });
});

describe('addAdmin', () => {
  it('creates the person and identity, grants a deployment-wide admin role, and audits both as the CLI', async () => {
    h = await empty();
    const now = h.clock.now();
    const result = addAdmin(h.db, TG, 'Nguyễn Thị Hoa', now);
    expect(result).toMatchObject({ createdPerson: true, granted: true, person: { displayName: 'Nguyễn Thị Hoa' } });

    const caller = findCaller(h.db, 'telegram', '123456789')!;
    expect(caller.personId).toBe(result.person.id);
    expect(caller.grants).toEqual([{ role: 'admin', unitId: null }]);
    const audit = h.db.select().from(auditLog).all();
    expect(audit.map((a) => [a.action, a.actorLabel, a.actorPersonId, a.at])).toEqual([
      ['person.create', 'cli', null, now.getTime()],
      ['role.grant', 'cli', null, now.getTime()],
    ]);
    expect(audit[1]!.after).toEqual({ personId: result.person.id, role: 'admin', unitId: null });
  });

  it('is idempotent: a second call changes nothing and writes no audit row', async () => {
    h = await empty();
    addAdmin(h.db, TG, 'Nguyễn Thị Hoa', h.clock.now());
    const again = addAdmin(h.db, TG, 'Tên khác', h.clock.now());
    expect(again).toMatchObject({ createdPerson: false, granted: false, person: { displayName: 'Nguyễn Thị Hoa' } });
    expect(adminRoles()).toHaveLength(1);
    expect(h.db.select().from(people).all()).toHaveLength(1);
    expect(h.db.select().from(auditLog).all()).toHaveLength(2);
  });

  it('uses the id as the name when none is given, and promotes someone the bot already knows', async () => {
    h = await empty();
    addAdmin(h.db, { platform: 'zalo', platformUserId: '42' }, undefined, h.clock.now());
    expect(
      h.db
        .select()
        .from(people)
        .all()
        .map((p) => p.displayName),
    ).toEqual(['42']);

    await h.say('Nguyễn Văn An', '/huongdan');
    const known = findCaller(h.db, 'console', 'Nguyễn Văn An')!;
    const result = addAdmin(h.db, AN, undefined, h.clock.now());
    expect(result).toMatchObject({ createdPerson: false, granted: true, person: { id: known.personId } });
    expect(h.db.select().from(identities).where(eq(identities.personId, known.personId)).all()).toHaveLength(1);
  });

  it('refuses an empty or giant name', async () => {
    h = await empty();
    expect(() => addAdmin(h.db, TG, '   ', h.clock.now())).toThrow('Họ tên phải có từ 1 đến 100 ký tự.');
    expect(() => addAdmin(h.db, TG, 'A'.repeat(101), h.clock.now())).toThrow(BootstrapError);
    expect(h.db.select().from(people).all()).toHaveLength(0);
  });
});

describe('removeAdmin', () => {
  it('removes an admin while another remains, with an audit row', async () => {
    h = await empty();
    const first = addAdmin(h.db, TG, 'Nguyễn Thị Hoa', h.clock.now());
    addAdmin(h.db, AN, 'Nguyễn Văn An', h.clock.now());
    const result = removeAdmin(h.db, TG, h.clock.now());
    expect(result).toMatchObject({ removed: true, person: { id: first.person.id } });
    expect(adminRoles().map((r) => r.personId)).not.toContain(first.person.id);
    const audit = h.db.select().from(auditLog).where(eq(auditLog.action, 'role.revoke')).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorLabel: 'cli', before: { personId: first.person.id, role: 'admin', unitId: null } });
  });

  it('keeps the last administrator', async () => {
    h = await empty();
    addAdmin(h.db, TG, 'Nguyễn Thị Hoa', h.clock.now());
    expect(() => removeAdmin(h.db, TG, h.clock.now())).toThrow(
      /#\d+ Nguyễn Thị Hoa là quản trị cuối cùng nên không gỡ được: hãy thêm một quản trị khác trước\./,
    );
    expect(adminRoles()).toHaveLength(1);
    expect(h.db.select().from(auditLog).where(eq(auditLog.action, 'role.revoke')).all()).toHaveLength(0);
  });

  it('says so when the person is unknown or not an admin, changing nothing', async () => {
    h = await empty();
    addAdmin(h.db, TG, 'Nguyễn Thị Hoa', h.clock.now());
    expect(() => removeAdmin(h.db, { platform: 'zalo', platformUserId: '7' }, h.clock.now())).toThrow(
      'Không có ai với tài khoản zalo:7; không có gì thay đổi.',
    );
    await h.say('Nguyễn Văn An', '/huongdan');
    expect(removeAdmin(h.db, AN, h.clock.now())).toMatchObject({ removed: false });
    expect(adminRoles()).toHaveLength(1);
  });
});

describe('listAdmins', () => {
  it('lists every admin once with all their accounts', async () => {
    h = await demo();
    const hoa = findCaller(h.db, 'console', DEMO_PEOPLE.admin)!;
    // The demo admin also on Telegram, with a second, unit-bound admin role.
    h.db.insert(identities).values({ personId: hoa.personId, platform: 'telegram', platformUserId: '555', displayName: 'Hoa', lastSeenAt: 0 }).run();
    const unitId = h.db.select().from(roles).where(eq(roles.role, 'officer')).get()!.unitId;
    h.db.insert(roles).values({ personId: hoa.personId, role: 'admin', unitId, createdAt: 0 }).run();
    addAdmin(h.db, TG, 'Phạm Văn Tâm', h.clock.now());

    expect(listAdmins(h.db)).toEqual([
      {
        id: hoa.personId,
        displayName: DEMO_PEOPLE.admin,
        identities: [
          { platform: 'console', platformUserId: DEMO_PEOPLE.admin },
          { platform: 'telegram', platformUserId: '555' },
        ],
      },
      { id: expect.any(Number), displayName: 'Phạm Văn Tâm', identities: [TG] },
    ]);
  });

  it('is empty on a fresh deployment', async () => {
    h = await empty();
    expect(listAdmins(h.db)).toEqual([]);
  });
});
