import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../db/audit.js';
import { modelsAwaiting } from '../../db/modelQueries.js';
import { applyModelEvent, type ModelRow, modelById, registerModel } from '../../db/models.js';
import { lastActOf, UNDO_WINDOW_MS, undoDecision } from '../../db/modelUndo.js';
import { models } from '../../db/schema.js';
import { demoDatabasePerTest } from '../helpers/harness.js';
import { newModel, personIdOf, unitOf } from '../helpers/rows.js';

/**
 * What /hoantac reads and writes, below the command: the person's last act, found in the audit
 * log; the model put back only if nothing touched it since. And the list a number picks from.
 */

const NOW = new Date('2026-11-21T09:00:00+07:00');
const app = demoDatabasePerTest(NOW);
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

function leader(): Actor {
  return { personId: personIdOf(app().db, 'Trần Văn Bình'), label: 'Trần Văn Bình' };
}

function pending(name: string, when: Date, actor: Actor = { personId: null, label: 'cli' }): ModelRow {
  const { db } = app();
  return db.transaction((tx) => registerModel(tx, newModel(db, unitOf(db, 'CAMBINH').id, name), actor, when));
}

describe('lastActOf and undoDecision', () => {
  it('find the person’s last decision and put the model back as it was before it', () => {
    const { db } = app();
    const model = pending('Mô hình thử hoàn tác', NOW);
    const approved = db.transaction((tx) => applyModelEvent(tx, model, 'approve', null, leader(), at(1)));
    const last = lastActOf(db, leader().personId!, at(2));
    expect(last).toMatchObject({ kind: 'decision', decision: { event: 'approve', modelId: model.id, at: at(1).getTime() } });
    if (last?.kind !== 'decision') throw new Error('no decision');
    expect(last.decision.after).toMatchObject({ state: 'in_progress', updatedAt: approved.updatedAt });

    const undone = db.transaction((tx) => undoDecision(tx, last.decision, 'Hoàn tác việc duyệt', leader(), at(2)));
    expect(undone).toMatchObject({ model: { state: 'pending' } });
    expect(lastActOf(db, leader().personId!, at(3))).toMatchObject({ kind: 'undone', undoneAt: at(2).getTime(), decision: { auditId: last.decision.auditId } });
  });

  it('refuse a model touched after the decision, even without a state change', () => {
    const { db } = app();
    const model = pending('Mô hình sửa sau khi duyệt', NOW);
    db.transaction((tx) => applyModelEvent(tx, model, 'approve', null, leader(), at(1)));
    // An edit of the model (as /suamohinh will make) moves its updatedAt alone.
    db.update(models)
      .set({ updatedAt: at(2).getTime() })
      .where(eq(models.id, model.id))
      .run();
    const last = lastActOf(db, leader().personId!, at(3));
    if (last?.kind !== 'decision') throw new Error('no decision');
    expect(db.transaction((tx) => undoDecision(tx, last.decision, 'Hoàn tác việc duyệt', leader(), at(3)))).toEqual({ why: 'changed', since: undefined });
    expect(modelById(db, model.id)!.state).toBe('in_progress');
  });

  it('look back a day at most: an older decision is none (the window itself is the command’s)', () => {
    const { db } = app();
    const model = pending('Mô hình duyệt hôm trước', NOW);
    db.transaction((tx) => applyModelEvent(tx, model, 'approve', null, leader(), at(1)));
    expect(lastActOf(db, leader().personId!, at(1 + UNDO_WINDOW_MS / 60_000 + 1))).toMatchObject({ kind: 'decision' });
    expect(lastActOf(db, leader().personId!, at(1 + 24 * 60 + 1))).toBeUndefined();
  });
});

describe('modelsAwaiting', () => {
  it('lists a model registered by nobody (the CLI) even when leaving out the person’s own work, oldest wait first', () => {
    const { db } = app();
    const later = pending('Gửi sau', at(30));
    const earlier = pending('Gửi trước', at(10));
    const scope = { all: true, unitIds: new Set<number>() };
    const { items, total, leftOut } = modelsAwaiting(db, scope, { states: ['pending'] }, 20, { personId: leader().personId!, officerUnitIds: [] });
    const codes = items.map((i) => i.model.code);
    expect(codes.indexOf(earlier.code)).toBeGreaterThanOrEqual(0);
    expect(codes.indexOf(earlier.code)).toBeLessThan(codes.indexOf(later.code));
    expect(items.find((i) => i.model.id === later.id)?.waitingSince).toBe(at(30).getTime());
    expect(total).toBe(items.length);
    expect(leftOut).toBe(0);
  });
});
