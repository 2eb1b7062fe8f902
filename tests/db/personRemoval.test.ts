import { readFileSync } from 'node:fs';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { yearPeriod } from '../../core/period.js';
import { CLI_ACTOR } from '../../db/bootstrap.js';
import type { Db } from '../../db/client.js';
import { resolveCaller } from '../../db/people.js';
import { PersonRemovalRefused, type RemovalRefusalReason, removedPersonName, removePerson } from '../../db/personRemoval.js';
import { reportData } from '../../db/reportData.js';
import { grantRole, revokeRole } from '../../db/roles.js';
import { auditLog, chatMembers, chats, conversations, identities, linkCodes, models, people, progressUpdates, reminderOutbox, roles } from '../../db/schema.js';
import { emptyPerTest, type Harness } from '../helpers/harness.js';
import { buildDeployment, everyRowText, TELEGRAM_LEAVER, traces } from '../helpers/leaver.js';
import { auditsOf } from '../helpers/rows.js';

const NOW = '2026-06-15T09:00:00+07:00';
const empty = emptyPerTest({ now: NOW });

let h: Harness;

const adminActor = (id: number) => ({ personId: id, label: 'Trần Thị Bích (console:Trần Thị Bích)' });

/** The report of the year for the whole deployment, with the one thing removal may change (the update author's name) left out. */
function yearReport(db: Db, now: Date) {
  const data = reportData(db, { rootUnitId: null, subtree: true }, yearPeriod(2026), now);
  return { ...data, models: data.models.map((m) => ({ ...m, latestUpdate: m.latestUpdate && { ...m.latestUpdate, author: null } })) };
}

/** Every row of every table: what a refusal must leave as it was. */
function everything(h: Harness): string {
  return everyRowText(h.core.database.sqlite);
}

function refusal(fn: () => unknown): RemovalRefusalReason {
  try {
    fn();
  } catch (error) {
    if (error instanceof PersonRemovalRefused) return error.reason;
    throw error;
  }
  throw new Error('not refused');
}

describe('removePerson', () => {
  it('deletes what identifies the person, keeps their models and updates under the unit, and reports count the same', async () => {
    h = await empty();
    const now = h.clock.now();
    const d = buildDeployment(h.db, now);
    const label = removedPersonName(d.leaverId);
    expect(label).toBe(`người đã xóa #${d.leaverId}`);
    const reportBefore = yearReport(h.db, now);
    expect(reportBefore.totals.models).toBe(2);
    const authorNow = () => reportData(h.db, { rootUnitId: null, subtree: true }, yearPeriod(2026), now).models[0]!.latestUpdate?.author;
    expect(authorNow()).toBe('Phạm Thị Thu Hằng');
    // Before, her traces are all over the database: the checks below can fail.
    const before = everything(h);
    for (const trace of traces(TELEGRAM_LEAVER)) expect(before).toContain(trace);

    const result = removePerson(h.db, d.leaverId, adminActor(d.adminId), now, 'Theo đề nghị của Phạm Thị Thu Hằng, đã nghỉ hưu');
    expect(result).toEqual({ personId: d.leaverId, modelsKept: 2, updatesKept: 1 });

    expect(h.db.select().from(people).where(eq(people.id, d.leaverId)).get()).toMatchObject({
      displayName: label,
      unitId: null,
      position: null,
      removedAt: now.getTime(),
    });
    expect(h.db.select().from(identities).where(eq(identities.personId, d.leaverId)).all()).toEqual([]);
    expect(h.db.select().from(roles).where(eq(roles.personId, d.leaverId)).all()).toEqual([]);
    expect(h.db.select().from(chatMembers).where(eq(chatMembers.personId, d.leaverId)).all()).toEqual([]);
    expect(h.db.select().from(chats).where(eq(chats.kind, 'private')).all()).toEqual([]);
    expect(h.db.select().from(conversations).all()).toEqual([]);
    expect(h.db.select().from(linkCodes).all()).toEqual([]);
    expect([...auditsOf(h.db, 'unit.join_failed'), ...auditsOf(h.db, 'person.link_failed')]).toEqual([]);

    // Kept, still theirs: the models, the update, who registered them.
    expect(h.db.select({ id: models.id, createdBy: models.createdBy }).from(models).orderBy(asc(models.id)).all()).toEqual(
      d.modelIds.map((id) => ({ id, createdBy: d.leaverId })),
    );
    expect(h.db.select({ author: progressUpdates.authorPersonId }).from(progressUpdates).all()).toEqual([{ author: d.leaverId }]);
    const reportAfter = yearReport(h.db, now);
    expect(reportAfter).toEqual(reportBefore);
    expect(authorNow()).toBe(label);

    // One audit row says it, with the reason and no name.
    expect(auditsOf(h.db, 'person.remove')).toEqual([
      expect.objectContaining({
        actorPersonId: d.adminId,
        entity: 'person',
        entityId: String(d.leaverId),
        after: { reason: `Theo đề nghị của ${label}, đã nghỉ hưu` },
      }),
    ]);
    // Her rows in the trail read as the label.
    const hers = h.db.select().from(auditLog).where(eq(auditLog.actorPersonId, d.leaverId)).all();
    expect(hers.map((r) => r.action).sort()).toEqual(
      ['model.register', 'model.register', 'person.first_contact', 'person.first_contact', 'person.link', 'person.link_code', 'update.add'].sort(),
    );
    for (const row of hers) expect(row.actorLabel).toBe(label);
    // Both accounts' first contacts (the merged one's was moved to her), without name or id.
    expect(hers.filter((r) => r.action === 'person.first_contact').map((r) => r.after)).toEqual([
      { displayName: label, platform: 'telegram', platformUserId: null },
      { displayName: label, platform: 'zalo', platformUserId: null },
    ]);

    // The reminder that went out keeps its words, without her.
    expect(h.db.select({ payload: reminderOutbox.payload }).from(reminderOutbox).get()!.payload.parts).toEqual([
      label,
      `, đồng chí ${label} nhắc: hạn nộp báo cáo tháng là 25/5.`,
    ]);

    // Nowhere in any table any more: her names, username, platform ids.
    const after = everything(h);
    for (const trace of traces(TELEGRAM_LEAVER)) expect(after, trace).not.toContain(trace);
  });

  it('leaves none of it in the database file itself once the log is folded in', async () => {
    h = await empty();
    const now = h.clock.now();
    const d = buildDeployment(h.db, now);
    const file = () => {
      h.core.database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      return readFileSync(h.dbPath);
    };
    // Not the merged account's name: merging deleted that person's row long before, without
    // overwriting it, and what SQLite freed then is not this removal's to clear (a VACUUM does).
    const strings = traces(TELEGRAM_LEAVER).filter((t) => t !== TELEGRAM_LEAVER.other.displayName);
    const bytesBefore = file();
    for (const trace of strings) expect(bytesBefore.includes(Buffer.from(trace, 'utf8')), trace).toBe(true);

    removePerson(h.db, d.leaverId, adminActor(d.adminId), now, null);
    const bytesAfter = file();
    // SQLite keeps deleted text in free pages unless told to overwrite it (secure_delete).
    for (const trace of strings) expect(bytesAfter.includes(Buffer.from(trace, 'utf8')), trace).toBe(false);
    // The connection's own setting (db/client.ts: FAST) comes back once the removal is done.
    expect(h.core.database.sqlite.pragma('secure_delete', { simple: true })).toBe(2);
  });

  it('makes whoever writes from the old account again a new person, with no role', async () => {
    h = await empty();
    const now = h.clock.now();
    const d = buildDeployment(h.db, now);
    removePerson(h.db, d.leaverId, adminActor(d.adminId), now, null);

    const back = resolveCaller(h.db, 'telegram', TELEGRAM_LEAVER.main, new Date(now.getTime() + 60_000));
    expect(back.personId).not.toBe(d.leaverId);
    expect(back.grants).toEqual([]);
    expect(back.unitId).toBeNull();
    expect(h.db.select().from(people).where(eq(people.id, d.leaverId)).get()!.displayName).toBe(removedPersonName(d.leaverId));
    // The models stay with the removed row, not with the newcomer.
    expect(h.db.select().from(models).where(eq(models.createdBy, back.personId)).all()).toEqual([]);
  });

  it('refuses an unknown or removed person, the actor themself and the last admin, changing nothing', async () => {
    h = await empty();
    const now = h.clock.now();
    const d = buildDeployment(h.db, now);
    const start = everything(h);

    expect(refusal(() => removePerson(h.db, 9999, adminActor(d.adminId), now, null))).toBe('unknown');
    expect(refusal(() => removePerson(h.db, d.adminId, adminActor(d.adminId), now, null))).toBe('self');
    expect(everything(h)).toBe(start);

    // Hằng the only admin left: the operator cannot remove her.
    h.db.transaction((tx) => grantRole(tx, { personId: d.leaverId, role: 'admin', unitId: null }, CLI_ACTOR, now));
    h.db.transaction((tx) => revokeRole(tx, { personId: d.adminId, role: 'admin', unitId: null }, CLI_ACTOR, now));
    const onlyAdmin = everything(h);
    try {
      removePerson(h.db, d.leaverId, CLI_ACTOR, now, null);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PersonRemovalRefused);
      expect((error as PersonRemovalRefused).reason).toBe('last_admin');
      expect((error as Error).message).toBe(
        `#${d.leaverId} Phạm Thị Thu Hằng là quản trị cuối cùng nên chưa xóa được: hãy cấp quyền quản trị cho người khác trước. Không có gì thay đổi.`,
      );
    }
    expect(everything(h)).toBe(onlyAdmin);

    // Another admin again: she can go, once.
    h.db.transaction((tx) => grantRole(tx, { personId: d.adminId, role: 'admin', unitId: null }, CLI_ACTOR, now));
    removePerson(h.db, d.leaverId, CLI_ACTOR, now, null);
    const removed = everything(h);
    expect(refusal(() => removePerson(h.db, d.leaverId, adminActor(d.adminId), now, null))).toBe('already_removed');
    expect(everything(h)).toBe(removed);
    expect(auditsOf(h.db, 'person.remove')).toHaveLength(1);
  });
});
