import { fileURLToPath } from 'node:url';
import { addAdmin } from '../../db/bootstrap.js';
import { CLI_ACTOR } from '../../db/bootstrap.js';
import { syncCalendarDeadlines } from '../../db/deadlines.js';
import type { UnitKind } from '../../db/schema.js';
import { createUnit } from '../../db/unitAdmin.js';
import { loadCalendar } from '../../scheduler/calendarConfig.js';
import type { Harness } from './harness.js';
import { addPerson } from './issuerTree.js';

/**
 * The hand-count dataset of issue 21: a small province built through the registered commands
 * (/dangky, /duyet, /tralai, /congnhan, /nhanrong, /bieuduong, /capnhat) at chosen instants, the
 * units and the first admin made with the db functions as the CLI makes them, and the shipped
 * calendar (config/calendar.json) synced as the bot does at start. Every figure below was counted
 * by hand from these tables; tests/reports/handCount.test.ts checks reportData and the chat summary
 * against them (the xlsx and docx tests can reuse the same constants).
 *
 * Units (8; the calendar's registration deadline leaves the province out of the quota, 1 each):
 *   HATINH    Tỉnh Hà Tĩnh (province)
 *   ├ CAMBINH   Xã Cẩm Bình (commune)
 *   ├ CAMXUYEN  Xã Cẩm Xuyên (commune)
 *   │ ├ THCX      Trường Tiểu học Cẩm Xuyên (school)
 *   │ └ TYTCX     Trạm Y tế xã Cẩm Xuyên (hospital)
 *   ├ DUCTHO    Xã Đức Thọ (commune)
 *   ├ THIENCAM  Xã Thiên Cầm (commune)
 *   └ SNV       Sở Nội vụ (department)
 *
 * Models (9), registered and decided at (Vietnam time):
 *   #  code           unit      kind / holder / field                          life
 *   M1 DVK-2025-0001  CAMBINH   dân vận khéo / tập thể / Kinh tế                  reg 10/03/2025, duyệt 12/03/2025; runs 01/03/2025–30/06/2026, in progress
 *   M2 DVK-2026-0001  SNV       điểm sáng chính quyền / tập thể / Cải cách HC      reg 06/01, duyệt 08/01; in progress
 *   M3 DVK-2026-0002  CAMXUYEN  dân vận khéo / tập thể / Xây dựng nông thôn mới    reg 07/01, duyệt 09/01, công nhận 20/05
 *   M4 DVK-2026-0003  THCX      dân vận khéo / cá nhân / Văn hóa - xã hội          reg 08/01, duyệt 10/01, công nhận 05/05, nhân rộng 15/05, biểu dương 25/05
 *   M5 DVK-2026-0004  TYTCX     dân vận khéo / tập thể / Văn hóa - xã hội          reg 09/01, trả lại 12/01
 *   M6 DVK-2026-0005  THIENCAM  dân vận khéo / tập thể / Quốc phòng - an ninh      reg 12/01, duyệt 14/01; in progress
 *   M7 DVK-2026-0006  DUCTHO    dân vận khéo / cá nhân / Tiếp dân và GQĐT          reg 15/01, duyệt 16/01; in progress, never updated
 *   M8 DVK-2026-0007  CAMBINH   điểm sáng dân chủ / tập thể / Kinh tế              reg 05/02; pending
 *   M9 DVK-2026-0008  HATINH    điểm sáng chính quyền / tập thể / Xây dựng Đảng    reg 10/04, duyệt 11/04; in progress, never updated
 *   Every 2026 model runs 01/01/2026–31/12/2026.
 *
 * Updates (11):
 *   M1 15/11/2025 10:00
 *   M2 20/01 10:00 · 30/04 23:30 (April, not May) · 10/06 10:00
 *   M3 15/01 10:00 · 15/03 10:00 · 01/06 00:30 (June, not May)
 *   M4 10/02 10:00 · 20/04 10:00
 *   M6 28/02 10:00 · 15/05 10:00
 *
 * The reports are asked on 20/06/2026 09:00 (HAND_COUNT_NOW). Deadlines of the shipped calendar:
 * a month's updates are due by the 15th of the next month, a quarter's by the 19th of its last
 * month, the year's by 09/12 (db/updatesDeadline.ts); a date range at its end.
 *
 * Figures for the whole deployment (8 units). "Carried out" = in progress or proposed at the
 * period's end (or now, while it runs) with dates overlapping the period; late = carried out, no
 * update in the period, deadline passed; waiting ("chưa đến hạn") = the same before the deadline.
 *
 *   period          figures as of   due (passed?)    models pend ret inprog recog repl comm  updates  late                      waiting
 *   year (running)  20/06 09:00     09/12 (no)       8      1    1   4      2     1    1     10       —                         HATINH, DUCTHO
 *   Q1              end of 31/03    19/03 (yes)      7      1    1   5      0     0    0     5        DUCTHO                    —
 *   Q2 (running)    20/06 09:00     19/06 (yes)      8      1    1   4      2     1    1     5        HATINH, DUCTHO            —
 *   month 1         end of 31/01    15/02 (yes)      6      0    1   5      0     0    0     2        THCX, DUCTHO, THIENCAM    —
 *   month 2         end of 28/02    15/03 (yes)      7      1    1   5      0     0    0     2        SNV, CAMXUYEN, DUCTHO     —
 *   month 6 (run.)  20/06 09:00     15/07 (no)       8      1    1   4      2     1    1     2        —                         HATINH, DUCTHO, THIENCAM
 *   15/02–14/03     end of 14/03    range end (yes)  7      1    1   5      0     0    0     1        SNV, CAMXUYEN, THCX, DUCTHO —
 *
 * Why: M9 (10/04) is not in Q1, months 1–2 or the range; M8 (05/02) is not in month 1. M3 and M4
 * were in progress until May, so CAMXUYEN is late for February (no update between 15/01 and
 * 15/03); their recognition, M4's nhân rộng (15/05) and biểu dương (25/05) show from Q2 on. The
 * 30/04 23:30 update is April's (Q2's), the 01/06 00:30 one June's: May has neither. M1 (2025)
 * counts nowhere in 2026 and does not make Xã Cẩm Bình late.
 * Quota (1 each, the province not asked): only approved models fill it (issue 22; until then a
 * pending one did too). Recounted by hand for every period from the table above:
 *   approved at each period's end: M2 SNV, M3 CAMXUYEN, M4 THCX, M6 THIENCAM, M7 DUCTHO (all by
 *   16/01) and, from 11/04, M9 HATINH (not asked); never M5 (returned 12/01) nor M8 (pending).
 *   - month 1: short CAMBINH (0/1, no model yet: the one unit without models) and TYTCX (0/1,
 *     M5 returned); nothing waits. Unchanged by issue 22.
 *   - month 2, Q1, 15/02–14/03, Q2, month 6, the year: short CAMBINH (0/1, M8 waiting since 05/02,
 *     "1 chờ duyệt") and TYTCX (0/1). Before issue 22 CAMBINH counted M8 and was not short, so
 *     these periods had one unit short (TYTCX) and now have two; the province's tree misses 2 of 7.
 *   - 01/04–10/04 (a closed range, states replayed at its end): M9 registered 10/04 09:00 and
 *     approved 11/04, so it waits at the range's end: HATINH 0 approved, 1 pending, and its tree
 *     5 approved (M2, M3, M4, M6, M7), 2 pending (M8, M9); in Q2 it is approved (6 and 1).
 * The registration deadline (db/deadlineProgress.ts) still takes M8 as registered: it asks units
 * to register on time, not their leaders to decide.
 * "Theo đơn vị": CAMXUYEN 3 (its own M3, THCX's M4, TYTCX's M5), SNV 1, CAMBINH 1 (M8), DUCTHO 1,
 * THIENCAM 1, and from Q2 on "Tỉnh Hà Tĩnh (riêng đơn vị)" 1 (M9).
 */

/** Models by field from the end of Q1 (every period from February on, but for M9 of 10/04). */
export const FIELDS_Q1 = {
  'Kinh tế': 1,
  'Văn hóa - xã hội': 2,
  'Quốc phòng - an ninh': 1,
  'Cải cách hành chính': 1,
  'Tiếp dân và giải quyết đơn thư': 1,
  'Xây dựng nông thôn mới': 1,
};
/** From Q2 on: M9 adds Xây dựng Đảng. */
export const FIELDS_YEAR = { ...FIELDS_Q1, 'Xây dựng Đảng và hệ thống chính trị': 1 };

export const HAND_COUNT_NOW = '2026-06-20T09:00:00+07:00';
/** Registers and updates every model (an admin may, for any unit). */
export const HAND_COUNT_ADMIN = 'Nguyễn Thị Hoa';
/** Decides on them: a registrant may not decide on their own model. */
export const HAND_COUNT_LEADER = 'Trần Văn Bình';
export const HAND_COUNT_GROUP = { group: 'Dân vận khéo tỉnh Hà Tĩnh' } as const;

/** [shortCode, name, kind, parent] in creation order. */
export const HAND_COUNT_UNITS: readonly (readonly [string, string, UnitKind, string | null])[] = [
  ['HATINH', 'Tỉnh Hà Tĩnh', 'province', null],
  ['SNV', 'Sở Nội vụ', 'department', 'HATINH'],
  ['CAMXUYEN', 'Xã Cẩm Xuyên', 'commune', 'HATINH'],
  ['THCX', 'Trường Tiểu học Cẩm Xuyên', 'school', 'CAMXUYEN'],
  ['TYTCX', 'Trạm Y tế xã Cẩm Xuyên', 'hospital', 'CAMXUYEN'],
  ['CAMBINH', 'Xã Cẩm Bình', 'commune', 'HATINH'],
  ['THIENCAM', 'Xã Thiên Cầm', 'commune', 'HATINH'],
  ['DUCTHO', 'Xã Đức Thọ', 'commune', 'HATINH'],
];

interface ModelSpec {
  key: string;
  at: string;
  unit: string;
  kind: string;
  holder: string;
  holderName?: string;
  field: string;
  name: string;
  start: string;
  end: string;
}

/** The models in registration order; their codes follow it within each year. */
export const HAND_COUNT_MODELS: readonly ModelSpec[] = [
  {
    key: 'M1',
    at: '2025-03-10T09:00',
    unit: 'CAMBINH',
    kind: 'dan van kheo',
    holder: 'tập thể',
    field: 'kinh tế',
    name: 'Chợ quê Cẩm Bình',
    start: '1/3/2025',
    end: '30/6/2026',
  },
  {
    key: 'M2',
    at: '2026-01-06T09:00',
    unit: 'SNV',
    kind: 'diem sang dan van chinh quyen',
    holder: 'tập thể',
    field: 'cải cách hành chính',
    name: 'Một cửa thân thiện',
    start: '1/1/2026',
    end: '31/12/2026',
  },
  {
    key: 'M3',
    at: '2026-01-07T09:00',
    unit: 'CAMXUYEN',
    kind: 'dan van kheo',
    holder: 'tập thể',
    field: 'xây dựng nông thôn mới',
    name: 'Khu dân cư kiểu mẫu',
    start: '1/1/2026',
    end: '31/12/2026',
  },
  {
    key: 'M4',
    at: '2026-01-08T09:00',
    unit: 'THCX',
    kind: 'dan van kheo',
    holder: 'cá nhân',
    holderName: 'Nguyễn Thị Lý, giáo viên',
    field: 'văn hóa - xã hội',
    name: 'Lớp học tình thương',
    start: '1/1/2026',
    end: '31/12/2026',
  },
  {
    key: 'M5',
    at: '2026-01-09T09:00',
    unit: 'TYTCX',
    kind: 'dan van kheo',
    holder: 'tập thể',
    field: 'văn hóa - xã hội',
    name: 'Khám bệnh tại nhà',
    start: '1/1/2026',
    end: '31/12/2026',
  },
  {
    key: 'M6',
    at: '2026-01-12T09:00',
    unit: 'THIENCAM',
    kind: 'dan van kheo',
    holder: 'tập thể',
    field: 'quốc phòng - an ninh',
    name: 'Tổ tự quản ven biển',
    start: '1/1/2026',
    end: '31/12/2026',
  },
  {
    key: 'M7',
    at: '2026-01-15T09:00',
    unit: 'DUCTHO',
    kind: 'dan van kheo',
    holder: 'cá nhân',
    holderName: 'Trần Văn Hùng, trưởng thôn',
    field: 'tiếp dân',
    name: 'Trưởng thôn gần dân',
    start: '1/1/2026',
    end: '31/12/2026',
  },
  {
    key: 'M8',
    at: '2026-02-05T09:00',
    unit: 'CAMBINH',
    kind: 'diem sang dan chu',
    holder: 'tập thể',
    field: 'kinh tế',
    name: 'Dân chủ trong góp đất làm đường',
    start: '1/1/2026',
    end: '31/12/2026',
  },
  {
    key: 'M9',
    at: '2026-04-10T09:00',
    unit: 'HATINH',
    kind: 'diem sang dan van chinh quyen',
    holder: 'tập thể',
    field: 'xây dựng đảng',
    name: 'Lắng nghe dân nói',
    start: '1/1/2026',
    end: '31/12/2026',
  },
];

/** The codes /dangky gives them. */
export const HAND_COUNT_CODES: Record<string, string> = {
  M1: 'DVK-2025-0001',
  M2: 'DVK-2026-0001',
  M3: 'DVK-2026-0002',
  M4: 'DVK-2026-0003',
  M5: 'DVK-2026-0004',
  M6: 'DVK-2026-0005',
  M7: 'DVK-2026-0006',
  M8: 'DVK-2026-0007',
  M9: 'DVK-2026-0008',
};

/** Decisions in time order: [instant, command typed (the model as its key)]. */
export const HAND_COUNT_DECISIONS: readonly (readonly [string, string])[] = [
  ['2025-03-12T09:00', '/duyet M1'],
  ['2026-01-08T10:00', '/duyet M2'],
  ['2026-01-09T10:00', '/duyet M3'],
  ['2026-01-10T10:00', '/duyet M4'],
  ['2026-01-12T10:00', '/tralai M5 Chưa ghi rõ kết quả dự kiến'],
  ['2026-01-14T10:00', '/duyet M6'],
  ['2026-01-16T10:00', '/duyet M7'],
  ['2026-04-11T10:00', '/duyet M9'],
  ['2026-05-05T10:00', '/congnhan M4'],
  ['2026-05-15T10:00', '/nhanrong M4'],
  ['2026-05-20T10:00', '/congnhan M3'],
  ['2026-05-25T10:00', '/bieuduong M4'],
];

/** Progress updates: [instant (Vietnam time), model key, percent]. */
export const HAND_COUNT_UPDATES: readonly (readonly [string, string, number])[] = [
  ['2025-11-15T10:00', 'M1', 40],
  ['2026-01-15T10:00', 'M3', 10],
  ['2026-01-20T10:00', 'M2', 10],
  ['2026-02-10T10:00', 'M4', 20],
  ['2026-02-28T10:00', 'M6', 15],
  ['2026-03-15T10:00', 'M3', 30],
  ['2026-04-20T10:00', 'M4', 50],
  ['2026-04-30T23:30', 'M2', 40],
  ['2026-05-15T10:00', 'M6', 45],
  ['2026-06-01T00:30', 'M3', 90],
  ['2026-06-10T10:00', 'M2', 60],
];

const vn = (local: string) => `${local}:00+07:00`;

/**
 * Builds the dataset on an empty harness, playing each step at its instant in time order, and
 * leaves the clock at HAND_COUNT_NOW. Throws if a command did not answer as it should.
 */
export async function buildHandCountDataset(h: Harness): Promise<void> {
  h.clock.set(vn('2025-01-02T08:00'));
  const setupAt = h.clock.now();
  const ids: Record<string, number> = {};
  for (const [shortCode, name, kind, parent] of HAND_COUNT_UNITS) {
    ids[shortCode] = createUnit(h.db, { name, shortCode, kind, parentId: parent === null ? null : ids[parent]! }, CLI_ACTOR, setupAt).id;
  }
  addAdmin(h.db, { platform: 'console', platformUserId: HAND_COUNT_ADMIN }, HAND_COUNT_ADMIN, setupAt);
  const calendar = loadCalendar(fileURLToPath(new URL('../../config/calendar.json', import.meta.url)));
  syncCalendarDeadlines(h.db, calendar.deadlines, setupAt);
  addPerson(h.db, HAND_COUNT_LEADER, [{ role: 'leader', unit: 'HATINH' }], ids, setupAt, 'HATINH');

  type Step = { at: string; run: () => Promise<void> };
  const steps: Step[] = [
    ...HAND_COUNT_MODELS.map((m) => ({ at: m.at, run: () => register(h, m) })),
    ...HAND_COUNT_DECISIONS.map(([at, command]) => ({ at, run: () => decide(h, command) })),
    ...HAND_COUNT_UPDATES.map(([at, key, percent]) => ({ at, run: () => update(h, key, percent) })),
  ];
  // Stable: a registration before a decision at the same minute (none share one today).
  steps.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const step of steps) {
    h.clock.set(vn(step.at));
    await step.run();
  }
  h.clock.set(HAND_COUNT_NOW);
}

async function expectReply(h: Harness, text: string, expected: string, who = HAND_COUNT_ADMIN): Promise<string> {
  const reply = await h.text(who, text, HAND_COUNT_GROUP);
  if (!reply.includes(expected)) throw new Error(`hand-count dataset: "${text}" answered "${reply}", expected "${expected}"`);
  return reply;
}

async function register(h: Harness, m: ModelSpec): Promise<void> {
  await h.say(HAND_COUNT_ADMIN, '/dangky', HAND_COUNT_GROUP);
  const answers = [
    m.unit,
    m.kind,
    m.holder,
    ...(m.holderName ? [m.holderName] : []),
    m.field,
    m.name,
    `Nội dung của mô hình ${m.name}.`,
    'bỏ qua',
    m.start,
    m.end,
    'Lê Văn Nam, cán bộ',
  ];
  for (const answer of answers) await h.say(HAND_COUNT_ADMIN, answer, HAND_COUNT_GROUP);
  await expectReply(h, 'đồng ý', `Mã: ${HAND_COUNT_CODES[m.key]}`);
}

async function decide(h: Harness, command: string): Promise<void> {
  const typed = command.replace(/\bM\d\b/, (key) => HAND_COUNT_CODES[key]!);
  const code = typed.split(' ')[1]!;
  // Every decision asks for “đồng ý” first; the answer then names the model it changed.
  await expectReply(h, typed, 'Gõ “đồng ý”', HAND_COUNT_LEADER);
  const done = await expectReply(h, 'đồng ý', code, HAND_COUNT_LEADER);
  if (!/^(@[^:]+: )?(✅|↩️)/.test(done)) throw new Error(`hand-count dataset: "${typed}" was not done: "${done}"`);
}

async function update(h: Harness, key: string, percent: number): Promise<void> {
  await h.say(HAND_COUNT_ADMIN, `/capnhat ${HAND_COUNT_CODES[key]}`, HAND_COUNT_GROUP);
  await h.say(HAND_COUNT_ADMIN, `Đã làm thêm phần việc, đạt ${percent}%.`, HAND_COUNT_GROUP);
  await h.say(HAND_COUNT_ADMIN, `${percent}%`, HAND_COUNT_GROUP);
  await h.say(HAND_COUNT_ADMIN, 'bỏ qua', HAND_COUNT_GROUP);
  await expectReply(h, 'đồng ý', '✅ Đã ghi nhận tiến độ');
}
