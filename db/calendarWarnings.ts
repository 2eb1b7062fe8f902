import { eq } from 'drizzle-orm';
import type { IsoDay } from '../core/calendar.js';
import type { Db } from './client.js';
import { settings } from './schema.js';

/**
 * When the admins were last told that a year's Tết break is missing from the calendar file
 * (scheduler/tetBreakWarning.ts): kept in `settings`, so a restart does not tell them again the
 * same week.
 */
const keyOf = (year: number) => `calendar.tetBreakWarning.${year}`;

export function lastTetBreakWarning(db: Db, year: number): IsoDay | undefined {
  const value = db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, keyOf(year)))
    .get()?.value;
  return typeof value === 'string' ? (value as IsoDay) : undefined;
}

export function recordTetBreakWarning(db: Db, year: number, day: IsoDay, now: Date): void {
  db.insert(settings)
    .values({ key: keyOf(year), value: day, updatedAt: now.getTime() })
    .onConflictDoUpdate({ target: settings.key, set: { value: day, updatedAt: now.getTime() } })
    .run();
}
