import { sql } from 'drizzle-orm';
import type { Db } from './client.js';
import type { ReportData } from './reportData.js';

/**
 * The texts of a report's models that only the spreadsheet shows: content and goal, expected
 * result, and why a model was returned or not recognised. Kept out of ReportData on purpose: on a
 * national report these texts were some 20 MB of the report thread's memory (bench/heavyReport.ts),
 * which the chat summary, the Word file and the charts never read. The report job reads them only
 * when an xlsx is asked for, in the same snapshot as the data (reports/reportJob.ts).
 */

/** States a model can be sent back to with a reason. */
export type VerdictState = 'returned' | 'not_recognised';

export interface ModelVerdict {
  state: VerdictState;
  /** Null when none was written. */
  reason: string | null;
  at: Date;
}

export interface ModelDetail {
  content: string;
  expectedResult: string | null;
  /** The latest return or refusal up to the report's instant; null when there was none. */
  verdict: ModelVerdict | null;
}

/** By model id. */
export type ModelDetails = ReadonlyMap<number, ModelDetail>;

/** SQLite allows 32,766 bound variables; ids are inlined in chunks instead, all integers. */
const CHUNK = 5000;

export function reportModelDetails(db: Db, data: Pick<ReportData, 'models' | 'asOf' | 'running'>): Map<number, ModelDetail> {
  // A period that has ended is reported up to its end (exclusive, as its updates are); one still
  // running up to the instant it was asked, that instant included.
  const until = data.running ? data.asOf.getTime() + 1 : data.asOf.getTime();
  const result = new Map<number, ModelDetail>();
  for (let i = 0; i < data.models.length; i += CHUNK) {
    const ids = data.models.slice(i, i + CHUNK).map((m) => Number(m.id));
    const rows = db.all<{
      id: number;
      content: string;
      expectedResult: string | null;
      verdictState: VerdictState | null;
      reason: string | null;
      verdictAt: number | null;
    }>(sql`
      select m.id, m.content, m.expected_result as expectedResult,
             h.to_state as verdictState, h.reason, h.at as verdictAt
      from models m
      left join model_state_history h on h.id = (
        select h2.id from model_state_history h2
        where h2.model_id = m.id and h2.to_state in ('returned', 'not_recognised') and h2.at < ${until}
        order by h2.at desc, h2.id desc limit 1)
      where m.id in ${sql.raw(`(${ids.join(',')})`)}`);
    for (const r of rows) {
      result.set(r.id, {
        content: r.content,
        expectedResult: r.expectedResult,
        verdict: r.verdictState === null ? null : { state: r.verdictState, reason: r.reason, at: new Date(r.verdictAt!) },
      });
    }
  }
  return result;
}
