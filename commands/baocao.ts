import { wordValue } from '../bot/answers.js';
import type { OutgoingFile } from '../bot/chat.js';
import type { Command } from '../bot/command.js';
import { fold } from '../bot/text.js';
import { reportData } from '../db/reportData.js';
import { reportSummary } from '../reports/chatSummary.js';
import { parsePeriod, periodTitle } from '../reports/period.js';
import { type ReportFormat, renderReportFile } from '../reports/reportFiles.js';
import { resolveReportScope } from './reportScope.js';

/**
 * `/baocao [kỳ] [mã đơn vị] [excel | word | bieudo [donvi]]`: the report of the caller's scope for a
 * period — as a chat summary, or as files sent to the chat that asked. Words may come in any order:
 * "/baocao quy 1 SNV excel" and "/baocao excel SNV quý 1" are the same.
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

/** Words people type as two: "biểu đồ", "đơn vị", "lĩnh vực", "tất cả". */
const PHRASES = new Set(['bieudo', 'donvi', 'linhvuc', 'tatca', 'theodonvi', 'theolinhvuc']);

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
  usage: '/baocao [2026 | quy 1 | thang 3] [mã đơn vị] [excel | word | bieudo]',
  async run(ctx) {
    const parsed = parsePeriod(ctx.args, ctx.now);
    if (!parsed.ok) {
      await ctx.reply(`${parsed.error}\nCách dùng: ${baocao.usage}`);
      return;
    }
    const formats = new Set<ReportFormat>();
    const unitWords: string[] = [];
    let byUnit = false;
    for (const word of joinPhrases(parsed.rest)) {
      const key = fold(word).replace(/\s+/g, '');
      const asked = wordValue(FORMAT_WORDS, key);
      if (asked) asked.forEach((f) => formats.add(f));
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
    const data = reportData(ctx.db, resolved.scope, parsed.period, ctx.now);
    if (formats.size === 0) {
      await ctx.reply(reportSummary(data));
      return;
    }

    const files: OutgoingFile[] = [];
    for (const format of formats) files.push(await renderReportFile(data, format));
    const limit = ctx.out.maxFileBytes;
    const tooLarge = limit === undefined ? [] : files.filter((f) => f.data.length > limit);
    if (tooLarge.length > 0) {
      await ctx.reply(
        `Tệp ${tooLarge.map((f) => `${f.fileName} (${megabytes(f.data.length)})`).join(', ')} lớn hơn mức ${megabytes(limit!)} mà nền tảng này cho bot gửi, nên chưa gửi được. ` +
          'Xin chọn phạm vi hẹp hơn (thêm mã đơn vị) hoặc kỳ ngắn hơn, hoặc nhờ quản trị xuất tệp bằng lệnh npm run report trên máy chủ.',
      );
      return;
    }
    const scope = data.root ? data.root.name : 'tất cả đơn vị';
    const caption = `📎 Báo cáo “Dân vận khéo” ${periodTitle(data.period)} — ${scope}: ${data.totals.models} mô hình, ${data.totals.units} đơn vị.`;
    try {
      await ctx.reply({ text: caption, files });
    } catch (error) {
      // The platform refused the file (size, type, a network cut): say so rather than stay silent.
      ctx.log.warn({ err: error, files: files.map((f) => ({ name: f.fileName, bytes: f.data.length })) }, 'report files not sent');
      await ctx.reply('Chưa gửi được tệp báo cáo vào nhóm này (nền tảng từ chối hoặc mạng gián đoạn). Xin thử lại sau ít phút, hoặc gõ /baocao để xem bản tóm tắt.');
    }
  },
};
