import { type SQL, sql } from 'drizzle-orm';
import { type IsoDay, vnInstant } from '../core/calendar.js';
import type { ReportPeriod } from '../core/period.js';
import type { Db } from './client.js';
import { REPORTING_STATES } from './deadlineProgress.js';
import { activeDeadlines } from './deadlines.js';
import { modelStatesAt } from './modelStatesAt.js';
import { awaitsApproval, countsTowardQuota, defaultQuota } from './quotas.js';
import { HOLDER_TYPES, type HolderType, MODEL_KINDS, MODEL_STATES, type ModelKind, type ModelState, type ProgressState, type UnitKind } from './schema.js';
import { subtreeIds } from './units.js';
import { updatesDeadline } from './updatesDeadline.js';
import { byVietnameseName } from '../core/vietnameseOrder.js';

/**
 * Everything a report says, as plain data: one query layer for the chat summary, the xlsx, the
 * docx and the chart. Queries never format (no labels, no dates as text); renderers never query.
 *
 * What is counted: the models registered for the period's year (plans count per year, "not
 * cumulated from earlier years") up to `asOf`, every state included so returned ones show too,
 * each in the state it was in at `asOf` (replayed from the history, db/modelStatesAt.ts), and
 * replicated / commended only if that happened by then; quotas of that year; the units late with
 * updates for the period itself (the reminders' rule, on the states at `asOf`), once the period's
 * updates are due (db/updatesDeadline.ts) — before that, "not yet due".
 */

export interface ReportScope {
  /** Root of the unit subtree reported on; null = the whole deployment. */
  rootUnitId: number | null;
  /** False: the root unit alone (a unit officer's own report). */
  subtree: boolean;
}

export type StateCounts = Record<ModelState, number>;

export interface ReportUnit extends ScopeUnit {
  /** The unit's own models of the year, by state. */
  byState: StateCounts;
  /** Its own models, every state. */
  models: number;
  /** Its own models plus those of every unit under it in the report. */
  subtreeModels: number;
  quota: QuotaFigures;
  /**
   * Models carried out in the period (in progress or proposed at `asOf`, dates overlapping it) and,
   * of those, the ones with no update in it once the updates are due (`missing`: late) or while
   * they are not yet due (`waiting`); null = none owed.
   */
  updatesOwed: UpdatesOwedFigures | null;
  /** The same figures for the unit and every unit under it in the report (equal to its own for a leaf). */
  subtree: SubtreeFigures;
}

/**
 * A unit's quota at `asOf`: only approved models fill it (db/quotas.ts); `pending` are registered
 * and still waiting for approval, shown apart and not taken off `missing`.
 */
export interface QuotaFigures {
  required: number;
  counted: number;
  /**
   * Waiting for approval at `asOf`. Always set by reportData; optional so report data built by hand
   * in tests need not (read as 0).
   */
  pending?: number;
  missing: number;
}

/** A unit's figures summed over its subtree in the report: what a roll-up row shows. */
export interface UpdatesOwedFigures {
  active: number;
  /** Late: no update in the period, and its updates are due. */
  missing: number;
  /**
   * No update yet, the updates not yet due ("chưa đến hạn"). Always set by reportData; optional so
   * figures summed by a renderer (the xlsx's own-unit row) need not carry it.
   */
  waiting?: number;
}

export interface SubtreeFigures {
  byState: StateCounts;
  models: number;
  quota: QuotaFigures;
  updatesOwed: UpdatesOwedFigures | null;
  /** Units of the subtree (itself included) short of their quota. */
  unitsBelowQuota: number;
  /** Units of the subtree (itself included) owing updates. */
  unitsLate: number;
}

export interface LatestUpdate {
  text: string;
  percent: number | null;
  progressState: ProgressState | null;
  at: Date;
  author: string | null;
}

export interface ReportModel {
  id: number;
  code: string;
  name: string;
  year: number;
  unitId: number;
  unitName: string;
  kind: ModelKind;
  holderType: HolderType;
  holderName: string | null;
  field: string;
  state: ModelState;
  // No content or expected result: no report shows them, and on a national report their text
  // was some 20 MB of the report thread's memory (bench/heavyReport.ts).
  startDate: IsoDay;
  endDate: IsoDay;
  personInCharge: string;
  replicatedAt: Date | null;
  commendedAt: Date | null;
  /** Updates sent within the period. */
  updatesInPeriod: number;
  /** The latest update sent up to the end of the period. */
  latestUpdate: LatestUpdate | null;
}

export interface FieldCount {
  label: string;
  count: number;
}

export interface ReportTotals {
  units: number;
  models: number;
  byState: StateCounts;
  byKind: Record<ModelKind, number>;
  byHolder: Record<HolderType, number>;
  /** Every active field in its configured order (zeros included), then retired fields still used. */
  byField: FieldCount[];
  recognised: number;
  replicated: number;
  commended: number;
  updatesInPeriod: number;
  /** Units expected to register (a quota above 0) with no model of the year at all. */
  unitsWithoutModels: number;
  /** Units whose approved models fall short of their quota (pending ones do not fill it). */
  unitsBelowQuota: number;
  /** Units owing updates for the period (late: past its deadline). */
  unitsLate: number;
  /** Units with a model still without an update while the updates are not yet due. */
  unitsWaiting: number;
}

export interface ReportData {
  generatedAt: Date;
  period: ReportPeriod;
  /** The instant the figures are true at: the period's end, or `generatedAt` while it still runs. */
  asOf: Date;
  /** The period has not ended yet at `generatedAt` ("đến hôm nay"). */
  running: boolean;
  /**
   * When the period's progress updates are due, and whether that instant has passed at
   * `generatedAt`. Always set by reportData; optional so report data built by hand in tests need not.
   */
  updatesDue?: { day: IsoDay | null; at: Date; passed: boolean };
  /** The report's root unit; null for the whole deployment. */
  root: { id: number; name: string; shortCode: string; kind: UnitKind } | null;
  totals: ReportTotals;
  /** Active units in tree order (each parent before its children, siblings by name). */
  units: ReportUnit[];
  /** The year's models, in the order of `units`, then by code. */
  models: ReportModel[];
}

export class UnknownReportUnit extends Error {
  constructor(readonly unitId: number) {
    super(`unit ${unitId} does not exist`);
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
const REPORTING = new Set<ModelState>(REPORTING_STATES);

export function reportData(db: Db, scope: ReportScope, period: ReportPeriod, now: Date): ReportData {
  const units = scopeUnits(db, scope);
  const root = scope.rootUnitId === null ? null : units.find((u) => u.id === scope.rootUnitId);
  if (scope.rootUnitId !== null && !root) throw new UnknownReportUnit(scope.rootUnitId);
  // The whole deployment needs no id list (10,000 ids would only slow SQLite down).
  const unitFilter = (column: SQL): SQL => (scope.rootUnitId === null ? sql`1` : sql`${column} in ${sql.raw(`(${units.map((u) => u.id).join(',')})`)}`);

  const fromMs = vnInstant(period.from, '00:00').getTime();
  const toMs = vnInstant(period.to, '00:00').getTime() + DAY_MS;
  const running = now.getTime() < toMs;
  // The last instant the figures cover (models registered, states, events: at or before it).
  const asOfMs = Math.min(now.getTime(), toMs - 1);
  const models = db.all<ModelRow>(sql`
    select m.id, m.code, m.name, m.year, m.unit_id as unitId, m.kind, m.holder_type as holderType,
           m.holder_name as holderName, f.label as field, m.state,
           m.start_date as startDate, m.end_date as endDate, m.person_in_charge as personInCharge,
           m.replicated_at as replicatedAt, m.commended_at as commendedAt,
           (select count(*) from progress_updates p
             where p.model_id = m.id and p.created_at >= ${fromMs} and p.created_at < ${toMs}) as updatesInPeriod,
           (select p.id from progress_updates p
             where p.model_id = m.id and p.created_at < ${toMs}
             order by p.created_at desc, p.id desc limit 1) as latestUpdateId
    from models m join fields f on f.id = m.field_id
    where m.year = ${period.year} and m.created_at <= ${asOfMs} and ${unitFilter(sql.raw('m.unit_id'))}`);
  // While the period runs, today's state is the state at its end so far: nothing to replay.
  if (!running) {
    const past = modelStatesAt(db, period.year, unitFilter(sql.raw('m.unit_id')), asOfMs);
    for (const m of models) m.state = past.get(m.id) ?? m.state;
  }
  const deadline = updatesDeadline(db, period);
  const due = now.getTime() >= deadline.at.getTime();

  const latest = latestUpdates(
    db,
    models.map((m) => m.latestUpdateId).filter((id): id is number => id !== null),
  );
  const quotas = new Map(
    db
      .all<{ unitId: number; required: number }>(
        sql`select unit_id as unitId, required from unit_quotas where year = ${period.year} and ${unitFilter(sql.raw('unit_id'))}`,
      )
      .map((q) => [q.unitId, q.required]),
  );
  const fallbackQuota = defaultQuota(db);
  const expected = quotaConcerns(db);

  const byUnit = new Map<number, ReportUnit>();
  for (const u of units) {
    // A unit's own quota row always counts; otherwise only units the registration deadline asks.
    const required = validQuota(quotas.get(u.id)) ?? (expected(u) ? fallbackQuota : 0);
    byUnit.set(u.id, {
      id: u.id,
      name: u.name,
      shortCode: u.shortCode,
      kind: u.kind,
      parentId: u.parentId,
      depth: u.depth,
      byState: zeroStates(),
      models: 0,
      subtreeModels: 0,
      quota: { required, counted: 0, pending: 0, missing: required },
      updatesOwed: null,
      // Filled in once every unit's own figures are known (below).
      subtree: emptySubtree(),
    });
  }

  const unitName = new Map(units.map((u) => [u.id, u.name]));
  const order = new Map(units.map((u, i) => [u.id, i]));
  const reportModels: ReportModel[] = [];
  for (const m of models) {
    const unit = byUnit.get(m.unitId);
    // A model of a unit since deactivated is left out with its unit.
    if (!unit) continue;
    unit.byState[m.state]++;
    unit.models++;
    // The state at `asOf`: a model approved after a closed period's end was still waiting in it.
    if (countsTowardQuota(m.state)) unit.quota.counted++;
    else if (awaitsApproval(m.state)) unit.quota.pending!++;
    // The reminders' rule (db/deadlineProgress.ts), on the state at the period's end.
    if (REPORTING.has(m.state) && m.startDate <= period.to && m.endDate >= period.from) {
      const owes = (unit.updatesOwed ??= { active: 0, missing: 0, waiting: 0 });
      owes.active++;
      if (m.updatesInPeriod === 0) {
        if (due) owes.missing++;
        else owes.waiting!++;
      }
    }
    reportModels.push({
      id: m.id,
      code: m.code,
      name: m.name,
      year: m.year,
      unitId: m.unitId,
      unitName: unitName.get(m.unitId)!,
      kind: m.kind,
      holderType: m.holderType,
      holderName: m.holderName,
      field: m.field,
      state: m.state,
      startDate: m.startDate,
      endDate: m.endDate,
      personInCharge: m.personInCharge,
      // Replicated or commended after the period's end did not happen yet in its report.
      replicatedAt: m.replicatedAt === null || m.replicatedAt > asOfMs ? null : new Date(m.replicatedAt),
      commendedAt: m.commendedAt === null || m.commendedAt > asOfMs ? null : new Date(m.commendedAt),
      updatesInPeriod: m.updatesInPeriod,
      latestUpdate: m.latestUpdateId === null ? null : (latest.get(m.latestUpdateId) ?? null),
    });
  }
  reportModels.sort((a, b) => order.get(a.unitId)! - order.get(b.unitId)! || a.code.localeCompare(b.code));

  const reportUnits = units.map((u) => byUnit.get(u.id)!);
  for (const unit of reportUnits) unit.quota.missing = Math.max(0, unit.quota.required - unit.quota.counted);
  // Children come after their parent, so walking backwards adds each subtree once into its parent.
  for (const unit of reportUnits) unit.subtree = ownFigures(unit);
  for (let i = reportUnits.length - 1; i >= 0; i--) {
    const unit = reportUnits[i]!;
    const parent = unit.parentId === null ? undefined : byUnit.get(unit.parentId);
    if (parent) addInto(parent.subtree, unit.subtree);
  }
  for (const unit of reportUnits) unit.subtreeModels = unit.subtree.models;

  return {
    generatedAt: now,
    period,
    asOf: new Date(Math.min(now.getTime(), toMs)),
    running,
    updatesDue: { day: deadline.due, at: deadline.at, passed: due },
    root: root ? { id: root.id, name: root.name, shortCode: root.shortCode, kind: root.kind } : null,
    totals: totalsOf(db, reportUnits, reportModels),
    units: reportUnits,
    models: reportModels,
  };
}

/** A models row as the query returns it: instants as epoch ms, the latest update as an id. */
type ModelRow = Omit<ReportModel, 'unitName' | 'replicatedAt' | 'commendedAt' | 'latestUpdate'> & {
  replicatedAt: number | null;
  commendedAt: number | null;
  latestUpdateId: number | null;
};

/** A unit as the report places it: tree order, depth below the report's top. */
export interface ScopeUnit {
  id: number;
  name: string;
  shortCode: string;
  kind: UnitKind;
  parentId: number | null;
  /** 0 for the report's top units, 1 for their children… (for indenting). */
  depth: number;
}

/** Active units of the scope in tree order, with their depth below the report's top. */
/**
 * The report's units: active ones, and its root even when stopped — a stopped unit's people may
 * still read what it did (commands/stoppedUnit.ts); a stopped unit below the root is left out.
 */
function scopeUnits(db: Db, scope: ReportScope): ScopeUnit[] {
  const rows =
    scope.rootUnitId === null
      ? db.all<Omit<ScopeUnit, 'depth'>>(sql`select id, name, short_code as shortCode, kind, parent_id as parentId from units where active = 1`)
      : scope.subtree
        ? db.all<Omit<ScopeUnit, 'depth'>>(sql`
            with recursive tree(id) as (
              select id from units where id = ${scope.rootUnitId}
              union
              select u.id from units u join tree t on u.parent_id = t.id where u.active = 1
            )
            -- cross join keeps "tree first, then units by id": with ANALYZE statistics SQLite would
            -- otherwise scan units and probe the tree (a 3 ms query became 0.5 s in the benchmark).
            select u.id, u.name, u.short_code as shortCode, u.kind, u.parent_id as parentId from tree t cross join units u on u.id = t.id`)
        : db.all<Omit<ScopeUnit, 'depth'>>(
            sql`select id, name, short_code as shortCode, kind, parent_id as parentId from units where id = ${scope.rootUnitId}`,
          );

  // A unit whose parent is outside the scope (or inactive) is a top unit of this report.
  const ids = new Set(rows.map((r) => r.id));
  const children = new Map<number | null, Omit<ScopeUnit, 'depth'>[]>();
  for (const row of rows) {
    const parent = row.parentId !== null && ids.has(row.parentId) ? row.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(row);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => byVietnameseName(a, b, (u) => u.id));
  const ordered: ScopeUnit[] = [];
  // Iterative, so a 10-level-deep tree of 10,000 units cannot overflow the stack.
  const stack: { row: Omit<ScopeUnit, 'depth'>; depth: number }[] = (children.get(null) ?? []).map((row) => ({ row, depth: 0 })).reverse();
  while (stack.length > 0) {
    const { row, depth } = stack.pop()!;
    ordered.push({ ...row, depth });
    const kids = children.get(row.id) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ row: kids[i]!, depth: depth + 1 });
  }
  return ordered;
}

/**
 * Whether a unit is expected to register models: the active registration deadlines
 * (done = quota_registered) say which units they concern — the shipped calendar leaves the
 * province out, as it collects rather than registers. Without such a deadline, every unit.
 */
function quotaConcerns(db: Db): (unit: ScopeUnit) => boolean {
  const registrations = activeDeadlines(db).filter((d) => d.done === 'quota_registered');
  if (registrations.length === 0) return () => true;
  const tests = registrations.map((d) => {
    const subtree = d.unitId === null ? null : new Set(subtreeIds(db, [d.unitId]));
    return (unit: ScopeUnit) => (subtree === null || subtree.has(unit.id)) && (!d.unitKinds || d.unitKinds.length === 0 || d.unitKinds.includes(unit.kind));
  });
  return (unit) => tests.some((test) => test(unit));
}

function latestUpdates(db: Db, ids: readonly number[]): Map<number, LatestUpdate> {
  const result = new Map<number, LatestUpdate>();
  // SQLite allows 32,766 bound variables; ids are inlined in chunks instead, all integers.
  for (let i = 0; i < ids.length; i += 5000) {
    const chunk = ids.slice(i, i + 5000);
    const rows = db.all<{ id: number; text: string; percent: number | null; progressState: ProgressState | null; at: number; author: string | null }>(sql`
      select p.id, p.text, p.percent, p.progress_state as progressState, p.created_at as at, pe.display_name as author
      from progress_updates p left join people pe on pe.id = p.author_person_id
      where p.id in ${sql.raw(`(${chunk.map(Number).join(',')})`)}`);
    for (const r of rows) result.set(r.id, { text: r.text, percent: r.percent, progressState: r.progressState, at: new Date(r.at), author: r.author });
  }
  return result;
}

function totalsOf(db: Db, units: readonly ReportUnit[], models: readonly ReportModel[]): ReportTotals {
  const byState = zeroStates();
  const byKind = Object.fromEntries(MODEL_KINDS.map((k) => [k, 0])) as Record<ModelKind, number>;
  const byHolder = Object.fromEntries(HOLDER_TYPES.map((h) => [h, 0])) as Record<HolderType, number>;
  const fieldCounts = new Map<string, number>();
  let replicated = 0;
  let commended = 0;
  let updatesInPeriod = 0;
  for (const m of models) {
    byState[m.state]++;
    byKind[m.kind]++;
    byHolder[m.holderType]++;
    fieldCounts.set(m.field, (fieldCounts.get(m.field) ?? 0) + 1);
    if (m.replicatedAt) replicated++;
    if (m.commendedAt) commended++;
    updatesInPeriod += m.updatesInPeriod;
  }
  const activeFields = db.all<{ label: string }>(sql`select label from fields where active = 1 order by sort_order, id`).map((f) => f.label);
  const byField: FieldCount[] = activeFields.map((label) => ({ label, count: fieldCounts.get(label) ?? 0 }));
  for (const [label, count] of fieldCounts) if (!activeFields.includes(label)) byField.push({ label, count });
  return {
    units: units.length,
    models: models.length,
    byState,
    byKind,
    byHolder,
    byField,
    recognised: byState.recognised,
    replicated,
    commended,
    updatesInPeriod,
    unitsWithoutModels: units.filter((u) => u.quota.required > 0 && u.models === 0).length,
    unitsBelowQuota: units.filter((u) => u.quota.missing > 0).length,
    unitsLate: units.filter((u) => (u.updatesOwed?.missing ?? 0) > 0).length,
    unitsWaiting: units.filter((u) => (u.updatesOwed?.waiting ?? 0) > 0).length,
  };
}

function emptySubtree(): SubtreeFigures {
  return { byState: zeroStates(), models: 0, quota: { required: 0, counted: 0, pending: 0, missing: 0 }, updatesOwed: null, unitsBelowQuota: 0, unitsLate: 0 };
}

/** A unit's own figures in the roll-up's shape: its subtree before any child is added. */
export function ownFigures(unit: Omit<ReportUnit, 'subtree'>): SubtreeFigures {
  return {
    byState: { ...unit.byState },
    models: unit.models,
    quota: { ...unit.quota },
    updatesOwed: unit.updatesOwed ? { ...unit.updatesOwed } : null,
    unitsBelowQuota: unit.quota.missing > 0 ? 1 : 0,
    unitsLate: (unit.updatesOwed?.missing ?? 0) > 0 ? 1 : 0,
  };
}

/** The figures summed (a roll-up over units that do not overlap, such as the top units' subtrees). */
export function sumFigures(figures: readonly SubtreeFigures[]): SubtreeFigures {
  const total = emptySubtree();
  for (const f of figures) addInto(total, f);
  return total;
}

/** Adds a child's subtree figures into its parent's. A quota is summed as it is: a child's shortfall is not covered by its parent's surplus. */
function addInto(into: SubtreeFigures, from: SubtreeFigures): void {
  for (const state of MODEL_STATES) into.byState[state] += from.byState[state];
  into.models += from.models;
  into.quota.required += from.quota.required;
  into.quota.counted += from.quota.counted;
  into.quota.pending = (into.quota.pending ?? 0) + (from.quota.pending ?? 0);
  into.quota.missing += from.quota.missing;
  if (from.updatesOwed) {
    into.updatesOwed ??= { active: 0, missing: 0, waiting: 0 };
    into.updatesOwed.active += from.updatesOwed.active;
    into.updatesOwed.missing += from.updatesOwed.missing;
    into.updatesOwed.waiting = (into.updatesOwed.waiting ?? 0) + (from.updatesOwed.waiting ?? 0);
  }
  into.unitsBelowQuota += from.unitsBelowQuota;
  into.unitsLate += from.unitsLate;
}

function zeroStates(): StateCounts {
  return Object.fromEntries(MODEL_STATES.map((s) => [s, 0])) as StateCounts;
}

function validQuota(value: number | undefined): number | undefined {
  return value !== undefined && Number.isInteger(value) && value >= 0 ? value : undefined;
}
