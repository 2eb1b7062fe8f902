import { vnParts } from '../core/clock.js';
import { type Command, type CommandContext } from './shared/command.js';
import { ellipsize, fold } from '../core/text.js';
import { modelCard, scopeYearCounts, unitYearModels } from '../db/modelQueries.js';
import { modelByCode } from '../db/models.js';
import { quotaStatus } from '../db/quotas.js';
import { MODEL_STATES } from '../db/schema.js';
import { inScope, mayDecide, readScopeOf, type Scope, scopeOf } from '../db/scope.js';
import { allUnits } from '../db/unitAdmin.js';
import { type UnitRow, unitById } from '../db/units.js';
import { findUnit } from './shared/unitNames.js';
import { sendEvidence } from './shared/evidenceSend.js';
import { MODEL_STATE_LABEL } from '../core/labels.js';
import { parseModelCode } from '../core/modelCode.js';
import { modelCardText, modelLine, quotaHeader } from './shared/modelText.js';
import { vietnameseCollator } from '../core/vietnameseOrder.js';

/**
 * `/mohinh`: a unit's models of the year against its quota, or one model's card. Officers see
 * their own unit, and pick a unit under it by its code; leaders and admins get an overview of
 * their scope (a list of every unit would not fit a phone screen) and pick a unit or a model by
 * its code. What is shown is the read scope (db/scope.ts); a hint to act (/dangky, /capnhat…) only
 * where the caller may work, so the officer of a unit above reads its sub-units without being
 * invited to work for them (they have their own officers).
 */

/** Models listed per unit; a unit rarely has more, and a chat message has a size limit. */
const LIST_LIMIT = 25;
/** Updates shown on a card, most recent first. */
const CARD_UPDATES = 10;

const USAGE =
  'Bạn gõ /mohinh để xem mô hình của đơn vị, /mohinh <mã đơn vị> (ví dụ /mohinh CAMXUYEN) hoặc /mohinh <mã mô hình> (ví dụ /mohinh DVK-2026-0001); thêm năm ở cuối để xem năm khác, ví dụ /mohinh 2025.';

export const mohinh: Command = {
  name: 'mohinh',
  aliases: ['mh'],
  access: 'officer',
  summary: 'xem mô hình của đơn vị trong năm, tiến độ và chỉ tiêu; hoặc chi tiết một mô hình',
  usage: '/mohinh [mã đơn vị | mã mô hình] [năm]',
  async run(ctx) {
    // "/mohinh DVK-2026-0001 tep": the files kept as the model's evidence (admins).
    const words = ctx.args.split(/\s+/).filter((t) => t !== '');
    const filesOf = words.length > 1 && fold(words.at(-1)!) === 'tep' ? parseModelCode(words.slice(0, -1).join(' ')) : undefined;
    if (filesOf) {
      await sendEvidence(ctx, filesOf);
      return;
    }
    // A model code typed in words ("dvk 2026 10001") is read whole before a year is looked for in it.
    const whole = parseModelCode(ctx.args);
    if (whole) {
      await ctx.reply(card(ctx, whole));
      return;
    }
    const tokens = ctx.args.split(/\s+/).filter((t) => t !== '');
    let year = vnParts(ctx.now).year;
    // The year may come first or last ("/mohinh 2025 CAMXUYEN", "/mohinh CAMXUYEN năm 2025").
    const at = tokens.findIndex((t) => /^\d{4}$/.test(t));
    if (at !== -1) {
      year = Number(tokens[at]);
      if (year < 2000 || year > 2100) {
        await ctx.reply('Năm phải nằm trong khoảng 2000 đến 2100, ví dụ /mohinh 2025.');
        return;
      }
      const from = at > 0 && fold(tokens[at - 1]!) === 'nam' ? at - 1 : at;
      tokens.splice(from, at - from + 1);
    }
    const target = tokens.join(' ');
    const scope = readScopeOf(ctx.db, ctx.caller);

    if (target === '') {
      await ctx.reply(mayDecide(ctx.caller) ? overview(ctx, scope, year) : ownUnits(ctx, scope, year));
      return;
    }
    const code = parseModelCode(target);
    if (code) {
      await ctx.reply(card(ctx, code));
      return;
    }
    await ctx.reply(unitByTyped(ctx, scope, target, year));
  },
};

/** Sub-units named under an officer's own list; the rest are counted. */
const SUB_UNITS_SHOWN = 5;

/** An officer's own units in full; the units under them only named, to be picked by code. */
function ownUnits(ctx: CommandContext, scope: Scope, year: number): string {
  const work = scopeOf(ctx.db, ctx.caller);
  // A stopped unit's officers still read what their unit did (stoppedUnit.ts).
  const byName = (ids: Iterable<number>) =>
    [...ids]
      .map((id) => unitById(ctx.db, id))
      .filter((u): u is UnitRow => u !== undefined)
      .sort((a, b) => vietnameseCollator.compare(a.name, b.name));
  const mine = byName(work.unitIds);
  if (mine.length === 0) return 'Bạn chưa được gắn với đơn vị nào. Hãy nhờ quản trị thêm bạn vào đơn vị của mình.';
  const text = mine.map((u) => unitList(ctx, u, year, true)).join('\n\n');
  const under = byName([...scope.unitIds].filter((id) => !work.unitIds.has(id)));
  if (under.length === 0) return text;
  const named = under.slice(0, SUB_UNITS_SHOWN).map((u) => `${u.name} (${u.shortCode})`);
  const more = under.length > named.length ? ` và ${under.length - named.length} đơn vị khác` : '';
  return `${text}\n\nĐơn vị trực thuộc (bạn xem được, không đăng ký hay cập nhật thay): ${named.join('; ')}${more}. Gõ /mohinh <mã đơn vị> để xem, ví dụ /mohinh ${under[0]!.shortCode}.`;
}

/** The unit's models of the year, headed by where it stands against its quota; `works`: the caller may register for it. */
function unitList(ctx: CommandContext, unit: UnitRow, year: number, works: boolean): string {
  const items = unitYearModels(ctx.db, unit.id, year);
  const lines = [quotaHeader(unit.name, quotaStatus(ctx.db, unit.id, year))];
  if (!unit.active) lines.push('(Đơn vị đã ngừng hoạt động: chỉ còn xem được, không đăng ký hay cập nhật thêm.)');
  if (items.length === 0) {
    lines.push(works && year === vnParts(ctx.now).year && unit.active ? 'Chưa có mô hình nào. Gõ /dangky để đăng ký.' : 'Chưa có mô hình nào.');
    return lines.join('\n');
  }
  lines.push(...items.slice(0, LIST_LIMIT).map((item) => modelLine(item, year)));
  if (items.length > LIST_LIMIT) lines.push(`… và ${items.length - LIST_LIMIT} mô hình nữa.`);
  lines.push('Gõ /mohinh <mã mô hình> để xem chi tiết một mô hình.');
  return lines.join('\n');
}

function overview(ctx: CommandContext, scope: Scope, year: number): string {
  const counts = scopeYearCounts(ctx.db, scope, year);
  const where = scope.all ? 'toàn bộ các đơn vị' : 'phạm vi bạn phụ trách';
  const hint = 'Gõ /mohinh <mã đơn vị> hoặc /mohinh <mã mô hình> để xem chi tiết.';
  if (counts.total === 0) return `Năm ${year}, ${where} chưa có mô hình nào.\n${hint}`;
  const lines = [`Mô hình, điểm sáng năm ${year} trong ${where}: ${counts.total}.`];
  for (const state of MODEL_STATES) {
    if (counts.byState[state] > 0) lines.push(`• ${MODEL_STATE_LABEL[state]}: ${counts.byState[state]}`);
  }
  if (counts.replicated > 0) lines.push(`• đã nhân rộng: ${counts.replicated}`);
  if (counts.commended > 0) lines.push(`• đã biểu dương, khen thưởng: ${counts.commended}`);
  if (counts.byState.pending > 0) lines.push(`Có ${counts.byState.pending} mô hình chờ duyệt: gõ /duyet để xem.`);
  lines.push(hint);
  return lines.join('\n');
}

function card(ctx: CommandContext, code: string): string {
  const model = modelByCode(ctx.db, code);
  // The same answer whether the model exists or not, so nobody learns other units' codes.
  if (!model || !inScope(readScopeOf(ctx.db, ctx.caller), model.unitId)) {
    return `Không có mô hình ${code} hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã (dạng DVK-2026-0001); gõ /mohinh để xem danh sách.`;
  }
  const data = modelCard(ctx.db, model.id, CARD_UPDATES);
  // The model was just read; only a concurrent deletion gets here.
  if (!data) return `Không tìm thấy mô hình ${code}.`;
  const kept = data.updates.some((u) => u.files.some((f) => f.evidenceState === 'stored'));
  // Whoever reads the card may have its files (commands/shared/evidenceSend.ts).
  const hint = kept ? `\nGõ /mohinh ${code} tep để nhận ảnh, tệp minh chứng đã lưu (bot gửi trong tin nhắn riêng).` : '';
  // Read from a unit above (db/scope.ts readScopeOf): no hint to act (/capnhat, /suamohinh,
  // /denghi…) — any belongs only where `works` holds — but who acts: the unit's own officers.
  const works = inScope(scopeOf(ctx.db, ctx.caller), model.unitId);
  const readOnly = works
    ? ''
    : `\n(Mô hình của đơn vị trực thuộc: bạn chỉ xem được; cập nhật, sửa, đề nghị công nhận do cán bộ đầu mối của ${data.unit.name} làm.)`;
  return modelCardText(data) + hint + readOnly;
}

function unitByTyped(ctx: CommandContext, scope: Scope, typed: string, year: number): string {
  // Stopped units of the scope stay readable; units outside it are never looked at, so the answer
  // for another unit is the same as for one that does not exist.
  const allowed = allUnits(ctx.db).filter((u) => inScope(scope, u.id));
  const { unit, candidates } = findUnit(allowed, typed);
  if (unit) return unitList(ctx, unit, year, inScope(scopeOf(ctx.db, ctx.caller), unit.id));
  if (candidates.length > 1) {
    const some = candidates
      .slice(0, 5)
      .map((u) => `${u.name} (${u.shortCode})`)
      .join('; ');
    return `Có ${candidates.length} đơn vị khớp, ví dụ: ${some}. Bạn gõ mã đơn vị cho chắc, ví dụ /mohinh ${candidates[0]!.shortCode}.`;
  }
  return `Không có đơn vị hay mô hình “${ellipsize(typed, 40)}” hoặc ở ngoài phạm vi của bạn. ${USAGE}`;
}
