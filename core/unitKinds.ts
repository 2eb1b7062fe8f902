import type { UnitKind } from './domain.js';
import { fold } from './text.js';

/**
 * The words for unit kinds, one list for every place that reads or names one: /themdonvi and
 * /suadonvi in chat, the unit import from a spreadsheet, the audit log, the operator's output.
 * Before this list the chat and the import each kept their own and disagreed ("biên phòng" was a
 * kind in chat and an error in a file).
 */

/** How a kind reads to officials. */
export const UNIT_KIND_LABEL: Record<UnitKind, string> = {
  province: 'Tỉnh',
  department: 'Sở, ban, ngành',
  district: 'Huyện, thành phố, thị xã',
  commune: 'Xã, phường, thị trấn',
  organisation: 'Tổ chức, đoàn thể',
  school: 'Trường học',
  hospital: 'Bệnh viện',
  armed_forces: 'Lực lượng vũ trang',
  enterprise: 'Doanh nghiệp',
  other: 'Khác',
};

/** Folded words officials type for each kind; the English values are accepted too (files made by other tools). */
const KIND_WORDS: Record<UnitKind, readonly string[]> = {
  province: ['tinh', 'province'],
  department: ['so', 'ban', 'nganh', 'department'],
  district: ['huyen', 'quan', 'thanh pho', 'thi xa', 'district'],
  commune: ['xa', 'phuong', 'thi tran', 'commune'],
  organisation: ['to chuc', 'doan the', 'mat tran', 'organisation', 'organization'],
  school: ['truong', 'truong hoc', 'school'],
  hospital: ['benh vien', 'hospital'],
  armed_forces: ['luc luong vu trang', 'cong an', 'quan su', 'quan doi', 'bien phong', 'armed_forces', 'armed forces'],
  enterprise: ['doanh nghiep', 'cong ty', 'enterprise'],
  other: ['khac', 'other'],
};

const KIND_BY_WORD = new Map<string, UnitKind>(Object.entries(KIND_WORDS).flatMap(([kind, words]) => words.map((w) => [w, kind as UnitKind] as const)));

/** The kinds as a hint lists them: "tỉnh; sở/ban/ngành; …". */
export const UNIT_KINDS_ACCEPTED = Object.values(UNIT_KIND_LABEL)
  .map((label) => label.toLocaleLowerCase('vi').replace(/, /g, '/'))
  .join('; ');

/**
 * The kind a typed word or label names: "Phường", "thi xa", "sở / ban / ngành", "Huyện, thành phố,
 * thị xã" (a label as written), "biên phòng". Several words must name one kind ("xã, sở" names none).
 */
export function unitKindOf(raw: string): UnitKind | undefined {
  const parts = fold(raw)
    .split(/[,/;|]|\s+(?:va|hoac)\s+/)
    .map((p) =>
      p
        .replace(/[^a-z0-9_ ]/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((p) => p !== '');
  const kinds = new Set(parts.map((p) => KIND_BY_WORD.get(p)));
  if (parts.length === 0 || kinds.size !== 1 || kinds.has(undefined)) return undefined;
  return [...kinds][0];
}
