import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATASET_NOW, generateNationalDataset, type NationalDataset, type NationalOptions } from '../../bench/nationalDataset.js';
import { VN_OFFSET_MS } from '../../core/clock.js';
import { type AppDatabase, openDatabase } from '../../db/client.js';
import { reportData } from '../../db/reportData.js';
import { HOLDER_TYPES, MODEL_KINDS, MODEL_STATES } from '../../db/schema.js';
import { subtreeIds } from '../../db/units.js';
import { yearPeriod } from '../../core/period.js';

/**
 * The benchmark's synthetic country, at a fiftieth of its size: what the reports benchmark
 * relies on (counts, a tree of provinces, rows that reference each other, one year of updates)
 * must hold, or its figures measure something else.
 */

const SMALL: NationalOptions = { units: 200, models: 600, updates: 6000 };
const YEAR_START = Date.UTC(2026, 0, 1) - VN_OFFSET_MS;

let app: AppDatabase;
let dataset: NationalDataset;

beforeEach(async () => {
  app = await openDatabase(':memory:');
  dataset = generateNationalDataset(app, SMALL);
});
afterEach(() => app.close());

const one = <T>(sql: string): T => app.sqlite.prepare(sql).get() as T;
const all = <T>(sql: string): T[] => app.sqlite.prepare(sql).all() as T[];

describe('the national dataset, small', () => {
  it('writes exactly the rows asked for', () => {
    expect(one<{ n: number }>('select count(*) as n from units').n).toBe(200);
    expect(one<{ n: number }>('select count(*) as n from models').n).toBe(600);
    expect(one<{ n: number }>('select count(*) as n from progress_updates').n).toBe(6000);
    expect(dataset).toMatchObject({ units: 200, models: 600, updates: 6000 });
    expect(one<{ n: number }>('select count(*) as n from unit_quotas').n).toBe(dataset.quotas);
    expect(dataset.quotas).toBeGreaterThan(1);
    // The shipped calendar is loaded, so quotas concern the units the registration deadline names.
    expect(one<{ n: number }>("select count(*) as n from deadlines where done_criterion = 'quota_registered' and active = 1").n).toBe(1);
  });

  it('is a country: one root over ten provinces, whose subtrees share out every other unit', () => {
    const roots = all<{ id: number; name: string }>('select id, name from units where parent_id is null');
    expect(roots).toEqual([{ id: dataset.rootId, name: 'Ban Chỉ đạo Trung ương' }]);
    const provinces = all<{ id: number; parent_id: number }>("select id, parent_id from units where kind = 'province' order by id");
    expect(provinces).toHaveLength(10);
    expect(provinces.every((p) => p.parent_id === dataset.rootId)).toBe(true);
    expect(dataset.provinces.map((p) => p.id)).toEqual(provinces.map((p) => p.id));
    // 199 units below the root: nine provinces of 20, one of 19, each subtree as reported.
    expect(dataset.provinces.map((p) => p.units).sort()).toEqual([19, 20, 20, 20, 20, 20, 20, 20, 20, 20]);
    for (const p of dataset.provinces) expect(subtreeIds(app.db, [p.id])).toHaveLength(p.units);
    expect(subtreeIds(app.db, [dataset.rootId])).toHaveLength(200);
    // Below the provinces: districts, communes, schools…, at least three levels deep.
    const depth = one<{ d: number }>(`with recursive t(id, d) as (select id, 0 from units where parent_id is null
      union all select u.id, t.d + 1 from units u join t on u.parent_id = t.id) select max(d) as d from t`).d;
    expect(depth).toBeGreaterThanOrEqual(3);
    expect(all<{ kind: string }>("select distinct kind from units where kind not in ('province') and parent_id is not null").length).toBeGreaterThanOrEqual(4);
  });

  it('names units in Vietnamese (NFC, with diacritics) and gives them unique ASCII codes', () => {
    const rows = all<{ name: string; short_code: string; join_code: string }>('select name, short_code, join_code from units');
    expect(rows.every((r) => r.name === r.name.normalize('NFC'))).toBe(true);
    expect(rows.filter((r) => /[^\x00-\x7f]/.test(r.name)).length).toBeGreaterThan(150);
    expect(rows.every((r) => /^[A-Z0-9-]+$/.test(r.short_code) && /^[A-HJ-NP-Z2-9]{6}$/.test(r.join_code))).toBe(true);
    expect(new Set(rows.map((r) => r.short_code)).size).toBe(200);
    expect(new Set(rows.map((r) => r.join_code)).size).toBe(200);
  });

  it('gives every model a unit below the provinces, and covers every state, kind, holder and field', () => {
    expect(one<{ n: number }>('select count(*) as n from models m left join units u on u.id = m.unit_id where u.id is null').n).toBe(0);
    expect(one<{ n: number }>("select count(*) as n from models m join units u on u.id = m.unit_id where u.parent_id is null or u.kind = 'province'").n).toBe(
      0,
    );
    expect(
      all<{ state: string }>('select distinct state from models')
        .map((r) => r.state)
        .sort(),
    ).toEqual([...MODEL_STATES].sort());
    expect(
      all<{ kind: string }>('select distinct kind from models')
        .map((r) => r.kind)
        .sort(),
    ).toEqual([...MODEL_KINDS].sort());
    expect(
      all<{ h: string }>('select distinct holder_type as h from models')
        .map((r) => r.h)
        .sort(),
    ).toEqual([...HOLDER_TYPES].sort());
    expect(one<{ n: number }>('select count(distinct field_id) as n from models').n).toBe(7);
    expect(
      one<{ n: number }>("select count(*) as n from models where year <> 2026 or start_date > end_date or start_date < '2026-01-01' or end_date > '2026-12-31'")
        .n,
    ).toBe(0);
    // Some units have no model at all: the quota lists have names in them.
    expect(
      one<{ n: number }>(
        "select count(*) as n from units u where u.kind <> 'province' and u.parent_id is not null and not exists (select 1 from models m where m.unit_id = u.id)",
      ).n,
    ).toBeGreaterThan(5);
  });

  it('dates every update within 2026, before "now", in the period it says, for a model that was approved', () => {
    const range = one<{ lo: number; hi: number }>('select min(created_at) as lo, max(created_at) as hi from progress_updates');
    expect(range.lo).toBeGreaterThanOrEqual(YEAR_START);
    expect(range.hi).toBeLessThan(DATASET_NOW.getTime());
    const updates = all<{ at: number; y: number; m: number; q: number }>(
      'select created_at as at, period_year as y, period_month as m, period_quarter as q from progress_updates',
    );
    const wrong = updates.filter((u) => {
      const local = new Date(u.at + VN_OFFSET_MS);
      return u.y !== 2026 || u.m !== local.getUTCMonth() + 1 || u.q !== Math.ceil(u.m / 3);
    });
    expect(wrong).toEqual([]);
    expect(
      one<{ n: number }>("select count(*) as n from progress_updates p join models m on m.id = p.model_id where m.state in ('pending', 'returned')").n,
    ).toBe(0);
    expect(one<{ len: number }>('select avg(length(text)) as len from progress_updates').len).toBeGreaterThan(90);
  });

  it('is the same every time for the same seed', async () => {
    const again = await openDatabase(':memory:');
    try {
      generateNationalDataset(again, SMALL);
      const rows = (db: AppDatabase) =>
        db.sqlite
          .prepare(
            'select m.code, m.name, m.unit_id, m.state, count(p.id) as n, max(p.created_at) as last from models m left join progress_updates p on p.model_id = m.id group by m.id',
          )
          .all();
      expect(rows(again)).toEqual(rows(app));
    } finally {
      again.close();
    }
  });

  it('feeds reportData: a province report covers its subtree and finds units below quota and late', () => {
    const province = dataset.provinces[0]!;
    const data = reportData(app.db, { rootUnitId: province.id, subtree: true }, yearPeriod(2026), DATASET_NOW);
    expect(data.units).toHaveLength(province.units);
    const whole = reportData(app.db, { rootUnitId: null, subtree: true }, yearPeriod(2026), DATASET_NOW);
    expect(whole.totals.models).toBe(600);
    expect(whole.totals.unitsBelowQuota).toBeGreaterThan(0);
    expect(whole.totals.unitsLate).toBeGreaterThan(0);
    expect(whole.totals.updatesInPeriod).toBe(6000);
  });
});
