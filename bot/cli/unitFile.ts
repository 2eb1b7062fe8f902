import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { charLength, ellipsize, fold, nfc, stripControls } from '../../core/text.js';
import { cityKind, isFormerKind, readUnitKind, UNIT_KIND_LABEL, UNIT_KINDS_ACCEPTED, type UnitKindReading } from '../../core/unitKinds.js';
import type { Actor } from '../../db/audit.js';
import type { Db } from '../../db/client.js';
import { reservedUnitCodeReason } from '../../db/reservedUnitCodes.js';
import { type UnitKind, units } from '../../db/schema.js';
import { checkUnits, type FileReferences, type ImportReport, importUnits, type RowError, type UnitInput, UnitImportError } from '../../db/unitImport.js';

/**
 * The unit tree read from a spreadsheet (CSV or XLSX), the way offices already keep their
 * lists. A header row names the columns `ma`, `ten`, `loai`, `ma_cap_tren` (Vietnamese spellings
 * such as "Mã", "Tên đơn vị", "Loại", "Mã cấp trên" work too). Decoding and the column words
 * live here, with the CLI that reads the file; db/unitImport.ts checks and writes the units.
 */

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

const SHORT_CODE = /^[A-Z0-9](?:[A-Z0-9_-]{0,28}[A-Z0-9])?$/;
const SHORT_CODE_RULE = 'chữ không dấu, số và dấu gạch (- hoặc _), tối đa 30 ký tự, ví dụ CAMXUYEN hay SNV-VP';

/** Short codes are stored upper-case ASCII; "sonkim1" and "SƠNKIM1" both mean SONKIM1. */
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
  loai: z.string().transform((raw, ctx): UnitKindReading => {
    const kind = readUnitKind(clean(raw));
    if (!kind) {
      ctx.addIssue({
        code: 'custom',
        message: `${clean(raw) === '' ? 'thiếu loại đơn vị (cột loai)' : `loại “${shown(raw)}” chưa nhận ra`}; dùng một trong: ${UNIT_KINDS_ACCEPTED}.`,
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

export interface ParsedRows {
  units: UnitInput[];
  errors: RowError[];
  /** What was imported but is worth a look: a former kind, how "thành phố" was read. */
  notes: RowError[];
  references: FileReferences;
}

/** A row read, its kind as typed: "thành phố" waits for every row to be read. */
interface ReadRow {
  unit: Omit<UnitInput, 'kind'>;
  kind: UnitKindReading;
  typed: string;
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
export function parseUnitRows(rows: readonly (readonly unknown[])[], savedKinds: ReadonlyMap<string, UnitKind> = new Map()): ParsedRows {
  const errors: RowError[] = [];
  const notes: RowError[] = [];
  const codes = new Set<string>();
  const parents: { row: number; parentCode: string }[] = [];
  const references = { codes, parents };
  const headerIndex = rows.slice(0, HEADER_SEARCH_ROWS).findIndex((r) => headerColumns(r) !== undefined);
  if (headerIndex < 0) {
    return {
      units: [],
      references,
      notes,
      errors: [{ row: 1, message: 'không thấy dòng tiêu đề: cần các cột ma, ten, loai, ma_cap_tren (hoặc Mã, Tên đơn vị, Loại, Mã cấp trên).' }],
    };
  }
  const columns = headerColumns(rows[headerIndex]!)!;
  const missing = COLUMNS.filter((c) => !columns.has(c));
  if (missing.length > 0) {
    return { units: [], references, notes, errors: [{ row: headerIndex + 1, message: `dòng tiêu đề thiếu cột ${missing.join(', ')}.` }] };
  }
  const dataRows = rows.length - headerIndex - 1;
  if (dataRows > MAX_ROWS) {
    return { units: [], references, notes, errors: [{ row: 0, message: `Tệp có ${dataRows} dòng, quá giới hạn ${MAX_ROWS} dòng một lần nhập.` }] };
  }

  const read: ReadRow[] = [];
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
    read.push({ unit: { row, shortCode: ma, name: ten, parentCode: ma_cap_tren }, kind: loai, typed: shown(value('loai')) });
  }
  const units = decideKinds(read, savedKinds, notes);
  if (units.length === 0 && errors.length === 0) errors.push({ row: 0, message: 'Tệp không có dòng đơn vị nào dưới dòng tiêu đề.' });
  return { units, errors, notes, references };
}

/**
 * Each row's kind, "thành phố" alone decided by the row's parent (in the file, or already saved):
 * under a province it is a former district-level city, otherwise a province-level city. A former
 * kind or word is imported, so an existing deployment's spreadsheet of its old tree still loads,
 * with a note saying it is from before 1/7/2025.
 */
function decideKinds(read: readonly ReadRow[], savedKinds: ReadonlyMap<string, UnitKind>, notes: RowError[]): UnitInput[] {
  const byCode = new Map(read.map((r) => [r.unit.shortCode, r]));
  const kindOf = (code: string, seen: Set<string>): UnitKind | undefined => {
    const found = byCode.get(code);
    if (!found) return savedKinds.get(code);
    if (!found.kind.city) return found.kind.kind;
    // A cycle is reported by the tree check; read the city as a root meanwhile.
    if (seen.has(code)) return 'province';
    seen.add(code);
    return cityKind(found.unit.parentCode === null ? null : kindOf(found.unit.parentCode, seen));
  };
  return read.map(({ unit, kind: reading, typed }) => {
    const kind = kindOf(unit.shortCode, new Set())!;
    const label = `“${UNIT_KIND_LABEL[kind]}”`;
    if (reading.city) {
      const parent = unit.parentCode === null ? 'không có cấp trên' : `cấp trên ${unit.parentCode} ${kind === 'district' ? 'là tỉnh' : 'không phải là tỉnh'}`;
      const level = kind === 'district' ? 'thành phố thuộc tỉnh' : 'thành phố trực thuộc trung ương';
      const former = isFormerKind(kind) ? '; cấp huyện không còn từ 1/7/2025, vẫn nhập để giữ dữ liệu cũ' : '';
      notes.push({ row: unit.row, message: `“thành phố” được hiểu là ${level} (loại ${label}) vì ${parent}${former}.` });
    } else if (reading.former) {
      const what = isFormerKind(kind) ? 'cấp huyện cũ' : 'đơn vị cũ';
      notes.push({ row: unit.row, message: `“${typed}” là ${what}, không còn từ 1/7/2025; vẫn nhập với loại ${label} để giữ dữ liệu cũ.` });
    }
    return { ...unit, kind };
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
  const saved = new Map(
    db
      .select({ shortCode: units.shortCode, kind: units.kind })
      .from(units)
      .all()
      .map((u) => [u.shortCode, u.kind] as const),
  );
  const parsed = parseUnitRows(await readUnitFile(path), saved);
  const errors = [...parsed.errors, ...checkUnits(db, parsed.units, parsed.references)];
  // Stable sort: one row's problems stay in column order.
  if (errors.length > 0) throw new UnitImportError(errors.sort((a, b) => a.row - b.row));
  return { ...importUnits(db, parsed.units, actor, now, options), notes: parsed.notes };
}
