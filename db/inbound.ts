import { lt, sql } from 'drizzle-orm';
import type { Platform } from '../core/chat.js';
import type { Db } from './client.js';
import { prepared } from './prepared.js';
import { processedInbound } from './schema.js';

/**
 * Whether this is the first time the platform delivered this update (Telegram update_id, Zalo
 * msgId): the insert is the check, so two racing deliveries cannot both pass.
 */
export function firstDelivery(db: Db, platform: Platform, key: string, now: Date): boolean {
  return prepared(db, prepareInsert).run({ platform, key, at: now.getTime() }).changes > 0;
}

/** Every update passes here. */
function prepareInsert(db: Db) {
  return db
    .insert(processedInbound)
    .values({ platform: sql.placeholder('platform'), key: sql.placeholder('key'), at: sql.placeholder('at') })
    .onConflictDoNothing()
    .prepare();
}

/** Forgets deliveries older than the platforms ever redeliver (days, not weeks). */
export function forgetDeliveries(db: Db, before: Date): number {
  return db.delete(processedInbound).where(lt(processedInbound.at, before.getTime())).run().changes;
}
