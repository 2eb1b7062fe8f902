import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from './client.js';
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

/** The active units a scope covers: `null` roots means the whole deployment. */
export function unitsInScope(db: Db, rootIds: readonly number[] | null): UnitRow[] {
  if (rootIds === null) return db.select().from(units).where(eq(units.active, true)).all();
  const ids = subtreeIds(db, rootIds);
  if (ids.length === 0) return [];
  return db
    .select()
    .from(units)
    .where(sql`${inArray(units.id, ids)} and ${units.active} = 1`)
    .all();
}

export function unitById(db: Pick<Db, 'select'>, id: number): UnitRow | undefined {
  return db.select().from(units).where(eq(units.id, id)).get();
}
