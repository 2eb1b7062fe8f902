import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeerBot, DANGKY_ONLY, type PeerPlay, PeerStore, playPeer } from '../../bench/conversationsPeer.js';
import { BOT_INFO } from '../../bench/fakes/telegram.js';
import { InstantBotApi, type SentMessage } from '../../bench/instantBotApi.js';
import type { PipelineWorld, WorldOptions } from '../../bench/pipelineWorld.js';
import { type PipelinePlay, playPipeline, START, seedWorldFile, sentText } from '../../bench/updatePipeline.js';

/**
 * The update-pipeline benchmark's peer (grammY + @grammyjs/conversations over SQLite) must really
 * carry a /dangky through to a stored model, or its figures would measure refusals. No timing.
 */

const TINY: Omit<WorldOptions, 'now'> = { communesPerCluster: 3, schoolsPerCluster: 1, agenciesPerDepartment: 1, newcomersPerGroup: 2 };
const STEP_MS = 1500;

let dir: string;
let world: PipelineWorld;
let template: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dvk-bench-peer-test-'));
  template = join(dir, 'world.sqlite');
  ({ world } = await seedWorldFile(template, TINY));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the conversations peer, one dialogue by hand', () => {
  it('asks the /dangky questions, takes presses and typed answers, and stores the model', async () => {
    let now = Date.parse(START);
    const api = new InstantBotApi(BOT_INFO, () => now);
    const group = world.groups[1]!;
    api.addChat(group.chat);
    const officer = group.members.find((m) => m.unitId !== null)!;
    const store = new PeerStore(join(dir, 'by-hand.sqlite'), () => now);
    try {
      store.seedFrom(template);
      const bot = await createPeerBot({ token: '1:x', botInfo: BOT_INFO, fetch: api.fetch, store });
      let updateId = 1;
      let prompt: SentMessage | undefined;
      /** Delivers one update and returns the bot's last message in the group. */
      const deliver = async (update: Omit<Update, 'update_id'>): Promise<SentMessage> => {
        await bot.handleUpdate({ update_id: updateId++, ...update } as Update);
        now += STEP_MS;
        const sent = api.takeSent().filter((s) => s.chatId === group.chat.id);
        expect(sent.length, JSON.stringify(update)).toBeGreaterThan(0);
        prompt = sent.at(-1)!;
        expect(prompt.message.text).not.toContain('⚠️');
        return prompt;
      };
      const type = (text: string) =>
        deliver({
          message: {
            message_id: api.nextMessageId(group.chat.id),
            from: officer.user,
            chat: group.chat,
            date: Math.floor(now / 1000),
            text,
            ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] } : {}),
            ...(prompt ? { reply_to_message: prompt.message } : {}),
          } as Update['message'],
        });
      const press = (label: string) => {
        const buttons = (prompt!.markup!.inline_keyboard as Array<Array<{ text: string; callback_data: string }>>).flat();
        const button = buttons.find((b) => b.text === label);
        expect(button, `${label} in ${buttons.map((b) => b.text).join(', ')}`).toBeDefined();
        return deliver({
          callback_query: { id: String(updateId), from: officer.user, chat_instance: '1', message: prompt!.message, data: button!.callback_data },
        } as Omit<Update, 'update_id'>);
      };

      expect((await type('/dangky')).message.text).toContain('Đăng ký loại nào?');
      expect((await press('Điểm sáng về dân vận chính quyền')).message.text).toContain('tập thể hay cá nhân');
      const who = await press('Cá nhân');
      expect(who.message.text).toContain('Cá nhân đó là ai');
      // A typed question in a group: a reply box aimed at the person; after a press, by mentioning them.
      expect(who.markup).toEqual({ force_reply: true, selective: true });
      expect(who.message.text).toContain(officer.user.first_name);
      expect((await type('Lê Thị Hoa, cán bộ văn phòng')).message.text).toContain('lĩnh vực nào');
      await press('Kinh tế');
      expect(prompt!.message.text).toContain('Tên điểm sáng là gì');
      await type('Chợ phiên 0 đồng cho hộ nghèo');
      await type('Mỗi tháng một phiên chợ để hộ nghèo nhận nhu yếu phẩm miễn phí.');
      expect(prompt!.message.text).toContain('Kết quả dự kiến');
      // After a typed answer, the next question replies to it.
      expect(prompt!.message.reply_to_message).toBeDefined();
      expect(prompt!.markup).toEqual({ force_reply: true, selective: true });
      await type('bỏ qua');
      await type('1/12');
      await type('31/12/2026');
      const summary = await type('Trần Văn Sơn, Phó Chủ tịch UBND xã');
      expect(summary.message.text).toContain('Mời bạn kiểm tra lại trước khi lưu:');
      expect(summary.message.text).toContain('• Kết quả dự kiến: (không có)');
      // A typed choice works as the press does: diacritics and case left out.
      const done = await type('luu');
      expect(done.message.text).toMatch(/^✅ Đã ghi nhận “Chợ phiên 0 đồng cho hộ nghèo” \(Điểm sáng về dân vận chính quyền\) của .+\nMã: DVK-2026-\d{4}/);

      const row = store.sqlite.prepare("select * from models where name = 'Chợ phiên 0 đồng cho hộ nghèo'").get() as Record<string, unknown>;
      expect(row).toMatchObject({
        unit_id: officer.unitId,
        year: 2026,
        kind: 'diem_sang_chinh_quyen',
        holder_type: 'individual',
        holder_name: 'Lê Thị Hoa, cán bộ văn phòng',
        name_key: 'cho phien 0 dong cho ho ngheo',
        expected_result: null,
        start_date: '2026-12-01',
        end_date: '2026-12-31',
        person_in_charge: 'Trần Văn Sơn, Phó Chủ tịch UBND xã',
        created_by: String(officer.user.id),
        state: 'pending',
      });
      expect(done.message.text).toContain(String(row.code));
      // The dialogue is over: nothing of it is left in the plugin's storage.
      expect(store.count('conversations')).toBe(0);
      // Presses were answered and their keyboards removed, as the bot does.
      expect(api.callsByMethod.get('answerCallbackQuery')).toBe(3);
      expect(api.callsByMethod.get('editMessageReplyMarkup')).toBe(3);
    } finally {
      store.close();
    }
  });
});

describe('the conversations peer under the workload', () => {
  let peer: PeerPlay;
  let ours: PipelinePlay;
  const options = { seed: 11, warmup: 40, measured: 260, concurrent: 6, drain: true };

  beforeAll(async () => {
    peer = await playPeer({ ...options, dbPath: join(dir, 'peer.sqlite'), worldPath: template, world, start: START, stepMs: STEP_MS });
    const oursPath = join(dir, 'ours.sqlite');
    copyFileSync(template, oursPath);
    ours = await playPipeline({ ...options, dbPath: oursPath, world, mix: DANGKY_ONLY });
  }, 60_000);

  it('completes every /dangky it starts and stores one model for each', () => {
    const { tally } = peer;
    expect(tally.sessionsStarted.dangky).toBeGreaterThan(10);
    expect(tally.sessionsCompleted.dangky).toBe(tally.sessionsStarted.dangky);
    expect(tally.modelsRegistered).toBe(tally.sessionsCompleted.dangky);
    expect(peer.rows.models - peer.rowsBefore.models).toBe(tally.modelsRegistered);
    expect(peer.rows.conversations).toBe(0);
    // Only /dangky was played, by officers only.
    expect(tally.commands).toBe(tally.sessionsStarted.dangky);
    expect(tally.presses).toBeGreaterThan(0);
    expect(tally.typed).toBeGreaterThan(0);
    expect(peer.latencies).toHaveLength(options.measured);
  });

  it('gets the very updates the pipeline gets, and both save the same number of models', () => {
    expect(peer.recorded.map(sentText)).toEqual(ours.recorded.map(sentText));
    expect(ours.tally.modelsRegistered).toBe(peer.tally.modelsRegistered);
    expect(ours.rows.models - ours.rowsBefore.models).toBe(peer.rows.models - peer.rowsBefore.models);
  });
});
