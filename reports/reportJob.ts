import type { OutgoingFile } from '../core/chat.js';
import type { Db } from '../db/client.js';
import { type ReportData, reportData, type ReportScope } from '../db/reportData.js';
import { type ModelDetails, reportModelDetails } from '../db/reportModelDetails.js';
import type { ReportPeriod } from '../core/period.js';
import type { DocxOptions } from './docxOptions.js';
import { issuerOptionsOf } from './issuer.js';
import { type ReportFormat, renderReportFile } from './reportFiles.js';

/**
 * One `/baocao` file request, as plain data: what the report thread makes (reports/reportWorker.ts),
 * or the message handler itself where there is no such thread (an in-memory database). Both call
 * `makeReport`, so a file is the same whichever thread made it.
 */
export interface ReportJob {
  scope: ReportScope;
  period: ReportPeriod;
  /** The instant the report is "as of": the request's, also when it waited in the queue. */
  now: Date;
  formats: ReportFormat[];
  /**
   * The unit that issues the Word report (the person who asked, or the one they chose): its id,
   * read again where the file is made. None: the report's own root issues it (docxOptionsFor).
   */
  issuerUnitId?: number | null;
}

export interface MadeReport {
  files: OutgoingFile[];
  /** What the caption says about the files (the command words it). */
  about: { rootName: string | null; period: ReportPeriod; models: number; units: number };
}

export interface MakeOptions {
  /**
   * Runs the reading of the data. The worker reads inside one transaction: it runs beside the
   * bot's writes, and the report's dozen queries (and its issuer) must all see the same moment of
   * the database.
   */
  read?: <T>(readData: () => T) => T;
  /** Called after the data is read and after each file is made (the worker collects garbage there). */
  between?: () => void;
}

export async function makeReport(db: Db, job: ReportJob, options: MakeOptions = {}): Promise<MadeReport> {
  const readData = (): { data: ReportData; docx: DocxOptions | undefined; modelDetails: ModelDetails | undefined } => {
    const data = reportData(db, job.scope, job.period, job.now);
    // Only the spreadsheet shows the models' texts; on a national report they are tens of MB.
    const modelDetails = job.formats.includes('xlsx') ? reportModelDetails(db, data) : undefined;
    return { data, docx: issuerOf(db, job), modelDetails };
  };
  const read = options.read ? options.read(readData) : readData();
  const { data, docx } = read;
  options.between?.();
  const files: OutgoingFile[] = [];
  for (const format of job.formats) {
    files.push(await renderReportFile(data, format, { docx, modelDetails: read.modelDetails }));
    // Let go of the texts once the spreadsheet is made, so the collection below can free them
    // before a Word file or a chart is made beside them.
    if (format === 'xlsx') read.modelDetails = undefined;
    options.between?.();
  }
  return { files, about: { rootName: data.root?.name ?? null, period: data.period, models: data.totals.models, units: data.totals.units } };
}

/** The Word report's issuer, read with the data (a unit since renamed is named as it is now). */
function issuerOf(db: Db, job: ReportJob): DocxOptions | undefined {
  if (job.issuerUnitId === undefined || job.issuerUnitId === null || !job.formats.includes('docx')) return undefined;
  return issuerOptionsOf(db, job.issuerUnitId);
}
