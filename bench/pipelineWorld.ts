import { fileURLToPath } from 'node:url';
import type { User } from 'grammy/types';
import { VN_OFFSET_MS, vnParts } from '../core/clock.js';
import { modelCode, yearCodeRange } from '../core/modelCode.js';
import { fold, nfc } from '../core/text.js';
import type { AppDatabase } from '../db/client.js';
import { CODE_ALPHABET, JOIN_CODE_LENGTH } from '../db/codes.js';
import { syncCalendarDeadlines } from '../db/deadlines.js';
import type { ModelState, UnitKind } from '../db/schema.js';
import { seedDemo } from '../db/seed/demo.js';
import { loadCalendar } from '../scheduler/calendarConfig.js';
import { seededRandom } from './seededRandom.js';
import { FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES, MODEL_NAME_LEADS, MODEL_TOPICS, PLACE_FIRST, PLACE_SECOND, squash } from './vietnameseNames.js';

/**
 * A province as the update-pipeline benchmark talks to it: the demo deployment (db/seed/demo.ts)
 * grown to about a thousand units — communes directly under the province (the two-level tree of
 * 2025), schools under communes, agencies under its departments — each with one or two officers
 * on Telegram, a model of this year (most of them approved, with progress updates, some sent this
 * month) and often one of last year. The communes are shared among five emulation clusters (cụm
 * thi đua), each with its Telegram supergroup, and one more group for the province's departments,
 * Party bodies and organisations, where the officers of that part have been seen. The shipped
 * calendar is loaded, as `npm start` does.
 *
 * Rows are written with prepared statements on the raw handle in one transaction (seconds
 * through the ORM, for data every run would rebuild the same). Deterministic: a seeded PRNG.
 */

export interface WorldOptions {
  now: Date;
  seed?: number;
  /** New communes in each emulation cluster, beside the demo's own. */
  communesPerCluster: number;
  /** Schools under the communes of each cluster. */
  schoolsPerCluster: number;
  agenciesPerDepartment: number;
  /** People in each group the bot has never seen (they may use /huongdan and /hanchot). */
  newcomersPerGroup: number;
}

export const PROVINCE_WORLD: Omit<WorldOptions, 'now'> = { communesPerCluster: 120, schoolsPerCluster: 40, agenciesPerDepartment: 12, newcomersPerGroup: 10 };

/** Emulation clusters of communes, each with its group (the districts' groups before 2025). */
const CLUSTERS = 5;

export interface Member {
  user: User;
  /** The unit the person is an officer of; null for a newcomer. */
  unitId: number | null;
  /** Codes of their unit's models of this year that take progress updates. */
  updatable: string[];
}

export interface Group {
  chat: { id: number; type: 'supergroup'; title: string };
  members: Member[];
}

export interface PipelineWorld {
  groups: Group[];
  units: number;
  officers: number;
  models: number;
  updates: number;
}

const CALENDAR = fileURLToPath(new URL('../config/calendar.json', import.meta.url));
const DAY_MS = 86_400_000;

const SCHOOLS = ['Trường Tiểu học', 'Trường Trung học cơ sở', 'Trường Mầm non'];
const AGENCIES = ['Chi cục', 'Trung tâm', 'Phòng', 'Ban Quản lý dự án'];
const UPDATE_TEXTS = [
  'Tổ chức tuyên truyền tại các thôn; vận động các hộ dân ký cam kết tham gia mô hình.',
  'Hoàn thành các hạng mục theo kế hoạch; nhân dân đóng góp ngày công và một phần kinh phí.',
  'Tiếp nhận ý kiến của người dân; đã giải quyết dứt điểm phần lớn, số còn lại đang xử lý.',
];

interface UnitSpec {
  id: number;
  kind: UnitKind;
  parentId: number | null;
  /** The Telegram group its officers are seen in. */
  groupIndex: number;
}

/** Seeds `app` (freshly migrated, empty); returns the groups and people the workload talks as. */
export function seedPipelineWorld(app: AppDatabase, options: WorldOptions): PipelineWorld {
  const random = seededRandom(options.seed ?? 20_261_123);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const now = options.now;
  const year = vnParts(now).year;
  const at = now.getTime() - 30 * DAY_MS;

  seedDemo(app.db, now);
  syncCalendarDeadlines(app.db, loadCalendar(CALENDAR).deadlines, now);

  const s = app.sqlite;
  const demoUnits = s.prepare('select id, kind, parent_id as parentId, name, short_code as code from units order by id').all() as Array<{
    id: number;
    kind: UnitKind;
    parentId: number | null;
    name: string;
    code: string;
  }>;
  const province = demoUnits.find((u) => u.kind === 'province')!;
  // The demo's communes, dealt round the clusters; a cluster is named after its first commune.
  const demoCommunes = demoUnits.filter((u) => u.kind === 'commune');
  const clusterOfCommune = new Map(demoCommunes.map((c, i) => [c.id, (i % CLUSTERS) + 1]));
  // Group 0 is the province's (departments, Party bodies, organisations, the armed forces); 1… the clusters'.
  const groupTitles = [
    `Dân vận khéo tỉnh Hà Tĩnh — khối sở, ngành`,
    ...Array.from({ length: CLUSTERS }, (_, k) => `Dân vận khéo cụm ${lower(demoCommunes[k]!.name)}`),
  ];
  const unitSpecs: UnitSpec[] = demoUnits
    .filter((u) => u.kind !== 'province')
    .map((u) => ({ id: u.id, kind: u.kind, parentId: u.parentId, groupIndex: clusterOfCommune.get(u.id) ?? 0 }));
  const provinceSpec: UnitSpec = { id: province.id, kind: 'province', parentId: null, groupIndex: 0 };

  const insertUnit = s.prepare(
    'insert into units (name, short_code, kind, parent_id, join_code, active, created_at, updated_at) values (?, ?, ?, ?, ?, 1, ?, ?)',
  );
  const insertPerson = s.prepare('insert into people (display_name, unit_id, position, created_at, updated_at) values (?, ?, ?, ?, ?)');
  const insertIdentity = s.prepare(
    'insert into identities (person_id, platform, platform_user_id, username, display_name, last_seen_at) values (?, ?, ?, ?, ?, ?)',
  );
  const insertRole = s.prepare("insert into roles (person_id, role, unit_id, created_at) values (?, 'officer', ?, ?)");
  const insertChat = s.prepare(
    "insert into chats (platform, platform_chat_id, kind, title, unit_id, created_at, updated_at) values ('telegram', ?, 'group', ?, ?, ?, ?)",
  );
  const insertMember = s.prepare('insert into chat_members (chat_id, person_id, last_seen_at) values (?, ?, ?)');
  const insertModel = s.prepare(`insert into models (code, year, unit_id, kind, holder_type, field_id, name, name_key, content, expected_result,
    start_date, end_date, person_in_charge, state, created_by, created_at, updated_at) values (?, ?, ?, ?, 'collective', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const nameTaken = s.prepare('select 1 from models where unit_id = ? and year = ? and name_key = ?');
  const insertHistory = s.prepare('insert into model_state_history (model_id, from_state, to_state, actor_person_id, at) values (?, ?, ?, ?, ?)');
  const insertUpdate =
    s.prepare(`insert into progress_updates (model_id, author_person_id, text, percent, progress_state, period_year, period_month, period_quarter, created_at, updated_at)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  const fieldIds = (s.prepare('select id from fields order by sort_order').all() as Array<{ id: number }>).map((f) => f.id);
  const groups: Group[] = groupTitles.map((title, i) => ({ chat: { id: -1_002_100_000_000 - i, type: 'supergroup', title }, members: [] }));
  let officers = 0;

  s.transaction(() => {
    const codes = new Set(demoUnits.map((u) => u.code));
    const joinCodes = new Set((s.prepare('select join_code as c from units').all() as Array<{ c: string }>).map((r) => r.c));
    const addUnit = (name: string, code: string, kind: UnitKind, parent: UnitSpec, groupIndex = parent.groupIndex): UnitSpec => {
      let shortCode = code;
      for (let n = 2; codes.has(shortCode); n++) shortCode = `${code}${n}`;
      codes.add(shortCode);
      let join: string;
      do join = Array.from({ length: JOIN_CODE_LENGTH }, () => pick([...CODE_ALPHABET])).join('');
      while (joinCodes.has(join));
      joinCodes.add(join);
      const id = Number(insertUnit.run(nfc(name), shortCode, kind, parent.id, join, at, at).lastInsertRowid);
      const spec = { id, kind, parentId: parent.id, groupIndex };
      unitSpecs.push(spec);
      return spec;
    };
    const place = () => `${pick(PLACE_FIRST)} ${pick(PLACE_SECOND)}`;
    for (let cluster = 1; cluster <= CLUSTERS; cluster++) {
      const prefix = `C${cluster}`;
      const communes: UnitSpec[] = [];
      // Communes sit directly under the province; their officers are seen in their cluster's group.
      for (let i = 0; i < options.communesPerCluster; i++) {
        const p = place();
        communes.push(addUnit(`${pick(['Xã', 'Xã', 'Phường'])} ${p}`, `${prefix}-${squash(p)}`, 'commune', provinceSpec, cluster));
      }
      for (let i = 0; i < options.schoolsPerCluster; i++) {
        const c = communes[i % communes.length]!;
        addUnit(`${pick(SCHOOLS)} ${place()}`, `${prefix}-TH${squash(place())}`, 'school', c);
      }
    }
    for (const dep of unitSpecs.filter((u) => u.kind === 'department' || u.kind === 'organisation' || u.kind === 'armed_forces' || u.kind === 'party')) {
      for (let i = 0; i < options.agenciesPerDepartment; i++) addUnit(`${pick(AGENCIES)} ${place()}`, `AG${dep.id}-${i + 1}`, 'other', dep);
    }

    // A cluster spans communes of the province: every group is bound to the province.
    const chatIds = groups.map((g) => Number(insertChat.run(String(g.chat.id), g.chat.title, province.id, at, at).lastInsertRowid));
    const personName = () => [pick(FAMILY_NAMES), pick(MIDDLE_NAMES), pick(GIVEN_NAMES)] as const;
    let telegramId = 5_100_000_000;
    const updatableByUnit = new Map<number, string[]>();
    const officersByUnit = new Map<number, number[]>();

    for (const unit of unitSpecs) {
      const ids: number[] = [];
      for (let k = int(1, 2); k > 0; k--) {
        const [family, middle, given] = personName();
        const displayName = `${given} ${family} ${middle}`;
        const personId = Number(insertPerson.run(displayName, unit.id, null, at, at).lastInsertRowid);
        const userId = ++telegramId;
        const username = random() < 0.4 ? `${squash(given).toLowerCase()}_${userId % 100_000}` : null;
        insertIdentity.run(personId, 'telegram', String(userId), username, displayName, at);
        insertRole.run(personId, unit.id, at);
        insertMember.run(chatIds[unit.groupIndex]!, personId, at);
        ids.push(personId);
        officers++;
        groups[unit.groupIndex]!.members.push({
          user: { id: userId, is_bot: false, first_name: given, last_name: `${family} ${middle}`, ...(username ? { username } : {}), language_code: 'vi' },
          unitId: unit.id,
          updatable: [],
        });
      }
      officersByUnit.set(unit.id, ids);
    }

    // Models: this year's for most units, last year's for many; codes continue the demo's.
    const nextNumber = new Map<number, number>();
    for (const y of [year - 1, year]) {
      const { from, to, numberAt } = yearCodeRange(y);
      const row = s.prepare('select max(cast(substr(code, ?) as integer)) as n from models where code >= ? and code < ?').get(numberAt, from, to) as {
        n: number | null;
      };
      nextNumber.set(y, row.n ?? 0);
    }
    const thisMonth = vnParts(now).month;
    for (const unit of unitSpecs) {
      const authors = officersByUnit.get(unit.id)!;
      for (const y of [year - 1, year]) {
        if (random() > (y === year ? 0.85 : 0.6)) continue;
        const n = nextNumber.get(y)! + 1;
        nextNumber.set(y, n);
        const code = modelCode(y, n);
        const state: ModelState =
          y === year
            ? weighted(random, [
                ['in_progress', 60],
                ['proposed', 12],
                ['recognised', 12],
                ['pending', 10],
                ['returned', 3],
                ['not_recognised', 3],
              ])
            : weighted(random, [
                ['recognised', 60],
                ['not_recognised', 15],
                ['proposed', 25],
              ]);
        const topic = pick(MODEL_TOPICS);
        let name = nfc(`${pick(MODEL_NAME_LEADS)} ${topic}`);
        // A demo unit may already have a model of that name this year.
        if (nameTaken.get(unit.id, y, fold(name))) name = `${name} (giai đoạn 2)`;
        const registered = Date.UTC(y, 0, int(5, 28)) - VN_OFFSET_MS + int(8, 16) * 3_600_000;
        const author = pick(authors);
        const id = Number(
          insertModel.run(
            code,
            y,
            unit.id,
            pick(['dan_van_kheo', 'dan_van_kheo', 'diem_sang_chinh_quyen', 'diem_sang_qcdc']),
            pick(fieldIds),
            name,
            fold(name),
            `Cán bộ bám cơ sở, đến từng hộ tuyên truyền, vận động nhân dân ${topic}; sơ kết hằng quý, nhân rộng cách làm hay.`,
            `Tối thiểu ${int(60, 100)}% hộ dân tham gia.`,
            `${y}-02-01`,
            `${y}-12-31`,
            `${pick(FAMILY_NAMES)} ${pick(MIDDLE_NAMES)} ${pick(GIVEN_NAMES)}, Phó Chủ tịch UBND`,
            state,
            author,
            registered,
            registered,
          ).lastInsertRowid,
        );
        insertHistory.run(id, null, 'pending', author, registered);
        if (state !== 'pending') insertHistory.run(id, 'pending', state === 'returned' ? 'returned' : 'in_progress', null, registered + 10 * DAY_MS);
        if (y !== year || !['in_progress', 'proposed', 'recognised'].includes(state)) continue;
        updatableByUnit.set(unit.id, [...(updatableByUnit.get(unit.id) ?? []), code]);
        // Monthly-ish updates since March; about a third already sent one this month.
        const months = Array.from({ length: thisMonth - 2 }, (_, i) => i + 3).filter((m) => (m === thisMonth ? random() < 0.35 : random() < 0.5));
        months.forEach((m, i) => {
          const when = Math.min(now.getTime() - 3_600_000, Date.UTC(year, m - 1, int(1, 20)) - VN_OFFSET_MS + int(8, 16) * 3_600_000);
          const percent = Math.min(100, Math.round(((i + 1) / (months.length + 1)) * 100));
          const p = vnParts(new Date(when));
          insertUpdate.run(id, pick(authors), pick(UPDATE_TEXTS), percent, 'in_progress', p.year, p.month, Math.ceil(p.month / 3), when, when);
        });
      }
    }
    for (const group of groups) {
      for (const member of group.members) member.updatable = updatableByUnit.get(member.unitId!) ?? [];
      for (let i = 0; i < options.newcomersPerGroup; i++) {
        const [family, middle, given] = personName();
        group.members.push({
          user: { id: ++telegramId, is_bot: false, first_name: given, last_name: `${family} ${middle}`, language_code: 'vi' },
          unitId: null,
          updatable: [],
        });
      }
    }
  })();

  const count = (table: string) => (s.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  return { groups, units: count('units'), officers, models: count('models'), updates: count('progress_updates') };
}

function weighted<T extends string>(random: () => number, table: readonly (readonly [T, number])[]): T {
  let r = random() * table.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of table) if ((r -= w) < 0) return value;
  return table[table.length - 1]![0];
}

/** "Xã Cẩm Xuyên" → "xã Cẩm Xuyên": as it reads inside a title. */
function lower(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
