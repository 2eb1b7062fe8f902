import { sql } from 'drizzle-orm';
import { vnInstant } from '../core/calendar.js';
import { isoDay, vnParts } from '../core/clock.js';
import type { Db } from './client.js';

/**
 * Who has left and is kept no longer (Law 91/2025: personal data only as long as it serves;
 * DVK_RETENTION_MONTHS). A person has left when they hold no role, belong to no unit and were not
 * removed already. They are due for removal once their last sign of life is older than the
 * period. Their last sign of life is the latest of:
 * - any of their accounts last seen by the bot (identities.last_seen_at), and where they were
 *   seen in a chat (chat_members.last_seen_at);
 * - their record last changed (people.updated_at: created, joined or left a unit, merged);
 * - the latest audit row they wrote (a guess at a code, a model, a role they gave) or that is
 *   about them (a role taken back): the period counts from when they left, not from when they
 *   last wrote, so an admin who takes back someone's last role has the whole period to undo it.
 */

/**
 * The start (00:00 in Vietnam) of the calendar day `months` months before `now`'s day; the 31st
 * goes back to the last day of a shorter month (31/3 − 1 month = 28/2 or 29/2).
 */
export function retentionCutoff(now: Date, months: number): Date {
  const { year, month, day } = vnParts(now);
  const index = year * 12 + (month - 1) - months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return vnInstant(isoDay(y, m, Math.min(day, last)), '00:00');
}

/**
 * The ids of people due for removal at `now`, lowest first. Boundary: someone last seen on the day
 * exactly `months` months ago (at any hour) is kept that day and due from the next one: "older than
 * N months" counts whole calendar days in Vietnam.
 */
export function peopleDueForRemoval(db: Pick<Db, 'all'>, now: Date, months: number): number[] {
  const cutoff = retentionCutoff(now, months).getTime();
  // The audit log has no index by actor: who wrote or was named in it since the cutoff is read
  // once (a pass over its recent rows by time), not once per person.
  const rows = db.all<{ id: number }>(sql`
    select p.id from people p
     where p.removed_at is null
       and p.unit_id is null
       and p.updated_at < ${cutoff}
       and not exists (select 1 from roles r where r.person_id = p.id)
       and not exists (select 1 from identities i where i.person_id = p.id and i.last_seen_at >= ${cutoff})
       and not exists (select 1 from chat_members m where m.person_id = p.id and m.last_seen_at >= ${cutoff})
       and cast(p.id as text) not in (select a.entity_id from audit_log a where a.at >= ${cutoff} and a.entity = 'person' and a.entity_id is not null)
       and p.id not in (select a.actor_person_id from audit_log a where a.at >= ${cutoff} and a.actor_person_id is not null)
     order by p.id`);
  return rows.map((r) => r.id);
}
