import { formatVnDate, formatVnDateTime } from '../core/clock.js';
import { HOLDER_LABEL, MODEL_KIND_LABEL, MODEL_STATE_LABEL, PROGRESS_STATE_LABEL } from '../core/labels.js';
import type { ReportData, ReportModel, ReportUnit } from '../db/reportData.js';
import { HOLDER_TYPES, MODEL_KINDS, MODEL_STATES } from '../db/schema.js';
import { periodTitle } from '../core/period.js';

/**
 * The report as a chat message, read on a phone: the key numbers first, then the units that need
 * a push (below quota, late with updates) by name, then the breakdowns. Long lists are cut with
 * "và N đơn vị khác"; the files carry everything. The figures are those of the period's end
 * (db/reportData.ts), said once on the second line: "số liệu tính đến hết ngày …", or "đến hôm nay"
 * while the period runs.
 */

/** Units named per list before "và N đơn vị khác". */
export const LISTED_UNITS = 10;
/** A report with at most this many models lists each with its latest update. */
export const LISTED_MODELS = 10;
/** Sub-units shown under "Theo đơn vị". */
export const LISTED_BRANCHES = 12;
/**
 * Lines a phone shows on one screen: a summary longer than this is sent short — the key numbers,
 * who needs a push, the five largest units — with "gõ /baocao chitiet" for the rest.
 */
export const SCREEN_LINES = 20;
/** Names per list, and units under "Theo đơn vị", in the short summary. */
const SHORT_LIST = 5;

export interface SummaryOptions {
  /** The whole summary however long (`/baocao chitiet`). */
  detail?: boolean;
}

export function reportSummary(data: ReportData, options: SummaryOptions = {}): string {
  const full = [
    ...head(data),
    '',
    ...attention(data, LISTED_UNITS),
    ...breakdowns(data),
    ...branches(data, LISTED_BRANCHES),
    ...eachModel(data),
    '',
    'Nhận tệp: /baocao excel · /baocao word · /baocao bieudo (thêm kỳ hoặc mã đơn vị như trên).',
  ];
  if (options.detail || full.length <= SCREEN_LINES) return full.join('\n');
  return [
    ...head(data),
    '',
    ...attention(data, SHORT_LIST),
    ...branches(data, SHORT_LIST),
    '',
    'Gõ /baocao chitiet để xem đủ (theo lĩnh vực, loại hình, từng đơn vị); nhận tệp: /baocao excel · word · bieudo.',
  ].join('\n');
}

/** The title, the scope and instant, and the key numbers. */
function head(data: ReportData): string[] {
  const t = data.totals;
  const scope = data.root ? data.root.name : 'Tất cả đơn vị';
  const lines: string[] = [
    `📊 Báo cáo “Dân vận khéo” ${periodTitle(data.period)}`,
    `${scope} · ${t.units} đơn vị · ${asOfText(data)}`,
    '',
    `• Mô hình đăng ký năm ${data.period.year}: ${t.models}${t.models > 0 ? ` (${breakdown(HOLDER_TYPES, t.byHolder, (h) => HOLDER_LABEL[h].toLowerCase())})` : ''}`,
  ];
  if (t.models > 0) {
    lines.push(`• Trạng thái: ${breakdown(MODEL_STATES, t.byState, (s) => MODEL_STATE_LABEL[s])}`);
    lines.push(`• Được công nhận ${t.recognised} · nhân rộng ${t.replicated} · biểu dương, khen thưởng ${t.commended}`);
  }
  lines.push(`• Cập nhật tiến độ trong kỳ: ${t.updatesInPeriod}`);
  return lines;
}

/** The units that need a push, by name: below quota, late, not yet sent before the deadline. */
function attention(data: ReportData, cap: number): string[] {
  const belowQuota = data.units.filter((u) => u.quota.missing > 0);
  const late = data.units.filter((u) => (u.updatesOwed?.missing ?? 0) > 0);
  const waiting = data.units.filter((u) => (u.updatesOwed?.waiting ?? 0) > 0);
  const lines: string[] = [];
  if (belowQuota.length === 0) lines.push('✅ Mọi đơn vị đã đăng ký đủ chỉ tiêu.');
  else lines.push(`⚠️ Chưa đủ chỉ tiêu (${belowQuota.length} đơn vị): ${named(belowQuota, cap, quotaText)}`);
  if (late.length === 0 && waiting.length === 0) lines.push('✅ Không đơn vị nào chậm cập nhật trong kỳ.');
  if (late.length > 0)
    lines.push(
      `⏰ Chậm cập nhật trong kỳ (${late.length} đơn vị): ${named(late, cap, (u) => `thiếu ${u.updatesOwed!.missing}/${u.updatesOwed!.active} mô hình`)}`,
    );
  // Before the deadline a unit without an update yet is not late: it is named, as not yet due.
  if (waiting.length > 0)
    lines.push(
      `🕒 Chưa đến hạn cập nhật${dueText(data)}, ${waiting.length} đơn vị chưa gửi: ${named(waiting, cap, (u) => `chưa có ${u.updatesOwed!.waiting}/${u.updatesOwed!.active} mô hình`)}`,
    );
  return lines;
}

/**
 * "0/1", or "0/1, 1 chờ duyệt": only approved models fill the quota, so a unit whose registration
 * still waits for its leader is short, and says why.
 */
function quotaText(u: ReportUnit): string {
  const pending = u.quota.pending ?? 0;
  return `${u.quota.counted}/${u.quota.required}${pending > 0 ? `, ${pending} chờ duyệt` : ''}`;
}

function breakdowns(data: ReportData): string[] {
  const t = data.totals;
  if (t.models === 0) return [];
  return [
    '',
    `Theo lĩnh vực: ${t.byField
      .filter((f) => f.count > 0)
      .map((f) => `${f.label} ${f.count}`)
      .join(' · ')}`,
    `Theo loại: ${breakdown(MODEL_KINDS, t.byKind, (k) => MODEL_KIND_LABEL[k])}`,
  ];
}

/** "Theo đơn vị": the largest first, the ones cut off counted together so the lines add up to the total. */
function branches(data: ReportData, cap: number): string[] {
  const rows = unitRows(data.units);
  if (rows.length <= 1) return [];
  // Stable sort: equal counts keep the tree order.
  const sorted = [...rows].sort((a, b) => b.models - a.models);
  const shown = sorted.slice(0, cap);
  const rest = sorted.slice(cap);
  const lines = ['', 'Theo đơn vị (kể cả đơn vị trực thuộc):', ...shown.map((row) => `- ${row.label}: ${row.models}`)];
  if (rest.length > 0) lines.push(`- … và ${rest.length} đơn vị khác: ${rest.reduce((sum, row) => sum + row.models, 0)}`);
  return lines;
}

/** A small report lists each model with its latest update. */
function eachModel(data: ReportData): string[] {
  if (data.models.length === 0 || data.models.length > LISTED_MODELS) return [];
  return ['', 'Từng mô hình:', ...data.models.flatMap(modelLines)];
}

/** "tập thể 7, cá nhân 1": only the non-zero parts, in the domain's order. */
function breakdown<K extends string>(keys: readonly K[], counts: Record<K, number>, label: (key: K) => string): string {
  const parts = keys.filter((k) => counts[k] > 0).map((k) => `${label(k)} ${counts[k]}`);
  return parts.length > 0 ? parts.join(' · ') : 'không có';
}

function named(units: readonly ReportUnit[], cap: number, detail: (u: ReportUnit) => string): string {
  const shown = units.slice(0, cap).map((u) => `${u.name} (${detail(u)})`);
  const more = units.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; và ${more} đơn vị khác` : '') + '.';
}

/** "số liệu tính đến hết ngày 31/03/2026", or while the period runs "đến hôm nay" with the hour. */
function asOfText(data: ReportData): string {
  if (data.running) return `số liệu tính đến hôm nay (${formatVnDateTime(data.generatedAt)})`;
  // asOf is the instant the period ends: its last day is the one before.
  return `số liệu tính đến hết ngày ${formatVnDate(new Date(data.asOf.getTime() - 1))}`;
}

/** " (hạn hết ngày 15/07/2026)": the last day updates for the period are on time. */
function dueText(data: ReportData): string {
  return data.updatesDue ? ` (hạn hết ngày ${formatVnDate(new Date(data.updatesDue.at.getTime() - 1))})` : '';
}

/**
 * The rows "Theo đơn vị" lists, each with its subtree's models: the report's top units, or — when
 * one unit tops the report (a province) — the units right under it, which is what a leader
 * compares, with the top unit's own models on a line of their own so the lines add up to the total.
 */
function unitRows(units: readonly ReportUnit[]): { label: string; models: number }[] {
  const tops = units.filter((u) => u.depth === 0);
  if (tops.length !== 1) return tops.map((u) => ({ label: u.name, models: u.subtreeModels }));
  const top = tops[0]!;
  const rows = units.filter((u) => u.depth === 1).map((u) => ({ label: u.name, models: u.subtreeModels }));
  if (top.models > 0) rows.unshift({ label: `${top.name} (riêng đơn vị)`, models: top.models });
  return rows;
}

function modelLines(m: ReportModel): string[] {
  const lines = [`▪️ ${m.code} ${m.name} — ${m.unitName} (${MODEL_STATE_LABEL[m.state]})`];
  const u = m.latestUpdate;
  if (u) {
    const progress = [u.percent !== null ? `${u.percent}%` : null, u.progressState ? PROGRESS_STATE_LABEL[u.progressState] : null].filter(Boolean).join(', ');
    lines.push(`   Cập nhật ${formatVnDate(u.at)}${progress ? ` (${progress})` : ''}: ${u.text}`);
  } else {
    lines.push('   Chưa có cập nhật.');
  }
  return lines;
}
