import { lt, sql } from 'drizzle-orm';
import type { Platform } from '../bot/chat.js';
import type { Db } from './client.js';
import { processedInbound } from './schema.js';

/**
 * Whether this is the first time the platform delivered this update (Telegram update_id, Zalo
 * msgId): the insert is the check, so two racing deliveries cannot both pass.
 */
export function firstDelivery(db: Db, platform: Platform, key: string, now: Date): boolean {
  let insert = inserts.get(db);
  if (!insert) inserts.set(db, (insert = prepareInsert(db)));
  return insert.run({ platform, key, at: now.getTime() }).changes > 0;
}

/** Every update passes here: the insert is built once per connection. */
function prepareInsert(db: Db) {
  return db
    .insert(processedInbound)
    .values({ platform: sql.placeholder('platform'), key: sql.placeholder('key'), at: sql.placeholder('at') })
    .onConflictDoNothing()
    .prepare();
}

const inserts = new WeakMap<Db, ReturnType<typeof prepareInsert>>();

/** Forgets deliveries older than the platforms ever redeliver (days, not weeks). */
export function forgetDeliveries(db: Db, before: Date): number {
  return db.delete(processedInbound).where(lt(processedInbound.at, before.getTime())).run().changes;
}
