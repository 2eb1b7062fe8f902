import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { charLength, ellipsize, fold, nfc, stripControls } from '../../core/text.js';
import { UNIT_KINDS_ACCEPTED, unitKindOf } from '../../core/unitKinds.js';
import type { Actor } from '../../db/audit.js';
import type { Db } from '../../db/client.js';
import { reservedUnitCodeReason } from '../../db/reservedUnitCodes.js';
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
  references: FileReferences;
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
