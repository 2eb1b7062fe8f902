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
import { choiceAnswer, dateAnswer, isSkipWord, textAnswer } from '../core/answers.js';
import type { Choice } from '../core/chat.js';
import { formatIsoDay, vnParts } from '../core/clock.js';
import { HOLDER_TYPES, MODEL_KINDS } from '../core/domain.js';
import { HOLDER_LABEL, MODEL_KIND_LABEL } from '../core/labels.js';
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
 * Lưu / Quay lại sửa / Hủy), with the same wording, the same buttons, force_reply in groups, and
 * the same parsers (core/answers.ts: zod schemas, choice matching with diacritics folded, dates);
 * a name already used by the unit that year is asked again; "Lưu" inserts the model into a SQLite
 * table with the next DVK-<year>-<n> code. What it leaves out, and the pipeline does: resolving
 * and recording every sender (identities, chat members), roles and scope checks, a stopped unit,
 * de-duplicating update ids, the audit and history rows, /quaylai one step back (here "Quay lại
 * sửa" starts the questions again), expiry, a handoff to a private chat, flood limits, logs.
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
      const prefix = `DVK-${model.year}-`;
      const n = (this.statements.lastNumber.get(prefix.length + 1, prefix, `DVK-${model.year}.`) ?? 0) + 1;
      const code = `${prefix}${String(n).padStart(4, '0')}`;
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

export interface NewPeerModel {
  year: number;
  unitId: number;
  kind: string;
  holderType: string;
  holderName: string | null;
  fieldId: number;
  name: string;
  nameKey: string;
  content: string;
  expectedResult: string | null;
  startDate: string;
  endDate: string;
  personInCharge: string;
  createdBy: string;
}

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

const KIND_CHOICES: Choice[] = MODEL_KINDS.map((k) => ({ value: k, label: MODEL_KIND_LABEL[k] }));
const HOLDER_CHOICES: Choice[] = HOLDER_TYPES.map((h) => ({ value: h, label: HOLDER_LABEL[h] }));
// Built once: a zod schema takes longer to build than to run (dateAnswer and choiceAnswer keep theirs).
const PERSON = textAnswer({ min: 3, max: 150 });
const NAME = textAnswer({ min: 5, max: 200 });
const CONTENT = textAnswer({ min: 10, max: 2000 });
const EXPECTED = textAnswer({ min: 3, max: 1000 });
const CONFIRM_CHOICES: Choice[] = [
  { value: 'save', label: 'Lưu' },
  { value: 'back', label: 'Quay lại sửa' },
  { value: 'cancel', label: 'Hủy' },
];

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

    /** A typed answer through its zod schema; an optional one may be skipped ("bỏ qua"). */
    const askText = async <T>(text: string, schema: z.ZodType<T, string>, optional = false): Promise<T | null> => {
      await ask(optional ? `${text} (không bắt buộc: gõ "bỏ qua" nếu không có)` : text);
      for (;;) {
        current = await conversation.waitFor('message:text', {
          otherwise: (other) => other.reply('⚠️ Bạn gõ câu trả lời bằng chữ.'),
        });
        const raw = current.message!.text!;
        if (optional && isSkipWord(raw)) return null;
        const parsed = schema.safeParse(raw);
        if (parsed.success) return parsed.data;
        await current.reply(`⚠️ ${parsed.error.issues[0]!.message}`);
      }
    };

    const kind = await askChoice('Đăng ký loại nào?', KIND_CHOICES);
    const holder = await askChoice('Mô hình của tập thể hay cá nhân?', HOLDER_CHOICES);
    const holderName = holder === 'individual' ? await askText('Cá nhân đó là ai? (họ tên, chức vụ)', PERSON) : null;
    const field = await askChoice('Mô hình thuộc lĩnh vực nào?', fieldChoices);
    let name: string;
    for (;;) {
      name = (await askText('Tên mô hình là gì?', NAME))!;
      const taken = await conversation.external(() => store.nameTaken(who.unitId, who.year, fold(name)) ?? null);
      if (!taken) break;
      await current.reply(`⚠️ ${duplicateMessage(taken, who.year)}`);
    }
    const content = (await askText('Mục tiêu và nội dung chính của mô hình? (vài câu ngắn)', CONTENT))!;
    const expected = await askText('Kết quả dự kiến đạt được?', EXPECTED, true);
    const start = (await askText(`Ngày bắt đầu thực hiện? (ví dụ 15/01/${who.year})`, dateAnswer({ currentYear: who.year })))!;
    const end = (await askText(
      'Ngày kết thúc dự kiến?',
      dateAnswer({
        currentYear: who.year,
        notBefore: { day: start, message: `Ngày kết thúc phải từ ngày bắt đầu (${formatIsoDay(start)}) trở đi.` },
      }),
    ))!;
    const inCharge = (await askText('Ai phụ trách mô hình? (họ tên, chức vụ)', PERSON))!;

    const summary = [
      'Bạn kiểm tra lại đăng ký mô hình:',
      `• Loại: ${MODEL_KIND_LABEL[kind as (typeof MODEL_KINDS)[number]]}`,
      `• Chủ thể: ${HOLDER_LABEL[holder as (typeof HOLDER_TYPES)[number]]}`,
      ...(holderName ? [`• Cá nhân: ${holderName}`] : []),
      `• Lĩnh vực: ${fieldChoices.find((f) => f.value === field)!.label}`,
      `• Tên mô hình: ${name}`,
      `• Mục tiêu, nội dung: ${content}`,
      `• Kết quả dự kiến: ${expected ?? '(bỏ qua)'}`,
      `• Ngày bắt đầu: ${formatIsoDay(start)}`,
      `• Ngày kết thúc: ${formatIsoDay(end)}`,
      `• Người phụ trách: ${inCharge}`,
      '',
      'Mọi thông tin đúng chưa? Trả lời 1 để lưu, 2 để quay lại sửa, 3 để hủy.',
    ].join('\n');
    const decision = await askChoice(summary, CONFIRM_CHOICES);
    if (decision === 'cancel') {
      await current.reply('Đã hủy đăng ký mô hình, chưa có gì được lưu.');
      return;
    }
    if (decision === 'back') await conversation.rewind(top);

    const saved = await conversation.external(() =>
      store.register({
        year: who.year,
        unitId: who.unitId,
        kind,
        holderType: holder,
        holderName,
        fieldId: Number(field),
        name,
        nameKey: fold(name),
        content,
        expectedResult: expected,
        startDate: start,
        endDate: end,
        personInCharge: inCharge,
        createdBy: String(who.userId),
      }),
    );
    if ('taken' in saved) {
      await current.reply(`⚠️ ${duplicateMessage(saved.taken, who.year)}`);
      return;
    }
    await current.reply(
      `✅ Đã ghi nhận “${name}” (${MODEL_KIND_LABEL[kind as (typeof MODEL_KINDS)[number]]}) của ${who.unitName}.\nMã: ${saved.code} — trạng thái: chờ duyệt.`,
    );
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
    await ctx.reply('Đã hủy, chưa có gì được lưu.');
  });
  bot.use(createConversation(dangky, 'dangky'));
  bot.command('dangky', async (ctx) => {
    const officer = store.officer(ctx.from!.id);
    if (!officer) {
      await ctx.reply('Bạn chưa được gắn với đơn vị nào nên chưa đăng ký được. Hãy nhờ quản trị thêm bạn vào đơn vị của mình.');
      return;
    }
    const who: Registrant = { userId: ctx.from!.id, ...officer, year: vnParts(new Date(ctx.message!.date * 1000)).year };
    await ctx.conversation.enter('dangky', who);
  });
  await bot.init();
  return bot;
}

function duplicateMessage(code: string, year: number): string {
  return `Đơn vị đã đăng ký một mô hình cùng tên trong năm ${year} (mã ${code}). Bạn đặt tên khác, hoặc gõ /huy nếu đó chính là mô hình này.`;
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
