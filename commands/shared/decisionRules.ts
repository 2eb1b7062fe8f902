import { formatVnDate } from '../../core/clock.js';
import { MODEL_STATE_LABEL } from '../../core/labels.js';
import type { Db } from '../../db/client.js';
import { MODEL_TRANSITIONS, type ModelEvent, type ModelRow } from '../../db/models.js';
import type { Caller } from '../../db/people.js';
import { type Conflict, conflictOf, type Decider, decidersFor, decisionScopeOf, inScope } from '../../db/scope.js';
import { unitById } from '../../db/units.js';
import { WORDS } from './decisionWords.js';
import { stoppedUnit } from './stoppedUnit.js';

/**
 * Whether a decision on a model may be made, asked twice: when the command is typed, and again
 * when the person agrees (roles, the model's state or the unit may have changed in between).
 */

/**
 * Whether the caller may make this decision on this model as it is now: what to say if not, or
 * the mark an admin's decision on their own work carries in the audit. The state is checked last,
 * so someone who may not decide is not told more about the model.
 */
export function checkDecision(
  db: Db,
  caller: Caller,
  model: ModelRow,
  event: ModelEvent,
  adminMayDecideOwn: boolean,
): { refusal: string } | { selfDecision?: Conflict } {
  let selfDecision: Conflict | undefined;
  if (event === 'propose') {
    // A proposal is the unit's own step: no separation of duties, but a stopped unit does no work.
    const unit = unitById(db, model.unitId);
    if (unit && !unit.active) return { refusal: stoppedUnit(unit.name) };
  } else {
    const allowed = mayDecideOn(db, caller, model, adminMayDecideOwn);
    if ('refusal' in allowed) return { refusal: allowed.refusal(WORDS[event].verb) };
    selfDecision = allowed.selfDecision;
  }
  const refused = stateRefusal(model, event);
  return refused ? { refusal: refused } : { selfDecision };
}

/**
 * Whether the caller may decide on this model: from a role that decides (admin, a leader above
 * the model's unit), and not on their own work — a model they registered, or of a unit where they
 * are the officer. An admin may where the deployment allows it (DecisionPolicy), marked in the
 * audit row.
 */
export function mayDecideOn(
  db: Db,
  caller: Caller,
  model: ModelRow,
  adminMayDecideOwn: boolean,
): { selfDecision?: Conflict } | { refusal: (verb: string) => string } {
  const unit = unitById(db, model.unitId);
  const unitName = unit?.name ?? 'đơn vị này';
  // Callers reach this with a model in their work scope (db/scope.ts scopeOf); outside the decision
  // scope, it can only be of a unit where the caller is the officer: the same separation, said the
  // same way. A sub-unit's model read from above is refused before (commands/lifecycle.ts).
  const conflict = conflictOf(caller, model) ?? (inScope(decisionScopeOf(db, caller), model.unitId) ? undefined : 'officer');
  if (!conflict) return {};
  if (mayDecideOwnWork(caller, adminMayDecideOwn)) return { selfDecision: conflict };
  const why =
    conflict === 'registered'
      ? (verb: string) => `Bạn đã đăng ký mô hình ${model.code} nên không tự ${verb} được: người đăng ký không quyết định trên mô hình của mình.`
      : (verb: string) => `Bạn là cán bộ đầu mối của ${unitName} nên không ${verb} mô hình của đơn vị mình.`;
  const deciders = decidersFor(db, model, caller.personId);
  return { refusal: (verb) => `${why(verb)} ${whoDecides(deciders, verb)}` };
}

/** An admin on a deployment that lets admins decide alone (DVK_ADMIN_SELF_DECISION); never a leader. */
export function mayDecideOwnWork(caller: Caller, adminMayDecideOwn: boolean): boolean {
  return adminMayDecideOwn && caller.grants.some((g) => g.role === 'admin');
}

/** "Người có thể duyệt: Trần Văn Bình (lãnh đạo), Nguyễn Thị Hoa (quản trị)." */
function whoDecides(deciders: readonly Decider[], verb: string): string {
  if (deciders.length === 0) {
    return `Hiện chưa có ai khác có quyền ${verb} mô hình này; quản trị cần cấp quyền lãnh đạo cho một người khác (/phanquyen lãnh đạo <người> <mã đơn vị>).`;
  }
  const shown = deciders.slice(0, 4).map((d) => `${d.displayName} (${d.role === 'admin' ? 'quản trị' : 'lãnh đạo'})`);
  const more = deciders.length > shown.length ? ` và ${deciders.length - shown.length} người khác` : '';
  return `Người có thể ${verb}: ${shown.join(', ')}${more}.`;
}

/** Why the event cannot apply to the model as it is now; undefined when it can. */
function stateRefusal(model: ModelRow, event: ModelEvent): string | undefined {
  const { verb } = WORDS[event];
  if (event === 'replicate' && model.replicatedAt !== null) {
    return `Mô hình ${model.code} đã được ghi nhận nhân rộng từ ${formatVnDate(new Date(model.replicatedAt))}.`;
  }
  if (event === 'commend' && model.commendedAt !== null) {
    return `Mô hình ${model.code} đã được ghi nhận biểu dương, khen thưởng từ ${formatVnDate(new Date(model.commendedAt))}.`;
  }
  const rule = MODEL_TRANSITIONS[event];
  if (rule.from.includes(model.state)) return undefined;
  if (event === 'propose' && model.state === 'proposed') return `${model.code} đã được đề nghị công nhận, đang chờ lãnh đạo xem xét.`;
  const allowed = rule.from.map((s) => `“${MODEL_STATE_LABEL[s]}”`).join(' hoặc ');
  return `Mô hình ${model.code} đang ở trạng thái “${MODEL_STATE_LABEL[model.state]}”, không thể ${verb}. Chỉ ${verb} được mô hình ở trạng thái ${allowed}.`;
}
