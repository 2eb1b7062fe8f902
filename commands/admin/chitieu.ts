import { vnParts } from '../../core/clock.js';
import type { Command } from '../shared/command.js';
import { charLength, ellipsize, fold } from '../../core/text.js';
import { actorOf } from '../../db/people.js';
import { defaultQuota } from '../../db/quotas.js';
import { QUOTA_MAX, quotaOverrides, setQuota, unitByCode } from '../../db/unitAdmin.js';
import { unitLabel } from '../shared/unitNames.js';

/**
 * `/chitieu`: how many models each unit must build a year. The plans ask "at least 01 to 02",
 * so there is a deployment-wide default and per-unit overrides for a given year.
 */

const USAGE =
  'Cách gõ:\n' +
  '• /chitieu — xem chỉ tiêu\n' +
  '• /chitieu <mã đơn vị> <số> [năm] — chỉ tiêu riêng của một đơn vị, ví dụ /chitieu CAMXUYEN 2\n' +
  '• /chitieu macdinh <số> — chỉ tiêu mặc định cho mọi đơn vị';

const MAX_LISTED = 60;

/** A whole number of models 0–20 as typed; undefined when it is anything else. */
function quotaNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,2}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= QUOTA_MAX ? n : undefined;
}

const BAD_NUMBER = `Số mô hình phải là số nguyên từ 0 đến ${QUOTA_MAX}, ví dụ /chitieu CAMXUYEN 2. Chưa có gì thay đổi.`;

export const chitieu: Command = {
  name: 'chitieu',
  access: 'admin',
  summary: 'xem và đặt chỉ tiêu số mô hình mỗi đơn vị phải xây dựng trong năm',
  usage: '/chitieu [mã đơn vị | macdinh] [số] [năm]',
  async run(ctx) {
    const year = vnParts(ctx.now).year;
    if (charLength(ctx.args) > 100) {
      await ctx.reply(`Nội dung lệnh dài quá.\n\n${USAGE}`);
      return;
    }
    const words = ctx.args.split(/\s+/).filter(Boolean);

    if (words.length === 0) {
      const overrides = quotaOverrides(ctx.db, year);
      const lines = [`Chỉ tiêu mặc định: mỗi đơn vị ${defaultQuota(ctx.db)} mô hình/năm.`];
      if (overrides.length === 0) {
        lines.push(`Năm ${year} chưa có đơn vị nào có chỉ tiêu riêng.`);
      } else {
        lines.push(`Chỉ tiêu riêng năm ${year}:`, ...overrides.slice(0, MAX_LISTED).map((o) => `• ${unitLabel(o.unit)}: ${o.required} mô hình`));
        if (overrides.length > MAX_LISTED) lines.push(`… và ${overrides.length - MAX_LISTED} đơn vị khác.`);
      }
      lines.push('', USAGE);
      await ctx.reply(lines.join('\n'));
      return;
    }

    const head = fold(words[0]!);
    if (head === 'macdinh' || (head === 'mac' && fold(words[1] ?? '') === 'dinh')) {
      const rest = head === 'macdinh' ? words.slice(1) : words.slice(2);
      const n = rest.length === 1 ? quotaNumber(rest[0]) : undefined;
      if (n === undefined) {
        await ctx.reply(`Số mô hình mặc định phải là số nguyên từ 0 đến ${QUOTA_MAX}, ví dụ /chitieu macdinh 1. Chưa có gì thay đổi.`);
        return;
      }
      ctx.db.transaction((tx) => setQuota(tx, 'default', n, actorOf(ctx.caller), ctx.now));
      await ctx.reply(`✅ Chỉ tiêu mặc định: mỗi đơn vị ${n} mô hình/năm. Đơn vị có chỉ tiêu riêng vẫn giữ chỉ tiêu riêng.`);
      return;
    }

    const unit = unitByCode(ctx.db, words[0]!);
    if (!unit) {
      await ctx.reply(`Không có đơn vị mã “${ellipsize(words[0]!, 30)}”. Gõ /donvi để xem các mã.\n\n${USAGE}`);
      return;
    }
    if (words.length < 2 || words.length > 3) {
      await ctx.reply(USAGE);
      return;
    }
    const n = quotaNumber(words[1]);
    if (n === undefined) {
      await ctx.reply(BAD_NUMBER);
      return;
    }
    let forYear = year;
    if (words[2] !== undefined) {
      forYear = /^\d{4}$/.test(words[2]) ? Number(words[2]) : NaN;
      if (!(forYear >= 2000 && forYear <= 2100)) {
        await ctx.reply(`Năm chưa đúng: bạn gõ năm có 4 chữ số, ví dụ /chitieu ${unit.shortCode} ${n} ${year + 1}. Chưa có gì thay đổi.`);
        return;
      }
    }
    ctx.db.transaction((tx) => setQuota(tx, { unitId: unit.id, year: forYear }, n, actorOf(ctx.caller), ctx.now));
    await ctx.reply(`✅ Chỉ tiêu năm ${forYear} của ${unitLabel(unit)}: ${n} mô hình.`);
  },
};
