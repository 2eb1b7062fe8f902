import { asc, eq } from 'drizzle-orm';
import type { Command } from './shared/command.js';
import type { Role } from '../db/schema.js';
import { identities, people } from '../db/schema.js';
import { unitById } from '../db/units.js';
import { PLATFORM_LABEL } from '../core/labels.js';

/**
 * `/toi`: who the bot thinks you are. The #number is what an admin types to grant a role, so
 * people can tell it to them.
 */

const ROLE_LABEL: Record<Role, string> = {
  admin: 'quản trị',
  leader: 'lãnh đạo',
  officer: 'cán bộ đầu mối',
};

const ROLE_ORDER: Role[] = ['admin', 'leader', 'officer'];

export const toi: Command = {
  name: 'toi',
  access: 'anyone',
  summary: 'xem bot biết bạn là ai: số hiệu, đơn vị, vai trò, tài khoản đã liên kết',
  async run(ctx) {
    const { db, caller } = ctx;
    const person = db.select().from(people).where(eq(people.id, caller.personId)).get();
    const unitName = (id: number) => {
      const unit = unitById(db, id);
      return unit ? `${unit.name} (${unit.shortCode})` : `đơn vị #${id}`;
    };

    const lines = [`Bạn là #${caller.personId} — ${person?.displayName ?? caller.displayName}.`];
    lines.push(
      caller.unitId === null ? 'Đơn vị: chưa có. Bạn gõ /thamgia <mã> với mã tham gia quản trị gửi cho đơn vị của bạn.' : `Đơn vị: ${unitName(caller.unitId)}.`,
    );
    const grants = [...caller.grants].sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
    lines.push(
      grants.length === 0
        ? 'Vai trò: chưa có.'
        : `Vai trò: ${grants.map((g) => `${ROLE_LABEL[g.role]} — ${g.unitId === null ? 'toàn hệ thống' : unitName(g.unitId)}`).join('; ')}.`,
    );
    const accounts = db
      .select({ platform: identities.platform, displayName: identities.displayName })
      .from(identities)
      .where(eq(identities.personId, caller.personId))
      .orderBy(asc(identities.id))
      .all();
    lines.push(`Tài khoản đã liên kết: ${accounts.map((a) => `${PLATFORM_LABEL[a.platform]} (${a.displayName})`).join(', ')}.`);
    if (accounts.length < 2) lines.push('Dùng bot trên nền tảng khác nữa? Nhắn riêng cho bot /lienket để nối hai tài khoản thành một.');
    await ctx.reply(lines.join('\n'));
  },
};
