import type { InlineKeyboardButton, Message, MessageEntity, Update } from 'grammy/types';
import type { InstantBotApi, SentMessage } from './instantBotApi.js';
import type { Group, Member, PipelineWorld } from './pipelineWorld.js';
import { seededRandom } from './seededRandom.js';

/**
 * The updates Telegram would deliver while officers work with the bot in their groups: many
 * people at once, each doing one thing — a look at /mohinh, /hanchot or /huongdan, or a whole
 * /capnhat or /dangky answered question by question. In a group under privacy mode the bot
 * only sees commands, replies to its own messages and button presses, so every answer is a
 * reply to the bot's prompt (force_reply) or a press on its inline keyboard.
 *
 * The next update depends on the bot's last prompt (its message id, its buttons), so the
 * workload is played against a running bot: `next()` makes an update, the caller hands it to
 * the bot, then `handled()` reads what the bot sent and moves that person's session on.
 */

export type SessionKind = 'mohinh' | 'mohinhCard' | 'hanchot' | 'huongdan' | 'capnhat' | 'capnhatList' | 'dangky';

/** How often each kind of session is started (relative weights). */
export const SESSION_MIX: Readonly<Record<SessionKind, number>> = {
  mohinh: 16,
  mohinhCard: 8,
  hanchot: 12,
  huongdan: 6,
  capnhat: 24,
  capnhatList: 10,
  dangky: 24,
};

const ONE_SHOT: ReadonlySet<SessionKind> = new Set(['mohinh', 'mohinhCard', 'hanchot', 'huongdan']);

export interface WorkloadOptions {
  seed: number;
  /** People in the middle of something at any moment. */
  concurrent: number;
  /** The bot's username, as the command menu of a group writes "/cmd@bot". */
  botUsername: string;
  /** The instant on the people's messages (ms). */
  now: () => number;
  firstUpdateId?: number;
  /** Relative weights of the sessions started; SESSION_MIX when left out. */
  mix?: Readonly<Partial<Record<SessionKind, number>>>;
}

/** What the workload did and what the bot completed, for the checks and the notes. */
export interface WorkloadTally {
  updates: number;
  typed: number;
  presses: number;
  commands: number;
  sessionsStarted: Record<SessionKind, number>;
  sessionsCompleted: Record<SessionKind, number>;
  modelsRegistered: number;
  progressAdded: number;
  progressEdited: number;
  /** Messages the bot sent into the groups. */
  botMessages: number;
}

interface Session {
  kind: SessionKind;
  group: Group;
  member: Member;
  started: boolean;
  /** The bot's current question to this person. */
  prompt?: SentMessage;
}

type Answer = { press: string } | { type: string };

const zeroByKind = (): Record<SessionKind, number> => ({ mohinh: 0, mohinhCard: 0, hanchot: 0, huongdan: 0, capnhat: 0, capnhatList: 0, dangky: 0 });

export class TelegramWorkload {
  readonly tally: WorkloadTally = {
    updates: 0,
    typed: 0,
    presses: 0,
    commands: 0,
    sessionsStarted: zeroByKind(),
    sessionsCompleted: zeroByKind(),
    modelsRegistered: 0,
    progressAdded: 0,
    progressEdited: 0,
    botMessages: 0,
  };
  private readonly random: () => number;
  private readonly active: Session[] = [];
  private readonly busy = new Set<string>();
  private current?: Session;
  private finishing = false;
  private updateId: number;
  private registered = 0;
  private readonly memberWeights: number[];

  constructor(
    private readonly world: PipelineWorld,
    private readonly api: InstantBotApi,
    private readonly options: WorkloadOptions,
  ) {
    this.random = seededRandom(options.seed);
    this.updateId = options.firstUpdateId ?? 640_000_000;
    let sum = 0;
    this.memberWeights = world.groups.map((g) => (sum += g.members.length));
  }

  /** From now on no new session starts: `next()` finishes the open ones, then returns undefined. */
  finish(): void {
    this.finishing = true;
  }

  /** Sessions still open. */
  get open(): number {
    return this.active.length;
  }

  /** The next update to deliver; undefined once finishing and every session is over. */
  next(): Update | undefined {
    if (this.current) throw new Error('workload: handled() was not called for the previous update');
    while (!this.finishing && this.active.length < this.options.concurrent) this.active.push(this.newSession());
    if (this.active.length === 0) return undefined;
    const session = this.active[Math.floor(this.random() * this.active.length)]!;
    this.current = session;
    this.tally.updates++;
    if (!session.started) {
      session.started = true;
      this.tally.commands++;
      this.tally.sessionsStarted[session.kind]++;
      return this.message(session, this.commandText(session));
    }
    const answer = this.answer(session);
    if ('press' in answer) {
      this.tally.presses++;
      return this.press(session, answer.press);
    }
    this.tally.typed++;
    return this.message(session, answer.type, session.prompt!.message);
  }

  /** Reads what the bot sent for the last update and moves that session on. */
  handled(): void {
    const session = this.current;
    if (!session) throw new Error('workload: handled() without next()');
    this.current = undefined;
    const sent = this.api.takeSent().filter((s) => s.chatId === session.group.chat.id);
    this.tally.botMessages += sent.length;
    const last = sent.at(-1);
    const who = `${session.kind} by ${session.member.user.first_name} (${session.member.user.id})`;
    if (!last) throw new Error(`workload: the bot sent nothing in ${who}`);
    const text = last.message.text ?? '';
    if (ONE_SHOT.has(session.kind)) return this.end(session);
    if (text.startsWith('✅')) {
      if (text.startsWith('✅ Đã ghi nhận tiến độ')) this.tally.progressAdded++;
      else if (text.startsWith('✅ Đã sửa cập nhật')) this.tally.progressEdited++;
      else if (text.startsWith('✅ Đã ghi nhận “')) this.tally.modelsRegistered++;
      return this.end(session);
    }
    // A refusal means the workload typed something the bot does not take: the benchmark is wrong.
    if (!last.markup || text.includes('⚠️')) throw new Error(`workload: no question after an answer in ${who}: ${JSON.stringify(text.slice(0, 300))}`);
    session.prompt = last;
  }

  // -------------------------------------------------------------------------------------------

  private end(session: Session): void {
    this.tally.sessionsCompleted[session.kind]++;
    this.active.splice(this.active.indexOf(session), 1);
    this.busy.delete(`${session.group.chat.id}:${session.member.user.id}`);
  }

  private newSession(): Session {
    for (;;) {
      const r = this.random() * this.memberWeights.at(-1)!;
      const group = this.world.groups[this.memberWeights.findIndex((w) => r < w)]!;
      const member = group.members[Math.floor(this.random() * group.members.length)]!;
      const key = `${group.chat.id}:${member.user.id}`;
      if (this.busy.has(key)) continue;
      const kind = this.kindFor(member);
      // Nothing of the mix this person may do (a newcomer when only /dangky is played): someone else.
      if (kind === undefined) continue;
      this.busy.add(key);
      return { kind, group, member, started: false };
    }
  }

  private kindFor(member: Member): SessionKind | undefined {
    const mix = this.options.mix ?? SESSION_MIX;
    if (!(Object.keys(mix) as SessionKind[]).some((kind) => (mix[kind] ?? 0) > 0 && mayDo(member, kind))) return undefined;
    for (;;) {
      const kind = weighted(this.random, mix as Readonly<Record<SessionKind, number>>);
      if (mayDo(member, kind)) return kind;
    }
  }

  private commandText(session: Session): string {
    // Picked from the group's command menu, Telegram writes "/cmd@bot"; typed, usually "/cmd".
    const at = this.random() < 0.5 ? `@${this.options.botUsername}` : '';
    const model = () => session.member.updatable[Math.floor(this.random() * session.member.updatable.length)]!;
    switch (session.kind) {
      case 'mohinh':
        return `/mohinh${at}`;
      case 'mohinhCard':
        return `/mohinh${at} ${model()}`;
      case 'hanchot':
        return `/hanchot${at}`;
      case 'huongdan':
        return `/huongdan${at}`;
      case 'capnhat':
        return `/capnhat${at} ${model()}`;
      case 'capnhatList':
        return `/capnhat${at}`;
      case 'dangky':
        return `/dangky${at}`;
    }
  }

  /** How this person answers the bot's current question. */
  private answer(session: Session): Answer {
    const prompt = session.prompt!;
    const text = prompt.message.text ?? '';
    const buttons = ((prompt.markup?.inline_keyboard as InlineKeyboardButton[][] | undefined) ?? [])
      .flat()
      .filter((b): b is InlineKeyboardButton.CallbackButton => 'callback_data' in b);
    const r = this.random();
    const press = (label?: string): Answer => {
      const button = label === undefined ? buttons[Math.floor(this.random() * buttons.length)] : buttons.find((b) => b.text === label);
      if (!button) throw new Error(`workload: no button ${label ?? ''} under ${JSON.stringify(text.slice(0, 200))}`);
      return { press: button.callback_data };
    };
    const year = new Date(this.options.now()).getUTCFullYear();
    // The summary first: it repeats every question's label.
    if (/Mời bạn kiểm tra lại/.test(text)) return r < 0.85 ? press('Lưu') : { type: '1' };
    if (/mô hình nào\?/.test(text)) return press();
    if (/sửa cập nhật đó hay thêm cập nhật mới/.test(text)) return press(r < 0.7 ? 'Thêm cập nhật mới' : 'Sửa cập nhật đó');
    if (/Kết quả đã làm được/.test(text)) return { type: pick(this.random, PROGRESS_TEXTS) };
    // The progress question offers no buttons (digits are a percentage); a drop is confirmed (issue 22).
    if (/Tiến độ đến nay/.test(text))
      return r < 0.45 ? { type: 'đang triển khai' } : r < 0.55 ? { type: 'hoàn thành' } : { type: `${10 * Math.ceil(this.random() * 9)}%` };
    if (/Tiến độ giảm/.test(text)) return { type: 'đồng ý' };
    if (/Gửi kèm ảnh/.test(text)) return { type: r < 0.8 ? 'bỏ qua' : 'không có' };
    if (/Đăng ký loại nào/.test(text)) return press();
    if (/tập thể hay cá nhân/.test(text)) return press(r < 0.8 ? 'Tập thể' : 'Cá nhân');
    if (/Cá nhân đó là ai/.test(text)) return { type: `${session.member.user.first_name} ${session.member.user.last_name ?? ''}, cán bộ văn phòng`.trim() };
    if (/lĩnh vực nào/.test(text)) return press();
    if (/Tên (mô hình|điểm sáng) là gì/.test(text)) return { type: `${pick(this.random, MODEL_NAMES)} (đợt ${++this.registered})` };
    if (/Mục tiêu và nội dung/.test(text)) return { type: pick(this.random, MODEL_CONTENTS) };
    if (/Kết quả dự kiến/.test(text)) return { type: r < 0.3 ? 'bỏ qua' : 'Trên 90% hộ dân tham gia, không có khiếu nại.' };
    if (/Ngày bắt đầu/.test(text)) return { type: r < 0.5 ? '1/12' : `01/12/${year}` };
    if (/Ngày kết thúc/.test(text)) return { type: `31/12/${year}` };
    if (/Ai phụ trách/.test(text)) return { type: 'Trần Văn Sơn, Phó Chủ tịch UBND xã' };
    throw new Error(`workload: no answer for the question ${JSON.stringify(text.slice(0, 300))}`);
  }

  private message(session: Session, text: string, replyTo?: Message): Update {
    const chat = session.group.chat;
    const command = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text);
    const entities: MessageEntity[] = command ? [{ type: 'bot_command', offset: 0, length: command[0].length }] : [];
    const message = {
      message_id: this.api.nextMessageId(chat.id),
      from: session.member.user,
      chat,
      date: Math.floor(this.options.now() / 1000),
      // Telegram nests one level: the replied-to message comes without its own reply.
      ...(replyTo ? { reply_to_message: { ...replyTo, reply_to_message: undefined } } : {}),
      text,
      ...(entities.length > 0 ? { entities } : {}),
    };
    return JSON.parse(JSON.stringify({ update_id: ++this.updateId, message })) as Update;
  }

  private press(session: Session, data: string): Update {
    const chat = session.group.chat;
    const query = {
      id: `${session.member.user.id}${String(this.updateId % 1_000_000).padStart(6, '0')}`,
      from: session.member.user,
      message: session.prompt!.message,
      chat_instance: `-${String(-chat.id).slice(-12)}`,
      data,
    };
    return JSON.parse(JSON.stringify({ update_id: ++this.updateId, callback_query: query })) as Update;
  }
}

const PROGRESS_TEXTS = [
  'Tổ chức 4 buổi tuyên truyền tại các thôn; 120 hộ dân ký cam kết tham gia.',
  'Hoàn thành 1,2 km đường hoa; nhân dân đóng góp 300 ngày công.',
  'Đối thoại với nhân dân tại 3 tổ dân phố, tiếp nhận 18 ý kiến, đã giải quyết 15.',
  'Trao 25 suất học bổng, vận động được 60 triệu đồng từ doanh nghiệp.',
];
const MODEL_NAMES = [
  'Chợ phiên 0 đồng cho hộ nghèo',
  'Tổ tự quản đường làng xanh, sạch, đẹp',
  'Một cửa thân thiện, người dân không phải đi lại nhiều lần',
  'Camera an ninh do nhân dân góp sức',
];
const MODEL_CONTENTS = [
  'Mỗi tháng một phiên chợ để hộ nghèo nhận nhu yếu phẩm miễn phí, do các đoàn thể vận động.',
  'Các hộ thay nhau quét dọn, trồng hoa hai bên đường, phân loại rác tại nguồn.',
  'Tiếp nhận hồ sơ một lần, trả kết quả tại nhà cho người cao tuổi và người khuyết tật.',
];

/** Newcomers can only ask what anyone may; /capnhat needs an approved model of one's unit. */
function mayDo(member: Member, kind: SessionKind): boolean {
  if (member.unitId === null && kind !== 'hanchot' && kind !== 'huongdan') return false;
  return !((kind === 'capnhat' || kind === 'capnhatList' || kind === 'mohinhCard') && member.updatable.length === 0);
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function weighted<K extends string>(random: () => number, weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as Array<[K, number]>;
  let r = random() * entries.reduce((sum, [, w]) => sum + w, 0);
  for (const [key, w] of entries) if ((r -= w) < 0) return key;
  return entries[entries.length - 1]![0];
}
