import { asc, eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { fields } from './schema.js';

export type FieldRow = typeof fields.$inferSelect;

/** The fields (lĩnh vực) a model can be registered under, in the order the plans list them. */
export function activeFields(db: Pick<Db, 'select'>): FieldRow[] {
  return prepared(db, prepareActive).all();
}

/** /dangky shows them at its field question, and checks the answer against them. */
function prepareActive(db: Pick<Db, 'select'>) {
  return db.select().from(fields).where(eq(fields.active, true)).orderBy(asc(fields.sortOrder), asc(fields.id)).prepare();
}
