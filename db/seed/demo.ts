import { and, desc, eq, like } from 'drizzle-orm';
import { VN_OFFSET_MS, vnParts } from '../../core/clock.js';
import { fold, nfc } from '../../core/text.js';
import { recordAudit } from '../audit.js';
import type { Db } from '../client.js';
import { CODE_ALPHABET, JOIN_CODE_LENGTH } from '../codes.js';
import { ensureDefaults } from '../defaults.js';
import {
  auditLog,
  chatMembers,
  chats,
  fields,
  type HolderType,
  identities,
  type ModelKind,
  type ModelState,
  MODEL_STATES,
  modelStateHistory,
  models,
  people,
  type ProgressState,
  progressUpdates,
  type Role,
  roles,
  type UnitKind,
  unitQuotas,
  units,
} from '../schema.js';

/**
 * A sample deployment for Hà Tĩnh as it is since 1 July 2025, so the console simulator has
 * something to talk about: a unit tree, the people who try commands, two groups, a year of models
 * and updates.
 *
 * The tree is the two-level one: no district, no thị trấn. Communes (xã, phường) sit directly
 * under the province, with the codes and names of docs/examples/donvi-ha-tinh-2026.csv, so that
 * importing that file into the demo completes it instead of duplicating it. The Ủy ban MTTQ with
 * Tỉnh đoàn and Hội Liên hiệp Phụ nữ under it is the demo's one unit with sub-units (roll-ups,
 * an officer who sees the units below their own).
 *
 * Event dates below are "MM-DD HH:mm" in the year of `now` (Vietnam time). When `now` falls
 * earlier in the year than the latest event, the whole calendar is squeezed proportionally
 * into [1 January, now), so every row stays in the right year and in the past, in order.
 */

export const DEMO_GROUP = 'Dân vận khéo tỉnh Hà Tĩnh';
/** The commune's own group: Xã Cẩm Xuyên's officer, and the Sở Nội vụ's admin who follows the communes. */
export const DEMO_COMMUNE_GROUP = 'Dân vận khéo xã Cẩm Xuyên';

export const DEMO_PEOPLE = {
  admin: 'Nguyễn Thị Hoa',
  leader: 'Trần Văn Bình',
  officer: 'Lê Minh Châu',
} as const satisfies { admin: string; leader: string; officer: string };

// ---------------------------------------------------------------------------------------------
// Units: [shortCode, name, kind, parent shortCode]

const PROVINCE = 'HATINH';

export const DEMO_UNITS: readonly (readonly [string, string, UnitKind, string | null])[] = [
  [PROVINCE, 'Tỉnh Hà Tĩnh', 'province', null],

  // The Party body that leads the movement since the Ban Tuyên giáo and the Ban Dân vận merged (2025).
  ['BTGDVTU', 'Ban Tuyên giáo và Dân vận Tỉnh ủy', 'party', PROVINCE],
  ['DUUBND', 'Đảng ủy UBND tỉnh', 'party', PROVINCE],

  // Departments under their 2025 names (Decrees 45/2025 and 150/2025).
  ['SNV', 'Sở Nội vụ', 'department', PROVINCE],
  ['SYT', 'Sở Y tế', 'department', PROVINCE],
  ['SGDDT', 'Sở Giáo dục và Đào tạo', 'department', PROVINCE],
  ['SNNMT', 'Sở Nông nghiệp và Môi trường', 'department', PROVINCE],
  ['STP', 'Sở Tư pháp', 'department', PROVINCE],
  ['CAT', 'Công an tỉnh', 'armed_forces', PROVINCE],

  ['MTTQ', 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh', 'organisation', PROVINCE],
  ['TINHDOAN', 'Tỉnh đoàn Hà Tĩnh', 'organisation', 'MTTQ'],
  ['HOILHPN', 'Hội Liên hiệp Phụ nữ tỉnh Hà Tĩnh', 'organisation', 'MTTQ'],

  // Twelve of the province's 69 communes, as in the shipped unit file.
  ['THANHSEN', 'Phường Thành Sen', 'commune', PROVINCE],
  ['TRANPHU', 'Phường Trần Phú', 'commune', PROVINCE],
  ['BACHONGLINH', 'Phường Bắc Hồng Lĩnh', 'commune', PROVINCE],
  ['NAMHONGLINH', 'Phường Nam Hồng Lĩnh', 'commune', PROVINCE],
  ['CAMXUYEN', 'Xã Cẩm Xuyên', 'commune', PROVINCE],
  ['THIENCAM', 'Xã Thiên Cầm', 'commune', PROVINCE],
  ['CAMBINH', 'Xã Cẩm Bình', 'commune', PROVINCE],
  ['CAMDUE', 'Xã Cẩm Duệ', 'commune', PROVINCE],
  ['DUCTHO', 'Xã Đức Thọ', 'commune', PROVINCE],
  ['HUONGSON', 'Xã Hương Sơn', 'commune', PROVINCE],
  ['SONTAY', 'Xã Sơn Tây', 'commune', PROVINCE],
  ['SONKIM1', 'Xã Sơn Kim 1', 'commune', PROVINCE],
];

// ---------------------------------------------------------------------------------------------
// Groups and people. A person's console id is their display name, as typed in the simulator.

const CHATS = {
  province: { title: DEMO_GROUP, unit: PROVINCE },
  camxuyen: { title: DEMO_COMMUNE_GROUP, unit: 'CAMXUYEN' },
} as const;
type ChatKey = keyof typeof CHATS;

interface PersonSpec {
  name: string;
  unit: string;
  position: string;
  role: Role;
  /** Where the role applies: null = the whole deployment. */
  scope: string | null;
  chats: readonly ChatKey[];
}

const PEOPLE: readonly PersonSpec[] = [
  // Sở Nội vụ handles thi đua, khen thưởng and dân vận chính quyền since 2025: it aggregates.
  { name: DEMO_PEOPLE.admin, unit: 'SNV', position: 'Chuyên viên Sở Nội vụ', role: 'admin', scope: null, chats: ['province', 'camxuyen'] },
  {
    name: DEMO_PEOPLE.leader,
    unit: 'BTGDVTU',
    position: 'Phó Trưởng Ban Tuyên giáo và Dân vận Tỉnh ủy',
    role: 'leader',
    scope: PROVINCE,
    chats: ['province'],
  },
  {
    name: DEMO_PEOPLE.officer,
    unit: 'CAMXUYEN',
    position: 'Công chức Văn phòng HĐND và UBND xã',
    role: 'officer',
    scope: 'CAMXUYEN',
    chats: ['province', 'camxuyen'],
  },
  { name: 'Phạm Thị Dung', unit: 'CAMBINH', position: 'Công chức Phòng Văn hóa - Xã hội xã', role: 'officer', scope: 'CAMBINH', chats: ['province'] },
  { name: 'Hoàng Văn Đức', unit: 'THANHSEN', position: 'Công chức Văn phòng HĐND và UBND phường', role: 'officer', scope: 'THANHSEN', chats: ['province'] },
  { name: 'Võ Thị Hằng', unit: 'SYT', position: 'Chuyên viên Văn phòng Sở', role: 'officer', scope: 'SYT', chats: ['province'] },
  { name: 'Đặng Quốc Huy', unit: 'CAT', position: 'Cán bộ Phòng Công tác đảng và công tác chính trị', role: 'officer', scope: 'CAT', chats: ['province'] },
  { name: 'Bùi Thị Lan', unit: 'DUCTHO', position: 'Công chức Văn phòng HĐND và UBND xã', role: 'officer', scope: 'DUCTHO', chats: ['province'] },
  { name: 'Ngô Văn Long', unit: 'TINHDOAN', position: 'Chuyên viên Ban Phong trào Tỉnh đoàn', role: 'officer', scope: 'TINHDOAN', chats: ['province'] },
  { name: 'Đinh Thị Mai', unit: 'SGDDT', position: 'Chuyên viên Văn phòng Sở', role: 'officer', scope: 'SGDDT', chats: ['province'] },
  { name: 'Phan Văn Nam', unit: 'HUONGSON', position: 'Công chức Phòng Văn hóa - Xã hội xã', role: 'officer', scope: 'HUONGSON', chats: ['province'] },
  // Her scope is the Mặt trận with Tỉnh đoàn and Hội Phụ nữ under it: she sees their models too.
  { name: 'Trương Thị Ngọc', unit: 'MTTQ', position: 'Chuyên viên Ban Phong trào, Ủy ban MTTQ tỉnh', role: 'officer', scope: 'MTTQ', chats: ['province'] },
];

/** The commune asked for more than the default one model a year, so the quota report has a gap to show. */
const QUOTAS: readonly { unit: string; required: number }[] = [{ unit: 'CAMXUYEN', required: 2 }];

/** When the units, people and groups were set up. */
const SETUP_AT = '01-05 08:00';

// ---------------------------------------------------------------------------------------------
// Models with their history and updates. Xã Hương Sơn registers nothing: the quota report needs a laggard.

/** [state or after-life event, when, who, reason] */
type Step = readonly [ModelState | 'replicated' | 'commended', string, string, string?];
/** [when, percent, progress state, text] */
type Update = readonly [string, number, ProgressState, string];

interface ModelSpec {
  unit: string;
  by: string;
  kind: ModelKind;
  holder: HolderType;
  holderName?: string;
  field: string;
  name: string;
  content: string;
  expected: string;
  start: string;
  end: string;
  inCharge: string;
  history: readonly Step[];
  updates: readonly Update[];
}

const { admin: HOA, leader: BINH, officer: CHAU } = DEMO_PEOPLE;

const MODELS: readonly ModelSpec[] = [
  {
    unit: 'CAMXUYEN',
    by: CHAU,
    kind: 'dan_van_kheo',
    holder: 'collective',
    field: 'Xây dựng nông thôn mới',
    name: 'Dân vận khéo trong xây dựng khu dân cư nông thôn mới kiểu mẫu',
    content: 'Vận động nhân dân hiến đất, góp ngày công chỉnh trang đường làng, trồng hàng rào xanh, phân loại rác tại nguồn ở 12 thôn.',
    expected: '10 khu dân cư đạt chuẩn nông thôn mới kiểu mẫu; 100% hộ dân phân loại rác tại nguồn.',
    start: '02-01',
    end: '11-30',
    inCharge: 'Nguyễn Văn Hùng, Phó Chủ tịch UBND xã',
    history: [
      ['pending', '01-15 09:10', CHAU],
      ['in_progress', '02-05 14:30', HOA],
      ['proposed', '08-25 10:00', CHAU],
      ['recognised', '10-12 15:00', BINH],
      ['replicated', '11-10 09:00', BINH],
    ],
    updates: [
      ['03-14 16:20', 30, 'in_progress', 'Đã tổ chức hội nghị triển khai tại 12 thôn; 85% hộ dân ký cam kết thực hiện.'],
      ['05-13 10:05', 60, 'in_progress', 'Hoàn thành 4,2 km đường hoa; 3 khu dân cư đạt chuẩn kiểu mẫu.'],
      ['07-14 15:40', 90, 'in_progress', 'Thêm 6 khu dân cư đạt chuẩn; nhân dân đóng góp 1.250 ngày công.'],
      ['08-20 08:50', 100, 'done', 'Hoàn thành: 10 khu dân cư đạt chuẩn kiểu mẫu, 100% hộ phân loại rác tại nguồn.'],
    ],
  },
  {
    unit: 'CAMBINH',
    by: 'Phạm Thị Dung',
    kind: 'dan_van_kheo',
    holder: 'collective',
    field: 'Kinh tế',
    name: 'Vận động nhân dân hiến đất mở rộng đường giao thông nông thôn',
    content: 'Cán bộ thôn đến từng hộ vận động hiến đất, tháo dỡ tường rào để mở rộng đường liên thôn lên 6 m.',
    expected: 'Mở rộng 2,5 km đường liên thôn, không phát sinh khiếu nại.',
    start: '02-15',
    end: '12-15',
    inCharge: 'Trần Thị Thu, Phó Chủ tịch UBND xã',
    history: [
      ['pending', '01-20 08:45', 'Phạm Thị Dung'],
      ['in_progress', '02-06 10:15', HOA],
    ],
    updates: [
      ['04-10 09:30', 40, 'in_progress', 'Đã vận động 37 hộ hiến 2.150 m² đất mở rộng đường liên thôn.'],
      ['09-12 14:00', 70, 'in_progress', 'Hoàn thành nền đường 1,8 km; nhân dân đóng góp 420 ngày công.'],
      ['11-12 16:10', 80, 'in_progress', 'Đang đổ bê tông đoạn cuối qua thôn Tân Hòa, dự kiến xong trước 15/12.'],
    ],
  },
  {
    unit: 'SYT',
    by: 'Võ Thị Hằng',
    kind: 'diem_sang_chinh_quyen',
    holder: 'collective',
    field: 'Cải cách hành chính',
    name: 'Cải cách thủ tục hành chính, nâng cao sự hài lòng của người bệnh',
    content: 'Lấy số khám bệnh tự động, thanh toán viện phí không dùng tiền mặt, đường dây nóng tiếp nhận phản ánh của người bệnh.',
    expected: 'Tỷ lệ hài lòng của người bệnh đạt trên 95%; thời gian chờ khám giảm 30%.',
    start: '03-01',
    end: '12-31',
    inCharge: 'Lê Thị Thanh, Phó Giám đốc Sở Y tế',
    history: [
      ['pending', '01-22 15:20', 'Võ Thị Hằng'],
      ['in_progress', '02-07 09:00', HOA],
      ['proposed', '10-28 10:30', 'Võ Thị Hằng'],
    ],
    updates: [
      ['06-12 11:00', 50, 'in_progress', 'Triển khai lấy số tự động, thanh toán không dùng tiền mặt tại 5 khoa.'],
      ['10-10 14:45', 100, 'done', 'Tỷ lệ hài lòng của người bệnh đạt 96,5%; thời gian chờ khám giảm 35%.'],
    ],
  },
  {
    unit: 'CAT',
    by: 'Đặng Quốc Huy',
    kind: 'dan_van_kheo',
    holder: 'individual',
    holderName: 'Thiếu tá Trần Quốc Việt',
    field: 'Quốc phòng - an ninh',
    name: 'Công an xã bám cơ sở, vận động nhân dân giao nộp vũ khí, vật liệu nổ',
    content: 'Phối hợp trưởng thôn, Chi hội Cựu chiến binh đến từng hộ tuyên truyền, vận động giao nộp vũ khí, vật liệu nổ, công cụ hỗ trợ.',
    expected: 'Thu hồi vũ khí tự chế, vật liệu nổ trong dân; không để xảy ra tai nạn do vật liệu nổ.',
    start: '02-01',
    end: '10-31',
    inCharge: 'Thiếu tá Trần Quốc Việt',
    history: [
      ['pending', '01-18 10:40', 'Đặng Quốc Huy'],
      ['in_progress', '02-05 15:10', HOA],
      ['proposed', '09-10 09:20', 'Đặng Quốc Huy'],
      ['recognised', '10-12 15:05', BINH],
      ['commended', '11-16 10:00', BINH],
    ],
    updates: [
      ['04-14 08:30', 50, 'in_progress', 'Tổ chức 18 buổi tuyên truyền tại thôn; nhân dân giao nộp 6 khẩu súng tự chế.'],
      ['08-28 17:00', 100, 'done', 'Thu hồi 14 khẩu súng tự chế, 3,5 kg vật liệu nổ; không xảy ra tai nạn.'],
    ],
  },
  {
    unit: 'THANHSEN',
    by: 'Hoàng Văn Đức',
    kind: 'diem_sang_qcdc',
    holder: 'collective',
    field: 'Xây dựng Đảng và hệ thống chính trị',
    name: 'Đối thoại định kỳ giữa chính quyền phường với nhân dân tại tổ dân phố',
    content: 'Mỗi quý Chủ tịch UBND phường đối thoại trực tiếp với nhân dân tại một tổ dân phố; kiến nghị được trả lời công khai.',
    expected: '100% kiến nghị của nhân dân được trả lời trong 30 ngày.',
    start: '03-01',
    end: '12-31',
    inCharge: 'Đoàn Minh Tuấn, Chủ tịch UBND phường',
    history: [
      ['pending', '01-27 14:00', 'Hoàng Văn Đức'],
      ['in_progress', '02-10 08:40', HOA],
    ],
    updates: [['06-14 10:20', 45, 'in_progress', 'Tổ chức 6 buổi đối thoại tại 6 tổ dân phố, tiếp nhận 42 ý kiến; đã giải quyết 35.']],
  },
  {
    unit: 'DUCTHO',
    by: 'Bùi Thị Lan',
    kind: 'dan_van_kheo',
    holder: 'collective',
    field: 'Văn hóa - xã hội',
    name: 'Chung tay xây dựng tuyến đường hoa, đường điện chiếu sáng khu dân cư',
    content: 'Vận động nhân dân đóng góp cây hoa, công lao động và kinh phí lắp đèn chiếu sáng các tuyến đường khu dân cư.',
    expected: 'Mỗi thôn, tổ dân phố có ít nhất 500 m đường hoa và 1 km đường điện chiếu sáng.',
    start: '02-15',
    end: '12-31',
    inCharge: 'Phạm Văn Sơn, Phó Chủ tịch UBND xã',
    history: [
      ['pending', '01-28 16:30', 'Bùi Thị Lan'],
      ['returned', '02-12 10:00', HOA, 'Nội dung trùng với mô hình năm trước; đề nghị bổ sung mục tiêu và kết quả dự kiến cụ thể.'],
    ],
    updates: [],
  },
  {
    unit: 'TINHDOAN',
    by: 'Ngô Văn Long',
    kind: 'diem_sang_qcdc',
    holder: 'collective',
    field: 'Tiếp dân và giải quyết đơn thư',
    name: 'Đối thoại giữa lãnh đạo xã, phường với đoàn viên, thanh niên',
    content: 'Tỉnh đoàn phối hợp UBND xã, phường tổ chức đối thoại trực tiếp với đoàn viên, thanh niên vào tuần cuối mỗi tháng.',
    expected: 'Kiến nghị của thanh niên được trả lời ngay tại buổi đối thoại hoặc bằng văn bản trong 15 ngày.',
    start: '12-01',
    end: '12-31',
    inCharge: 'Nguyễn Thị Hương, Phó Bí thư Tỉnh đoàn',
    history: [['pending', '11-18 14:05', 'Ngô Văn Long']],
    updates: [],
  },
  {
    unit: 'SGDDT',
    by: 'Đinh Thị Mai',
    kind: 'dan_van_kheo',
    holder: 'collective',
    field: 'Văn hóa - xã hội',
    name: 'Vận động xã hội hóa, hỗ trợ học sinh có hoàn cảnh khó khăn đến trường',
    content: 'Kết nối doanh nghiệp, nhà hảo tâm trao học bổng, xe đạp, sách vở cho học sinh có hoàn cảnh khó khăn.',
    expected: 'Không có học sinh bỏ học vì hoàn cảnh khó khăn; trao ít nhất 200 suất học bổng.',
    start: '03-01',
    end: '12-31',
    inCharge: 'Nguyễn Thị Liên, Phó Giám đốc Sở Giáo dục và Đào tạo',
    history: [
      ['pending', '01-25 09:50', 'Đinh Thị Mai'],
      ['in_progress', '02-10 09:15', HOA],
    ],
    updates: [['09-14 15:30', 60, 'in_progress', 'Vận động được 312 triệu đồng, trao 150 suất học bổng dịp khai giảng.']],
  },
  {
    unit: 'MTTQ',
    by: 'Trương Thị Ngọc',
    kind: 'dan_van_kheo',
    holder: 'collective',
    field: 'Văn hóa - xã hội',
    name: 'Vận động đoàn viên, hội viên ra quân “Ngày Chủ nhật xanh” tại các xã, phường',
    content: 'Mặt trận chủ trì, các đoàn thể vận động đoàn viên, hội viên dọn vệ sinh, trồng cây xanh ở khu dân cư vào Chủ nhật cuối tháng.',
    expected: 'Mỗi xã, phường ra quân ít nhất 6 lần trong năm; trồng 5.000 cây xanh.',
    start: '02-15',
    end: '09-30',
    inCharge: 'Lê Văn Thành, Phó Chủ tịch Ủy ban MTTQ tỉnh',
    history: [
      ['pending', '01-16 10:20', 'Trương Thị Ngọc'],
      ['in_progress', '02-06 15:00', HOA],
      ['proposed', '09-22 09:30', 'Trương Thị Ngọc'],
      ['not_recognised', '10-12 15:10', BINH, 'Chưa có số liệu đánh giá kết quả ở từng xã, phường; đề nghị tiếp tục thực hiện và đăng ký lại năm sau.'],
    ],
    updates: [
      ['04-15 10:00', 40, 'in_progress', 'Đã ra quân 2 đợt tại 12 xã, phường; trồng 1.800 cây xanh.'],
      ['08-30 16:00', 100, 'done', 'Hoàn thành 6 đợt ra quân; trồng 4.200 cây xanh.'],
    ],
  },
];

// ---------------------------------------------------------------------------------------------

export function seedDemo(db: Db, now: Date): { seeded: boolean } {
  ensureDefaults(db, now);
  const time = demoCalendar(now);

  return db.transaction((tx) => {
    if (tx.select({ id: units.id }).from(units).where(eq(units.shortCode, PROVINCE)).get()) return { seeded: false };

    const setupAt = time.at(SETUP_AT);
    const at = now.getTime();

    // Join codes come from the short codes so the demo is the same every time; a clash with a
    // unit already in the database is stepped past, still deterministically.
    const takenJoinCodes = new Set(
      tx
        .select({ code: units.joinCode })
        .from(units)
        .all()
        .map((r) => r.code),
    );
    const unitIds = new Map<string, number>();
    for (const [shortCode, name, kind, parent] of DEMO_UNITS) {
      let joinCode = joinCodeOf(shortCode);
      for (let salt = 1; takenJoinCodes.has(joinCode); salt++) {
        if (salt > 100) throw new Error(`demo seed: no free join code for ${shortCode}`);
        joinCode = joinCodeOf(`${shortCode}#${salt}`);
      }
      takenJoinCodes.add(joinCode);
      const row = tx
        .insert(units)
        .values({ name: nfc(name), shortCode, kind, parentId: parent ? idOf(unitIds, parent) : null, joinCode, createdAt: setupAt, updatedAt: setupAt })
        .returning({ id: units.id })
        .get();
      unitIds.set(shortCode, row.id);
    }

    const chatIds = new Map<string, number>();
    for (const [key, chat] of Object.entries(CHATS)) {
      const title = nfc(chat.title);
      const row = tx
        .insert(chats)
        .values({ platform: 'console', platformChatId: title, kind: 'group', title, unitId: idOf(unitIds, chat.unit), createdAt: setupAt, updatedAt: setupAt })
        // Someone may have typed in the simulator's group before the demo was loaded.
        .onConflictDoUpdate({ target: [chats.platform, chats.platformChatId], set: { unitId: idOf(unitIds, chat.unit), updatedAt: at } })
        .returning({ id: chats.id })
        .get();
      chatIds.set(key, row.id);
    }

    const personIds = new Map<string, number>();
    for (const spec of PEOPLE) {
      const name = nfc(spec.name);
      const unitId = idOf(unitIds, spec.unit);
      const position = nfc(spec.position);
      // A name already tried in the simulator is the same person: give them the demo's unit.
      const known = tx
        .select({ personId: identities.personId })
        .from(identities)
        .where(and(eq(identities.platform, 'console'), eq(identities.platformUserId, name)))
        .get();
      let personId: number;
      if (known) {
        personId = known.personId;
        tx.update(people).set({ unitId, position, updatedAt: at }).where(eq(people.id, personId)).run();
        tx.update(identities)
          .set({ lastSeenAt: at })
          .where(and(eq(identities.platform, 'console'), eq(identities.platformUserId, name)))
          .run();
      } else {
        personId = tx
          .insert(people)
          .values({ displayName: name, unitId, position, createdAt: setupAt, updatedAt: setupAt })
          .returning({ id: people.id })
          .get().id;
        tx.insert(identities).values({ personId, platform: 'console', platformUserId: name, displayName: name, lastSeenAt: at }).run();
      }
      personIds.set(spec.name, personId);
      for (const chat of spec.chats) {
        tx.insert(chatMembers)
          .values({ chatId: idOf(chatIds, chat), personId, lastSeenAt: at })
          .onConflictDoUpdate({ target: [chatMembers.chatId, chatMembers.personId], set: { lastSeenAt: at } })
          .run();
      }
    }
    // Roles after everyone exists: the admin is the one who granted the others theirs.
    const adminId = idOf(personIds, DEMO_PEOPLE.admin);
    for (const spec of PEOPLE) {
      const personId = idOf(personIds, spec.name);
      tx.insert(roles)
        .values({
          personId,
          role: spec.role,
          unitId: spec.scope ? idOf(unitIds, spec.scope) : null,
          grantedBy: personId === adminId ? null : adminId,
          createdAt: setupAt,
        })
        .onConflictDoNothing()
        .run();
    }

    for (const quota of QUOTAS)
      tx.insert(unitQuotas)
        .values({ unitId: idOf(unitIds, quota.unit), year: time.year, required: quota.required })
        .run();

    const fieldIds = new Map(
      tx
        .select({ id: fields.id, label: fields.label })
        .from(fields)
        .all()
        .map((f) => [f.label, f.id]),
    );
    // Continue the year's numbering if models were registered before the demo was loaded.
    const prefix = `DVK-${time.year}-`;
    let seq = Math.max(
      0,
      ...tx
        .select({ code: models.code })
        .from(models)
        .where(like(models.code, `${prefix}%`))
        .all()
        .map((m) => Number(m.code.slice(prefix.length)) || 0),
    );

    for (const spec of MODELS) {
      const events = spec.history.map(([toState, when, who, reason]) => ({ toState, at: time.at(when), actor: idOf(personIds, who), reason: reason ?? null }));
      const states = events.filter((e) => isModelState(e.toState));
      const state = states[states.length - 1]!.toState as ModelState;
      const updates = spec.updates.map(([when, percent, progressState, text]) => ({ at: time.at(when), percent, progressState, text }));
      const registeredAt = events[0]!.at;
      const lastTouched = Math.max(...events.map((e) => e.at), ...updates.map((u) => u.at));
      const createdBy = idOf(personIds, spec.by);
      const name = nfc(spec.name);

      const model = tx
        .insert(models)
        .values({
          code: `${prefix}${String(++seq).padStart(4, '0')}`,
          year: time.year,
          unitId: idOf(unitIds, spec.unit),
          kind: spec.kind,
          holderType: spec.holder,
          holderName: spec.holderName ? nfc(spec.holderName) : null,
          fieldId: idOf(fieldIds, spec.field),
          name,
          nameKey: fold(name),
          content: nfc(spec.content),
          expectedResult: nfc(spec.expected),
          startDate: `${time.year}-${spec.start}`,
          endDate: `${time.year}-${spec.end}`,
          personInCharge: nfc(spec.inCharge),
          state,
          replicatedAt: events.find((e) => e.toState === 'replicated')?.at ?? null,
          commendedAt: events.find((e) => e.toState === 'commended')?.at ?? null,
          createdBy,
          createdAt: registeredAt,
          updatedAt: lastTouched,
        })
        .returning({ id: models.id })
        .get();

      // After-life events leave the state as it was, so their fromState is the state they follow.
      let current: ModelState | null = null;
      for (const e of events) {
        tx.insert(modelStateHistory)
          .values({ modelId: model.id, fromState: current, toState: e.toState, reason: e.reason && nfc(e.reason), actorPersonId: e.actor, at: e.at })
          .run();
        if (isModelState(e.toState)) current = e.toState;
      }

      for (const u of updates) {
        const p = vnParts(new Date(u.at));
        tx.insert(progressUpdates)
          .values({
            modelId: model.id,
            authorPersonId: createdBy,
            text: nfc(u.text),
            percent: u.percent,
            progressState: u.progressState,
            periodYear: p.year,
            periodMonth: p.month,
            periodQuarter: Math.ceil(p.month / 3),
            createdAt: u.at,
            updatedAt: u.at,
          })
          .run();
      }
    }

    recordAudit(tx, { personId: null, label: 'demo' }, now, {
      action: 'demo.seed',
      entity: 'deployment',
      after: { units: DEMO_UNITS.length, people: PEOPLE.length, models: MODELS.length },
    });
    return { seeded: true };
  });
}

/** When the demo was seeded into this database (its audit row), or null if it never was. */
export function demoSeededAt(db: Db): number | null {
  const row = db.select({ at: auditLog.at }).from(auditLog).where(eq(auditLog.action, 'demo.seed')).orderBy(desc(auditLog.at)).get();
  return row?.at ?? null;
}

// ---------------------------------------------------------------------------------------------

function isModelState(value: string): value is ModelState {
  return (MODEL_STATES as readonly string[]).includes(value);
}

function idOf<K>(ids: Map<K, number>, key: K): number {
  const id = ids.get(key);
  // Only a typo in the tables above gets here; fail loudly rather than seed a dangling reference.
  if (id === undefined) throw new Error(`demo seed: unknown reference ${String(key)}`);
  return id;
}

/** Six characters of the join-code alphabet, each from FNV-1a of the short code and its position: the same every run. */
function joinCodeOf(source: string): string {
  let code = '';
  // The top five bits: FNV-1a's low bits hardly depend on the text (multiplication carries upward).
  for (let i = 0; i < JOIN_CODE_LENGTH; i++) code += CODE_ALPHABET[fnv1a(`${source}#${i}`) >>> 27];
  return code;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const ch of text) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Maps "MM-DD HH:mm" of the demo calendar to epoch ms in the year of `now`, never after `now`. */
function demoCalendar(now: Date): { year: number; at(when: string): number } {
  const year = vnParts(now).year;
  const yearStart = Date.UTC(year, 0, 1) - VN_OFFSET_MS;
  const raw = (when: string): number => {
    const m = /^(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(when);
    if (!m) throw new Error(`demo seed: bad time ${when}`);
    return Date.UTC(year, Number(m[1]) - 1, Number(m[2]), Number(m[3]), Number(m[4])) - VN_OFFSET_MS;
  };
  const all = [SETUP_AT, ...MODELS.flatMap((m) => [...m.history.map((s) => s[1]), ...m.updates.map((u) => u[0])])];
  // A day of slack after the last event keeps even a squeezed calendar strictly before `now`.
  const span = Math.max(...all.map(raw)) + 86_400_000 - yearStart;
  const factor = Math.min(1, Math.max(0, now.getTime() - yearStart) / span);
  return { year, at: (when) => yearStart + Math.floor((raw(when) - yearStart) * factor) };
}
