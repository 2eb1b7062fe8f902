import type { OutgoingFile } from '../../core/chat.js';
import { vnParts } from '../../core/clock.js';
import { recordAudit } from '../../db/audit.js';
import type { Db } from '../../db/client.js';
import { actorOf } from '../../db/people.js';
import {
  adminIds,
  auditRowsAbout,
  chatsOfPerson,
  identitiesOfPerson,
  joinBlocksOfPerson,
  modelsRegisteredBy,
  personRow,
  rolesOfPerson,
  updatesAuthoredBy,
} from '../../db/personData.js';
import { unitById } from '../../db/units.js';
import type { CommandContext } from './command.js';
import { exportedAuditRow } from './personAudit.js';

/**
 * `/toi taive`: the person receives, in their private chat with the bot, one file with everything
 * the bot holds about them (Law 91/2025/QH15: the right to a copy of one's data, in a form another
 * system can read). JSON in UTF-8: machine-readable as the law's portability asks, and /toi already
 * reads the same data out in Vietnamese. Other people appear only as "quản trị #id" (see
 * personAudit.ts); units by name, models by code. Each file handed over is in the audit trail.
 */

const ISO = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The file's name: `du-lieu-ca-nhan-12-20260310.json`, the day in Vietnam. */
export function exportFileName(personId: number, now: Date): string {
  const p = vnParts(now);
  return `du-lieu-ca-nhan-${personId}-${p.year}${String(p.month).padStart(2, '0')}${String(p.day).padStart(2, '0')}.json`;
}

/** Everything about the person, as the file holds it; undefined when the person has no row. */
export function personExport(db: Db, personId: number, now: Date) {
  const person = personRow(db, personId);
  if (!person) return undefined;
  const unitNames = new Map<number, { name: string; shortCode: string } | null>();
  const unit = (id: number | null) => {
    if (id === null) return null;
    if (!unitNames.has(id)) {
      const row = unitById(db, id);
      unitNames.set(id, row ? { name: row.name, shortCode: row.shortCode } : null);
    }
    return unitNames.get(id) ?? { id };
  };
  const admins = adminIds(db);
  const grantedBy = (id: number | null) => (id === null ? null : id === personId ? 'bạn' : admins.has(id) ? `quản trị #${id}` : `người dùng #${id}`);
  const audit = auditRowsAbout(db, personId);
  return {
    format: 'dvk-bot/du-lieu-ca-nhan',
    version: 1,
    exportedAt: now.toISOString(),
    note:
      'Toàn bộ thông tin bot “Dân vận khéo” lưu về bạn (Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15). ' +
      'Thời điểm theo giờ quốc tế (UTC, giờ Việt Nam = UTC+7). Người khác chỉ được ghi là “quản trị #số” hoặc “người dùng #số”. ' +
      'Đề nghị sửa hoặc xóa thông tin: liên hệ quản trị.',
    person: {
      id: person.id,
      displayName: person.displayName,
      position: person.position,
      unit: unit(person.unitId),
      createdAt: ISO(person.createdAt),
      updatedAt: ISO(person.updatedAt),
      privacyNoticeAt: ISO(person.privacyNoticeAt),
    },
    identities: identitiesOfPerson(db, personId).map((i) => ({
      platform: i.platform,
      platformUserId: i.platformUserId,
      username: i.username,
      displayName: i.displayName,
      lastSeenAt: ISO(i.lastSeenAt),
    })),
    roles: rolesOfPerson(db, personId).map((r) => ({
      role: r.role,
      unit: r.unitId === null ? 'toàn hệ thống' : unit(r.unitId),
      grantedBy: grantedBy(r.grantedBy),
      grantedAt: ISO(r.createdAt),
    })),
    joinBlocks: joinBlocksOfPerson(db, personId).map((b) => ({ unit: unit(b.unitId), since: ISO(b.createdAt) })),
    chats: chatsOfPerson(db, personId).map((c) => ({ platform: c.platform, kind: c.kind, title: c.title, lastSeenAt: ISO(c.lastSeenAt) })),
    modelsRegistered: modelsRegisteredBy(db, personId).map((m) => ({
      code: m.code,
      year: m.year,
      name: m.name,
      unit: unit(m.unitId),
      state: m.state,
      registeredAt: ISO(m.createdAt),
    })),
    progressUpdates: updatesAuthoredBy(db, personId).map((u) => ({
      modelCode: u.modelCode,
      text: u.text,
      percent: u.percent,
      progressState: u.progressState,
      period: `${u.periodYear}-${String(u.periodMonth).padStart(2, '0')}`,
      createdAt: ISO(u.createdAt),
      updatedAt: ISO(u.updatedAt),
      attachments: u.attachments.map((a) => ({ ...a, createdAt: ISO(a.createdAt) })),
    })),
    auditLog: { count: audit.length, rows: audit.map((row) => exportedAuditRow(row, personId, admins)) },
  };
}

/** What /toi taive answers in a group: nothing personal there, and no file. */
export const EXPORT_ONLY_PRIVATELY =
  'Tệp dữ liệu cá nhân chỉ gửi trong tin nhắn riêng: bạn mở tin nhắn riêng với bot (bấm vào tên bot, chọn nhắn tin) rồi gõ /toi taive.';

export async function sendPersonExport(ctx: CommandContext): Promise<void> {
  if (ctx.msg.chat.kind !== 'private') {
    await ctx.reply(EXPORT_ONLY_PRIVATELY);
    return;
  }
  const data = personExport(ctx.db, ctx.caller.personId, ctx.now);
  if (!data) {
    await ctx.reply('Bot chưa có thông tin nào về bạn.');
    return;
  }
  const file: OutgoingFile = {
    fileName: exportFileName(ctx.caller.personId, ctx.now),
    mimeType: 'application/json',
    data: Buffer.from(`${JSON.stringify(data, null, 2)}\n`, 'utf8'),
  };
  const limit = ctx.out.maxFileBytes;
  if (limit !== undefined && file.data.length > limit) {
    await ctx.reply('Tệp dữ liệu của bạn lớn hơn mức nền tảng này cho gửi. Bạn nhờ quản trị trích xuất giúp trên máy chủ.');
    return;
  }
  await ctx.reply({
    text: `📎 Toàn bộ thông tin bot lưu về bạn, dạng JSON (${data.auditLog.count} mục nhật ký). Gõ /toi để đọc bản tóm tắt ngay trong tin nhắn.`,
    files: [file],
  });
  // Written once the file is out: a handover that failed gave nothing away.
  recordAudit(ctx.db, actorOf(ctx.caller), ctx.now, {
    action: 'person.data_export',
    entity: 'person',
    entityId: ctx.caller.personId,
    after: { fileName: file.fileName, bytes: file.data.length, auditRows: data.auditLog.count },
  });
}
