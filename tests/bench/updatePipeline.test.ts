import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorldOptions } from '../../bench/pipelineWorld.js';
import { type BarePlay, figuresOf, type PipelinePlay, playBare, playPipeline, seedWorldFile } from '../../bench/updatePipeline.js';
import type { PipelineWorld } from '../../bench/pipelineWorld.js';
import { SESSION_MIX, type SessionKind } from '../../bench/telegramWorkload.js';

/**
 * The update-pipeline benchmark's workload at a tiny scale: the updates it makes must really
 * carry people's sessions through the bot — every command answered, every /capnhat and /dangky
 * saved, the rows in the database — or its figures measure refusals and error messages. No
 * timing is asserted here.
 */

const TINY: Omit<WorldOptions, 'now'> = { communesPerCluster: 3, schoolsPerCluster: 1, agenciesPerDepartment: 1, newcomersPerGroup: 2 };
const UPDATES = 300;

let dir: string;
let world: PipelineWorld;
let pipeline: PipelinePlay;
let bare: BarePlay;
let db: Database.Database;
/** Rows of the seeded file, before the workload ran on its copy. */
let seeded: { addAudits: number; editAudits: number };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-bench-pipeline-test-'));
  const template = join(dir, 'world.sqlite');
  ({ world } = await seedWorldFile(template, TINY));
  const before = new Database(template, { readonly: true });
  const audits = (action: string) => (before.prepare('select count(*) as n from audit_log where action = ?').get(action) as { n: number }).n;
  seeded = { addAudits: audits('update.add'), editAudits: audits('update.edit') };
  before.close();
  const dbPath = join(dir, 'run.sqlite');
  copyFileSync(template, dbPath);
  pipeline = await playPipeline({ dbPath, world, seed: 7, warmup: 50, measured: UPDATES - 50, concurrent: 8, drain: true });
  bare = await playBare(pipeline.recorded, 50);
  db = new Database(dbPath, { readonly: true });
}, 60_000);

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = (sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;

describe('the update-pipeline workload', () => {
  it('seeds groups of Telegram officers with approved models to update, and newcomers', () => {
    expect(world.groups.length).toBe(6);
    for (const group of world.groups) {
      expect(group.chat.id).toBeLessThan(0);
      expect(group.members.filter((m) => m.unitId === null)).toHaveLength(TINY.newcomersPerGroup);
      expect(group.members.some((m) => m.updatable.length > 0)).toBe(true);
    }
    const ids = world.groups.flatMap((g) => g.members.map((m) => m.user.id));
    expect(new Set(ids).size).toBe(ids.length);
    // Every officer is in the database as a Telegram identity with an officer role on their unit.
    const officers = world.groups.flatMap((g) => g.members.filter((m) => m.unitId !== null));
    expect(officers).toHaveLength(world.officers);
    for (const m of officers.slice(0, 20)) {
      expect(
        count(
          `select count(*) as n from identities i join roles r on r.person_id = i.person_id
           where i.platform = 'telegram' and i.platform_user_id = ? and r.role = 'officer' and r.unit_id = ?`,
          String(m.user.id),
          m.unitId,
        ),
      ).toBe(1);
    }
  });

  it('starts every kind of session and drives each to its end', () => {
    const { tally } = pipeline;
    for (const kind of Object.keys(SESSION_MIX) as SessionKind[]) {
      expect(tally.sessionsStarted[kind], kind).toBeGreaterThan(0);
      expect(tally.sessionsCompleted[kind], kind).toBe(tally.sessionsStarted[kind]);
    }
    // Both ways of answering are used: typed replies to the prompts and button presses.
    expect(tally.typed).toBeGreaterThan(0);
    expect(tally.presses).toBeGreaterThan(0);
    expect(tally.commands).toBe(Object.values(tally.sessionsStarted).reduce((a, b) => a + b, 0));
    expect(tally.updates).toBe(tally.commands + tally.typed + tally.presses);
    // The drain finished what the measured part left open: no conversation is left in the database.
    expect(pipeline.rows.conversations).toBe(0);
  });

  it('writes what the conversations saved', () => {
    const { tally, rows, rowsBefore } = pipeline;
    expect(tally.modelsRegistered).toBe(tally.sessionsCompleted.dangky);
    expect(tally.progressAdded + tally.progressEdited).toBe(tally.sessionsCompleted.capnhat + tally.sessionsCompleted.capnhatList);
    expect(tally.modelsRegistered).toBeGreaterThan(0);
    expect(tally.progressAdded).toBeGreaterThan(0);
    expect(rows.models - rowsBefore.models).toBe(tally.modelsRegistered);
    expect(rows.progressUpdates - rowsBefore.progressUpdates).toBe(tally.progressAdded);
    // The models are the ones the workload typed, waiting for approval.
    expect(count(`select count(*) as n from models where name like '% (đợt %)' and state = 'pending'`)).toBe(tally.modelsRegistered);
    expect(count(`select count(*) as n from audit_log where action = 'update.add'`) - seeded.addAudits).toBe(tally.progressAdded);
    expect(count(`select count(*) as n from audit_log where action = 'update.edit'`) - seeded.editAudits).toBe(tally.progressEdited);
    // Every update went through the adapter's dedup once.
    expect(rows.processedInbound).toBe(tally.updates);
  });

  it('records the measured updates, warm-up first, and times each', () => {
    expect(pipeline.recorded).toHaveLength(UPDATES);
    expect(pipeline.latencies).toHaveLength(UPDATES - 50);
    expect(pipeline.kinds).toHaveLength(UPDATES - 50);
    const ids = pipeline.recorded.map((json) => (JSON.parse(json) as { update_id: number }).update_id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('feeds bare grammY the same updates, answering each', () => {
    const updates = pipeline.recorded.map((json) => JSON.parse(json) as { message?: unknown; callback_query?: unknown });
    const messages = updates.filter((u) => u.message !== undefined).length;
    const presses = updates.filter((u) => u.callback_query !== undefined).length;
    expect(messages + presses).toBe(UPDATES);
    expect(bare.replies).toBe(messages);
    expect(bare.answeredPresses).toBe(presses);
    expect(bare.latencies).toHaveLength(UPDATES - 50);
  });
});

describe('figuresOf', () => {
  it('takes the rank percentiles and the throughput of the summed times', () => {
    const latencies = Array.from({ length: 200 }, (_, i) => (i + 1) / 10); // 0.1 … 20 ms
    const f = figuresOf(latencies.reverse());
    expect(f.p50).toBeCloseTo(10);
    expect(f.p99).toBeCloseTo(19.8);
    expect(f.max).toBeCloseTo(20);
    // 200 updates in 2,010 ms in all.
    expect(f.perSecond).toBeCloseTo((200 / 2010) * 1000);
  });
});
