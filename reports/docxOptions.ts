import type { ReportData } from '../db/reportData.js';
import type { UnitKind } from '../db/schema.js';

/**
 * What the header and the signing block of a Word report say: who issues it, who is above the
 * issuer, where and in which format (a state body's, Decree 30/2020/NĐ-CP; a Party body's,
 * Quy định 399-QĐ/TW and Hướng dẫn 36-HD/VPTW). Plain data without the docx package, so the
 * issuer can be worked out on any thread and carried to the one that lays the document out.
 */

/** State: Decree 30/2020/NĐ-CP. Party: Quy định 399-QĐ/TW with Hướng dẫn 36-HD/VPTW. */
export type DocumentFormat = 'state' | 'party';

export interface DocxOptions {
  /** Which rules lay the document out; a state body's when not said. */
  format?: DocumentFormat;
  /** Cơ quan ban hành, upper case: "SỞ NỘI VỤ", "BAN TUYÊN GIÁO VÀ DÂN VẬN". */
  issuer: string;
  /** The issuer's superior, upper case, printed above it: "UBND TỈNH HÀ TĨNH", "TỈNH ỦY HÀ TĨNH". */
  parentIssuer?: string;
  /** Địa danh of the place and date line: "Hà Tĩnh". */
  place: string;
  /** Nơi nhận, without the leading "- " and the trailing ";"; the archive copy is always added last. */
  recipients?: string[];
  /** Quyền hạn and chức vụ, upper case, lines split by "\n" ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"). */
  signer?: { title: string; name?: string };
  /**
   * Ký hiệu of the issuer: after "BC-" in a state number ("Số: …/BC-SNV"), after "BC/" in a Party
   * one ("Số …-BC/BTGDVTU"); default: the initials of `issuer`.
   */
  issuerCode?: string;
}

/** A blank the clerk fills in (a place the data cannot tell, an unknown recipient). */
export const BLANK = '……';

export const ADMINISTRATIVE_KINDS: readonly UnitKind[] = ['province', 'district', 'commune'];

export function isAdministrative(kind: UnitKind): boolean {
  return ADMINISTRATIVE_KINDS.includes(kind);
}

/** The head's usual title for a state unit's kind (Decree 30 writes "TM." and "KT." with a dot). */
export const STATE_SIGNER_TITLE: Partial<Record<UnitKind, string>> = {
  province: 'TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH',
  district: 'TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH',
  commune: 'TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH',
  department: 'GIÁM ĐỐC',
};

export const DEFAULT_SIGNER_TITLE = 'THỦ TRƯỞNG ĐƠN VỊ';

/**
 * The options a caller without better knowledge uses: the report's root unit (or, for the whole
 * deployment, its single top unit) is the issuer — "ỦY BAN NHÂN DÂN …" for a province, district
 * or commune, its own name otherwise; the place is that administrative unit's name without
 * "Tỉnh/Huyện/Xã…", and a blank for other units, whose seat the data does not know; the
 * recipient is a blank; the signer is the head's usual title for the unit's kind, without a name.
 * When the issuer is known (the person who asks, reports/issuer.ts), its options replace these.
 */
export function docxOptionsFor(data: ReportData): DocxOptions {
  const tops = data.units.filter((u) => u.depth === 0);
  const unit = data.root ?? (tops.length === 1 ? tops[0]! : null);
  if (!unit) return { issuer: BLANK, place: BLANK, recipients: [BLANK], signer: { title: DEFAULT_SIGNER_TITLE } };
  const administrative = isAdministrative(unit.kind);
  return {
    issuer: administrative ? `ỦY BAN NHÂN DÂN ${upper(unit.name)}` : upper(unit.name),
    place: administrative ? placeName(unit.name) : BLANK,
    recipients: [BLANK],
    signer: { title: STATE_SIGNER_TITLE[unit.kind] ?? DEFAULT_SIGNER_TITLE },
  };
}

/**
 * "Tỉnh Hà Tĩnh" → "Hà Tĩnh". Decree 30 keeps the full name of a unit named by a number or after
 * a person ("Phường 1", "Thành phố Hồ Chí Minh"); only those two cases can be told from the name.
 */
export function placeName(unitName: string): string {
  if (unitName === 'Thành phố Hồ Chí Minh') return unitName;
  const m = ADMINISTRATIVE_NAME.exec(unitName.trim());
  if (!m || /^\d+$/.test(m[2]!)) return unitName.trim();
  return m[2]!;
}

const ADMINISTRATIVE_NAME = /^(Tỉnh|Thành phố|Huyện|Quận|Thị xã|Thị trấn|Xã|Phường|Đặc khu)\s+(.+)$/u;

/** Whether a name is an administrative unit's ("Xã Cẩm Bình", "Tỉnh Hà Tĩnh"). */
export function namesAdministrativeUnit(name: string): boolean {
  return ADMINISTRATIVE_NAME.test(name.trim());
}

/**
 * "SỞ GIÁO DỤC VÀ ĐÀO TẠO" → "SGDĐT"; a people's committee is "UBND" whatever its place. The
 * first letter of each word without its tone and vowel marks (Ủ → U), but Đ stays Đ, as clerks
 * write it.
 */
export function initials(issuer: string): string {
  if (/^(ỦY|UỶ) BAN NHÂN DÂN(\s|$)|^UBND(\s|$)/u.test(issuer)) return 'UBND';
  const words = issuer.split(/\s+/).filter((w) => /\p{L}/u.test(w) && upper(w) !== 'VÀ');
  const code = words.map((w) => upper(w).normalize('NFD').charAt(0)).join('');
  return code === '' ? BLANK : code;
}

export function upper(text: string): string {
  return text.toLocaleUpperCase('vi');
}
