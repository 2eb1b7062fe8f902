import type { Db } from '../db/client.js';
import type { UnitKind } from '../db/schema.js';
import { ancestorIds, unitById } from '../db/units.js';
import {
  BLANK,
  DEFAULT_SIGNER_TITLE,
  type DocxOptions,
  initials,
  isAdministrative,
  namesAdministrativeUnit,
  placeName,
  STATE_SIGNER_TITLE,
  upper,
} from './docxOptions.js';

/**
 * Who issues a Word report and who is above the issuer, from the issuing unit and its ancestors.
 *
 * A state body (Decree 30/2020/NĐ-CP): an administrative unit issues as "ỦY BAN NHÂN DÂN" + its
 * name, with no line above it; so does an organisation (the Mặt trận, a mass organisation) right
 * under an administrative unit, as it is not the committee's; any other unit prints its superior
 * above its own name — under a province or commune "UBND TỈNH HÀ TĨNH" (Decree 30 lets the
 * superior's common words be shortened), under another unit that unit's own issuing name. The place is the administrative
 * unit the body belongs to: a department of the province writes "Hà Tĩnh".
 *
 * A Party body (unit kind `party`; Quy định 399-QĐ/TW, Hướng dẫn 36-HD/VPTW) names its Party
 * superior instead:
 *  - a Ban (or the Ủy ban kiểm tra, the Văn phòng) of a provincial committee: "TỈNH ỦY HÀ TĨNH"
 *    above "BAN TUYÊN GIÁO VÀ DÂN VẬN" — "Tỉnh ủy" leaves the Ban's own line, since the line above
 *    says it; ký hiệu the Ban's initials and "TU": BTGDVTU;
 *  - an Đảng ủy (of a commune, of the provincial People's Committee…): "ĐẢNG BỘ TỈNH HÀ TĨNH"
 *    above "ĐẢNG ỦY XÃ CẨM BÌNH" or "ĐẢNG ỦY ỦY BAN NHÂN DÂN TỈNH" (Party documents write
 *    "UBND" out); ký hiệu "ĐU", as every Đảng ủy writes it (the line above tells them apart);
 *  - the Tỉnh ủy itself: "TỈNH ỦY HÀ TĨNH" alone, ký hiệu "TU";
 *  - a Party unit under another Party unit: that unit's own line above it.
 * Signing: "T/M BAN THƯỜNG VỤ / BÍ THƯ" for a committee (an Đảng ủy has a standing committee since
 * 2025), "TRƯỞNG BAN" for a Ban (the clerk turns it into "K/T TRƯỞNG BAN / PHÓ TRƯỞNG BAN" when a
 * deputy signs: the data cannot tell who will).
 */

export interface IssuerUnit {
  name: string;
  kind: UnitKind;
}

/** The unit and its ancestors, nearest first; empty when there is no such unit. */
export function issuerChain(db: Db, unitId: number): IssuerUnit[] {
  const chain: IssuerUnit[] = [];
  for (const id of ancestorIds(db, unitId)) {
    const unit = unitById(db, id);
    if (unit) chain.push({ name: unit.name.trim(), kind: unit.kind });
  }
  return chain;
}

/** The Word options of a report issued by `chain[0]` (its ancestors after it); undefined for an empty chain. */
export function issuerOptions(chain: readonly IssuerUnit[]): DocxOptions | undefined {
  const [unit] = chain;
  if (!unit) return undefined;
  return unit.kind === 'party' ? partyOptions(chain) : stateOptions(chain);
}

/** Reads the issuer of `unitId` and its options; undefined for a unit that is not there. */
export function issuerOptionsOf(db: Db, unitId: number): DocxOptions | undefined {
  return issuerOptions(issuerChain(db, unitId));
}

// ---------------------------------------------------------------------------------------------
// State bodies.

function stateOptions(chain: readonly IssuerUnit[]): DocxOptions {
  const [unit, parent] = chain as [IssuerUnit, IssuerUnit | undefined];
  // The Mặt trận and the mass organisations are not under the People's Committee of their place:
  // no "UBND TỈNH …" above them (one under the Mặt trận still names it).
  const independent = isAdministrative(unit.kind) || !parent || (unit.kind === 'organisation' && isAdministrative(parent.kind));
  const superior = independent ? undefined : stateSuperior(parent);
  return {
    format: 'state',
    issuer: stateIssuingName(unit),
    ...(superior ? { parentIssuer: superior } : {}),
    place: placeOf(chain),
    recipients: [BLANK],
    signer: { title: STATE_SIGNER_TITLE[unit.kind] ?? DEFAULT_SIGNER_TITLE },
  };
}

function stateIssuingName(unit: IssuerUnit): string {
  if (isAdministrative(unit.kind)) return `ỦY BAN NHÂN DÂN ${upper(unit.name)}`;
  return unit.kind === 'party' ? partyLine(unit) : upper(unit.name);
}

/** The line above a state body: its administrative parent's committee, shortened; otherwise the parent's name. */
function stateSuperior(parent: IssuerUnit): string {
  return isAdministrative(parent.kind) ? `UBND ${upper(parent.name)}` : stateIssuingName(parent);
}

/** The name of the administrative unit a body belongs to, without "Tỉnh/Xã…"; a blank when none is above it. */
function placeOf(chain: readonly IssuerUnit[]): string {
  const seat = chain.find((u) => isAdministrative(u.kind));
  return seat ? placeName(seat.name) : BLANK;
}

// ---------------------------------------------------------------------------------------------
// Party bodies.

type PartyBody = 'committee' | 'organ' | 'party_committee' | 'cell' | 'other';

const COMMITTEE = /^(Tỉnh|Thành)\s+(ủy|uỷ)(\s|$)/iu;
/** A Ban, the Ủy ban kiểm tra or the Văn phòng: organs of a committee, headed by it. */
const ORGAN = /^(Ban|(Ủy|Uỷ)\s+ban\s+kiểm\s+tra|Văn\s+phòng)(\s|$)/iu;
const PARTY_COMMITTEE = /^Đảng\s+(ủy|uỷ)(\s|$)/iu;
const CELL = /^Chi\s+bộ(\s|$)/iu;
/** "… Tỉnh ủy", "… Thành ủy Hà Nội" at the end of an organ's name: the committee it belongs to. */
const OF_COMMITTEE = /\s+(Tỉnh|Thành)\s+(ủy|uỷ)(\s+.*)?$/iu;

function partyBody(name: string): PartyBody {
  if (COMMITTEE.test(name)) return 'committee';
  if (ORGAN.test(name)) return 'organ';
  if (PARTY_COMMITTEE.test(name)) return 'party_committee';
  if (CELL.test(name)) return 'cell';
  return 'other';
}

function partyOptions(chain: readonly IssuerUnit[]): DocxOptions {
  const [unit, parent] = chain as [IssuerUnit, IssuerUnit | undefined];
  const body = partyBody(unit.name);
  const province = chain.slice(1).find((u) => u.kind === 'province');
  const superior = partySuperior(body, parent, province);
  return {
    format: 'party',
    issuer: partyLine(unit),
    ...(superior ? { parentIssuer: superior } : {}),
    place: partyPlace(unit, chain),
    recipients: [BLANK],
    signer: { title: partySigner(unit, body) },
    issuerCode: partyCode(unit, body, superior),
  };
}

/** Party signing writes "T/M" and "K/T" with a slash. */
function partySigner(unit: IssuerUnit, body: PartyBody): string {
  switch (body) {
    case 'organ':
      if (/^(Ủy|Uỷ)\s+ban\s+kiểm\s+tra/iu.test(unit.name)) return 'T/M ỦY BAN KIỂM TRA\nCHỦ NHIỆM';
      return /^Văn\s+phòng/iu.test(unit.name) ? 'CHÁNH VĂN PHÒNG' : 'TRƯỞNG BAN';
    case 'cell':
      return 'T/M CHI BỘ\nBÍ THƯ';
    default:
      return 'T/M BAN THƯỜNG VỤ\nBÍ THƯ';
  }
}

/** A Party unit's own line: an organ without the committee it belongs to, "UBND" written out. */
function partyLine(unit: IssuerUnit): string {
  const name = partyBody(unit.name) === 'organ' ? unit.name.replace(OF_COMMITTEE, '') : unit.name;
  return upper(name.replace(/\bUBND\b/gu, 'Ủy ban nhân dân'));
}

/**
 * The line above a Party unit. Above an organ (a Ban): the committee it serves — the Party unit
 * above it, or the province's "TỈNH ỦY HÀ TĨNH". Above an Đảng ủy or a cell: the Party
 * organisation (đảng bộ) one level up — of the committee above it ("Đảng ủy xã Cẩm Bình" →
 * "ĐẢNG BỘ XÃ CẨM BÌNH"), or of the province ("ĐẢNG BỘ TỈNH HÀ TĨNH"). Nothing above a Tỉnh ủy.
 */
function partySuperior(body: PartyBody, parent: IssuerUnit | undefined, province: IssuerUnit | undefined): string | undefined {
  if (body === 'committee') return undefined;
  if (parent?.kind === 'party') {
    const parentBody = partyBody(parent.name);
    if (body === 'organ' || (parentBody !== 'committee' && parentBody !== 'party_committee')) return partyLine(parent);
    return organisationOf(parent);
  }
  if (!province) return undefined;
  return body === 'organ' ? committeeOf(province) : `ĐẢNG BỘ ${upper(province.name)}`;
}

/**
 * The đảng bộ a committee leads: "Tỉnh ủy Hà Tĩnh" → "ĐẢNG BỘ TỈNH HÀ TĨNH", "Thành ủy Hà Nội" →
 * "ĐẢNG BỘ THÀNH PHỐ HÀ NỘI", "Đảng ủy xã Cẩm Bình" → "ĐẢNG BỘ XÃ CẨM BÌNH".
 */
function organisationOf(committee: IssuerUnit): string {
  const led = committee.name
    .replace(/^Tỉnh\s+(ủy|uỷ)\s+/iu, 'Tỉnh ')
    .replace(/^Thành\s+(ủy|uỷ)\s+/iu, 'Thành phố ')
    .replace(/^Đảng\s+(ủy|uỷ)\s+/iu, '');
  return `ĐẢNG BỘ ${partyLine({ name: led, kind: 'party' })}`;
}

/** "Tỉnh Hà Tĩnh" → "TỈNH ỦY HÀ TĨNH"; "Thành phố Hà Nội" → "THÀNH ỦY HÀ NỘI". */
function committeeOf(province: IssuerUnit): string {
  const word = /^Thành phố\s/u.test(province.name) ? 'THÀNH ỦY' : 'TỈNH ỦY';
  return `${word} ${upper(placeName(province.name))}`;
}

/**
 * "BTGDVTU" for the Ban Tuyên giáo và Dân vận of a Tỉnh ủy (the Ban's initials and "TU"), "ĐU"
 * for an Đảng ủy, "TU" for a Tỉnh ủy or Thành ủy, the initials otherwise.
 */
function partyCode(unit: IssuerUnit, body: PartyBody, superior: string | undefined): string {
  if (body === 'committee') return 'TU';
  if (body === 'party_committee') return 'ĐU';
  const own = initials(partyLine(unit));
  const ofCommittee = body === 'organ' && (OF_COMMITTEE.test(unit.name) || (superior !== undefined && /^(TỈNH|THÀNH) ỦY\s/u.test(superior)));
  return ofCommittee ? `${own}TU` : own;
}

/**
 * The place of a Party body: the commune its name says ("Đảng ủy xã Cẩm Bình" → "Cẩm Bình"),
 * otherwise the administrative unit above it (a Ban of the Tỉnh ủy writes "Hà Tĩnh").
 */
function partyPlace(unit: IssuerUnit, chain: readonly IssuerUnit[]): string {
  const m = /^(?:Đảng\s+(?:ủy|uỷ)|Chi\s+bộ)\s+(.+)$/iu.exec(unit.name);
  if (m) {
    const named = m[1]!.charAt(0).toLocaleUpperCase('vi') + m[1]!.slice(1);
    if (namesAdministrativeUnit(named)) return placeName(named);
  }
  return placeOf(chain);
}
