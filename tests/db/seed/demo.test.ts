import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vnParts } from '../../../core/clock.js';
import { fold } from '../../../core/text.js';
import { demoEvidenceDir, removeDemoFiles } from '../../../bot/demoFiles.js';
import { openDatabase } from '../../../db/client.js';
import { isFormerKind } from '../../../core/unitKinds.js';
import type { UnitKind } from '../../../core/domain.js';
import { DEMO_COMMUNE_GROUP, DEMO_GROUP, DEMO_PEOPLE, demoSeededAt, seedDemo } from '../../../db/seed/demo.js';

const NOW = new Date('2026-11-21T09:00:00+07:00');
const TABLES = [
  'units',
  'people',
  'identities',
  'roles',
  'chats',
  'chat_members',
  'models',
  'model_state_history',
  'progress_updates',
  'unit_quotas',
  'audit_log',
  'fields',
  'settings',
];

async function withSeeded<T>(now: Date, body: (db: Awaited<ReturnType<typeof openDatabase>>) => T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'dvk-demo-'));
  const app = await openDatabase(join(dir, 'dvk.sqlite'));
  try {
    expect(seedDemo(app.db, now)).toEqual({ seeded: true });
    return body(app);
  } finally {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function counts(sqlite: Awaited<ReturnType<typeof openDatabase>>['sqlite']): Record<string, number> {
  return Object.fromEntries(TABLES.map((t) => [t, (sqlite.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n]));
}

interface UnitRow {
  id: number;
  name: string;
  short_code: string;
  kind: string;
  parent_id: number | null;
  join_code: string;
}

describe('seedDemo', () => {
  it('builds the two-level Hà Tĩnh tree of 2026: communes and bodies directly under the province, the Mặt trận with its organisations', () =>
    withSeeded(NOW, ({ sqlite }) => {
      const rows = sqlite.prepare('select * from units').all() as UnitRow[];
      const ofKind = (...kinds: string[]) => rows.filter((u) => kinds.includes(u.kind)).length;
      expect(ofKind('province')).toBe(1);
      expect(ofKind('department')).toBeGreaterThanOrEqual(5);
      expect(ofKind('commune')).toBeGreaterThanOrEqual(10);
      // No former kind: the district level and thị trấn are gone since 1/7/2025.
      expect(rows.filter((u) => isFormerKind(u.kind as UnitKind)).map((u) => u.name)).toEqual([]);
      expect(rows.filter((u) => /^(Huyện|Thị xã|Thị trấn|Quận)\b/.test(u.name)).map((u) => u.name)).toEqual([]);

      const province = rows.find((u) => u.kind === 'province')!;
      expect(province).toMatchObject({ name: 'Tỉnh Hà Tĩnh', short_code: 'HATINH', parent_id: null });
      const ids = new Map(rows.map((u) => [u.id, u]));
      const byCode = new Map(rows.map((u) => [u.short_code, u]));
      for (const u of rows.filter((r) => r !== province)) {
        expect(u.parent_id, u.name).not.toBeNull();
        const parent = ids.get(u.parent_id!);
        expect(parent, u.name).toBeDefined();
        // Tỉnh đoàn and Hội Phụ nữ sit under the Mặt trận; everything else directly under the province.
        expect(parent!.short_code, u.name).toBe(['TINHDOAN', 'HOILHPN'].includes(u.short_code) ? 'MTTQ' : 'HATINH');
      }
      for (const u of rows) {
        expect(u.name).toBe(u.name.normalize('NFC'));
        expect(u.short_code).toMatch(/^[A-Z0-9-]+$/);
        expect(u.join_code).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
      }
      expect(new Set(rows.map((u) => u.join_code)).size).toBe(rows.length);
      expect(byCode.get('BTGDVTU')).toMatchObject({ name: 'Ban Tuyên giáo và Dân vận Tỉnh ủy', kind: 'party' });
      expect(byCode.get('SNV')).toMatchObject({ name: 'Sở Nội vụ', kind: 'department' });
      expect(byCode.get('CAT')).toMatchObject({ name: 'Công an tỉnh', kind: 'armed_forces' });
      expect(byCode.get('MTTQ')).toMatchObject({ name: 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh', kind: 'organisation' });
      expect(rows.filter((u) => u.parent_id === byCode.get('MTTQ')!.id).map((u) => [u.short_code, u.kind])).toEqual([
        ['TINHDOAN', 'organisation'],
        ['HOILHPN', 'organisation'],
      ]);
      expect(byCode.get('CAMXUYEN')).toMatchObject({ name: 'Xã Cẩm Xuyên', kind: 'commune' });
      expect(byCode.get('THANHSEN')).toMatchObject({ name: 'Phường Thành Sen', kind: 'commune' });
      expect(rows.some((u) => u.name.includes('Ban Dân vận'))).toBe(false);
    }));

  it('join codes are reproducible', async () => {
    const first = await withSeeded(NOW, ({ sqlite }) => sqlite.prepare('select short_code, join_code from units order by short_code').all());
    const second = await withSeeded(NOW, ({ sqlite }) => sqlite.prepare('select short_code, join_code from units order by short_code').all());
    expect(second).toEqual(first);
  });

  it('creates the demo people with console identities and their roles', () =>
    withSeeded(NOW, ({ sqlite }) => {
      const provinceId = (sqlite.prepare("select id from units where short_code = 'HATINH'").get() as { id: number }).id;
      const lookup = sqlite.prepare(
        `select p.id, p.unit_id as unitId, i.display_name as identityName, i.last_seen_at as lastSeenAt, u.name as unitName
           from identities i join people p on p.id = i.person_id left join units u on u.id = p.unit_id
          where i.platform = 'console' and i.platform_user_id = ?`,
      );
      const rolesOf = sqlite.prepare('select role, unit_id as unitId from roles where person_id = ?');
      type Found = { id: number; unitId: number | null; identityName: string; lastSeenAt: number; unitName: string | null };

      const admin = lookup.get(DEMO_PEOPLE.admin) as Found;
      expect(admin).toMatchObject({ identityName: DEMO_PEOPLE.admin, unitName: 'Sở Nội vụ', lastSeenAt: NOW.getTime() });
      expect(rolesOf.all(admin.id)).toEqual([{ role: 'admin', unitId: null }]);

      const leader = lookup.get(DEMO_PEOPLE.leader) as Found;
      expect(leader).toMatchObject({ identityName: DEMO_PEOPLE.leader, unitName: 'Ban Tuyên giáo và Dân vận Tỉnh ủy' });
      expect(rolesOf.all(leader.id)).toEqual([{ role: 'leader', unitId: provinceId }]);

      const officer = lookup.get(DEMO_PEOPLE.officer) as Found;
      expect(officer).toMatchObject({ unitName: 'Xã Cẩm Xuyên' });
      expect(rolesOf.all(officer.id)).toEqual([{ role: 'officer', unitId: officer.unitId }]);

      const officers = sqlite.prepare("select person_id, unit_id from roles where role = 'officer'").all() as { person_id: number; unit_id: number }[];
      expect(officers.length).toBeGreaterThanOrEqual(6);
      expect(officers.length).toBeLessThanOrEqual(12);
      const officerUnitKinds = new Set(officers.map((o) => (sqlite.prepare('select kind from units where id = ?').get(o.unit_id) as { kind: string }).kind));
      expect([...officerUnitKinds]).toEqual(expect.arrayContaining(['organisation', 'commune', 'department', 'armed_forces']));
      expect(officerUnitKinds.has('district')).toBe(false);
      for (const o of officers) {
        expect(sqlite.prepare('select unit_id as u from people where id = ?').get(o.person_id)).toEqual({ u: o.unit_id });
      }

      // Every person can be played in the console, and the reserved unknown name is not taken.
      const peopleCount = (sqlite.prepare('select count(*) as n from people').get() as { n: number }).n;
      expect(sqlite.prepare("select count(*) as n from identities where platform = 'console' and platform_user_id = display_name").get()).toEqual({
        n: peopleCount,
      });
      expect(sqlite.prepare("select count(*) as n from people where display_name = 'Nguyễn Văn An'").get()).toEqual({ n: 0 });
    }));

  it('binds the console groups and records who is in them', () =>
    withSeeded(NOW, ({ sqlite }) => {
      expect(DEMO_GROUP).toBe(DEMO_GROUP.normalize('NFC'));
      const group = sqlite
        .prepare(
          `select c.id, c.kind, c.title, u.short_code as unit from chats c join units u on u.id = c.unit_id
            where c.platform = 'console' and c.platform_chat_id = ?`,
        )
        .get(DEMO_GROUP) as { id: number; kind: string; title: string; unit: string };
      expect(group).toMatchObject({ kind: 'group', title: DEMO_GROUP, unit: 'HATINH' });
      const members = (
        sqlite.prepare('select p.display_name as name from chat_members m join people p on p.id = m.person_id where m.chat_id = ?').all(group.id) as {
          name: string;
        }[]
      ).map((m) => m.name);
      expect(members).toEqual(expect.arrayContaining([DEMO_PEOPLE.admin, DEMO_PEOPLE.leader, DEMO_PEOPLE.officer]));

      const commune = sqlite
        .prepare('select c.id, u.kind, u.short_code as unit from chats c join units u on u.id = c.unit_id where c.platform_chat_id = ?')
        .get(DEMO_COMMUNE_GROUP) as { id: number; kind: string; unit: string };
      expect(DEMO_COMMUNE_GROUP).toBe('Dân vận khéo xã Cẩm Xuyên');
      expect(commune).toMatchObject({ kind: 'commune', unit: 'CAMXUYEN' });
      expect((sqlite.prepare('select count(*) as n from chat_members where chat_id = ?').get(commune.id) as { n: number }).n).toBeGreaterThanOrEqual(2);
      expect(sqlite.prepare('select count(*) as n from chats').get()).toEqual({ n: 2 });
    }));

  it('registers models whose state matches their history', () =>
    withSeeded(NOW, ({ sqlite }) => {
      type ModelRow = {
        id: number;
        code: string;
        year: number;
        state: string;
        name: string;
        name_key: string;
        holder_type: string;
        holder_name: string | null;
        replicated_at: number | null;
        commended_at: number | null;
        created_at: number;
        updated_at: number;
        start_date: string;
        end_date: string;
      };
      const rows = sqlite.prepare('select * from models order by code').all() as ModelRow[];
      expect(rows.length).toBeGreaterThanOrEqual(6);
      expect(rows.map((m) => m.code)).toEqual(rows.map((_, i) => `DVK-2026-${String(i + 1).padStart(4, '0')}`));
      // Every state of the model's life, and both after-life events.
      expect(new Set(rows.map((m) => m.state))).toEqual(new Set(['pending', 'returned', 'in_progress', 'proposed', 'recognised', 'not_recognised']));
      expect(new Set((sqlite.prepare('select to_state as s from model_state_history').all() as { s: string }[]).map((r) => r.s))).toEqual(
        new Set(['pending', 'returned', 'in_progress', 'proposed', 'recognised', 'not_recognised', 'replicated', 'commended']),
      );
      expect(new Set((sqlite.prepare('select kind from models').all() as { kind: string }[]).map((r) => r.kind))).toEqual(
        new Set(['dan_van_kheo', 'diem_sang_chinh_quyen', 'diem_sang_qcdc']),
      );
      expect(rows.filter((m) => m.holder_type === 'individual' && m.holder_name)).toHaveLength(1);
      expect(rows.filter((m) => m.replicated_at !== null)).toHaveLength(1);
      expect(rows.filter((m) => m.commended_at !== null)).toHaveLength(1);

      const history = sqlite.prepare(
        'select from_state as fromState, to_state as toState, reason, at from model_state_history where model_id = ? order by at, id',
      );
      type Step = { fromState: string | null; toState: string; reason: string | null; at: number };
      const stateNames = new Set(['pending', 'returned', 'in_progress', 'proposed', 'recognised', 'not_recognised']);
      for (const m of rows) {
        expect(m.year).toBe(2026);
        expect(m.name_key).toBe(fold(m.name));
        expect(m.start_date <= m.end_date).toBe(true);
        expect(m.start_date).toMatch(/^2026-\d{2}-\d{2}$/);
        expect(m.updated_at).toBeLessThanOrEqual(NOW.getTime());

        const steps = history.all(m.id) as Step[];
        expect(steps[0]).toMatchObject({ fromState: null, toState: 'pending', at: m.created_at });
        const states = steps.filter((s) => stateNames.has(s.toState));
        expect(states.at(-1)!.toState, m.code).toBe(m.state);
        // Each transition starts where the previous one ended.
        states.slice(1).forEach((s, i) => expect(s.fromState).toBe(states[i]!.toState));
        for (const s of steps) expect(s.at).toBeLessThan(NOW.getTime());
        if (m.state === 'returned') expect(states.at(-1)!.reason).toBeTruthy();
        if (m.state === 'not_recognised') expect(states.at(-1)!.reason).toBeTruthy();
        if (m.replicated_at !== null) expect(steps.at(-1)).toMatchObject({ toState: 'replicated', at: m.replicated_at });
        if (m.commended_at !== null) expect(steps.at(-1)).toMatchObject({ toState: 'commended', at: m.commended_at });
        // The model's text is 2026's: no district level.
        expect(JSON.stringify(m), m.code).not.toMatch(/huyện/i);
      }
    }));

  it('dates progress updates in their own reporting period', () =>
    withSeeded(NOW, ({ sqlite }) => {
      const updates = sqlite.prepare(`select u.*, m.state from progress_updates u join models m on m.id = u.model_id`).all() as {
        period_year: number;
        period_month: number;
        period_quarter: number;
        created_at: number;
        percent: number;
        progress_state: string;
        state: string;
        text: string;
      }[];
      expect(updates.length).toBeGreaterThanOrEqual(8);
      expect(new Set(updates.map((u) => u.period_month)).size).toBeGreaterThanOrEqual(5);
      for (const u of updates) {
        const p = vnParts(new Date(u.created_at));
        expect(u).toMatchObject({ period_year: p.year, period_month: p.month, period_quarter: Math.ceil(p.month / 3) });
        expect(u.created_at).toBeLessThan(NOW.getTime());
        // Updates come while a model is carried out; it may have been decided since.
        expect(['in_progress', 'proposed', 'recognised', 'not_recognised']).toContain(u.state);
        expect(['in_progress', 'done']).toContain(u.progress_state);
        expect(u.percent).toBeGreaterThanOrEqual(0);
        expect(u.percent).toBeLessThanOrEqual(100);
        expect(u.text).toBe(u.text.normalize('NFC'));
      }
    }));

  it('sets one quota, writes one audit row and keeps every instant in the past', () =>
    withSeeded(NOW, ({ sqlite }) => {
      expect(sqlite.prepare('select u.short_code as unit, q.year, q.required from unit_quotas q join units u on u.id = q.unit_id').all()).toEqual([
        { unit: 'CAMXUYEN', year: 2026, required: 2 },
      ]);
      const audit = sqlite.prepare("select actor_label, entity, after, at from audit_log where action = 'demo.seed'").all() as {
        actor_label: string;
        entity: string;
        after: string;
        at: number;
      }[];
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor_label: 'demo', entity: 'deployment', at: NOW.getTime() });
      const c = counts(sqlite);
      expect(JSON.parse(audit[0]!.after)).toEqual({ units: c.units, people: c.people, models: c.models });
      for (const t of ['units', 'people', 'chats', 'models', 'progress_updates']) {
        const latest = sqlite.prepare(`select max(created_at) as created, max(updated_at) as updated from ${t}`).get() as { created: number; updated: number };
        expect(latest.created, t).toBeLessThanOrEqual(NOW.getTime());
        expect(latest.updated, t).toBeLessThanOrEqual(NOW.getTime());
      }
      expect(c.fields).toBeGreaterThanOrEqual(7);
      expect(c.settings).toBeGreaterThanOrEqual(1);
    }));

  it('is idempotent: a second run changes nothing', () =>
    withSeeded(NOW, ({ db, sqlite }) => {
      const before = counts(sqlite);
      expect(seedDemo(db, new Date('2026-12-01T09:00:00+07:00'))).toEqual({ seeded: false });
      expect(counts(sqlite)).toEqual(before);
    }));

  it('adopts a console person and group that were used before the demo was loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvk-demo-'));
    const app = await openDatabase(join(dir, 'dvk.sqlite'));
    try {
      const earlier = NOW.getTime() - 3_600_000;
      const { lastInsertRowid: personId } = app.sqlite
        .prepare('insert into people (display_name, created_at, updated_at) values (?, ?, ?)')
        .run(DEMO_PEOPLE.officer, earlier, earlier);
      app.sqlite
        .prepare("insert into identities (person_id, platform, platform_user_id, display_name, last_seen_at) values (?, 'console', ?, ?, ?)")
        .run(personId, DEMO_PEOPLE.officer, DEMO_PEOPLE.officer, earlier);
      app.sqlite
        .prepare("insert into chats (platform, platform_chat_id, kind, title, created_at, updated_at) values ('console', ?, 'group', ?, ?, ?)")
        .run(DEMO_GROUP, DEMO_GROUP, earlier, earlier);

      expect(seedDemo(app.db, NOW)).toEqual({ seeded: true });
      expect(app.sqlite.prepare('select count(*) as n from people where display_name = ?').get(DEMO_PEOPLE.officer)).toEqual({ n: 1 });
      expect(app.sqlite.prepare('select u.short_code as unit from people p join units u on u.id = p.unit_id where p.id = ?').get(personId)).toEqual({
        unit: 'CAMXUYEN',
      });
      expect(
        app.sqlite.prepare('select u.short_code as unit from chats c join units u on u.id = c.unit_id where c.platform_chat_id = ?').get(DEMO_GROUP),
      ).toEqual({
        unit: 'HATINH',
      });
      expect(app.sqlite.prepare("select count(*) as n from roles where person_id = ? and role = 'officer'").get(personId)).toEqual({ n: 1 });
    } finally {
      app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('squeezes the calendar into the year when now is early in January', () => {
    const early = new Date('2027-01-03T10:00:00+07:00');
    const yearStart = new Date('2027-01-01T00:00:00+07:00').getTime();
    return withSeeded(early, ({ sqlite }) => {
      const instants = [
        ...(sqlite.prepare('select at as t from model_state_history').all() as { t: number }[]),
        ...(sqlite.prepare('select created_at as t from progress_updates').all() as { t: number }[]),
        ...(sqlite.prepare('select created_at as t from models').all() as { t: number }[]),
      ].map((r) => r.t);
      for (const t of instants) {
        expect(t).toBeGreaterThanOrEqual(yearStart);
        expect(t).toBeLessThan(early.getTime());
      }
      expect(sqlite.prepare("select count(*) as n from models where year = 2027 and code like 'DVK-2027-%'").get()).toEqual({ n: 9 });
      const periods = sqlite.prepare('select distinct period_year as y, period_month as m from progress_updates').all();
      expect(periods).toEqual([{ y: 2027, m: 1 }]);
    });
  });

  /** Every instant the demo writes, per table and column. */
  const INSTANTS: readonly [string, string][] = [
    ['model_state_history', 'at'],
    ['progress_updates', 'created_at'],
    ['progress_updates', 'updated_at'],
    ['models', 'created_at'],
    ['models', 'updated_at'],
    ['models', 'replicated_at'],
    ['models', 'commended_at'],
    ['audit_log', 'at'],
    ['units', 'created_at'],
    ['units', 'updated_at'],
    ['people', 'created_at'],
    ['people', 'updated_at'],
    ['chats', 'created_at'],
    ['chats', 'updated_at'],
    ['roles', 'created_at'],
    ['identities', 'last_seen_at'],
    ['chat_members', 'last_seen_at'],
  ];

  function expectNothingAfter(sqlite: Awaited<ReturnType<typeof openDatabase>>['sqlite'], now: Date): void {
    const year = vnParts(now).year;
    const yearStart = Date.parse(`${year}-01-01T00:00:00+07:00`);
    for (const [table, column] of INSTANTS) {
      const instants = (sqlite.prepare(`select ${column} as t from ${table} where ${column} is not null`).all() as { t: number }[]).map((r) => r.t);
      expect(instants.length, `${table}.${column}`).toBeGreaterThan(0);
      for (const t of instants) {
        expect(t, `${table}.${column}`).toBeLessThanOrEqual(now.getTime());
        expect(t, `${table}.${column}`).toBeGreaterThanOrEqual(yearStart);
      }
    }
    // Every dated row is of now's year, with the after-life events still there however early now is.
    expect(sqlite.prepare('select distinct year from models').all()).toEqual([{ year }]);
    expect(sqlite.prepare('select distinct period_year as y from progress_updates').all()).toEqual([{ y: year }]);
    expect(sqlite.prepare('select count(*) as n from models where replicated_at is not null').get()).toEqual({ n: 1 });
    expect(sqlite.prepare('select count(*) as n from models where commended_at is not null').get()).toEqual({ n: 1 });
  }

  for (const instant of [
    '2026-01-01T00:05:00+07:00',
    '2026-02-15T09:00:00+07:00',
    '2026-06-30T17:00:00+07:00',
    '2026-12-06T09:00:00+07:00',
    '2026-12-31T23:59:00+07:00',
  ]) {
    it(`seeded at ${instant}, no row is after now and every row is in now's year`, () =>
      withSeeded(new Date(instant), ({ sqlite }) => expectNothingAfter(sqlite, new Date(instant))));
  }

  it("keeps the order of every model's history when the calendar is squeezed into the first minutes of the year", () =>
    withSeeded(new Date('2026-01-01T00:05:00+07:00'), ({ sqlite }) => {
      const steps = sqlite.prepare('select model_id as m, at, id from model_state_history order by model_id, id').all() as { m: number; at: number }[];
      for (let i = 1; i < steps.length; i++) if (steps[i]!.m === steps[i - 1]!.m) expect(steps[i]!.at).toBeGreaterThanOrEqual(steps[i - 1]!.at);
    }));

  it('remembers when it was seeded, and a database without the demo says so', async () => {
    await withSeeded(NOW, ({ db }) => expect(demoSeededAt(db)).toBe(NOW.getTime()));
    const app = await openDatabase(':memory:');
    try {
      expect(demoSeededAt(app.db)).toBeNull();
    } finally {
      app.close();
    }
  });

  it('rebuilt as --demo does (its files removed, then seeded again), a demo first seeded on 6/12 holds nothing after 10/3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvk-demo-'));
    const path = join(dir, 'demo.sqlite');
    const evidence = demoEvidenceDir(path);
    try {
      const later = await openDatabase(path);
      expect(seedDemo(later.db, new Date('2026-12-06T09:00:00+07:00'))).toEqual({ seeded: true });
      later.close();
      mkdirSync(evidence, { recursive: true });
      writeFileSync(join(evidence, 'stale'), 'x');

      removeDemoFiles(path, evidence);
      expect(existsSync(evidence)).toBe(false);
      const march = new Date('2026-03-10T09:00:00+07:00');
      const app = await openDatabase(path);
      try {
        expect(seedDemo(app.db, march)).toEqual({ seeded: true });
        expectNothingAfter(app.sqlite, march);
        expect(app.sqlite.prepare("select count(*) as n from audit_log where action = 'demo.seed'").get()).toEqual({ n: 1 });
      } finally {
        app.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
