import { VN_OFFSET_MS } from '../core/clock.js';
import type { Person } from './fakes/zalo/index.js';
import { seededRandom } from './seededRandom.js';
import { fullNames } from './vietnameseNames.js';

/**
 * The week the Zalo soak plays (bench/zaloSoak.ts): a province group and a few private chats, with
 * people chatting, officers and a leader registering models (/dangky, eleven messages or so each,
 * some with wrong answers, some abandoned), other commands, /baocao excel now and then; and what
 * Zalo does to the connection meanwhile: the socket dropped about every minute, extra 1006s, some
 * reopens turned away (a new login follows), and two "opened elsewhere" frames each followed by
 * the operator's restart. Everything is drawn from one seed, so every run plays the same week.
 */

export const GROUP_ID = '6543210987654321098';

export type Role = 'officer' | 'leader';

/** Someone who may register models: an officer of one unit, or a leader of the province. */
export interface Registrant {
  person: Person;
  role: Role;
  /** The unit's short code (demo data: db/seed/demo.ts). */
  unit: string;
}

/** Lê Minh Châu and Trần Văn Bình are the bot bed's people (bench/fakes/zalo/botBed.ts). */
export const REGISTRANTS: readonly Registrant[] = [
  { person: { id: '7234567890123456789', name: 'Lê Minh Châu' }, role: 'officer', unit: 'CAMXUYEN' },
  { person: { id: '7234567890123450001', name: 'Nguyễn Văn Đức' }, role: 'officer', unit: 'DUCTHO' },
  { person: { id: '7234567890123450002', name: 'Phan Thị Hương' }, role: 'officer', unit: 'HUONGSON' },
  { person: { id: '7234567890123450003', name: 'Võ Đình Lĩnh' }, role: 'officer', unit: 'BACHONGLINH' },
  { person: { id: '7234567890123450004', name: 'Đặng Thu Hà' }, role: 'officer', unit: 'THANHSEN' },
  { person: { id: '7234567890123450005', name: 'Hồ Văn Bình' }, role: 'officer', unit: 'CAMBINH' },
  { person: { id: '7456789012345678901', name: 'Trần Văn Bình' }, role: 'leader', unit: 'HATINH' },
];

/** Group members with no role: they chat, and try a command now and then. */
export const MEMBERS: readonly Person[] = fullNames(20).map((name, i) => ({ id: String(7_345_678_901_234_500_000n + BigInt(i)), name }));

/** Units the leader registers for (typed by code at the first question). */
const LEADER_UNITS = ['CAMXUYEN', 'DUCTHO', 'HUONGSON', 'BACHONGLINH', 'THANHSEN', 'SNV', 'SYT', 'THIENCAM', 'TINHDOAN'];

/** What members write that the bot leaves alone (also the OA webhook benchmark's). */
export const CHATTER = [
  'Dạ em nhận được ạ',
  'Cảm ơn anh chị nhiều',
  'Chiều nay họp lúc mấy giờ vậy ạ?',
  'Em gửi ảnh buổi ra quân sau nhé',
  'Xã em đang tổng hợp, mai gửi ạ',
  'Mọi người nhớ nộp báo cáo tháng đúng hạn nhé',
  'Ok anh',
  'Đã xem ạ 👍',
  'Hôm nay mưa to quá, đoàn đi cơ sở hoãn sang thứ năm',
  'Chúc mừng xã Thiên Cầm nhé!',
  'Ai còn thiếu biểu mẫu thì nhắn em',
  'Em xin phép vắng buổi chiều ạ',
  'Nhờ chị Mai gửi lại danh sách giúp em',
  'Mô hình bên xã Đức Thọ hay quá',
  'Tuần sau đoàn kiểm tra xuống xã',
  'Dạ vâng',
  'Anh chị cho em hỏi mẫu đăng ký mới ở đâu ạ?',
  'Đã chuyển tài liệu qua email rồi nhé',
  'Chào buổi sáng cả nhà',
  '😀😀',
];

const COMMANDS_ANYONE = ['/huongdan', '/hanchot', '/toi', '/baocao', '/mohinh'];

const MODEL_TOPICS = [
  'Chợ phiên 0 đồng cho hộ nghèo',
  'Tuyến đường hoa nông thôn mới',
  'Tổ tự quản an ninh trật tự',
  'Bữa sáng yêu thương cho học sinh',
  'Dân vận khéo trong giải phóng mặt bằng',
  'Ngày thứ bảy vì dân',
  'Sổ tay tiếp dân điện tử',
  'Vườn mẫu dược liệu cộng đồng',
  'Câu lạc bộ phụ nữ khởi nghiệp',
  'Thắp sáng đường quê',
];

export type FileTiming = 'after' | 'before' | 'lost';

export interface PlannedMessage {
  thread: 'group' | 'user';
  from: Person;
  text: string;
  part: 'chatter' | 'dangky' | 'command' | 'report';
  /** For a /baocao … excel: when its file's file_done comes ('lost': during a socket drop). */
  fileTiming?: FileTiming;
}

export type SoakEvent =
  | { at: number; type: 'message'; message: PlannedMessage }
  /** Zalo's own cycling (1006); `refuse` reopens are turned away first (each forces a login). */
  | { at: number; type: 'drop'; refuse: number }
  | { at: number; type: 'extra-1006' }
  /** The cmd-3000 frame; `echo`: Zalo completes zca-js's close (3000), or cuts it (zca-js sees 1006). */
  | { at: number; type: 'kick'; echo: boolean }
  | { at: number; type: 'restart' };

export interface SoakPlanOptions {
  /** Simulated epoch ms of the first instant. */
  start: number;
  days: number;
  /** Messages in the week, exactly. */
  messages: number;
  seed: number;
  /** Regular drops every this many seconds, ± `dropJitterS`. */
  dropEveryS?: number;
  dropJitterS?: number;
  /** Extra 1006s per hour (a Poisson process). */
  extraPerHour?: number;
  /** Share of regular drops whose reopen Zalo turns away. */
  refuseShare?: number;
  /** "Opened elsewhere": hours from the start, whether Zalo echoes the close, minutes until the restart. */
  kicks?: ReadonlyArray<{ atHour: number; echo: boolean; restartAfterMin: number }>;
}

export interface SoakPlan {
  events: SoakEvent[];
  messages: number;
  /** Messages by what they are part of. */
  parts: Record<PlannedMessage['part'], number>;
  /** Median minutes between two /dangky begun on a weekday between 8:00 and 17:00. */
  dangkyEveryMin: number;
  dangky: number;
  reports: number;
  drops: number;
  refusedReopens: number;
  extra1006: number;
  kicks: number;
}

/** Relative activity by hour of the day (Vietnam time): office hours busy, nights nearly quiet. */
const HOURLY = [0.05, 0.02, 0.02, 0.02, 0.05, 0.2, 0.6, 1.5, 3, 3, 3, 2.5, 1, 1.2, 3, 3, 2.8, 2, 1, 0.8, 0.7, 0.5, 0.2, 0.1];
const WEEKEND = 0.35;
/** Messages a session brings on average (a registration is about eleven): calibrates the rate. */
const MESSAGES_PER_SESSION = 3.8;

/**
 * Tuesday 09:10 (Zalo echoes the close: 3000) and Thursday 09:45 (it cuts it: zca-js sees 1006),
 * restarted 8 and 13 minutes later: busy moments of seed 17's week, so that the restarted bot
 * has a few dozen messages to recover from Zalo's history.
 */
export const DEFAULT_KICKS = [
  { atHour: 24 + 9 + 10 / 60, echo: true, restartAfterMin: 8 },
  { atHour: 3 * 24 + 9.75, echo: false, restartAfterMin: 13 },
] as const;

export function soakPlan(options: SoakPlanOptions): SoakPlan {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const end = options.start + options.days * 24 * 3_600_000;
  const weightAt = (t: number) => {
    const local = new Date(t + VN_OFFSET_MS);
    const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6;
    return HOURLY[local.getUTCHours()]! * (weekend ? WEEKEND : 1);
  };
  let totalWeight = 0;
  for (let t = options.start; t < end; t += 3_600_000) totalWeight += weightAt(t);
  // Sessions per hour at weight 1; a little under, so that the exact count is reached by adding chatter.
  const rate = (0.97 * options.messages) / (MESSAGES_PER_SESSION * totalWeight);
  const maxWeight = Math.max(...HOURLY);

  const messages: Array<{ at: number; message: PlannedMessage }> = [];
  const say = (at: number, message: PlannedMessage) => messages.push({ at, message });
  const busyUntil = new Map<string, number>();
  const savedNames = new Map<string, string[]>();
  let modelNo = 0;
  let dangky = 0;
  let reports = 0;

  /** One registration, answered as people type it; returns when its last message goes. */
  const registration = (at: number, who: Registrant): number => {
    const thread = random() < 0.2 ? 'user' : 'group';
    const unit = who.role === 'leader' ? pick(LEADER_UNITS) : who.unit;
    const answers: string[] = [];
    const variant = random();
    const name = `${pick(MODEL_TOPICS)} số ${++modelNo}`;
    if (who.role === 'leader') {
      if (variant < 0.05) answers.push('XYZ');
      answers.push(unit);
    }
    if (variant >= 0.05 && variant < 0.11) answers.push('7');
    answers.push(pick(['dan van kheo', '1', '2', '3']));
    const individual = random() < 0.3;
    answers.push(individual ? 'cá nhân' : 'tập thể');
    if (individual) answers.push(`${pick(MEMBERS).name}, hội trưởng`);
    answers.push(String(1 + Math.floor(random() * 7)));
    const taken = savedNames.get(unit) ?? [];
    if (variant >= 0.11 && variant < 0.18 && taken.length > 0) answers.push(pick(taken));
    answers.push(name);
    if (variant >= 0.18 && variant < 0.26) answers.push('Tốt ạ');
    answers.push(`Mục tiêu: ${name.toLowerCase()}; huy động người dân cùng làm, mỗi tháng một đợt.`);
    answers.push(random() < 0.5 ? 'bỏ qua' : 'Trên 200 hộ được hỗ trợ trong năm');
    answers.push(pick(['1/3', '15/3', '1/4']));
    if (variant >= 0.26 && variant < 0.36) answers.push('1/1/2026');
    answers.push(pick(['31/12/2026', '30/11/2026']));
    answers.push(`${who.person.name}, chuyên viên`);
    answers.push('đồng ý');
    let abandonAfter = Infinity;
    if (variant >= 0.93) abandonAfter = 1 + Math.floor(random() * (answers.length - 2));
    let t = at;
    say(t, { thread, from: who.person, text: random() < 0.1 ? '/dk' : '/dangky', part: 'dangky' });
    for (const [i, answer] of answers.entries()) {
      t += between(15_000, 75_000);
      if (i === abandonAfter) {
        say(t, { thread, from: who.person, text: '/huy', part: 'dangky' });
        return t;
      }
      say(t, { thread, from: who.person, text: answer, part: 'dangky' });
    }
    savedNames.set(unit, [...taken, name]);
    return t;
  };

  // Sessions: a non-homogeneous Poisson process, by thinning.
  for (let t = options.start; ; ) {
    t += (-Math.log(1 - random()) / (rate * maxWeight)) * 3_600_000;
    if (t >= end) break;
    if (random() * maxWeight > weightAt(t)) continue;
    const free = REGISTRANTS.filter((r) => (busyUntil.get(r.person.id) ?? 0) < t);
    const kind = random();
    if (kind < 0.27 && free.length > 0) {
      const who = pick(free);
      dangky++;
      busyUntil.set(who.person.id, registration(t, who) + 60_000);
    } else if (kind < 0.3 && free.length > 0) {
      const who = pick(free);
      reports++;
      const text = pick(['/baocao excel', '/baocao quy 1 excel', '/baocao thang 3 excel', '/baocao excel 2026']);
      const fileTiming: FileTiming = pick(['after', 'after', 'before', 'lost']);
      say(t, { thread: random() < 0.3 ? 'user' : 'group', from: who.person, text, part: 'report', fileTiming });
      busyUntil.set(who.person.id, t + 5 * 60_000);
    } else if (kind < 0.43) {
      const who = random() < 0.5 && free.length > 0 ? pick(free).person : pick(MEMBERS);
      say(t, { thread: 'group', from: who, text: pick(COMMANDS_ANYONE), part: 'command' });
    } else if (kind < 0.45) {
      say(t, { thread: 'user', from: pick(MEMBERS), text: pick(['/huongdan', 'Chào bot', '/toi']), part: 'command' });
    } else {
      say(t, { thread: 'group', from: pick(MEMBERS), text: pick(CHATTER), part: 'chatter' });
    }
  }

  // A registration begun late in the week is cut at its end; then exactly `options.messages`:
  // chatter added at busy-weighted times, or taken away.
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.at >= end) messages.splice(i, 1);
  while (messages.length < options.messages) {
    const t = between(options.start, end);
    if (random() * maxWeight > weightAt(t)) continue;
    say(t, { thread: 'group', from: pick(MEMBERS), text: pick(CHATTER), part: 'chatter' });
  }
  let chatter = messages.filter((m) => m.message.part === 'chatter').length;
  while (messages.length > options.messages && chatter > 0) {
    const i = Math.floor(random() * messages.length);
    if (messages[i]!.message.part !== 'chatter') continue;
    messages.splice(i, 1);
    chatter--;
  }
  // Still too many (a short, busy plan): the last conversations are cut, as at the week's end.
  messages.sort((a, b) => a.at - b.at).splice(options.messages);

  const events: SoakEvent[] = messages.map(({ at, message }) => ({ at: Math.round(at), type: 'message', message }));
  let drops = 0;
  let refusedReopens = 0;
  const every = (options.dropEveryS ?? 60) * 1000;
  const jitter = (options.dropJitterS ?? 15) * 1000;
  for (let t = options.start + between(every - jitter, every + jitter); t < end; t += between(every - jitter, every + jitter)) {
    const refuse = random() < (options.refuseShare ?? 1 / 120) ? (random() < 0.125 ? 2 : 1) : 0;
    refusedReopens += refuse;
    drops++;
    events.push({ at: Math.round(t), type: 'drop', refuse });
  }
  let extra1006 = 0;
  const perHour = options.extraPerHour ?? 3;
  for (let t = options.start; ; ) {
    t += (-Math.log(1 - random()) / perHour) * 3_600_000;
    if (t >= end) break;
    extra1006++;
    events.push({ at: Math.round(t), type: 'extra-1006' });
  }
  const kicks = options.kicks ?? DEFAULT_KICKS;
  for (const kick of kicks) {
    const at = options.start + kick.atHour * 3_600_000;
    events.push({ at: Math.round(at), type: 'kick', echo: kick.echo });
    events.push({ at: Math.round(at + kick.restartAfterMin * 60_000), type: 'restart' });
  }
  // Stable: events at the same instant keep the order above.
  events.sort((a, b) => a.at - b.at);
  const parts: SoakPlan['parts'] = { chatter: 0, dangky: 0, command: 0, report: 0 };
  for (const { message } of messages) parts[message.part]++;
  const officeStarts = messages
    .filter(({ at, message }) => {
      const local = new Date(at + VN_OFFSET_MS);
      return /^\/(dangky|dk)$/.test(message.text) && local.getUTCDay() >= 1 && local.getUTCDay() <= 5 && local.getUTCHours() >= 8 && local.getUTCHours() < 17;
    })
    .map(({ at }) => at)
    .sort((a, b) => a - b);
  // Gaps within a working day (not from one evening to the next morning).
  const gaps = officeStarts
    .slice(1)
    .map((t, i) => t - officeStarts[i]!)
    .filter((g) => g < 9 * 3_600_000)
    .sort((a, b) => a - b);
  const dangkyEveryMin = gaps.length > 0 ? gaps[Math.floor(gaps.length / 2)]! / 60_000 : NaN;
  return { events, messages: messages.length, parts, dangkyEveryMin, dangky, reports, drops, refusedReopens, extra1006, kicks: kicks.length };
}
