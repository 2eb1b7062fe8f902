import { wordValue } from '../core/answers.js';
import type { Logger } from 'pino';
import type { Reply } from '../core/chat.js';
import type { Command } from './shared/command.js';
import { fold } from '../core/text.js';
import { reportData } from '../db/reportData.js';
import { reportWeight } from '../db/reportWeight.js';
import { reportSummary } from '../reports/chatSummary.js';
import { parsePeriod, periodTitle } from '../core/period.js';
import type { ReportFormat } from '../reports/reportFiles.js';
// Types only: the renderers load on the report thread, not on the bot's (reports/reportQueue.ts).
import type { MadeReport, ReportJob } from '../reports/reportJob.js';
import { reportQueueFor } from '../reports/reportQueue.js';
import { resolveReportIssuer, resolveReportScope } from './shared/reportScope.js';

/**
 * `/baocao [kỳ] [mã đơn vị] [excel | word | bieudo [donvi]] [banhanh <mã>]`: the report of the
 * caller's scope for a period — as a chat summary, or as files sent to the chat that asked. Words
 * may come in any order: "/baocao quy 1 SNV excel" and "/baocao excel SNV quý 1" are the same.
 *
 * The Word report is issued in the name of the caller's own unit (its format, state or Party, is
 * that unit's: reports/issuer.ts); "banhanh <mã>" ("ban hành BTGDVTU") names another unit the
 * caller belongs to or has a role on, and asks for the Word report by itself.
 */

const FORMAT_WORDS: Record<string, ReportFormat[]> = {
  excel: ['xlsx'],
  xlsx: ['xlsx'],
  word: ['docx'],
  docx: ['docx'],
  bieudo: ['chart-field'],
  chart: ['chart-field'],
  tep: ['xlsx', 'docx', 'chart-field'],
  tatca: ['xlsx', 'docx', 'chart-field'],
};

/** "bieudo donvi": the chart by unit instead of by field. */
const CHART_BY_UNIT = new Set(['donvi', 'theodonvi']);
const CHART_BY_FIELD = new Set(['linhvuc', 'theolinhvuc']);

/** "5,8 MB", "0,002 MB": a Vietnamese decimal comma, and never a size shown as zero. */
function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb.toLocaleString('vi-VN', { maximumSignificantDigits: mb < 1 ? 1 : 3 })} MB`;
}

/** "banhanh BTGDVTU": the unit that issues the Word report; the word after it is that unit's code. */
const ISSUER_WORD = 'banhanh';

/** Words people type as two: "biểu đồ", "đơn vị", "lĩnh vực", "tất cả", "ban hành". */
const PHRASES = new Set(['bieudo', 'chitiet', 'donvi', 'linhvuc', 'tatca', 'theodonvi', 'theolinhvuc', ISSUER_WORD]);

function joinPhrases(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const pair = words[i + 1] === undefined ? '' : fold(words[i]! + words[i + 1]!);
    if (PHRASES.has(pair)) {
      out.push(pair);
      i++;
    } else {
      out.push(words[i]!);
    }
  }
  return out;
}

export const baocao: Command = {
  name: 'baocao',
  access: 'officer',
  summary: 'báo cáo tổng hợp mô hình; thêm excel, word hoặc bieudo để nhận tệp',
  usage: '/baocao [2026 | quy 1 | thang 3] [mã đơn vị] [chitiet | excel | word | bieudo] [banhanh <mã đơn vị ban hành>]',
  async run(ctx) {
    const parsed = parsePeriod(ctx.args, ctx.now);
    if (!parsed.ok) {
      await ctx.reply(`${parsed.error}\nCách dùng: ${baocao.usage}`);
      return;
    }
    const formats = new Set<ReportFormat>();
    const unitWords: string[] = [];
    let byUnit = false;
    // "chitiet": the whole summary, however long (the short one fits a phone screen).
    let detail = false;
    let issuerWord: string | undefined;
    const words = joinPhrases(parsed.rest);
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      const key = fold(word).replace(/\s+/g, '');
      const asked = wordValue(FORMAT_WORDS, key);
      if (asked) asked.forEach((f) => formats.add(f));
      else if (key === ISSUER_WORD) {
        issuerWord = words[++i];
        if (issuerWord === undefined) {
          await ctx.reply('Sau “banhanh”, bạn gõ mã đơn vị ban hành báo cáo, ví dụ: /baocao word banhanh SNV');
          return;
        }
        // Only the Word report has an issuer: naming one asks for it.
        formats.add('docx');
      } else if (key === 'chitiet') detail = true;
      else if (CHART_BY_UNIT.has(key)) byUnit = true;
      else if (!CHART_BY_FIELD.has(key)) unitWords.push(word);
    }
    if (byUnit) {
      formats.delete('chart-field');
      formats.add('chart-unit');
    }
    const resolved = resolveReportScope(ctx.db, ctx.caller, unitWords.join(' '));
    if (!resolved.ok) {
      await ctx.reply(resolved.error);
      return;
    }
    if (formats.size === 0) {
      await ctx.reply(reportSummary(reportData(ctx.db, resolved.scope, parsed.period, ctx.now), { detail }));
      return;
    }

    const issuer = formats.has('docx') ? resolveReportIssuer(ctx.db, ctx.caller, issuerWord ?? '') : ({ ok: true, unitId: null } as const);
    if (!issuer.ok) {
      await ctx.reply(issuer.error);
      return;
    }

    const job: ReportJob = { scope: resolved.scope, period: parsed.period, now: ctx.now, formats: [...formats], issuerUnitId: issuer.unitId };
    const limit = ctx.out.maxFileBytes;
    const queue = reportQueueFor(ctx.db);
    if (!queue) {
      // An in-memory database (tests, tools): a second thread cannot open it, so the files are
      // made here, holding the bot's thread while they are.
      const { makeReport } = await import('../reports/reportJob.js');
      await sendReport(await makeReport(ctx.db, job), limit, (reply) => ctx.reply(reply), ctx.log);
      return;
    }

    // Made on the report thread, sent when ready to the chat that asked. One that had to wait
    // comes among other messages, so in a group it names the person who asked for it.
    const heavy = reportWeight(ctx.db, job.scope, job.period.year, queue.heavyRows) >= queue.heavyRows;
    const { chat, sender } = ctx.msg;
    const mention = { platformUserId: sender.id, displayName: sender.displayName, username: sender.username };
    let waited = false;
    const later = (reply: Reply) =>
      ctx.deliver(
        chat,
        waited && chat.kind === 'group' ? { ...reply, text: [{ mention }, ' ', ...(typeof reply.text === 'string' ? [reply.text] : reply.text)] } : reply,
      );
    const submitted = queue.submit({
      owner: String(ctx.caller.personId),
      job,
      heavy,
      done: (report) => sendReport(report, limit, later, ctx.log),
      failed: () =>
        later({
          text: 'Xin lỗi, bot chưa làm được tệp báo cáo bạn yêu cầu. Bạn vui lòng thử lại sau ít phút, hoặc thêm mã đơn vị để lấy báo cáo phạm vi hẹp hơn; bản tóm tắt vẫn xem được bằng /baocao.',
        }),
      dropped: () =>
        later({ text: 'Bot phải dừng (bảo trì hoặc khởi động lại) trước khi làm xong báo cáo bạn yêu cầu. Bạn vui lòng gửi lại lệnh /baocao sau ít phút.' }),
    });
    waited = heavy || submitted.status === 'queued';
    switch (submitted.status) {
      case 'started':
        // A light one comes in a moment, with nothing to announce.
        if (heavy) await ctx.reply('⏳ Báo cáo này nhiều số liệu nên cần một lúc để làm; bot sẽ gửi tệp vào đây khi xong.');
        return;
      case 'queued':
        await ctx.reply(`⏳ Báo cáo đang được làm, bot sẽ gửi vào đây khi xong (đang chờ: ${submitted.ahead} báo cáo trước).`);
        return;
      case 'already':
        await ctx.reply(
          `Báo cáo bạn yêu cầu lúc trước ${submitted.ahead === 0 ? 'đang được làm' : `đang chờ (${submitted.ahead} báo cáo trước)`}; bot sẽ gửi khi xong. Nhận xong báo cáo đó, bạn hãy yêu cầu báo cáo tiếp theo.`,
        );
        return;
      case 'full':
        await ctx.reply(
          `Bot đang có nhiều báo cáo chờ làm (${submitted.waiting} báo cáo) nên chưa nhận thêm. Bạn vui lòng gửi lại sau ít phút, hoặc thêm mã đơn vị để lấy báo cáo phạm vi hẹp hơn.`,
        );
        return;
      case 'stopped':
        await ctx.reply('Bot đang dừng để bảo trì hoặc khởi động lại nên chưa làm báo cáo. Bạn vui lòng gửi lại lệnh sau ít phút.');
        return;
    }
  },
};

/** Sends made files, or says why not: too large for the platform, or refused by it. */
async function sendReport(report: MadeReport, limit: number | undefined, send: (reply: Reply) => Promise<unknown>, log: Logger): Promise<void> {
  const { files, about } = report;
  const tooLarge = limit === undefined ? [] : files.filter((f) => f.data.length > limit);
  if (tooLarge.length > 0) {
    await send({
      text:
        `Tệp ${tooLarge.map((f) => `${f.fileName} (${megabytes(f.data.length)})`).join(', ')} lớn hơn mức ${megabytes(limit!)} mà nền tảng này cho bot gửi, nên chưa gửi được. ` +
        'Xin chọn phạm vi hẹp hơn (thêm mã đơn vị) hoặc kỳ ngắn hơn, hoặc nhờ quản trị xuất tệp bằng lệnh npm run report trên máy chủ.',
    });
    return;
  }
  const scope = about.rootName ?? 'tất cả đơn vị';
  const caption = `📎 Báo cáo “Dân vận khéo” ${periodTitle(about.period)} — ${scope}: ${about.models} mô hình, ${about.units} đơn vị.`;
  try {
    await send({ text: caption, files });
  } catch (error) {
    // The platform refused the file (size, type, a network cut): say so rather than stay silent.
    log.warn({ err: error, files: files.map((f) => ({ name: f.fileName, bytes: f.data.length })) }, 'report files not sent');
    await send({
      text: 'Chưa gửi được tệp báo cáo vào nhóm này (nền tảng từ chối hoặc mạng gián đoạn). Xin thử lại sau ít phút, hoặc gõ /baocao để xem bản tóm tắt.',
    });
  }
}
