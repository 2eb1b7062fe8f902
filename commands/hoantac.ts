import { formatVnDateTime } from '../core/clock.js';
import { MODEL_STATE_LABEL } from '../core/labels.js';
import { modelById } from '../db/models.js';
import { lastActOf, type PastDecision, reasonOfState, stateBefore, UNDO_WINDOW_MS, type UndoRefusal, undoDecision } from '../db/modelUndo.js';
import { actorOf } from '../db/people.js';
import { inScope, scopeOf } from '../db/scope.js';
import { type Command, type CommandContext, DEFAULT_POLICY, mayRun } from './shared/command.js';
import { decisionNotices } from './shared/decisionNotices.js';
import { mayDecideOn } from './shared/decisionRules.js';
import { WORDS } from './shared/decisionWords.js';
import { modelOfUnit } from './shared/modelText.js';
import { withMentions } from './shared/unitNotices.js';

/**
 * `/hoantac`: the person's last decision on a model (/duyet, /tralai, /congnhan, /denghi,
 * /nhanrong, /bieuduong) is undone, if it was made less than ten minutes ago and nothing has
 * happened to the model since. The model goes back to the state before (or loses its replicated /
 * commended mark); the undo is written to the history and the audit like any decision, the
 * decision stays there too, and whoever heard of the decision hears of the undo.
 */

const MINUTES = UNDO_WINDOW_MS / 60_000;

export const hoantac: Command = {
  name: 'hoantac',
  aliases: ['undo'],
  access: 'officer',
  summary: `hoàn tác quyết định vừa làm về một mô hình (trong ${MINUTES} phút)`,
  async run(ctx) {
    if (ctx.args !== '') {
      await ctx.reply(`Lệnh /hoantac không cần gõ thêm gì: bot hoàn tác quyết định gần nhất của bạn (trong ${MINUTES} phút). Chưa có gì thay đổi.`);
      return;
    }
    const last = lastActOf(ctx.db, ctx.caller.personId, ctx.now);
    if (!last) {
      await ctx.reply(
        `Bạn chưa có quyết định nào về mô hình trong thời gian gần đây để hoàn tác. /hoantac chỉ hoàn tác được trong ${MINUTES} phút sau khi quyết định.`,
      );
      return;
    }
    if (last.kind === 'deadline') {
      await ctx.reply(
        `Việc gần nhất của bạn là xóa hạn số ${last.deadlineId}${last.title ? ` (${last.title})` : ''}; /hoantac không khôi phục hạn đã xóa. Bạn thêm lại bằng /themhan. Chưa có gì thay đổi.`,
      );
      return;
    }
    const { decision } = last;
    const named = `${WORDS[decision.event].verb} ${decision.before.code} lúc ${formatVnDateTime(new Date(decision.at))}`;
    if (last.kind === 'undone') {
      await ctx.reply(`Quyết định gần nhất của bạn (${named}) đã được hoàn tác lúc ${formatVnDateTime(new Date(last.undoneAt))}; không còn gì để hoàn tác.`);
      return;
    }
    if (ctx.now.getTime() - decision.at > UNDO_WINDOW_MS) {
      await ctx.reply(`Quyết định gần nhất của bạn (${named}) đã quá ${MINUTES} phút nên không hoàn tác được nữa. Chưa có gì thay đổi.`);
      return;
    }
    const refused = mayUndo(ctx, decision);
    if (refused) {
      await ctx.reply(`${refused} Chưa có gì thay đổi.`);
      return;
    }
    await undo(ctx, decision);
  },
};

/** The person must still hold what let them decide: a role may have been taken away in the meantime. */
function mayUndo(ctx: CommandContext, decision: PastDecision): string | undefined {
  const { verb } = WORDS[decision.event];
  const model = modelById(ctx.db, decision.modelId);
  if (!model || !inScope(scopeOf(ctx.db, ctx.caller), model.unitId)) return `Không còn tìm thấy mô hình ${decision.before.code} trong phạm vi của bạn.`;
  if (decision.event === 'propose') return undefined;
  if (!mayRun(ctx.caller, 'leader')) return `Bạn không còn quyền lãnh đạo nên không hoàn tác được việc ${verb} ${model.code}.`;
  const allowed = mayDecideOn(ctx.db, ctx.caller, model, (ctx.policy ?? DEFAULT_POLICY).adminMayDecideOwn);
  return 'refusal' in allowed ? allowed.refusal(`hoàn tác việc ${verb}`) : undefined;
}

async function undo(ctx: CommandContext, decision: PastDecision): Promise<void> {
  const words = WORDS[decision.event];
  const back = stateBefore(decision);
  const outcome = ctx.db.transaction(
    (tx) => {
      // A model taken back to a verdict keeps its verdict's reason, which reports read from the latest row.
      const verdict = back === 'returned' || back === 'not_recognised' ? reasonOfState(tx, decision.modelId, back, decision.at) : null;
      const reason = `Hoàn tác việc ${words.verb}${verdict ? `; lý do ${MODEL_STATE_LABEL[back]} trước đó: ${verdict}` : ''}`;
      return undoDecision(tx, decision, reason, actorOf(ctx.caller), ctx.now);
    },
    { behavior: 'immediate' },
  );
  if (!('model' in outcome)) {
    await ctx.reply(`${refusalText(decision, outcome)} Chưa có gì thay đổi.`);
    return;
  }
  const { model } = outcome;
  const what = modelOfUnit(ctx.db, model);
  const result = words.undone(MODEL_STATE_LABEL[back]);
  const { mentionHere, notices } = decisionNotices(
    ctx.db,
    model.unitId,
    `${ctx.caller.displayName} đã hoàn tác việc ${words.verb} mô hình ${what}; ${result}.`,
    ctx.msg.chat,
    ctx.caller,
  );
  await ctx.reply({ text: withMentions(mentionHere, `↩️ Đã hoàn tác việc ${words.verb} ${what}: ${result}.`) });
  await ctx.notify(notices);
}

/** Why the model cannot go back, in the words of what happened to it. */
function refusalText(decision: PastDecision, refusal: UndoRefusal): string {
  const { verb } = WORDS[decision.event];
  const code = decision.before.code;
  switch (refusal.why) {
    case 'missing':
      return `Không còn tìm thấy mô hình ${code}.`;
    case 'updated':
      return `Đơn vị đã gửi cập nhật tiến độ cho ${code} lúc ${formatVnDateTime(new Date(refusal.at))}, sau khi bạn ${verb}, nên không hoàn tác được việc ${verb}.`;
    case 'changed': {
      const since = refusal.since;
      if (!since) return `Mô hình ${code} đã thay đổi sau khi bạn ${verb}, nên không hoàn tác được nữa.`;
      const who = since.actorName ?? 'hệ thống';
      return `Mô hình ${code} đã thay đổi sau khi bạn ${verb}: ${who} đã ${CHANGE_VERB[since.toState] ?? 'thay đổi mô hình'} lúc ${formatVnDateTime(new Date(since.at))}, nên không hoàn tác được nữa.`;
    }
  }
}

/** What a later history row did, by the state it entered (or the after-life mark it set). */
const CHANGE_VERB: Record<string, string> = {
  pending: 'gửi lại mô hình để duyệt',
  returned: 'trả lại mô hình',
  in_progress: 'duyệt mô hình',
  proposed: 'đề nghị công nhận mô hình',
  recognised: 'công nhận mô hình',
  not_recognised: 'kết luận không công nhận mô hình',
  replicated: 'ghi nhận mô hình được nhân rộng',
  commended: 'ghi nhận mô hình được biểu dương, khen thưởng',
};
