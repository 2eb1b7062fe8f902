import { formatVnDate } from '../core/clock.js';
import { type Access, type Command, type CommandContext, DEFAULT_POLICY } from './shared/command.js';
import { charLength, ellipsize, fold, nfc } from '../core/text.js';
import { unitNotices, withMentions } from './shared/unitNotices.js';
import { modelsAwaiting } from '../db/modelQueries.js';
import { applyModelEvent, MODEL_TRANSITIONS, type ModelEvent, type ModelRow, modelByCode, modelById, TransitionRefused } from '../db/models.js';
import { actorOf } from '../db/people.js';
import type { ModelState } from '../db/schema.js';
import { type Conflict, conflictOf, type Decider, decidersFor, decisionScopeOf, inScope, mayDecide, scopeOf } from '../db/scope.js';
import { unitById } from '../db/units.js';
import { MODEL_STATE_LABEL } from '../core/labels.js';
import { leadingModelCode } from '../core/modelCode.js';
import { quotedName } from './shared/modelText.js';
import { stoppedUnit } from './shared/stoppedUnit.js';

/**
 * The life of a model after registration: approve or return (/duyet, /tralai), propose for
 * recognition (/denghi), recognise or not (/congnhan), replicated (/nhanrong), commended
 * (/bieuduong). Each change is one transaction (state, history, audit through applyModelEvent);
 * the unit's officers are told after it is committed, in the groups where they are.
 */

const REASON_MIN = 5;
const REASON_MAX = 500;
/** Models listed when a command is typed without a code. */
const LIST_LIMIT = 20;

/** How each event reads: the verb for refusals, the answer here, the notice to the unit. */
interface EventWords {
  /** "trả lại": "không thể trả lại", "lý do trả lại". */
  verb: string;
  done(what: string): string;
  notice(actor: string, what: string): string;
}

const WORDS: Record<ModelEvent, EventWords> = {
  approve: {
    verb: 'duyệt',
    done: (what) => `Đã duyệt ${what}.`,
    notice: (actor, what) => `${actor} đã duyệt mô hình ${what}; mô hình chuyển sang “đang thực hiện”.`,
  },
  return: {
    verb: 'trả lại',
    done: (what) => `Đã trả lại ${what}.`,
    notice: (actor, what) => `${actor} đã trả lại mô hình ${what}.`,
  },
  propose: {
    verb: 'đề nghị công nhận',
    done: (what) => `Đã đề nghị công nhận ${what}.`,
    notice: (actor, what) => `${actor} đã đề nghị công nhận mô hình ${what}.`,
  },
  recognise: {
    verb: 'công nhận',
    done: (what) => `Đã công nhận ${what}.`,
    notice: (actor, what) => `${actor} đã công nhận mô hình ${what}. Chúc mừng đơn vị!`,
  },
  not_recognise: {
    verb: 'kết luận không công nhận',
    done: (what) => `Đã ghi nhận không công nhận ${what}.`,
    notice: (actor, what) => `${actor} đã quyết định không công nhận mô hình ${what}.`,
  },
  replicate: {
    verb: 'ghi nhận nhân rộng',
    done: (what) => `Đã ghi nhận nhân rộng ${what}.`,
    notice: (actor, what) => `${actor} đã ghi nhận mô hình ${what} được nhân rộng.`,
  },
  commend: {
    verb: 'ghi nhận biểu dương',
    done: (what) => `Đã ghi nhận biểu dương ${what}.`,
    notice: (actor, what) => `${actor} đã ghi nhận mô hình ${what} được biểu dương, khen thưởng.`,
  },
};

/** What the words after the code asked for; `reason` is the raw text when the event needs one. */
type Parsed = { event: ModelEvent; reason: string | null } | { error: string };

interface DecisionSpec {
  name: string;
  aliases?: string[];
  access: Access;
  summary: string;
  usage: string;
  /** Reads the words after the model code. */
  parse(rest: string): Parsed;
  /** What the command lists when typed without a code. */
  awaiting: { noun: string; states: readonly ModelState[]; notYet?: 'replicated' | 'commended'; hint: string };
}

// ---------------------------------------------------------------------------------------------
// Reading what follows the code

/**
 * When `rest` starts with one of the phrases (folded, any case or diacritics, a trailing ":" or
 * "," tolerated), the text after it; undefined otherwise.
 */
function afterPhrase(rest: string, phrases: readonly string[]): string | undefined {
  const tokens = rest.split(/\s+/).filter((t) => t !== '');
  for (const phrase of phrases) {
    const words = phrase.split(' ');
    if (tokens.length < words.length) continue;
    if (!words.every((w, i) => fold(tokens[i]!).replace(/[:,;.]+$/, '') === w)) continue;
    let remaining = rest.trim();
    for (let i = 0; i < words.length; i++) remaining = remaining.replace(/^\S+\s*/, '');
    return stripLead(remaining);
  }
  return undefined;
}

/** The text after its first `n` words, its own spacing kept (a reason may span lines). */
function afterWords(text: string, n: number): string {
  let rest = text.trim();
  for (let i = 0; i < n; i++) rest = rest.replace(/^\S+\s*/, '');
  return rest;
}

function stripLead(text: string): string {
  return text.replace(/^[\s:,;.\-–—]+/, '').trim();
}

const nothingMore =
  (event: ModelEvent, usage: string) =>
  (rest: string): Parsed =>
    rest === '' ? { event, reason: null } : { error: `Lệnh này chỉ cần mã mô hình. ${usage}` };

// ---------------------------------------------------------------------------------------------
// The commands

const PENDING_HINT = 'Gõ /duyet <mã> để duyệt, hoặc /tralai <mã> <lý do> để trả lại.';
const PENDING_LIST = { noun: 'mô hình chờ duyệt', states: ['pending'] as const, hint: PENDING_HINT };

const SPECS: DecisionSpec[] = [
  {
    name: 'duyet',
    access: 'leader',
    summary: 'duyệt hoặc trả lại đăng ký mô hình; gõ /duyet để xem mô hình chờ duyệt',
    usage: '/duyet <mã> [tra lai <lý do>]',
    parse(rest) {
      if (rest === '') return { event: 'approve', reason: null };
      const reason = afterPhrase(rest, ['tra lai', 'tralai', 'tu choi']);
      if (reason !== undefined) return { event: 'return', reason };
      return {
        error: 'Muốn duyệt, bạn gõ /duyet <mã>; muốn trả lại, gõ /duyet <mã> tra lai <lý do>, ví dụ /duyet DVK-2026-0001 tra lai Cần ghi rõ kết quả dự kiến.',
      };
    },
    awaiting: PENDING_LIST,
  },
  {
    name: 'tralai',
    access: 'leader',
    summary: 'trả lại đăng ký mô hình, kèm lý do',
    usage: '/tralai <mã> <lý do>',
    parse: (rest) => ({ event: 'return', reason: stripLead(rest) }),
    awaiting: PENDING_LIST,
  },
  {
    name: 'denghi',
    access: 'officer',
    summary: 'đề nghị công nhận mô hình đang thực hiện',
    usage: '/denghi <mã>',
    parse: nothingMore('propose', 'Ví dụ: /denghi DVK-2026-0001.'),
    awaiting: { noun: 'mô hình đang thực hiện', states: ['in_progress'], hint: 'Gõ /denghi <mã> để đề nghị công nhận.' },
  },
  {
    name: 'congnhan',
    access: 'leader',
    summary: 'công nhận hoặc không công nhận mô hình',
    usage: '/congnhan <mã> [khong <lý do>]',
    parse(rest) {
      if (rest === '') return { event: 'recognise', reason: null };
      const reason = afterPhrase(rest, ['khong cong nhan', 'khong']);
      if (reason !== undefined) return { event: 'not_recognise', reason };
      return {
        error:
          'Muốn công nhận, bạn gõ /congnhan <mã>; nếu không công nhận, gõ /congnhan <mã> khong <lý do>, ví dụ /congnhan DVK-2026-0001 khong Chưa có kết quả rõ nét.',
      };
    },
    awaiting: {
      noun: 'mô hình đề nghị công nhận',
      states: ['proposed'],
      hint: 'Gõ /congnhan <mã> để công nhận, hoặc /congnhan <mã> khong <lý do> nếu không công nhận.',
    },
  },
  {
    name: 'nhanrong',
    access: 'leader',
    summary: 'ghi nhận mô hình được nhân rộng',
    usage: '/nhanrong <mã>',
    parse: nothingMore('replicate', 'Ví dụ: /nhanrong DVK-2026-0001.'),
    awaiting: { noun: 'mô hình được công nhận chưa ghi nhận nhân rộng', states: ['recognised'], notYet: 'replicated', hint: 'Gõ /nhanrong <mã> để ghi nhận.' },
  },
  {
    name: 'bieuduong',
    access: 'leader',
    summary: 'ghi nhận mô hình được biểu dương, khen thưởng',
    usage: '/bieuduong <mã>',
    parse: nothingMore('commend', 'Ví dụ: /bieuduong DVK-2026-0001.'),
    awaiting: { noun: 'mô hình được công nhận chưa ghi nhận biểu dương', states: ['recognised'], notYet: 'commended', hint: 'Gõ /bieuduong <mã> để ghi nhận.' },
  },
];

function decisionCommand(spec: DecisionSpec): Command {
  return {
    name: spec.name,
    aliases: spec.aliases,
    access: spec.access,
    summary: spec.summary,
    usage: spec.usage,
    run: (ctx) => decide(ctx, spec),
  };
}

export const LIFECYCLE_COMMANDS: readonly Command[] = SPECS.map(decisionCommand);

// ---------------------------------------------------------------------------------------------

async function decide(ctx: CommandContext, spec: DecisionSpec): Promise<void> {
  const usage = `Cách dùng: ${spec.usage}.`;
  const tokens = ctx.args.split(/\s+/).filter((w) => w !== '');
  if (tokens.length === 0) {
    await ctx.reply(awaitingList(ctx, spec));
    return;
  }
  // The code is one word ("DVK-2026-0001") or, typed with spaces, up to three ("dvk 2026 1").
  const leading = leadingModelCode(tokens);
  if (!leading) {
    await ctx.reply(`“${ellipsize(tokens[0]!, 30)}” không phải mã mô hình (mã có dạng DVK-2026-0001). ${usage}`);
    return;
  }
  const { code, words: taken } = leading;
  const parsed = spec.parse(afterWords(ctx.args, taken));
  if ('error' in parsed) {
    await ctx.reply(parsed.error);
    return;
  }
  const { event } = parsed;
  const words = WORDS[event];

  const model = modelByCode(ctx.db, code);
  // The same answer whether the model exists or not, so nobody learns other units' codes.
  if (!model || !inScope(scopeOf(ctx.db, ctx.caller), model.unitId)) {
    await ctx.reply(`Không có mô hình ${code} hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã; gõ /${spec.name} để xem các mô hình đang chờ.`);
    return;
  }
  let selfDecision: Conflict | undefined;
  if (event === 'propose') {
    const unit = unitById(ctx.db, model.unitId);
    if (unit && !unit.active) {
      await ctx.reply(stoppedUnit(unit.name));
      return;
    }
  } else {
    const allowed = mayDecideOn(ctx, model);
    if ('refusal' in allowed) {
      await ctx.reply(allowed.refusal(words.verb));
      return;
    }
    selfDecision = allowed.selfDecision;
  }
  // Said before asking for a reason, so nobody writes one for a change that cannot happen.
  const refused = refusal(model, event);
  if (refused) {
    await ctx.reply(refused);
    return;
  }
  let reason: string | null = null;
  if (MODEL_TRANSITIONS[event].reasonRequired) {
    const checked = checkReason(parsed.reason ?? '', event, spec, code);
    if ('error' in checked) {
      await ctx.reply(checked.error);
      return;
    }
    reason = checked.reason;
  }

  const outcome = ctx.db.transaction(
    (tx): { model: ModelRow } | { refused: string } => {
      // Read again under the write lock: someone may have decided in the meantime.
      const fresh = modelById(tx, model.id);
      if (!fresh) return { refused: `Không tìm thấy mô hình ${code}.` };
      try {
        return { model: applyModelEvent(tx, fresh, event, reason, actorOf(ctx.caller), ctx.now, selfDecision) };
      } catch (error) {
        if (error instanceof TransitionRefused) return { refused: refusal(fresh, event) ?? `Không thể ${words.verb} mô hình ${code} lúc này.` };
        throw error;
      }
    },
    { behavior: 'immediate' },
  );
  if ('refused' in outcome) {
    await ctx.reply(outcome.refused);
    return;
  }

  const unit = unitById(ctx.db, outcome.model.unitId);
  const what = `${code} ${quotedName(outcome.model)} của ${unit?.name ?? 'đơn vị'}`;
  const why = reason ? ` Lý do: ${reason}` : '';
  const { mentionHere, notices } = unitNotices(ctx.db, outcome.model.unitId, `${words.notice(ctx.caller.displayName, what)}${why}`, ctx.msg.chat);
  // The person who made the change reads the answer anyway; only the others are called.
  const others = mentionHere.filter((p) => p.platformUserId !== ctx.msg.sender.id);
  await ctx.reply({ text: withMentions(others, `✅ ${words.done(what)}${why}`) });
  await ctx.notify(notices);
}

/**
 * Whether the caller may decide on this model: from a role that decides (admin, a leader above
 * the model's unit), and not on their own work — a model they registered, or of a unit where they
 * are the officer. An admin may where the deployment allows it (DecisionPolicy), marked in the
 * audit row.
 */
function mayDecideOn(ctx: CommandContext, model: ModelRow): { selfDecision?: Conflict } | { refusal: (verb: string) => string } {
  const unit = unitById(ctx.db, model.unitId);
  const unitName = unit?.name ?? 'đơn vị này';
  // Outside the decision scope yet readable, the model can only be of a unit where the caller is
  // the officer: the same separation, said the same way.
  const conflict = conflictOf(ctx.caller, model) ?? (inScope(decisionScopeOf(ctx.db, ctx.caller), model.unitId) ? undefined : 'officer');
  if (!conflict) return {};
  if (mayDecideOwnWork(ctx)) return { selfDecision: conflict };
  const why =
    conflict === 'registered'
      ? (verb: string) => `Bạn đã đăng ký mô hình ${model.code} nên không tự ${verb} được: người đăng ký không quyết định trên mô hình của mình.`
      : (verb: string) => `Bạn là cán bộ đầu mối của ${unitName} nên không ${verb} mô hình của đơn vị mình.`;
  const deciders = decidersFor(ctx.db, model, ctx.caller.personId);
  return { refusal: (verb) => `${why(verb)} ${whoDecides(deciders, verb)}` };
}

/** An admin on a deployment that lets admins decide alone (DVK_ADMIN_SELF_DECISION); never a leader. */
function mayDecideOwnWork(ctx: CommandContext): boolean {
  return ctx.caller.grants.some((g) => g.role === 'admin') && (ctx.policy ?? DEFAULT_POLICY).adminMayDecideOwn;
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
function refusal(model: ModelRow, event: ModelEvent): string | undefined {
  const { verb } = WORDS[event];
  if (event === 'replicate' && model.replicatedAt !== null) {
    return `Mô hình ${model.code} đã được ghi nhận nhân rộng từ ${formatVnDate(new Date(model.replicatedAt))}.`;
  }
  if (event === 'commend' && model.commendedAt !== null) {
    return `Mô hình ${model.code} đã được ghi nhận biểu dương từ ${formatVnDate(new Date(model.commendedAt))}.`;
  }
  const rule = MODEL_TRANSITIONS[event];
  if (rule.from.includes(model.state)) return undefined;
  const allowed = rule.from.map((s) => `“${MODEL_STATE_LABEL[s]}”`).join(' hoặc ');
  return `Mô hình ${model.code} đang ở trạng thái “${MODEL_STATE_LABEL[model.state]}”, không thể ${verb}. Chỉ ${verb} được mô hình đang ${allowed}.`;
}

function checkReason(raw: string, event: ModelEvent, spec: DecisionSpec, code: string): { reason: string } | { error: string } {
  const reason = nfc(raw).trim();
  const length = charLength(reason);
  if (length > REASON_MAX) {
    return { error: `Lý do dài quá: tối đa ${REASON_MAX} ký tự (bạn đã gửi ${length}). Bạn vui lòng rút gọn; chưa có gì thay đổi.` };
  }
  if (length < REASON_MIN) {
    const example = spec.name === 'congnhan' ? `/congnhan ${code} khong Chưa có kết quả rõ nét` : `/tralai ${code} Cần ghi rõ kết quả dự kiến`;
    const what = event === 'not_recognise' ? 'không công nhận' : WORDS[event].verb;
    return { error: `Bạn cần ghi lý do ${what} (từ ${REASON_MIN} đến ${REASON_MAX} ký tự), ví dụ: ${example}. Chưa có gì thay đổi.` };
  }
  return { reason };
}

function awaitingList(ctx: CommandContext, spec: DecisionSpec): string {
  const decides = spec.access !== 'officer';
  const scope = decides ? decisionScopeOf(ctx.db, ctx.caller) : scopeOf(ctx.db, ctx.caller);
  const where = scope.all ? '' : mayDecide(ctx.caller) ? ' trong phạm vi bạn phụ trách' : ' của đơn vị bạn';
  const own = decides && !mayDecideOwnWork(ctx) ? { personId: ctx.caller.personId, officerUnitIds: officerUnits(ctx) } : undefined;
  const { items, total, leftOut } = modelsAwaiting(ctx.db, scope, spec.awaiting, LIST_LIMIT, own);
  const { noun } = spec.awaiting;
  const others =
    leftOut > 0 ? `\nKhông liệt kê ${leftOut} mô hình do chính bạn đăng ký hoặc của đơn vị bạn là cán bộ đầu mối: người khác quyết định các mô hình này.` : '';
  if (total === 0) return `Hiện không có ${noun}${where}.${others}\nCách dùng: ${spec.usage}.`;
  const lines = [`${noun.charAt(0).toUpperCase()}${noun.slice(1)}${where} (${total}):`];
  for (const { model, unitName } of items) {
    lines.push(`• ${model.code} ${quotedName(model, 70)} — ${unitName} (đăng ký ${formatVnDate(new Date(model.createdAt))})`);
  }
  if (total > items.length) lines.push(`… và ${total - items.length} mô hình nữa.`);
  if (others) lines.push(others.trim());
  lines.push(spec.awaiting.hint);
  return lines.join('\n');
}

function officerUnits(ctx: CommandContext): number[] {
  return ctx.caller.grants.filter((g) => g.role === 'officer' && g.unitId !== null).map((g) => g.unitId!);
}
