import { type SQL, sql } from 'drizzle-orm';
import type { IsoDay, Occurrence } from '../core/calendar.js';
import { vnInstant } from '../core/calendar.js';
import type { Db } from './client.js';
import type { Deadline } from './deadlines.js';
import { defaultQuota, REGISTERED_STATES } from './quotas.js';
import { byVietnameseName } from '../core/vietnameseOrder.js';
import { subtreeIds } from './units.js';

/**
 * Who has not done what a deadline asks, computed set-wise in SQL (a province has thousands of
 * units and the planner asks once per reminder slot):
 *  - quota_registered: the unit has registered fewer models for the due's year than its quota
 *    (approved or still waiting for approval: see below);
 *  - period_updates: some model the unit is carrying out during the period (approved or proposed
 *    for recognition, its dates overlapping the period) has no progress update sent in the period;
 *  - none: nothing to check; every unit concerned is reminded (an announcement such as 15/10).
 */

export type LateDetail =
  | { kind: 'quota'; required: number; counted: number }
  /** `owing`: the codes of the models without an update, so a reminder can name them. */
  | { kind: 'updates'; missing: number; active: number; owing: string[] }
  | { kind: 'announcement' };

export interface LateUnit {
  unitId: number;
  name: string;
  shortCode: string;
  detail: LateDetail;
}

/** Models in these states are being carried out and owe progress updates. */
export const REPORTING_STATES = ['in_progress', 'proposed'] as const;

/** Active units a deadline concerns, as a SQL list of ids (its subtree and unit kinds). */
function concernedUnitsSql(db: Db, deadline: Deadline) {
  const conditions = [sql`u.active = 1`];
  if (deadline.unitId !== null) {
    const ids = subtreeIds(db, [deadline.unitId]);
    conditions.push(ids.length > 0 ? sql`u.id in ${sql.raw(`(${ids.join(',')})`)}` : sql`0`);
  }
  if (deadline.unitKinds && deadline.unitKinds.length > 0) {
    conditions.push(sql`u.kind in ${sql.raw(`(${deadline.unitKinds.map((k) => `'${k.replace(/'/g, "''")}'`).join(',')})`)}`);
  }
  return sql.join(conditions, sql` and `);
}

/** Whether the deadline asks anything of this unit (active, in its subtree, of its kinds). */
export function concernsUnit(db: Db, deadline: Deadline, unitId: number): boolean {
  return db.all<{ id: number }>(sql`select u.id from units u where u.id = ${unitId} and ${concernedUnitsSql(db, deadline)}`).length > 0;
}

/**
 * The units late for this occurrence; `among` restricts the question to those units (an officer
 * asking about their own unit), which costs their rows instead of the whole deployment's.
 */
export function lateUnits(db: Db, deadline: Deadline, occurrence: Occurrence, among?: readonly number[]): LateUnit[] {
  if (among && among.length === 0) return [];
  const concerned = concernedUnitsSql(db, deadline);
  // Bound, not inlined: the statement text stays the same from one asker to the next.
  const where = among
    ? sql`${concerned} and u.id in (${sql.join(
        among.map((id) => sql`${id}`),
        sql`, `,
      )})`
    : concerned;
  if (deadline.done === 'none') {
    return db
      .all<{ id: number; name: string; code: string }>(sql`select u.id, u.name, u.short_code as code from units u where ${where} order by u.id`)
      .sort((a, b) => byVietnameseName(a, b))
      .map((u) => ({ unitId: u.id, name: u.name, shortCode: u.code, detail: { kind: 'announcement' } }) as LateUnit);
  }
  if (deadline.done === 'quota_registered') {
    const year = Number(occurrence.due.slice(0, 4));
    // Registered is what this deadline asks: a registration sent on time and still waiting for the
    // leader's decision counts, or units would be chased as late for their leader's pace. Only the
    // quota figures (/mohinh, the reports) wait for approval (db/quotas.ts). A returned or
    // not-recognised model is not a registration the unit can stand on, so it does not count.
    const registered = sql.raw(REGISTERED_STATES.map((s) => `'${s}'`).join(','));
    const rows = db.all<{ id: number; name: string; code: string; required: number; counted: number }>(sql`
      select u.id, u.name, u.short_code as code,
             coalesce(q.required, ${defaultQuota(db)}) as required,
             (select count(*) from models m where m.unit_id = u.id and m.year = ${year} and m.state in (${registered})) as counted
      from units u
      left join unit_quotas q on q.unit_id = u.id and q.year = ${year}
      where ${where}
      order by u.id`);
    return rows
      .sort((a, b) => byVietnameseName(a, b))
      .filter((r) => r.counted < r.required)
      .map((r) => ({ unitId: r.id, name: r.name, shortCode: r.code, detail: { kind: 'quota', required: r.required, counted: r.counted } }));
  }
  // The year of the period's end: /capnhat takes updates to the current year's models only, so a
  // model of an earlier year still being carried out cannot be asked for one (issue 21).
  return unitsLateWithUpdates(db, where, occurrence.period, Number(occurrence.period.to.slice(0, 4))).map((r) => ({
    unitId: r.unitId,
    name: r.name,
    shortCode: r.shortCode,
    detail: { kind: 'updates', missing: r.missing, active: r.active, owing: r.owingCodes ? r.owingCodes.split(',').sort() : [] },
  }));
}

export interface UpdatesOwed {
  unitId: number;
  name: string;
  shortCode: string;
  /** Models the unit carries out during the period. */
  active: number;
  /** Of those, the ones without a progress update sent in the period. */
  missing: number;
  /** Their codes, comma-separated (null when none). */
  owingCodes: string | null;
}

/**
 * Units (among `unitWhere`, a condition on alias `u`) with a model of `year` carried out during the
 * period (approved or proposed, its dates overlapping the period) that has no update sent within the
 * period (Vietnamese days, inclusive). The reminders' rule; reports apply the same one to the states
 * replayed at the period's end (db/reportData.ts).
 */
function unitsLateWithUpdates(db: Pick<Db, 'all'>, unitWhere: SQL, period: { from: IsoDay; to: IsoDay }, year: number): UpdatesOwed[] {
  return updatesOwedByUnit(db, unitWhere, period, year).filter((u) => u.missing > 0);
}

/**
 * Every unit carrying out a model of `year` during the period, late or not (`missing` 0 when up to
 * date). Models are counted per year: a model of 2025 still running in January 2026 is not one of
 * 2026's, and /capnhat no longer takes updates to it.
 */
export function updatesOwedByUnit(db: Pick<Db, 'all'>, unitWhere: SQL, period: { from: IsoDay; to: IsoDay }, year: number): UpdatesOwed[] {
  const fromMs = vnInstant(period.from, '00:00').getTime();
  const toMs = vnInstant(period.to, '00:00').getTime() + 24 * 60 * 60 * 1000;
  const states = sql.raw(REPORTING_STATES.map((s) => `'${s}'`).join(','));
  // Per model first (whether it has an update in the period), then per unit.
  return db
    .all<UpdatesOwed>(sql`
    select unitId, name, shortCode, count(*) as active, sum(owing) as missing,
           group_concat(case when owing = 1 then code end) as owingCodes
    from (
      select u.id as unitId, u.name, u.short_code as shortCode, m.code,
             case when exists (
               select 1 from progress_updates p
               where p.model_id = m.id and p.created_at >= ${fromMs} and p.created_at < ${toMs}
             ) then 0 else 1 end as owing
      from units u
      join models m on m.unit_id = u.id and m.year = ${year} and m.state in (${states})
                    and m.start_date <= ${period.to} and m.end_date >= ${period.from}
      where ${unitWhere}
    )
    group by unitId
    order by unitId`)
    .sort((a, b) => byVietnameseName(a, b));
}
