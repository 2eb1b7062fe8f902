import { eq, sql } from 'drizzle-orm';
import type { Platform } from '../core/chat.js';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { settings } from './schema.js';

/**
 * The platform's own timestamp (ms, real time: never the demo clock) of the newest message the
 * bot handled, kept in `settings` so that after a restart the adapter knows from when to ask the
 * platform for what it missed (Zalo's history). A setting rather than a table of its own: one
 * number per platform, written every few seconds at most.
 */
export function handledUntil(db: Db, platform: Platform): number | undefined {
  const row = prepared(db, prepareRead).get({ key: keyOf(platform) });
  const value = row?.value;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Records `at` as the newest handled message's time (an upsert: one statement, no reads). */
export function saveHandledUntil(db: Db, platform: Platform, at: number, now: Date): void {
  prepared(db, prepareWrite).run({ key: keyOf(platform), value: at, updatedAt: now.getTime() });
}

const keyOf = (platform: Platform) => `inbound.handledUntil.${platform}`;

function prepareRead(db: Db) {
  return db
    .select({ value: settings.value })
    .from(settings)
    .where(eq(settings.key, sql.placeholder('key')))
    .prepare();
}

function prepareWrite(db: Db) {
  return db
    .insert(settings)
    .values({ key: sql.placeholder('key'), value: sql.placeholder('value'), updatedAt: sql.placeholder('updatedAt') })
    .onConflictDoUpdate({ target: settings.key, set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` } })
    .prepare();
}
