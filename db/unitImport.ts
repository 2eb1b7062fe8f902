import { asc, eq } from 'drizzle-orm';
import { type Actor, recordAudit } from './audit.js';
import { JOIN_CODE_LENGTH, uniqueCode } from './codes.js';
import type { Db } from './client.js';
import { type UnitKind, units } from './schema.js';

/**
 * The unit tree loaded in bulk (`npm run units -- import`; the file is read by bot/cli/unitFile.ts).
 * Every unit is checked before anything is written: one wrong row means nothing is imported, and
 * every error is listed with its row number so the file can be fixed in one go.
 */

export interface UnitInput {
  /** The row in the spreadsheet (1 = the first row). */
  row: number;
  shortCode: string;
  name: string;
  kind: UnitKind;
  /** null = a root of the tree. */
  parentCode: string | null;
}

/** row 0 = the file as a whole. */
export interface RowError {
  row: number;
  message: string;
}

export class UnitImportError extends Error {
  constructor(readonly errors: RowError[]) {
    super(errors.map(formatRowError).join('\n'));
    this.name = 'UnitImportError';
  }
}

export function formatRowError(e: RowError): string {
  return e.row > 0 ? `Dòng ${e.row}: ${e.message}` : e.message;
}

// ---------------------------------------------------------------------------------------------
// Checks against the database: parents exist, the tree stays a tree

/**
 * The codes a file names, also on rows with other errors, so a wrong parent is reported in the
 * same run as a wrong kind and a parent on a faulty row is not reported as missing.
 */
export interface FileReferences {
  codes: ReadonlySet<string>;
  parents: readonly { row: number; parentCode: string }[];
}

function referencesOf(input: readonly UnitInput[]): FileReferences {
  return {
    codes: new Set(input.map((u) => u.shortCode)),
    parents: input.flatMap((u) => (u.parentCode === null ? [] : [{ row: u.row, parentCode: u.parentCode }])),
  };
}

/** Parents that exist (in the file or already saved) and no cycle through the new parents. */
export function checkUnits(db: Pick<Db, 'select'>, input: readonly UnitInput[], file: FileReferences = referencesOf(input)): RowError[] {
  const errors: RowError[] = [];
  const existing = db.select({ id: units.id, shortCode: units.shortCode, parentId: units.parentId }).from(units).all();
  const codeById = new Map(existing.map((u) => [u.id, u.shortCode]));
  const parentOf = new Map<string, string | null>(existing.map((u) => [u.shortCode, u.parentId === null ? null : (codeById.get(u.parentId) ?? null)]));

  for (const { row, parentCode } of file.parents) {
    if (!file.codes.has(parentCode) && !parentOf.has(parentCode)) {
      errors.push({ row, message: `không có đơn vị cấp trên mã ${parentCode}, trong tệp cũng như trong hệ thống.` });
    }
  }
  for (const unit of input) parentOf.set(unit.shortCode, unit.parentCode);

  for (const unit of input) {
    const path = [unit.shortCode];
    let at = parentOf.get(unit.shortCode) ?? null;
    while (at !== null && !path.includes(at)) {
      path.push(at);
      at = parentOf.get(at) ?? null;
    }
    if (at === unit.shortCode) {
      errors.push({ row: unit.row, message: `cấp trên tạo thành vòng lặp: ${[...path, at].join(' → ')}.` });
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface UnitChange {
  row: number;
  id: number | null;
  shortCode: string;
  name: string;
  /** The new unit's join code; null in a dry run. */
  joinCode: string | null;
  before: UnitSnapshot | null;
  after: UnitSnapshot;
}

export interface UnitSnapshot {
  name: string;
  kind: UnitKind;
  parentCode: string | null;
}

export interface ImportReport {
  created: UnitChange[];
  updated: UnitChange[];
  unchanged: UnitInput[];
  dryRun: boolean;
  /** Rows imported with a remark (a former kind, how "thành phố" was read); filled by the file reader. */
  notes: RowError[];
}

/**
 * Inserts new units and updates existing ones (matched by short code) in one transaction, with
 * an audit row per created or updated unit. Throws UnitImportError, writing nothing, when a
 * parent is unknown or the tree would get a cycle. A dry run reports without writing.
 */
export function importUnits(db: Db, input: readonly UnitInput[], actor: Actor, now: Date, options: { dryRun?: boolean } = {}): ImportReport {
  const dryRun = options.dryRun ?? false;
  return db.transaction((tx) => {
    const errors = checkUnits(tx, input);
    if (errors.length > 0) throw new UnitImportError(errors);

    const all = tx.select().from(units).all();
    const byCode = new Map(all.map((u) => [u.shortCode, u]));
    const codeById = new Map(all.map((u) => [u.id, u.shortCode]));
    const takenJoinCodes = new Set(all.map((u) => u.joinCode));
    const report: ImportReport = { created: [], updated: [], unchanged: [], dryRun, notes: [] };

    for (const unit of input) {
      const after: UnitSnapshot = { name: unit.name, kind: unit.kind, parentCode: unit.parentCode };
      const found = byCode.get(unit.shortCode);
      if (!found) {
        report.created.push({ row: unit.row, id: null, shortCode: unit.shortCode, name: unit.name, joinCode: null, before: null, after });
        continue;
      }
      const before: UnitSnapshot = {
        name: found.name,
        kind: found.kind,
        parentCode: found.parentId === null ? null : (codeById.get(found.parentId) ?? null),
      };
      if (before.name === after.name && before.kind === after.kind && before.parentCode === after.parentCode) {
        report.unchanged.push(unit);
      } else {
        report.updated.push({ row: unit.row, id: found.id, shortCode: unit.shortCode, name: unit.name, joinCode: null, before, after });
      }
    }
    if (dryRun) return report;

    const at = now.getTime();
    const idOf = new Map(all.map((u) => [u.shortCode, u.id]));
    // Parents may come later in the file: insert first, link parents once every id is known.
    for (const change of report.created) {
      const joinCode = uniqueCode(JOIN_CODE_LENGTH, (code) => takenJoinCodes.has(code));
      takenJoinCodes.add(joinCode);
      const row = tx
        .insert(units)
        .values({ name: change.after.name, shortCode: change.shortCode, kind: change.after.kind, parentId: null, joinCode, createdAt: at, updatedAt: at })
        .returning({ id: units.id })
        .get();
      change.id = row.id;
      change.joinCode = joinCode;
      idOf.set(change.shortCode, row.id);
    }
    for (const change of [...report.created, ...report.updated]) {
      const parentId = change.after.parentCode === null ? null : idOf.get(change.after.parentCode)!;
      tx.update(units).set({ name: change.after.name, kind: change.after.kind, parentId, updatedAt: at }).where(eq(units.id, change.id!)).run();
      recordAudit(tx, actor, now, {
        action: 'unit.import',
        entity: 'unit',
        entityId: change.id,
        before: change.before && { shortCode: change.shortCode, ...change.before },
        after: { shortCode: change.shortCode, ...change.after },
      });
    }
    return report;
  });
}

// ---------------------------------------------------------------------------------------------
// Join codes for the admin to hand out

/** Active units parents first (then by code), as CSV: ma, ten, ma_tham_gia. */
export function joinCodesCsv(db: Db): string {
  const all = db.select().from(units).where(eq(units.active, true)).orderBy(asc(units.shortCode)).all();
  const ids = new Set(all.map((u) => u.id));
  const children = new Map<number | null, typeof all>();
  for (const u of all) {
    const parent = u.parentId !== null && ids.has(u.parentId) ? u.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const lines = ['ma,ten,ma_tham_gia'];
  const walk = (parent: number | null) => {
    for (const u of children.get(parent) ?? []) {
      lines.push([u.shortCode, u.name, u.joinCode].map(csvField).join(','));
      walk(u.id);
    }
  };
  walk(null);
  return `${lines.join('\r\n')}\r\n`;
}

function csvField(value: string): string {
  return /[",\r\n;]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
