import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCESS_LABEL, type Access } from '../../commands/shared/command.js';
import { COMMANDS } from '../../commands/index.js';
import type { Db } from '../../db/client.js';
import { auditLog, conversations, identities, models, progressUpdates, roles, units } from '../../db/schema.js';
import { DEMO_GROUP, DEMO_PEOPLE } from '../../db/seed/demo.js';
import { Harness } from '../helpers/harness.js';

const GROUP = { group: DEMO_GROUP };
const LEVELS: Access[] = ['anyone', 'officer', 'leader', 'admin'];
/** A person of each level in the demo: nobody, an officer, a leader (whole province). */
const PERSON_AT: Record<Exclude<Access, 'admin'>, string> = {
  anyone: 'Nguyễn Văn An',
  officer: DEMO_PEOPLE.officer,
  leader: DEMO_PEOPLE.leader,
};

let h: Harness;
afterEach(() => h?.close());

/** Everything a refused command must leave as it was (first contact of a new person aside). */
function snapshot(db: Db) {
  return {
    models: db.select().from(models).all(),
    updates: db.select().from(progressUpdates).all(),
    roles: db.select().from(roles).all(),
    units: db.select().from(units).all(),
    conversations: db.select().from(conversations).all(),
    audit: db
      .select()
      .from(auditLog)
      .all()
      .filter((a) => a.action !== 'person.first_contact'),
  };
}

describe('every command refuses lower roles clearly and changes nothing', () => {
  const guarded = COMMANDS.filter((c) => c.access !== 'anyone');

  it('covers every command above "anyone"', () => {
    expect(guarded.map((c) => c.name).sort()).toEqual(
      [
        'baocao',
        'bieuduong',
        'capnhat',
        'chitieu',
        'congnhan',
        'dangky',
        'denghi',
        'donvi',
        'duyet',
        'ganhom',
        'mohinh',
        'nhanrong',
        'nhatky',
        'phanquyen',
        'suadonvi',
        'themdonvi',
        'themhan',
        'thuquyen',
        'trangthai',
        'tralai',
        'xoahan',
      ].sort(),
    );
  });

  for (const command of guarded) {
    const lower = LEVELS.slice(0, LEVELS.indexOf(command.access)) as Exclude<Access, 'admin'>[];
    for (const level of lower) {
      it(`/${command.name} (for ${command.access}) refuses ${level}`, async () => {
        h = await Harness.demo({ now: '2026-03-10T09:00:00+07:00' });
        const before = snapshot(h.db);
        // With arguments a real user might type, so a refusal cannot hide behind a usage message.
        const reply = await h.text(PERSON_AT[level], `/${command.name} DVK-2026-0001 CAMXUYEN 2`, GROUP);
        expect(reply).toMatch(new RegExp(`^Lệnh /${command.name} chỉ dành cho ${ACCESS_LABEL[command.access]}\\. `));
        expect(snapshot(h.db)).toEqual(before);
      });
    }
  }
});

describe('an officer cannot touch another unit’s model', () => {
  // Bùi Thị Lan is the officer of Huyện Đức Thọ; DVK-2026-0001 belongs to Huyện Cẩm Xuyên.
  const LAN = 'Bùi Thị Lan';
  it.each(['/capnhat DVK-2026-0001', '/denghi DVK-2026-0001', '/mohinh DVK-2026-0001', '/mohinh CAMXUYEN', '/baocao CAMXUYEN', '/baocao CAMXUYEN excel'])(
    '%s',
    async (text) => {
      h = await Harness.demo({ now: '2026-03-10T09:00:00+07:00' });
      const model = h.db.select().from(models).where(eq(models.code, 'DVK-2026-0001')).get()!;
      const camxuyen = h.db.select().from(units).where(eq(units.shortCode, 'CAMXUYEN')).get()!;
      expect(model.unitId).toBe(camxuyen.id);
      const lan = h.db.select().from(identities).where(eq(identities.platformUserId, LAN)).get()!;
      expect(
        h.db
          .select()
          .from(roles)
          .where(eq(roles.personId, lan.personId))
          .all()
          .map((r) => r.role),
      ).toEqual(['officer']);

      const before = snapshot(h.db);
      const reply = await h.text(LAN, text, GROUP);
      expect(reply).toMatch(/không thuộc|không phụ trách|ngoài phạm vi|không có quyền|chỉ xem được mô hình của đơn vị mình/i);
      // Nothing of the other unit or its model is shown: only what was typed may come back.
      expect(reply).not.toContain(model.name);
      expect(reply).not.toContain(camxuyen.name);
      expect(snapshot(h.db)).toEqual(before);
    },
  );
});
