import { createRequire } from 'node:module';
import { Resvg } from '@resvg/resvg-js';
import * as echarts from 'echarts/core';
// The bar chart, grid and title only, each registering itself: the 'echarts/charts' and
// 'echarts/components' barrels load every chart and component (some 40 MB of code in memory).
import 'echarts/lib/chart/bar';
import 'echarts/lib/component/grid';
import 'echarts/lib/component/title';
import { SVGRenderer } from 'echarts/renderers';
import { formatVnDate } from '../core/clock.js';
import type { ReportData, ReportUnit } from '../db/reportData.js';
import { countsTowardQuota, NOT_COUNTED } from '../db/quotas.js';
import { MODEL_STATE_LABEL } from '../core/labels.js';
import { periodTitle } from '../core/period.js';

/**
 * The report's bar chart as a PNG: models by field or by unit. echarts lays the chart out as SVG
 * (server-side, no DOM), resvg rasterises it with the bundled DejaVu fonts only — a fresh server
 * may have no system fonts at all, and DejaVu has every Vietnamese glyph.
 *
 * The bars count the models that count (as for the quota): approved ones only. Those waiting for
 * approval, returned or not recognised are left out and the subtitle says how many of each, so
 * "Số mô hình" is what a leader would put in a report and the chart agrees with the quota figures
 * of the other files. The figures are those of the period's end (db/reportData.ts), said in the
 * subtitle.
 */

echarts.use([SVGRenderer]);
// Without a canvas, echarts guesses text widths from Helvetica-like metrics and counts every
// non-ASCII letter as a full em: Vietnamese labels came out mis-sized and all-capital names were
// clipped at the left edge. Measuring with the font actually drawn keeps the label margin exact.
echarts.setPlatformAPI({ measureText: measureDejaVu });

export type ChartBy = 'field' | 'unit';

export interface ChartOptions {
  width?: number;
  height?: number;
}

export interface ChartImage {
  png: Buffer;
  width: number;
  height: number;
}

export interface ChartBar {
  label: string;
  value: number;
}

/** More bars than this and the smallest units share one "others" bar. */
export const MAX_UNIT_BARS = 15;
export const OTHER_UNITS_LABEL = 'Các đơn vị khác';
export const BAR_COLOR = '#2f6db5';

const FONT_FAMILY = 'DejaVu Sans';
const require = createRequire(import.meta.url);
const FONT_FILES = [require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')];

const DEFAULT_WIDTH = 1000;
/** Blank space at the image's edges; the right side also holds the value labels. */
const MARGIN = 24;
const TITLE_SIZE = 20;
const TITLE_LINE = 26;
const DEFAULT_HEIGHT = 600;
/** Room for the title and subtitle above the bars, and the value axis below them. */
const TOP = 90;
const BOTTOM = 50;
/** Each bar's slot fits a two-line label. */
const BAR_SLOT = 40;
/** A label line longer than this wraps; a label longer than two lines ends in "…". */
const LINE_CHARS = 36;
const MAX_LINES = 2;

export function reportChart(data: ReportData, by: ChartBy, options: ChartOptions = {}): ChartImage {
  const { svg, width, height } = chartSvg(data, by, options);
  return { png: rasterize(svg), width, height };
}

/** SVG to PNG with the bundled fonts only, so the image is the same on every machine. */
export function rasterize(svg: string): Buffer {
  return new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: FONT_FAMILY },
    background: 'white',
  })
    .render()
    .asPng();
}

/** The chart as SVG text, before rasterising (tests read its labels). */
export function chartSvg(data: ReportData, by: ChartBy, options: ChartOptions = {}): { svg: string; width: number; height: number } {
  const bars = chartBars(data, by);
  const width = options.width ?? DEFAULT_WIDTH;
  const titleWidth = width - 2 * MARGIN;
  const titleFont = `bold ${TITLE_SIZE}px ${FONT_FAMILY}`;
  const oneLine = nfc(`Số mô hình theo ${by === 'field' ? 'lĩnh vực' : 'đơn vị'} — ${periodTitle(data.period)}`);
  // A title wider than the image ("từ 15/02/2026 đến 14/03/2026" on a narrow one) puts the period
  // on a line of its own rather than letting echarts break inside a date; the bars move down.
  const title = measureDejaVu(oneLine, titleFont).width <= titleWidth ? oneLine : oneLine.replace(' — ', '\n');
  const titleLines = title.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil(measureDejaVu(line, titleFont).width / titleWidth)), 0);
  const subtitle = nfc([scopeName(data), totalText(data), asOfText(data)].filter((s) => s !== undefined).join(' — '));
  const top = TOP + (titleLines - 1) * TITLE_LINE;
  // Many bars make the image taller rather than the bars thinner.
  const height = options.height ?? Math.max(DEFAULT_HEIGHT, top + BOTTOM + bars.length * BAR_SLOT);

  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: FONT_FAMILY },
      title: {
        text: title,
        subtext: subtitle,
        left: MARGIN,
        top: 16,
        textStyle: {
          fontFamily: FONT_FAMILY,
          fontSize: TITLE_SIZE,
          lineHeight: TITLE_LINE,
          fontWeight: 'bold',
          color: '#1a1a1a',
          width: titleWidth,
          overflow: 'break',
        },
        subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 14, color: '#555555' },
      },
      grid: { left: MARGIN, right: 64, top, bottom: BOTTOM, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
      xAxis: {
        type: 'value',
        // Models are counted: no 0.5 ticks, even when every bar is 0 or 1.
        minInterval: 1,
        axisLabel: { fontFamily: FONT_FAMILY, fontSize: 12, color: '#555555', formatter: (value: number) => formatCount(value) },
        splitLine: { lineStyle: { color: '#e5e5e5' } },
      },
      yAxis: {
        type: 'category',
        // Categories run top-down in the order given (echarts draws the first at the bottom).
        inverse: true,
        data: bars.map((b) => wrapLabel(b.label)),
        axisTick: { show: false },
        axisLabel: { fontFamily: FONT_FAMILY, fontSize: 13, color: '#1a1a1a', lineHeight: 16, interval: 0 },
      },
      series: [
        {
          type: 'bar',
          data: bars.map((b) => b.value),
          barMaxWidth: 26,
          itemStyle: { color: BAR_COLOR },
          label: {
            show: true,
            position: 'right',
            fontFamily: FONT_FAMILY,
            fontSize: 13,
            color: '#1a1a1a',
            formatter: (p: { value: unknown }) => formatCount(Number(p.value)),
          },
        },
      ],
    });
    return { svg: chart.renderToSVGString(), width, height };
  } finally {
    chart.dispose();
  }
}

/** The bars of the chart, in display order (top first): models that count only. */
export function chartBars(data: ReportData, by: ChartBy): ChartBar[] {
  if (by === 'unit') return unitBars(data.units);
  const counts = new Map<string, number>();
  for (const m of data.models) if (countsTowardQuota(m.state)) counts.set(m.field, (counts.get(m.field) ?? 0) + 1);
  // The fields in the report's order (zeros included), as the report lists them.
  return data.totals.byField.map((f) => ({ label: f.label, value: counts.get(f.label) ?? 0 }));
}

/** The models the bars count: the report's approved ones (not pending, returned or not recognised). */
export function chartedModels(data: ReportData): number {
  return data.totals.models - NOT_COUNTED.reduce((sum, state) => sum + data.totals.byState[state], 0);
}

/** "Tổng số: 7 mô hình (không tính 1 chờ duyệt, 1 bị trả lại, 1 không công nhận)". */
function totalText(data: ReportData): string {
  const left = NOT_COUNTED.filter((state) => data.totals.byState[state] > 0).map(
    (state) => `${formatCount(data.totals.byState[state])} ${MODEL_STATE_LABEL[state]}`,
  );
  return `Tổng số: ${formatCount(chartedModels(data))} mô hình${left.length > 0 ? ` (không tính ${left.join(', ')})` : ''}`;
}

/** "số liệu đến hết 31/03/2026", or "đến hôm nay 20/06/2026" while the period runs. */
function asOfText(data: ReportData): string {
  return data.running ? `số liệu đến hôm nay ${formatVnDate(data.generatedAt)}` : `số liệu đến hết ${formatVnDate(new Date(data.asOf.getTime() - 1))}`;
}

/**
 * The report's top units by their subtree's models, largest first. A report with a single top unit
 * (a province) shows its children instead — one bar would say nothing — plus the top unit's own
 * models when it has any, so the bars still add up to the total.
 */
function unitBars(units: readonly ReportUnit[]): ChartBar[] {
  const tops = units.filter((u) => u.depth === 0);
  let shown = tops;
  const bars: ChartBar[] = [];
  if (tops.length === 1) {
    const top = tops[0]!;
    const children = units.filter((u) => u.depth === 1 && u.parentId === top.id);
    if (children.length > 0) {
      shown = children;
      if (top.quota.counted > 0) bars.push({ label: `${top.name} (riêng đơn vị)`, value: top.quota.counted });
    }
  }
  // quota.counted: the approved models, own and rolled up (pending, returned, not recognised left out).
  for (const u of shown) bars.push({ label: u.name, value: u.subtree.quota.counted });
  // Stable sort: equal counts keep the report's tree order (by name).
  bars.sort((a, b) => b.value - a.value);
  if (bars.length <= MAX_UNIT_BARS) return bars;
  const kept = bars.slice(0, MAX_UNIT_BARS - 1);
  const rest = bars.slice(MAX_UNIT_BARS - 1);
  kept.push({ label: `${OTHER_UNITS_LABEL} (${rest.length})`, value: rest.reduce((sum, b) => sum + b.value, 0) });
  return kept;
}

/** The report's scope as a subtitle: its root unit, or the single top unit of the whole deployment. */
function scopeName(data: ReportData): string | undefined {
  if (data.root) return data.root.name;
  const tops = data.units.filter((u) => u.depth === 0);
  return tops.length === 1 ? tops[0]!.name : undefined;
}

/**
 * Wraps a label at word boundaries into at most two lines, ending in "…" when it is longer.
 * Done here rather than by echarts so a label's lines are known and testable.
 */
export function wrapLabel(label: string): string {
  const lines: string[] = [];
  let line: string[] = [];
  for (const word of nfc(label)
    .split(/\s+/)
    .filter((w) => w !== '')) {
    // A word longer than a line (a code, a run of capitals) is cut rather than overflowing.
    for (let chars = [...word]; chars.length > 0; chars = chars.slice(LINE_CHARS)) {
      const piece = chars.slice(0, LINE_CHARS);
      if (line.length > 0 && line.length + 1 + piece.length > LINE_CHARS) {
        lines.push(line.join(''));
        line = [];
      }
      line = line.length > 0 ? [...line, ' ', ...piece] : piece;
    }
  }
  if (line.length > 0) lines.push(line.join(''));
  if (lines.length <= MAX_LINES) return lines.join('\n');
  const kept = lines.slice(0, MAX_LINES);
  kept[MAX_LINES - 1] = `${[...kept[MAX_LINES - 1]!]
    .slice(0, LINE_CHARS - 1)
    .join('')
    .trimEnd()}…`;
  return kept.join('\n');
}

/** Counts the Vietnamese way: 2.500, not 2,500. */
function formatCount(value: number): string {
  return value.toLocaleString('vi-VN');
}

/**
 * DejaVu Sans advance widths of ASCII 32–126 in thousandths of an em, read from the font's hmtx
 * table (dejavu-fonts-ttf 2.37.3).
 */
// prettier-ignore
const DEJAVU_ASCII_WIDTHS = [
  318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838,
  531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390,
  838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337,
  636, 838,
];
/** DejaVu Sans Bold is 5–26 % wider than the regular face letter by letter, about 11 % on a title;
 * 1.15 errs on the wide side, so a wrapped title never overflows. */
const BOLD_FACTOR = 1.15;
const charWidths = new Map<string, number>();

/** Text width in DejaVu Sans; the font string is echarts' CSS shorthand ("bold 20px DejaVu Sans"). */
function measureDejaVu(text: string, font?: string): { width: number } {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? 12);
  const bold = /\bbold(er)?\b|\b[6-9]00\b/.test(font ?? '');
  let em = 0;
  for (const char of text) em += charWidth(char);
  return { width: em * size * (bold ? BOLD_FACTOR : 1) };
}

function charWidth(char: string): number {
  let width = charWidths.get(char);
  if (width === undefined) {
    // A Vietnamese letter is about as wide as its base letter: "ữ" as "u", "Đ" as "D" (only the
    // horned "Ư" is wider, by a sixth of its width; the margins absorb it).
    const base = char.normalize('NFD').replace(/\p{M}/gu, '').replace('Đ', 'D').replace('đ', 'd');
    const code = base.codePointAt(0);
    // Marks on their own take no room; anything else outside ASCII ("—", "…") counts as an em.
    width = code === undefined ? 0 : base.length === 1 && code >= 32 && code <= 126 ? DEJAVU_ASCII_WIDTHS[code - 32]! / 1000 : 1;
    charWidths.set(char, width);
  }
  return width;
}

function nfc(text: string): string {
  return text.normalize('NFC');
}
