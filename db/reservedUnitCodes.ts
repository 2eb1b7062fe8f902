import { parseModelCode } from '../core/modelCode.js';

/**
 * Short codes a unit may not take, because a command reads them as something else where it reads
 * a unit code (or just before it): a unit called QUY could never be asked for in `/baocao QUY`,
 * and a unit called TOANTINH would be read as "the whole province" by `/phanquyen`. The one list
 * the unit checks use: `/themdonvi`, `/suadonvi` (commands/shared/unitSteps.ts) and the CSV/XLSX
 * import (bot/cli/unitFile.ts). A command that learns a new word adds it here, with the command
 * that reads it; tests/db/reservedUnitCodes.test.ts shows, for each entry, that command
 * misreading a unit of that code.
 *
 * Each reason completes “… không dùng làm mã đơn vị được: <reason>”.
 */

export interface ReservedWord {
  /** As stored: upper-case ASCII, as `fold(typed).toUpperCase()` gives it. */
  word: string;
  /** The command that reads the word, for people maintaining this list. */
  readBy: string;
  reason: string;
}

const FILE_WORD = 'lệnh /baocao hiểu đó là loại tệp báo cáo';
const CHART_WORD = 'lệnh /baocao hiểu đó là cách chia biểu đồ';

export const RESERVED_UNIT_WORDS: readonly ReservedWord[] = [
  // /phanquyen <vai trò> <người> [mã | toàn tỉnh]: the last word(s) are a unit code or "toàn tỉnh".
  { word: 'TOANTINH', readBy: '/phanquyen, /thuquyen', reason: 'lệnh /phanquyen hiểu đó là “toàn tỉnh”' },
  // "… Toàn TINH": after a person whose name ends in "Toàn", a unit TINH is read as "toàn tỉnh".
  { word: 'TINH', readBy: '/phanquyen, /thuquyen', reason: 'lệnh /phanquyen hiểu “toàn tỉnh” khi từ đứng trước là “Toàn”' },
  // /chitieu <mã | macdinh> <số>
  { word: 'MACDINH', readBy: '/chitieu', reason: 'lệnh /chitieu hiểu đó là chỉ tiêu mặc định' },
  // core/period.ts: "năm 2025", "quý 1", "tháng 3" in any order with the unit code; /mohinh
  // reads "năm" before a year the same way.
  { word: 'NAM', readBy: '/baocao, /mohinh', reason: 'lệnh /baocao và /mohinh hiểu “năm” đứng trước số năm' },
  { word: 'QUY', readBy: '/baocao', reason: 'lệnh /baocao hiểu đó là quý của kỳ báo cáo' },
  { word: 'THANG', readBy: '/baocao', reason: 'lệnh /baocao hiểu đó là tháng của kỳ báo cáo' },
  // commands/baocao.ts FORMAT_WORDS: the files asked for.
  { word: 'EXCEL', readBy: '/baocao', reason: FILE_WORD },
  { word: 'XLSX', readBy: '/baocao', reason: FILE_WORD },
  { word: 'WORD', readBy: '/baocao', reason: FILE_WORD },
  { word: 'DOCX', readBy: '/baocao', reason: FILE_WORD },
  { word: 'BIEUDO', readBy: '/baocao', reason: FILE_WORD },
  { word: 'CHART', readBy: '/baocao', reason: FILE_WORD },
  { word: 'TEP', readBy: '/baocao', reason: FILE_WORD },
  { word: 'TATCA', readBy: '/baocao', reason: FILE_WORD },
  // commands/baocao.ts CHART_BY_UNIT, CHART_BY_FIELD: "bieudo donvi", "bieudo linhvuc".
  { word: 'DONVI', readBy: '/baocao', reason: CHART_WORD },
  { word: 'THEODONVI', readBy: '/baocao', reason: CHART_WORD },
  { word: 'LINHVUC', readBy: '/baocao', reason: CHART_WORD },
  { word: 'THEOLINHVUC', readBy: '/baocao', reason: CHART_WORD },
  // /nhatky [trang] [số] [mã]: "trang" is skipped.
  { word: 'TRANG', readBy: '/nhatky', reason: 'lệnh /nhatky hiểu đó là “trang”' },
];

export interface ReservedShape {
  /** What the shape is, for people maintaining this list. */
  shape: string;
  readBy: string;
  /** A code of this shape (tests show the command misreading it). */
  example: string;
  matches: (code: string) => boolean;
  reason: string;
}

export const RESERVED_UNIT_SHAPES: readonly ReservedShape[] = [
  {
    // A page of /nhatky, a year of /mohinh and /baocao, an answer by number in a list (/dangky's
    // unit, a parent unit) or "1" for /themdonvi's suggested code.
    shape: 'digits only',
    readBy: '/nhatky, /mohinh, /baocao, answers by number',
    example: '42',
    matches: (code) => /^\d+$/.test(code),
    reason: 'mã chỉ có chữ số sẽ bị hiểu là số (năm, số trang, số thứ tự khi chọn), nên cần có chữ, ví dụ HT42',
  },
  {
    // core/period.ts reads "15-2-2026" as the start of a date range.
    shape: 'a date d-m-yyyy',
    readBy: '/baocao',
    example: '15-2-2026',
    matches: (code) => /^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}/.test(code),
    reason: 'lệnh /baocao hiểu đó là ngày',
  },
  {
    // core/period.ts joins "quý 1" into QUY1 and reads it as the period.
    shape: 'a period word with its number',
    readBy: '/baocao',
    example: 'QUY1',
    matches: (code) => /^(?:NAM|QUY|THANG)\d+$/.test(code),
    reason: 'lệnh /baocao hiểu đó là kỳ báo cáo',
  },
  {
    // /mohinh, /nhatky, /capnhat and the decisions read a model code before a unit.
    shape: 'a model code',
    readBy: '/mohinh, /nhatky',
    example: 'DVK-2026-0001',
    matches: (code) => parseModelCode(code) !== undefined,
    reason: 'đó là dạng mã mô hình (DVK-năm-số)',
  },
];

const WORDS = new Map(RESERVED_UNIT_WORDS.map((w) => [w.word, w]));

/** Why a unit cannot take this code (upper-case, as stored), or undefined when it can. */
export function reservedUnitCodeReason(code: string): string | undefined {
  const upper = code.toUpperCase();
  return WORDS.get(upper)?.reason ?? RESERVED_UNIT_SHAPES.find((s) => s.matches(upper))?.reason;
}
