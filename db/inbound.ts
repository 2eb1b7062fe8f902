import { lt } from 'drizzle-orm';
import type { Platform } from '../bot/chat.js';
import type { Db } from './client.js';
import { processedInbound } from './schema.js';

/**
 * Whether this is the first time the platform delivered this update (Telegram update_id, Zalo
 * msgId): the insert is the check, so two racing deliveries cannot both pass.
 */
export function firstDelivery(db: Db, platform: Platform, key: string, now: Date): boolean {
  const inserted = db.insert(processedInbound).values({ platform, key, at: now.getTime() }).onConflictDoNothing().run();
  return inserted.changes > 0;
}

/** Forgets deliveries older than the platforms ever redeliver (days, not weeks). */
export function forgetDeliveries(db: Db, before: Date): number {
  return db.delete(processedInbound).where(lt(processedInbound.at, before.getTime())).run().changes;
}
