import { UNIT_KINDS, type UnitKind } from './domain.js';
import { fold } from './text.js';

/**
 * The words for unit kinds, one list for every place that reads or names one: /themdonvi and
 * /suadonvi in chat, the unit import from a spreadsheet, the audit log, the operator's output.
 * Before this list the chat and the import each kept their own and disagreed ("biên phòng" was a
 * kind in chat and an error in a file).
 *
 * Since 1/7/2025 local government has two levels (province, commune): the district level and
 * thị trấn are gone. Old trees and old spreadsheets still hold them, so their words are still
 * read, marked as former, and never offered for a new unit.
 */

/** How a kind reads to officials. A former kind says so, so a unit that still is one shows it. */
export const UNIT_KIND_LABEL: Record<UnitKind, string> = {
  province: 'Tỉnh, thành phố trực thuộc trung ương',
  party: 'Cơ quan Đảng',
  department: 'Sở, ban, ngành',
  district: 'Huyện, quận, thị xã, thành phố thuộc tỉnh (cấp huyện cũ, trước 1/7/2025)',
  commune: 'Xã, phường, đặc khu',
  organisation: 'Mặt trận và đoàn thể',
  school: 'Trường học',
  hospital: 'Bệnh viện',
  armed_forces: 'Lực lượng vũ trang',
  enterprise: 'Doanh nghiệp',
  other: 'Khác',
};

/** Kinds that no longer exist: kept for old data, never set on a unit by /themdonvi or /suadonvi. */
const FORMER_KINDS: ReadonlySet<UnitKind> = new Set<UnitKind>(['district']);

export function isFormerKind(kind: UnitKind): boolean {
  return FORMER_KINDS.has(kind);
}

/** The kinds a new unit may take, in the order they are offered. */
export const CURRENT_UNIT_KINDS: readonly UnitKind[] = UNIT_KINDS.filter((k) => !isFormerKind(k));

/**
 * Folded words officials type for each kind; the English values are accepted too (files made by
 * other tools). A word of several words also names its kind at the start of a longer text
 * ("Đảng ủy UBND tỉnh", "Ủy ban MTTQ tỉnh"); a single word only alone, so "hội đồng" is not "hội".
 *
 * "ban" stays a department word: it is in the label "Sở, ban, ngành" officials have typed for
 * years, and state bodies are called "ban" too (Ban Quản lý khu kinh tế, Ban Dân tộc). A Party
 * "ban" is named in full ("Ban Tuyên giáo và Dân vận", "ban tổ chức tỉnh ủy") and read as such.
 */
const KIND_WORDS: Record<UnitKind, readonly string[]> = {
  province: ['tinh', 'thanh pho truc thuoc trung uong', 'truc thuoc trung uong', 'thanh pho cap tinh', 'cap tinh', 'province'],
  party: [
    'co quan dang',
    'dang',
    'dang uy',
    'dang uy xa phuong',
    'tinh uy',
    'thanh uy',
    'ban tuyen giao',
    'ban tuyen giao va dan van',
    'ban dan van',
    'dan van',
    'ban to chuc',
    'uy ban kiem tra',
    'chi bo',
    'dang bo',
    'party',
  ],
  department: ['so', 'ban', 'nganh', 'so ban nganh', 'co quan chuyen mon', 'department'],
  district: ['district'],
  commune: ['xa', 'phuong', 'dac khu', 'commune'],
  organisation: [
    'mat tran',
    'mat tran to quoc',
    'mttq',
    'uy ban mttq',
    'uy ban mat tran',
    'uy ban mat tran to quoc',
    'doan the',
    'to chuc',
    'hoi',
    'doan thanh nien',
    'tinh doan',
    'thanh doan',
    'hoi lhpn',
    'hoi lien hiep phu nu',
    'hoi phu nu',
    'hoi nong dan',
    'hoi cuu chien binh',
    'hoi ccb',
    'lien doan lao dong',
    'cong doan',
    'organisation',
    'organization',
  ],
  school: ['truong', 'truong hoc', 'school'],
  hospital: ['benh vien', 'trung tam y te', 'hospital'],
  armed_forces: ['luc luong vu trang', 'cong an', 'quan su', 'quan doi', 'bien phong', 'bo chi huy quan su', 'armed_forces', 'armed forces'],
  enterprise: ['doanh nghiep', 'cong ty', 'enterprise'],
  other: ['khac', 'other'],
};

/**
 * Words of what no longer exists since 1/7/2025, read as the kind they were: the district level
 * (its kind is former as a whole) and the thị trấn among communes, the district Party committees.
 */
const FORMER_WORDS: Record<string, UnitKind> = {
  huyen: 'district',
  quan: 'district',
  'thi xa': 'district',
  'thanh pho thuoc tinh': 'district',
  'thuoc tinh': 'district',
  'cap huyen': 'district',
  'cap huyen cu': 'district',
  'thanh pho cap huyen': 'district',
  'thi tran': 'commune',
  'huyen uy': 'party',
  'quan uy': 'party',
  'thi uy': 'party',
};

/** Alone, "thành phố" is a province-level city or a former district-level one: the parent decides. */
const CITY_WORDS = new Set(['thanh pho', 'tp']);

type WordReading = { kind: UnitKind; former: boolean } | { city: true };

const READING_BY_WORD = new Map<string, WordReading>([
  ...Object.entries(KIND_WORDS).flatMap(([kind, words]) => words.map((w) => [w, { kind: kind as UnitKind, former: isFormerKind(kind as UnitKind) }] as const)),
  ...Object.entries(FORMER_WORDS).map(([w, kind]) => [w, { kind, former: true }] as const),
  ...[...CITY_WORDS].map((w) => [w, { city: true }] as const),
]);

/** Words of two or more words, longest first: they also name their kind at the start of a text. */
const LEADING_WORDS = [...READING_BY_WORD.keys()].filter((w) => w.includes(' ')).sort((a, b) => b.length - a.length);

function readWord(part: string): WordReading | undefined {
  const exact = READING_BY_WORD.get(part);
  if (exact) return exact;
  const leading = LEADING_WORDS.find((w) => part.startsWith(`${w} `));
  return leading === undefined ? undefined : READING_BY_WORD.get(leading);
}

/**
 * What a typed kind says: a kind (`former` when the kind or the word used is from before
 * 1/7/2025: "huyện", "thị trấn"), or `city` for "thành phố" alone, which the parent decides
 * (see `cityKind`).
 */
export type UnitKindReading = { kind: UnitKind; former: boolean; city?: undefined } | { city: true; kind?: undefined; former?: undefined };

/**
 * The kind a typed word or label names: "Phường", "dac khu", "sở / ban / ngành", "Xã, phường, đặc
 * khu" (a label as written, its note in brackets ignored), "Đảng ủy xã/phường", "biên phòng".
 * Several words must name one kind ("xã, sở" names none); "thành phố" beside district or province
 * words takes their kind ("Huyện, thành phố, thị xã").
 */
export function readUnitKind(raw: string): UnitKindReading | undefined {
  const text = fold(raw.replace(/\([^)]*\)/g, ' '));
  const whole = READING_BY_WORD.get(tidy(text.replace(/[,/;|]/g, ' ')));
  if (whole) return 'city' in whole ? { city: true } : { ...whole };
  const parts = text
    .split(/[,/;|]|\s+(?:va|hoac)\s+/)
    .map(tidy)
    .filter((p) => p !== '');
  if (parts.length === 0) return undefined;
  const readings = parts.map(readWord);
  if (readings.some((r) => r === undefined)) return undefined;
  const kinds = new Set(readings.flatMap((r) => (r && !('city' in r) ? [r.kind] : [])));
  const city = readings.some((r) => r && 'city' in r);
  if (kinds.size === 0) return city ? { city: true } : undefined;
  if (kinds.size !== 1) return undefined;
  const kind = [...kinds][0]!;
  // "thành phố" among other words is a city of that level; beside any other kind it is a mix.
  if (city && kind !== 'province' && kind !== 'district') return undefined;
  return { kind, former: isFormerKind(kind) || readings.some((r) => r && 'former' in r && r.former) };
}

function tidy(part: string): string {
  return part
    .replace(/[^a-z0-9_ ]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * What "thành phố" alone means under a parent: under a province, a thành phố thuộc tỉnh (a former
 * district-level city); at the root or under anything else, a province-level city.
 */
export function cityKind(parentKind: UnitKind | null | undefined): UnitKind {
  return parentKind === 'province' ? 'district' : 'province';
}

/** The kind a typed text names, "thành phố" decided by the parent's kind (none = the root). */
export function unitKindOf(raw: string, parentKind?: UnitKind | null): UnitKind | undefined {
  const reading = readUnitKind(raw);
  if (!reading) return undefined;
  return reading.city ? cityKind(parentKind) : reading.kind;
}

/** The kinds as a hint lists them, current kinds only: "tỉnh/thành phố trực thuộc trung ương; cơ quan đảng; …". */
export const UNIT_KINDS_ACCEPTED = CURRENT_UNIT_KINDS.map((kind) => UNIT_KIND_LABEL[kind].toLocaleLowerCase('vi').replace(/, /g, '/')).join('; ');

/** A question for "thành phố" alone when the parent is not known yet. */
export const CITY_QUESTION = 'Thành phố trực thuộc trung ương (cấp tỉnh) hay thành phố thuộc tỉnh (cấp huyện cũ)?';
