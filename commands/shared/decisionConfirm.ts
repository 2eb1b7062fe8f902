import { applyModelEvent, MODEL_EVENTS, type ModelEvent, type ModelRow, modelById, TransitionRefused } from '../../db/models.js';
import { UNDO_WINDOW_MS } from '../../db/modelUndo.js';
import { actorOf } from '../../db/people.js';
import { inScope, scopeOf } from '../../db/scope.js';
import { ACCESS_LABEL, type Access, mayRun } from './command.js';
import { decisionNotices } from './decisionNotices.js';
import { checkDecision } from './decisionRules.js';
import { reasonSentence, WORDS } from './decisionWords.js';
import { capitalized } from '../../core/text.js';
import { defineFlow, type Flow, type FlowOutcome, type StepState } from './flow.js';
import { modelOfUnit } from './modelText.js';
import { withMentions } from './unitNotices.js';

/**
 * The confirmation every decision on a model asks for: the command checks and names the model, this
 * flow shows what agreeing does and waits for "đồng ý" (anything else cancels, nothing changed).
 * On "đồng ý" every check is made again — the person's role, the model's scope and state, the
 * unit — since any of them may have changed while the person read; then the decision is applied
 * in the conversation's own transaction and the unit is told.
 *
 * One flow per command, so a cancel says which command to type again; they share this code.
 */

/** What the command stores for the confirmation to act on. */
export interface DecisionContext {
  modelId: number;
  event: ModelEvent;
  reason: string | null;
  /** The deployment's rule, as it was when the command ran (flows do not see the policy). */
  adminMayDecideOwn: boolean;
}

export interface DecisionCommandHead {
  name: string;
  access: Access;
}

/** The context as stored, read back with its types checked. */
function contextOf(s: StepState): DecisionContext | undefined {
  const { modelId, event, reason, adminMayDecideOwn } = s.context;
  if (typeof modelId !== 'number' || !MODEL_EVENTS.includes(event as ModelEvent)) return undefined;
  return { modelId, event: event as ModelEvent, reason: typeof reason === 'string' ? reason : null, adminMayDecideOwn: adminMayDecideOwn === true };
}

/** The flow that confirms one decision command's decisions. */
export function decisionFlow(head: DecisionCommandHead): Flow {
  const proposes = head.access === 'officer';
  return defineFlow({
    id: head.name,
    command: head.name,
    title: proposes ? 'đề nghị công nhận' : 'quyết định',
    version: 1,
    strictConfirm: true,
    confirmNote: `Nếu nhầm, bạn gõ /hoantac trong ${UNDO_WINDOW_MS / 60_000} phút để hoàn tác.`,
    describe(s) {
      const c = contextOf(s);
      const model = c && modelById(s.db, c.modelId);
      if (!c || !model) return ['• Không còn tìm thấy mô hình này.'];
      const { verb, effect } = WORDS[c.event];
      const lines = [`• Mô hình: ${modelOfUnit(s.db, model)}`, `• ${capitalized(verb)}: ${effect}.`];
      if (c.reason) lines.push(`• Lý do: ${c.reason}`);
      return lines;
    },
  }).save((s) => decideNow(s, head));
}

/** Applies the confirmed decision, after checking everything again; a refusal changes nothing. */
function decideNow(s: StepState, head: DecisionCommandHead): FlowOutcome {
  const c = contextOf(s);
  const model = c && modelById(s.db, c.modelId);
  if (!c || !model || !inScope(scopeOf(s.db, s.caller), model.unitId)) {
    return 'Không còn tìm thấy mô hình này trong phạm vi của bạn. Chưa có gì thay đổi.';
  }
  const words = WORDS[c.event];
  if (!mayRun(s.caller, head.access)) {
    return `Bạn không còn quyền ${words.verb} (lệnh /${head.name} chỉ dành cho ${ACCESS_LABEL[head.access]}). Chưa có gì thay đổi.`;
  }
  const checked = checkDecision(s.db, s.caller, model, c.event, c.adminMayDecideOwn);
  if ('refusal' in checked) return `${checked.refusal} Chưa có gì thay đổi.`;

  let decided: ModelRow;
  try {
    // The conversation's save runs in an immediate transaction: the model read above is current.
    decided = applyModelEvent(s.db, model, c.event, c.reason, actorOf(s.caller), s.now, checked.selfDecision);
  } catch (error) {
    if (error instanceof TransitionRefused) return `Không thể ${words.verb} mô hình ${model.code} lúc này. Chưa có gì thay đổi.`;
    throw error;
  }

  const what = modelOfUnit(s.db, decided);
  const why = reasonSentence(c.reason);
  const notice = words.notice(s.caller.displayName, what, why, decided.code);
  const { mentionHere, notices } = decisionNotices(s.db, decided.unitId, notice, s.chat, s.caller);
  const undo = `Nếu nhầm, ${mentionHere.length > 0 ? s.caller.displayName : 'bạn'} gõ /hoantac trong ${UNDO_WINDOW_MS / 60_000} phút để hoàn tác.`;
  const text = `${words.done(what, why, decided.code)}\n${undo}`;
  return { reply: { text: withMentions(mentionHere, text) }, notices };
}
