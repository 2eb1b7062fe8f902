import { vnParts } from '../../core/clock.js';
import type { Command } from '../shared/command.js';
import { charLength, ellipsize, fold } from '../../core/text.js';
import type { Db } from '../../db/client.js';
import { actorOf } from '../../db/people.js';
import { defaultQuota, quotaStatus } from '../../db/quotas.js';
import { allUnits, QUOTA_MAX, quotaOverrides, setQuota } from '../../db/unitAdmin.js';
import type { UnitRow } from '../../db/units.js';
import { ambiguousUnits, findUnit, unitLabel } from '../shared/unitNames.js';

/**
 * `/chitieu`: how many models each unit must build a year. The plans ask "at least 01 to 02",
 * so there is a deployment-wide default and per-unit overrides for a given year. A unit is typed
 * by its code or its name, as /baocao takes it ("/chitieu cam binh 2 2027"): the number and the
 * year are the trailing words, the unit everything before them.
 */

const USAGE =
  'Cách gõ:\n' +
  '• /chitieu — xem chỉ tiêu\n' +
  '• /chitieu <mã hoặc tên đơn vị> — xem chỉ tiêu của một đơn vị, ví dụ /chitieu Cẩm Xuyên\n' +
  '• /chitieu <mã hoặc tên đơn vị> <số> [năm] — chỉ tiêu riêng của một đơn vị, ví dụ /chitieu CAMXUYEN 2 hoặc /chitieu Cẩm Xuyên 2 2027\n' +
  '• /chitieu macdinh <số> — chỉ tiêu mặc định cho mọi đơn vị';

/** Words after the unit's name: the number and the year, and one more to tell "too many". */
const MAX_TRAILING = 3;
/** How a mistyped number looks ("21", "-1", "1.5"), so it is not read as part of the unit's name. */
const NUMBER_LIKE = /^[-+]?\d+([.,]\d+)?$/;

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
  usage: '/chitieu [mã hoặc tên đơn vị | macdinh] [số] [năm]',
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

    const found = unitAndRest(allUnits(ctx.db), words);
    if ('candidates' in found) {
      await ctx.reply(`${ambiguousUnits(found.candidates)} Chưa có gì thay đổi.`);
      return;
    }
    if ('unknown' in found) {
      await ctx.reply(
        `Không tìm thấy đơn vị “${ellipsize(found.unknown, 40)}” (theo mã hoặc tên). Gõ /donvi để xem mã và tên các đơn vị. Chưa có gì thay đổi.\n\n${USAGE}`,
      );
      return;
    }
    const { unit, rest } = found;
    if (rest.length === 0 || (rest.length === 1 && /^\d{4}$/.test(rest[0]!))) {
      const forYear = rest.length === 0 ? year : Number(rest[0]);
      if (!(forYear >= 2000 && forYear <= 2100)) {
        await ctx.reply(`Năm chưa đúng: bạn gõ năm có 4 chữ số, ví dụ /chitieu ${unit.shortCode} ${year + 1}.`);
        return;
      }
      await ctx.reply(unitQuotaText(ctx.db, unit, forYear));
      return;
    }
    if (rest.length > 2) {
      await ctx.reply(USAGE);
      return;
    }
    const n = quotaNumber(rest[0]);
    if (n === undefined) {
      await ctx.reply(BAD_NUMBER);
      return;
    }
    let forYear = year;
    if (rest[1] !== undefined) {
      forYear = /^\d{4}$/.test(rest[1]) ? Number(rest[1]) : NaN;
      if (!(forYear >= 2000 && forYear <= 2100)) {
        await ctx.reply(`Năm chưa đúng: bạn gõ năm có 4 chữ số, ví dụ /chitieu ${unit.shortCode} ${n} ${year + 1}. Chưa có gì thay đổi.`);
        return;
      }
    }
    ctx.db.transaction((tx) => setQuota(tx, { unitId: unit.id, year: forYear }, n, actorOf(ctx.caller), ctx.now));
    await ctx.reply(`✅ Chỉ tiêu năm ${forYear} của ${unitLabel(unit)}: ${n} mô hình.`);
  },
};

type UnitTyped = { unit: UnitRow; rest: string[] } | { candidates: UnitRow[] } | { unknown: string };

/**
 * The unit named by the longest run of leading words that names one (so "Phường 10 2" is Phường 10
 * with 2 models), and the words after it. Several units matching the longest such run is an
 * ambiguity, told as /baocao tells it; shorter runs would only match more of them.
 */
function unitAndRest(units: readonly UnitRow[], words: readonly string[]): UnitTyped {
  for (let trailing = 0; trailing <= Math.min(MAX_TRAILING, words.length - 1); trailing++) {
    const { unit, candidates } = findUnit(units, words.slice(0, words.length - trailing).join(' '));
    if (unit) return { unit, rest: words.slice(words.length - trailing) };
    if (candidates.length > 1) return { candidates };
  }
  // What the person meant as the unit: without the number and year they typed after it.
  let end = words.length;
  while (end > 1 && words.length - end < 2 && NUMBER_LIKE.test(words[end - 1]!)) end--;
  return { unknown: words.slice(0, end).join(' ') };
}

/** One unit's quota for the year, whose it is, and the models that fill it (approved) or wait. */
function unitQuotaText(db: Db, unit: UnitRow, year: number): string {
  const status = quotaStatus(db, unit.id, year);
  const own = quotaOverrides(db, year).some((o) => o.unit.id === unit.id);
  const pending = status.pending > 0 ? `; ${status.pending} mô hình đang chờ duyệt (chưa tính)` : '';
  return [
    `Chỉ tiêu năm ${year} của ${unitLabel(unit)}: ${status.required} mô hình (${own ? 'chỉ tiêu riêng của đơn vị' : 'theo chỉ tiêu mặc định'}).`,
    `Tính vào chỉ tiêu: ${status.counted} mô hình đã được duyệt${pending}.`,
    `Đặt chỉ tiêu riêng: /chitieu ${unit.shortCode} <số> [năm].`,
  ].join('\n');
}
