import { fileURLToPath } from 'node:url';
import { VN_OFFSET_MS, vnParts } from '../core/clock.js';
import { modelCode } from '../core/modelCode.js';
import { fold, nfc } from '../core/text.js';
import type { AppDatabase } from '../db/client.js';
import { CODE_ALPHABET, JOIN_CODE_LENGTH } from '../db/codes.js';
import { syncCalendarDeadlines } from '../db/deadlines.js';
import { ensureDefaults } from '../db/defaults.js';
import { type HolderType, type ModelKind, type ModelState, type UnitKind, fields } from '../db/schema.js';
import { loadCalendar } from '../scheduler/calendarConfig.js';
import { seededRandom } from './seededRandom.js';
import { FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES, MODEL_NAME_LEADS, MODEL_TOPICS, PLACE_FIRST, PLACE_SECOND, squash } from './vietnameseNames.js';

/**
 * A synthetic country for the report benchmarks: a central steering committee over provinces,
 * each province a tree of departments, districts, communes, schools…; a year of models and their
 * progress updates. Deterministic (a seeded PRNG), so every run measures the same data.
 *
 * Rows are written with prepared statements in one transaction on the raw better-sqlite3 handle:
 * 300,000 updates through the ORM would take longer than the reports they feed. Only what the
 * reports read is written (each model's state history too, which a report on a past period
 * replays; no chats or roles); the shipped calendar is loaded as in production, since it says
 * which units owe a quota.
 */

export interface NationalOptions {
  units: number;
  models: number;
  updates: number;
  /** Provinces under the root; the other units are shared out evenly between them. */
  provinces?: number;
  year?: number;
  seed?: number;
  /** Every update is sent before this instant (and within `year`). */
  now?: Date;
}

export interface NationalDataset {
  rootId: number;
  /** Each province and the size of its subtree (itself included). */
  provinces: { id: number; name: string; units: number }[];
  units: number;
  models: number;
  updates: number;
  quotas: number;
  people: number;
}

export const NATIONAL: NationalOptions = { units: 10_000, models: 30_000, updates: 300_000 };
export const DATASET_NOW = new Date('2026-12-20T09:00:00+07:00');

const CALENDAR = fileURLToPath(new URL('../config/calendar.json', import.meta.url));
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Names. Place names are two syllables (vietnameseNames.ts); a province draws its own shuffled
// pairs, so they repeat across provinces (as "Xã Tân Hòa" does in real life) but seldom inside one.

const PROVINCES: readonly (readonly [string, string])[] = [
  ['Hà Tĩnh', 'HT'],
  ['Nghệ An', 'NA'],
  ['Thanh Hóa', 'TH'],
  ['Quảng Trị', 'QT'],
  ['Quảng Ngãi', 'QN'],
  ['Đắk Lắk', 'DL'],
  ['Lâm Đồng', 'LD'],
  ['Đồng Tháp', 'DT'],
  ['An Giang', 'AG'],
  ['Cà Mau', 'CM'],
];
const DEPARTMENTS = [
  'Sở Nội vụ',
  'Sở Tài chính',
  'Sở Y tế',
  'Sở Giáo dục và Đào tạo',
  'Sở Nông nghiệp và Môi trường',
  'Sở Tư pháp',
  'Sở Xây dựng',
  'Sở Công Thương',
  'Sở Khoa học và Công nghệ',
  'Sở Văn hóa, Thể thao và Du lịch',
  'Văn phòng Ủy ban nhân dân tỉnh',
  'Thanh tra tỉnh',
  'Sở Dân tộc và Tôn giáo',
  'Bảo hiểm xã hội tỉnh',
  'Đài Phát thanh và Truyền hình tỉnh',
  'Ban Quản lý các khu công nghiệp tỉnh',
];
const ORGANISATIONS = [
  'Ban Tuyên giáo và Dân vận Tỉnh ủy',
  'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh',
  'Hội Liên hiệp Phụ nữ tỉnh',
  'Tỉnh đoàn',
  'Hội Nông dân tỉnh',
  'Hội Cựu chiến binh tỉnh',
  'Liên đoàn Lao động tỉnh',
  'Văn phòng Tỉnh ủy',
];
const ARMED_FORCES = ['Công an tỉnh', 'Bộ Chỉ huy Quân sự tỉnh', 'Bộ Chỉ huy Bộ đội Biên phòng tỉnh', 'Trại giam Công an tỉnh'];
const DISTRICT_PREFIX = ['Huyện', 'Thị xã', 'Huyện', 'Thành phố', 'Huyện'];
const COMMUNE_PREFIX = ['Xã', 'Phường', 'Xã', 'Thị trấn', 'Xã'];
const SCHOOL_PREFIX = ['Trường Tiểu học', 'Trường Trung học cơ sở', 'Trường Mầm non', 'Trường Trung học phổ thông'];
const HOSPITAL_PREFIX = ['Trung tâm Y tế', 'Bệnh viện Đa khoa khu vực'];
const AGENCIES = [
  'Chi cục Thủy lợi',
  'Chi cục Kiểm lâm',
  'Trung tâm Dịch vụ việc làm',
  'Chi cục Thú y',
  'Trung tâm Khuyến nông',
  'Trung tâm Phục vụ hành chính công',
  'Chi cục Quản lý đất đai',
  'Trung tâm Văn hóa - Điện ảnh',
];
const ENTERPRISE_PREFIX = ['Hợp tác xã Nông nghiệp', 'Công ty Cổ phần Môi trường', 'Quỹ Tín dụng nhân dân'];

/** Top units of a province, cycled: per ten, three districts, four departments, two organisations, one armed force. */
const TOP_PATTERN: readonly UnitKind[] = [
  'district',
  'department',
  'organisation',
  'department',
  'district',
  'armed_forces',
  'department',
  'district',
  'organisation',
  'department',
];

const POSITIONS = [
  'Chủ tịch Ủy ban nhân dân',
  'Phó Chủ tịch Ủy ban nhân dân',
  'Trưởng phòng',
  'Phó Giám đốc',
  'Bí thư Chi bộ',
  'Chủ tịch Ủy ban Mặt trận Tổ quốc',
  'Trưởng ban Dân vận',
  'Hiệu trưởng',
];

const UPDATE_TEXT = [
  (n: number, m: number, p: string) => `Tổ chức ${n} buổi tuyên truyền tại các thôn, tổ dân phố ở ${p}; vận động ${m} hộ dân ký cam kết tham gia mô hình.`,
  (n: number, m: number, p: string) => `Hoàn thành ${n} hạng mục theo kế hoạch; nhân dân ${p} đóng góp ${m} ngày công và một phần kinh phí thực hiện.`,
  (n: number, m: number, p: string) => `Tiếp nhận ${m} ý kiến, kiến nghị của người dân ${p}; đã giải quyết dứt điểm ${n} trường hợp, số còn lại đang xử lý.`,
  (n: number, m: number, p: string) =>
    `Phối hợp Mặt trận và các đoàn thể ở ${p} ra quân ${n} đợt, thu hút ${m} lượt người tham gia; kết quả được nhân dân đồng tình.`,
];
const CONTENT = (topic: string, place: string, n: number) =>
  `Cán bộ bám cơ sở, đến từng hộ ở ${place} tuyên truyền, vận động nhân dân ${topic}; sơ kết hằng quý, nhân rộng cách làm hay ra ${n} thôn, tổ dân phố.`;

// ---------------------------------------------------------------------------------------------

interface UnitRow {
  id: number;
  name: string;
  shortCode: string;
  kind: UnitKind;
  parentId: number | null;
  /** The place the unit is named after (for the texts of its models). */
  place: string;
  provinceIndex: number;
}

/** Fills `db` (freshly migrated, empty) with the country; returns what it wrote. */
export function generateNationalDataset(app: AppDatabase, options: NationalOptions): NationalDataset {
  const year = options.year ?? 2026;
  const now = options.now ?? DATASET_NOW;
  const random = seededRandom(options.seed ?? 20_261_015);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const weighted = <T extends string>(table: readonly (readonly [T, number])[]): T => {
    let r = random() * table.reduce((s, [, w]) => s + w, 0);
    for (const [value, w] of table) if ((r -= w) < 0) return value;
    return table[table.length - 1]![0];
  };
  const personName = () => `${pick(FAMILY_NAMES)} ${pick(MIDDLE_NAMES)} ${pick(GIVEN_NAMES)}`;

  ensureDefaults(app.db, now);
  const setupAt = Date.UTC(year, 0, 2, 1);
  const units = buildUnits(options.units, options.provinces ?? PROVINCES.length, random);
  syncCalendarDeadlines(app.db, loadCalendar(CALENDAR).deadlines, new Date(setupAt));

  const fieldIds = app.db
    .select({ id: fields.id })
    .from(fields)
    .all()
    .map((f) => f.id);
  const yearStart = Date.UTC(year, 0, 1) - VN_OFFSET_MS;
  const yearEnd = Math.min(Date.UTC(year + 1, 0, 1) - VN_OFFSET_MS, now.getTime());
  const day = (ms: number) => new Date(ms + VN_OFFSET_MS).toISOString().slice(0, 10);

  // Which units register: not the root nor the provinces (they collect), and about one unit in
  // eight not at all, so the quota and "no model" lists have names in them.
  const KIND_WEIGHT: Record<UnitKind, number> = {
    province: 0,
    party: 2,
    department: 3,
    district: 4,
    commune: 1,
    organisation: 2,
    school: 0.6,
    hospital: 1,
    armed_forces: 3,
    enterprise: 0.5,
    other: 0.8,
  };
  const cumulative: number[] = [];
  const registering: UnitRow[] = [];
  let total = 0;
  for (const u of units) {
    if (u.parentId === null || u.kind === 'province' || random() < 0.12) continue;
    total += KIND_WEIGHT[u.kind];
    cumulative.push(total);
    registering.push(u);
  }
  const pickUnit = (): UnitRow => {
    const r = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return registering[lo]!;
  };

  const s = app.sqlite;
  const insertUnit = s.prepare(
    'insert into units (id, name, short_code, kind, parent_id, join_code, active, created_at, updated_at) values (?, ?, ?, ?, ?, ?, 1, ?, ?)',
  );
  const insertPerson = s.prepare('insert into people (id, display_name, unit_id, position, created_at, updated_at) values (?, ?, ?, ?, ?, ?)');
  const insertQuota = s.prepare('insert into unit_quotas (unit_id, year, required) values (?, ?, ?)');
  const insertModel =
    s.prepare(`insert into models (id, code, year, unit_id, kind, holder_type, holder_name, field_id, name, name_key, content, expected_result,
    start_date, end_date, person_in_charge, state, replicated_at, commended_at, created_by, created_at, updated_at)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertHistory = s.prepare('insert into model_state_history (model_id, from_state, to_state, at) values (?, ?, ?, ?)');
  const insertUpdate =
    s.prepare(`insert into progress_updates (model_id, author_person_id, text, percent, progress_state, period_year, period_month, period_quarter, created_at, updated_at)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  let quotas = 0;
  let updates = 0;
  s.transaction(() => {
    const joinCodes = new Set<string>();
    for (const u of units) {
      let code: string;
      do code = Array.from({ length: JOIN_CODE_LENGTH }, () => CODE_ALPHABET[Math.floor(random() * CODE_ALPHABET.length)]).join('');
      while (joinCodes.has(code));
      joinCodes.add(code);
      insertUnit.run(u.id, u.name, u.shortCode, u.kind, u.parentId, code, setupAt, setupAt);
      // One officer per unit: the author of its updates and the one who registered its models.
      insertPerson.run(u.id, personName(), u.id, pick(POSITIONS), setupAt, setupAt);
    }

    // The root collects, it owes nothing; a few units were asked for more, a few exempted;
    // some rows of the year before must not count.
    insertQuota.run(units[0]!.id, year, 0);
    quotas++;
    for (const u of units) {
      if (u.parentId === null) continue;
      const r = random();
      if (r < 0.08) {
        insertQuota.run(u.id, year, r < 0.01 ? 0 : int(2, 3));
        quotas++;
      }
      if (random() < 0.02) {
        insertQuota.run(u.id, year - 1, int(1, 3));
        quotas++;
      }
    }

    // Most models are registered before the 30/01 deadline; codes follow registration order.
    const registeredAt = Array.from(
      { length: options.models },
      () => yearStart + (random() < 0.8 ? int(4, 28) : int(29, 300)) * DAY_MS + int(7, 17) * 3_600_000,
    ).sort((a, b) => a - b);
    const namesByUnit = new Map<number, Set<string>>();
    const reporting: { id: number; unitId: number; place: string; from: number; to: number; done: boolean }[] = [];
    for (let i = 0; i < options.models; i++) {
      const id = i + 1;
      const unit = pickUnit();
      const createdAt = registeredAt[i]!;
      const state = weighted<ModelState>([
        ['pending', 8],
        ['returned', 4],
        ['in_progress', 50],
        ['proposed', 13],
        ['recognised', 20],
        ['not_recognised', 5],
      ]);
      const kind = weighted<ModelKind>([
        ['dan_van_kheo', 6],
        ['diem_sang_chinh_quyen', 2],
        ['diem_sang_qcdc', 2],
      ]);
      const holder = weighted<HolderType>([
        ['collective', 8],
        ['individual', 2],
      ]);
      const topic = pick(MODEL_TOPICS);
      const taken = namesByUnit.get(unit.id) ?? new Set<string>();
      namesByUnit.set(unit.id, taken);
      let name = `${pick(MODEL_NAME_LEADS)} ${topic}`;
      for (let n = 2; taken.has(fold(name)); n++) name = `${pick(MODEL_NAME_LEADS)} ${topic} (giai đoạn ${n})`;
      taken.add(fold(name));
      // A mix of dates: most run the year through, some end mid-year, some start late.
      const start = Math.min(createdAt + int(0, 40) * DAY_MS, yearStart + 320 * DAY_MS);
      const end = Math.min(yearStart + 364 * DAY_MS, start + (random() < 0.25 ? int(45, 150) : int(150, 330)) * DAY_MS);
      const recognised = state === 'recognised';
      const afterLife = (p: number) => (recognised && random() < p ? yearStart + int(290, 350) * DAY_MS : null);
      const inCharge = `${personName()}, ${pick(POSITIONS)}`;
      // Set inside the call below, where they always were drawn, so the random sequence (and so the dataset) stays as before.
      let replicatedAt: number | null = null;
      let commendedAt: number | null = null;
      insertModel.run(
        id,
        modelCode(year, id),
        year,
        unit.id,
        kind,
        holder,
        holder === 'individual' ? personName() : null,
        fieldIds[Math.min(fieldIds.length - 1, Math.floor(random() ** 1.3 * fieldIds.length))]!,
        nfc(name),
        fold(name),
        CONTENT(topic, unit.place, int(3, 40)),
        random() < 0.85 ? `Tối thiểu ${int(60, 100)}% hộ dân tham gia; ${int(2, 20)} khu dân cư đạt chuẩn.` : null,
        day(start),
        day(end),
        inCharge,
        state,
        (replicatedAt = afterLife(0.3)),
        (commendedAt = afterLife(0.25)),
        unit.id,
        createdAt,
        createdAt,
      );
      writeHistory(insertHistory, id, state, createdAt, yearStart, replicatedAt, commendedAt);
      // Approved models report; about one in eight carried out without a word, so some units are late.
      if (state === 'pending' || state === 'returned' || (state === 'in_progress' && random() < 0.12)) continue;
      reporting.push({
        id,
        unitId: unit.id,
        place: unit.place,
        from: Math.max(start, createdAt),
        to: Math.min(end + 10 * DAY_MS, yearEnd - 1),
        done: state !== 'in_progress',
      });
    }

    const perModel = new Uint32Array(reporting.length);
    for (let i = 0; i < options.updates; i++) perModel[Math.floor(random() * reporting.length)]!++;
    reporting.forEach((m, k) => {
      const n = perModel[k]!;
      const span = Math.max(1, m.to - m.from);
      const times = Array.from({ length: n }, () => m.from + Math.floor(random() * span)).sort((a, b) => a - b);
      const target = m.done ? 100 : int(40, 95);
      times.forEach((at, j) => {
        const last = j === n - 1;
        const percent = random() < 0.05 ? null : Math.max(1, Math.round(((j + 1) / n) * target));
        const p = vnParts(new Date(at));
        const text = pick(UPDATE_TEXT)(int(2, 30), int(20, 900), m.place);
        insertUpdate.run(m.id, m.unitId, text, percent, last && target === 100 ? 'done' : 'in_progress', p.year, p.month, Math.ceil(p.month / 3), at, at);
        updates++;
      });
    });
  })();

  const bySubtree = new Map<number, number>();
  for (const u of units) if (u.kind === 'province') bySubtree.set(u.provinceIndex, 0);
  for (const u of units) if (u.provinceIndex >= 0) bySubtree.set(u.provinceIndex, (bySubtree.get(u.provinceIndex) ?? 0) + 1);
  return {
    rootId: units[0]!.id,
    provinces: units.filter((u) => u.kind === 'province').map((u) => ({ id: u.id, name: u.name, units: bySubtree.get(u.provinceIndex)! })),
    units: units.length,
    models: options.models,
    updates,
    quotas,
    people: units.length,
  };
}

// ---------------------------------------------------------------------------------------------

/** The unit tree, parents before children, ids 1…n. */
/**
 * A model's life in model_state_history, for the reports that replay it to a period's end: at
 * fixed offsets (no random draw), registered, decided two days later, proposed half-way to early
 * October, decided on five days after; then its nhân rộng / biểu dương at their own instants.
 */
function writeHistory(
  insert: { run: (...values: unknown[]) => unknown },
  id: number,
  state: ModelState,
  createdAt: number,
  yearStart: number,
  replicatedAt: number | null,
  commendedAt: number | null,
): void {
  insert.run(id, null, 'pending', createdAt);
  if (state === 'pending') return;
  const approvedAt = createdAt + 2 * DAY_MS;
  insert.run(id, 'pending', state === 'returned' ? 'returned' : 'in_progress', approvedAt);
  if (state === 'returned' || state === 'in_progress') return;
  const proposedAt = approvedAt + Math.max(DAY_MS, Math.floor((yearStart + 280 * DAY_MS - approvedAt) / 2));
  insert.run(id, 'in_progress', 'proposed', proposedAt);
  if (state === 'proposed') return;
  insert.run(id, 'proposed', state, proposedAt + 5 * DAY_MS);
  if (replicatedAt !== null) insert.run(id, 'recognised', 'replicated', replicatedAt);
  if (commendedAt !== null) insert.run(id, 'recognised', 'commended', commendedAt);
}

function buildUnits(count: number, provinceCount: number, random: () => number): UnitRow[] {
  const rows: UnitRow[] = [];
  const codes = new Set<string>();
  const add = (name: string, code: string, kind: UnitKind, parentId: number | null, place: string, provinceIndex: number): UnitRow => {
    let shortCode = code;
    for (let n = 2; codes.has(shortCode); n++) shortCode = `${code}${n}`;
    codes.add(shortCode);
    const row = { id: rows.length + 1, name: nfc(name), shortCode, kind, parentId, place, provinceIndex };
    rows.push(row);
    return row;
  };
  const root = add('Ban Chỉ đạo Trung ương', 'BCDTW', 'other', null, 'cả nước', -1);
  const rest = count - 1;
  for (let p = 0; p < provinceCount && rows.length < count; p++) {
    const size = Math.floor(rest / provinceCount) + (p < rest % provinceCount ? 1 : 0);
    const [provinceName, provinceCode] = PROVINCES[p % PROVINCES.length]!;
    const suffix = p < PROVINCES.length ? '' : ` ${Math.floor(p / PROVINCES.length) + 1}`;
    const prov = `${provinceCode}${suffix.trim()}`;
    const province = add(`Tỉnh ${provinceName}${suffix}`, `${prov}-TINH`, 'province', root.id, `tỉnh ${provinceName}`, p);
    provinceSubtree(province, size, prov, random, add);
  }
  return rows;
}

type AddUnit = (name: string, code: string, kind: UnitKind, parentId: number | null, place: string, provinceIndex: number) => UnitRow;

/** A province of `size` units (itself included): 4% top units, then communes, schools, hospitals, agencies. */
function provinceSubtree(province: UnitRow, size: number, prov: string, random: () => number, add: AddUnit): void {
  const p = province.provinceIndex;
  const places = shuffledPlaces(random);
  let placeIndex = 0;
  const nextPlace = () => {
    const place = places[placeIndex % places.length]!;
    const round = Math.floor(placeIndex++ / places.length);
    return round === 0 ? place : `${place} ${round + 1}`;
  };
  const remaining = size - 1;
  const top = remaining <= 0 ? 0 : Math.max(1, Math.round(remaining * 0.04));
  const byKind: Record<'district' | 'department' | 'commune', UnitRow[]> = { district: [], department: [], commune: [] };
  const counters = { department: 0, organisation: 0, armed_forces: 0 };
  for (let i = 0; i < top; i++) {
    const kind = TOP_PATTERN[i % TOP_PATTERN.length]!;
    if (kind === 'district') {
      const place = nextPlace();
      const prefix = DISTRICT_PREFIX[byKind.district.length % DISTRICT_PREFIX.length]!;
      byKind.district.push(add(`${prefix} ${place}`, `${prov}-${initials(prefix)}${squash(place)}`, 'district', province.id, place, p));
    } else {
      const list = kind === 'department' ? DEPARTMENTS : kind === 'organisation' ? ORGANISATIONS : ARMED_FORCES;
      const n = counters[kind as keyof typeof counters]++;
      const base = list[n % list.length]!;
      const name = n < list.length ? base : `${base} (khối ${Math.floor(n / list.length) + 1})`;
      const row = add(name, `${prov}-${initials(base)}`, kind, province.id, province.place, p);
      if (kind === 'department') byKind.department.push(row);
    }
  }
  const rest = remaining - top;
  const communes = Math.round(rest * 0.72);
  const schools = Math.round(rest * 0.18);
  const hospitals = Math.round(rest * 0.05);
  const parentsOr = (list: UnitRow[], fallback: UnitRow[]) => (list.length > 0 ? list : fallback.length > 0 ? fallback : [province]);
  for (let i = 0; i < communes; i++) {
    const parents = parentsOr(byKind.district, []);
    const parent = parents[i % parents.length]!;
    const place = nextPlace();
    const prefix = COMMUNE_PREFIX[i % COMMUNE_PREFIX.length]!;
    byKind.commune.push(add(`${prefix} ${place}`, `${prov}-${initials(prefix)}${squash(place)}`, 'commune', parent.id, place, p));
  }
  for (let i = 0; i < schools; i++) {
    const parents = parentsOr(byKind.commune, byKind.district);
    const parent = parents[i % parents.length]!;
    const prefix = SCHOOL_PREFIX[Math.floor(i / parents.length) % SCHOOL_PREFIX.length]!;
    add(`${prefix} ${parent.place}`, `${prov}-${initials(prefix)}${squash(parent.place)}`, 'school', parent.id, parent.place, p);
  }
  for (let i = 0; i < hospitals; i++) {
    const parents = parentsOr(byKind.district, []);
    const parent = parents[i % parents.length]!;
    const prefix = HOSPITAL_PREFIX[Math.floor(i / parents.length) % HOSPITAL_PREFIX.length]!;
    add(`${prefix} ${parent.place}`, `${prov}-${initials(prefix)}${squash(parent.place)}`, 'hospital', parent.id, parent.place, p);
  }
  // The rest: agencies under departments and cooperatives or companies in the districts.
  for (let i = 0; i < rest - communes - schools - hospitals; i++) {
    if (i % 2 === 0) {
      const parents = parentsOr(byKind.department, []);
      const n = i / 2;
      const parent = parents[n % parents.length]!;
      const base = AGENCIES[n % AGENCIES.length]!;
      const round = Math.floor(n / AGENCIES.length);
      add(round === 0 ? base : `${base} khu vực ${round + 1}`, `${prov}-${initials(base)}`, 'other', parent.id, parent.place, p);
    } else {
      const parents = parentsOr(byKind.district, []);
      const parent = parents[((i - 1) / 2) % parents.length]!;
      const prefix = ENTERPRISE_PREFIX[i % ENTERPRISE_PREFIX.length]!;
      add(`${prefix} ${parent.place}`, `${prov}-${initials(prefix)}${squash(parent.place)}`, 'enterprise', parent.id, parent.place, p);
    }
  }
}

function shuffledPlaces(random: () => number): string[] {
  const places = PLACE_FIRST.flatMap((a) => PLACE_SECOND.filter((b) => b !== a).map((b) => `${a} ${b}`));
  for (let i = places.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [places[i], places[j]] = [places[j]!, places[i]!];
  }
  return places;
}

/** "Sở Giáo dục và Đào tạo" → "SGDDT": the initials people use as codes. */
function initials(name: string): string {
  return fold(name)
    .split(/[\s,-]+/)
    .filter((w) => w !== '' && w !== 'va')
    .map((w) => w[0]!.toUpperCase())
    .join('');
}
