import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../db/audit.js';
import type { Deadline } from '../../db/deadlines.js';
import { lateUnits } from '../../db/deadlineProgress.js';
import { applyModelEvent, type ModelEvent, type ModelRow, registerModel } from '../../db/models.js';
import { type UnitKind } from '../../db/schema.js';
import { createUnit, setQuota, updateUnit } from '../../db/unitAdmin.js';
import { addUpdate } from '../../db/updates.js';
import { type Cutoff, type Occurrence, type RuleSpec, occurrencesBetween } from '../../core/calendar.js';
import { DEFAULT_POLICY } from '../../core/reminderPolicy.js';
import { Harness } from '../helpers/harness.js';
import { newModel } from '../helpers/rows.js';

/**
 * A tree small enough to work the answers out by hand:
 *
 *   Tỉnh Thử nghiệm (TINH, province)
 *   ├── Huyện Bắc (BAC, district)
 *   │   ├── Xã Bắc Một (BAC1, commune)
 *   │   └── Xã Bắc Hai (BAC2, commune)
 *   └── Huyện Nam (NAM, district)
 *       └── Xã Nam Một (NAM1, commune)
 *
 * lateUnits orders by name in Vietnamese order: Huyện Bắc, Huyện Nam, Tỉnh Thử nghiệm, Xã Bắc Hai, Xã Bắc Một, Xã Nam Một.
 */

let h: Harness;
let unit: Record<'TINH' | 'BAC' | 'NAM' | 'BAC1' | 'BAC2' | 'NAM1', number>;
let modelCount = 0;

beforeEach(async () => {
  h = await Harness.create({ now: '2026-01-05T09:00:00+07:00' });
  const at = h.clock.now();
  const add = (name: string, shortCode: string, kind: UnitKind, parentId: number | null) =>
    h.db.transaction((tx) => createUnit(tx, { name, shortCode, kind, parentId }, SYSTEM_ACTOR, at)).id;
  const TINH = add('Tỉnh Thử nghiệm', 'TINH', 'province', null);
  const BAC = add('Huyện Bắc', 'BAC', 'district', TINH);
  const NAM = add('Huyện Nam', 'NAM', 'district', TINH);
  const BAC1 = add('Xã Bắc Một', 'BAC1', 'commune', BAC);
  const BAC2 = add('Xã Bắc Hai', 'BAC2', 'commune', BAC);
  const NAM1 = add('Xã Nam Một', 'NAM1', 'commune', NAM);
  unit = { TINH, BAC, NAM, BAC1, BAC2, NAM1 };
  modelCount = 0;
});
afterEach(() => h?.close());

function deadline(
  done: Deadline['done'],
  scope: { unitId?: number; unitKinds?: string[] } = {},
  rule: RuleSpec = { rule: 'monthly', day: 15 },
  cutoff: Cutoff | null = null,
): Deadline {
  return {
    id: 1,
    key: 'thu',
    title: 'Hạn thử',
    rule,
    cutoff,
    unitId: scope.unitId ?? null,
    unitKinds: scope.unitKinds ?? null,
    done,
    policy: DEFAULT_POLICY,
    source: 'config',
  };
}

/** The deadline's occurrence due on `due`, as the planner would build it. */
function occurrenceOn(d: Deadline, due: string): Occurrence {
  const [occurrence] = occurrencesBetween(d.rule, d.cutoff, due, due);
  if (!occurrence) throw new Error(`no occurrence of the rule on ${due}`);
  return occurrence;
}

/** Registers a model (at 05/01/2026) and walks it through `events`. */
function model(unitId: number, options: { year?: number; start?: string; end?: string; events?: ModelEvent[] } = {}): ModelRow {
  const year = options.year ?? 2026;
  const input = newModel(h.db, unitId, `Mô hình thử ${++modelCount}`, {
    year,
    content: 'Nội dung thử',
    startDate: options.start ?? `${year}-01-01`,
    endDate: options.end ?? `${year}-12-31`,
  });
  return h.db.transaction((tx) => {
    let row = registerModel(tx, input, SYSTEM_ACTOR, h.clock.now());
    for (const event of options.events ?? [])
      row = applyModelEvent(tx, row, event, event === 'return' || event === 'not_recognise' ? 'Lý do thử' : null, SYSTEM_ACTOR, h.clock.now());
    return row;
  });
}

/** A progress update sent at `instant` (an ISO instant with its offset). */
function update(m: ModelRow, instant: string): void {
  h.db.transaction((tx) =>
    addUpdate(tx, m.id, { text: 'Cập nhật thử', percent: 50, progressState: 'in_progress', attachments: [] }, SYSTEM_ACTOR, new Date(instant)),
  );
}

/** Each late unit and its detail; for updates the counts (the codes owing are checked on their own). */
const late = (d: Deadline, due: string) =>
  lateUnits(h.db, d, occurrenceOn(d, due)).map((u) => {
    if (u.detail.kind !== 'updates') return [u.shortCode, u.detail];
    const { owing: _owing, ...counts } = u.detail;
    return [u.shortCode, counts];
  });
const lateCodes = (d: Deadline, due: string) => lateUnits(h.db, d, occurrenceOn(d, due)).map((u) => u.shortCode);

const REGISTRATION = (scope: { unitId?: number; unitKinds?: string[] } = {}) => deadline('quota_registered', scope, { rule: 'yearly', month: 1, day: 29 });

describe('quota_registered: fewer models registered for the due’s year than the quota', () => {
  beforeEach(() => {
    // TINH: nothing. BAC (own quota 2): one approved, one returned. NAM: one pending.
    // BAC1: one not recognised. BAC2: one of 2025 only. NAM1: one recognised, and an own quota for 2025 only.
    setQuota(h.db, { unitId: unit.BAC, year: 2026 }, 2, SYSTEM_ACTOR, h.clock.now());
    setQuota(h.db, { unitId: unit.NAM1, year: 2025 }, 3, SYSTEM_ACTOR, h.clock.now());
    model(unit.BAC, { events: ['approve'] });
    model(unit.BAC, { events: ['return'] });
    model(unit.NAM);
    model(unit.BAC1, { events: ['approve', 'propose', 'not_recognise'] });
    model(unit.BAC2, { year: 2025, events: ['approve'] });
    model(unit.NAM1, { events: ['approve', 'recognise'] });
  });

  it('counts pending, approved and recognised models; not returned, not recognised, nor those of another year', () => {
    expect(late(REGISTRATION(), '2026-01-29')).toEqual([
      ['BAC', { kind: 'quota', required: 2, counted: 1 }],
      ['TINH', { kind: 'quota', required: 1, counted: 0 }],
      ['BAC2', { kind: 'quota', required: 1, counted: 0 }],
      ['BAC1', { kind: 'quota', required: 1, counted: 0 }],
    ]);
  });

  it('follows a change of the default quota, except where a unit has its own', () => {
    setQuota(h.db, 'default', 2, SYSTEM_ACTOR, h.clock.now());
    setQuota(h.db, { unitId: unit.BAC, year: 2026 }, 1, SYSTEM_ACTOR, h.clock.now());
    expect(late(REGISTRATION(), '2026-01-29')).toEqual([
      ['NAM', { kind: 'quota', required: 2, counted: 1 }],
      ['TINH', { kind: 'quota', required: 2, counted: 0 }],
      ['BAC2', { kind: 'quota', required: 2, counted: 0 }],
      ['BAC1', { kind: 'quota', required: 2, counted: 0 }],
      ['NAM1', { kind: 'quota', required: 2, counted: 1 }],
    ]);
  });

  it('a quota of 0 is never late', () => {
    setQuota(h.db, 'default', 0, SYSTEM_ACTOR, h.clock.now());
    expect(late(REGISTRATION(), '2026-01-29')).toEqual([['BAC', { kind: 'quota', required: 2, counted: 1 }]]);
  });

  it('looks at the year of the due: in 2025, only the 2025 model and quotas count', () => {
    expect(late(REGISTRATION(), '2025-01-29')).toEqual([
      ['BAC', { kind: 'quota', required: 1, counted: 0 }],
      ['NAM', { kind: 'quota', required: 1, counted: 0 }],
      ['TINH', { kind: 'quota', required: 1, counted: 0 }],
      ['BAC1', { kind: 'quota', required: 1, counted: 0 }],
      ['NAM1', { kind: 'quota', required: 3, counted: 0 }],
    ]);
  });

  it('keeps to the subtree of the deadline’s unit and to its unit kinds', () => {
    expect(lateCodes(REGISTRATION({ unitId: unit.BAC }), '2026-01-29')).toEqual(['BAC', 'BAC2', 'BAC1']);
    expect(lateCodes(REGISTRATION({ unitId: unit.NAM }), '2026-01-29')).toEqual([]);
    expect(lateCodes(REGISTRATION({ unitKinds: ['district', 'commune'] }), '2026-01-29')).toEqual(['BAC', 'BAC2', 'BAC1']);
    expect(lateCodes(REGISTRATION({ unitId: unit.BAC, unitKinds: ['commune'] }), '2026-01-29')).toEqual(['BAC2', 'BAC1']);
  });

  it('never lists an inactive unit', () => {
    updateUnit(h.db, unit.BAC1, { active: false }, SYSTEM_ACTOR, h.clock.now());
    expect(lateCodes(REGISTRATION(), '2026-01-29')).toEqual(['BAC', 'TINH', 'BAC2']);
  });
});

describe('period_updates: a model carried out during the period has no update sent in it', () => {
  // Monthly on the 15th with the Decree 09/2019 cut-off: the 15/03 due covers 15/02–14/03/2026,
  // that is the instants [2026-02-15T00:00+07:00, 2026-03-15T00:00+07:00).
  const REPORT = (scope: { unitId?: number; unitKinds?: string[] } = {}) =>
    deadline('period_updates', scope, { rule: 'monthly', day: 15 }, { endDay: 14, months: 1 });
  const DUE = '2026-03-15';

  it('uses the period the calendar gives', () => {
    expect(occurrenceOn(REPORT(), DUE).period).toEqual({ from: '2026-02-15', to: '2026-03-14' });
  });

  describe('on a tree with updates either side of the period’s ends', () => {
    let namModel: ModelRow;
    let bacOwing: string;
    beforeEach(() => {
      // TINH: no model at all.
      // BAC: two approved models; one updated at the first instant of the period, the other never.
      update(model(unit.BAC, { events: ['approve'] }), '2026-02-15T00:00:00+07:00');
      bacOwing = model(unit.BAC, { events: ['approve'] }).code;
      // NAM: approved, updated the evening before the period.
      namModel = model(unit.NAM, { events: ['approve'] });
      update(namModel, '2026-02-14T23:59:59+07:00');
      // BAC1: proposed, updated the last evening of the period; its pending model owes nothing.
      update(model(unit.BAC1, { events: ['approve', 'propose'] }), '2026-03-14T23:30:00+07:00');
      model(unit.BAC1);
      // BAC2: approved, updated at the first instant after the period (still 14/03 in UTC).
      update(model(unit.BAC2, { events: ['approve'] }), '2026-03-15T00:00:00+07:00');
      // NAM1: models that owe nothing in this period: ended before it, starting after it,
      // recognised, returned, pending.
      model(unit.NAM1, { events: ['approve'], end: '2026-02-14' });
      model(unit.NAM1, { events: ['approve'], start: '2026-03-15' });
      model(unit.NAM1, { events: ['approve', 'recognise'] });
      model(unit.NAM1, { events: ['return'] });
      model(unit.NAM1);
    });

    it('lists who is late, with how many models lack an update out of those owing one', () => {
      expect(late(REPORT(), DUE)).toEqual([
        ['BAC', { kind: 'updates', missing: 1, active: 2 }],
        ['NAM', { kind: 'updates', missing: 1, active: 1 }],
        ['BAC2', { kind: 'updates', missing: 1, active: 1 }],
      ]);
    });

    it('names the models that owe an update, so a reminder can say which', () => {
      const bac = lateUnits(h.db, REPORT(), occurrenceOn(REPORT(), DUE)).find((u) => u.shortCode === 'BAC')!;
      expect(bac.detail).toEqual({ kind: 'updates', missing: 1, active: 2, owing: [bacOwing] });
    });

    it('counts an update by its Vietnamese day: 06:00 on the first day is 23:00 UTC the day before, and counts', () => {
      update(namModel, '2026-02-15T06:00:00+07:00');
      expect(lateCodes(REPORT(), DUE)).toEqual(['BAC', 'BAC2']);
    });

    it('owes an update for a model that overlaps the period by a single day', () => {
      model(unit.NAM1, { events: ['approve'], end: '2026-02-15' });
      model(unit.TINH, { events: ['approve'], start: '2026-03-14' });
      expect(late(REPORT(), DUE)).toEqual([
        ['BAC', { kind: 'updates', missing: 1, active: 2 }],
        ['NAM', { kind: 'updates', missing: 1, active: 1 }],
        ['TINH', { kind: 'updates', missing: 1, active: 1 }],
        ['BAC2', { kind: 'updates', missing: 1, active: 1 }],
        ['NAM1', { kind: 'updates', missing: 1, active: 1 }],
      ]);
    });

    it('keeps to the subtree of the deadline’s unit and to its unit kinds', () => {
      expect(lateCodes(REPORT({ unitId: unit.BAC }), DUE)).toEqual(['BAC', 'BAC2']);
      expect(lateCodes(REPORT({ unitId: unit.NAM }), DUE)).toEqual(['NAM']);
      expect(lateCodes(REPORT({ unitId: unit.NAM1 }), DUE)).toEqual([]);
      expect(lateCodes(REPORT({ unitKinds: ['commune'] }), DUE)).toEqual(['BAC2']);
      expect(lateCodes(REPORT({ unitKinds: ['province', 'district'] }), DUE)).toEqual(['BAC', 'NAM']);
    });

    it('never lists an inactive unit', () => {
      updateUnit(h.db, unit.BAC2, { active: false }, SYSTEM_ACTOR, h.clock.now());
      expect(lateCodes(REPORT(), DUE)).toEqual(['BAC', 'NAM']);
    });

    it('asks nothing for a model of an earlier year still running (issue 21): /capnhat no longer takes its updates', () => {
      // TINH's 2025 model runs until June 2026, approved, never updated in the period.
      model(unit.TINH, { year: 2025, events: ['approve'], start: '2025-03-01', end: '2026-06-30' });
      expect(lateCodes(REPORT(), DUE)).toEqual(['BAC', 'NAM', 'BAC2']);
      // A 2026 model of the same unit does owe.
      model(unit.TINH, { events: ['approve'] });
      expect(late(REPORT(), DUE)).toContainEqual(['TINH', { kind: 'updates', missing: 1, active: 1 }]);
    });

    it('a unit late for March is done for April once it reports in the April period', () => {
      // April's period is 15/03–14/04: BAC2's update at 00:00 on 15/03 now counts; NAM1's model starting 15/03 now owes.
      expect(occurrenceOn(REPORT(), '2026-04-15').period).toEqual({ from: '2026-03-15', to: '2026-04-14' });
      expect(lateCodes(REPORT(), '2026-04-15')).toEqual(['BAC', 'NAM', 'BAC1', 'NAM1']);
    });
  });
});

describe('none: every active unit concerned is reminded', () => {
  const ANNOUNCEMENT = (scope: { unitId?: number; unitKinds?: string[] } = {}) => deadline('none', scope, { rule: 'yearly', month: 10, day: 15 });

  it('lists every unit, whatever it did', () => {
    model(unit.BAC, { events: ['approve'] });
    expect(lateUnits(h.db, ANNOUNCEMENT(), occurrenceOn(ANNOUNCEMENT(), '2026-10-15'))).toEqual([
      { unitId: unit.BAC, name: 'Huyện Bắc', shortCode: 'BAC', detail: { kind: 'announcement' } },
      { unitId: unit.NAM, name: 'Huyện Nam', shortCode: 'NAM', detail: { kind: 'announcement' } },
      { unitId: unit.TINH, name: 'Tỉnh Thử nghiệm', shortCode: 'TINH', detail: { kind: 'announcement' } },
      { unitId: unit.BAC2, name: 'Xã Bắc Hai', shortCode: 'BAC2', detail: { kind: 'announcement' } },
      { unitId: unit.BAC1, name: 'Xã Bắc Một', shortCode: 'BAC1', detail: { kind: 'announcement' } },
      { unitId: unit.NAM1, name: 'Xã Nam Một', shortCode: 'NAM1', detail: { kind: 'announcement' } },
    ]);
  });

  it('lists the units in Vietnamese alphabetical order: Đ after D, before H (issue 22)', () => {
    const at = h.clock.now();
    for (const [name, code] of [
      ['Xã Hà Linh', 'HALINH'],
      ['Xã Đức Thọ', 'DUCTHO'],
      ['Xã Đồng Lộc', 'DONGLOC'],
      ['Xã Dương Thủy', 'DUONGTHUY'],
    ] as const) {
      h.db.transaction((tx) => createUnit(tx, { name, shortCode: code, kind: 'commune', parentId: unit.NAM }, SYSTEM_ACTOR, at));
    }
    // Byte order would put both Đ names after "Xã Nam Một".
    expect(lateCodes(ANNOUNCEMENT({ unitKinds: ['commune'] }), '2026-10-15')).toEqual(['BAC2', 'BAC1', 'DUONGTHUY', 'DONGLOC', 'DUCTHO', 'HALINH', 'NAM1']);
  });

  it('keeps to the subtree and the unit kinds, and skips inactive units', () => {
    expect(lateCodes(ANNOUNCEMENT({ unitId: unit.BAC }), '2026-10-15')).toEqual(['BAC', 'BAC2', 'BAC1']);
    expect(lateCodes(ANNOUNCEMENT({ unitKinds: ['commune'] }), '2026-10-15')).toEqual(['BAC2', 'BAC1', 'NAM1']);
    expect(lateCodes(ANNOUNCEMENT({ unitId: unit.NAM, unitKinds: ['commune'] }), '2026-10-15')).toEqual(['NAM1']);
    expect(lateCodes(ANNOUNCEMENT({ unitKinds: ['school'] }), '2026-10-15')).toEqual([]);
    updateUnit(h.db, unit.NAM, { active: false }, SYSTEM_ACTOR, h.clock.now());
    expect(lateCodes(ANNOUNCEMENT(), '2026-10-15')).toEqual(['BAC', 'TINH', 'BAC2', 'BAC1', 'NAM1']);
  });
});
