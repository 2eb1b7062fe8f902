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

export function reportSummary(data: ReportData): string {
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
    lines.push(`• Được công nhận ${t.recognised} · nhân rộng ${t.replicated} · khen thưởng ${t.commended}`);
  }
  lines.push(`• Cập nhật tiến độ trong kỳ: ${t.updatesInPeriod}`);

  const belowQuota = data.units.filter((u) => u.quota.missing > 0);
  const late = data.units.filter((u) => (u.updatesOwed?.missing ?? 0) > 0);
  const waiting = data.units.filter((u) => (u.updatesOwed?.waiting ?? 0) > 0);
  lines.push('');
  if (belowQuota.length === 0) lines.push('✅ Mọi đơn vị đã đăng ký đủ chỉ tiêu.');
  else lines.push(`⚠️ Chưa đủ chỉ tiêu (${belowQuota.length} đơn vị): ${named(belowQuota, (u) => `${u.quota.counted}/${u.quota.required}`)}`);
  if (late.length === 0 && waiting.length === 0) lines.push('✅ Không đơn vị nào chậm cập nhật trong kỳ.');
  if (late.length > 0)
    lines.push(`⏰ Chậm cập nhật trong kỳ (${late.length} đơn vị): ${named(late, (u) => `thiếu ${u.updatesOwed!.missing}/${u.updatesOwed!.active} mô hình`)}`);
  // Before the deadline a unit without an update yet is not late: it is named, as not yet due.
  if (waiting.length > 0)
    lines.push(
      `🕒 Chưa đến hạn cập nhật${dueText(data)}, ${waiting.length} đơn vị chưa gửi: ${named(waiting, (u) => `chưa có ${u.updatesOwed!.waiting}/${u.updatesOwed!.active} mô hình`)}`,
    );

  if (t.models > 0) {
    lines.push(
      '',
      `Theo lĩnh vực: ${t.byField
        .filter((f) => f.count > 0)
        .map((f) => `${f.label} ${f.count}`)
        .join(' · ')}`,
    );
    lines.push(`Theo loại: ${breakdown(MODEL_KINDS, t.byKind, (k) => MODEL_KIND_LABEL[k])}`);
  }
  const rows = unitRows(data.units);
  if (rows.length > 1) {
    // Stable sort: equal counts keep the tree order.
    const sorted = [...rows].sort((a, b) => b.models - a.models);
    const shown = sorted.slice(0, LISTED_BRANCHES);
    const rest = sorted.slice(LISTED_BRANCHES);
    lines.push('', 'Theo đơn vị (kể cả đơn vị trực thuộc):');
    for (const row of shown) lines.push(`- ${row.label}: ${row.models}`);
    // The units cut off carry their count too, so the lines always add up to the total.
    if (rest.length > 0) lines.push(`- … và ${rest.length} đơn vị khác: ${rest.reduce((sum, row) => sum + row.models, 0)}`);
  }
  if (data.models.length > 0 && data.models.length <= LISTED_MODELS) {
    lines.push('', 'Từng mô hình:');
    for (const m of data.models) lines.push(...modelLines(m));
  }
  lines.push('', 'Nhận tệp: /baocao excel · /baocao word · /baocao bieudo (thêm kỳ hoặc mã đơn vị như trên).');
  return lines.join('\n');
}

/** "tập thể 7, cá nhân 1": only the non-zero parts, in the domain's order. */
function breakdown<K extends string>(keys: readonly K[], counts: Record<K, number>, label: (key: K) => string): string {
  const parts = keys.filter((k) => counts[k] > 0).map((k) => `${label(k)} ${counts[k]}`);
  return parts.length > 0 ? parts.join(' · ') : 'không có';
}

function named(units: readonly ReportUnit[], detail: (u: ReportUnit) => string): string {
  const shown = units.slice(0, LISTED_UNITS).map((u) => `${u.name} (${detail(u)})`);
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
