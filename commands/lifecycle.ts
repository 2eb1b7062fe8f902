import { type Access, type Command, type CommandContext, DEFAULT_POLICY } from './shared/command.js';
import { charLength, ellipsize, fold, nfc } from '../core/text.js';
import { MODEL_TRANSITIONS, type ModelEvent, type ModelRow, modelByCode } from '../db/models.js';
import { inScope, readScopeOf, scopeOf } from '../db/scope.js';
import { leadingModelCode } from '../core/modelCode.js';
import { awaitingList, type AwaitingSpec, type ListOwner, listNumber, pickFromList } from './shared/decisionList.js';
import { type DecisionContext, decisionFlow } from './shared/decisionConfirm.js';
import { checkDecision } from './shared/decisionRules.js';
import { WORDS } from './shared/decisionWords.js';
import type { Flow } from './shared/flow.js';
import { readOnlySentence } from './shared/readOnlyModel.js';
import { afterWords, REASON_MAX, REASON_MIN, stripLead } from './shared/reasonText.js';

/**
 * The life of a model after registration: approve or return (/duyet, /tralai), propose for
 * recognition (/denghi), recognise or not (/congnhan), replicated (/nhanrong), commended
 * (/bieuduong). Typed without a model, each lists what waits for it, numbered; with a number of
 * that list or a code, it checks what it can at once (scope, role, state, reason) and asks for
 * "đồng ý" (shared/decisionConfirm.ts), which checks again and makes the change in one
 * transaction (state, history, audit through applyModelEvent); the unit's officers are told
 * after it is committed, in the groups where they are. /hoantac undoes it for a few minutes.
 */

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
  /** What the command lists when typed without a code, numbered for picking. */
  awaiting: AwaitingSpec;
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
    return stripLead(afterWords(rest, words.length));
  }
  return undefined;
}

const nothingMore =
  (event: ModelEvent, usage: string) =>
  (rest: string): Parsed =>
    rest === '' ? { event, reason: null } : { error: `Lệnh này chỉ cần số thứ tự hoặc mã mô hình. ${usage}` };

// ---------------------------------------------------------------------------------------------
// The commands

const PENDING_LIST: AwaitingSpec = {
  noun: 'mô hình chờ duyệt',
  states: ['pending'],
  hint: 'Gõ /duyet <số> để duyệt (ví dụ /duyet 1), hoặc /tralai <số> <lý do> để trả lại; gõ mã mô hình thay cho số cũng được.',
  since: 'gửi',
};

const SPECS: DecisionSpec[] = [
  {
    name: 'duyet',
    access: 'leader',
    summary: 'duyệt hoặc trả lại đăng ký mô hình; gõ /duyet để xem mô hình chờ duyệt',
    usage: '/duyet <số hoặc mã> [trả lại <lý do>]',
    parse(rest) {
      if (rest === '') return { event: 'approve', reason: null };
      const reason = afterPhrase(rest, ['tra lai', 'tralai', 'tu choi']);
      if (reason !== undefined) return { event: 'return', reason };
      return {
        error:
          'Muốn duyệt, bạn gõ /duyet <số hoặc mã>; muốn trả lại, gõ /duyet <số hoặc mã> trả lại <lý do>, ví dụ /duyet 1 trả lại Cần ghi rõ kết quả dự kiến.',
      };
    },
    awaiting: PENDING_LIST,
  },
  {
    name: 'tralai',
    access: 'leader',
    summary: 'trả lại đăng ký mô hình, kèm lý do',
    usage: '/tralai <số hoặc mã> <lý do>',
    parse: (rest) => ({ event: 'return', reason: stripLead(rest) }),
    awaiting: PENDING_LIST,
  },
  {
    name: 'denghi',
    access: 'officer',
    summary: 'đề nghị công nhận mô hình đang thực hiện',
    usage: '/denghi <số hoặc mã>',
    parse: nothingMore('propose', 'Ví dụ: /denghi 1 hoặc /denghi DVK-2026-0001.'),
    awaiting: { noun: 'mô hình đang thực hiện', states: ['in_progress'], hint: 'Gõ /denghi <số> để đề nghị công nhận (ví dụ /denghi 1).', since: 'duyệt' },
  },
  {
    name: 'congnhan',
    access: 'leader',
    summary: 'công nhận hoặc không công nhận mô hình',
    usage: '/congnhan <số hoặc mã> [không <lý do>]',
    parse(rest) {
      if (rest === '') return { event: 'recognise', reason: null };
      const reason = afterPhrase(rest, ['khong cong nhan', 'khong']);
      if (reason !== undefined) return { event: 'not_recognise', reason };
      return {
        error:
          'Muốn công nhận, bạn gõ /congnhan <số hoặc mã>; nếu không công nhận, gõ /congnhan <số hoặc mã> không <lý do>, ví dụ /congnhan 1 không Chưa có kết quả rõ nét.',
      };
    },
    awaiting: {
      noun: 'mô hình đề nghị công nhận',
      states: ['proposed'],
      hint: 'Gõ /congnhan <số> để công nhận (ví dụ /congnhan 1), hoặc /congnhan <số> không <lý do> nếu không công nhận.',
      since: 'đề nghị',
    },
  },
  {
    name: 'nhanrong',
    access: 'leader',
    summary: 'ghi nhận mô hình được nhân rộng',
    usage: '/nhanrong <số hoặc mã>',
    parse: nothingMore('replicate', 'Ví dụ: /nhanrong 1 hoặc /nhanrong DVK-2026-0001.'),
    awaiting: {
      noun: 'mô hình được công nhận chưa ghi nhận nhân rộng',
      states: ['recognised'],
      notYet: 'replicated',
      hint: 'Gõ /nhanrong <số> để ghi nhận (ví dụ /nhanrong 1).',
      since: 'công nhận',
    },
  },
  {
    name: 'bieuduong',
    access: 'leader',
    summary: 'ghi nhận mô hình được biểu dương, khen thưởng',
    usage: '/bieuduong <số hoặc mã>',
    parse: nothingMore('commend', 'Ví dụ: /bieuduong 1 hoặc /bieuduong DVK-2026-0001.'),
    awaiting: {
      noun: 'mô hình được công nhận chưa ghi nhận biểu dương, khen thưởng',
      states: ['recognised'],
      notYet: 'commended',
      hint: 'Gõ /bieuduong <số> để ghi nhận (ví dụ /bieuduong 1).',
      since: 'công nhận',
    },
  },
];

/** The list a command shows and picks from: a proposal lists what the person may work on, a decision what they may decide. */
function listOwner(spec: DecisionSpec): ListOwner {
  return { name: spec.name, usage: spec.usage, decides: spec.access !== 'officer', awaiting: spec.awaiting };
}

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

/** Their confirmations, one flow per command (registered with the other flows). */
export const LIFECYCLE_FLOWS: readonly Flow[] = SPECS.map((spec) => decisionFlow({ name: spec.name, access: spec.access }));

// ---------------------------------------------------------------------------------------------

/** The model the first words name: a number of the command's list, or a code. */
function namedModel(ctx: CommandContext, spec: DecisionSpec, tokens: readonly string[]): { model: ModelRow; taken: number } | { error: string } {
  const n = listNumber(tokens[0]!);
  if (n !== undefined) {
    const picked = pickFromList(ctx, listOwner(spec), n);
    return 'error' in picked ? picked : { model: picked.item.model, taken: 1 };
  }
  // The code is one word ("DVK-2026-0001") or, typed with spaces, up to three ("dvk 2026 1").
  const leading = leadingModelCode(tokens);
  if (!leading) {
    return {
      error: `“${ellipsize(tokens[0]!, 30)}” không phải số thứ tự trong danh sách hay mã mô hình (mã có dạng DVK-2026-0001). Cách dùng: ${spec.usage}. Gõ /${spec.name} để xem danh sách.`,
    };
  }
  const model = modelByCode(ctx.db, leading.code);
  // The same answer whether the model exists or not, so nobody learns other units' codes.
  if (!model || !inScope(readScopeOf(ctx.db, ctx.caller), model.unitId)) {
    return {
      error: `Không có mô hình ${leading.code} hoặc mô hình ở ngoài phạm vi của bạn. Bạn kiểm tra lại mã; gõ /${spec.name} để xem các mô hình đang chờ.`,
    };
  }
  // A sub-unit's model, read from the unit above (db/scope.ts): the caller knows it, so they are
  // told whose it is; it is worked on and proposed by its own unit, and decided on by leaders.
  if (!inScope(scopeOf(ctx.db, ctx.caller), model.unitId)) {
    const who = spec.access === 'officer' ? 'do cán bộ đầu mối của đơn vị đó đề nghị công nhận' : 'ngoài phạm vi bạn được quyết định';
    return { error: readOnlySentence(ctx.db, model, `, ${who}`) };
  }
  return { model, taken: leading.words };
}

async function decide(ctx: CommandContext, spec: DecisionSpec): Promise<void> {
  const tokens = ctx.args.split(/\s+/).filter((w) => w !== '');
  if (tokens.length === 0) {
    await ctx.reply(awaitingList(ctx, listOwner(spec)));
    return;
  }
  const named = namedModel(ctx, spec, tokens);
  if ('error' in named) {
    await ctx.reply(named.error);
    return;
  }
  const { model } = named;
  const parsed = spec.parse(afterWords(ctx.args, named.taken));
  if ('error' in parsed) {
    await ctx.reply(parsed.error);
    return;
  }
  const { event } = parsed;
  const adminMayDecideOwn = (ctx.policy ?? DEFAULT_POLICY).adminMayDecideOwn;
  // Said before asking for a reason, so nobody writes one for a change that cannot happen.
  const checked = checkDecision(ctx.db, ctx.caller, model, event, adminMayDecideOwn);
  if ('refusal' in checked) {
    await ctx.reply(checked.refusal);
    return;
  }
  let reason: string | null = null;
  if (MODEL_TRANSITIONS[event].reasonRequired) {
    const given = checkReason(parsed.reason ?? '', event, spec, model.code);
    if ('error' in given) {
      await ctx.reply(given.error);
      return;
    }
    reason = given.reason;
  }
  const context: DecisionContext = { modelId: model.id, event, reason, adminMayDecideOwn };
  await ctx.conversations.start(spec.name, ctx, { ...context });
}

function checkReason(raw: string, event: ModelEvent, spec: DecisionSpec, code: string): { reason: string } | { error: string } {
  const reason = nfc(raw).trim();
  const length = charLength(reason);
  if (length > REASON_MAX) {
    return { error: `Lý do dài quá: tối đa ${REASON_MAX} ký tự (bạn đã gửi ${length}). Bạn vui lòng rút gọn; chưa có gì thay đổi.` };
  }
  if (length < REASON_MIN) {
    const example = spec.name === 'congnhan' ? `/congnhan ${code} không Chưa có kết quả rõ nét` : `/tralai ${code} Cần ghi rõ kết quả dự kiến`;
    const what = event === 'not_recognise' ? 'không công nhận' : WORDS[event].verb;
    return { error: `Bạn cần ghi lý do ${what} (từ ${REASON_MIN} đến ${REASON_MAX} ký tự), ví dụ: ${example}. Chưa có gì thay đổi.` };
  }
  return { reason };
}
