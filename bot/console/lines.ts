import { addDays, type IsoDay, isoDayOf, vnInstant } from '../../core/calendar.js';
import type { IncomingAttachment } from '../../core/chat.js';
import { formatVnDateTime, isoDay, isRealDay, vnParts } from '../../core/clock.js';
import { fold, normalizeIncomingText } from '../../core/text.js';

/**
 * One scripted line of the simulator:
 *  - `[Group name] Person name: text` (kind 'said'). A line without the bracket part is more text
 *    from the last group and person. The group `[riêng]` (or `[rieng]`, `[private]`) is the
 *    person's private chat with the bot.
 *  - `⏰ 15/04/2026 08:00`, `⏰ +2 ngày` (or `@thoigian …`): the simulator's clock moves forward
 *    (kind 'time'), so a scripted year can be played in one session. A directive that cannot be
 *    read is kind 'bad-time', with what is wrong in Vietnamese.
 */
export type ScriptLine =
  | { kind: 'said'; group?: string; person?: string; text: string }
  | { kind: 'time'; jump: TimeJump }
  | { kind: 'bad-time'; problem: string };

/** Where a time directive moves the clock: to a Vietnam wall-clock time, or forward by an amount. */
export type TimeJump = { to: IsoDay; time?: string } | { after: number; unit: TimeUnit };

export type TimeUnit = 'minute' | 'hour' | 'day' | 'week' | 'month';

const ADDRESSED = /^\[([^\]]+)\]\s*([^:]+?)\s*:\s?(.*)$/s;

export function parseScriptLine(line: string): ScriptLine {
  const clean = normalizeIncomingText(line);
  const directive = timeDirective(clean);
  if (directive !== undefined) return parseTimeDirective(directive);
  const match = ADDRESSED.exec(clean);
  if (!match) return { kind: 'said', text: clean };
  return { kind: 'said', group: match[1]!.trim(), person: match[2]!.trim(), text: match[3]!.trim() };
}

/**
 * The alarm clock, or `@thoigian` for keyboards without emoji, at the very start of a line not
 * addressed to a group: nobody in a chat says it, so it cannot hide a message of the script.
 */
const TIME_MARK = /^(?:⏰\uFE0F?|@thoigian\b|@thờigian\b)\s*(.*)$/isu;

function timeDirective(line: string): string | undefined {
  const match = TIME_MARK.exec(line.trim());
  return match ? match[1]!.trim() : undefined;
}

const TIME_HOW = 'Cách viết: ⏰ 15/04/2026 08:00 (giờ Việt Nam), ⏰ 15/04/2026 (giữ giờ hiện tại), ⏰ +10 phút, ⏰ +2 ngày, ⏰ +1 tháng.';

const UNITS: Record<string, TimeUnit> = {
  phut: 'minute',
  p: 'minute',
  gio: 'hour',
  tieng: 'hour',
  h: 'hour',
  ngay: 'day',
  tuan: 'week',
  thang: 'month',
};

const RELATIVE = /^\+\s*(\d{1,4})\s*([a-z]+)$/;
const DAY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
/** 08:00, 8:00, 8h, 8h30. */
const CLOCK_TIME = /^(\d{1,2})(?::(\d{2})|h(\d{2})?)$/;

function parseTimeDirective(rest: string): ScriptLine {
  const folded = fold(rest);
  const relative = RELATIVE.exec(folded);
  if (relative) {
    const after = Number(relative[1]);
    // Own keys only: `+2 constructor` is not a unit.
    const unit = Object.hasOwn(UNITS, relative[2]!) ? UNITS[relative[2]!] : undefined;
    if (!unit) return badTime(`không hiểu đơn vị “${relative[2]}”`);
    if (after === 0) return badTime('cần một khoảng lớn hơn 0');
    return { kind: 'time', jump: { after, unit } };
  }
  const words = folded.split(' ').filter((w) => w !== '');
  if (words.length === 0 || words.length > 2) return badTime(rest === '' ? 'chưa có ngày giờ' : `không hiểu “${rest}”`);
  let day: IsoDay | undefined;
  let time: string | undefined;
  for (const word of words) {
    const d = DAY.exec(word);
    const t = CLOCK_TIME.exec(word);
    if (d && day === undefined) {
      const [dd, mm, yyyy] = [Number(d[1]), Number(d[2]), Number(d[3])];
      if (!isRealDay(yyyy, mm, dd)) return badTime(mm >= 1 && mm <= 12 ? `tháng ${mm}/${yyyy} không có ngày ${dd}` : `không có tháng ${mm}`);
      day = isoDay(yyyy, mm, dd);
    } else if (t && time === undefined) {
      const hour = Number(t[1]);
      const minute = Number(t[2] ?? t[3] ?? 0);
      if (hour > 23 || minute > 59) return badTime(`không có giờ “${word}”`);
      time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
    } else {
      return badTime(`không hiểu “${rest}”`);
    }
  }
  if (day === undefined) return badTime('thiếu ngày (dd/mm/yyyy)');
  return { kind: 'time', jump: time === undefined ? { to: day } : { to: day, time } };
}

function badTime(why: string): ScriptLine {
  return { kind: 'bad-time', problem: `⏰ Không đọc được dòng đặt giờ: ${why}. ${TIME_HOW} Bỏ qua dòng này.` };
}

/**
 * The instant a jump lands on from `now`. A day without a time keeps the time of day; a month
 * forward keeps the day of the month where it exists (31/01 + 1 tháng = 28/02 or 29/02).
 */
export function jumpTarget(jump: TimeJump, now: Date): Date {
  if ('to' in jump) {
    if (jump.time !== undefined) return vnInstant(jump.to, jump.time);
    return new Date(vnInstant(jump.to, '00:00').getTime() + (now.getTime() - vnInstant(isoDayOf(now), '00:00').getTime()));
  }
  const minute = 60_000;
  switch (jump.unit) {
    case 'minute':
      return new Date(now.getTime() + jump.after * minute);
    case 'hour':
      return new Date(now.getTime() + jump.after * 60 * minute);
    case 'day':
    case 'week': {
      // Calendar days, not 24-hour blocks (the same thing in Vietnam, which has no daylight saving).
      const days = jump.unit === 'week' ? jump.after * 7 : jump.after;
      return jumpTarget({ to: addDays(isoDayOf(now), days) }, now);
    }
    case 'month': {
      const p = vnParts(now);
      const months = p.year * 12 + (p.month - 1) + jump.after;
      const [year, month] = [Math.floor(months / 12), (months % 12) + 1];
      const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
      return jumpTarget({ to: isoDay(year, month, Math.min(p.day, last)) }, now);
    }
  }
}

/** What the simulator says when a directive would move its clock back: time only goes forward. */
export function timeBackwardsRefusal(now: Date, target: Date): string {
  return (
    `⏰ Giờ mô phỏng chỉ đi tới, không lùi lại: bây giờ đã là ${formatVnDateTime(now)}, ` + `còn dòng này đưa về ${formatVnDateTime(target)}. Bỏ qua dòng này.`
  );
}

export function isPrivateLabel(group: string): boolean {
  return ['rieng', 'private', 'tin nhan rieng'].includes(fold(group));
}

const ATTACH = /^(?:📎|\+tep\b|\+tệp\b)\s*(.*)$/su;

const KIND_BY_EXTENSION: Record<string, IncomingAttachment['kind']> = {
  jpg: 'photo',
  jpeg: 'photo',
  png: 'photo',
  gif: 'photo',
  webp: 'photo',
  heic: 'photo',
  mp4: 'video',
  mov: 'video',
  mp3: 'audio',
  m4a: 'audio',
  ogg: 'audio',
};

/**
 * `📎 anh.jpg, bao-cao.pdf` (or `+tep …`) plays sending files: the simulator's stand-in for a
 * photo or document attached in a real chat. Returns undefined for ordinary text.
 */
export function parseAttachments(text: string): IncomingAttachment[] | undefined {
  const match = ATTACH.exec(text);
  if (!match) return undefined;
  return match[1]!
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((ref) => {
      const fileName = ref.split(/[/\\]/).pop()!;
      const extension = fileName.includes('.') ? fileName.split('.').pop()!.toLowerCase() : '';
      return { kind: KIND_BY_EXTENSION[extension] ?? 'document', ref, fileName };
    });
}
