import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { inJsonList, prepared } from './prepared.js';
import { units } from './schema.js';

export type UnitRow = typeof units.$inferSelect;

/** Ids of the given units and everything under them (the tree is walked in SQL). */
export function subtreeIds(db: Pick<Db, 'all'>, rootIds: readonly number[]): number[] {
  if (rootIds.length === 0) return [];
  const rows = db.all<{ id: number }>(sql`
    with recursive tree(id) as (
      select id from units where id in ${sql.raw(`(${rootIds.map(Number).join(',')})`)}
      union
      select u.id from units u join tree t on u.parent_id = t.id
    )
    select id from tree`);
  return rows.map((r) => r.id);
}

/** Every active unit. */
export function activeUnits(db: Db): UnitRow[] {
  return db.select().from(units).where(eq(units.active, true)).all();
}

/**
 * The active units among `ids`: a unit officer's scope is one or two units, and reading the
 * whole tree to keep those would cost a province-sized read on every /dangky.
 */
export function activeUnitsAmong(db: Db, ids: ReadonlySet<number>): UnitRow[] {
  if (ids.size === 0) return [];
  return prepared(db, prepareActiveAmong).all({ ids: JSON.stringify([...ids]) });
}

function prepareActiveAmong(db: Pick<Db, 'select'>) {
  return db
    .select()
    .from(units)
    .where(and(eq(units.active, true), inJsonList(units.id, 'ids')))
    .orderBy(asc(units.id))
    .prepare();
}

/** The unit and its ancestors, nearest first. */
export function ancestorIds(db: Pick<Db, 'all'>, unitId: number): number[] {
  const rows = db.all<{ id: number }>(sql`
    with recursive up(id, parent_id, depth) as (
      select id, parent_id, 0 from units where id = ${unitId}
      union all
      select u.id, u.parent_id, up.depth + 1 from units u join up on u.id = up.parent_id
    )
    select id from up order by depth`);
  return rows.map((r) => r.id);
}

export function unitById(db: Pick<Db, 'select'>, id: number): UnitRow | undefined {
  return prepared(db, prepareUnitById).get({ id });
}

function prepareUnitById(db: Pick<Db, 'select'>) {
  return db
    .select()
    .from(units)
    .where(eq(units.id, sql.placeholder('id')))
    .prepare();
}
