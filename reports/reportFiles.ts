import type { OutgoingFile } from '../core/chat.js';
import type { ReportData } from '../db/reportData.js';
import type { ModelDetails } from '../db/reportModelDetails.js';
import type { ReportPeriod } from '../core/period.js';
import type { DocxOptions } from './docxOptions.js';

/**
 * The files a report can be sent as, one place for their names and types so the chat and the
 * CLI export give the same file the same name.
 */

export type ReportFormat = 'xlsx' | 'docx' | 'chart-field' | 'chart-unit';

export const MIME: Record<'xlsx' | 'docx' | 'png', string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  png: 'image/png',
};

/** "bao-cao-dvk-HATINH-2026-q1.xlsx": ASCII only, so every phone and mail system keeps it intact. */
export function reportFileName(data: ReportData, extension: string, suffix = ''): string {
  const scope = data.root ? data.root.shortCode.replace(/[^A-Za-z0-9-]/g, '') : 'TATCA';
  return `bao-cao-dvk-${scope}-${periodSlug(data.period)}${suffix}.${extension}`;
}

function periodSlug(period: ReportPeriod): string {
  switch (period.kind) {
    case 'year':
      return String(period.year);
    case 'quarter':
      return `${period.year}-q${period.quarter}`;
    case 'month':
      return `${period.year}-${String(period.month).padStart(2, '0')}`;
    case 'range':
      return `${period.from.replaceAll('-', '')}-${period.to.replaceAll('-', '')}`;
  }
}

/** What a renderer needs beyond the report's data, read with it (renderers never query). */
export interface RenderInputs {
  /** Who issues a Word report, in which format (reports/issuer.ts). */
  docx?: DocxOptions | undefined;
  /** The models' texts the spreadsheet shows (db/reportModelDetails.ts); needed for an xlsx. */
  modelDetails?: ModelDetails | undefined;
}

/**
 * Each renderer's code is loaded when first needed: on a fresh report thread a national spreadsheet
 * (the most memory-hungry step) is then made before the Word and chart code is in memory, and a
 * chart alone never loads exceljs.
 */
export async function renderReportFile(data: ReportData, format: ReportFormat, inputs: RenderInputs = {}): Promise<OutgoingFile> {
  const { docx } = inputs;
  switch (format) {
    case 'xlsx': {
      // A spreadsheet without them would silently leave its content and reason columns empty.
      if (!inputs.modelDetails) throw new Error('an xlsx needs the models’ details read with its data');
      const { reportXlsx } = await import('./xlsx.js');
      return { fileName: reportFileName(data, 'xlsx'), mimeType: MIME.xlsx, data: await reportXlsx(data, inputs.modelDetails) };
    }
    case 'docx': {
      const { docxOptionsFor, reportDocx } = await import('./docx.js');
      // Without a known issuer (a person of no unit), the report's root issues it.
      return { fileName: reportFileName(data, 'docx'), mimeType: MIME.docx, data: await reportDocx(data, docx ?? docxOptionsFor(data)) };
    }
    case 'chart-field':
    case 'chart-unit': {
      const by = format === 'chart-field' ? 'field' : 'unit';
      const { reportChart } = await import('./chart.js');
      const chart = reportChart(data, by);
      return {
        fileName: reportFileName(data, 'png', by === 'field' ? '-linh-vuc' : '-don-vi'),
        mimeType: MIME.png,
        data: chart.png,
        width: chart.width,
        height: chart.height,
      };
    }
  }
}
