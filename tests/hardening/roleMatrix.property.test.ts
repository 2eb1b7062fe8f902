import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCaller } from '../../db/people.js';
import { conversations, fields, type ModelState, models, roles, units } from '../../db/schema.js';
import { conflictOf, inScope, readScopeOf, scopeOf } from '../../db/scope.js';
import { DEMO_GROUP } from '../../db/seed/demo.js';
import { decide } from '../helpers/decide.js';
import { Harness, type SentReply } from '../helpers/harness.js';

/**
 * Roles held together never give more than each gives alone (issue 16). For random pairs of roles
 * and a random action on a random model, three people act in the same database state: one holding
 * only the first role, one only the second, one both. The one holding both may do something only
 * if one of the others may; and nobody decides on a model they registered or of a unit where they
 * are the officer. Each person's try runs inside a savepoint rolled back afterwards, so the three
 * meet exactly the same world, and every case starts from the demo deployment.
 */

const NOW = '2026-11-21T09:00:00+07:00';
const GROUP = { group: DEMO_GROUP };
const ONLY_A = 'Người vai A';
const ONLY_B = 'Người vai B';
const BOTH = 'Người hai vai';
const PERSONAS = [ONLY_A, ONLY_B, BOTH] as const;

/** Units of the demo tree at every depth, with overlaps: the province, two districts, their communes, departments. */
const UNITS = ['HATINH', 'CAMXUYEN', 'CAMBINH', 'CAMDUE', 'DUCTHO', 'TINHDOAN', 'SYT', 'SNV'] as const;

type RoleSpec = { role: 'admin' } | { role: 'leader'; unit: (typeof UNITS)[number] | null } | { role: 'officer'; unit: (typeof UNITS)[number] };

const roleSpec: fc.Arbitrary<RoleSpec> = fc.oneof(
  fc.constant({ role: 'admin' } as const),
  fc.record({ role: fc.constant('leader' as const), unit: fc.option(fc.constantFrom(...UNITS), { freq: 4 }) }),
  fc.record({ role: fc.constant('officer' as const), unit: fc.constantFrom(...UNITS) }),
);

/** What a person tries, on the case's model (or its unit), and the state that makes it possible. */
interface Action {
  name: string;
  states: readonly ModelState[];
  text(code: string, unit: string): string;
  decides: boolean;
}

const ACTIONS: readonly Action[] = [
  { name: 'approve', states: ['pending'], text: (c) => `/duyet ${c}`, decides: true },
  { name: 'return', states: ['pending'], text: (c) => `/tralai ${c} Cần bổ sung kết quả dự kiến`, decides: true },
  { name: 'recognise', states: ['proposed', 'in_progress'], text: (c) => `/congnhan ${c}`, decides: true },
  { name: 'not recognise', states: ['proposed'], text: (c) => `/congnhan ${c} khong Chưa đạt yêu cầu đề ra`, decides: true },
  { name: 'replicate', states: ['recognised'], text: (c) => `/nhanrong ${c}`, decides: true },
  { name: 'commend', states: ['recognised'], text: (c) => `/bieuduong ${c}`, decides: true },
  { name: 'propose', states: ['in_progress'], text: (c) => `/denghi ${c}`, decides: false },
  { name: 'update', states: ['in_progress', 'proposed', 'recognised'], text: (c) => `/capnhat ${c}`, decides: false },
  { name: 'card', states: ['pending', 'in_progress', 'recognised'], text: (c) => `/mohinh ${c}`, decides: false },
  { name: 'unit list', states: ['pending'], text: (_c, u) => `/mohinh ${u}`, decides: false },
  // The kept photos and files: personal data, for whoever may read the model's card.
  { name: 'evidence files', states: ['in_progress', 'recognised'], text: (c) => `/mohinh ${c} tep`, decides: false },
  { name: 'report', states: ['pending'], text: (_c, u) => `/baocao ${u}`, decides: false },
  { name: 'waiting list', states: ['pending'], text: () => '/duyet', decides: false },
];

interface Case {
  a: RoleSpec;
  b: RoleSpec;
  action: Action;
  state: ModelState;
  unit: (typeof UNITS)[number];
  /** Whether the acting person registered the model (each in their own try). */
  registeredBySelf: boolean;
  /** Whether the model's unit was stopped by an admin. */
  stopped: boolean;
}

const cases: fc.Arbitrary<Case> = fc
  .record({
    a: roleSpec,
    b: roleSpec,
    action: fc.constantFrom(...ACTIONS),
    pick: fc.nat(),
    unit: fc.constantFrom(...UNITS),
    registeredBySelf: fc.boolean(),
    stopped: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
  })
  .map(({ pick, action, ...rest }) => ({ ...rest, action, state: action.states[pick % action.states.length]! }));

let h: Harness;
beforeAll(async () => {
  h = await Harness.demo({ now: NOW });
  for (const name of PERSONAS) await h.say(name, '/huongdan', GROUP);
});
afterAll(() => h?.close());

const personOf = (name: string) => findCaller(h.db, 'console', name)!.personId;
const unitId = (code: string) => h.db.select({ id: units.id }).from(units).where(eq(units.shortCode, code)).get()!.id;

function grant(person: string, spec: RoleSpec): void {
  const unit = spec.role === 'admin' ? null : spec.unit === null ? null : unitId(spec.unit);
  h.db
    .insert(roles)
    .values({ personId: personOf(person), role: spec.role, unitId: unit, createdAt: 0 })
    .onConflictDoNothing()
    .run();
}

/** Runs `fn` inside a savepoint that is always rolled back: the database is left as it was. */
async function rolledBack<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const sqlite = h.core.database.sqlite;
  sqlite.exec(`SAVEPOINT ${name}`);
  try {
    return await fn();
  } finally {
    sqlite.exec(`ROLLBACK TO ${name}`);
    sqlite.exec(`RELEASE ${name}`);
  }
}

/** Whether what the person tried took effect, read from what changed and what was answered. */
function took(action: Action, code: string, before: typeof models.$inferSelect, replies: readonly SentReply[], person: string): boolean {
  const text = replies.map((r) => r.text).join('\n');
  expect(text, 'the dispatcher apologised').not.toMatch(/Xin lỗi, bot (gặp lỗi|đang bận)/);
  const after = h.db.select().from(models).where(eq(models.code, code)).get()!;
  switch (action.name) {
    case 'update':
      return h.db.select().from(conversations).where(eq(conversations.userId, person)).get() !== undefined;
    case 'card':
      return text.startsWith(`${code} “`);
    case 'unit list':
      return text.startsWith('Mô hình năm');
    case 'evidence files':
      // Past the refusals: told what was sent, or that nothing is kept yet.
      return text.includes('minh chứng') && !text.includes('Chỉ quản trị') && !text.includes('chỉ dành cho');
    case 'report':
      return text.startsWith('📊 Báo cáo');
    case 'waiting list':
      return text.includes(`. ${code} `);
    default:
      return after.state !== before.state || after.replicatedAt !== before.replicatedAt || after.commendedAt !== before.commendedAt;
  }
}

describe('role matrix', () => {
  it('two roles held together allow nothing that neither allows alone, and nobody decides on their own unit’s model', async () => {
    const field = h.db.select().from(fields).get()!;
    let run = 0;
    let decisionsSeen = 0;
    let evidenceSeen = 0;
    const outcomes = { allowed: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        run++;
        await rolledBack('matrix_case', async () => {
          grant(ONLY_A, c.a);
          grant(ONLY_B, c.b);
          grant(BOTH, c.a);
          grant(BOTH, c.b);
          if (c.stopped)
            h.db
              .update(units)
              .set({ active: false })
              .where(eq(units.id, unitId(c.unit)))
              .run();
          const code = `DVK-2026-${String(9000 + run).padStart(4, '0')}`;
          const at = h.clock.now().getTime();
          const model = h.db
            .insert(models)
            .values({
              code,
              year: 2026,
              unitId: unitId(c.unit),
              kind: 'dan_van_kheo',
              holderType: 'collective',
              fieldId: field.id,
              name: `Mô hình thử ${run}`,
              nameKey: `mo hinh thu ${run}`,
              content: 'Nội dung thử.',
              startDate: '2026-01-01',
              endDate: '2026-12-31',
              personInCharge: 'Người phụ trách',
              state: c.state,
              createdBy: null,
              createdAt: at,
              updatedAt: at,
            })
            .returning()
            .get();

          const allowed: Record<string, boolean> = {};
          for (const person of PERSONAS) {
            allowed[person] = await rolledBack('matrix_try', async () => {
              if (c.registeredBySelf)
                h.db
                  .update(models)
                  .set({ createdBy: personOf(person) })
                  .where(eq(models.id, model.id))
                  .run();
              const before = h.db.select().from(models).where(eq(models.id, model.id)).get()!;
              // A decision asks for “đồng ý” first and checks the roles again then: agreed to, as people do.
              const replies = await decide(h, person, c.action.text(code, c.unit), GROUP);
              return took(c.action, code, before, replies, person);
            });
          }
          outcomes[allowed[BOTH] ? 'allowed' : 'refused']++;
          const label = `${c.action.name} on ${c.state} model of ${c.unit}${c.stopped ? ' (stopped)' : ''}${c.registeredBySelf ? ', registered by the actor' : ''}; A=${JSON.stringify(c.a)} B=${JSON.stringify(c.b)} → ${JSON.stringify(allowed)}`;
          expect(!allowed[BOTH] || allowed[ONLY_A] || allowed[ONLY_B], `more than each alone: ${label}`).toBe(true);
          const callerOf = (person: string) => findCaller(h.db, 'console', person)!;
          const reads = (person: string) => inScope(readScopeOf(h.db, callerOf(person)), model.unitId);
          const works = (person: string) => inScope(scopeOf(h.db, callerOf(person)), model.unitId);
          if (c.action.name === 'evidence files' || c.action.name === 'card') {
            // Exactly those who may read the model (the read scope: an officer's unit and the units
            // under it) get its card and its kept files (issue 22).
            if (c.action.name === 'evidence files') evidenceSeen++;
            expect(allowed, `${c.action.name}: ${label}`).toEqual({ [ONLY_A]: reads(ONLY_A), [ONLY_B]: reads(ONLY_B), [BOTH]: reads(BOTH) });
          }
          if (c.action.name === 'propose' || c.action.name === 'update') {
            // Working on a model stays with the work scope: reading a sub-unit's model from the
            // unit above never lets its officer update or propose it (issue 22).
            for (const person of PERSONAS) if (allowed[person]) expect(works(person), `${c.action.name} outside the work scope: ${label}`).toBe(true);
          }
          if (c.action.decides) {
            decisionsSeen++;
            const both = findCaller(h.db, 'console', BOTH)!;
            const own = conflictOf(both, { unitId: model.unitId, createdBy: c.registeredBySelf ? both.personId : null });
            if (own) expect(allowed[BOTH], `decided on own work (${own}): ${label}`).toBe(false);
          }
        });
      }),
      { numRuns: 200 },
    );
    // Not vacuous: the cases reach decisions, and the combined person is both allowed and refused.
    expect(decisionsSeen).toBeGreaterThan(50);
    expect(evidenceSeen).toBeGreaterThan(5);
    expect(outcomes.allowed).toBeGreaterThan(30);
    expect(outcomes.refused).toBeGreaterThan(30);
  });

  it('the reproduction of issue 16: leader of one unit and officer of another, on a model they registered for the other', async () => {
    // The case the property must find when the separation is missing, pinned so it is always tried.
    await rolledBack('matrix_pinned', async () => {
      grant(BOTH, { role: 'leader', unit: 'DUCTHO' });
      grant(BOTH, { role: 'officer', unit: 'CAMBINH' });
      const model = h.db
        .select()
        .from(models)
        .where(eq(models.unitId, unitId('CAMBINH')))
        .get()!;
      h.db
        .update(models)
        .set({ state: 'pending', createdBy: personOf(BOTH) })
        .where(eq(models.id, model.id))
        .run();
      const replies = await h.say(BOTH, `/duyet ${model.code}`, GROUP);
      expect(replies.map((r) => r.text).join('\n')).toContain('nên không tự duyệt được');
      expect(h.db.select().from(models).where(eq(models.id, model.id)).get()!.state).toBe('pending');
    });
  });

  it('the officer of a unit above reads a sub-unit’s model but neither updates nor proposes it, even as a leader elsewhere', async () => {
    // Issue 22: reading widens to the units under an officer's unit; working does not, and a
    // leadership of another unit adds nothing to it.
    await rolledBack('matrix_sub_unit', async () => {
      grant(BOTH, { role: 'officer', unit: 'HATINH' });
      grant(BOTH, { role: 'leader', unit: 'DUCTHO' });
      const model = h.db
        .select()
        .from(models)
        .where(eq(models.unitId, unitId('CAMBINH')))
        .get()!;
      h.db.update(models).set({ state: 'in_progress' }).where(eq(models.id, model.id)).run();
      const both = findCaller(h.db, 'console', BOTH)!;
      expect([inScope(readScopeOf(h.db, both), model.unitId), inScope(scopeOf(h.db, both), model.unitId)]).toEqual([true, false]);
      const said = async (text: string) => (await decide(h, BOTH, text, GROUP)).map((r) => r.text).join('\n');
      expect(await said(`/mohinh ${model.code}`)).toMatch(new RegExp(`^${model.code} “`));
      const before = h.db.select().from(models).where(eq(models.id, model.id)).get()!;
      expect(await said(`/denghi ${model.code}`)).toContain(`${model.code} thuộc Xã Cẩm Bình, do cán bộ đầu mối của đơn vị đó đề nghị công nhận.`);
      expect(await said(`/capnhat ${model.code}`)).toContain(`${model.code} thuộc Xã Cẩm Bình: việc cập nhật tiến độ do cán bộ đầu mối của đơn vị đó làm.`);
      expect(await said(`/duyet ${model.code}`)).toContain('ngoài phạm vi bạn được quyết định');
      expect(h.db.select().from(models).where(eq(models.id, model.id)).get()).toEqual(before);
      expect(h.db.select().from(conversations).where(eq(conversations.userId, BOTH)).get()).toBeUndefined();
    });
  });
});
