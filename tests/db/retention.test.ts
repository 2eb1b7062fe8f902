import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { recordAudit } from '../../db/audit.js';
import { CLI_ACTOR } from '../../db/bootstrap.js';
import { removedPersonName } from '../../db/personRemoval.js';
import { peopleDueForRemoval, retentionCutoff } from '../../db/retention.js';
import { grantRole, revokeRole } from '../../db/roles.js';
import { identities, people } from '../../db/schema.js';
import { createUnit } from '../../db/unitAdmin.js';
import { RETENTION_REASON, retentionJob } from '../../scheduler/retentionJob.js';
import { emptyPerTest, type Harness } from '../helpers/harness.js';
import { capturingLogger } from '../helpers/logs.js';
import { auditsOf } from '../helpers/rows.js';

const NOW = '2027-03-10T09:00:00+07:00';
const empty = emptyPerTest({ now: NOW });
let h: Harness;

const at = (iso: string) => new Date(iso);

/** Someone the bot last saw at `seen` on Telegram, whose record last changed long before. */
function personSeen(name: string, seen: string): number {
  const ms = at(seen).getTime();
  const created = at('2024-12-01T08:00:00+07:00').getTime();
  const person = h.db.insert(people).values({ displayName: name, createdAt: created, updatedAt: created }).returning().get();
  h.db
    .insert(identities)
    .values({ personId: person.id, platform: 'telegram', platformUserId: `tg-${person.id}`, displayName: name, lastSeenAt: ms })
    .run();
  return person.id;
}

describe('retentionCutoff', () => {
  it('is the start of the Vietnamese day N calendar months before, the 31st going back to a shorter month’s end', () => {
    expect(retentionCutoff(at('2027-03-10T09:00:00+07:00'), 12)).toEqual(at('2026-03-10T00:00:00+07:00'));
    // 01:30 in Vietnam is still the previous day in UTC: the day counted is Vietnam's.
    expect(retentionCutoff(at('2027-03-10T01:30:00+07:00'), 12)).toEqual(at('2026-03-10T00:00:00+07:00'));
    expect(retentionCutoff(at('2027-03-31T12:00:00+07:00'), 1)).toEqual(at('2027-02-28T00:00:00+07:00'));
    expect(retentionCutoff(at('2028-03-31T12:00:00+07:00'), 1)).toEqual(at('2028-02-29T00:00:00+07:00'));
    expect(retentionCutoff(at('2027-01-15T12:00:00+07:00'), 13)).toEqual(at('2025-12-15T00:00:00+07:00'));
  });
});

describe('peopleDueForRemoval', () => {
  it('lists those with no unit and no role whose last sign of life is older than N months; the day exactly N months ago is kept', async () => {
    h = await empty();
    const now = h.clock.now();
    const unit = createUnit(h.db, { name: 'Xã Cẩm Bình', shortCode: 'CAMBINH', kind: 'commune', parentId: null }, CLI_ACTOR, at('2025-01-01T08:00:00+07:00'));

    const thirteen = personSeen('Mười ba tháng', '2026-02-10T10:00:00+07:00');
    personSeen('Mười một tháng', '2026-04-10T10:00:00+07:00');
    const leader = personSeen('Còn vai trò', '2026-02-10T10:00:00+07:00');
    h.db.transaction((tx) => grantRole(tx, { personId: leader, role: 'leader', unitId: null }, CLI_ACTOR, at('2026-02-10T10:00:00+07:00')));
    const member = personSeen('Còn đơn vị', '2026-02-10T10:00:00+07:00');
    h.db.update(people).set({ unitId: unit.id }).where(eq(people.id, member)).run();
    // The boundary: seen at the very start of the day twelve months ago is kept; the minute before is not.
    const twelve = personSeen('Đúng mười hai tháng', '2026-03-10T00:00:00+07:00');
    const justBefore = personSeen('Trước đó một phút', '2026-03-09T23:59:00+07:00');
    // Wrote something lately (an audit row as actor), though their account was last refreshed long ago.
    const wrote = personSeen('Mới thao tác', '2026-01-05T10:00:00+07:00');
    recordAudit(h.db, { personId: wrote, label: 'x' }, at('2026-11-20T10:00:00+07:00'), { action: 'unit.join_failed', entity: 'person', entityId: wrote });
    // Left their unit (their record changed) two months ago.
    const left = personSeen('Mới rời đơn vị', '2025-09-01T10:00:00+07:00');
    h.db
      .update(people)
      .set({ updatedAt: at('2027-01-05T10:00:00+07:00').getTime() })
      .where(eq(people.id, left))
      .run();
    // Lost their last role three months ago: the period counts from then.
    const revoked = personSeen('Mới bị thu hồi quyền', '2025-06-01T10:00:00+07:00');
    h.db.transaction((tx) => grantRole(tx, { personId: revoked, role: 'leader', unitId: null }, CLI_ACTOR, at('2025-06-01T10:00:00+07:00')));
    h.db.transaction((tx) => revokeRole(tx, { personId: revoked, role: 'leader', unitId: null }, CLI_ACTOR, at('2026-12-01T10:00:00+07:00')));
    // Already removed: never again.
    const gone = personSeen('Đã xóa', '2025-01-01T10:00:00+07:00');
    h.db
      .update(people)
      .set({ removedAt: at('2025-06-01T10:00:00+07:00').getTime() })
      .where(eq(people.id, gone))
      .run();

    expect(peopleDueForRemoval(h.db, now, 12)).toEqual([thirteen, justBefore]);
    // A longer period keeps them all; with eleven months, the day twelve months ago is past too.
    expect(peopleDueForRemoval(h.db, now, 24)).toEqual([]);
    expect(peopleDueForRemoval(h.db, now, 11)).toEqual([thirteen, twelve, justBefore]);
  });
});

describe('retentionJob', () => {
  it('removes the people due once a day from 03:00, with the reason, logging ids and counts only', async () => {
    h = await empty({ now: '2027-03-10T02:59:00+07:00' });
    const due = personSeen('Người đã nghỉ', '2026-01-10T10:00:00+07:00');
    const kept = personSeen('Người vẫn dùng', '2026-12-10T10:00:00+07:00');
    const { log, lines } = capturingLogger();
    const job = retentionJob({ db: h.db, months: 12, log });

    await job.run(h.clock.now());
    expect(auditsOf(h.db, 'person.remove')).toEqual([]);

    await job.run(at('2027-03-10T03:00:00+07:00'));
    expect(h.db.select().from(people).where(eq(people.id, due)).get()).toMatchObject({
      displayName: removedPersonName(due),
      removedAt: at('2027-03-10T03:00:00+07:00').getTime(),
    });
    expect(h.db.select().from(identities).where(eq(identities.personId, due)).all()).toEqual([]);
    expect(h.db.select().from(people).where(eq(people.id, kept)).get()!.removedAt).toBeNull();
    expect(auditsOf(h.db, 'person.remove')).toEqual([
      expect.objectContaining({ actorPersonId: null, actorLabel: 'system', entityId: String(due), after: { reason: RETENTION_REASON } }),
    ]);
    expect(RETENTION_REASON).toBe('hết thời hạn lưu trữ');
    expect(lines).toEqual([expect.objectContaining({ msg: 'retention: people who left removed', removed: 1, personIds: [due], months: 12 })]);
    expect(JSON.stringify(lines)).not.toContain('Người đã nghỉ');

    // Later the same day: nothing more; the next day it looks again.
    const another = personSeen('Người nghỉ sau', '2026-03-10T10:00:00+07:00');
    await job.run(at('2027-03-10T15:00:00+07:00'));
    expect(h.db.select().from(people).where(eq(people.id, another)).get()!.removedAt).toBeNull();
    await job.run(at('2027-03-11T03:00:00+07:00'));
    expect(h.db.select().from(people).where(eq(people.id, another)).get()!.removedAt).not.toBeNull();
    expect(auditsOf(h.db, 'person.remove')).toHaveLength(2);
  });

  it('takes a backlog a batch a minute until nobody is left', async () => {
    h = await empty();
    const ids = [1, 2, 3].map((n) => personSeen(`Người nghỉ ${n}`, '2025-01-10T10:00:00+07:00'));
    const { log, lines } = capturingLogger();
    const job = retentionJob({ db: h.db, months: 12, log, batch: 2 });
    await job.run(at('2027-03-10T03:00:00+07:00'));
    await job.run(at('2027-03-10T03:01:00+07:00'));
    await job.run(at('2027-03-10T03:02:00+07:00'));
    expect(lines.map((l) => l.personIds)).toEqual([ids.slice(0, 2), ids.slice(2)]);
    expect(auditsOf(h.db, 'person.remove').map((a) => Number(a.entityId))).toEqual(ids);
  });
});
