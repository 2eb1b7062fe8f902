/**
 * Time is always injected, so tests and demos can fix "now" (DVK_NOW).
 *
 * Vietnam has used UTC+7 without daylight saving since 1975, so local calendar parts are
 * computed by a fixed offset instead of going through Intl for every call (the planner and
 * reports do this in tight loops).
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock frozen at one instant: what DVK_NOW gives to demos, dry runs and tests. */
export function fixedClock(instant: Date | string): Clock & { set(next: Date | string): void; advance(ms: number): void } {
  let current = new Date(instant);
  if (Number.isNaN(current.getTime())) throw new Error(`invalid instant: ${String(instant)}`);
  return {
    now: () => new Date(current.getTime()),
    set(next) {
      current = new Date(next);
    },
    advance(ms) {
      current = new Date(current.getTime() + ms);
    },
  };
}

/** A clock that can be moved forward: the simulator's, which a script's `⏰` lines move. */
export interface SettableClock extends Clock {
  /** Moves the clock to `next`; it keeps running from there as its base does. Never backwards. */
  set(next: Date): void;
}

/**
 * `base` moved forward by however far `set` was asked to go: over fixedClock(DVK_NOW) it stays
 * frozen between jumps, over the system clock it keeps running in real time from the instant set
 * (an interactive session still sees a 10-minute window close). Going back is refused, because
 * reminders already sent, decisions and history would then lie in the future.
 */
export function settableClock(base: Clock): SettableClock {
  let offsetMs = 0;
  const now = () => new Date(base.now().getTime() + offsetMs);
  return {
    now,
    set(next) {
      const current = now().getTime();
      if (Number.isNaN(next.getTime())) throw new Error(`invalid instant: ${String(next)}`);
      if (next.getTime() < current) throw new RangeError(`the clock does not go back: ${next.toISOString()} < ${new Date(current).toISOString()}`);
      offsetMs += next.getTime() - current;
    },
  };
}

export const VN_OFFSET_MS = 7 * 60 * 60 * 1000;
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

export function vnParts(instant: Date): LocalParts {
  const shifted = new Date(instant.getTime() + VN_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    weekday: shifted.getUTCDay(),
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "21/11/2026" — how Vietnamese officials write a date. */
export function formatVnDate(instant: Date): string {
  const p = vnParts(instant);
  return `${pad(p.day)}/${pad(p.month)}/${p.year}`;
}

/** "08:05" — the Vietnam wall-clock time, comparable as a string with "HH:MM" settings. */
export function formatVnTime(instant: Date): string {
  const p = vnParts(instant);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** "08:05 21/11/2026" */
export function formatVnDateTime(instant: Date): string {
  return `${formatVnTime(instant)} ${formatVnDate(instant)}`;
}

/** An ISO calendar date "2026-01-15" (how dates without time are stored) shown as "15/01/2026". */
export function formatIsoDay(isoDay: string): string {
  const [y, m, d] = isoDay.split('-');
  return `${d}/${m}/${y}`;
}

export function isoDay(year: number, month: number, day: number): string {
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** Whether year/month/day names a real calendar day (31/2 does not; 29/2 only in leap years). */
export function isRealDay(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= last;
}

/** A compact local stamp for file names: 20261121-083000. */
export function fileStamp(instant: Date): string {
  const p = vnParts(instant);
  const s = new Date(instant.getTime() + VN_OFFSET_MS).getUTCSeconds();
  return `${p.year}${pad(p.month)}${pad(p.day)}-${pad(p.hour)}${pad(p.minute)}${pad(s)}`;
}

/** The reporting period an instant falls in: its month and quarter in Vietnam. */
export interface Period {
  year: number;
  month: number;
  quarter: number;
}

export function periodOf(instant: Date): Period {
  const { year, month } = vnParts(instant);
  return { year, month, quarter: Math.ceil(month / 3) };
}
