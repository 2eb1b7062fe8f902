import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { AdapterStatus, ChatAdapter, ChatRef, IncomingHandler, Outbound, PlatformLimits, PlatformUser, Reply, SentMessage } from '../../core/chat.js';
import { plainText } from '../../core/chat.js';
import { type Clock, fileStamp, formatVnDateTime } from '../../core/clock.js';
import { withoutBotAddress } from '../botAddress.js';
import { StatusTracker } from '../status.js';
import { isPrivateLabel, jumpTarget, parseAttachments, parseScriptLine, type ScriptLine, timeBackwardsRefusal } from './lines.js';

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  /** Where files the bot sends are written. */
  outDir: string;
  clock: Clock;
  /** A person at a terminal: show a banner and a prompt. Piped input gets neither. */
  interactive: boolean;
  group?: string;
  person?: string;
  /** Extra lines for the banner (the demo's people). */
  bannerNote?: string;
  /**
   * A script's `⏰ …` line moved the clock forward to `now`: whoever owns the clock sets it and
   * does what is due then (bot/main.ts: one tick, then the reminders). Awaited before the next
   * line. Without it, time directives are refused.
   */
  onTime?: (now: Date) => Promise<void>;
  /** Where the simulator's own complaints about a script go (a refused `⏰` line); the output by default. */
  notices?: Writable;
}

export const BOT_USERNAME = 'dvk_bot';
/** "@dvk_bot kinh tế": the bot addressed as members address it on the platforms (bot/botAddress.ts). */
const BOT_MENTION = new RegExp(`@${BOT_USERNAME}(?![\\p{L}\\p{N}_])`, 'giu');

/**
 * A terminal prints a reply of any length and the files land in a folder: nothing to split or
 * refuse, and nobody to flood (one operator types for everybody), so reminders go out one at a time
 * without waiting.
 */
export const CONSOLE_LIMITS: PlatformLimits = {
  messageChars: Number.POSITIVE_INFINITY,
  sending: { perSecond: 1000, perChatPerMinute: 1000, concurrency: 1 },
};

/**
 * The local simulator: a terminal (or a script on stdin) plays group chats. It is a real
 * adapter over the same contract as Telegram and Zalo, so what works here works there.
 */
export class ConsoleAdapter implements ChatAdapter {
  readonly platform = 'console' as const;
  readonly limits = CONSOLE_LIMITS;
  private group: string;
  private person: string;
  private nextId = 1;
  private closed = false;
  /** Whoever read the output went away (`npm start | head`): nothing more can be shown. */
  private outputGone = false;
  /** Any other failure to write the output: the session ends, and start() fails with it. */
  private outputFailed?: Error;
  private readline?: ReturnType<typeof createInterface>;
  private readonly tracker: StatusTracker;

  constructor(private readonly options: ConsoleOptions) {
    this.group = options.group ?? 'Nhóm thử';
    this.person = options.person ?? 'Khách';
    this.tracker = new StatusTracker(() => options.clock.now());
  }

  /** Reading its input: connected; the input ended or the adapter was stopped: stopped. */
  status(): AdapterStatus {
    return this.tracker.get();
  }

  async start(handler: IncomingHandler): Promise<void> {
    const rl = createInterface({ input: this.options.input, terminal: false, crlfDelay: Infinity });
    this.readline = rl;
    // A closed pipe (EPIPE) ends the session quietly, as the end of the input does: the reader
    // asked for no more (`| head`), and a stack trace with status 1 would say something broke.
    this.options.output.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') this.outputGone = true;
      else this.outputFailed ??= error;
      void this.stop();
    });
    if (!this.closed) this.tracker.set('connected');
    if (this.options.interactive) this.banner();
    this.promptLine();
    for await (const line of rl) {
      if (this.closed) break;
      const parsed = parseScriptLine(line);
      if (parsed.kind !== 'said') {
        await this.moveTime(parsed);
        this.promptLine();
        continue;
      }
      if (parsed.group !== undefined) this.group = parsed.group;
      if (parsed.person !== undefined) this.person = parsed.person;
      if (parsed.text !== '') {
        const chat = this.currentChat();
        const sender: PlatformUser = { id: this.person, displayName: this.person };
        const text = withoutBotAddress(parsed.text, [...parsed.text.matchAll(BOT_MENTION)], (m) => ({ offset: m.index, length: m[0].length, bot: true })).text;
        const attachments = parseAttachments(text);
        await handler(
          {
            chat,
            sender,
            messageId: `u${this.nextId++}`,
            // A file sent without a caption has no text, as on the real platforms.
            text: attachments ? '' : text,
            mentions: [],
            attachments: attachments ?? [],
            receivedAt: this.options.clock.now(),
          },
          this.outbound(chat),
        );
      }
      this.promptLine();
    }
    if (!this.closed) this.tracker.set('stopped', 'hết dữ liệu vào');
    if (this.outputFailed) throw this.outputFailed;
  }

  /** A `⏰` line: forward only, and everything due at the new instant done before the next line. */
  private async moveTime(line: Exclude<ScriptLine, { kind: 'said' }>): Promise<void> {
    if (line.kind === 'bad-time') return this.notice(line.problem);
    if (!this.options.onTime) return this.notice('⏰ Trình mô phỏng này không đổi được giờ. Bỏ qua dòng này.');
    const now = this.options.clock.now();
    const target = jumpTarget(line.jump, now);
    if (target.getTime() < now.getTime()) return this.notice(timeBackwardsRefusal(now, target));
    await this.options.onTime(target);
    // A person at a terminal sees where the clock now stands; a script's output stays the bot's
    // messages only, as before the directive existed.
    if (this.options.interactive) this.write(this.options.output, `⏰ Giờ mô phỏng: ${formatVnDateTime(this.options.clock.now())}\n`);
  }

  private notice(text: string): void {
    this.write(this.options.notices ?? this.options.output, `${text}\n`);
  }

  private write(stream: Writable, text: string): void {
    if (stream === this.options.output && (this.outputGone || this.outputFailed)) return;
    stream.write(text);
  }

  async send(chat: ChatRef, reply: Reply): Promise<SentMessage> {
    const messageId = `b${this.nextId++}`;
    if (this.outputGone || this.outputFailed) return { messageId };
    const label = chat.kind === 'private' ? `riêng: ${chat.title ?? chat.id}` : chat.id;
    const to = reply.prompt ? ` → ${reply.prompt.answerFrom.displayName}` : reply.ephemeral ? ' (chỉ người bấm thấy)' : '';
    const lines = plainText(reply.text).split('\n');
    lines[0] = `Bot${to}: ${lines[0]}`;
    (reply.choices ?? []).forEach((c, i) => lines.push(`  ${i + 1}. ${c.label}`));
    for (const file of reply.files ?? []) lines.push(`📎 Tệp: ${this.writeFile(file.fileName, file.data)}`);
    this.options.output.write(lines.map((l) => `[${label}] ${l}`.trimEnd()).join('\n') + '\n');
    return { messageId };
  }

  async stop(): Promise<void> {
    if (!this.closed) this.tracker.set('stopped', 'đã tắt');
    this.closed = true;
    this.readline?.close();
  }

  private outbound(chat: ChatRef): Outbound {
    return { send: (reply) => this.send(chat, reply), answerMode: 'next-message', botUsername: BOT_USERNAME };
  }

  private currentChat(): ChatRef {
    if (isPrivateLabel(this.group)) {
      return { platform: 'console', id: `private:${this.person}`, kind: 'private', title: this.person };
    }
    return { platform: 'console', id: this.group, kind: 'group', title: this.group };
  }

  private writeFile(fileName: string, data: Buffer): string {
    // Reports name officials and units: readable by the operator only.
    mkdirSync(this.options.outDir, { recursive: true, mode: 0o700 });
    // Only the base name of what the bot proposes, so a name can never escape the folder.
    const safe = basename(fileName.replace(/\\/g, '/')).replace(/^\.+/, '') || 'tep';
    const path = join(this.options.outDir, `${fileStamp(this.options.clock.now())}-${safe}`);
    writeFileSync(path, data, { mode: 0o600 });
    return path;
  }

  private banner(): void {
    this.options.output.write(
      [
        'Trình mô phỏng dvk-bot: gõ tin nhắn như trong một nhóm chat.',
        'Đổi nhóm hoặc người nói bằng cách gõ: [Tên nhóm] Tên người: nội dung',
        'Nhắn riêng với bot: [riêng] Tên người: nội dung. Gửi ảnh/tệp: 📎 ten-tep.jpg (hoặc +tep ten-tep.jpg).',
        'Cho thời gian trôi: ⏰ 15/04/2026 08:00 hoặc ⏰ +2 ngày (hoặc @thoigian …); giờ chỉ đi tới, không lùi lại.',
        'Gõ /huongdan để bắt đầu, Ctrl+D để thoát.',
        ...(this.options.bannerNote ? [this.options.bannerNote] : []),
        '',
      ].join('\n'),
    );
  }

  private promptLine(): void {
    if (this.options.interactive && !this.outputGone && !this.outputFailed) this.options.output.write(`[${this.group}] ${this.person}> `);
  }
}
