import { performance } from 'node:perf_hooks';
import {
  type Conversation,
  type ConversationData,
  type ConversationFlavor,
  conversations,
  createConversation,
  type VersionedState,
} from '@grammyjs/conversations';
import Database from 'better-sqlite3';
import { Bot, type Context } from 'grammy';
import type { InlineKeyboardMarkup, UserFromGetMe } from 'grammy/types';
import type { z } from 'zod';
import { dangkyFlow, duplicateMessage, endDateAnswer, MODEL_NAME_LENGTH, modelOfAnswers, NOT_IN_A_UNIT, registeredText } from '../commands/dangky.js';
import { CONFIRM_CHOICES, cancelled, confirmationText, OPTIONAL_HINT, SKIPPED_ANSWER, summaryLine } from '../commands/shared/flowEngine.js';
import { choiceAnswer, dateAnswer, isSkipWord, textAnswer } from '../core/answers.js';
import type { Choice } from '../core/chat.js';
import { formatIsoDay, vnParts } from '../core/clock.js';
import { HOLDER_TYPES, MODEL_KINDS } from '../core/domain.js';
import { modelCode, yearCodeRange } from '../core/modelCode.js';
import { fold } from '../core/text.js';
import { BOT_INFO } from './fakes/telegram.js';
import { InstantBotApi } from './instantBotApi.js';
import type { PipelineWorld } from './pipelineWorld.js';
import { TelegramWorkload, type WorkloadTally } from './telegramWorkload.js';

/**
 * The peer of the update-pipeline benchmark: what a team would write instead of our engine — the
 * same /dangky dialogue as a grammY bot with @grammyjs/conversations, its state in SQLite through
 * a storage adapter on better-sqlite3 (WAL), the way grammY's documentation shows it. The
 * conversation is one async function; the plugin replays it from the top on every update, taking
 * the answers and the Bot API results of the earlier steps from its log, and stores that log
 * (JSON) per chat and person after each update.
 *
 * It asks what /dangky asks an officer of one unit (kind, holder, who for an individual, field,
 * name, content, expected result, start and end dates, person in charge, then a summary with
 * Lưu / Quay lại sửa / Hủy), force_reply in groups. Its words, buttons and parsers are read from
 * our flow at start-up (commands/dangky.ts's steps; the summary's words from the flow engine), so
 * both bots ask the same questions by construction; where a step's choices or checks read our
 * database (the fields, a name already used), the peer reads its own tables. A name already used
 * by the unit that year is asked again; "Lưu" inserts the row our save would build into a SQLite
 * table, with the next code (core/modelCode.ts numbers both bots' codes). What it leaves out, and
 * the pipeline does: resolving and recording every sender (identities, chat members), roles and
 * scope checks, a stopped unit, de-duplicating update ids, the audit and history rows, /quaylai
 * one step back (here "Quay lại sửa" starts the questions again), expiry, a handoff to a private
 * chat, flood limits, logs.
 */

/** The SQLite file of the peer: conversations, the officers it knows, fields, models. */
export class PeerStore {
  readonly sqlite: Database.Database;
  private readonly statements;
  private readonly registration: Database.Transaction<(model: NewPeerModel) => { code: string } | { taken: string }>;

  constructor(
    path: string,
    private readonly now: () => number,
  ) {
    const s = new Database(path);
    // As the app opens its own file (db/client.ts), without the app's statement cache and thread.
    s.pragma('journal_mode = WAL');
    s.pragma('busy_timeout = 5000');
    s.pragma('foreign_keys = ON');
    s.pragma('synchronous = NORMAL');
    s.exec(SCHEMA);
    this.sqlite = s;
    this.statements = {
      readState: s.prepare<[string], string>('select state from conversations where key = ?').pluck(),
      writeState: s.prepare<[string, string]>('insert into conversations (key, state) values (?, ?) on conflict (key) do update set state = excluded.state'),
      deleteState: s.prepare<[string]>('delete from conversations where key = ?'),
      officer: s.prepare<[string], { unitId: number; unitName: string }>(
        'select unit_id as unitId, unit_name as unitName from officers where telegram_user_id = ?',
      ),
      fields: s.prepare<[], { id: number; label: string }>('select id, label from fields where active = 1 order by sort_order, id'),
      nameTaken: s.prepare<[number, number, string], string>('select code from models where unit_id = ? and year = ? and name_key = ?').pluck(),
      lastNumber: s
        .prepare<[number, string, string], number | null>('select max(cast(substr(code, ?) as integer)) from models where code >= ? and code < ?')
        .pluck(),
      insert: s.prepare<[NewPeerModel & { code: string; createdAt: number }], { code: string }>(
        `insert into models (code, year, unit_id, kind, holder_type, holder_name, field_id, name, name_key, content, expected_result,
          start_date, end_date, person_in_charge, created_by, created_at)
         values (@code, @year, @unitId, @kind, @holderType, @holderName, @fieldId, @name, @nameKey, @content, @expectedResult,
          @startDate, @endDate, @personInCharge, @createdBy, @createdAt) returning code`,
      ),
    };
    this.registration = s.transaction((model: NewPeerModel) => {
      const taken = this.nameTaken(model.unitId, model.year, model.nameKey);
      if (taken) return { taken };
      const { from, to, numberAt } = yearCodeRange(model.year);
      const code = modelCode(model.year, (this.statements.lastNumber.get(numberAt, from, to) ?? 0) + 1);
      return this.statements.insert.get({ ...model, code, createdAt: this.now() })!;
    });
  }

  /** Officers (Telegram account → unit), fields and models copied from a seeded world file. */
  seedFrom(worldPath: string): void {
    const s = this.sqlite;
    s.prepare('attach database ? as world').run(worldPath);
    try {
      s.transaction(() => {
        s.exec(`insert into officers (telegram_user_id, unit_id, unit_name)
          select i.platform_user_id, u.id, u.name from world.identities i
          join world.roles r on r.person_id = i.person_id and r.role = 'officer'
          join world.units u on u.id = r.unit_id
          where i.platform = 'telegram' group by i.platform_user_id`);
        s.exec('insert into fields (id, label, sort_order, active) select id, label, sort_order, active from world.fields');
        s.exec(`insert into models (code, year, unit_id, kind, holder_type, holder_name, field_id, name, name_key, content, expected_result,
          start_date, end_date, person_in_charge, created_by, created_at)
          select code, year, unit_id, kind, holder_type, holder_name, field_id, name, name_key, content, expected_result,
          start_date, end_date, person_in_charge, cast(created_by as text), created_at from world.models`);
      })();
    } finally {
      s.exec('detach database world');
    }
  }

  /** The plugin's storage: its whole state for one chat and person, as JSON. */
  readonly storage = {
    read: (key: string) => {
      const text = this.statements.readState.get(key);
      return text === undefined ? undefined : (JSON.parse(text) as StoredState);
    },
    write: (key: string, state: StoredState) => void this.statements.writeState.run(key, JSON.stringify(state)),
    delete: (key: string) => void this.statements.deleteState.run(key),
  };

  officer(telegramUserId: number): { unitId: number; unitName: string } | undefined {
    return this.statements.officer.get(String(telegramUserId));
  }

  fields(): Array<{ id: number; label: string }> {
    return this.statements.fields.all();
  }

  nameTaken(unitId: number, year: number, nameKey: string): string | undefined {
    return this.statements.nameTaken.get(unitId, year, nameKey);
  }

  /** Inserts the model with the next code of its year; a name taken in the meantime comes back as such. */
  register(model: NewPeerModel): { code: string } | { taken: string } {
    return this.registration.immediate(model);
  }

  count(table: 'models' | 'conversations'): number {
    return this.sqlite.prepare<[], number>(`select count(*) from ${table}`).pluck().get()!;
  }

  close(): void {
    this.sqlite.close();
  }
}

type StoredState = VersionedState<ConversationData>;

/** The row /dangky's save builds from the answers, and who registered it (a Telegram id). */
export type NewPeerModel = ReturnType<typeof modelOfAnswers> & { createdBy: string };

const SCHEMA = `
create table if not exists conversations (key text primary key, state text not null);
create table if not exists officers (telegram_user_id text primary key, unit_id integer not null, unit_name text not null);
create table if not exists fields (id integer primary key, label text not null unique, sort_order integer not null default 0, active integer not null default 1);
create table if not exists models (
  id integer primary key autoincrement,
  code text not null unique,
  year integer not null,
  unit_id integer not null,
  kind text not null,
  holder_type text not null,
  holder_name text,
  field_id integer not null references fields (id),
  name text not null,
  name_key text not null,
  content text not null,
  expected_result text,
  start_date text not null,
  end_date text not null,
  person_in_charge text not null,
  state text not null default 'pending',
  created_by text not null,
  created_at integer not null,
  unique (unit_id, year, name_key)
);`;

// ---------------------------------------------------------------------------------------------

type OuterContext = ConversationFlavor<Context>;
type PeerConversation = Conversation<OuterContext, Context>;

/** Who registers, for which unit and year: passed to the conversation when it is entered. */
interface Registrant {
  userId: number;
  unitId: number;
  unitName: string;
  year: number;
}

/** One question of /dangky as our flow declares it, with its buttons and parser where they are fixed. */
interface Question {
  label: string;
  /** The prompt as the person reads it once the kind is chosen ("Điểm sáng thuộc lĩnh vực nào?"); an optional step says it may be skipped. */
  text: (kind?: string) => string;
  optional: boolean;
  choices?: readonly Choice[];
  schema?: z.ZodType<unknown, string>;
}

function questionOf(key: string): Question {
  const step = dangkyFlow.steps.find((s) => s.key === key);
  if (!step) throw new Error(`the peer asks /dangky's step "${key}"; the flow has none`);
  const { prompt } = step;
  // A prompt that depends on the answers reads only the kind (commands/dangky.ts): the peer gives it that.
  const read = (kind?: string) => (typeof prompt === 'string' ? prompt : (prompt as (s: { answers: { kind?: string } }) => string)({ answers: { kind } }));
  return {
    label: step.label,
    text: (kind) => (step.optional ? `${read(kind)}${OPTIONAL_HINT}` : read(kind)),
    optional: step.optional === true,
    // A function reads our database (the fields, the unit's names): the peer answers those itself.
    choices: typeof step.choices === 'function' ? undefined : step.choices,
    schema: typeof step.schema === 'function' ? undefined : step.schema,
  };
}

/** /dangky's questions, read once when the peer loads rather than on every replay. */
const ASK = {
  kind: questionOf('kind'),
  holder: questionOf('holder'),
  holderName: questionOf('holderName'),
  field: questionOf('field'),
  name: questionOf('name'),
  content: questionOf('content'),
  expected: questionOf('expected'),
  start: questionOf('start'),
  end: questionOf('end'),
  inCharge: questionOf('inCharge'),
};
// Built once: a zod schema takes longer to build than to run (dateAnswer and choiceAnswer keep
// theirs). The flow's name parser also looks the name up in our database; the peer looks in its own.
const NAME = textAnswer(MODEL_NAME_LENGTH);

function buttonsOf(q: Question): readonly Choice[] {
  if (!q.choices) throw new Error(`/dangky's "${q.label}" has no fixed choices`);
  return q.choices;
}

/** The parser of a typed step; /dangky's free-text steps answer the text, trimmed. */
function textParserOf(q: Question): z.ZodType<string, string> {
  if (!q.schema) throw new Error(`/dangky's "${q.label}" has no fixed parser`);
  return q.schema as z.ZodType<string, string>;
}

function labelOf(choices: readonly Choice[], value: string): string {
  return choices.find((c) => c.value === value)!.label;
}

/** A pressed or typed value as one of the domain's values (buttons carry strings). */
function oneOf<T extends string>(values: readonly T[], value: string): T {
  const found = values.find((v) => v === value);
  if (found === undefined) throw new Error(`"${value}" is none of ${values.join(', ')}`);
  return found;
}

/** The grammY bot of the peer, over the given Bot API `fetch`, ready for `handleUpdate`. */
export async function createPeerBot(options: {
  token: string;
  botInfo: UserFromGetMe;
  fetch: InstantBotApi['fetch'];
  store: PeerStore;
}): Promise<Bot<OuterContext>> {
  const { store } = options;
  const bot = new Bot<OuterContext>(options.token, { botInfo: options.botInfo, client: { fetch: options.fetch } });

  async function dangky(conversation: PeerConversation, ctx: Context, who: Registrant): Promise<void> {
    const fields = await conversation.external(() => store.fields());
    const fieldChoices = fields.map((f) => ({ value: String(f.id), label: f.label }));
    const top = conversation.checkpoint();
    let current = ctx;

    /** Sends a question; a typed one in a group is a reply aimed at the person (selective force_reply). */
    const ask = async (text: string, choices?: readonly Choice[]): Promise<void> => {
      const message = current.message;
      if (choices) {
        const keyboard: InlineKeyboardMarkup = { inline_keyboard: choices.map((c) => [{ text: c.label, callback_data: c.value }]) };
        await current.reply(text, { reply_markup: keyboard });
      } else if (message) {
        await current.reply(text, { reply_markup: { force_reply: true, selective: true }, reply_parameters: { message_id: message.message_id } });
      } else {
        const name = escapeHtml(`${current.from?.first_name ?? ''} ${current.from?.last_name ?? ''}`.trim());
        await current.reply(`<a href="tg://user?id=${who.userId}">${name}</a> ${escapeHtml(text)}`, {
          parse_mode: 'HTML',
          reply_markup: { force_reply: true, selective: true },
        });
      }
    };

    /** A press on one of the buttons, or the choice typed (number or label, diacritics optional). */
    const askChoice = async (text: string, choices: readonly Choice[]): Promise<string> => {
      await ask(text, choices);
      for (;;) {
        current = await conversation.waitFor(['message:text', 'callback_query:data']);
        const query = current.callbackQuery;
        if (query?.data !== undefined) {
          const picked = choices.find((c) => c.value === query.data);
          await current.answerCallbackQuery(picked ? undefined : { text: 'Nút này không còn dùng được.' });
          if (!picked) continue;
          // As the bot does: the answered keyboard goes, so an old button cannot be pressed again.
          if (query.message) await current.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } });
          return picked.value;
        }
        const parsed = choiceAnswer(choices).safeParse(current.message!.text);
        if (parsed.success) return parsed.data;
        await current.reply(`⚠️ ${parsed.error.issues[0]!.message}`);
      }
    };

    /** The kind chosen at the first question, which the later questions name. */
    let chosenKind: string | undefined;
    /** A typed answer through its zod schema; an optional one may be skipped ("bỏ qua"). */
    const askText = async <T>(q: Question, schema: z.ZodType<T, string>): Promise<T | null> => {
      await ask(q.text(chosenKind));
      for (;;) {
        current = await conversation.waitFor('message:text', {
          otherwise: (other) => other.reply('⚠️ Bạn gõ câu trả lời bằng chữ.'),
        });
        const raw = current.message!.text!;
        if (q.optional && isSkipWord(raw)) return null;
        const parsed = schema.safeParse(raw);
        if (parsed.success) return parsed.data;
        await current.reply(`⚠️ ${parsed.error.issues[0]!.message}`);
      }
    };

    const kind = oneOf(MODEL_KINDS, await askChoice(ASK.kind.text(), buttonsOf(ASK.kind)));
    chosenKind = kind;
    const holder = oneOf(HOLDER_TYPES, await askChoice(ASK.holder.text(kind), buttonsOf(ASK.holder)));
    const holderName = holder === 'individual' ? await askText(ASK.holderName, textParserOf(ASK.holderName)) : null;
    const field = await askChoice(ASK.field.text(kind), fieldChoices);
    let name: string;
    for (;;) {
      name = (await askText(ASK.name, NAME))!;
      const taken = await conversation.external(() => store.nameTaken(who.unitId, who.year, fold(name)) ?? null);
      if (!taken) break;
      await current.reply(`⚠️ ${duplicateMessage(taken, who.year)}`);
    }
    const content = (await askText(ASK.content, textParserOf(ASK.content)))!;
    const expected = await askText(ASK.expected, textParserOf(ASK.expected));
    // The flow's date parsers are functions of its state; these are what they build.
    const start = (await askText(ASK.start, dateAnswer({ currentYear: who.year })))!;
    const end = (await askText(ASK.end, endDateAnswer(who.year, start)))!;
    const inCharge = (await askText(ASK.inCharge, textParserOf(ASK.inCharge)))!;

    const summary = confirmationText(dangkyFlow, [
      summaryLine(ASK.kind, labelOf(buttonsOf(ASK.kind), kind)),
      summaryLine(ASK.holder, labelOf(buttonsOf(ASK.holder), holder)),
      ...(holderName ? [summaryLine(ASK.holderName, holderName)] : []),
      summaryLine(ASK.field, labelOf(fieldChoices, field)),
      summaryLine(ASK.name, name),
      summaryLine(ASK.content, content),
      summaryLine(ASK.expected, expected ?? SKIPPED_ANSWER),
      summaryLine(ASK.start, formatIsoDay(start)),
      summaryLine(ASK.end, formatIsoDay(end)),
      summaryLine(ASK.inCharge, inCharge),
    ]);
    const decision = await askChoice(summary, CONFIRM_CHOICES);
    if (decision === 'cancel') {
      await current.reply(cancelled(dangkyFlow));
      return;
    }
    if (decision === 'back') await conversation.rewind(top);

    const saved = await conversation.external(() =>
      store.register({
        ...modelOfAnswers(who.year, who.unitId, { kind, holder, holderName, field, name, content, expected, start, end, inCharge }),
        createdBy: String(who.userId),
      }),
    );
    if ('taken' in saved) {
      await current.reply(`⚠️ ${duplicateMessage(saved.taken, who.year)}`);
      return;
    }
    await current.reply(registeredText(name, kind, who.unitName, saved.code));
  }

  bot.use(
    conversations<OuterContext, Context>({
      // Many people answer at once in one group: one conversation per chat and person.
      storage: {
        type: 'key',
        getStorageKey: (ctx) => (ctx.chatId !== undefined && ctx.from ? `${ctx.chatId}:${ctx.from.id}` : undefined),
        adapter: store.storage,
      },
    }),
  );
  // Before the conversation, so that /huy reaches a person who is in the middle of one.
  bot.command('huy', async (ctx) => {
    await ctx.conversation.exitAll();
    await ctx.reply(cancelled(dangkyFlow));
  });
  bot.use(createConversation(dangky, 'dangky'));
  bot.command('dangky', async (ctx) => {
    const officer = store.officer(ctx.from!.id);
    if (!officer) {
      await ctx.reply(NOT_IN_A_UNIT);
      return;
    }
    const who: Registrant = { userId: ctx.from!.id, ...officer, year: vnParts(new Date(ctx.message!.date * 1000)).year };
    await ctx.conversation.enter('dangky', who);
  });
  await bot.init();
  return bot;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---------------------------------------------------------------------------------------------

export interface PeerPlayOptions {
  /** The peer's own SQLite file (created), seeded from `worldPath`. */
  dbPath: string;
  worldPath: string;
  world: PipelineWorld;
  seed: number;
  warmup: number;
  measured: number;
  concurrent: number;
  /** The bot's clock: where it starts (ISO) and how far it moves per update. */
  start: string;
  stepMs: number;
  /** After the measured updates, finish every open dialogue (untimed). */
  drain?: boolean;
}

export interface PeerPlay {
  latencies: number[];
  recorded: string[];
  tally: WorkloadTally;
  apiCalls: number;
  /** CPU time of the whole process over the measured updates, the workload's own included. */
  cpuMs: number;
  rows: { models: number; conversations: number };
  rowsBefore: { models: number };
}

/** Only /dangky, answered question by question by many officers at once: the dialogue both sides have. */
export const DANGKY_ONLY = { dangky: 1 } as const;

/** The peer over a fresh SQLite file, fed by the workload one update at a time, each timed. */
export async function playPeer(options: PeerPlayOptions): Promise<PeerPlay> {
  let now = Date.parse(options.start);
  const clock = () => now;
  const api = new InstantBotApi(BOT_INFO, clock);
  for (const g of options.world.groups) api.addChat(g.chat);
  const store = new PeerStore(options.dbPath, clock);
  try {
    store.seedFrom(options.worldPath);
    const rowsBefore = { models: store.count('models') };
    const bot = await createPeerBot({ token: TOKEN, botInfo: BOT_INFO, fetch: api.fetch, store });
    const workload = new TelegramWorkload(options.world, api, {
      seed: options.seed,
      concurrent: options.concurrent,
      botUsername: BOT_INFO.username,
      now: clock,
      mix: DANGKY_ONLY,
    });
    const latencies: number[] = [];
    const recorded: string[] = [];
    let callsAtWarmup = 0;
    let cpuAtWarmup = process.cpuUsage();
    for (let i = 0; i < options.warmup + options.measured; i++) {
      if (i === options.warmup) {
        callsAtWarmup = api.calls;
        cpuAtWarmup = process.cpuUsage();
      }
      const update = workload.next()!;
      recorded.push(JSON.stringify(update));
      const begin = performance.now();
      await bot.handleUpdate(update);
      const ms = performance.now() - begin;
      workload.handled();
      now += options.stepMs;
      if (i >= options.warmup) latencies.push(ms);
    }
    const apiCalls = api.calls - callsAtWarmup;
    const used = process.cpuUsage(cpuAtWarmup);
    const cpuMs = (used.user + used.system) / 1000;
    if (options.drain) {
      workload.finish();
      for (let update = workload.next(); update; update = workload.next()) {
        await bot.handleUpdate(update);
        workload.handled();
        now += options.stepMs;
      }
    }
    return {
      latencies,
      recorded,
      tally: workload.tally,
      apiCalls,
      cpuMs,
      rows: { models: store.count('models'), conversations: store.count('conversations') },
      rowsBefore,
    };
  } finally {
    store.close();
  }
}

const TOKEN = '7000111222:AAH-bench-token-not-real';
