import { existsSync, statSync } from 'node:fs';
import { count, eq, min, sql } from 'drizzle-orm';
import type { AdapterState, ChatGoneReason } from '../../core/chat.js';
import type { Command } from '../shared/command.js';
import { formatVnDateTime } from '../../core/clock.js';
import { packageVersion, type StatusSource } from '../shared/status.js';
import { platformTitle } from '../../core/labels.js';
import { ellipsize } from '../../core/text.js';
import { type UnreachableChat, unreachableChats } from '../../db/chats.js';
import type { Db } from '../../db/client.js';
import { type OutboxStatus, reminderOutbox } from '../../db/schema.js';
import { sizeText } from '../../core/labels.js';

/**
 * `/trangthai`: is the bot healthy? The platforms' connections, the reminders waiting or stuck in
 * the outbox, the chats the bot can no longer write to, the scheduler's last tick, the database's size, the version and the uptime. What
 * only the running process knows comes from its StatusSource; without one (tests, the CLI) the
 * answer says what the database knows.
 */

const STATE_LABEL: Record<AdapterState, string> = {
  connected: '✅ đã kết nối',
  connecting: '🔄 đang kết nối',
  stopped: '⛔ đã dừng',
};

/** The scheduler ticks every minute; this long without a tick means it is stuck or stopped. */
const TICK_LATE_MS = 3 * 60_000;

/** "2 ngày 3 giờ", "15 phút": the two largest parts are enough to read a status. */
export function durationText(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'chưa đến 1 phút';
  const parts = [
    [Math.floor(minutes / 1440), 'ngày'],
    [Math.floor((minutes % 1440) / 60), 'giờ'],
    [minutes % 60, 'phút'],
  ] as const;
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n} ${unit}`)
    .join(' ');
}

function adapterLines(status: StatusSource): string[] {
  const adapters = status.adapters();
  if (adapters.length === 0) return ['• Không có kênh nào đang chạy.'];
  return adapters.flatMap(({ platform, status: s }) => {
    const name = platformTitle(platform);
    if (!s) return [`• ${name}: ❔ không rõ (kênh này không báo trạng thái)`];
    const line = `• ${name}: ${STATE_LABEL[s.state]} từ ${formatVnDateTime(s.since)}${s.detail ? ` — ${ellipsize(s.detail, 160)}` : ''}`;
    return [line, ...(s.warnings ?? []).map((w) => `  ⚠️ ${ellipsize(w, 160)}`)];
  });
}

function outboxLines(db: Db, now: Date): string[] {
  const counts = new Map<OutboxStatus, number>(
    db
      .select({ status: reminderOutbox.status, n: count() })
      .from(reminderOutbox)
      .groupBy(reminderOutbox.status)
      .all()
      .map((r) => [r.status, r.n]),
  );
  const n = (s: OutboxStatus) => counts.get(s) ?? 0;
  const oldest = db
    .select({ at: min(reminderOutbox.notBefore) })
    .from(reminderOutbox)
    .where(eq(reminderOutbox.status, 'pending'))
    .get()?.at;
  let pending = `• Chờ gửi: ${n('pending')}`;
  if (oldest != null) {
    const at = new Date(oldest);
    const waiting = now.getTime() - oldest;
    pending += waiting > 0 ? ` — cũ nhất hẹn gửi lúc ${formatVnDateTime(at)}, đã chờ ${durationText(waiting)}` : ` — sớm nhất lúc ${formatVnDateTime(at)}`;
  }
  const uncertain = n('uncertain');
  const failed = n('failed');
  return [
    pending,
    // 'claimed' is taken for sending by this process or another; both are on their way out.
    `• Đang gửi: ${n('claimed') + n('sending')}`,
    `• ${uncertain > 0 ? '⚠️ ' : ''}Không rõ đã gửi hay chưa (bot dừng giữa lúc gửi, hoặc nền tảng không trả lời kịp): ${uncertain}`,
    `• ${failed > 0 ? '⚠️ ' : ''}Gửi lỗi, đã thôi thử: ${failed}`,
  ];
}

/** Unreachable chats listed by name; the rest are counted. */
const UNREACHABLE_SHOWN = 10;

const GONE_REASON_LABEL: Record<ChatGoneReason, string> = {
  removed: 'bot không còn trong nhóm',
  disbanded: 'nhóm đã giải tán',
  refused: 'người nhận không nhận tin nhắn từ tài khoản bot',
  expired: 'gói dịch vụ của nhóm Zalo OA đã hết hạn, cần gia hạn',
};

function unreachableLabel(chat: UnreachableChat, showPeople: boolean): string {
  const platform = platformTitle(chat.platform);
  if (chat.kind === 'private') {
    // Who does not take the bot's messages is for the admin alone, not for a whole group.
    const who = showPeople ? (chat.personName ? ellipsize(chat.personName, 60) : chat.platformChatId) : 'một người';
    return `${platform}, nhắn riêng với ${who}`;
  }
  const name = chat.title ? `nhóm “${ellipsize(chat.title, 60)}”` : chat.unitName ? `nhóm của ${ellipsize(chat.unitName, 60)}` : `nhóm ${chat.platformChatId}`;
  return `${platform}, ${name}`;
}

/**
 * Chats the bot stopped writing to because the platform said it could not (removed from a group,
 * the group disbanded, a person or group refusing the account's messages): reminders to them are
 * dropped, so the admins should know. Nothing when there are none.
 */
function unreachableLines(db: Db, showPeople: boolean): string[] {
  const { total, chats } = unreachableChats(db, UNREACHABLE_SHOWN);
  if (total === 0) return [];
  const lines = chats.map((c) => {
    const why = c.reason ? GONE_REASON_LABEL[c.reason] : 'nền tảng báo bot không gửi được nữa';
    return `• ${unreachableLabel(c, showPeople)} — ${why}, từ ${formatVnDateTime(c.since)}`;
  });
  if (total > chats.length) lines.push(`• … và ${total - chats.length} nơi khác`);
  return [
    '',
    `⚠️ Bot không gửi được tới ${total} nơi (đã thôi gửi, kể cả nhắc hạn):`,
    ...lines,
    'Khi bot được thêm lại vào nhóm và có người nhắn ở đó, hoặc người đó nhắn riêng cho bot, bot sẽ gửi lại bình thường.',
  ];
}

function tickLine(status: StatusSource, now: Date): string {
  const last = status.lastTickAt();
  if (!last) return '⚠️ Bộ lập lịch: chưa chạy lần nào.';
  const ago = now.getTime() - last.getTime();
  const when = `lần chạy gần nhất ${formatVnDateTime(last)} (${durationText(ago)} trước)`;
  return ago > TICK_LATE_MS ? `⚠️ Bộ lập lịch: ${when}; có thể đã dừng, nhắc hạn sẽ không được gửi.` : `Bộ lập lịch: ${when}.`;
}

/** The database file as SQLite reports it; in memory (tests), its pages. */
function databaseLine(db: Db, path: string | undefined): string {
  const file = path ?? db.all<{ name: string; file: string }>(sql`pragma database_list`).find((d) => d.name === 'main')?.file ?? '';
  if (file === '' || file === ':memory:' || !existsSync(file)) {
    const pages = db.get<{ n: number }>(sql`select page_count * page_size as n from pragma_page_count(), pragma_page_size()`);
    return `Cơ sở dữ liệu (trong bộ nhớ): ${sizeText(pages?.n ?? 0)}.`;
  }
  const main = statSync(file).size;
  const wal = existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0;
  // No "WAL": an officer reading this does not need SQLite's words (issue 22).
  return `Cơ sở dữ liệu: ${sizeText(main + wal)} (tệp chính ${sizeText(main)}, tệp ghi tạm ${sizeText(wal)}).`;
}

export const trangthai: Command = {
  name: 'trangthai',
  access: 'admin',
  summary: 'xem tình trạng bot: kết nối, nhắc hạn chờ gửi, bộ lập lịch, dung lượng dữ liệu',
  async run(ctx) {
    const { status, now } = ctx;
    const lines = [`🩺 Tình trạng bot lúc ${formatVnDateTime(now)}`, `Phiên bản: ${status?.version ?? packageVersion()}`];
    if (status) {
      lines.push(`Đã chạy: ${durationText(now.getTime() - status.startedAt.getTime())} (từ ${formatVnDateTime(status.startedAt)})`);
      lines.push('', 'Kết nối:', ...adapterLines(status));
    }
    lines.push('', 'Nhắc hạn trong hàng đợi:', ...outboxLines(ctx.db, now));
    lines.push(...unreachableLines(ctx.db, ctx.msg.chat.kind === 'private'), '');
    lines.push(status ? tickLine(status, now) : 'Kết nối, bộ lập lịch: không có thông tin (lệnh không chạy trong tiến trình bot).');
    lines.push(databaseLine(ctx.db, status?.dbPath));
    await ctx.reply(lines.join('\n'));
  },
};
