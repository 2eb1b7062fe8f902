import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importUnitFile } from '../../../bot/cli/unitFile.js';
import { CLI_ACTOR } from '../../../db/bootstrap.js';
import { units } from '../../../db/schema.js';
import { DEMO_UNITS } from '../../../db/seed/demo.js';
import { REPO_ROOT } from '../../helpers/processes.js';
import { demoPerTest, emptyPerTest, type Harness } from '../../helpers/harness.js';

/**
 * The shipped example of a unit file, docs/examples/donvi-ha-tinh-2026.csv (the 69 communes of
 * Hà Tĩnh since 1/7/2025), read by the same code as `npm run units -- import`, and the demo
 * (db/seed/demo.ts), whose communes are a part of the same list: importing the file into the demo
 * completes its tree.
 */
const FILE = join(REPO_ROOT, 'docs/examples/donvi-ha-tinh-2026.csv');

let h: Harness;
const empty = emptyPerTest();
const demo = demoPerTest();

/** The file's rows as [code, name], read plainly (no quoted field holds a comma in these columns). */
function fileUnits(): Map<string, string> {
  const lines = readFileSync(FILE, 'utf8')
    .replace(/^\ufeff/, '')
    .split(/\r?\n/)
    .slice(1)
    .filter(Boolean);
  return new Map(lines.map((line) => line.split(',')).map(([code, name]) => [code!, name!]));
}

function unitRows(db: Harness['db']) {
  return db.select({ id: units.id, shortCode: units.shortCode, name: units.name, kind: units.kind, parentId: units.parentId }).from(units).all();
}

describe('docs/examples/donvi-ha-tinh-2026.csv', () => {
  it('imports as Hà Tĩnh of 2026: the province and 69 communes under it (9 phường, 60 xã), with no remark and no error', async () => {
    h = await empty();
    const report = await importUnitFile(h.db, FILE, CLI_ACTOR, h.clock.now());
    expect(report.notes).toEqual([]);
    expect(report.updated).toEqual([]);
    expect(report.created).toHaveLength(70);

    const rows = unitRows(h.db);
    expect(rows).toHaveLength(70);
    const province = rows.filter((u) => u.kind === 'province');
    expect(province).toMatchObject([{ shortCode: 'HATINH', name: 'Tỉnh Hà Tĩnh', parentId: null }]);
    const communes = rows.filter((u) => u.kind === 'commune');
    expect(communes).toHaveLength(69);
    expect(communes.every((u) => u.parentId === province[0]!.id)).toBe(true);
    expect(communes.filter((u) => u.name.startsWith('Phường '))).toHaveLength(9);
    expect(communes.filter((u) => u.name.startsWith('Xã '))).toHaveLength(60);
    for (const u of rows) expect(u.name).toBe(u.name.normalize('NFC'));
  });

  it('names the demo’s communes as the file does, under the same codes', () => {
    const inFile = fileUnits();
    const demoCommunes = DEMO_UNITS.filter(([, , kind]) => kind === 'commune');
    expect(demoCommunes.length).toBeGreaterThanOrEqual(10);
    for (const [code, name] of demoCommunes) expect([code, inFile.get(code)]).toEqual([code, name]);
    expect(inFile.get('HATINH')).toBe(DEMO_UNITS.find(([code]) => code === 'HATINH')![1]);
  });

  it('imported into the demo, adds the communes it lacks and keeps its own (same ids, no duplicate)', async () => {
    h = await demo();
    const before = unitRows(h.db);
    const demoCodes = new Set(before.map((u) => u.shortCode));
    const report = await importUnitFile(h.db, FILE, CLI_ACTOR, h.clock.now());
    expect(report.notes).toEqual([]);
    expect(report.updated).toEqual([]);
    const inFile = fileUnits();
    const missing = [...inFile.keys()].filter((code) => !demoCodes.has(code));
    expect(report.created.map((c) => c.shortCode).sort()).toEqual(missing.sort());
    expect(report.unchanged.map((u) => u.shortCode).sort()).toEqual([...inFile.keys()].filter((code) => demoCodes.has(code)).sort());

    const after = unitRows(h.db);
    expect(after).toHaveLength(before.length + missing.length);
    expect(new Set(after.map((u) => u.shortCode)).size).toBe(after.length);
    expect(new Set(after.map((u) => u.name)).size).toBe(after.length);
    // The demo's units are the same rows, untouched.
    for (const u of before) expect(after.find((a) => a.shortCode === u.shortCode)).toEqual(u);
    expect(after.filter((u) => u.kind === 'commune')).toHaveLength(69);
  });
});
