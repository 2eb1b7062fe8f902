import { sql } from 'drizzle-orm';
import type { Db } from './client.js';
import type { ReportScope } from './reportData.js';

/**
 * How heavy a report is, before it is made: the rows its spreadsheet will hold (the scope's units,
 * as reportData takes them, plus the year's models of those units). Making the files costs about that many rows of
 * work in every renderer (the spreadsheet lists each unit and model; the Word tables and the chart
 * are built from the same lists), so this one number says whether making them takes the report
 * thread a fraction of a second or several seconds (reports/reportQueue.ts).
 *
 * Counting stops at `upTo`: past the threshold the exact figure says nothing more, and the whole
 * country (40,000 rows) would otherwise be counted on the bot's thread at every national request.
 * The result is then `upTo`. Counting queries only, no rows read.
 */
export function reportWeight(db: Pick<Db, 'get'>, scope: ReportScope, year: number, upTo: number = Number.MAX_SAFE_INTEGER): number {
  const cap = Math.max(1, Math.min(Math.floor(upTo), Number.MAX_SAFE_INTEGER));
  const counts =
    scope.rootUnitId === null
      ? db.get<{ units: number; models: number }>(sql`
          select (select count(*) from (select 1 from units where active = 1 limit ${cap})) as units,
                 (select count(*) from (select 1 from models m join units u on u.id = m.unit_id
                                        where u.active = 1 and m.year = ${year} limit ${cap})) as models`)
      : scope.subtree
        ? db.get<{ units: number; models: number }>(sql`
            with recursive tree(id) as (
              -- As reportData: the root even when stopped, the stopped units below it left out.
              select id from units where id = ${scope.rootUnitId}
              union
              select u.id from units u join tree t on u.parent_id = t.id where u.active = 1
              -- The walk itself stops there: a province is not walked to its last commune.
              limit ${cap}
            )
            select (select count(*) from tree) as units,
                   (select count(*) from (select 1 from tree t cross join models m on m.unit_id = t.id
                                          where m.year = ${year} limit ${cap})) as models`)
        : db.get<{ units: number; models: number }>(sql`
            select (select count(*) from units where id = ${scope.rootUnitId}) as units,
                   (select count(*) from models where unit_id = ${scope.rootUnitId} and year = ${year}) as models`);
  return Math.min(cap, (counts?.units ?? 0) + (counts?.models ?? 0));
}
