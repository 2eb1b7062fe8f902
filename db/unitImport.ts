import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import { asc, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { charLength, ellipsize, fold, nfc, stripControls } from '../core/text.js';
import { type Actor, recordAudit } from './audit.js';
import { JOIN_CODE_LENGTH, uniqueCode } from './codes.js';
import type { Db } from './client.js';
import { reservedUnitCodeReason } from './reservedUnitCodes.js';
import { type UnitKind, units } from './schema.js';

/**
 * The unit tree loaded from a spreadsheet (CSV or XLSX), the way offices already keep their
 * lists. A header row names the columns `ma`, `ten`, `loai`, `ma_cap_tren` (Vietnamese spellings
 * such as "Mã", "Tên đơn vị", "Loại", "Mã cấp trên" work too). Every row is checked before
 * anything is written: one wrong row means nothing is imported, and every error is listed with
 * its row number so the file can be fixed in one go.
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
// Columns and values

type Column = 'ma' | 'ten' | 'loai' | 'ma_cap_tren';
const COLUMNS: readonly Column[] = ['ma', 'ten', 'loai', 'ma_cap_tren'];

/** Header spellings, folded ("Mã cấp trên" → "ma cap tren"); other columns (STT, ghi chú) are ignored. */
const HEADER_NAMES: Record<Column, readonly string[]> = {
  ma: ['ma', 'ma don vi', 'ma viet tat', 'short code', 'code'],
  ten: ['ten', 'ten don vi', 'name'],
  loai: ['loai', 'loai don vi', 'kind'],
  ma_cap_tren: ['ma cap tren', 'ma don vi cap tren', 'cap tren', 'parent', 'parent code'],
};

/** Folded words for each kind; the English values of UNIT_KINDS are accepted as they are. */
const KIND_WORDS: Record<UnitKind, readonly string[]> = {
  province: ['tinh', 'province'],
  department: ['so', 'ban', 'nganh', 'department'],
  district: ['huyen', 'thanh pho', 'thi xa', 'quan', 'district'],
  commune: ['xa', 'phuong', 'thi tran', 'commune'],
  organisation: ['doan the', 'to chuc', 'mat tran', 'organisation', 'organization'],
  school: ['truong', 'truong hoc', 'school'],
  hospital: ['benh vien', 'hospital'],
  armed_forces: ['cong an', 'quan su', 'quan doi', 'armed_forces', 'armed forces'],
  enterprise: ['doanh nghiep', 'cong ty', 'enterprise'],
  other: ['khac', 'other'],
};
/** How each kind reads in the operator's output. */
export const UNIT_KIND_LABEL: Record<UnitKind, string> = {
  province: 'tỉnh',
  department: 'sở, ban, ngành',
  district: 'huyện, thành phố, thị xã',
  commune: 'xã, phường, thị trấn',
  organisation: 'đoàn thể, tổ chức',
  school: 'trường',
  hospital: 'bệnh viện',
  armed_forces: 'công an, quân sự',
  enterprise: 'doanh nghiệp',
  other: 'khác',
};

const KIND_BY_WORD = new Map<string, UnitKind>(Object.entries(KIND_WORDS).flatMap(([kind, words]) => words.map((w) => [w, kind as UnitKind] as const)));
const KINDS_ACCEPTED =
  'tỉnh; sở/ban/ngành; huyện/thành phố/thị xã; xã/phường/thị trấn; đoàn thể/tổ chức; trường; bệnh viện; công an/quân sự; doanh nghiệp; khác';

/** "Sở, ban, ngành" and "huyện/thành phố" name one kind through several words. */
export function unitKindOf(raw: string): UnitKind | undefined {
  const parts = fold(raw)
    .split(/[,/;|]|\s+(?:va|hoac)\s+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const kinds = new Set(parts.map((p) => KIND_BY_WORD.get(p)));
  if (parts.length === 0 || kinds.size !== 1 || kinds.has(undefined)) return undefined;
  return [...kinds][0];
}

const SHORT_CODE = /^[A-Z0-9](?:[A-Z0-9_-]{0,28}[A-Z0-9])?$/;
const SHORT_CODE_RULE = 'chữ không dấu, số và dấu gạch (- hoặc _), tối đa 30 ký tự, ví dụ CAMXUYEN hay CX-CAMBINH';

/** Short codes are stored upper-case ASCII; "cx-cambinh" and "CX-CẨMBÌNH" both mean CX-CAMBINH. */
export function normalizeShortCode(raw: string): string {
  return fold(raw).toUpperCase();
}

const clean = (raw: string) => stripControls(nfc(raw)).replace(/\s+/g, ' ').trim();
const shown = (raw: string) => ellipsize(clean(raw), 40);

function checkedCode(raw: string, label: string): { code: string } | { error: string } {
  const code = normalizeShortCode(clean(raw));
  return SHORT_CODE.test(code) ? { code } : { error: `${label} “${shown(raw)}” chưa đúng: dùng ${SHORT_CODE_RULE}.` };
}

const rowSchema = z.object({
  ma: z.string().transform((raw, ctx) => {
    let checked = clean(raw) === '' ? { error: 'thiếu mã đơn vị (cột ma).' } : checkedCode(raw, 'mã');
    // Checked for a unit's own code only: a parent already saved under such a code is still found.
    const reserved = 'code' in checked ? reservedUnitCodeReason(checked.code) : undefined;
    if ('code' in checked && reserved) checked = { error: `mã ${checked.code} không dùng được: ${reserved}; bạn đặt mã khác.` };
    if ('code' in checked) return checked.code;
    ctx.addIssue({ code: 'custom', message: checked.error });
    return z.NEVER;
  }),
  ten: z.string().transform((raw, ctx) => {
    const name = clean(raw);
    if (charLength(name) < 2 || charLength(name) > 200) {
      ctx.addIssue({
        code: 'custom',
        message: name === '' ? 'thiếu tên đơn vị (cột ten).' : `tên đơn vị phải có từ 2 đến 200 ký tự (đang là “${shown(raw)}”).`,
      });
      return z.NEVER;
    }
    return name;
  }),
  loai: z.string().transform((raw, ctx) => {
    const kind = unitKindOf(clean(raw));
    if (!kind) {
      ctx.addIssue({
        code: 'custom',
        message: `${clean(raw) === '' ? 'thiếu loại đơn vị (cột loai)' : `loại “${shown(raw)}” chưa nhận ra`}; dùng một trong: ${KINDS_ACCEPTED}.`,
      });
      return z.NEVER;
    }
    return kind;
  }),
  ma_cap_tren: z.string().transform((raw, ctx) => {
    if (clean(raw) === '') return null;
    const checked = checkedCode(raw, 'mã cấp trên');
    if ('code' in checked) return checked.code;
    ctx.addIssue({ code: 'custom', message: checked.error });
    return z.NEVER;
  }),
});

// ---------------------------------------------------------------------------------------------
// Rows → validated units

/**
 * The codes a file names, also on rows with other errors, so a wrong parent is reported in the
 * same run as a wrong kind and a parent on a faulty row is not reported as missing.
 */
export interface FileReferences {
  codes: ReadonlySet<string>;
  parents: readonly { row: number; parentCode: string }[];
}

export interface ParsedRows {
  units: UnitInput[];
  errors: RowError[];
  references: FileReferences;
}

function referencesOf(input: readonly UnitInput[]): FileReferences {
  return {
    codes: new Set(input.map((u) => u.shortCode)),
    parents: input.flatMap((u) => (u.parentCode === null ? [] : [{ row: u.row, parentCode: u.parentCode }])),
  };
}

const MAX_ROWS = 5000;
const HEADER_SEARCH_ROWS = 10;

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

function headerColumns(cells: readonly unknown[]): Map<Column, number> | undefined {
  const found = new Map<Column, number>();
  cells.forEach((cell, index) => {
    const key = fold(stripControls(cellText(cell)))
      .replace(/[_\-.:*()]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    const column = COLUMNS.find((c) => HEADER_NAMES[c].includes(key));
    if (column && !found.has(column)) found.set(column, index);
  });
  return found.has('ma') && found.has('ten') ? found : undefined;
}

/**
 * Reads the rows of a sheet (rows[0] is the spreadsheet's row 1). The header is the first row
 * naming at least `ma` and `ten` among the first ten, so a title line above it is fine.
 */
export function parseUnitRows(rows: readonly (readonly unknown[])[]): ParsedRows {
  const errors: RowError[] = [];
  const codes = new Set<string>();
  const parents: { row: number; parentCode: string }[] = [];
  const references = { codes, parents };
  const headerIndex = rows.slice(0, HEADER_SEARCH_ROWS).findIndex((r) => headerColumns(r) !== undefined);
  if (headerIndex < 0) {
    return {
      units: [],
      references,
      errors: [{ row: 1, message: 'không thấy dòng tiêu đề: cần các cột ma, ten, loai, ma_cap_tren (hoặc Mã, Tên đơn vị, Loại, Mã cấp trên).' }],
    };
  }
  const columns = headerColumns(rows[headerIndex]!)!;
  const missing = COLUMNS.filter((c) => !columns.has(c));
  if (missing.length > 0) {
    return { units: [], references, errors: [{ row: headerIndex + 1, message: `dòng tiêu đề thiếu cột ${missing.join(', ')}.` }] };
  }
  const dataRows = rows.length - headerIndex - 1;
  if (dataRows > MAX_ROWS) {
    return { units: [], references, errors: [{ row: 0, message: `Tệp có ${dataRows} dòng, quá giới hạn ${MAX_ROWS} dòng một lần nhập.` }] };
  }

  const units: UnitInput[] = [];
  const firstRowOf = new Map<string, number>();
  for (let i = headerIndex + 1; i < rows.length; i++) {
    const cells = rows[i]!;
    const row = i + 1;
    const value = (c: Column) => cellText(cells[columns.get(c)!]);
    if (COLUMNS.every((c) => clean(value(c)) === '')) continue;

    const result = rowSchema.safeParse({ ma: value('ma'), ten: value('ten'), loai: value('loai'), ma_cap_tren: value('ma_cap_tren') });
    // The code alone may be fine on a row with other errors; later rows may name it as their parent.
    const code = checkedCode(value('ma'), 'mã');
    if ('code' in code) {
      const earlier = firstRowOf.get(code.code);
      if (earlier !== undefined) {
        errors.push({ row, message: `mã ${code.code} trùng với dòng ${earlier}.` });
        continue;
      }
      firstRowOf.set(code.code, row);
      codes.add(code.code);
    }
    const parent = clean(value('ma_cap_tren')) === '' ? undefined : checkedCode(value('ma_cap_tren'), 'mã cấp trên');
    if (parent && 'code' in parent) parents.push({ row, parentCode: parent.code });
    if (!result.success) {
      for (const issue of result.error.issues) errors.push({ row, message: issue.message });
      continue;
    }
    const { ma, ten, loai, ma_cap_tren } = result.data;
    units.push({ row, shortCode: ma, name: ten, kind: loai, parentCode: ma_cap_tren });
  }
  if (units.length === 0 && errors.length === 0) errors.push({ row: 0, message: 'Tệp không có dòng đơn vị nào dưới dòng tiêu đề.' });
  return { units, errors, references };
}

// ---------------------------------------------------------------------------------------------
// Checks against the database: parents exist, the tree stays a tree

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
    const report: ImportReport = { created: [], updated: [], unchanged: [], dryRun };

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
// Files

/**
 * The first sheet of a .xlsx, or a .csv in UTF-8 (with or without BOM) separated by commas,
 * semicolons (Excel in Vietnamese settings) or tabs, as rows of texts.
 */
export async function readUnitFile(path: string): Promise<string[][]> {
  if (!existsSync(path)) throw new UnitImportError([{ row: 0, message: `Không tìm thấy tệp ${path}.` }]);
  const ext = extname(path).toLowerCase();
  const workbook = new ExcelJS.Workbook();
  let sheet: ExcelJS.Worksheet | undefined;
  if (ext === '.csv') {
    const text = decodeCsv(readFileSync(path));
    sheet = await workbook.csv.read(Readable.from([Buffer.from(text, 'utf8')]), {
      // Keep every value as typed: no numbers, dates or booleans guessed from the text.
      map: (value: unknown) => value,
      parserOptions: { delimiter: sniffDelimiter(text) },
    });
  } else if (ext === '.xlsx') {
    try {
      await workbook.xlsx.readFile(path);
    } catch {
      throw new UnitImportError([{ row: 0, message: `Không đọc được ${path} như một tệp Excel (.xlsx).` }]);
    }
    sheet = workbook.worksheets[0];
  } else {
    throw new UnitImportError([{ row: 0, message: 'Chỉ nhận tệp .csv hoặc .xlsx.' }]);
  }
  if (!sheet) return [];

  const rows: string[][] = [];
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(row.getCell(c).text ?? '');
    rows.push(cells);
  }
  return rows;
}

function decodeCsv(bytes: Buffer): string {
  const utf16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  let text: string | undefined;
  if (!utf16) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = undefined;
    }
  }
  if (text === undefined) {
    throw new UnitImportError([{ row: 0, message: 'Tệp CSV phải lưu ở dạng UTF-8 (trong Excel: Lưu thành → “CSV UTF-8”), hoặc bạn dùng thẳng tệp .xlsx.' }]);
  }
  return text.replace(/^\ufeff/, '');
}

/** The separator used most on the first line outside quotes; a comma when none is there. */
function sniffDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [sep, n] of counts) if (n > counts.get(best)!) best = sep;
  return best;
}

/** Reads, checks and imports a file; every problem of the file comes back at once in one UnitImportError. */
export async function importUnitFile(db: Db, path: string, actor: Actor, now: Date, options: { dryRun?: boolean } = {}): Promise<ImportReport> {
  const parsed = parseUnitRows(await readUnitFile(path));
  const errors = [...parsed.errors, ...checkUnits(db, parsed.units, parsed.references)];
  // Stable sort: one row's problems stay in column order.
  if (errors.length > 0) throw new UnitImportError(errors.sort((a, b) => a.row - b.row));
  return importUnits(db, parsed.units, actor, now, options);
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
