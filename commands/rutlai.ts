import { MODEL_STATE_LABEL } from '../core/labels.js';
import { leadingModelCode } from '../core/modelCode.js';
import { charLength, nfc } from '../core/text.js';
import { type ModelRow, modelById } from '../db/models.js';
import { ModelNotPending, withdrawModel } from '../db/modelWithdraw.js';
import { actorOf } from '../db/people.js';
import { registrableUnits } from './dangky.js';
import type { Command } from './shared/command.js';
import { unitModelOrRefusal } from './shared/unitModel.js';
import { afterWords, REASON_MAX, REASON_MIN, stripLead } from './shared/reasonText.js';
import { defineFlow, type StepState } from './shared/flow.js';
import { modelOfUnit } from './shared/modelText.js';
import { unitNotices, withMentions } from './shared/unitNotices.js';

/**
 * `/rutlai <mã> <lý do>`: the unit withdraws a registration still waiting for approval. It asks for
 * "đồng ý" (a strict confirmation, as decisions do), then marks the model "bị trả lại" with the
 * unit's reason (db/modelWithdraw.ts says why no state of its own), and tells the unit's groups.
 * The unit may later fix it and send it again with /suamohinh.
 */

const RUTLAI_USAGE = 'Bạn gõ /rutlai <mã mô hình> <lý do>, ví dụ /rutlai DVK-2026-0007 Đơn vị đăng ký nhầm, sẽ đăng ký lại.';

function contextOf(s: StepState): { model: ModelRow; reason: string } | undefined {
  const { modelId, reason } = s.context;
  const model = typeof modelId === 'number' ? modelById(s.db, modelId) : undefined;
  return model && typeof reason === 'string' ? { model, reason } : undefined;
}

function notPending(model: ModelRow): string {
  return `Chỉ rút lại được mô hình đang “chờ duyệt”. ${model.code} đang ở trạng thái “${MODEL_STATE_LABEL[model.state]}”.`;
}

export const rutlaiFlow = defineFlow({
  id: 'rutlai',
  command: 'rutlai',
  title: 'rút lại đăng ký mô hình',
  version: 1,
  strictConfirm: true,
  confirmNote: 'Sau khi rút lại, đơn vị vẫn có thể sửa và gửi lại bằng /suamohinh.',
  describe(s) {
    const c = contextOf(s);
    if (!c) return ['• Không còn tìm thấy mô hình này.'];
    return [`• Mô hình: ${modelOfUnit(s.db, c.model)}`, '• Rút lại: mô hình chuyển sang “bị trả lại”, không còn chờ lãnh đạo duyệt.', `• Lý do: ${c.reason}`];
  },
}).save((s) => {
  const c = contextOf(s);
  if (!c || !registrableUnits(s.db, s.caller).some((u) => u.id === c.model.unitId)) {
    return 'Không còn tìm thấy mô hình này trong phạm vi của bạn. Chưa có gì thay đổi.';
  }
  let after: ModelRow;
  try {
    after = withdrawModel(s.db, c.model, c.reason, actorOf(s.caller), s.now);
  } catch (error) {
    if (error instanceof ModelNotPending) return `${notPending(c.model)} Chưa có gì thay đổi.`;
    throw error;
  }
  const what = modelOfUnit(s.db, after);
  const body = `${s.caller.displayName} đã rút lại đăng ký ${what}. Lý do: ${c.reason}`;
  const { mentionHere, notices } = unitNotices(s.db, after.unitId, body, s.chat);
  // Nobody is mentioned about their own act.
  const others = mentionHere.filter((p) => p.platformUserId !== s.caller.platformUserId);
  const text = `↩️ Đã rút lại ${what}. Lý do: ${c.reason}\nMuốn gửi lại, gõ /suamohinh ${after.code} để sửa và gửi lại.`;
  return { reply: { text: withMentions(others, text) }, notices };
});

export const rutlai: Command = {
  name: 'rutlai',
  access: 'officer',
  summary: 'rút lại đăng ký mô hình đang chờ duyệt, kèm lý do',
  usage: '/rutlai <mã mô hình> <lý do>',
  async run(ctx) {
    const tokens = ctx.args.split(/\s+/).filter((t) => t !== '');
    const leading = leadingModelCode(tokens);
    if (!leading) {
      await ctx.reply(RUTLAI_USAGE);
      return;
    }
    const found = unitModelOrRefusal(ctx.db, ctx.caller, leading.code, 'việc rút lại đăng ký');
    if ('refusal' in found) {
      await ctx.reply(found.refusal);
      return;
    }
    const { model } = found;
    if (model.state !== 'pending') {
      await ctx.reply(notPending(model));
      return;
    }
    const reason = stripLead(nfc(afterWords(ctx.args, leading.words)));
    const length = charLength(reason);
    if (length < REASON_MIN || length > REASON_MAX) {
      const why =
        length > REASON_MAX
          ? `Lý do dài quá: tối đa ${REASON_MAX} ký tự (bạn đã gửi ${length}).`
          : `Bạn cần ghi lý do rút lại (từ ${REASON_MIN} đến ${REASON_MAX} ký tự).`;
      await ctx.reply(`${why} Ví dụ: /rutlai ${model.code} Đơn vị đăng ký nhầm, sẽ đăng ký lại. Chưa có gì thay đổi.`);
      return;
    }
    await ctx.conversations.start('rutlai', ctx, { modelId: model.id, reason });
  },
};
